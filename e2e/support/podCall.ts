import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

import { REPO_ROOT } from "./pulumiCli";
import type { World } from "./world";

/**
 * What ai-service does with its identity, with everything it gets from the cluster REAL: the environment the real
 * webhook injected into the live pod and the Deployment's own variables (read from the pod object), and a token for
 * the pod's ServiceAccount from the real TokenRequest API (what the kubelet would project into the token file). The
 * real @azure/identity client in a child process exchanges it at the Entra stand-in, which matches it against the
 * federated credential the real engine created, then calls chat completions at the OpenAI stand-in. The child's
 * network sends Azure's host names to the stand-ins and refuses everything else (tests/support/podNetwork.cjs).
 */
export interface PodCallResult {
    readonly env: readonly string[];
    readonly token:
        | { readonly ok: true; readonly claims: Record<string, unknown> }
        | { readonly ok: false; readonly error: { name: string; message: string } };
    readonly call?: { readonly status: number; readonly body: unknown };
    readonly network: { readonly routed: readonly string[]; readonly blocked: readonly string[] };
}

/** The projected service-account token the webhook added: the one whose audience is the token-exchange audience. */
export function tokenExchangeProjection(
    pod: any,
): { audience: string; path: string; expirationSeconds?: number } | undefined {
    for (const volume of pod.spec.volumes ?? []) {
        for (const source of volume.projected?.sources ?? []) {
            if (source.serviceAccountToken?.audience === "api://AzureADTokenExchange")
                return source.serviceAccountToken;
        }
    }
    return undefined;
}

export async function callAsPod(world: World, pod: any): Promise<PodCallResult> {
    const dir = mkdtempSync(path.join(world.runDir, "pod-"));
    const container = pod.spec.containers[0];
    const env: Record<string, string> = Object.fromEntries(
        (container.env as { name: string; value?: string }[])
            .filter((e) => e.value !== undefined)
            .map((e) => [e.name, e.value!]),
    );
    // The token file is where the webhook's mount puts it (the path changed in webhook v1.6.0: read it, never assume
    // it); here, a file holding a TokenRequest token for the pod's ServiceAccount with the audience of the webhook's
    // projected volume.
    const projected = tokenExchangeProjection(pod);
    if (projected === undefined || env.AZURE_FEDERATED_TOKEN_FILE === undefined) {
        throw new Error(`pod ${pod.metadata.name} was not mutated by the workload-identity webhook`);
    }
    const tokenFile = path.join(dir, path.basename(env.AZURE_FEDERATED_TOKEN_FILE));
    writeFileSync(
        tokenFile,
        await world.cluster.requestToken(pod.metadata.namespace, pod.spec.serviceAccountName, projected.audience),
    );
    env.AZURE_FEDERATED_TOKEN_FILE = tokenFile;

    const resultFile = path.join(dir, "result.json");
    await new Promise<void>((resolve, reject) =>
        execFile(
            process.execPath,
            [
                "--require",
                path.join(REPO_ROOT, "tests/support/podNetwork.cjs"),
                path.join(REPO_ROOT, "tests/support/podClient.cjs"),
                "DefaultAzureCredential",
                resultFile,
            ],
            {
                cwd: REPO_ROOT,
                env: {
                    ...env,
                    NODE_EXTRA_CA_CERTS: world.cluster.pki.caPath,
                    LOOPBACK_ROUTES: JSON.stringify(world.routes),
                    // The pod has no Azure CLI, PowerShell or azd: only node.
                    PATH: path.dirname(process.execPath),
                },
            },
            (error, _stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve()),
        ),
    );
    return JSON.parse(readFileSync(resultFile, "utf8")) as PodCallResult;
}
