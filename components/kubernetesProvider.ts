import { Provider } from "@pulumi/kubernetes/provider";
import type * as pulumi from "@pulumi/pulumi";

import type { ClusterConnection } from "./clusterConnection";

/**
 * The Kubernetes provider for the cluster. `clusterIdentifier` keeps it (and every object it manages) from being
 * replaced when a cluster update makes the kubeconfig unknown in preview; `upsertExistingObjects` adopts objects that
 * already exist (since pulumi-kubernetes 4.29, creating one fails with AlreadyExists otherwise).
 */
export function kubernetesProviderFor(
    name: string,
    cluster: ClusterConnection,
    opts?: pulumi.CustomResourceOptions,
): Provider {
    return new Provider(
        name,
        {
            kubeconfig: cluster.kubeconfig,
            clusterIdentifier: cluster.clusterIdentifier,
            enableServerSideApply: true,
            upsertExistingObjects: true,
        },
        opts,
    );
}
