import * as https from "node:https";

import { ApiException, CoreV1Api, KubeConfig, type V1Pod } from "@kubernetes/client-node";

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

/** The Kubernetes API as verify reads it, through @kubernetes/client-node. */
export class KubernetesApi implements KubeReader {
    private readonly core: CoreV1Api;

    constructor(private readonly config: KubeConfig) {
        this.core = config.makeApiClient(CoreV1Api);
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
