import * as https from "node:https";

import {
    ApiException,
    CoreV1Api,
    KubeConfig,
    NetworkingV1Api,
    type V1NetworkPolicy,
    type V1Pod,
} from "@kubernetes/client-node";

import { DEFAULTS } from "../../components/config/schema";
import { curlContainerSettings, curlPodSpec } from "../../components/curlPod";
import type { NetworkPolicyView } from "./callPath";
import type { KubeReader } from "./checks";

/** How long the description request through the service proxy may take (a cold model call is seconds). */
const CALL_TIMEOUT_MS = 90_000;

/**
 * Loads the kubeconfig verify uses: `--kubeconfig` first, then the stack's `kubeconfig` output, then KUBECONFIG or
 * ~/.kube/config, as kubectl would.
 */
export function loadKubeConfig(options: { readonly file?: string; readonly fromOutputs?: string }): KubeConfig {
    const config = new KubeConfig();
    if (options.file !== undefined) {
        config.loadFromFile(options.file);
    } else if (options.fromOutputs !== undefined) {
        config.loadFromString(options.fromOutputs);
    } else {
        config.loadFromDefault();
    }
    return config;
}

/** How verify waits for its caller pod: polls a bounded number of times, sleeping between (tests pass no-op sleeps). */
export interface PodWait {
    readonly sleep: (ms: number) => Promise<void>;
    readonly intervalMs: number;
    /** Polls before giving up: with 2 s apart, 90 cover an image pull and the call's own 60 s limit. */
    readonly maxPolls: number;
}

const REAL_WAIT: PodWait = {
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    intervalMs: 2000,
    maxPolls: 90,
};

/** The caller pod's curl limit for the model call, in seconds (a cold model call is seconds). */
const POD_CALL_TIMEOUT_SECONDS = 60;

/** The Kubernetes API as verify reads it, through @kubernetes/client-node. */
export class KubernetesApi implements KubeReader {
    private readonly core: CoreV1Api;
    private readonly networking: NetworkingV1Api;

    constructor(
        private readonly config: KubeConfig,
        private readonly wait: PodWait = REAL_WAIT,
    ) {
        this.core = config.makeApiClient(CoreV1Api);
        this.networking = config.makeApiClient(NetworkingV1Api);
    }

    async listNetworkPolicies(namespace: string): Promise<NetworkPolicyView[]> {
        const list = await explained(this.networking.listNamespacedNetworkPolicy({ namespace }));
        return list.items.map(networkPolicyView);
    }

    /**
     * Runs curl in a short-lived pod with `labels` (the smoke test's image and hardening: non-root, no service-account
     * token, no Azure identity), reads the answer from its log, and deletes the pod whatever happened.
     */
    async postFromPod(
        namespace: string,
        labels: Readonly<Record<string, string>>,
        url: string,
        body: unknown,
    ): Promise<{ status: number; body: string }> {
        const created = await explained(
            this.core.createNamespacedPod({ namespace, body: callerPod(namespace, labels, url, body) }),
        );
        const name = created.metadata?.name ?? "";
        try {
            for (let poll = 0; poll < this.wait.maxPolls; poll++) {
                const pod = await explained(this.core.readNamespacedPod({ name, namespace }));
                const phase = pod.status?.phase;
                if (phase === "Succeeded" || phase === "Failed") {
                    const log = await explained(this.core.readNamespacedPodLog({ name, namespace, container: "call" }));
                    return answerFromLog(log);
                }
                await this.wait.sleep(this.wait.intervalMs);
            }
            throw new Error(
                `pod ${namespace}/${name} did not finish after ${this.wait.maxPolls} checks ` +
                    `(${(this.wait.maxPolls * this.wait.intervalMs) / 1000}s); kubectl describe pod ${name} -n ${namespace}`,
            );
        } finally {
            await explained(this.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 })).catch(
                () => undefined,
            );
        }
    }

    async listPods(namespace: string, labelSelector: string): Promise<V1Pod[]> {
        const list = await explained(this.core.listNamespacedPod({ namespace, labelSelector }));
        return list.items;
    }

    async readKeys(namespace: string, kind: "ConfigMap" | "Secret", name: string): Promise<string[]> {
        if (kind === "Secret") {
            const secret = await explained(this.core.readNamespacedSecret({ namespace, name }));
            return Object.keys({ ...secret.data, ...secret.stringData });
        }
        const configMap = await explained(this.core.readNamespacedConfigMap({ namespace, name }));
        return Object.keys({ ...configMap.data, ...configMap.binaryData });
    }

    /**
     * POST through `/api/v1/namespaces/<ns>/services/<name>:<port>/proxy/<path>`: the operator's own credentials, no
     * port-forward, and the request reaches ai-service the way product-service's does (through the Service).
     */
    async postToService(
        namespace: string,
        service: string,
        port: number,
        path: string,
        body: unknown,
    ): Promise<{ status: number; body: string }> {
        const cluster = this.config.getCurrentCluster();
        if (cluster === null) {
            throw new Error("the kubeconfig has no current cluster");
        }
        const url = new URL(
            `${cluster.server.replace(/\/$/, "")}/api/v1/namespaces/${encodeURIComponent(namespace)}/services/` +
                `${encodeURIComponent(service)}:${port}/proxy/${path}`,
        );
        const payload = JSON.stringify(body);
        const options: https.RequestOptions = {
            method: "POST",
            headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
            timeout: CALL_TIMEOUT_MS,
        };
        await this.config.applyToHTTPSOptions(options);
        return new Promise((resolve, reject) => {
            const request = https.request(url, options, (response) => {
                let text = "";
                response.setEncoding("utf8");
                response.on("data", (chunk: string) => (text += chunk));
                response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
                response.on("error", reject);
            });
            request.on("timeout", () => request.destroy(new Error(`no answer within ${CALL_TIMEOUT_MS / 1000}s`)));
            request.on("error", reject);
            request.end(payload);
        });
    }
}

/** verify's caller pod: curl with the smoke test's image and hardening, writing the body then the HTTP status. */
export function callerPod(
    namespace: string,
    labels: Readonly<Record<string, string>>,
    url: string,
    body: unknown,
): V1Pod {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { generateName: "ai-service-verify-", namespace, labels: { ...labels } },
        spec: {
            ...curlPodSpec(),
            activeDeadlineSeconds: POD_CALL_TIMEOUT_SECONDS + 60,
            containers: [
                {
                    name: "call",
                    image: DEFAULTS.smokeTest.image,
                    command: [
                        "curl",
                        "-sS",
                        "-m",
                        String(POD_CALL_TIMEOUT_SECONDS),
                        "-X",
                        "POST",
                        "-H",
                        "content-type: application/json",
                        "--data-binary",
                        JSON.stringify(body),
                        "-w",
                        "\n%{http_code}",
                        url,
                    ],
                    ...curlContainerSettings(),
                },
            ],
        },
    };
}

/** The answer in the caller pod's log: the body, then the status on the last line (000 when curl got none). */
export function answerFromLog(log: string): { status: number; body: string } {
    const lines = log.replace(/\n$/, "").split("\n");
    const status = Number(lines.at(-1));
    const text = lines.slice(0, -1).join("\n");
    if (!Number.isInteger(status) || status === 0) {
        throw new Error(`no HTTP answer from ai-service: ${text.trim() || log.trim() || "(empty log)"}`);
    }
    return { status, body: text };
}

function networkPolicyView(policy: V1NetworkPolicy): NetworkPolicyView {
    const selector = policy.spec?.podSelector;
    return {
        name: policy.metadata?.name ?? "",
        podSelector: { ...selector?.matchLabels },
        podSelectorHasExpressions: (selector?.matchExpressions ?? []).length > 0,
        policyTypes: policy.spec?.policyTypes,
        ingress: (policy.spec?.ingress ?? []).map((rule) => ({
            from: rule._from?.map((peer) => ({
                ...(peer.podSelector === undefined ? {} : { podSelector: { ...peer.podSelector.matchLabels } }),
                ...(peer.namespaceSelector === undefined ? {} : { namespaceSelector: true }),
                ...(peer.ipBlock === undefined ? {} : { ipBlock: peer.ipBlock.cidr }),
            })),
        })),
    };
}

/**
 * client-node's ApiException says "HTTP-Code: 403 Message: Unknown API Status Code! Body: ...". The API server's
 * Status message is the useful part (`secrets "x" is forbidden: User "y" cannot get ...`): surface it.
 */
async function explained<T>(call: Promise<T>): Promise<T> {
    try {
        return await call;
    } catch (error) {
        if (error instanceof ApiException) {
            let message: string | undefined;
            try {
                const body: unknown = typeof error.body === "string" ? JSON.parse(error.body) : error.body;
                message = (body as { message?: string } | undefined)?.message;
            } catch {
                message = undefined;
            }
            throw new Error(`HTTP ${error.code}: ${message ?? (error.code === 401 ? "Unauthorized" : "no message")}`);
        }
        throw error;
    }
}
