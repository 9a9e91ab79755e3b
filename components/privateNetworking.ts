import { ClusterControlPlaneIdentity } from "./clusterControlPlaneIdentity";
import { ClusterNetwork } from "./clusterNetwork";
import type { Settings } from "./config";
import type { ManagedClusterNetwork } from "./managedCluster";
import { OpenAiPrivateEndpoint } from "./openAiPrivateEndpoint";
import type { OpenAiTarget } from "./openAiTarget";

/**
 * How `openai.network` turns into resources (docs/architecture.md "Private network"): in private mode with a managed
 * cluster, the network the stack creates for the cluster (and the control-plane identity that may join it); and, in
 * private mode, the private endpoint and DNS zone in the cluster's network, wherever that network comes from.
 */

/** The network the stack created for its cluster: what the cluster joins and where the endpoint goes. */
export interface StackNetwork {
    readonly virtualNetworkName: string;
    readonly network: ClusterNetwork;
    /** What ManagedAksCluster needs to join it. */
    readonly cluster: ManagedClusterNetwork;
}

/** The cluster's network, when the stack creates both (private mode, managed cluster); otherwise undefined. */
export function stackNetworkFor(settings: Settings, subscriptionId: string): StackNetwork | undefined {
    const { network: access, cluster } = settings;
    if (access.access !== "private" || access.placement !== "stack" || cluster.mode !== "managed") {
        return undefined;
    }
    const ranges = access.clusterNetwork;
    const virtualNetworkName = `vnet-${cluster.name}`;
    const network = new ClusterNetwork("cluster-network", {
        resourceGroupName: settings.resourceGroupName,
        location: settings.location,
        virtualNetworkName,
        addressSpace: ranges.addressSpace,
        nodeSubnet: ranges.nodeSubnet,
        endpointSubnet: ranges.endpointSubnet,
    });
    const controlPlane = new ClusterControlPlaneIdentity("cluster-control-plane", {
        resourceGroupName: settings.resourceGroupName,
        location: settings.location,
        identityName: `id-${cluster.name}-control-plane`,
        subscriptionId,
        nodeSubnetId: network.nodeSubnetId,
    });
    return {
        virtualNetworkName,
        network,
        cluster: {
            nodeSubnetId: network.nodeSubnetId,
            podCidr: ranges.podCidr,
            serviceCidr: ranges.serviceCidr,
            dnsServiceIp: ranges.dnsServiceIp,
            controlPlaneIdentityId: controlPlane.identityId,
            startAfter: [controlPlane.subnetRole],
        },
    };
}

/**
 * The private endpoint to the account, in the stack's endpoint subnet or the configured existing one, with the zone
 * linked to the cluster's network; undefined in public mode.
 */
export function privateEndpointFor(
    settings: Settings,
    openai: OpenAiTarget,
    stackNetwork: StackNetwork | undefined,
): OpenAiPrivateEndpoint | undefined {
    const access = settings.network;
    if (access.access !== "private") {
        return undefined;
    }
    const placement =
        access.placement === "existing"
            ? { subnetId: access.subnetId, virtualNetworkId: access.vnetId, linkName: lastSegment(access.vnetId) }
            : stackNetwork !== undefined
              ? {
                    subnetId: stackNetwork.network.endpointSubnetId,
                    virtualNetworkId: stackNetwork.network.virtualNetworkId,
                    linkName: stackNetwork.virtualNetworkName,
                }
              : undefined;
    if (placement === undefined) {
        throw new Error(
            "openai.network is private with a stack network, but none was created; this is a bug in index.ts",
        );
    }
    return new OpenAiPrivateEndpoint("openai-private", {
        resourceGroupName: settings.resourceGroupName,
        location: settings.location,
        accountId: openai.accountId,
        accountName: openai.accountName,
        ...placement,
    });
}

/** The name at the end of an ARM id; config admits no trailing '/' (VNET_ID in components/config/network.ts). */
function lastSegment(armId: string): string {
    return armId.slice(armId.lastIndexOf("/") + 1);
}
