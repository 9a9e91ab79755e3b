import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";

/** .ci/steps.sh (the named steps of .ci/run) and .ci/stress (npm run test:stress), run with stand-in commands. */

const ROOT = path.resolve(__dirname, "..");

/** Alive and not a zombie: a killed orphan stays in the process table until init reaps it. */
function isRunning(pid: number): boolean {
    try {
        process.kill(pid, 0);
    } catch {
        return false;
    }
    const stat = `/proc/${pid}/stat`;
    // The state follows the parenthesised command name: R, S, D... or Z for a zombie.
    return !existsSync(stat) || !/\) Z /.test(readFileSync(stat, "utf8"));
}

describe(".ci/steps.sh: named steps", () => {
    const run = (script: string) => {
        const dir = mkdtempSync(path.join(tmpdir(), "aks-openai-wi-steps-"));
        const file = path.join(dir, "ci");
        writeFileSync(file, `source ${JSON.stringify(path.join(ROOT, ".ci", "steps.sh"))}\n${script}`);
        const result = spawnSync("bash", [file], { encoding: "utf8" });
        rmSync(dir, { recursive: true, force: true });
        return result;
    };

    it("runs every step after a failing one, names the failed step at the end and exits 1", () => {
        const result = run(
            [
                'step "lint" echo linted',
                'step "type-check" sh -c "exit 3"',
                'step "npm test on Node 24" echo tested',
                "finish",
            ].join("\n"),
        );
        assert.equal(result.status, 1);
        assert.match(result.stdout, /\n==> lint\nlinted\n/);
        assert.match(result.stdout, /\n==> npm test on Node 24\ntested\n/);
        assert.match(result.stdout, /\n {2}type-check +FAILED \(exit 3, \d+ s\)\n/);
        assert.ok(result.stderr.endsWith("FAILED: 1 of 3 steps failed:\n  - type-check\n"), result.stderr);
    });

    it("exits 0 and says so when every step passed", () => {
        const result = run(['step "lint" true', 'step "format" true', "finish"].join("\n"));
        assert.equal(result.status, 0);
        assert.ok(result.stdout.endsWith("\npassed: all 2 steps\n"), result.stdout);
        assert.equal(result.stderr, "");
    });
});

describe(".ci/stress: the suite under busy loops", () => {
    const stress = (env: Record<string, string>) =>
        spawn("bash", [path.join(ROOT, ".ci", "stress")], {
            env: { ...process.env, ...env },
            stdio: ["ignore", "pipe", "pipe"],
        });
    /** The busy loops' pids, from the script's first line. */
    const loaders = (stdout: string) =>
        (/\(pids ([\d ]+)\)/.exec(stdout)?.[1] ?? "").split(" ").filter(Boolean).map(Number);
    const finished = (child: ReturnType<typeof stress>) =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
            child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
            child.on("close", (code) => resolve({ code, stdout, stderr }));
        });

    it("runs the command the given number of times and stops its busy loops when it is done", async () => {
        const result = await finished(stress({ STRESS_COMMAND: "true", STRESS_RUNS: "3", STRESS_LOADERS: "2" }));
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(result.stdout.match(/^==> run \d of 3: true under 2 busy loops$/gm), [
            "==> run 1 of 3: true under 2 busy loops",
            "==> run 2 of 3: true under 2 busy loops",
            "==> run 3 of 3: true under 2 busy loops",
        ]);
        const pids = loaders(result.stdout);
        assert.equal(pids.length, 2);
        assert.deepEqual(pids.filter(isRunning), []);
    });

    it("fails naming each failed run", async () => {
        const result = await finished(stress({ STRESS_COMMAND: "false", STRESS_RUNS: "2", STRESS_LOADERS: "1" }));
        assert.equal(result.code, 1);
        assert.match(result.stderr, /FAILED: 2 of 2 steps failed:\n {2}- run 1 of 2: false under 1 busy loops\n/);
        assert.deepEqual(loaders(result.stdout).filter(isRunning), []);
    });

    it("stops its busy loops and the running command, with the processes it started, when it is terminated", async () => {
        // Like npm test, the command starts a process of its own and does not pass the signal on to it: sh ends on
        // TERM while it waits, and the sleep it started would run on unless the whole group is stopped.
        const dir = mkdtempSync(path.join(tmpdir(), "aks-openai-wi-stress-"));
        const grandchild = path.join(dir, "grandchild.pid");
        const command = path.join(dir, "command");
        writeFileSync(command, `sleep 600 &\necho $! > ${grandchild}\nwait\n`);
        const child = stress({ STRESS_COMMAND: `sh ${command}`, STRESS_RUNS: "1", STRESS_LOADERS: "2" });
        const done = finished(child);
        // Terminate once the run has started: its step header is printed after the loops are up.
        await new Promise<void>((resolve) => {
            let seen = "";
            child.stdout.on("data", (chunk: Buffer) => {
                seen += chunk.toString("utf8");
                if (seen.includes("==> run 1 of 1")) {
                    resolve();
                }
            });
        });
        // The grandchild's pid file is written once the command runs; wait for it by reading, not by a clock.
        while (!existsSync(grandchild) || readFileSync(grandchild, "utf8").trim() === "") {
            await new Promise((resolve) => setImmediate(resolve));
        }
        child.kill("SIGTERM");
        const result = await done;
        assert.equal(result.code, 143);
        const pids = loaders(result.stdout);
        assert.equal(pids.length, 2);
        assert.deepEqual(pids.filter(isRunning), []);
        const sleeper = Number(readFileSync(grandchild, "utf8"));
        assert.equal(isRunning(sleeper), false, `process ${sleeper} outlived the stress run`);
        rmSync(dir, { recursive: true, force: true });
    });
});
