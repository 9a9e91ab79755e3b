import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";

import { startHttpsServer, type RunningServer, type TestTls } from "./tls";

/**
 * A local stand-in for the Kubernetes API server on 127.0.0.1, serving the few endpoints `npm run verify` uses, in
 * the API's JSON shapes: list pods with a label selector, read a ConfigMap or Secret, and POST through a Service's
 * proxy. Requests must carry the bearer token of the kubeconfig it hands out, else 401 as the API server answers.
 * Every request is recorded; state is plain data a test seeds.
 */

export type JsonObject = Record<string, unknown>;

export interface KubeRequestRecord {
    readonly method: string;
    readonly path: string;
    readonly query: Readonly<Record<string, string>>;
    readonly body: string;
    readonly status: number;
}

export interface ProxyAnswer {
    readonly status: number;
    readonly body: string;
}

export interface KubeState {
    /** Pods by namespace, as the API returns them (metadata, spec, status). */
    readonly pods: Record<string, JsonObject[]>;
    /** ConfigMaps by `<namespace>/<name>`. */
    readonly configMaps: Record<string, JsonObject>;
    /** Secrets by `<namespace>/<name>`. */
    readonly secrets: Record<string, JsonObject>;
    /** Secrets the caller may not read (403), by `<namespace>/<name>`. */
    readonly forbiddenSecrets?: readonly string[];
    /** Answers for POSTs through `services/<name>:<port>/proxy/<path>`, by `<namespace>/<name>:<port>`. */
    readonly proxy?: Record<string, (path: string, body: string) => ProxyAnswer>;
    /** NetworkPolicies by namespace, as the API returns them. */
    readonly networkPolicies?: Record<string, JsonObject[]>;
    /**
     * What a pod created through the API does (there is no kubelet here: this plays it): how many reads it stays
     * Pending, then its final phase and its container's log. Absent: pod creation is refused (403).
     */
    readonly runPod?: (pod: JsonObject) => {
        readonly pendingReads: number;
        readonly phase: string;
        readonly log: string;
    };
}

/** A pod created through the stand-in, and what became of it. */
export interface CreatedPod {
    readonly namespace: string;
    readonly name: string;
    readonly manifest: JsonObject;
    reads: number;
    deleted: boolean;
    readonly outcome: { readonly pendingReads: number; readonly phase: string; readonly log: string };
}

const TOKEN = "verify-test-token";

export class KubeStandin {
    readonly requests: KubeRequestRecord[] = [];
    readonly createdPods: CreatedPod[] = [];

    private constructor(
        private readonly server: RunningServer,
        private readonly tls: TestTls,
        readonly state: KubeState,
    ) {}

    static async start(tls: TestTls, state: KubeState): Promise<KubeStandin> {
        // The handler needs the instance, and the instance needs the running server.
        const holder: { standin?: KubeStandin } = {};
        const server = await startHttpsServer(tls, (request, response) => {
            void holder.standin!.handle(request, response);
        });
        holder.standin = new KubeStandin(server, tls, state);
        return holder.standin;
    }

    /** `https://127.0.0.1:<port>/`. */
    get url(): string {
        return this.server.url;
    }

    close(): Promise<void> {
        return this.server.close();
    }

    /** A kubeconfig for this API server: its CA inline, and the bearer token it accepts. */
    kubeconfig(token = TOKEN): string {
        const ca = Buffer.from(this.tlsCa()).toString("base64");
        return [
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "  - name: standin",
            "    cluster:",
            `      server: ${this.url.replace(/\/$/, "")}`,
            `      certificate-authority-data: ${ca}`,
            "contexts:",
            "  - name: standin",
            "    context:",
            "      cluster: standin",
            "      user: operator",
            "current-context: standin",
            "users:",
            "  - name: operator",
            "    user:",
            `      token: ${token}`,
            "",
        ].join("\n");
    }

    /** The test CA that signed the server certificate: clients trust it, as they trust a cluster's CA. */
    private tlsCa(): string {
        return readFileSync(this.tls.caPath, "utf8");
    }

    private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
        const body = await new Promise<string>((resolve) => {
            let text = "";
            request.setEncoding("utf8");
            request.on("data", (chunk: string) => (text += chunk));
            request.on("end", () => resolve(text));
        });
        const url = new URL(request.url ?? "/", "https://127.0.0.1");
        const query = Object.fromEntries(url.searchParams.entries());
        const reply = (status: number, json: unknown, contentType = "application/json") => {
            this.requests.push({ method: request.method ?? "", path: url.pathname, query, body, status });
            response.writeHead(status, { "content-type": contentType });
            response.end(typeof json === "string" ? json : JSON.stringify(json));
        };

        if (request.headers.authorization !== `Bearer ${TOKEN}`) {
            reply(401, status(401, "Unauthorized", "Unauthorized"));
            return;
        }
        const method = request.method ?? "GET";
        const path = url.pathname;
        let match: RegExpExecArray | null;

        if (method === "GET" && (match = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(path))) {
            const selector = parseSelector(query.labelSelector ?? "");
            const items = (this.state.pods[match[1]] ?? []).filter((pod) =>
                matchesSelector(
                    ((pod.metadata as JsonObject | undefined)?.labels ?? {}) as Record<string, string>,
                    selector,
                ),
            );
            reply(200, { kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: "1" }, items });
            return;
        }
        if (
            method === "GET" &&
            (match = /^\/api\/v1\/namespaces\/([^/]+)\/(configmaps|secrets)\/([^/]+)$/.exec(path))
        ) {
            const [, namespace, plural, name] = match;
            const key = `${namespace}/${name}`;
            const kind = plural === "secrets" ? "secrets" : "configmaps";
            if (kind === "secrets" && this.state.forbiddenSecrets?.includes(key)) {
                reply(
                    403,
                    status(
                        403,
                        "Forbidden",
                        `secrets "${name}" is forbidden: User "operator" cannot get resource "secrets" in API group "" in the namespace "${namespace}"`,
                    ),
                );
                return;
            }
            const object = kind === "secrets" ? this.state.secrets[key] : this.state.configMaps[key];
            if (object === undefined) {
                reply(404, status(404, "NotFound", `${kind} "${name}" not found`));
                return;
            }
            reply(200, object);
            return;
        }
        if (
            method === "POST" &&
            (match = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/:]+):(\d+)\/proxy\/(.*)$/.exec(path))
        ) {
            const [, namespace, service, port, rest] = match;
            const answer = this.state.proxy?.[`${namespace}/${service}:${port}`];
            if (answer === undefined) {
                reply(503, status(503, "ServiceUnavailable", `no endpoints available for service "${service}"`));
                return;
            }
            const { status: code, body: text } = answer(rest, body);
            reply(code, text);
            return;
        }
        if (
            method === "GET" &&
            (match = /^\/apis\/networking\.k8s\.io\/v1\/namespaces\/([^/]+)\/networkpolicies$/.exec(path))
        ) {
            const items = this.state.networkPolicies?.[match[1]] ?? [];
            reply(200, { kind: "NetworkPolicyList", apiVersion: "networking.k8s.io/v1", metadata: {}, items });
            return;
        }
        if (method === "POST" && (match = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(path))) {
            if (this.state.runPod === undefined) {
                reply(
                    403,
                    status(
                        403,
                        "Forbidden",
                        `pods is forbidden: User "operator" cannot create resource "pods" in API group "" in the namespace "${match[1]}"`,
                    ),
                );
                return;
            }
            const manifest = JSON.parse(body) as JsonObject;
            const metadata = (manifest.metadata ?? {}) as JsonObject;
            const name = `${String(metadata.generateName ?? "pod-")}${this.createdPods.length + 1}x`;
            const created: CreatedPod = {
                namespace: match[1],
                name,
                manifest,
                reads: 0,
                deleted: false,
                outcome: this.state.runPod(manifest),
            };
            this.createdPods.push(created);
            reply(201, {
                ...manifest,
                metadata: { ...metadata, name, namespace: match[1] },
                status: { phase: "Pending" },
            });
            return;
        }
        if ((match = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)(\/log)?$/.exec(path))) {
            const [, namespace, name, log] = match;
            const pod = this.createdPods.find((p) => p.namespace === namespace && p.name === name && !p.deleted);
            if (pod === undefined) {
                reply(404, status(404, "NotFound", `pods "${name}" not found`));
                return;
            }
            if (method === "GET" && log !== undefined) {
                reply(200, pod.outcome.log, "text/plain");
                return;
            }
            if (method === "GET") {
                pod.reads += 1;
                const phase = pod.reads > pod.outcome.pendingReads ? pod.outcome.phase : "Pending";
                reply(200, {
                    ...pod.manifest,
                    metadata: { ...(pod.manifest.metadata as JsonObject), name, namespace },
                    status: { phase },
                });
                return;
            }
            if (method === "DELETE") {
                pod.deleted = true;
                reply(200, {
                    ...pod.manifest,
                    metadata: { ...(pod.manifest.metadata as JsonObject), name, namespace },
                });
                return;
            }
        }
        reply(404, status(404, "NotFound", "the server could not find the requested resource"));
    }
}

function status(code: number, reason: string, message: string): JsonObject {
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

function parseSelector(selector: string): [string, string][] {
    return selector
        .split(",")
        .filter((part) => part !== "")
        .map((part) => {
            const [key, value] = part.split("=");
            return [key, value ?? ""];
        });
}

function matchesSelector(labels: Record<string, string>, selector: readonly [string, string][]): boolean {
    return selector.every(([key, value]) => labels[key] === value);
}
