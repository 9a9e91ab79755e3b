import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

import * as prettier from "prettier";

import { EXPLAINED } from "./explained";
import { renderReport, summarize, type FileRun, type FileSummary, type StrykerReport } from "./report";
import { MUTATED_FOLDERS, mutatedFiles, testsFor } from "./targets";

/**
 * `npm run mutation [-- <file>...]` (or `-- --report-only`): Stryker on each file of components/ and policy/ (or only the files given), one
 * file at a time, each against the tests that exercise it, then docs/mutation.md regenerated from every file's last
 * report. Reports and Stryker's sandboxes stay under reports/ and .stryker-tmp/ (git-ignored). Not part of `npm test`
 * or `.ci/run`: it takes tens of minutes per large file on two cores.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const REPORTS = path.join(ROOT, "reports", "mutation");
const DOC = path.join(ROOT, "docs", "mutation.md");
const SUMMARIES = path.join(ROOT, "docs", "mutation.json");
const TARGET_PERCENT = 90;

const slug = (file: string) => file.replace(/[/.]/g, "_");

async function mutate(file: string): Promise<void> {
    const base = ((await import(pathToFileURL(path.join(ROOT, "stryker.config.mjs")).href)) as { default: object })
        .default;
    const tests = testsFor(file);
    for (const test of tests) {
        if (!existsSync(path.join(ROOT, test))) {
            throw new Error(`tools/mutation/targets.ts lists ${test} for ${file}, but there is no such file`);
        }
    }
    mkdirSync(path.join(REPORTS, "config"), { recursive: true });
    const reportFile = path.join(REPORTS, `${slug(file)}.json`);
    const configFile = path.join(REPORTS, "config", `${slug(file)}.json`);
    writeFileSync(
        configFile,
        JSON.stringify(
            {
                ...base,
                mutate: [file],
                // npm test's runner on those files: its TypeScript loader (tsx's start-up cost a second of CPU per
                // process, per mutant) and a process per core, since Stryker runs one mutant at a time.
                commandRunner: { command: `node tests/support/runTests.cjs ${tests.join(" ")}` },
                jsonReporter: { fileName: path.relative(ROOT, reportFile) },
            },
            null,
            2,
        ),
    );
    const started = process.hrtime.bigint();
    // The package exports only its API, so its bin is found next to its package.json.
    const stryker = path.join(path.dirname(require.resolve("@stryker-mutator/core/package.json")), "bin", "stryker.js");
    const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, [stryker, "run", path.relative(ROOT, configFile)], {
            cwd: ROOT,
            stdio: "inherit",
        });
        child.on("error", reject);
        child.on("exit", resolve);
    });
    if (code !== 0) {
        throw new Error(`Stryker failed on ${file} (exit ${code}); its log is above and in stryker.log`);
    }
    const run: Omit<FileRun, "report"> = {
        file,
        tests,
        finishedAt: new Date().toISOString(),
        wallSeconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
    writeFileSync(path.join(REPORTS, `${slug(file)}.run.json`), JSON.stringify(run, null, 2));
}

/** The local report of `file`'s last run, if this checkout has one. */
function localRun(file: string): FileRun | undefined {
    const runFile = path.join(REPORTS, `${slug(file)}.run.json`);
    const reportFile = path.join(REPORTS, `${slug(file)}.json`);
    if (!existsSync(runFile) || !existsSync(reportFile)) {
        return undefined;
    }
    const run = JSON.parse(readFileSync(runFile, "utf8")) as Omit<FileRun, "report">;
    return { ...run, report: JSON.parse(readFileSync(reportFile, "utf8")) as StrykerReport };
}

/** Each file's last result: its local report or what docs/mutation.json kept, whichever is newer. */
function lastSummaries(files: readonly string[]): FileSummary[] {
    const kept = existsSync(SUMMARIES) ? (JSON.parse(readFileSync(SUMMARIES, "utf8")) as FileSummary[]) : [];
    return files.flatMap((file) => {
        const run = localRun(file);
        const candidates = [run === undefined ? undefined : summarize(run), kept.find((k) => k.file === file)];
        const newest = candidates
            .filter((candidate) => candidate !== undefined)
            .sort((a, b) => b.finishedAt.localeCompare(a.finishedAt))[0];
        return newest === undefined ? [] : [newest];
    });
}

/** Writes a file as Prettier formats it, so that `npm run format:check` accepts the generated docs. */
async function writeFormatted(file: string, text: string): Promise<void> {
    const options = (await prettier.resolveConfig(file)) ?? {};
    writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
}

async function main(argv: readonly string[]): Promise<void> {
    // --report-only: render the docs again from the kept results, e.g. after adding a reason to explained.ts.
    const reportOnly = argv.includes("--report-only");
    const args = argv.filter((arg) => arg !== "--report-only");
    const all = mutatedFiles(ROOT);
    for (const file of args) {
        if (!all.includes(file)) {
            throw new Error(
                `${file} is not a .ts file under ${MUTATED_FOLDERS.join("/ or ")}/; one of: ${all.join(", ")}`,
            );
        }
    }
    all.forEach(testsFor); // every file has tests before anything runs
    const chosen = reportOnly ? [] : args.length > 0 ? args : all;
    const started = process.hrtime.bigint();
    for (const [index, file] of chosen.entries()) {
        console.log(`\n==> ${index + 1}/${chosen.length} ${file}`);
        await mutate(file);
    }
    const summaries = lastSummaries(all);
    const measured = new Set(summaries.map((summary) => summary.file));
    const text = renderReport(
        summaries,
        all.filter((file) => !measured.has(file)),
        EXPLAINED,
        TARGET_PERCENT,
    );
    await writeFormatted(SUMMARIES, JSON.stringify(summaries));
    await writeFormatted(DOC, text);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(`\nMutated ${chosen.length} file(s) in ${Math.round(seconds)} s; wrote ${path.relative(ROOT, DOC)}.`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
});
