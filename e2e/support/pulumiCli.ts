import { spawn } from "node:child_process";
import { cpSync, mkdirSync, symlinkSync } from "node:fs";
import * as path from "node:path";

/** The repository root: the program under test, its node_modules, the policy pack. */
export const REPO_ROOT = path.resolve(__dirname, "../..");

/**
 * The real Pulumi CLI (built from pinned sources by e2e/toolchain/build.sh) on a local file backend in the run's
 * directory, with the passphrase secrets provider: exactly what a user runs, with nothing that reaches the Pulumi
 * service, GitHub or a plugin download. Plugins come from PATH: the toolchain's (language host, pulumi-kubernetes,
 * the dynamic-provider script) and the azure-native stand-in.
 */
export interface PulumiCliOptions {
    readonly toolchainBin: string;
    readonly runDir: string;
    /** Environment of the engine and every plugin and program it starts (stand-in endpoints, CA, credentials). */
    readonly env: Readonly<Record<string, string>>;
}

export interface CommandResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    /** The command line, for messages. */
    readonly command: string;
}

export class PulumiCli {
    readonly env: NodeJS.ProcessEnv;
    readonly backendDir: string;

    constructor(private readonly options: PulumiCliOptions) {
        this.backendDir = path.join(options.runDir, "pulumi-state");
        const home = path.join(options.runDir, "pulumi-home");
        const tmp = path.join(options.runDir, "tmp");
        mkdirSync(this.backendDir, { recursive: true });
        mkdirSync(home, { recursive: true });
        mkdirSync(tmp, { recursive: true });
        this.env = {
            HOME: process.env.HOME,
            PATH: [
                options.toolchainBin,
                path.join(REPO_ROOT, "e2e/azure-native/bin"),
                path.dirname(process.execPath),
                "/usr/local/bin",
                "/usr/bin",
                "/bin",
            ].join(":"),
            PULUMI_HOME: home,
            // pulumi-kubernetes writes each kubeconfig it is given to a temporary file and leaves it there: inside the
            // run's directory, the run's teardown removes them (in /tmp, 200 of them had piled up, credentials included).
            TMPDIR: tmp,
            PULUMI_BACKEND_URL: `file://${this.backendDir}`,
            PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_CONFIRMATIONS: "true",
            // Every Node.js process the engine starts (program, dynamic provider, policy pack, azure-native stand-in)
            // refuses connections beyond loopback, on top of the network namespace the run is in.
            NODE_OPTIONS: `--require ${path.join(REPO_ROOT, "tests/support/loopbackOnly.cjs")}`,
            ...options.env,
        };
    }

    /**
     * Copies a Pulumi project (the given files and folders of the repository) into the run's directory, with
     * node_modules linked to the repository's, so `pulumi stack init` and its stack file never touch the work tree.
     */
    stageProject(name: string, sources: readonly string[], from = REPO_ROOT): string {
        const dir = path.join(this.options.runDir, "projects", name);
        mkdirSync(dir, { recursive: true });
        for (const source of sources) {
            cpSync(path.join(from, source), path.join(dir, path.basename(source)), { recursive: true });
        }
        symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
        return dir;
    }

    /** Runs `pulumi <args>` in `cwd`; never throws for a non-zero exit (the scenario asserts on it). */
    run(cwd: string, args: readonly string[], extraEnv: Readonly<Record<string, string>> = {}): Promise<CommandResult> {
        const command = `pulumi ${args.join(" ")}`;
        return new Promise((resolve, reject) => {
            const child = spawn(path.join(this.options.toolchainBin, "pulumi"), [...args, "--non-interactive"], {
                cwd,
                env: { ...this.env, ...extraEnv },
                stdio: ["ignore", "pipe", "pipe"],
            });
            let stdout = "";
            let stderr = "";
            child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
            child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
            child.once("error", reject);
            child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr, command }));
        });
    }

    /** Runs and fails the scenario with the command's whole output when it exits non-zero. */
    async ok(
        cwd: string,
        args: readonly string[],
        extraEnv: Readonly<Record<string, string>> = {},
    ): Promise<CommandResult> {
        const result = await this.run(cwd, args, extraEnv);
        if (result.code !== 0) {
            throw new Error(
                `${result.command} exited ${result.code}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`,
            );
        }
        return result;
    }

    async outputs(cwd: string, stack: string): Promise<Record<string, any>> {
        const result = await this.ok(cwd, ["stack", "output", "--json", "--show-secrets", "--stack", stack]);
        return JSON.parse(result.stdout) as Record<string, any>;
    }

    async exportState(cwd: string, stack: string): Promise<{ deployment: { resources: any[] } }> {
        const result = await this.ok(cwd, ["stack", "export", "--show-secrets", "--stack", stack]);
        return JSON.parse(result.stdout) as { deployment: { resources: any[] } };
    }
}

/** `pulumi stack init` + the repository's stack file for it, so the stack's configuration is the one users run. */
export async function initStack(cli: PulumiCli, projectDir: string, stack: string): Promise<void> {
    await cli.ok(projectDir, ["stack", "init", stack, "--secrets-provider", "passphrase"]);
}
