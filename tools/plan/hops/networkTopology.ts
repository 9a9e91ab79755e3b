import { at, ofType, str } from "./lookups";
import type { Account, AccessPathInput, AnalysedResource } from "./model";

/**
 * The network facts the network hop judges, read from the registered resources: the account's private endpoints,
 * the zones their zone groups write to, the networks those zones are linked to, and the network the cluster's nodes
 * are in. A subnet or network is known by a resource of this plan (its id, a placeholder or an ARM id) or by an ARM
 * id from config; networks are compared by a lowercase key, as ARM compares ids.
 */

export const NT = {
    virtualNetwork: "azure-native:network:VirtualNetwork",
    subnet: "azure-native:network:Subnet",
    privateEndpoint: "azure-native:network:PrivateEndpoint",
    zoneGroup: "azure-native:network:PrivateDnsZoneGroup",
    zone: "azure-native:privatedns:PrivateZone",
    zoneLink: "azure-native:privatedns:VirtualNetworkLink",
    managedCluster: "azure-native:containerservice:ManagedCluster",
};

/** A virtual network as the hop names it. */
export interface NetworkRef {
    /** Lowercase id: what two references to the same network share. */
    readonly key: string;
    /** Its name, for messages. */
    readonly label: string;
}

export interface ZoneView {
    readonly name: string;
    /** The zone resource when this plan creates it; undefined for a zone named only by id. */
    readonly resource?: AnalysedResource;
    /** Networks the zone is linked to (only known for a zone in this plan). */
    readonly links: readonly NetworkRef[];
}

export interface EndpointView {
    readonly resource: AnalysedResource;
    readonly name: string;
    readonly groupIds: readonly string[];
    readonly network: NetworkRef | undefined;
    readonly subnetLabel: string;
    /** Zones the endpoint's zone groups write its record to; undefined when it has no zone group. */
    readonly zones: readonly ZoneView[] | undefined;
}

/** The network of the cluster's nodes: known for a managed cluster, undefined when the cluster is not in this plan. */
export type ClusterNetwork =
    | { readonly kind: "subnet"; readonly network: NetworkRef | undefined; readonly source: string }
    | { readonly kind: "aks-managed"; readonly source: string };

const SUBNET_ID =
    /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/([^/]+))\/subnets\/([^/]+)$/i;
const VNET_ID =
    /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/([^/]+)$/i;
const ZONE_ID = /\/providers\/Microsoft\.Network\/privateDnsZones\/([^/]+)$/i;

/** The network a subnet reference (a Subnet of this plan, or a subnet's ARM id) belongs to. */
export function networkOfSubnet(
    resources: readonly AnalysedResource[],
    subnetRef: string | undefined,
): { network: NetworkRef | undefined; subnetLabel: string } {
    if (subnetRef === undefined) {
        return { network: undefined, subnetLabel: "(no subnet)" };
    }
    const subnet = ofType(resources, NT.subnet).find((candidate) => candidate.id === subnetRef);
    if (subnet) {
        const vnetName = str(subnet.inputs.virtualNetworkName);
        const vnet = ofType(resources, NT.virtualNetwork).find(
            (candidate) =>
                str(candidate.inputs.virtualNetworkName) === vnetName &&
                str(candidate.inputs.resourceGroupName) === str(subnet.inputs.resourceGroupName),
        );
        return {
            network: vnet?.id ? { key: vnet.id.toLowerCase(), label: vnetName ?? vnet.name } : undefined,
            subnetLabel: `${vnetName}/${str(subnet.inputs.subnetName)}`,
        };
    }
    const match = SUBNET_ID.exec(subnetRef);
    return match
        ? { network: { key: match[1].toLowerCase(), label: match[2] }, subnetLabel: `${match[2]}/${match[3]}` }
        : { network: undefined, subnetLabel: subnetRef };
}

/** A network reference (a VirtualNetwork of this plan, or an ARM id). */
export function networkOfRef(resources: readonly AnalysedResource[], ref: string | undefined): NetworkRef | undefined {
    if (ref === undefined) {
        return undefined;
    }
    const vnet = ofType(resources, NT.virtualNetwork).find((candidate) => candidate.id === ref);
    if (vnet) {
        return { key: ref.toLowerCase(), label: str(vnet.inputs.virtualNetworkName) ?? vnet.name };
    }
    const match = VNET_ID.exec(ref);
    return { key: ref.toLowerCase(), label: match ? match[1] : ref };
}

/** The private endpoints of this plan that connect to the account. */
export function endpointsOf(input: AccessPathInput, account: Account): EndpointView[] {
    const resources = input.resources;
    return ofType(resources, NT.privateEndpoint)
        .filter((endpoint) =>
            connections(endpoint).some((c) => str(c.privateLinkServiceId)?.toLowerCase() === account.id.toLowerCase()),
        )
        .map((endpoint) => {
            const name = str(endpoint.inputs.privateEndpointName) ?? endpoint.name;
            const groups = ofType(resources, NT.zoneGroup).filter(
                (group) =>
                    str(group.inputs.privateEndpointName) === name &&
                    str(group.inputs.resourceGroupName) === str(endpoint.inputs.resourceGroupName),
            );
            const zoneIds = groups.flatMap((group) =>
                (Array.isArray(group.inputs.privateDnsZoneConfigs) ? group.inputs.privateDnsZoneConfigs : []).map(
                    (config: unknown) => str(at(config, "privateDnsZoneId")),
                ),
            );
            const { network, subnetLabel } = networkOfSubnet(resources, str(at(endpoint.inputs, "subnet.id")));
            return {
                resource: endpoint,
                name,
                groupIds: connections(endpoint).flatMap((c) =>
                    Array.isArray(c.groupIds) ? c.groupIds.map(String) : [],
                ),
                network,
                subnetLabel,
                zones: groups.length === 0 ? undefined : zoneIds.map((id) => zoneOf(resources, id)),
            };
        });
}

function connections(endpoint: AnalysedResource): Record<string, unknown>[] {
    const list = (key: string) => (Array.isArray(endpoint.inputs[key]) ? (endpoint.inputs[key] as unknown[]) : []);
    return [...list("privateLinkServiceConnections"), ...list("manualPrivateLinkServiceConnections")].filter(
        (c): c is Record<string, unknown> => c !== null && typeof c === "object",
    );
}

function zoneOf(resources: readonly AnalysedResource[], zoneId: string | undefined): ZoneView {
    const zone = ofType(resources, NT.zone).find((candidate) => zoneId !== undefined && candidate.id === zoneId);
    if (zone === undefined) {
        return { name: (zoneId && ZONE_ID.exec(zoneId)?.[1]) ?? zoneId ?? "(no zone id)", links: [] };
    }
    const name = str(zone.inputs.privateZoneName) ?? zone.name;
    const links = ofType(resources, NT.zoneLink)
        .filter(
            (link) =>
                str(link.inputs.privateZoneName) === name &&
                str(link.inputs.resourceGroupName) === str(zone.inputs.resourceGroupName),
        )
        .map((link) => networkOfRef(resources, str(at(link.inputs, "virtualNetwork.id"))))
        .filter((ref): ref is NetworkRef => ref !== undefined);
    return { name, resource: zone, links };
}

/** Where the cluster's nodes are: a managed cluster's node subnet, or AKS's own network when it names none. */
export function clusterNetworkOf(resources: readonly AnalysedResource[]): ClusterNetwork | undefined {
    const cluster = ofType(resources, NT.managedCluster)[0];
    if (cluster === undefined) {
        return undefined;
    }
    const clusterName = str(cluster.inputs.resourceName) ?? cluster.name;
    const subnetRef = str(at(cluster.inputs, "agentPoolProfiles.0.vnetSubnetID"));
    if (subnetRef === undefined) {
        return {
            kind: "aks-managed",
            source: `cluster ${clusterName} names no subnet: AKS puts it in a network of its own`,
        };
    }
    const { network, subnetLabel } = networkOfSubnet(resources, subnetRef);
    return { kind: "subnet", network, source: `the node subnet of cluster ${clusterName} (${subnetLabel})` };
}
