import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { promisify } from "node:util";

/**
 * `npm run mutation` learns which test file reaches which mutant from tools/mutation/coverageRecorder.cjs, preloaded
 * into every process a test file starts. A process it misses would make a mutant "no coverage", or skip the test that
 * kills it, so these run real processes: one that Stryker's variables reach, and its child started with an
 * environment of its own, as several tests start theirs.
 */

const RECORDER = path.join(__dirname, "..", "tools", "mutation", "coverageRecorder.cjs");
const run = promisify(execFile);
const scratch = mkdtempSync(path.join(os.tmpdir(), "aks-openai-wi-mutation-coverage-test-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A process that reached mutant `id` (as instrumented code counts it) and prints what its environment says. */
const reachAndReport = (id: string) =>
    `globalThis.__stryker__ = { mutantCoverage: { static: { ${JSON.stringify(id)}: 1 }, perTest: {} } };` +
    `process.stdout.write(JSON.stringify({ mutant: process.env.__STRYKER_ACTIVE_MUTANT__ ?? null,` +
    ` nodeOptions: process.env.NODE_OPTIONS ?? null, keep: process.env.KEEP ?? null }));`;

/** The parent: reaches mutant "3", then starts a child with only the variables `childEnv`, and prints its report. */
const parentScript = (childEnv: Record<string, string>) =>
    `${reachAndReport("3")}process.stdout.write("\\n");` +
    `require("node:child_process").execFile(process.execPath, ["-e", ${JSON.stringify(reachAndReport("4"))}],` +
    ` { env: ${JSON.stringify(childEnv)} }, (error, stdout) => { if (error) throw error; process.stdout.write(stdout); });`;

async function runParent(env: Record<string, string>, childEnv: Record<string, string>) {
    const { stdout } = await run(process.execPath, ["-e", parentScript(childEnv)], {
        env: { PATH: process.env.PATH ?? "", NODE_OPTIONS: `--require ${RECORDER}`, ...env },
    });
    return stdout.split("\n").map((line) => JSON.parse(line) as { mutant: string | null; nodeOptions: string | null });
}

describe("the mutation coverage recorder", () => {
    it("records what each process of a test file reached, its children with an environment of their own included", async () => {
        const dir = mkdtempSync(path.join(scratch, "coverage-"));
        const [, child] = await runParent(
            { AKS_OPENAI_WI_MUTATION_COVERAGE: dir, __STRYKER_ACTIVE_MUTANT__: "7" },
            { PATH: process.env.PATH ?? "", KEEP: "yes", NODE_OPTIONS: "--no-warnings" },
        );
        // The child runs the active mutant, keeps its own variables and preloads, and gains the recorder.
        assert.equal(child.mutant, "7");
        assert.deepEqual(child, {
            mutant: "7",
            nodeOptions: `--no-warnings --require ${JSON.stringify(RECORDER)}`,
            keep: "yes",
        });
        const recorded = readdirSync(dir)
            .map((name) => JSON.parse(readFileSync(path.join(dir, name), "utf8")) as { static: object })
            .map((coverage) => coverage.static)
            .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
        assert.deepEqual(recorded, [{ 3: 1 }, { 4: 1 }]);
    });

    it("gives code serialized by Pulumi (a dynamic provider) Stryker's namespace and counts, with the active mutant", async () => {
        // The serializer stores the instrumented code's namespace as `global.__stryker__`, which no module defines in
        // the process that runs the serialized text.
        const { stdout } = await run(
            process.execPath,
            [
                "-e",
                "process.stdout.write(JSON.stringify({ ...global.__stryker__, " +
                    "countsAreAGlobal: global.__strykerMutantCoverage__ === global.__stryker__.mutantCoverage }))",
            ],
            {
                env: {
                    PATH: process.env.PATH ?? "",
                    NODE_OPTIONS: `--require ${RECORDER}`,
                    __STRYKER_ACTIVE_MUTANT__: "12",
                },
            },
        );
        // The counts are a global's value too, so the serializer writes a reference to them, not a copy.
        assert.deepEqual(JSON.parse(stdout), {
            activeMutant: "12",
            mutantCoverage: { static: {}, perTest: {} },
            countsAreAGlobal: true,
        });
    });

    it("changes nothing for a child when Stryker's variables are not set", async () => {
        const [parent, child] = await runParent({}, { PATH: process.env.PATH ?? "" });
        assert.equal(parent.mutant, null);
        assert.deepEqual(child, { mutant: null, nodeOptions: null, keep: null });
    });
});
