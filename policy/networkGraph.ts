import type { PolicyResource } from "@pulumi/policy";

import {
    OPENAI_ACCOUNT_KINDS,
    isAzureNativeType,
    isCognitiveServicesAccount,
    cognitiveServicesAccountOf,
} from "./azure";
import { OPENAI_PRIVATE_LINK_GROUP } from "./facts";
import { linkedBy, nodeOf, type StackNode } from "./stackGraph";
import { isUnknown, listAt, recordAt, stringAt, type Unknown } from "./values";

/**
 * The private path to Azure OpenAI accounts, as a graph of the stack's resources: accounts, the private endpoints that
 * connect to them, the zones their zone groups write to, the networks those zones are linked to, and the network the
 * cluster's nodes are in. Links come from property dependencies first (known in preview), then from ARM ids and names.
 * Networks are keyed `<resource group>/<name>`, lowercase, as ARM compares them.
 */

type Text = string | Unknown | undefined;

const isType = (module: string, name: string) => (type: string) => isAzureNativeType(type, module, name);
const isVirtualNetwork = isType("network", "VirtualNetwork");
const isSubnet = isType("network", "Subnet");
const isPrivateEndpoint = isType("network", "PrivateEndpoint");
const isZoneGroup = isType("network", "PrivateDnsZoneGroup");
const isZone = isType("privatedns", "PrivateZone");
const isZoneLink = isType("privatedns", "VirtualNetworkLink");
const isManagedCluster = isType("containerservice", "ManagedCluster");

export interface OpenAiAccountNode {
    readonly node: StackNode;
    readonly name: Text;
    readonly publicNetworkAccess: Text;
    readonly networkAcls: Readonly<Record<string, unknown>> | Unknown | undefined;
}

/** A network's key; undefined when it is not known (yet): never compared, never reported. */
export type NetworkKey = string | undefined;

export interface ZoneNode {
    readonly node: StackNode | undefined;
    readonly name: Text;
    /** Networks the zone is linked to; only for a zone of this stack. */
    readonly links: readonly NetworkKey[];
}

export interface EndpointNode {
    readonly node: StackNode;
    /** The account of this stack it connects to, or the name of one it connects to by id. */
    readonly account: OpenAiAccountNode | undefined;
    readonly accountName: Text;
    readonly openAiAccount: boolean;
    readonly network: NetworkKey;
    /** The zones its zone groups name; undefined when it has no zone group. */
    readonly zones: readonly ZoneNode[] | undefined;
}

export interface NetworkGraph {
    readonly accounts: readonly OpenAiAccountNode[];
    readonly endpoints: readonly EndpointNode[];
    /** The network of the cluster's nodes, when this stack creates the cluster: "aks-managed" when it names no subnet. */
    readonly cluster: { readonly name: Text; readonly network: NetworkKey | "aks-managed" } | undefined;
}

const SUBNET_ID =
    /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/virtualNetworks\/([^/]+)\/subnets\/[^/]+$/i;
const VNET_ID =
    /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/virtualNetworks\/([^/]+)$/i;
const ZONE_ID = /\/providers\/Microsoft\.Network\/privateDnsZones\/([^/]+)$/i;

function key(group: Text, name: Text): NetworkKey {
    if (isUnknown(group) || isUnknown(name)) {
        return undefined;
    }
    return group === undefined || name === undefined ? undefined : `${group}/${name}`.toLowerCase();
}

export function buildNetworkGraph(resources: readonly PolicyResource[]): NetworkGraph {
    const nodes = resources.map(nodeOf);
    const of = (test: (type: string) => boolean) => nodes.filter((node) => test(node.type));
    const vnets = of(isVirtualNetwork).map((node) => ({
        node,
        key: key(
            stringAt(node.props, "resourceGroupName"),
            stringAt(node.props, "name") ?? stringAt(node.props, "virtualNetworkName"),
        ),
    }));
    const subnets = of(isSubnet).map((node) => {
        const linked = linkedBy(node, "virtualNetworkName", vnets);
        return {
            node,
            network:
                linked?.key ??
                key(stringAt(node.props, "resourceGroupName"), stringAt(node.props, "virtualNetworkName")),
        };
    });
    const networkOfSubnet = (owner: StackNode, property: string, value: Text): NetworkKey => {
        const linked = linkedBy(owner, property, subnets);
        if (linked) {
            return linked.network;
        }
        if (isUnknown(value)) {
            return UNKNOWN_NETWORK;
        }
        const match = value === undefined ? null : SUBNET_ID.exec(value);
        return match ? key(match[1], match[2]) : undefined;
    };

    const accounts: OpenAiAccountNode[] = of(isCognitiveServicesAccount)
        .filter((node) => {
            const kind = stringAt(node.props, "kind");
            return typeof kind !== "string" || OPENAI_ACCOUNT_KINDS.includes(kind);
        })
        .map((node) => ({
            node,
            name: stringAt(node.props, "name") ?? stringAt(node.props, "accountName"),
            publicNetworkAccess: stringAt(node.props, "properties", "publicNetworkAccess"),
            networkAcls: recordAt(node.props, "properties", "networkAcls"),
        }));

    const zones = of(isZone).map((node): ZoneNode => {
        const name = stringAt(node.props, "name") ?? stringAt(node.props, "privateZoneName");
        const links = of(isZoneLink)
            .filter(
                (link) =>
                    link.dependsOn("privateZoneName").has(node.urn) ||
                    (typeof name === "string" && stringAt(link.props, "privateZoneName") === name),
            )
            .map((link): NetworkKey => {
                const linked = linkedBy(link, "virtualNetwork", vnets);
                if (linked) {
                    return linked.key;
                }
                const id = stringAt(link.props, "virtualNetwork", "id");
                if (isUnknown(id)) {
                    return UNKNOWN_NETWORK;
                }
                const match = id === undefined ? null : VNET_ID.exec(id);
                return match ? key(match[1], match[2]) : undefined;
            });
        return { node, name, links };
    });

    const groups = of(isZoneGroup);
    const endpoints: EndpointNode[] = of(isPrivateEndpoint).map((node): EndpointNode => {
        const connections = [
            ...listOf(node.props, "privateLinkServiceConnections"),
            ...listOf(node.props, "manualPrivateLinkServiceConnections"),
        ];
        const target = connections.map((c) => stringAt(c, "privateLinkServiceId")).find((id) => id !== undefined);
        const account =
            linkedBy(node, "privateLinkServiceConnections", accounts) ??
            accounts.find(
                (candidate) =>
                    typeof target === "string" &&
                    typeof candidate.name === "string" &&
                    cognitiveServicesAccountOf(target)?.toLowerCase() === candidate.name.toLowerCase(),
            );
        const groupIds = connections.flatMap((c) => {
            const list = listAt(c, "groupIds");
            return Array.isArray(list) ? list : [];
        });
        const accountName = account?.name ?? (typeof target === "string" ? cognitiveServicesAccountOf(target) : target);
        const name = stringAt(node.props, "name") ?? stringAt(node.props, "privateEndpointName");
        const mine = groups.filter(
            (group) =>
                group.dependsOn("privateEndpointName").has(node.urn) ||
                (typeof name === "string" && stringAt(group.props, "privateEndpointName") === name),
        );
        return {
            node,
            account,
            accountName,
            openAiAccount:
                account !== undefined ||
                (accountName !== undefined && groupIds.some((group) => group === OPENAI_PRIVATE_LINK_GROUP)),
            network: networkOfSubnet(node, "subnet", stringAt(node.props, "subnet", "id")),
            zones:
                mine.length === 0
                    ? undefined
                    : mine.flatMap((group) => {
                          const configs = listOf(group.props, "privateDnsZoneConfigs");
                          const linked = zones.filter(
                              (zone) =>
                                  zone.node !== undefined &&
                                  group.dependsOn("privateDnsZoneConfigs").has(zone.node.urn),
                          );
                          if (linked.length > 0) {
                              return linked;
                          }
                          return configs.map((config): ZoneNode => {
                              const id = stringAt(config, "privateDnsZoneId");
                              const zoneName = typeof id === "string" ? ZONE_ID.exec(id)?.[1] : id;
                              const zone = zones.find((z) => typeof zoneName === "string" && z.name === zoneName);
                              return zone ?? { node: undefined, name: zoneName, links: [] };
                          });
                      }),
        };
    });

    const cluster = of(isManagedCluster)[0];
    const subnetId =
        cluster === undefined ? undefined : stringAt(cluster.props, "agentPoolProfiles", 0, "vnetSubnetID");
    return {
        accounts,
        endpoints,
        cluster:
            cluster === undefined
                ? undefined
                : {
                      name: stringAt(cluster.props, "name") ?? stringAt(cluster.props, "resourceName"),
                      network:
                          subnetId === undefined && linkedBy(cluster, "agentPoolProfiles", subnets) === undefined
                              ? "aks-managed"
                              : networkOfSubnet(cluster, "agentPoolProfiles", subnetId),
                  },
    };
}

/** A network whose key depends on a value not known yet: never compared, never reported. */
const UNKNOWN_NETWORK: NetworkKey = undefined;

function listOf(value: unknown, ...path: string[]): Record<string, unknown>[] {
    const list = listAt(value, ...path);
    return (isUnknown(list) || list === undefined ? [] : list).filter(
        (item): item is Record<string, unknown> => item !== null && typeof item === "object",
    ) as Record<string, unknown>[];
}

/** The endpoints of this stack that connect to an Azure OpenAI account. */
export function openAiEndpoints(graph: NetworkGraph): readonly EndpointNode[] {
    return graph.endpoints.filter((endpoint) => endpoint.openAiAccount);
}
