/**
 * What to tell the owner of an existing cluster that still has local accounts (issue 11): `pulumi preview`/`up`
 * (components/existingCluster.ts), `npm run plan` (which prints the program's warnings) and `npm run verify` all say
 * the same thing, with the cluster's real resource group and name in the command.
 *
 * Facts, from https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad: local accounts are on by
 * default and `--admin` access is "a non-auditable backdoor"; `disableLocalAccounts` belongs on clusters with
 * Microsoft Entra integration (without it every credential fails); after disabling them on a cluster where someone may
 * have used them, rotate the cluster certificates to revoke the ones already handed out.
 */

/** What the cluster reports about how one signs in to it. */
export interface ClusterSignIn {
    readonly resourceGroupName: string;
    readonly clusterName: string;
    /** `properties.disableLocalAccounts` as read (undefined when not set: AKS's default, local accounts on). */
    readonly disableLocalAccounts: unknown;
    /** `properties.aadProfile.managed` as read (undefined without Microsoft Entra integration). */
    readonly entraManaged: unknown;
}

/** The command that turns local accounts off, with Entra integration first when the cluster has none. */
export function disableLocalAccountsCommand(cluster: ClusterSignIn): string {
    const target = `az aks update -g ${cluster.resourceGroupName} -n ${cluster.clusterName}`;
    return cluster.entraManaged === true
        ? `${target} --disable-local-accounts`
        : `${target} --enable-aad --enable-azure-rbac --aad-admin-group-object-ids <group object id> --disable-local-accounts`;
}

/** The warning for a cluster that keeps local accounts; undefined when they are off. */
export function localAccountsWarning(cluster: ClusterSignIn): string | undefined {
    if (cluster.disableLocalAccounts === true) {
        return undefined;
    }
    const entra =
        cluster.entraManaged === true
            ? ""
            : ` Local accounts can be turned off only on a cluster with Microsoft Entra integration, and this one has ` +
              `none yet (aadProfile.managed is ${shown(cluster.entraManaged)}): --enable-aad turns it on in the same ` +
              `command, with an Entra group that gets cluster-admin.`;
    return (
        `AKS cluster ${cluster.clusterName} keeps local accounts (disableLocalAccounts is ` +
        `${shown(cluster.disableLocalAccounts)}): whoever may list its credentials gets a client certificate with ` +
        `cluster-admin rights (az aks get-credentials --admin; on a cluster without Entra integration the user ` +
        `credential too), and what it does is not audited per person. Turn them off: ` +
        `${disableLocalAccountsCommand(cluster)}.${entra} It breaks whatever signs in with a certificate: ` +
        `az aks get-credentials --admin and every kubeconfig holding the cluster's client certificate (old CI jobs, ` +
        `scripts) stop working; move them to kubelogin and an Entra identity first. Afterwards rotate the cluster ` +
        `certificates, so the ones already handed out stop working: az aks rotate-certs -g ${cluster.resourceGroupName} ` +
        `-n ${cluster.clusterName} (plan for downtime: https://learn.microsoft.com/azure/aks/certificate-rotation).`
    );
}

function shown(value: unknown): string {
    return value === undefined || value === null ? "not set" : String(value);
}
