import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

import * as prettier from "prettier";

import { CompileCheck } from "./compileCheck";
import { EXPLAINED } from "./explained";
import { renderReport, replaceBetween, summarize, type FileRun, type FileSummary, type StrykerReport } from "./report";
import { groupByTests, MUTATED_FOLDERS, mutatedFiles, testsFor } from "./targets";

/**
 * `npm run mutation [-- <file>...]` (or `-- --report-only`): Stryker on the files of components/ and policy/ (or only
 * the files given), one group of files that the same tests exercise at a time, each mutant against those of the tests
 * that reach it, then docs/mutation.md regenerated from every file's last report. Reports and Stryker's sandboxes stay under reports/ and .stryker-tmp/ (git-ignored). Not part of `npm test`
 * or `.ci/run`: it takes tens of minutes per large file on two cores.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const REPORTS = path.join(ROOT, "reports", "mutation");
const DOC = path.join(ROOT, "docs", "mutation.md");
const SUMMARIES = path.join(ROOT, "docs", "mutation.json");
const TARGET_PERCENT = 90;

const slug = (file: string) => file.replace(/[/.]/g, "_");

/**
 * The report with each survivor that does not type-check marked "CompileError" (see compileCheck.ts): Stryker runs
 * without its TypeScript checker, so this is where a mutant no one could ship is told apart from a gap in the tests.
 */
async function withUncompilableSurvivors(report: StrykerReport): Promise<StrykerReport> {
    const check = new CompileCheck(ROOT);
    try {
        const files: Record<string, StrykerReport["files"][string]> = {};
        for (const [file, entry] of Object.entries(report.files)) {
            const mutants = [];
            for (const mutant of entry.mutants) {
                const survived = mutant.status === "Survived" || mutant.status === "NoCoverage";
                const errors = survived
                    ? await check.errors(
                          file,
                          replaceBetween(
                              entry.source,
                              mutant.location.start,
                              mutant.location.end,
                              mutant.replacement ?? "",
                          ),
                      )
                    : "";
                mutants.push(
                    errors === "" ? mutant : { ...mutant, status: "CompileError", statusReason: errors.split("\n")[0] },
                );
            }
            files[file] = { ...entry, mutants };
        }
        return { ...report, files };
    } finally {
        check.dispose();
    }
}

async function runStryker(
    files: readonly string[],
    tests: readonly string[],
    base: object,
    configFile: string,
    groupReport: string,
): Promise<void> {
    writeFileSync(
        configFile,
        JSON.stringify(
            {
                ...base,
                mutate: files,
                nodeTestFiles: { tests },
                jsonReporter: { fileName: path.relative(ROOT, groupReport) },
            },
            null,
            2,
        ),
    );
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
        throw new Error(`Stryker failed on ${files.join(", ")} (exit ${code}); its log is above and in stryker.log`);
    }
}

/**
 * Mutates `files` in one Stryker run against `tests`, or, with `reuse`, reads the group's last Stryker report again
 * (after a change to the compile check or the explanations); then type-checks the survivors and keeps each file's
 * report and run.
 */
async function mutateGroup(files: readonly string[], tests: readonly string[], reuse: boolean): Promise<void> {
    const base = ((await import(pathToFileURL(path.join(ROOT, "stryker.config.mjs")).href)) as { default: object })
        .default;
    for (const test of tests) {
        if (!existsSync(path.join(ROOT, test))) {
            throw new Error(
                `tools/mutation/targets.ts lists ${test} for ${files.join(", ")}, but there is no such file`,
            );
        }
    }
    mkdirSync(path.join(REPORTS, "config"), { recursive: true });
    const name = files.length === 1 ? slug(files[0]) : `group-of-${slug(files[0])}`;
    const groupReport = path.join(REPORTS, "config", `${name}.report.json`);
    const configFile = path.join(REPORTS, "config", `${name}.json`);
    let wallSeconds: number;
    if (reuse && existsSync(groupReport) && existsSync(configFile)) {
        // Stryker's run of this group is kept: its time is from writing its configuration to writing its report.
        wallSeconds = (statSync(groupReport).mtimeMs - statSync(configFile).mtimeMs) / 1000;
    } else {
        const started = process.hrtime.bigint();
        await runStryker(files, tests, base, configFile, groupReport);
        wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    }
    const finishedAt = statSync(groupReport).mtime.toISOString();
    const report = await withUncompilableSurvivors(JSON.parse(readFileSync(groupReport, "utf8")) as StrykerReport);
    for (const file of files) {
        const entry = report.files[file];
        writeFileSync(
            path.join(REPORTS, `${slug(file)}.json`),
            JSON.stringify({ ...report, files: entry === undefined ? {} : { [file]: entry } }),
        );
        const run: Omit<FileRun, "report"> = {
            file,
            tests,
            finishedAt,
            wallSeconds,
            measuredWith: files.filter((other) => other !== file),
        };
        writeFileSync(path.join(REPORTS, `${slug(file)}.run.json`), JSON.stringify(run, null, 2));
    }
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
    // --reuse-reports: use each group's last Stryker report instead of running Stryker again.
    const reuse = argv.includes("--reuse-reports");
    const args = argv.filter((arg) => arg !== "--report-only" && arg !== "--reuse-reports");
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
    const groups = groupByTests(chosen);
    const failures: string[] = [];
    for (const [index, group] of groups.entries()) {
        console.log(`\n==> ${index + 1}/${groups.length} ${group.files.join(" ")}`);
        // One group failing (its dry run, say) leaves the other groups' results worth having: go on, fail at the end.
        await mutateGroup(group.files, group.tests, reuse).catch((error: unknown) => {
            failures.push(error instanceof Error ? error.message : String(error));
        });
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
    if (failures.length > 0) {
        throw new Error(`${failures.length} group(s) failed:\n${failures.join("\n")}`);
    }
}

main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
});
