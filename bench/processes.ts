import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";

/** Starting the benchmark's child processes and timing them from spawn to exit. */

export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** The loader flags the program needs (the same as `npm test` and `npm run plan`); the floor is started alike. */
export const LOADER_FLAGS: readonly string[] = ["--import", "tsx"];

export interface Finished {
    /** Milliseconds from spawn to exit. */
    readonly wallMs: number;
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs a command to its end, timing it; never throws on a non-zero exit (the caller decides). */
export function run(
    command: string,
    args: readonly string[],
    options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<Finished> {
    return new Promise((resolve, reject) => {
        const started = performance.now();
        const child = spawn(command, args, {
            cwd: options.cwd ?? PROJECT_ROOT,
            env: options.env ?? process.env,
            stdio: ["ignore", "pipe", "pipe"],
        });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
        child.on("error", reject);
        child.on("close", (code) =>
            resolve({
                wallMs: performance.now() - started,
                code,
                stdout: Buffer.concat(stdout).toString("utf8"),
                stderr: Buffer.concat(stderr).toString("utf8"),
            }),
        );
    });
}

/** Runs a TypeScript child under the program's loader and reads the JSON it wrote to `resultFile`. */
export async function runChild<T>(
    script: string,
    args: readonly string[],
    resultFile: string,
    options: { env?: NodeJS.ProcessEnv; nodeFlags?: readonly string[] } = {},
): Promise<{ wallMs: number; result: T }> {
    const finished = await run(
        process.execPath,
        [...(options.nodeFlags ?? []), ...LOADER_FLAGS, path.join(PROJECT_ROOT, script), ...args],
        { env: options.env },
    );
    if (finished.code !== 0) {
        throw new Error(`${script} exited with ${finished.code}:\n${finished.stderr}`);
    }
    return { wallMs: finished.wallMs, result: JSON.parse(readFileSync(resultFile, "utf8")) as T };
}
