import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import * as path from "node:path";
import { GaveUp } from "./wait";

/**
 * The processes one local cluster run starts (etcd, kube-apiserver, kube-controller-manager, the webhook), each with
 * its output in a log file of the run's directory. `stopAll` ends every one of them, in reverse start order, and
 * waits until each has exited: a run leaves nothing behind, whatever happened in between.
 */
export class ProcessGroup {
    private readonly running: { name: string; child: ChildProcess; exited: Promise<void> }[] = [];

    constructor(private readonly logDir: string) {}

    start(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
        const log = createWriteStream(this.logPath(name));
        const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
        child.stdout?.pipe(log);
        child.stderr?.pipe(log);
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.once("error", (error) => log.write(`\n[e2e] could not start ${command}: ${error.message}\n`));
        this.running.push({ name, child, exited });
        return child;
    }

    logPath(name: string): string {
        return path.join(this.logDir, `${name}.log`);
    }

    /** The last lines a process wrote, for an error message that says why it is not ready. */
    tail(name: string, lines = 30): string {
        try {
            return readFileSync(this.logPath(name), "utf8").trimEnd().split("\n").slice(-lines).join("\n");
        } catch {
            return "(no log)";
        }
    }

    /** Throws, with the tail of its log, when a process this group started has already exited. */
    assertAlive(name: string): void {
        const entry = this.running.find((p) => p.name === name);
        if (entry && entry.child.exitCode !== null) {
            throw new GaveUp(`${name} exited with code ${entry.child.exitCode}:\n${this.tail(name)}`);
        }
    }

    async stopAll(): Promise<void> {
        for (const { child, exited } of this.running.reverse()) {
            if (child.exitCode === null && child.signalCode === null) {
                child.kill("SIGTERM");
                // A process that ignores SIGTERM is killed; the wait is for its exit, however long that takes.
                const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
                await exited;
                clearTimeout(killer);
            }
        }
        this.running.length = 0;
    }
}
