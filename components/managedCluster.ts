import * as containerservice from "@pulumi/azure-native/containerservice";
import * as pulumi from "@pulumi/pulumi";

import type { ClusterConnection } from "./clusterConnection";
import type { KubeloginMode, LocalAccounts } from "./config";
import { entraExecKubeconfig } from "./entraKubeconfig";
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
    /** Tenant whose Microsoft Entra ID signs users in to the cluster; the deploying account's tenant. */
    readonly tenantId: pulumi.Input<string>;
    /**
     * "disabled": AKS-managed Entra integration with Azure RBAC for Kubernetes authorization, and no local accounts.
     * "enabled": neither, and the user kubeconfig is a cluster-admin client certificate (throwaway clusters).
     */
    readonly localAccounts: LocalAccounts;
    /** Entra groups with cluster-admin rights; the deploying identity must be a member of one. Ignored when enabled. */
    readonly adminGroupObjectIds: readonly pulumi.Input<string>[];
    /** Azure Resource Manager endpoint (default the public cloud's); names a national cloud to kubelogin. */
    readonly armEndpoint?: string;
    /** Refuse to delete or replace the cluster (`pulumi destroy` stops at it) until unprotected. */
    readonly protect: boolean;
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
 * system-assigned identity, one small autoscaled Linux system pool, patch auto-upgrades; and, unless local accounts
 * are asked for, Microsoft Entra ID as the only way in (docs/entra-cluster-access.md).
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
        const entraOnly = args.localAccounts === "disabled";

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
                // With local accounts AKS hands a cluster-admin client certificate to anyone who may list user
                // credentials (issue 11). The admin group lets the deploying identity in on the first request after
                // the cluster exists: group claims are read at sign-in, with no role assignment to propagate.
                ...(entraOnly
                    ? {
                          aadProfile: {
                              managed: true,
                              enableAzureRBAC: true,
                              tenantID: args.tenantId,
                              adminGroupObjectIDs: [...args.adminGroupObjectIds],
                          },
                          disableLocalAccounts: true,
                      }
                    : { disableLocalAccounts: false }),
            },
            {
                parent: this,
                // Losing the cluster is an outage (and a new cluster has a new issuer URL: every credential breaks).
                protect: args.protect,
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
        const userConfig = userKubeconfig(credentials, args.kubeloginMode, args.armEndpoint);
        // An Entra-only cluster refuses anything but an Entra token: the kubeconfig always signs in through kubelogin,
        // in the tenant the cluster's Entra profile is created with (args.tenantId). Reading that profile ties the
        // Kubernetes provider to the cluster that carries the admin group, in preview too (where the credentials read
        // is skipped).
        this.kubeconfig = entraOnly
            ? pulumi.secret(
                  pulumi
                      .all([userConfig, this.cluster.aadProfile, args.tenantId])
                      .apply(([text, _entraProfile, tenantId]) =>
                          entraExecKubeconfig(text, args.kubeloginMode, tenantId, args.armEndpoint),
                      ),
              )
            : userConfig;
        this.clusterIdentifier = `${args.resourceGroupName}/${args.clusterName}`;
        this.workloadIdentityReady = [this.cluster];

        this.registerOutputs({ oidcIssuerUrl: this.oidcIssuerUrl, clusterIdentifier: this.clusterIdentifier });
    }
}
