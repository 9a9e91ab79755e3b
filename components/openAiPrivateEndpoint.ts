import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as pulumi from "@pulumi/pulumi";

import { OPENAI_PRIVATE_DNS_ZONE, OPENAI_PRIVATE_LINK_GROUP } from "./constants";

export interface OpenAiPrivateEndpointArgs {
    /** Resource group of the endpoint and the private DNS zone. */
    readonly resourceGroupName: string;
    /** Region of the endpoint: its subnet's network's region. */
    readonly location: string;
    /** ARM id of the Azure OpenAI account the endpoint connects to. */
    readonly accountId: pulumi.Input<string>;
    /** Account name, for the endpoint's name. */
    readonly accountName: string;
    /** ARM id of the subnet the endpoint's network interface is placed in: a subnet of the cluster's network. */
    readonly subnetId: pulumi.Input<string>;
    /** ARM id of the cluster's virtual network: the zone is linked to it, so pods resolve the account privately. */
    readonly virtualNetworkId: pulumi.Input<string>;
    /** Name of the zone's link to that network. */
    readonly linkName: string;
}

/**
 * The private path from the cluster to an Azure OpenAI account: a private endpoint (group `account`) in a subnet of
 * the cluster's network, the `privatelink.openai.azure.com` zone linked to that network, and a zone group on the
 * endpoint that writes the account's A record into the zone. Without the link the pods' resolver never consults the
 * zone and the name resolves to the public address; without the zone group the zone has no record for the account.
 */
export class OpenAiPrivateEndpoint extends pulumi.ComponentResource {
    public readonly privateEndpointId: pulumi.Output<string>;
    public readonly privateDnsZoneId: pulumi.Output<string>;
    public readonly privateEndpoint: network.PrivateEndpoint;
    public readonly zone: privatedns.PrivateZone;
    public readonly zoneLink: privatedns.VirtualNetworkLink;
    public readonly zoneGroup: network.PrivateDnsZoneGroup;

    constructor(name: string, args: OpenAiPrivateEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aks-openai-wi:network:OpenAiPrivateEndpoint", name, {}, opts);

        const endpointName = `pe-${args.accountName}`;
        this.privateEndpoint = new network.PrivateEndpoint(
            `${name}-endpoint`,
            {
                resourceGroupName: args.resourceGroupName,
                privateEndpointName: endpointName,
                location: args.location,
                subnet: { id: args.subnetId },
                privateLinkServiceConnections: [
                    {
                        name: endpointName,
                        privateLinkServiceId: args.accountId,
                        groupIds: [OPENAI_PRIVATE_LINK_GROUP],
                    },
                ],
            },
            { parent: this },
        );
        // Private DNS zones and their links are global resources, whatever the region of the network.
        this.zone = new privatedns.PrivateZone(
            `${name}-zone`,
            { resourceGroupName: args.resourceGroupName, privateZoneName: OPENAI_PRIVATE_DNS_ZONE, location: "global" },
            { parent: this },
        );
        this.zoneLink = new privatedns.VirtualNetworkLink(
            `${name}-zone-link`,
            {
                resourceGroupName: args.resourceGroupName,
                privateZoneName: this.zone.name,
                virtualNetworkLinkName: args.linkName,
                location: "global",
                virtualNetwork: { id: args.virtualNetworkId },
                // Resolution only: the cluster's VMs must not register their own names in the account's zone.
                registrationEnabled: false,
            },
            { parent: this },
        );
        this.zoneGroup = new network.PrivateDnsZoneGroup(
            `${name}-zone-group`,
            {
                resourceGroupName: args.resourceGroupName,
                privateEndpointName: this.privateEndpoint.name,
                privateDnsZoneGroupName: "default",
                privateDnsZoneConfigs: [{ name: "openai", privateDnsZoneId: this.zone.id }],
            },
            { parent: this },
        );

        this.privateEndpointId = this.privateEndpoint.id;
        this.privateDnsZoneId = this.zone.id;
        this.registerOutputs({ privateEndpointId: this.privateEndpointId, privateDnsZoneId: this.privateDnsZoneId });
    }
}
