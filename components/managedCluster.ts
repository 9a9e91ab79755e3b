import * as containerservice from "@pulumi/azure-native/containerservice";
import * as pulumi from "@pulumi/pulumi";

import type { ClusterConnection } from "./clusterConnection";
import type { KubeloginMode } from "./config";
import { userKubeconfig } from "./userKubeconfig";

export interface ManagedAksClusterArgs {
    /** Resource group to create the cluster in. */
    readonly resourceGroupName: string;
    /** Region of the cluster. */
    readonly location: string;
    /** Cluster name; also its DNS prefix. */
    readonly clusterName: string;
    /** Kubernetes version (MAJOR.MINOR follows AKS patch upgrades without diffs); default: AKS's default version. */
    readonly kubernetesVersion?: string;
    /** Nodes in the system pool; the autoscaler may grow it to twice this. */
    readonly nodeCount: number;
    /** VM size of the system pool. */
    readonly nodeVmSize: string;
    /** Non-interactive kubelogin mode for Entra-enabled clusters. */
    readonly kubeloginMode: KubeloginMode;
    /** Refuse to delete or replace the cluster (`pulumi destroy` stops at it) until unprotected. Default false. */
    readonly protect?: boolean;
    /** A network the stack created for the cluster (private mode); default: AKS's own, as before. */
    readonly network?: ManagedClusterNetwork;
}

/** The cluster's place in a virtual network the stack creates: Azure CNI Overlay on the node subnet. */
export interface ManagedClusterNetwork {
    /** Subnet the nodes join. */
    readonly nodeSubnetId: pulumi.Input<string>;
    /** Overlay range of the pods. */
    readonly podCidr: string;
    /** Range of Kubernetes Services. */
    readonly serviceCidr: string;
    /** Cluster DNS Service address, inside serviceCidr. */
    readonly dnsServiceIp: string;
    /** User-assigned control-plane identity that holds the network role on the subnet. */
    readonly controlPlaneIdentityId: pulumi.Input<string>;
    /** Created before the cluster: the identity's role on the subnet, or AKS cannot join it. */
    readonly startAfter: readonly pulumi.Resource[];
}

/**
 * An AKS cluster created and owned by this stack, with the OIDC issuer and workload identity on from the start:
 * system-assigned identity, one small autoscaled Linux system pool, patch auto-upgrades.
 */
export class ManagedAksCluster extends pulumi.ComponentResource implements ClusterConnection {
    public readonly oidcIssuerUrl: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly clusterIdentifier: string;
    public readonly workloadIdentityReady: readonly pulumi.Resource[];
    /** The cluster resource, exposed for dependsOn and for protect. */
    public readonly cluster: containerservice.ManagedCluster;

    constructor(name: string, args: ManagedAksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aks-openai-wi:cluster:ManagedAksCluster", name, {}, opts);

        this.cluster = new containerservice.ManagedCluster(
            `${name}-aks`,
            {
                resourceGroupName: args.resourceGroupName,
                resourceName: args.clusterName,
                location: args.location,
                dnsPrefix: args.clusterName,
                kubernetesVersion: args.kubernetesVersion,
                identity: args.network
                    ? {
                          type: containerservice.ResourceIdentityType.UserAssigned,
                          userAssignedIdentities: [args.network.controlPlaneIdentityId],
                      }
                    : { type: containerservice.ResourceIdentityType.SystemAssigned },
                agentPoolProfiles: [
                    {
                        name: "system",
                        mode: containerservice.AgentPoolMode.System,
                        osType: containerservice.OSType.Linux,
                        type: containerservice.AgentPoolType.VirtualMachineScaleSets,
                        vmSize: args.nodeVmSize,
                        count: args.nodeCount,
                        enableAutoScaling: true,
                        minCount: args.nodeCount,
                        maxCount: args.nodeCount * 2,
                        ...(args.network ? { vnetSubnetID: args.network.nodeSubnetId } : {}),
                    },
                ],
                ...(args.network
                    ? {
                          networkProfile: {
                              networkPlugin: containerservice.NetworkPlugin.Azure,
                              networkPluginMode: containerservice.NetworkPluginMode.Overlay,
                              podCidr: args.network.podCidr,
                              serviceCidr: args.network.serviceCidr,
                              dnsServiceIP: args.network.dnsServiceIp,
                          },
                      }
                    : {}),
                autoUpgradeProfile: { upgradeChannel: containerservice.UpgradeChannel.Patch },
                oidcIssuerProfile: { enabled: true },
                securityProfile: { workloadIdentity: { enabled: true } },
            },
            {
                parent: this,
                // Losing the cluster is an outage (and a new cluster has a new issuer URL: every credential breaks).
                protect: args.protect ?? false,
                ...(args.network ? { dependsOn: [...args.network.startAfter] } : {}),
                // The autoscaler owns the node count after creation; AKS fills in the pool's version on patch upgrades.
                ignoreChanges: ["agentPoolProfiles[0].count", "agentPoolProfiles[0].orchestratorVersion"],
            },
        );

        this.oidcIssuerUrl = this.cluster.oidcIssuerProfile.apply((profile) => profile?.issuerURL ?? "");
        const credentials = containerservice.listManagedClusterUserCredentialsOutput(
            { resourceGroupName: args.resourceGroupName, resourceName: this.cluster.name, format: "exec" },
            { parent: this },
        );
        this.kubeconfig = userKubeconfig(credentials, args.kubeloginMode);
        this.clusterIdentifier = `${args.resourceGroupName}/${args.clusterName}`;
        this.workloadIdentityReady = [this.cluster];

        this.registerOutputs({ oidcIssuerUrl: this.oidcIssuerUrl, clusterIdentifier: this.clusterIdentifier });
    }
}
