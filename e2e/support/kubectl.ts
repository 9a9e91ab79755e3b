import { execFile } from "node:child_process";

import type { LocalCluster } from "../cluster/localCluster";

/**
 * The real kubectl (built from the same Kubernetes release as the API server) against the local cluster, with the
 * admin kubeconfig: how the scenarios apply the quickstart's manifests and read live state (`get -o json`).
 */
export function kubectl(cluster: LocalCluster, args: readonly string[], stdin?: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = execFile(
            cluster.kubectlPath,
            [`--kubeconfig=${cluster.kubeconfigPath}`, ...args],
            { maxBuffer: 64 * 1024 * 1024 },
            (error, stdout, stderr) =>
                error ? reject(new Error(`kubectl ${args.join(" ")}: ${error.message}\n${stderr}`)) : resolve(stdout),
        );
        if (stdin !== undefined) {
            child.stdin?.end(stdin);
        }
    });
}

/** `kubectl get -o json`, parsed. */
export async function kubectlGet<T = any>(cluster: LocalCluster, ...args: string[]): Promise<T> {
    return JSON.parse(await kubectl(cluster, ["get", ...args, "-o", "json"])) as T;
}
