import { execFile, spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

import { engineMarshalled } from "../../tools/engine/policyHarness";
import { PROJECT_ROOT, type RegisteredResource } from "./program";

/**
 * A stand-in for the Pulumi engine's side of a policy pack, for the one thing the CLI is needed for: loading the pack.
 * It starts the pack the way the CLI's `pulumi-analyzer-policy` shim does (resolve `@pulumi/pulumi/cmd/run-policy-pack`
 * from the pack's folder with node, run it with `<engine-address> .` in that folder, read the port it prints), then
 * speaks the Analyzer gRPC protocol to it with @pulumi/pulumi's own generated stubs.
 */

export const PACK_DIR = path.join(PROJECT_ROOT, "policy");

// The generated stubs and the protobuf runtime must be the very modules @pulumi/pulumi uses.
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi/proto/analyzer_pb"));
const grpc = fromPulumi("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
const analyzerPb = fromPulumi("./analyzer_pb") as Record<string, new () => Message>;
const analyzerGrpc = fromPulumi("./analyzer_grpc_pb") as {
    AnalyzerClient: new (address: string, credentials: unknown) => Client;
};
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb") as {
    Struct: { fromJavaScript(value: Record<string, unknown>): unknown };
};
const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb") as { Empty: new () => unknown };

/** Setters and getters of the generated messages are called by name. */
type Message = Record<string, (...args: unknown[]) => unknown>;
type Call = (request: unknown, callback: (error: Error | null, response: Message) => void) => void;
interface Client {
    getAnalyzerInfo: Call;
    analyze: Call;
    analyzeStack: Call;
    close(): void;
}

export interface Diagnostic {
    readonly policyName: string;
    readonly enforcementLevel: "advisory" | "mandatory" | "disabled" | "remediate";
    readonly message: string;
    readonly urn: string;
}

export interface AnalyzerInfo {
    readonly name: string;
    readonly version: string;
    readonly policies: readonly { name: string; enforcementLevel: string; description: string }[];
}

const LEVELS = ["advisory", "mandatory", "disabled", "remediate"] as const;

export class RunningPack {
    /** Removes what `startFromCopy` made, once the pack has stopped. */
    private cleanup: () => void = () => undefined;

    private constructor(
        private readonly child: ChildProcess,
        private readonly client: Client,
    ) {}

    /**
     * Starts a copy of policy/ alone, with only node_modules beside it, as `pulumi policy publish` ships the folder
     * and the service installs the packages it declares: a pack that reaches outside its folder fails to load here.
     * `stop()` removes the copy.
     */
    static async startFromCopy(): Promise<RunningPack> {
        const home = mkdtempSync(path.join(tmpdir(), "policy-pack-"));
        const packDir = path.join(home, "pack");
        cpSync(PACK_DIR, packDir, { recursive: true });
        // Stands in for `npm install` of the declared packages where a published pack is enforced.
        symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(home, "node_modules"), "dir");
        try {
            const pack = await RunningPack.start(packDir);
            pack.cleanup = () => rmSync(home, { recursive: true, force: true });
            return pack;
        } catch (error) {
            rmSync(home, { recursive: true, force: true });
            throw error;
        }
    }

    /** Starts the pack in `packDir` (default: policy/) as the CLI would, and connects to it. */
    static async start(packDir: string = PACK_DIR): Promise<RunningPack> {
        const { stdout } = await promisify(execFile)(
            process.execPath,
            [
                "-e",
                "try { console.log(require.resolve('@pulumi/pulumi/cmd/run-policy-pack')) } catch (e) { console.error(e.message) }",
            ],
            { cwd: packDir },
        );
        const runner = stdout.trim();
        if (runner === "") {
            throw new Error("@pulumi/pulumi/cmd/run-policy-pack does not resolve from the pack's folder");
        }
        // The engine address is only used for logging, which these policies never do; nothing listens there.
        const child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], {
            cwd: packDir,
            stdio: ["ignore", "pipe", "pipe"],
        });
        const port = await firstLine(child);
        const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        return new RunningPack(child, client);
    }

    async info(): Promise<AnalyzerInfo> {
        const response = await call(this.client.getAnalyzerInfo.bind(this.client), new Empty());
        return {
            name: response.getName() as string,
            version: response.getVersion() as string,
            policies: (response.getPoliciesList() as Message[]).map((policy) => ({
                name: policy.getName() as string,
                enforcementLevel: LEVELS[policy.getEnforcementlevel() as number],
                description: policy.getDescription() as string,
            })),
        };
    }

    /** The engine's Analyze call for one resource's inputs. */
    async analyze(resource: RegisteredResource): Promise<Diagnostic[]> {
        const request = new analyzerPb.AnalyzeRequest();
        request.setUrn(resource.urn);
        request.setType(resource.type);
        request.setName(resource.name);
        request.setProperties(Struct.fromJavaScript(engineMarshalled(resource.inputs)));
        request.setOptions(optionsOf(resource));
        return diagnosticsOf(await call(this.client.analyze.bind(this.client), request));
    }

    /** The engine's AnalyzeStack call with every resource's outputs. */
    async analyzeStack(resources: readonly RegisteredResource[]): Promise<Diagnostic[]> {
        const request = new analyzerPb.AnalyzeStackRequest();
        request.setResourcesList(
            resources.map((resource) => {
                const message = new analyzerPb.AnalyzerResource();
                message.setUrn(resource.urn);
                message.setType(resource.type);
                message.setName(resource.name);
                message.setProperties(Struct.fromJavaScript(engineMarshalled(resource.state)));
                message.setOptions(optionsOf(resource));
                message.setParent(resource.parent);
                message.setDependenciesList([...resource.dependencies]);
                const dependencies = message.getPropertydependenciesMap() as unknown as {
                    set(key: string, value: unknown): void;
                };
                for (const [property, urns] of Object.entries(resource.propertyDependencies)) {
                    const list = new analyzerPb.AnalyzerPropertyDependencies();
                    list.setUrnsList([...urns]);
                    dependencies.set(property, list);
                }
                return message;
            }),
        );
        return diagnosticsOf(await call(this.client.analyzeStack.bind(this.client), request));
    }

    /** Closes the connection and stops the pack (only the process this class started). */
    async stop(): Promise<void> {
        this.client.close();
        const exited = new Promise((resolve) => this.child.once("exit", resolve));
        this.child.kill();
        await exited;
        this.cleanup();
    }
}

function optionsOf(resource: RegisteredResource): Message {
    const options = new analyzerPb.AnalyzerResourceOptions();
    options.setProtect(resource.protect);
    options.setIgnorechangesList([...resource.ignoreChanges]);
    options.setDeletebeforereplace(resource.deleteBeforeReplace);
    options.setDeletebeforereplacedefined(resource.deleteBeforeReplace);
    return options;
}

function diagnosticsOf(response: Message): Diagnostic[] {
    return (response.getDiagnosticsList() as Message[]).map((diagnostic) => ({
        policyName: diagnostic.getPolicyname() as string,
        enforcementLevel: LEVELS[diagnostic.getEnforcementlevel() as number],
        message: diagnostic.getMessage() as string,
        urn: diagnostic.getUrn() as string,
    }));
}

function call(method: Call, request: unknown): Promise<Message> {
    return new Promise((resolve, reject) =>
        method(request, (error, response) => (error ? reject(error) : resolve(response))),
    );
}

/** The port the pack prints on its first stdout line; its stderr in the error if it exits first. */
function firstLine(child: ChildProcess): Promise<string> {
    return new Promise((resolve, reject) => {
        let stdout = "";
        let stderr = "";
        child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.stdout?.on("data", (chunk: Buffer) => {
            stdout += chunk.toString();
            const newline = stdout.indexOf("\n");
            if (newline >= 0) {
                resolve(stdout.slice(0, newline).trim());
            }
        });
        child.once("exit", (code) => reject(new Error(`the policy pack exited (${code}) before serving:\n${stderr}`)));
    });
}
