import { disableLocalAccountsCommand, localAccountsWarning } from "../../components/localAccountsAdvice";
import type { ArmReader, CheckResult } from "./checks";

/**
 * Whether the cluster accepts Microsoft Entra ID sign-ins only (issue 11). Local accounts do not stop ai-service from
 * working, so this never fails verify: it warns, with the command that turns them off for this cluster and what that
 * breaks (components/localAccountsAdvice.ts, the same words `pulumi preview` prints).
 */

export const CLUSTER_ACCESS_TITLE = "the cluster accepts Microsoft Entra ID sign-ins only (local accounts off)";

export async function clusterAccessCheck(arm: ArmReader, clusterId: string | undefined): Promise<CheckResult> {
    if (clusterId === undefined) {
        return {
            title: CLUSTER_ACCESS_TITLE,
            status: "skip",
            details: ["the outputs have no clusterResourceId (another stack owns the cluster); pass --cluster-id"],
        };
    }
    let cluster;
    try {
        cluster = await arm.getCluster(clusterId);
    } catch (error) {
        // The issuer check reads the same cluster and fails with the reason and the fix.
        const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0];
        return { title: CLUSTER_ACCESS_TITLE, status: "skip", details: [`could not read the cluster: ${reason}`] };
    }
    // The resource group and name for the az command; the id has the form the outputs and --cluster-id give.
    const [, resourceGroupName = "<resource group>", name = "<cluster>"] =
        /\/resourceGroups\/([^/]+)\/providers\/[^/]+\/[^/]+\/([^/]+)$/i.exec(clusterId) ?? [];
    const signIn = {
        resourceGroupName,
        clusterName: name,
        disableLocalAccounts: cluster.disableLocalAccounts,
        entraManaged: cluster.entraManaged,
    };
    const warning = localAccountsWarning(signIn);
    if (warning === undefined) {
        return {
            title: CLUSTER_ACCESS_TITLE,
            status: "pass",
            details: [
                `cluster ${name}: disableLocalAccounts true, AKS-managed Entra integration ` +
                    `${cluster.entraManaged === true ? "on" : "not reported"}`,
            ],
        };
    }
    return {
        title: CLUSTER_ACCESS_TITLE,
        status: "warn",
        details: [warning],
        fix: disableLocalAccountsCommand(signIn),
    };
}

/** `arm` with one GET per cluster however many checks read it (the issuer check and this one). */
export function readingClusterOnce(arm: ArmReader): ArmReader {
    const clusters = new Map<string, ReturnType<ArmReader["getCluster"]>>();
    return {
        getCluster: (clusterId) => {
            const read = clusters.get(clusterId) ?? arm.getCluster(clusterId);
            clusters.set(clusterId, read);
            return read;
        },
        listFederatedCredentials: (identityId) => arm.listFederatedCredentials(identityId),
        listRoleAssignments: (scope, principalId) => arm.listRoleAssignments(scope, principalId),
        listDiagnosticSettings: (resourceUri) => arm.listDiagnosticSettings(resourceUri),
    };
}
