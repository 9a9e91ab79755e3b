import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";

import type { RegisteredResource } from "../../tools/engine/runProgram";
import type { World } from "./world";

/** The project root: children run there, as Pulumi runs its plugins in the program directory. */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/**
 * Child processes for clients that must trust the stand-ins' test CA (NODE_EXTRA_CA_CERTS is read at start-up only)
 * and that run in a process of their own in real life (Pulumi's dynamic provider host). Always async: the stand-ins
 * live in the test process and must keep serving while the child runs. Every child is started with the loopback guard,
 * and a helper fails when the guard refused a connection, so a test cannot pass while a client reached for Azure.
 */

export const LOOPBACK_GUARD = path.join(PROJECT_ROOT, "tests", "support", "loopbackOnly.cjs");
const PROVIDER_HOST = path.join(PROJECT_ROOT, "tests", "support", "dynamicProviderHost.cjs");
const SERIALIZER = path.join(PROJECT_ROOT, "tests", "support", "serializeDynamicProvider.cjs");
/** The test suite's TypeScript loader (see typescript.cjs): compiles the project's .ts files only, cached on disk. */
const TYPESCRIPT = ["--require", path.join(PROJECT_ROOT, "tests", "support", "typescript.cjs")];
/**
 * A guard against a child that hangs, not a speed limit: far beyond what any child takes on a loaded machine, so
 * only a child that never ends trips it.
 */
const HANG_GUARD_MS = 10 * 60_000;

export interface ChildResult {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs `node <args>` in the project root and collects its output; rejects when it hangs (see HANG_GUARD_MS). */
export function runNode(
    args: readonly string[],
    options: { readonly env: NodeJS.ProcessEnv; readonly timeoutMs?: number },
): Promise<ChildResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env: options.env, stdio: "pipe" });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            reject(
                new Error(
                    `node ${args.join(" ")} did not finish in ${options.timeoutMs ?? HANG_GUARD_MS} ms\n${stderr}`,
                ),
            );
        }, options.timeoutMs ?? HANG_GUARD_MS);
        child.on("error", (error) => {
            clearTimeout(timer);
            reject(error);
        });
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr });
        });
    });
}

/**
 * The `__provider` text `pulumi up` would store for a dynamic resource (see serializeDynamicProvider.cjs), written to
 * `outFile`. Serializing needs no network; the child still runs under the guard.
 */
export async function serializeDynamicProvider(args: {
    readonly resourceFile: string;
    readonly className: string;
    readonly resourceArgs: Readonly<Record<string, unknown>>;
    readonly outFile: string;
    readonly env: NodeJS.ProcessEnv;
}): Promise<string> {
    // Under `npm run mutation` the text depends on Stryker's instrumentation and preload too, which the key does not
    // cover: serialize every time.
    const cacheable = (globalThis as { __stryker__?: unknown }).__stryker__ === undefined;
    const cached = path.join(SERIALIZED_CACHE, `${serializationKey(args)}.js`);
    if (cacheable && existsSync(cached)) {
        copyFileSync(cached, args.outFile);
        return readFileSync(args.outFile, "utf8");
    }
    const result = await runNode(
        [
            "--require",
            LOOPBACK_GUARD,
            SERIALIZER,
            args.resourceFile,
            args.className,
            JSON.stringify(args.resourceArgs),
            args.outFile,
        ],
        { env: args.env },
    );
    if (result.code !== 0) {
        throw new Error(`serializing the dynamic provider failed (exit ${result.code}):\n${result.stderr}`);
    }
    if (!cacheable) {
        return readFileSync(args.outFile, "utf8");
    }
    mkdirSync(SERIALIZED_CACHE, { recursive: true });
    // Written under a unique name, then renamed: two test processes may serialize at once.
    const partial = `${cached}.${process.pid}.tmp`;
    copyFileSync(args.outFile, partial);
    renameSync(partial, cached);
    return readFileSync(args.outFile, "utf8");
}

/**
 * Serialized providers, kept between runs: serializing takes a child process about 1.5 s of CPU (Pulumi's closure
 * serializer under ts-node), and its output depends only on what the key covers.
 */
const SERIALIZED_CACHE = path.join(PROJECT_ROOT, "node_modules", ".cache", "aks-openai-wi-serialized");

/**
 * Everything the serialized text is made from: the serializer, Pulumi's and ts-node's versions (the lockfile), the
 * program's source (every file under components/, which the provider's module and its imports are part of) and the
 * arguments. A change to any of them serializes again.
 */
function serializationKey(args: { resourceFile: string; className: string; resourceArgs: unknown }): string {
    const hash = createHash("sha256");
    for (const file of [SERIALIZER, path.join(PROJECT_ROOT, "package-lock.json"), ...sourceFiles("components")]) {
        hash.update(path.relative(PROJECT_ROOT, file)).update("\0").update(readFileSync(file)).update("\0");
    }
    hash.update(JSON.stringify([args.resourceFile, args.className, args.resourceArgs]));
    return hash.digest("hex");
}

function sourceFiles(dir: string): string[] {
    return readdirSync(path.join(PROJECT_ROOT, dir), { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => path.join(entry.parentPath, entry.name))
        .sort();
}

export interface ProviderCall {
    readonly method: "check" | "create" | "read" | "diff" | "update" | "delete";
    readonly args: readonly unknown[];
}

export type CallResult =
    | { readonly ok: true; readonly value: unknown }
    | { readonly ok: false; readonly error: { readonly name: string; readonly message: string } };

export interface ProviderRun {
    readonly results: readonly CallResult[];
    readonly stderr: string;
}

/** Where the provider comes from: its serialized text (what Pulumi runs) or its TypeScript module (compiled on load). */
export type ProviderSource =
    { readonly serializedFile: string } | { readonly module: { readonly path: string; readonly export: string } };

/**
 * Runs provider calls in one child process the way Pulumi's dynamic provider host does (dynamicProviderHost.cjs).
 * Fails when the loopback guard refused any connection: nothing may go to Azure, Entra ID or IMDS.
 */
export async function runDynamicProvider(args: {
    readonly source: ProviderSource;
    readonly calls: readonly ProviderCall[];
    readonly env: NodeJS.ProcessEnv;
    /** A scratch directory for the request and result files. */
    readonly dir: string;
}): Promise<ProviderRun> {
    const id = `${Date.now()}-${Math.random().toString(16).slice(2)}`;
    const requestFile = path.join(args.dir, `provider-request-${id}.json`);
    const resultFile = path.join(args.dir, `provider-result-${id}.json`);
    writeFileSync(requestFile, JSON.stringify({ ...args.source, calls: args.calls }));
    const loader = "module" in args.source ? TYPESCRIPT : [];
    const child = await runNode([...loader, "--require", LOOPBACK_GUARD, PROVIDER_HOST, requestFile, resultFile], {
        env: args.env,
    });
    if (child.code !== 0) {
        throw new Error(`the dynamic provider host failed (exit ${child.code}):\n${child.stderr}`);
    }
    const output = JSON.parse(readFileSync(resultFile, "utf8")) as {
        results: CallResult[];
        blockedConnections: string[] | null;
    };
    assertOnlyLoopback(output.blockedConnections, child.stderr);
    return { results: output.results, stderr: child.stderr };
}

/** Fails when a child tried to reach anything but 127.0.0.1 (or ran without the guard). */
export function assertOnlyLoopback(blocked: readonly string[] | null, stderr: string): void {
    if (blocked === null) {
        throw new Error("the child process ran without the loopback guard");
    }
    if (blocked.length > 0) {
        throw new Error(
            `the child process tried to reach ${blocked.join(", ")}; tests may reach 127.0.0.1 only.\n${stderr}`,
        );
    }
}

let sequence = 0;

/** Writes `request` to a file, runs `node [loader] --require guard <script> <request> <result>`, reads the result. */
async function runScript<T extends { readonly blockedConnections: readonly string[] | null }>(args: {
    readonly script: string;
    /** Whether the script is TypeScript (loaded through typescript.cjs) or plain CommonJS. */
    readonly loader: "none" | "typescript";
    readonly request: unknown;
    readonly env: NodeJS.ProcessEnv;
    readonly dir: string;
}): Promise<T & { readonly stderr: string }> {
    const id = `${process.pid}-${++sequence}`;
    const requestFile = path.join(args.dir, `request-${id}.json`);
    const resultFile = path.join(args.dir, `result-${id}.json`);
    writeFileSync(requestFile, JSON.stringify(args.request));
    const loader = args.loader === "typescript" ? TYPESCRIPT : [];
    const child = await runNode([...loader, "--require", LOOPBACK_GUARD, args.script, requestFile, resultFile], {
        env: args.env,
    });
    if (child.code !== 0) {
        throw new Error(`${path.basename(args.script)} failed (exit ${child.code}):\n${child.stderr}`);
    }
    return { ...(JSON.parse(readFileSync(resultFile, "utf8")) as T), stderr: child.stderr };
}

export type TokenResult = (
    | { readonly ok: true; readonly token: string; readonly expiresOnTimestamp: number }
    | { readonly ok: false; readonly error: { readonly name: string; readonly message: string } }
) & { readonly blockedConnections: readonly string[] | null };

export interface TokenRequest {
    readonly credential:
        | "ClientSecretCredential"
        | "ClientAssertionCredential"
        | "WorkloadIdentityCredential"
        | "EnvironmentCredential"
        | "DefaultAzureCredential";
    readonly scope: string;
    readonly options?: Readonly<Record<string, unknown>>;
    /** For ClientAssertionCredential: the assertion it presents. */
    readonly assertion?: string;
}

/**
 * Asks a real @azure/identity credential for a token in a child process (getToken.cjs). Does NOT fail on refused
 * connections: the caller asserts on `blockedConnections` (see `assertOnlyLoopback`).
 */
export function getTokenInChild(args: {
    readonly request: TokenRequest;
    readonly env: NodeJS.ProcessEnv;
    readonly dir: string;
}): Promise<TokenResult & { readonly stderr: string }> {
    return runScript<TokenResult>({
        script: path.join(PROJECT_ROOT, "tests", "support", "getToken.cjs"),
        loader: "none",
        request: args.request,
        env: args.env,
        dir: args.dir,
    });
}

export type FunctionResult = CallResult & { readonly blockedConnections: readonly string[] | null };

/** Calls an exported async function of a project module in a child process; fails on refused connections. */
export async function callFunctionInChild(args: {
    readonly module: string;
    readonly export: string;
    readonly args: readonly unknown[];
    readonly env: NodeJS.ProcessEnv;
    readonly dir: string;
}): Promise<CallResult> {
    const result = await runScript<FunctionResult>({
        script: path.join(PROJECT_ROOT, "tests", "support", "callFunction.ts"),
        loader: "typescript",
        request: { module: args.module, export: args.export, args: args.args },
        env: args.env,
        dir: args.dir,
    });
    assertOnlyLoopback(result.blockedConnections, result.stderr);
    return result.ok ? { ok: true, value: result.value } : { ok: false, error: result.error };
}

export interface ProgramRequest {
    /**
     * Config as `pulumi` hands it over: fully qualified keys to values. With `stackConfig`, these values are laid over
     * that stack's config (Pulumi.yaml defaults + Pulumi.<stack>.yaml), object values key by key, in the child: the
     * test process then need not load @pulumi/pulumi (seconds) just to read YAML.
     */
    readonly config: Readonly<Record<string, unknown>>;
    readonly stackConfig?: string;
    readonly world: World;
    /** What the mocked `getClientToken` returns: a token the Entra stand-in minted for the ARM stand-in. */
    readonly armToken: string;
    readonly stack?: string;
    readonly preview?: boolean;
}

export type ProgramResult = (
    { readonly ok: true; readonly outputs: Record<string, unknown> } | { readonly ok: false; readonly message: string }
) & {
    /** Everything registered (before the failure, when it failed). */
    readonly resources: readonly RegisteredResource[];
    /** The invokes the program made, in order. */
    readonly calls: readonly { readonly token: string; readonly inputs: Record<string, unknown> }[];
    readonly blockedConnections: readonly string[] | null;
};

/** Runs the program under the mocks in a child process (programInChild.ts); fails on refused connections. */
export async function runProgramInChild(args: {
    readonly request: ProgramRequest;
    readonly env: NodeJS.ProcessEnv;
    readonly dir: string;
}): Promise<ProgramResult> {
    const result = await runScript<ProgramResult>({
        script: path.join(PROJECT_ROOT, "tests", "support", "programInChild.ts"),
        loader: "typescript",
        request: args.request,
        env: args.env,
        dir: args.dir,
    });
    assertOnlyLoopback(result.blockedConnections, result.stderr);
    return result;
}

export interface CredentialRunRequest {
    readonly signIn: "project" | "assertion-fetched-at-start";
    /** A credential per step (the dynamic provider's operations) or one for the run (verify). */
    readonly credential: "per-step" | "shared";
    /** One scope per step. */
    readonly scopes: readonly string[];
}

export type CredentialRunStep =
    { readonly ok: true } | { readonly ok: false; readonly error: { readonly name: string; readonly message: string } };

/** Runs a sequence of sign-ins in a child process (credentialRun.ts); fails on refused connections. */
export async function runCredentialSteps(args: {
    readonly request: CredentialRunRequest;
    readonly env: NodeJS.ProcessEnv;
    readonly dir: string;
}): Promise<readonly CredentialRunStep[]> {
    const result = await runScript<{ steps: CredentialRunStep[]; blockedConnections: string[] | null }>({
        script: path.join(PROJECT_ROOT, "tests", "support", "credentialRun.ts"),
        loader: "typescript",
        request: args.request,
        env: args.env,
        dir: args.dir,
    });
    assertOnlyLoopback(result.blockedConnections, result.stderr);
    return result.steps;
}
