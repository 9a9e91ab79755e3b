import * as containerservice from "@pulumi/azure-native/containerservice";
import * as pulumi from "@pulumi/pulumi";

import { AksWorkloadIdentityFeatures } from "./aksWorkloadIdentityFeatures";
import type { ClusterConnection } from "./clusterConnection";
import type { KubeloginMode } from "./config";
import { localAccountsWarning } from "./localAccountsAdvice";
import { userKubeconfig } from "./userKubeconfig";

export interface ExistingAksClusterArgs {
    /** Subscription of the cluster; from `authorization.getClientConfigOutput()`. */
    readonly subscriptionId: pulumi.Input<string>;
    /** Resource group that holds the cluster. */
    readonly resourceGroupName: string;
    /** Name of the existing cluster. */
    readonly clusterName: string;
    /** Azure Resource Manager endpoint (trailing slash) for the feature update. */
    readonly armEndpoint: string;
    /** Non-interactive kubelogin mode for Entra-enabled clusters. */
    readonly kubeloginMode: KubeloginMode;
}

/**
 * An AKS cluster this stack does not own. The stack only turns on the OIDC issuer and workload identity (an
 * ETag-guarded read-modify-write, never a full PUT of the program's view of the cluster) and reads its user kubeconfig.
 * `pulumi destroy` leaves the cluster exactly as it is.
 */
export class ExistingAksCluster extends pulumi.ComponentResource implements ClusterConnection {
    public readonly oidcIssuerUrl: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly clusterIdentifier: string;
    public readonly workloadIdentityReady: readonly pulumi.Resource[];
    /** The feature update, exposed so callers can depend on it. */
    public readonly features: AksWorkloadIdentityFeatures;

    constructor(name: string, args: ExistingAksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aks-openai-wi:cluster:ExistingAksCluster", name, {}, opts);

        this.features = new AksWorkloadIdentityFeatures(
            `${name}-workload-identity`,
            {
                subscriptionId: args.subscriptionId,
                resourceGroupName: args.resourceGroupName,
                clusterName: args.clusterName,
                armEndpoint: args.armEndpoint,
            },
            // The cluster is not the stack's: a delete of this resource must never be planned as a delete of it, and
            // the provider's delete is a no-op; retainOnDelete says so in the plan as well.
            { parent: this, retainOnDelete: true },
        );
        this.oidcIssuerUrl = this.features.issuerUrl;

        const credentials = containerservice.listManagedClusterUserCredentialsOutput(
            { resourceGroupName: args.resourceGroupName, resourceName: args.clusterName, format: "exec" },
            { parent: this },
        );
        this.kubeconfig = userKubeconfig(credentials, args.kubeloginMode, args.armEndpoint);
        this.clusterIdentifier = `${args.resourceGroupName}/${args.clusterName}`;
        this.workloadIdentityReady = [this.features];

        this.registerOutputs({ oidcIssuerUrl: this.oidcIssuerUrl, clusterIdentifier: this.clusterIdentifier });
    }
}

/**
 * Reads the existing cluster before anything is created, so a wrong name fails the preview with a clear error instead
 * of failing `pulumi up` halfway, and warns when this stack is about to turn the OIDC issuer on: AKS then restarts the
 * API server and changes the service-account token issuer, and existing pods need a restart. Also warns while the
 * cluster keeps local accounts (issue 11): the stack never changes who may sign in to a cluster it does not own.
 */
export async function checkExistingCluster(
    args: Pick<ExistingAksClusterArgs, "resourceGroupName" | "clusterName">,
    opts?: pulumi.InvokeOptions,
): Promise<void> {
    let cluster: containerservice.GetManagedClusterResult;
    try {
        cluster = await containerservice.getManagedCluster(
            { resourceGroupName: args.resourceGroupName, resourceName: args.clusterName },
            opts,
        );
    } catch (error) {
        const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0];
        throw new pulumi.RunError(
            `aks-openai-wi:cluster.name = "${args.clusterName}": could not read this AKS cluster in resource group ` +
                `"${args.resourceGroupName}" (${reason}). Fix: check the name and resource group (az aks list -o table), ` +
                `or set cluster.mode to "managed" to create one.`,
        );
    }
    if (cluster.oidcIssuerProfile?.enabled !== true) {
        pulumi.log.warn(
            `AKS cluster ${args.clusterName} has no OIDC issuer yet; this update turns it on (it cannot be turned off again). ` +
                `AKS restarts the API server and changes the service-account token issuer: restart existing pods afterwards.`,
        );
    }
    const localAccounts = localAccountsWarning({
        resourceGroupName: args.resourceGroupName,
        clusterName: args.clusterName,
        disableLocalAccounts: cluster.disableLocalAccounts,
        entraManaged: cluster.aadProfile?.managed,
    });
    if (localAccounts !== undefined) {
        pulumi.log.warn(localAccounts);
    }
}
