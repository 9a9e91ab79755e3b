import type * as pulumi from "@pulumi/pulumi";

/**
 * What the rest of the stack needs from a cluster, whichever way it is obtained (existing, managed, or another
 * stack's): the issuer that federated credentials trust, and a way in for the Kubernetes provider.
 */
export interface ClusterConnection {
    /** The cluster's OIDC issuer URL, verbatim from the cluster (trailing '/' included). */
    readonly oidcIssuerUrl: pulumi.Output<string>;
    /** Kubeconfig with a non-interactive login, as a secret. */
    readonly kubeconfig: pulumi.Output<string>;
    /**
     * Identifies the cluster to the Kubernetes provider. It changes only when the stack points at another cluster, so
     * a cluster update (which makes the kubeconfig unknown in preview) never plans to replace every Kubernetes object.
     */
    readonly clusterIdentifier: string;
    /**
     * Resources that must exist before pods using workload identity are created: the webhook that injects the token
     * runs only once workload identity is on. Empty when another stack owns that guarantee.
     */
    readonly workloadIdentityReady: readonly pulumi.Resource[];
}
