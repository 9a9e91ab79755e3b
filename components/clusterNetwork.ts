import * as network from "@pulumi/azure-native/network";
import * as pulumi from "@pulumi/pulumi";

export interface ClusterNetworkArgs {
    /** Resource group to create the network in. */
    readonly resourceGroupName: string;
    /** Region: the cluster's, which a private endpoint's network must share. */
    readonly location: string;
    /** Name of the virtual network. */
    readonly virtualNetworkName: string;
    /** Address space of the virtual network (validated by the config reader). */
    readonly addressSpace: string;
    /** Subnet of the cluster's nodes, inside the address space. */
    readonly nodeSubnet: string;
    /** Subnet of the Azure OpenAI private endpoint, inside the address space, apart from the node subnet. */
    readonly endpointSubnet: string;
}

/**
 * The virtual network of a managed cluster in private mode: one subnet for the nodes (Azure CNI Overlay, so pods take
 * no subnet addresses) and one for the Azure OpenAI private endpoint. Subnets are their own resources, not inline:
 * the VirtualNetwork leaves `subnets` out, which Azure (API 2023-09-01 and later) and azure-native
 * (pulumi-azure-native#611) read as "keep the subnets as they are".
 */
export class ClusterNetwork extends pulumi.ComponentResource {
    public readonly virtualNetworkId: pulumi.Output<string>;
    public readonly nodeSubnetId: pulumi.Output<string>;
    public readonly endpointSubnetId: pulumi.Output<string>;
    public readonly virtualNetwork: network.VirtualNetwork;
    public readonly nodeSubnet: network.Subnet;
    public readonly endpointSubnet: network.Subnet;

    constructor(name: string, args: ClusterNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aks-openai-wi:network:ClusterNetwork", name, {}, opts);

        this.virtualNetwork = new network.VirtualNetwork(
            `${name}-vnet`,
            {
                resourceGroupName: args.resourceGroupName,
                virtualNetworkName: args.virtualNetworkName,
                location: args.location,
                addressSpace: { addressPrefixes: [args.addressSpace] },
            },
            { parent: this },
        );
        this.nodeSubnet = new network.Subnet(
            `${name}-nodes`,
            {
                resourceGroupName: args.resourceGroupName,
                virtualNetworkName: this.virtualNetwork.name,
                subnetName: "nodes",
                addressPrefix: args.nodeSubnet,
            },
            { parent: this },
        );
        this.endpointSubnet = new network.Subnet(
            `${name}-endpoints`,
            {
                resourceGroupName: args.resourceGroupName,
                virtualNetworkName: this.virtualNetwork.name,
                subnetName: "private-endpoints",
                addressPrefix: args.endpointSubnet,
            },
            // Two writes to subnets of one network at once fail with AnotherOperationInProgress: one after the other.
            { parent: this, dependsOn: [this.nodeSubnet] },
        );

        this.virtualNetworkId = this.virtualNetwork.id;
        this.nodeSubnetId = this.nodeSubnet.id;
        this.endpointSubnetId = this.endpointSubnet.id;

        this.registerOutputs({
            virtualNetworkId: this.virtualNetworkId,
            nodeSubnetId: this.nodeSubnetId,
            endpointSubnetId: this.endpointSubnetId,
        });
    }
}
