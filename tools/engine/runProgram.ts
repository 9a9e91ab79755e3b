import { readFileSync } from "node:fs";
import * as path from "node:path";

import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";

/**
 * Runs the real program (index.ts) under Pulumi's mock engine, as `pulumi preview` or `pulumi up` would run it: stack
 * config merged with Pulumi.yaml defaults, the program's exported function run inside a Pulumi stack, every
 * registration recorded with the options the engine would receive (dependsOn, deleteBeforeReplace, retainOnDelete,
 * import ids...). Used by the tests, `npm run plan` and the benchmarks; the caller brings the mocks.
 */

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
export const PROJECT_NAME = "aks-openai-wi";

/** Marks a value that is unknown at this point of a preview. */
export const UNKNOWN = "<unknown>";

export interface RegisteredResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    /** URN of the parent resource ('' for the stack's direct children). */
    readonly parent: string;
    /** Inputs as the engine receives them; unknowns are UNKNOWN, secrets unwrapped. */
    readonly inputs: Record<string, unknown>;
    /** What the mocked provider returned. */
    readonly state: Record<string, unknown>;
    readonly id: string | undefined;
    /** Import id (the `import` resource option), '' when not importing. */
    readonly importId: string;
    /** URNs of all dependencies (dependsOn and those implied by inputs). */
    readonly dependencies: readonly string[];
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    readonly provider: string;
    readonly deleteBeforeReplace: boolean;
    readonly retainOnDelete: boolean;
    readonly protect: boolean;
    readonly ignoreChanges: readonly string[];
    /** The `aliases` option: an alias URN as given, or the name of an alias spec (`{ name }`). */
    readonly aliases: readonly string[];
}

export interface ProgramRun<M extends pulumi.runtime.Mocks = pulumi.runtime.Mocks> {
    /** Stack outputs, resolved; unknown values are UNKNOWN. */
    readonly outputs: Record<string, unknown>;
    /** The Outputs the program returned, for checks such as secretness. */
    readonly raw: Record<string, pulumi.Output<unknown>>;
    readonly resources: readonly RegisteredResource[];
    readonly mocks: M;
}

export interface RunOptions<M extends pulumi.runtime.Mocks> {
    /** The mocked providers and engine. */
    readonly mocks: M;
    /** Fully qualified config keys (`aks-openai-wi:cluster`) to values; objects are passed as objects. */
    readonly config: Readonly<Record<string, unknown>>;
    readonly stack?: string;
    /** Run as `pulumi preview` (true) or `pulumi up` (false, the default). */
    readonly preview?: boolean;
    /** Another Pulumi program to run instead of this project's index.ts, e.g. examples/consumer (default: this one). */
    readonly program?: ProgramEntry;
}

/** A Pulumi TypeScript program: its entry module (exporting its function as `export =`) and its project name. */
export interface ProgramEntry {
    /** Absolute path of the entry module, without extension. */
    readonly entry: string;
    /** The `name` in its Pulumi.yaml: the config namespace and the project part of its URNs. */
    readonly project: string;
}

/** Thrown when the program fails; carries what was registered before it failed. */
export class ProgramFailed extends Error {
    constructor(
        readonly cause: unknown,
        readonly resources: readonly RegisteredResource[],
    ) {
        super(cause instanceof Error ? cause.message : String(cause));
    }
}

/**
 * The config `pulumi` would hand the program for `stack`: Pulumi.yaml defaults under Pulumi.<stack>.yaml, for this
 * project or the one in `projectDir`. The stack file is read from `stackDir` (default: the project's directory), so a
 * stack file under review can live elsewhere (`npm run plan -- --stack-dir`).
 */
export function stackConfig(
    stack: string,
    projectDir: string = PROJECT_ROOT,
    stackDir: string = projectDir,
): Record<string, unknown> {
    const project = readYaml(path.join(projectDir, "Pulumi.yaml")) as {
        name: string;
        config?: Record<string, { default?: unknown }>;
    };
    // An empty stack file parses to null: no config.
    const stackFile = (readYaml(path.join(stackDir, `Pulumi.${stack}.yaml`)) ?? {}) as {
        config?: Record<string, unknown>;
    };
    const config: Record<string, unknown> = {};
    for (const [key, declaration] of Object.entries(project.config ?? {})) {
        if (declaration && typeof declaration === "object" && "default" in declaration) {
            config[key.includes(":") ? key : `${project.name}:${key}`] = declaration.default;
        }
    }
    return { ...config, ...(stackFile.config ?? {}) };
}

/** A YAML file's content; a syntax error names the file, then the parser's line, column and excerpt. */
export function readYaml(file: string): unknown {
    const text = readFileSync(file, "utf8");
    try {
        return parse(text) as unknown;
    } catch (error) {
        throw new Error(
            `${file} is not valid YAML: ${error instanceof Error ? error.message : String(error)}\n` +
                `Fix: correct the file at that line (indentation, a missing ':' or an unclosed quote), then run again`,
        );
    }
}

export async function runProgram<M extends pulumi.runtime.Mocks>(options: RunOptions<M>): Promise<ProgramRun<M>> {
    const stack = options.stack ?? "test";
    const preview = options.preview ?? false;
    const mocks = options.mocks;

    pulumi.runtime.setAllConfig(
        Object.fromEntries(
            Object.entries(options.config).map(([key, value]) => [
                key,
                typeof value === "string" ? value : JSON.stringify(value),
            ]),
        ),
    );
    await pulumi.runtime.setMocks(mocks, options.program?.project ?? PROJECT_NAME, stack, preview);
    const resources = recordRegistrations();

    const program = (
        (await (options.program ? import(options.program.entry) : import("../../index"))) as unknown as {
            default: () => Promise<Record<string, pulumi.Output<unknown>>>;
        }
    ).default;
    let raw: Record<string, pulumi.Output<unknown>> = {};
    const rejections = collectUnhandledRejections();
    try {
        await pulumi.runtime.runInPulumiStack(async () => {
            raw = await program();
            return raw;
        });
        await pulumi.runtime.disconnect();
    } catch (error) {
        await pulumi.runtime.disconnect().catch(() => undefined);
        throw new ProgramFailed(error, resources);
    } finally {
        await rejections.stop();
    }
    if (rejections.errors.length > 0) {
        throw new ProgramFailed(rejections.errors[0], resources);
    }
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
        outputs[key] = await valueOf(value);
    }
    return { outputs, raw, resources, mocks };
}

/**
 * Like Pulumi's Node.js language host, treat a promise rejected with nobody listening (e.g. the other outputs of a
 * resource whose read failed) as a failure of the program, not of whoever runs it next. The host's own listener
 * replaces any other for the duration of the run.
 */
function collectUnhandledRejections(): { errors: unknown[]; stop(): Promise<void> } {
    const errors: unknown[] = [];
    const previous = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    const collect = (reason: unknown) => errors.push(reason);
    process.on("unhandledRejection", collect);
    return {
        errors,
        async stop() {
            // Rejections are reported after the microtask queue drains: let them arrive before restoring listeners.
            await new Promise((resolve) => setImmediate(resolve));
            await new Promise((resolve) => setImmediate(resolve));
            process.off("unhandledRejection", collect);
            for (const listener of previous) {
                process.on("unhandledRejection", listener);
            }
        },
    };
}

/** Resolves an Output (or a structure of them) to a plain value, with UNKNOWN where preview does not know it. */
export async function valueOf(value: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
        // `isKnown` and `promise` are internal to @pulumi/pulumi, but they are what tells "unknown in preview" apart.
        const output = value as unknown as {
            isKnown: Promise<boolean>;
            promise(withUnknowns: boolean): Promise<unknown>;
        };
        if (!(await output.isKnown)) {
            return UNKNOWN;
        }
        // `promise(true)` keeps nested unknowns instead of hanging on them (applies on unknowns never run).
        const inner = await output.promise(true);
        return valueOf(inner);
    }
    if (pulumi.isUnknown(value)) {
        return UNKNOWN;
    }
    if (Array.isArray(value)) {
        return Promise.all(value.map(valueOf));
    }
    if (value !== null && typeof value === "object") {
        const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await valueOf(v)] as const));
        return Object.fromEntries(entries);
    }
    return value;
}

/** Wraps the mock monitor so each registration is recorded with the options the engine would see. */
function recordRegistrations(): RegisteredResource[] {
    const recorded: RegisteredResource[] = [];
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const monitor = pulumi.runtime.getMonitor() as any;
    const wrap = (method: "registerResource" | "readResource") => {
        const original = monitor[method].bind(monitor);
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        monitor[method] = (req: any, callback: (err: unknown, response: unknown) => void) =>
            original(req, (err: unknown, response: unknown) => {
                if (!err) {
                    const urn: string = monitor.newUrn(req.getParent(), req.getType(), req.getName());
                    const stored = monitor.resources.get(urn);
                    const isRegister = method === "registerResource";
                    const propertyDependencies: Record<string, string[]> = {};
                    if (isRegister) {
                        // eslint-disable-next-line @typescript-eslint/no-explicit-any
                        req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
                            propertyDependencies[key] = deps.getUrnsList();
                        });
                    }
                    recorded.push({
                        urn,
                        type: req.getType(),
                        name: req.getName(),
                        custom: isRegister ? req.getCustom() : true,
                        parent: req.getParent(),
                        inputs: normalize(
                            pulumi.runtime.deserializeProperties(
                                isRegister ? req.getObject() : req.getProperties(),
                                true,
                            ),
                        ) as Record<string, unknown>,
                        // The monitor keeps state serialized: unknown sentinels and secret envelopes, as plain JSON.
                        state: normalize(stored?.state ?? {}) as Record<string, unknown>,
                        id: stored?.id ?? undefined,
                        importId: isRegister ? req.getImportid() : req.getId(),
                        dependencies: isRegister ? req.getDependenciesList() : [],
                        propertyDependencies,
                        provider: req.getProvider(),
                        deleteBeforeReplace: isRegister ? req.getDeletebeforereplace() : false,
                        retainOnDelete: isRegister ? Boolean(req.getRetainondelete()) : false,
                        protect: isRegister ? Boolean(req.getProtect()) : false,
                        ignoreChanges: isRegister ? req.getIgnorechangesList() : [],
                        aliases: isRegister ? aliasesOf(req) : [],
                    });
                }
                callback(err, response);
            });
    };
    wrap("registerResource");
    wrap("readResource");
    return recorded;
}

/** The aliases of a registration, whether the SDK sent them as URNs or as specs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function aliasesOf(req: any): string[] {
    return [
        ...req.getAliasurnsList(),
        ...req
            .getAliasesList()
            // eslint-disable-next-line @typescript-eslint/no-explicit-any
            .map((alias: any) => alias.getUrn() || alias.getSpec()?.getName() || "")
            .filter((alias: string) => alias !== ""),
    ];
}

/** Replaces unknown markers with UNKNOWN and unwraps secrets, recursively. */
function normalize(value: unknown): unknown {
    if (pulumi.isUnknown(value) || value === pulumi.runtime.unknownValue) {
        return UNKNOWN;
    }
    if (Array.isArray(value)) {
        return value.map(normalize);
    }
    if (value !== null && typeof value === "object") {
        const object = value as Record<string, unknown>;
        if (object[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) {
            return normalize(object.value);
        }
        return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, normalize(v)]));
    }
    return value;
}
