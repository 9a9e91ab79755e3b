import type { KubeloginMode } from "./config";
import { isKubelogin, withNonInteractiveLogin } from "./kubeconfig";

/**
 * The kubeconfig for a cluster that accepts Microsoft Entra ID sign-ins only (local accounts disabled): every user
 * signs in through kubelogin in the configured non-interactive mode. A user that does not run kubelogin (a client
 * certificate, a static token) would be refused by such a cluster, so it is replaced by the kubelogin user AKS issues,
 * whatever listClusterUserCredential answered; the login mode is then rewritten exactly as for any Entra cluster
 * (components/kubeconfig.ts), so one place decides which flags each mode keeps.
 */

/**
 * The application id of the "Azure Kubernetes Service AAD Server" application: the audience of every Entra token for
 * an AKS-managed Entra cluster, in every tenant (https://learn.microsoft.com/azure/aks/kubelogin-authentication).
 */
export const AKS_ENTRA_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

type KubeconfigDocument = { users?: { name?: string; user?: Record<string, unknown> }[] };

/** `kubeconfig` with every user on kubelogin `mode`; `tenantId` is the tenant the cluster's Entra profile names. */
export function entraExecKubeconfig(
    kubeconfig: string,
    mode: KubeloginMode,
    tenantId: string,
    /** Azure Resource Manager endpoint; a national cloud's is named to kubelogin (`--environment`). */
    armEndpoint?: string,
): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parse, stringify } = require("yaml") as typeof import("yaml");
    const document = parse(kubeconfig) as KubeconfigDocument;
    const users = document.users ?? [];
    if (users.length === 0) {
        throw new Error(
            "The cluster returned a kubeconfig without users; an Entra-only cluster's user kubeconfig names a kubelogin user.",
        );
    }
    let replaced = false;
    for (const entry of users) {
        if (!runsKubelogin(entry.user)) {
            entry.user = { exec: azureKubeloginExec(tenantId) };
            replaced = true;
        }
    }
    return withNonInteractiveLogin(replaced ? stringify(document) : kubeconfig, mode, armEndpoint);
}

/** The exec user `az aks get-credentials` writes for an AKS-managed Entra cluster (interactive, rewritten after). */
function azureKubeloginExec(tenantId: string): Record<string, unknown> {
    return {
        apiVersion: "client.authentication.k8s.io/v1beta1",
        command: "kubelogin",
        args: ["get-token", "--login", "devicecode", "--server-id", AKS_ENTRA_SERVER_APP_ID, "--tenant-id", tenantId],
        env: null,
        provideClusterInfo: false,
        interactiveMode: "IfAvailable",
    };
}

function runsKubelogin(user: Record<string, unknown> | undefined): boolean {
    return isKubelogin((user?.exec as { command?: unknown } | undefined)?.command);
}
