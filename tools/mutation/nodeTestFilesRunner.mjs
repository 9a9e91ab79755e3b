// Stryker test runner plugin "node-test-files" for `npm run mutation`: runs the project's test files with npm test's
// own runner (tests/support/runTests.cjs), and knows which test file reaches which mutant.
//
// Why not Stryker's command runner: it runs one command for every mutant and cannot tell which tests reach it, so each
// mutant paid for every listed test file, and a mutant no test reaches was reported as survived only after running
// them all. Here the dry run runs each candidate test file in processes of its own and records the mutants each one
// reached (tools/mutation/coverageRecorder.cjs, in every process the file starts), so a mutant runs only the files that
// reach it, cheapest first, stopping at the first that fails; a mutant no file reaches is "no coverage" at once. A test
// here is a test file: a file's tests share runs of the program (tests/support/shippedStacks.ts), so finer coverage
// would credit a run to the first test that made it.
//
// Options (stryker.config.mjs / tools/mutation/main.ts): nodeTestFiles.tests, the candidate test files, relative to
// the project. Every run is a new process tree, so the environment is always fresh and static mutants need nothing
// special.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

import { commonTokens, declareClassPlugin, PluginKind, tokens } from "@stryker-mutator/api/plugin";
import { DryRunStatus, MutantRunStatus, TestStatus } from "@stryker-mutator/api/test-runner";

const RECORDER = fileURLToPath(new URL("./coverageRecorder.cjs", import.meta.url));
/** Where the dry run leaves each file's duration for the runners of the mutant runs (other processes, same sandbox). */
const DURATIONS_FILE = ".mutation-test-durations.json";
/** How much of a failing run's output goes into the report as its failure message. */
const FAILURE_TAIL_CHARS = 3000;

/** The result of one test file's run: exit code (null when killed), its output, its wall time. */
function runTestFile(file, { env, timeoutMs }) {
    const started = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
        // Its own process group, so a timeout kills the file's whole tree (runTests.cjs, node --test, its children).
        const child = spawn(process.execPath, ["tests/support/runTests.cjs", file], {
            cwd: process.cwd(),
            env,
            detached: true,
            stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        const keep = (chunk) => {
            output = (output + chunk.toString()).slice(-4 * FAILURE_TAIL_CHARS);
        };
        child.stdout.on("data", keep);
        child.stderr.on("data", keep);
        let timedOut = false;
        const timer =
            timeoutMs === undefined
                ? undefined
                : setTimeout(() => {
                      timedOut = true;
                      killGroup(child.pid);
                  }, timeoutMs);
        child.on("error", reject);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, timedOut, output, ms: Number(process.hrtime.bigint() - started) / 1e6 });
        });
    });
}

function killGroup(pid) {
    try {
        process.kill(-pid, "SIGKILL");
    } catch {
        // already gone
    }
}

/**
 * The environment of a test run: this process's, npm test's runner with every file in one process and the recorded
 * durations left alone, and the coverage recorder.
 */
function testEnvironment(extra) {
    const nodeOptions = [process.env.NODE_OPTIONS, `--require ${JSON.stringify(RECORDER)}`].filter(Boolean).join(" ");
    return {
        ...process.env,
        AKS_OPENAI_WI_TEST_GROUPS: "1",
        AKS_OPENAI_WI_RECORD_DURATIONS: "0",
        NODE_OPTIONS: nodeOptions,
        ...extra,
    };
}

/** Adds every coverage file in `dir` (static and per-test counts alike) into `into`: mutant id -> hits. */
function mergeCoverage(dir, into) {
    for (const name of readdirSync(dir)) {
        const coverage = JSON.parse(readFileSync(path.join(dir, name), "utf8"));
        for (const counts of [coverage.static ?? {}, ...Object.values(coverage.perTest ?? {})]) {
            for (const [id, hits] of Object.entries(counts)) {
                into[id] = (into[id] ?? 0) + hits;
            }
        }
    }
    return into;
}

/** Runs `work` over `items`, at most `limit` at a time, results in the order of `items`. */
async function mapLimited(items, limit, work) {
    const results = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const index = next++;
            results[index] = await work(items[index]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
}

export class NodeTestFilesRunner {
    static inject = tokens(commonTokens.options, commonTokens.logger);

    constructor(options, logger) {
        const tests = options.nodeTestFiles?.tests;
        if (!Array.isArray(tests) || tests.length === 0) {
            throw new Error(
                'the "node-test-files" test runner needs nodeTestFiles.tests, the test files to run (tools/mutation/main.ts sets it)',
            );
        }
        this.tests = tests;
        this.logger = logger;
    }

    capabilities() {
        return { reloadEnvironment: true };
    }

    async dryRun(options) {
        const scratch = mkdtempSync(path.join(os.tmpdir(), "aks-openai-wi-mutation-coverage-"));
        try {
            const runs = await mapLimited(this.tests, os.availableParallelism(), async (file) => {
                const dir = path.join(scratch, file.replace(/[/.]/g, "_"));
                mkdirSync(dir);
                const run = await runTestFile(file, {
                    env: testEnvironment({ AKS_OPENAI_WI_MUTATION_COVERAGE: dir }),
                    timeoutMs: options.timeout,
                });
                return { file, run, coverage: run.code === 0 ? mergeCoverage(dir, {}) : {} };
            });
            const failed = runs.find(({ run }) => run.code !== 0);
            if (failed !== undefined) {
                return failed.run.timedOut
                    ? { status: DryRunStatus.Timeout, reason: `${failed.file} ran past ${options.timeout} ms` }
                    : {
                          status: DryRunStatus.Error,
                          errorMessage: `${failed.file} fails without any mutant (exit ${failed.run.code}):\n${failed.run.output.slice(-FAILURE_TAIL_CHARS)}`,
                      };
            }
            writeFileSync(
                DURATIONS_FILE,
                JSON.stringify(Object.fromEntries(runs.map(({ file, run }) => [file, run.ms]))),
            );
            for (const { file, run, coverage } of runs) {
                this.logger.debug(`${file}: ${Math.round(run.ms)} ms, reaches ${Object.keys(coverage).length} mutants`);
            }
            return {
                status: DryRunStatus.Complete,
                tests: runs.map(({ file, run }) => ({
                    id: file,
                    name: file,
                    fileName: file,
                    timeSpentMs: Math.round(run.ms),
                    status: TestStatus.Success,
                })),
                mutantCoverage: {
                    static: {},
                    perTest: Object.fromEntries(runs.map(({ file, coverage }) => [file, coverage])),
                },
            };
        } finally {
            rmSync(scratch, { recursive: true, force: true });
        }
    }

    async mutantRun(options) {
        const durations = JSON.parse(readFileSync(DURATIONS_FILE, "utf8"));
        const files = [...(options.testFilter ?? this.tests)].sort((a, b) => (durations[a] ?? 0) - (durations[b] ?? 0));
        const started = Date.now();
        for (const [index, file] of files.entries()) {
            const left = options.timeout - (Date.now() - started);
            if (left <= 0) {
                return { status: MutantRunStatus.Timeout, reason: `ran past ${options.timeout} ms before ${file}` };
            }
            const run = await runTestFile(file, {
                env: testEnvironment({ __STRYKER_ACTIVE_MUTANT__: options.activeMutant.id }),
                timeoutMs: left,
            });
            if (run.timedOut) {
                return { status: MutantRunStatus.Timeout, reason: `${file} ran past the ${options.timeout} ms budget` };
            }
            if (run.code !== 0) {
                return {
                    status: MutantRunStatus.Killed,
                    killedBy: [file],
                    failureMessage: run.output.slice(-FAILURE_TAIL_CHARS),
                    nrOfTests: index + 1,
                };
            }
        }
        return { status: MutantRunStatus.Survived, nrOfTests: files.length };
    }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.TestRunner, "node-test-files", NodeTestFilesRunner)];

export const strykerValidationSchema = {
    $schema: "http://json-schema.org/draft-07/schema",
    type: "object",
    properties: {
        nodeTestFiles: {
            type: "object",
            properties: { tests: { type: "array", items: { type: "string" } } },
            additionalProperties: false,
        },
    },
};
