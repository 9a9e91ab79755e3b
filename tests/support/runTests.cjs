"use strict";
/**
 * `npm test`: Node's test runner over the test files, a few files per process instead of one.
 *
 * Why: starting a process costs about a second of CPU before a test runs (Node, this loader, @pulumi/pulumi and its
 * closure serializer's dependencies), and the first program run in a process pays another half second for Pulumi to
 * serialize the dynamic provider. With ~70 files that was over half of the suite's CPU. Here the files are dealt into
 * one group per core (the slowest first, each to the group with the least work so far, by the durations of the last
 * run on this machine), and each group runs in one process: `node --test` over generated entry files that require
 * their test files in order, each inside a suite named by the file.
 *
 * What a file may rely on stays what it was: its tests run one after the other, after the previous file's tests have
 * finished, and its top-level before/after hooks belong to its own suite. Pulumi's mock engine is global to a process,
 * which is why files in one process never overlap. What a file may not do is leave global state behind (an
 * environment variable, a listener, a mocked module): the next file in its process would inherit it.
 *
 *   npm test                                   every file under tests/
 *   npm test -- tests/plan.test.ts             some files
 *   npm test -- --test-name-pattern=placeholders   any other argument goes to `node --test`
 *   AKS_OPENAI_WI_TEST_GROUPS=1 npm test       every file in one process
 *   AKS_OPENAI_WI_RECORD_DURATIONS=0           leave the recorded durations alone (`npm run mutation` runs the tests
 *                                              against mutants, whose durations say nothing about the next npm test)
 */
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..");
const TESTS = path.join(ROOT, "tests");
const LOADER = path.join(__dirname, "typescript.cjs");
const HARNESS_HOOKS = path.join(__dirname, "testHarnessHooks.cjs");
const REPORTER = path.join(__dirname, "testDurations.cjs");
const CACHE = path.join(ROOT, "node_modules", ".cache", "aks-openai-wi-tests");
const DURATIONS = path.join(CACHE, "durations.json");

/** One group per core; AKS_OPENAI_WI_TEST_GROUPS=N asks for N (1: every file in one process, to find leaked state). */
function groupCount() {
    const asked = process.env.AKS_OPENAI_WI_TEST_GROUPS;
    if (asked === undefined || asked === "") {
        return os.availableParallelism();
    }
    const count = Number(asked);
    if (!Number.isInteger(count) || count < 1) {
        throw new Error(`AKS_OPENAI_WI_TEST_GROUPS=${asked} is not a whole number of processes. Fix: 1 or more`);
    }
    return count;
}

/** Splits npm test's arguments into test files and options for `node --test`. */
function parseArguments(args) {
    const files = args.filter((arg) => !arg.startsWith("-")).map((file) => path.resolve(file));
    const options = args.filter((arg) => arg.startsWith("-"));
    if (files.length > 0) {
        return { files, options };
    }
    const all = fs
        .readdirSync(TESTS)
        .filter((name) => name.endsWith(".test.ts"))
        .sort()
        .map((name) => path.join(TESTS, name));
    return { files: all, options };
}

/** Durations (ms) of the last run of each file on this machine, by path relative to the project. */
function lastDurations() {
    try {
        return JSON.parse(fs.readFileSync(DURATIONS, "utf8"));
    } catch {
        return {};
    }
}

/**
 * Deals `files` into `groups` groups of about equal work: the slowest first, each to the group with the least work so
 * far. A file with no recorded duration (a new file, a fresh clone) weighs as much as the mean of those recorded, or,
 * with none recorded, as its size in bytes.
 */
function deal(files, durations, groups) {
    const known = files.map((file) => durations[relative(file)]).filter((ms) => typeof ms === "number");
    const mean = known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : undefined;
    const weight = (file) => durations[relative(file)] ?? mean ?? fs.statSync(file).size;
    const bins = Array.from({ length: groups }, () => ({ files: [], work: 0 }));
    for (const file of [...files].sort((a, b) => weight(b) - weight(a) || (a < b ? -1 : 1))) {
        const lightest = bins.reduce((best, bin) => (bin.work < best.work ? bin : best));
        lightest.files.push(file);
        lightest.work += weight(file);
    }
    return bins.filter((bin) => bin.files.length > 0).map((bin) => bin.files);
}

function relative(file) {
    return path.relative(ROOT, file).split(path.sep).join("/");
}

/** One entry file per group: its test files in order, each in a suite of its own (so its hooks stay its own). */
function writeEntries(groups) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aks-openai-wi-tests-"));
    const entries = groups.map((files, index) => {
        const entry = path.join(dir, `group-${index + 1}-of-${groups.length}.cjs`);
        const lines = [
            '"use strict";',
            "// Generated by tests/support/runTests.cjs for one npm test run.",
            'const { describe } = require("node:test");',
            ...files.map(
                (file) => `describe(${JSON.stringify(relative(file))}, () => { require(${JSON.stringify(file)}); });`,
            ),
        ];
        fs.writeFileSync(entry, `${lines.join("\n")}\n`);
        return entry;
    });
    return { dir, entries };
}

/** Node's own default reporter: spec on a terminal and from Node 23 on, TAP otherwise. */
function defaultReporter() {
    const major = Number(process.versions.node.split(".")[0]);
    return process.stdout.isTTY || major >= 23 ? "spec" : "tap";
}

/**
 * The options with the durations reporter added last. Node pairs reporters with destinations by position, so every
 * reporter asked for (or Node's default, when none is) gets a destination first: stdout unless one was given.
 */
function withReporters(options, measured) {
    const count = (flag) => options.filter((option) => option === flag || option.startsWith(`${flag}=`)).length;
    const reporters = count("--test-reporter");
    const destinations = count("--test-reporter-destination");
    return [
        ...(reporters === 0 ? [`--test-reporter=${defaultReporter()}`] : []),
        ...options,
        ...Array.from({ length: Math.max(1, reporters) - destinations }, () => "--test-reporter-destination=stdout"),
        `--test-reporter=${REPORTER}`,
        `--test-reporter-destination=${measured}`,
    ];
}

/** Folds this run's durations into the recorded ones (files not run keep theirs), written whole or not at all. */
function recordDurations(file) {
    let measured;
    try {
        measured = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
        return; // the run ended before the reporter wrote them
    }
    fs.mkdirSync(CACHE, { recursive: true });
    const partial = `${DURATIONS}.${process.pid}.tmp`;
    // Only the project's own test files: a run of files elsewhere (the runner's own test) leaves nothing behind.
    const ours = Object.entries(measured).filter(([file]) => file.startsWith("tests/"));
    fs.writeFileSync(partial, `${JSON.stringify({ ...lastDurations(), ...Object.fromEntries(ours) }, null, 2)}\n`);
    fs.renameSync(partial, DURATIONS);
}

function main() {
    const { files, options } = parseArguments(process.argv.slice(2));
    const groups = deal(files, lastDurations(), Math.min(files.length, groupCount()));
    const { dir, entries } = writeEntries(groups);
    const measured = path.join(dir, "durations.json");
    const args = [
        // Before node:test loads: its async_hooks hook leaves promises alone (see testHarnessHooks.cjs).
        "--require",
        HARNESS_HOOKS,
        "--require",
        LOADER,
        "--test",
        `--test-concurrency=${groups.length}`,
        ...withReporters(options, measured),
        ...entries,
    ];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: "inherit" });
    const forward = (signal) => child.kill(signal);
    process.on("SIGINT", forward).on("SIGTERM", forward);
    child.on("close", (code, signal) => {
        if (process.env.AKS_OPENAI_WI_RECORD_DURATIONS !== "0") {
            recordDurations(measured);
        }
        fs.rmSync(dir, { recursive: true, force: true });
        process.exitCode = code ?? (signal ? 1 : 0);
    });
}

if (require.main === module) {
    main();
}

module.exports = { deal, parseArguments, withReporters };
