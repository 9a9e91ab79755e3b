import * as pulumi from "@pulumi/pulumi";

import { clusterFeaturesProvider } from "./aksWorkloadIdentityProvider";

export interface AksWorkloadIdentityFeaturesArgs {
    /** Subscription of the cluster; from `authorization.getClientConfigOutput()` so it matches azure-native's. */
    readonly subscriptionId: pulumi.Input<string>;
    readonly resourceGroupName: pulumi.Input<string>;
    readonly clusterName: pulumi.Input<string>;
    /** Azure Resource Manager endpoint, with a trailing slash. */
    readonly armEndpoint: pulumi.Input<string>;
}

/**
 * The OIDC issuer and workload identity turned on for an AKS cluster this stack does not own, as a typed resource.
 * Create and update enable what is off (ETag-guarded read-modify-write); refresh detects a feature turned off out of
 * band; destroy leaves the cluster untouched (the issuer cannot be disabled, and the cluster is not the stack's).
 */
export class AksWorkloadIdentityFeatures extends pulumi.dynamic.Resource {
    /** ARM id of the cluster. */
    declare readonly clusterId: pulumi.Output<string>;
    /** The cluster's region. */
    declare readonly location: pulumi.Output<string>;
    /** The cluster's OIDC issuer URL, verbatim (trailing '/' included). */
    declare readonly issuerUrl: pulumi.Output<string>;
    declare readonly oidcIssuerEnabled: pulumi.Output<boolean>;
    declare readonly workloadIdentityEnabled: pulumi.Output<boolean>;
    /** Whether this stack turned a feature on (false when both were on already). */
    declare readonly enabledByStack: pulumi.Output<boolean>;

    constructor(name: string, args: AksWorkloadIdentityFeaturesArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            clusterFeaturesProvider,
            name,
            {
                ...args,
                clusterId: undefined,
                location: undefined,
                issuerUrl: undefined,
                oidcIssuerEnabled: undefined,
                workloadIdentityEnabled: undefined,
                enabledByStack: undefined,
            },
            opts,
            "aks",
            "WorkloadIdentityFeatures",
        );
    }
}
