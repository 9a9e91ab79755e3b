import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createHook } from "node:async_hooks";
import { describe, it } from "node:test";

/** tests/support/runTests.cjs, the `npm test` runner: a few test files per process, one group per core. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runner = require("./support/runTests.cjs") as {
    deal(files: string[], durations: Record<string, number>, groups: number): string[][];
    withReporters(options: string[], measured: string): string[];
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const harnessHooks = require("./support/testHarnessHooks.cjs") as { isTestRunnerHarness(stack: string): boolean };

const ROOT = path.resolve(__dirname, "..");
const file = (name: string) => path.join(ROOT, "tests", name);
const names = (groups: string[][]) => groups.map((group) => group.map((f) => path.basename(f)));

describe("dealing test files into groups", () => {
    it("deals the slowest file first, each file to the group with the least work so far, by last run's durations", () => {
        const durations = {
            "tests/a.test.ts": 100,
            "tests/b.test.ts": 40,
            "tests/c.test.ts": 35,
            "tests/d.test.ts": 30,
            "tests/e.test.ts": 5,
        };
        const groups = runner.deal(
            ["a", "b", "c", "d", "e"].map((n) => file(`${n}.test.ts`)),
            durations,
            2,
        );
        // a (100) alone; b, c and d (105 in all) together; e (5) to the lighter group then, a's.
        assert.deepEqual(names(groups), [
            ["a.test.ts", "e.test.ts"],
            ["b.test.ts", "c.test.ts", "d.test.ts"],
        ]);
    });

    it("weighs a file with no recorded duration as the mean of those recorded (a new file still gets dealt)", () => {
        const durations = { "tests/a.test.ts": 30, "tests/b.test.ts": 10 };
        // new.test.ts weighs 20: after a (30) it goes to the lighter group, with b (10).
        const groups = runner.deal([file("a.test.ts"), file("b.test.ts"), file("new.test.ts")], durations, 2);
        assert.deepEqual(names(groups), [["a.test.ts"], ["new.test.ts", "b.test.ts"]]);
    });

    it("on a fresh clone (nothing recorded) weighs files by their size, and keeps every file exactly once", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "aks-openai-wi-deal-"));
        try {
            const sized = (name: string, bytes: number) => {
                writeFileSync(path.join(dir, name), "x".repeat(bytes));
                return path.join(dir, name);
            };
            const files = [sized("small.test.ts", 10), sized("large.test.ts", 1000), sized("medium.test.ts", 500)];
            const groups = runner.deal(files, {}, 2);
            assert.deepEqual(names(groups), [["large.test.ts"], ["medium.test.ts", "small.test.ts"]]);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("never makes an empty group: one file on two cores is one group", () => {
        assert.deepEqual(names(runner.deal([file("a.test.ts")], { "tests/a.test.ts": 1 }, 2)), [["a.test.ts"]]);
    });
});

describe("reporters passed to node --test", () => {
    it("by default: Node's own default reporter to stdout, then the durations reporter to its file", () => {
        const args = runner.withReporters([], "/tmp/d.json");
        const expectedDefault =
            process.stdout.isTTY || Number(process.versions.node.split(".")[0]) >= 23 ? "spec" : "tap";
        assert.deepEqual(args, [
            `--test-reporter=${expectedDefault}`,
            "--test-reporter-destination=stdout",
            `--test-reporter=${path.join(ROOT, "tests", "support", "testDurations.cjs")}`,
            "--test-reporter-destination=/tmp/d.json",
        ]);
    });

    it("a reporter asked for without a destination gets stdout, so Node pairs the durations reporter with its file", () => {
        const args = runner.withReporters(["--test-reporter=spec", "--test-name-pattern=x"], "/tmp/d.json");
        assert.deepEqual(args.slice(0, 3), [
            "--test-reporter=spec",
            "--test-name-pattern=x",
            "--test-reporter-destination=stdout",
        ]);
        assert.equal(args.at(-1), "--test-reporter-destination=/tmp/d.json");
    });

    it("a reporter with its own destination keeps it", () => {
        const options = ["--test-reporter=junit", "--test-reporter-destination=out.xml"];
        assert.deepEqual(runner.withReporters(options, "/tmp/d.json").slice(0, 3), [
            ...options,
            `--test-reporter=${path.join(ROOT, "tests", "support", "testDurations.cjs")}`,
        ]);
    });
});

describe("npm test's runner, end to end", () => {
    it("runs the files it is given in one suite each, hooks included, and exits 1 when a test fails", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "aks-openai-wi-runner-"));
        try {
            // Two files with top-level hooks, in one process: each file's hook must run before its own tests, not
            // both before the first file's (as plain requires of both files in one process would have it).
            const passing = path.join(dir, "passing.test.ts");
            const failing = path.join(dir, "failing.test.ts");
            const claims = (name: string, extra: string) =>
                [
                    'import { before, it } from "node:test";',
                    `before(() => { (globalThis as { owner?: string }).owner = "${name}"; });`,
                    `it("runs after its own file's before hook", () => { if ((globalThis as { owner?: string }).owner !== "${name}") throw new Error("another file's hook ran last"); });`,
                    extra,
                ].join("\n");
            writeFileSync(passing, claims("passing", ""));
            writeFileSync(
                failing,
                claims("failing", 'it("fails on purpose", () => { throw new Error("on purpose"); });'),
            );
            const result = spawnSync(
                process.execPath,
                [path.join(ROOT, "tests", "support", "runTests.cjs"), "--test-reporter=tap", passing, failing],
                // Without the variable that tells node:test it runs inside a test file (it would skip the files).
                {
                    cwd: ROOT,
                    encoding: "utf8",
                    env: { ...process.env, NODE_TEST_CONTEXT: undefined, AKS_OPENAI_WI_TEST_GROUPS: "1" },
                },
            );
            assert.equal(result.status, 1, result.stderr);
            assert.match(result.stdout, /^ok \d+ - .*passing\.test\.ts$/m);
            assert.match(result.stdout, /^not ok \d+ - .*failing\.test\.ts$/m);
            assert.match(result.stdout, /^# tests 3$/m);
            assert.match(result.stdout, /^# pass 2$/m);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("the test runner's async_hooks hook without promises (testHarnessHooks.cjs)", () => {
    it("recognises node:test's harness by the caller's frame, and nothing else", () => {
        const frame = (where: string) =>
            `Error\n    at createHookWithoutPromises (/x.cjs:1:1)\n    at setup (${where})\n`;
        assert.equal(harnessHooks.isTestRunnerHarness(frame("node:internal/test_runner/harness:135:16")), true);
        assert.equal(harnessHooks.isTestRunnerHarness(frame("node:internal/async_local_storage:20:3")), false);
        assert.equal(harnessHooks.isTestRunnerHarness(frame("/work/tests/support/test_runner/harness.js:1:1")), false);
    });

    it("leaves every other hook whole: a hook made here still hears of a timer's end", async () => {
        const destroyed = new Set<number>();
        let timerId: number | undefined;
        const hook = createHook({
            init(asyncId, type) {
                if (type === "Timeout") {
                    timerId ??= asyncId;
                }
            },
            destroy(asyncId) {
                destroyed.add(asyncId);
            },
        }).enable();
        try {
            await new Promise((resolve) => setTimeout(resolve, 1));
            await new Promise((resolve) => setImmediate(resolve));
            assert.ok(timerId !== undefined && destroyed.has(timerId), "no destroy for the timer");
        } finally {
            hook.disable();
        }
    });
});
