import { readFileSync } from "node:fs";

import { parse, stringify } from "yaml";

import type { ArmResource, JsonObject } from "../../tests/support/armShapes";
import { armError } from "../../tests/support/armShapes";
import type { ArmRequest, ArmStandin } from "../../tests/support/armStandin";
import type { StandinResponse } from "../../tests/support/standinHttp";
import { entraKubeconfig } from "../../tests/support/world";
import type { LocalCluster } from "../cluster/localCluster";

/**
 * What AKS does for a cluster with AKS-managed Microsoft Entra integration, on the local cluster, as ARM stand-in
 * middleware (it runs before the stand-in's own routes, which keep storing the cluster):
 *
 * - a PUT whose `aadProfile.adminGroupObjectIDs` names groups binds them to `cluster-admin` in the ClusterRoleBinding
 *   `aks-cluster-admin-binding-aad`, the one AKS creates (`kubectl get clusterrolebinding aks-cluster-admin-binding-aad`
 *   on any such cluster; https://learn.microsoft.com/azure/aks/enable-authentication-microsoft-entra-id), before the
 *   PUT answers, so it exists when the cluster does;
 * - `listClusterUserCredential` on such a cluster returns the kubelogin exec kubeconfig AKS returns for `format=exec`
 *   (interactive `devicecode`, AKS's server application as `--server-id`, the Azure CLI's client id), for the local
 *   API server;
 * - `listClusterAdminCredential` on a cluster with `disableLocalAccounts` is refused as AKS refuses it
 *   (https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad): there is no certificate to hand out.
 */

/** The ClusterRoleBinding AKS keeps for the admin groups of an AKS-managed Entra cluster. */
export const AKS_ADMIN_BINDING = "aks-cluster-admin-binding-aad";

const CLUSTER_PATH =
    /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerService\/managedClusters\/([^/]+)(\/[^/]+)?$/i;

/** Installs the middleware on `arm` for clusters whose API server is `cluster`. */
export function actAsAksEntra(arm: ArmStandin, cluster: LocalCluster): void {
    arm.use(async (request, next) => {
        const match = CLUSTER_PATH.exec(request.path);
        if (match === null) {
            return next();
        }
        const [, subscriptionId, resourceGroupName, name, action] = match;
        const stored = () => arm.clusters.get(arm.clusterId(resourceGroupName, name, subscriptionId).toLowerCase());
        if (request.method === "PUT" && action === undefined) {
            return putWithAdminBinding(request, next, cluster);
        }
        if (request.method === "POST" && action?.toLowerCase() === "/listclusteradmincredential") {
            return refuseStaticCredential(stored(), next);
        }
        if (request.method === "POST" && action?.toLowerCase() === "/listclusterusercredential") {
            const properties = stored()?.properties as JsonObject | undefined;
            const aad = properties?.aadProfile as JsonObject | undefined;
            if (aad?.managed !== true) {
                return next();
            }
            const kubeconfig = entraExecKubeconfig(cluster, name, String(aad.tenantID));
            return {
                status: 200,
                body: { kubeconfigs: [{ name: "clusterUser", value: Buffer.from(kubeconfig).toString("base64") }] },
            };
        }
        return next();
    });
}

async function putWithAdminBinding(
    request: ArmRequest,
    next: () => Promise<StandinResponse>,
    cluster: LocalCluster,
): Promise<StandinResponse> {
    const reply = await next();
    const body = request.body as { properties?: { aadProfile?: { adminGroupObjectIDs?: unknown } } } | undefined;
    const groups = body?.properties?.aadProfile?.adminGroupObjectIDs;
    if (reply.status >= 300 || !Array.isArray(groups) || groups.length === 0) {
        return reply;
    }
    const binding = {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: AKS_ADMIN_BINDING },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
        subjects: groups.map((group) => ({
            apiGroup: "rbac.authorization.k8s.io",
            kind: "Group",
            name: String(group),
        })),
    };
    // AKS reconciles the binding to the profile's groups: create it, or replace what an earlier PUT left.
    const existing = await cluster.api.find(
        `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${AKS_ADMIN_BINDING}`,
    );
    if (existing === undefined) {
        await cluster.api.post("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", binding);
    } else {
        await cluster.api.put(`/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${AKS_ADMIN_BINDING}`, binding);
    }
    return reply;
}

function refuseStaticCredential(
    stored: ArmResource | undefined,
    next: () => Promise<StandinResponse>,
): Promise<StandinResponse> | StandinResponse {
    if ((stored?.properties as JsonObject | undefined)?.disableLocalAccounts !== true) {
        return next();
    }
    return armError(
        400,
        "BadRequest",
        "Getting static credential is not allowed because this cluster is set to disable local accounts.",
    );
}

/**
 * The user kubeconfig AKS returns with `format=exec` for an AKS-managed Entra cluster (the offline tests' fixture,
 * tests/support/world.ts), pointed at the local API server.
 */
function entraExecKubeconfig(cluster: LocalCluster, clusterName: string, tenantId: string): string {
    const document = parse(entraKubeconfig(clusterName, tenantId)) as {
        clusters: { cluster: Record<string, string> }[];
    };
    for (const entry of document.clusters) {
        entry.cluster = {
            server: cluster.server,
            "certificate-authority-data": readFileSync(cluster.pki.caPath).toString("base64"),
        };
    }
    return stringify(document);
}
