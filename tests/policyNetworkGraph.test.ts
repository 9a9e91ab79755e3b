import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { PolicyResource } from "@pulumi/policy";

import {
    buildNetworkGraph,
    openAiEndpoints,
    type EndpointNode,
    type NetworkGraph,
    type OpenAiAccountNode,
    type ZoneNode,
} from "../policy/networkGraph";
import { UNKNOWN, UNKNOWN_SENTINELS } from "../policy/values";
import { policyResourceFactory } from "./support/policyResourceFactory";

/**
 * The private-network graph (policy/networkGraph.ts), called directly: which resources become accounts, endpoints,
 * zones and the cluster, how each link is found (property dependency first, then ARM id or name), and the exact
 * values the network policies compare: network keys `<group>/<name>` lowercased, `undefined` for a network that is
 * not known (missing part, unknown in preview, malformed id), "aks-managed" for a cluster that names no subnet.
 * tests/planNetwork.test.ts and tests/privateNetwork.test.ts drive the same code through the policies; here every
 * branch and lookup path has its own fixture and its exact result.
 */

const SUBSCRIPTION = "00000000-0000-4000-8000-000000000000";
const ZONE_NAME = "privatelink.openai.azure.com";

const ACCOUNT = "azure-native:cognitiveservices:Account";
const VNET = "azure-native:network:VirtualNetwork";
const SUBNET = "azure-native:network:Subnet";
const ENDPOINT = "azure-native:network:PrivateEndpoint";
const ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup";
const ZONE = "azure-native:privatedns:PrivateZone";
const ZONE_LINK = "azure-native:privatedns:VirtualNetworkLink";
const CLUSTER = "azure-native:containerservice:ManagedCluster";

/** What the engine sends for a string not known yet in preview. */
const UNKNOWN_STRING = UNKNOWN_SENTINELS.string;

const { resource } = policyResourceFactory("network");

const subnetId = (group: string, network: string, subnet = "snet-pe") =>
    `/subscriptions/${SUBSCRIPTION}/resourceGroups/${group}/providers/Microsoft.Network/virtualNetworks/${network}/subnets/${subnet}`;
const vnetId = (group: string, network: string) =>
    `/subscriptions/${SUBSCRIPTION}/resourceGroups/${group}/providers/Microsoft.Network/virtualNetworks/${network}`;
const zoneId = (name: string, group = "rg-dns") =>
    `/subscriptions/${SUBSCRIPTION}/resourceGroups/${group}/providers/Microsoft.Network/privateDnsZones/${name}`;
const accountId = (name: string, group = "rg-ai") =>
    `/subscriptions/${SUBSCRIPTION}/resourceGroups/${group}/providers/Microsoft.CognitiveServices/accounts/${name}`;

/** The values of one zone the policies read; `zone` is the stack resource it is, if any. */
function zoneView(zone: ZoneNode) {
    return { zone: zone.node?.name, name: zone.name, links: zone.links };
}

function endpointView(endpoint: EndpointNode) {
    return {
        endpoint: endpoint.node.name,
        account: endpoint.account?.node.name,
        accountName: endpoint.accountName,
        openAiAccount: endpoint.openAiAccount,
        network: endpoint.network,
        zones: endpoint.zones?.map(zoneView),
    };
}

function accountView(account: OpenAiAccountNode) {
    return {
        account: account.node.name,
        name: account.name,
        publicNetworkAccess: account.publicNetworkAccess,
        networkAcls: account.networkAcls,
    };
}

/** The one endpoint of a graph. */
function onlyEndpoint(graph: NetworkGraph): ReturnType<typeof endpointView> {
    assert.equal(graph.endpoints.length, 1);
    return endpointView(graph.endpoints[0]);
}

/** The network of a cluster (extra `props`) whose agent pools depend on the subnet among `resources`, if any. */
function clusterNetwork(resources: PolicyResource[], props: Record<string, unknown> = {}) {
    const subnet = resources.find((r) => r.type === SUBNET);
    const cluster = resource(
        CLUSTER,
        "aks",
        { name: "aks", ...props },
        subnet === undefined ? {} : { agentPoolProfiles: [subnet.urn] },
    );
    return buildNetworkGraph([...resources, cluster]).cluster?.network;
}

const vnet = (props: Record<string, unknown>, name = "vnet") => resource(VNET, name, props);
const subnetIn = (network: PolicyResource | undefined, props: Record<string, unknown> = {}, name = "snet") =>
    resource(SUBNET, name, props, network === undefined ? {} : { virtualNetworkName: [network.urn] });

describe("network keys of virtual networks and subnets", () => {
    it("keys a network `<resource group>/<name>`, lowercase, with `name` before `virtualNetworkName`", () => {
        const network = vnet({ resourceGroupName: "RG-Net", name: "VNet-A", virtualNetworkName: "vnet-b" });
        assert.equal(clusterNetwork([network, subnetIn(network)]), "rg-net/vnet-a");
    });

    it("falls back to `virtualNetworkName` when the network has no `name`", () => {
        const network = vnet({ resourceGroupName: "rg-net", virtualNetworkName: "VNet-B" });
        assert.equal(clusterNetwork([network, subnetIn(network)]), "rg-net/vnet-b");
    });

    it("has no key when the resource group, the name, or both are missing", () => {
        for (const props of [{ name: "vnet-a" }, { resourceGroupName: "rg-net" }, {}]) {
            const network = vnet(props);
            assert.equal(clusterNetwork([network, subnetIn(network)]), undefined, JSON.stringify(props));
        }
    });

    it("has no key while the resource group or the name is unknown", () => {
        for (const props of [
            { resourceGroupName: UNKNOWN_STRING, name: "vnet-a" },
            { resourceGroupName: "rg-net", name: UNKNOWN_STRING },
        ]) {
            const network = vnet(props);
            assert.equal(clusterNetwork([network, subnetIn(network)]), undefined, JSON.stringify(props));
        }
    });

    it("takes a subnet's network from the network it depends on, before its own properties", () => {
        const network = vnet({ resourceGroupName: "rg-net", name: "vnet-a" });
        const subnet = subnetIn(network, { resourceGroupName: "rg-other", virtualNetworkName: "vnet-other" });
        assert.equal(clusterNetwork([network, subnet]), "rg-net/vnet-a");
    });

    it("takes a subnet's network from its own `resourceGroupName` and `virtualNetworkName` otherwise", () => {
        const subnet = subnetIn(undefined, { resourceGroupName: "RG-Net", virtualNetworkName: "VNet-C" });
        assert.equal(clusterNetwork([subnet]), "rg-net/vnet-c");
        const network = vnet({ name: "vnet-a" });
        assert.equal(
            clusterNetwork([network, subnetIn(network, { resourceGroupName: "rg-net", virtualNetworkName: "vnet-c" })]),
            "rg-net/vnet-c",
            "a network it depends on that has no key",
        );
    });

    it("does not link a subnet to a network of another type or through another property", () => {
        const notNetwork = resource("azure-native:network:NetworkSecurityGroup", "nsg", {
            resourceGroupName: "rg-net",
            name: "nsg",
        });
        const subnet = resource(
            SUBNET,
            "snet",
            { resourceGroupName: "rg-own", virtualNetworkName: "vnet-own" },
            {
                virtualNetworkName: [notNetwork.urn],
            },
        );
        assert.equal(clusterNetwork([notNetwork, subnet]), "rg-own/vnet-own");
        const network = vnet({ resourceGroupName: "rg-net", name: "vnet-a" });
        const other = resource(SUBNET, "snet", {}, { resourceGroupName: [network.urn] });
        assert.equal(clusterNetwork([network, other]), undefined);
    });
});

describe("the cluster's network", () => {
    it("is absent when the stack creates no managed cluster", () => {
        assert.equal(buildNetworkGraph([vnet({ resourceGroupName: "rg", name: "vnet" })]).cluster, undefined);
        assert.equal(
            buildNetworkGraph([resource("azure-native:containerservice:AgentPool", "pool", { name: "pool" })]).cluster,
            undefined,
        );
    });

    it('is "aks-managed" when the cluster names no subnet and depends on none', () => {
        assert.deepEqual(buildNetworkGraph([resource(CLUSTER, "aks", { name: "aks-a" })]).cluster, {
            name: "aks-a",
            network: "aks-managed",
        });
        assert.deepEqual(
            buildNetworkGraph([resource(CLUSTER, "aks", { agentPoolProfiles: [{ name: "system" }] })]).cluster,
            { name: undefined, network: "aks-managed" },
        );
    });

    it("is named by `name`, else `resourceName`", () => {
        assert.equal(
            buildNetworkGraph([resource(CLUSTER, "aks", { name: "aks-a", resourceName: "aks-b" })]).cluster?.name,
            "aks-a",
        );
        assert.equal(buildNetworkGraph([resource(CLUSTER, "aks", { resourceName: "aks-b" })]).cluster?.name, "aks-b");
        assert.equal(buildNetworkGraph([resource(CLUSTER, "aks", { name: UNKNOWN_STRING })]).cluster?.name, UNKNOWN);
    });

    it("is the network of the first agent pool's `vnetSubnetID`", () => {
        const pools = (id: unknown) => ({ agentPoolProfiles: [{ vnetSubnetID: id }, { vnetSubnetID: "ignored" }] });
        assert.equal(clusterNetwork([], pools(subnetId("RG-Net", "VNet-A"))), "rg-net/vnet-a");
        assert.equal(clusterNetwork([], pools(UNKNOWN_STRING)), undefined, "unknown in preview");
        assert.equal(clusterNetwork([], pools("snet-pe")), undefined, "not an ARM id");
    });

    it("reads only a whole subnet id, anchored at both ends", () => {
        const id = subnetId("rg-net", "vnet-a");
        for (const wrong of [
            `/x${id}`,
            `${id}/extra`,
            vnetId("rg-net", "vnet-a"),
            id.replace("/resourceGroups/", "/groups/"),
        ]) {
            assert.equal(clusterNetwork([], { agentPoolProfiles: [{ vnetSubnetID: wrong }] }), undefined, wrong);
        }
        assert.equal(
            clusterNetwork([], { agentPoolProfiles: [{ vnetSubnetID: id.toUpperCase() }] }),
            "rg-net/vnet-a",
            "ARM ids are case-insensitive",
        );
    });

    it("is the network of the subnet the agent pools depend on, before the `vnetSubnetID` value", () => {
        const network = vnet({ resourceGroupName: "rg-net", name: "vnet-a" });
        const resources = [network, subnetIn(network)];
        assert.equal(clusterNetwork(resources), "rg-net/vnet-a", "no vnetSubnetID");
        assert.equal(
            clusterNetwork(resources, { agentPoolProfiles: [{ vnetSubnetID: subnetId("rg-x", "vnet-x") }] }),
            "rg-net/vnet-a",
        );
        assert.equal(
            clusterNetwork(resources, { agentPoolProfiles: [{ vnetSubnetID: UNKNOWN_STRING }] }),
            "rg-net/vnet-a",
        );
    });

    it("is the first managed cluster's", () => {
        const graph = buildNetworkGraph([
            resource(CLUSTER, "aks-1", { name: "aks-1" }),
            resource(CLUSTER, "aks-2", {
                name: "aks-2",
                agentPoolProfiles: [{ vnetSubnetID: subnetId("rg", "vnet") }],
            }),
        ]);
        assert.deepEqual(graph.cluster, { name: "aks-1", network: "aks-managed" });
    });
});

describe("Azure OpenAI accounts", () => {
    it("are the Cognitive Services accounts of an OpenAI kind, or of a kind not known", () => {
        const graph = buildNetworkGraph([
            resource(ACCOUNT, "openai", { kind: "OpenAI", name: "ai-1" }),
            resource(ACCOUNT, "services", { kind: "AIServices", name: "ai-2" }),
            resource(ACCOUNT, "no-kind", { name: "ai-3" }),
            resource(ACCOUNT, "unknown-kind", { kind: UNKNOWN_STRING, name: "ai-4" }),
            resource(ACCOUNT, "text", { kind: "TextAnalytics", name: "ai-5" }),
            resource("azure-native:cognitiveservices:Deployment", "deployment", { name: "gpt" }),
        ]);
        assert.deepEqual(
            graph.accounts.map((account) => account.node.name),
            ["openai", "services", "no-kind", "unknown-kind"],
        );
    });

    it("carry their name (`name`, else `accountName`), public network access and network ACLs", () => {
        const acls = { defaultAction: "Deny", ipRules: [] };
        const graph = buildNetworkGraph([
            resource(ACCOUNT, "both", {
                name: "ai-name",
                accountName: "ai-account-name",
                properties: { publicNetworkAccess: "Disabled", networkAcls: acls },
            }),
            resource(ACCOUNT, "account-name", { accountName: "ai-account-name" }),
            resource(ACCOUNT, "unknowns", {
                name: UNKNOWN_STRING,
                properties: { publicNetworkAccess: UNKNOWN_STRING, networkAcls: UNKNOWN_SENTINELS.object },
            }),
            resource(ACCOUNT, "bare", { properties: { networkAcls: [] } }),
        ]);
        assert.deepEqual(graph.accounts.map(accountView), [
            { account: "both", name: "ai-name", publicNetworkAccess: "Disabled", networkAcls: acls },
            {
                account: "account-name",
                name: "ai-account-name",
                publicNetworkAccess: undefined,
                networkAcls: undefined,
            },
            { account: "unknowns", name: UNKNOWN, publicNetworkAccess: UNKNOWN, networkAcls: UNKNOWN },
            { account: "bare", name: undefined, publicNetworkAccess: undefined, networkAcls: undefined },
        ]);
    });
});

describe("private endpoints: the account they connect to", () => {
    const account = resource(ACCOUNT, "openai", { kind: "OpenAI", name: "Contoso-OpenAI" });
    const connection = (id: unknown, groupIds?: unknown) => ({
        name: "connection",
        privateLinkServiceId: id,
        ...(groupIds === undefined ? {} : { groupIds }),
    });
    const endpoint = (props: Record<string, unknown>, dependsOn: Record<string, string[]> = {}) =>
        resource(ENDPOINT, "pe", props, dependsOn);

    it("is the account its connections depend on, even without a group id", () => {
        const pe = endpoint({ privateLinkServiceConnections: [{}] }, { privateLinkServiceConnections: [account.urn] });
        assert.deepEqual(onlyEndpoint(buildNetworkGraph([account, pe])), {
            endpoint: "pe",
            account: "openai",
            accountName: "Contoso-OpenAI",
            openAiAccount: true,
            network: undefined,
            zones: undefined,
        });
    });

    it("is the account of this stack its connection's `privateLinkServiceId` names, case-insensitively", () => {
        for (const id of [accountId("CONTOSO-openai"), `${accountId("contoso-openai")}/privateLinkResources/x`]) {
            const pe = endpoint({ privateLinkServiceConnections: [connection(id)] });
            const view = onlyEndpoint(buildNetworkGraph([account, pe]));
            assert.deepEqual([view.account, view.accountName, view.openAiAccount], ["openai", "Contoso-OpenAI", true]);
        }
    });

    it("reads manual connections too, and the first connection that names a service", () => {
        const pe = endpoint({
            privateLinkServiceConnections: [{ name: "no-id" }],
            manualPrivateLinkServiceConnections: [connection(accountId("contoso-openai"))],
        });
        assert.equal(onlyEndpoint(buildNetworkGraph([account, pe])).account, "openai");
        const first = endpoint({
            manualPrivateLinkServiceConnections: [
                connection(accountId("other-ai")),
                connection(accountId("contoso-openai")),
            ],
        });
        assert.deepEqual(onlyEndpoint(buildNetworkGraph([account, first])).accountName, "other-ai");
    });

    it("is only named for an account of another stack", () => {
        const pe = endpoint({ privateLinkServiceConnections: [connection(accountId("Other-AI"), ["account"])] });
        assert.deepEqual(onlyEndpoint(buildNetworkGraph([account, pe])), {
            endpoint: "pe",
            account: undefined,
            accountName: "Other-AI",
            openAiAccount: true,
            network: undefined,
            zones: undefined,
        });
    });

    it("is an Azure OpenAI account by id only with the `account` group id among its groups", () => {
        const foreign = accountId("other-ai");
        const openAi = (groupIds: unknown, id: unknown) =>
            onlyEndpoint(buildNetworkGraph([endpoint({ privateLinkServiceConnections: [connection(id, groupIds)] })]))
                .openAiAccount;
        assert.equal(openAi(["blob", "account"], foreign), true);
        assert.equal(openAi(["account"], UNKNOWN_STRING), true, "an account id unknown in preview");
        assert.equal(openAi(["blob"], foreign), false);
        assert.equal(openAi(undefined, foreign), false, "no group ids");
        assert.equal(openAi("account", foreign), false, "group ids not a list");
        assert.equal(openAi(UNKNOWN_SENTINELS.array, foreign), false, "group ids unknown");
        assert.equal(openAi(["account"], undefined), false, "no service id");
        assert.equal(
            openAi(
                ["account"],
                `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st`,
            ),
            false,
            "not a Cognitive Services account",
        );
    });

    it("keeps an unknown or foreign service id as the account name it can tell", () => {
        const view = (id: unknown) =>
            onlyEndpoint(buildNetworkGraph([account, endpoint({ privateLinkServiceConnections: [connection(id)] })]));
        assert.deepEqual([view(UNKNOWN_STRING).account, view(UNKNOWN_STRING).accountName], [undefined, UNKNOWN]);
        assert.deepEqual(
            [view("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st").accountName],
            [undefined],
        );
    });

    it("ignores connections that are not objects, and connection lists that are unknown", () => {
        const pe = endpoint({
            privateLinkServiceConnections: [null, "text", connection(accountId("contoso-openai"))],
            manualPrivateLinkServiceConnections: UNKNOWN_SENTINELS.array,
        });
        assert.equal(onlyEndpoint(buildNetworkGraph([account, pe])).account, "openai");
    });
});

describe("private endpoints: their network", () => {
    it("is the network of the subnet the endpoint's `subnet` depends on", () => {
        const network = vnet({ resourceGroupName: "rg-net", name: "vnet-a" });
        const subnet = subnetIn(network);
        const pe = resource(ENDPOINT, "pe", { subnet: { id: subnetId("rg-x", "vnet-x") } }, { subnet: [subnet.urn] });
        assert.equal(onlyEndpoint(buildNetworkGraph([network, subnet, pe])).network, "rg-net/vnet-a");
        const other = resource(ENDPOINT, "pe", {}, { customNetworkInterfaceName: [subnet.urn] });
        assert.equal(onlyEndpoint(buildNetworkGraph([network, subnet, other])).network, undefined);
    });

    it("is read from `subnet.id` otherwise; unknown or malformed ids give no network", () => {
        const network = (id: unknown) =>
            onlyEndpoint(buildNetworkGraph([resource(ENDPOINT, "pe", { subnet: { id } })])).network;
        assert.equal(network(subnetId("RG-Net", "VNet-A")), "rg-net/vnet-a");
        assert.equal(network(UNKNOWN_STRING), undefined);
        assert.equal(network(undefined), undefined);
        assert.equal(network(`${subnetId("rg-net", "vnet-a")}/x`), undefined);
    });
});

describe("private endpoints: their DNS zones", () => {
    const zone = (name: string, props: Record<string, unknown>) => resource(ZONE, name, props);
    const link = (name: string, props: Record<string, unknown>, dependsOn: Record<string, string[]> = {}) =>
        resource(ZONE_LINK, name, props, dependsOn);
    const group = (name: string, props: Record<string, unknown>, dependsOn: Record<string, string[]> = {}) =>
        resource(ZONE_GROUP, name, props, dependsOn);
    const pe = resource(ENDPOINT, "pe", { name: "pe-openai" });
    const configs = (...ids: unknown[]) => ({
        privateDnsZoneConfigs: ids.map((privateDnsZoneId) => ({ name: "config", privateDnsZoneId })),
    });
    const zonesOf = (resources: PolicyResource[], endpoint: PolicyResource = pe) =>
        onlyEndpoint(buildNetworkGraph([...resources, endpoint])).zones;

    it("are undefined when no zone group belongs to the endpoint", () => {
        assert.equal(zonesOf([]), undefined);
        assert.equal(
            zonesOf([group("other", { privateEndpointName: "pe-other", ...configs(zoneId(ZONE_NAME)) })]),
            undefined,
        );
    });

    it("belong to a zone group that depends on the endpoint, or names it (`name`, else `privateEndpointName`)", () => {
        const byDependency = group("g", configs(zoneId(ZONE_NAME)), { privateEndpointName: [pe.urn] });
        const outside = [{ zone: undefined, name: ZONE_NAME, links: [] }];
        assert.deepEqual(zonesOf([byDependency]), outside);
        assert.deepEqual(
            zonesOf([group("g", { privateEndpointName: "pe-openai", ...configs(zoneId(ZONE_NAME)) })]),
            outside,
        );
        const named = resource(ENDPOINT, "pe", { name: "pe-a", privateEndpointName: "pe-b" });
        assert.deepEqual(
            zonesOf([group("g", { privateEndpointName: "pe-a", ...configs(zoneId(ZONE_NAME)) })], named),
            outside,
        );
        assert.equal(
            zonesOf([group("g", { privateEndpointName: "pe-b", ...configs(zoneId(ZONE_NAME)) })], named),
            undefined,
        );
        const byEndpointName = resource(ENDPOINT, "pe", { privateEndpointName: "pe-b" });
        assert.deepEqual(
            zonesOf([group("g", { privateEndpointName: "pe-b", ...configs(zoneId(ZONE_NAME)) })], byEndpointName),
            outside,
        );
    });

    it("never match a zone group by a name unknown in preview", () => {
        const unknownName = resource(ENDPOINT, "pe", { name: UNKNOWN_STRING });
        assert.equal(
            zonesOf([group("g", { privateEndpointName: UNKNOWN_STRING, ...configs(zoneId(ZONE_NAME)) })], unknownName),
            undefined,
        );
    });

    it("are an empty list for a zone group without zone configs", () => {
        assert.deepEqual(zonesOf([group("g", { privateEndpointName: "pe-openai" })]), []);
    });

    it("are the zones of this stack the zone group depends on, before what its configs name", () => {
        const openAi = zone("zone-openai", { name: ZONE_NAME });
        const blob = zone("zone-blob", { name: "privatelink.blob.core.windows.net" });
        const dependent = group(
            "g",
            { privateEndpointName: "pe-openai", ...configs(zoneId("privatelink.blob.core.windows.net")) },
            {
                privateDnsZoneConfigs: [openAi.urn],
            },
        );
        assert.deepEqual(zonesOf([openAi, blob, dependent]), [{ zone: "zone-openai", name: ZONE_NAME, links: [] }]);
    });

    it("are found by the zone name in each config's `privateDnsZoneId` otherwise", () => {
        const blob = zone("zone-blob", { name: "privatelink.blob.core.windows.net" });
        const openAi = zone("zone-openai", { name: ZONE_NAME });
        const named = group("g", {
            privateEndpointName: "pe-openai",
            ...configs(zoneId(ZONE_NAME), zoneId("privatelink.vaultcore.azure.net"), UNKNOWN_STRING, undefined),
        });
        assert.deepEqual(zonesOf([blob, openAi, named]), [
            { zone: "zone-openai", name: ZONE_NAME, links: [] },
            { zone: undefined, name: "privatelink.vaultcore.azure.net", links: [] },
            { zone: undefined, name: UNKNOWN, links: [] },
            { zone: undefined, name: undefined, links: [] },
        ]);
    });

    it("read only a zone id that ends with the zone name", () => {
        const openAi = zone("zone-openai", { name: ZONE_NAME });
        const wrong = group("g", {
            privateEndpointName: "pe-openai",
            ...configs(`${zoneId(ZONE_NAME)}/virtualNetworkLinks/link`, zoneId("a"), zoneId(ZONE_NAME).toUpperCase()),
        });
        assert.deepEqual(zonesOf([openAi, wrong]), [
            { zone: undefined, name: undefined, links: [] },
            { zone: undefined, name: "a", links: [] },
            { zone: undefined, name: ZONE_NAME.toUpperCase(), links: [] },
        ]);
    });

    it("never match a zone of this stack whose name is unknown", () => {
        const unknownZone = zone("zone-unknown", { name: UNKNOWN_STRING });
        assert.deepEqual(
            zonesOf([unknownZone, group("g", { privateEndpointName: "pe-openai", ...configs(UNKNOWN_STRING) })]),
            [{ zone: undefined, name: UNKNOWN, links: [] }],
        );
    });

    it("collect the zones of every zone group of the endpoint", () => {
        const openAi = zone("zone-openai", { name: ZONE_NAME });
        assert.deepEqual(
            zonesOf([
                openAi,
                group("g1", { privateEndpointName: "pe-openai" }, { privateDnsZoneConfigs: [openAi.urn] }),
                group("g2", {
                    privateEndpointName: "pe-openai",
                    ...configs(zoneId("privatelink.blob.core.windows.net")),
                }),
            ]),
            [
                { zone: "zone-openai", name: ZONE_NAME, links: [] },
                { zone: undefined, name: "privatelink.blob.core.windows.net", links: [] },
            ],
        );
    });

    describe("a zone's name and network links", () => {
        /** The zone the endpoint's group depends on, with the links of the stack. */
        const zoneOf = (zoneResource: PolicyResource, others: PolicyResource[]) =>
            zonesOf([
                zoneResource,
                ...others,
                group("g", { privateEndpointName: "pe-openai" }, { privateDnsZoneConfigs: [zoneResource.urn] }),
            ])?.[0];
        const network = vnet({ resourceGroupName: "RG-Net", name: "VNet-A" });

        it("is named by `name`, else `privateZoneName`", () => {
            assert.equal(zoneOf(zone("z", { name: ZONE_NAME, privateZoneName: "other" }), [])?.name, ZONE_NAME);
            assert.equal(zoneOf(zone("z", { privateZoneName: ZONE_NAME }), [])?.name, ZONE_NAME);
            assert.equal(zoneOf(zone("z", {}), [])?.name, undefined);
        });

        it("links to the network a zone link depends on, before the link's `virtualNetwork.id`", () => {
            const openAi = zone("z", { name: ZONE_NAME });
            const byDependency = link(
                "link",
                { virtualNetwork: { id: vnetId("rg-x", "vnet-x") } },
                { privateZoneName: [openAi.urn], virtualNetwork: [network.urn] },
            );
            assert.deepEqual(zoneOf(openAi, [network, byDependency]), {
                zone: "z",
                name: ZONE_NAME,
                links: ["rg-net/vnet-a"],
            });
            const noId = link("link", {}, { privateZoneName: [openAi.urn], virtualNetwork: [network.urn] });
            assert.deepEqual(zoneOf(openAi, [network, noId])?.links, ["rg-net/vnet-a"]);
        });

        it("reads the link's `virtualNetwork.id` otherwise: a whole network id, or no network", () => {
            const openAi = zone("z", { name: ZONE_NAME });
            const id = vnetId("RG-Net", "VNet-B");
            const links = [id, UNKNOWN_STRING, undefined, `/x${id}`, `${id}/subnets/snet`, `${id.toUpperCase()}`].map(
                (value, index) =>
                    link(`link-${index}`, { virtualNetwork: { id: value } }, { privateZoneName: [openAi.urn] }),
            );
            assert.deepEqual(zoneOf(openAi, links)?.links, [
                "rg-net/vnet-b",
                undefined,
                undefined,
                undefined,
                undefined,
                "rg-net/vnet-b",
            ]);
        });

        it("has the links that depend on it or name it in `privateZoneName`, and no others", () => {
            const openAi = zone("z", { name: ZONE_NAME });
            const links = [
                link("by-name", { privateZoneName: ZONE_NAME, virtualNetwork: { id: vnetId("rg", "vnet-1") } }),
                link("other-zone", {
                    privateZoneName: "privatelink.blob.core.windows.net",
                    virtualNetwork: { id: vnetId("rg", "vnet-2") },
                }),
                link("no-zone", { virtualNetwork: { id: vnetId("rg", "vnet-3") } }),
                link(
                    "other-dependency",
                    { virtualNetwork: { id: vnetId("rg", "vnet-4") } },
                    { privateZoneName: [network.urn] },
                ),
                link(
                    "by-dependency",
                    { virtualNetwork: { id: vnetId("rg", "vnet-5") } },
                    { privateZoneName: [openAi.urn] },
                ),
            ];
            assert.deepEqual(zoneOf(openAi, [network, ...links])?.links, ["rg/vnet-1", "rg/vnet-5"]);
            const byPrivateZoneName = zone("z-by-private-zone-name", { privateZoneName: ZONE_NAME });
            assert.deepEqual(zoneOf(byPrivateZoneName, links)?.links, ["rg/vnet-1"]);
        });

        it("never matches a link by a zone name unknown in preview", () => {
            const unknownZone = zone("z", { name: UNKNOWN_STRING });
            const unknownLink = link("link", {
                privateZoneName: UNKNOWN_STRING,
                virtualNetwork: { id: vnetId("rg", "vnet-1") },
            });
            assert.deepEqual(zoneOf(unknownZone, [unknownLink]), { zone: "z", name: UNKNOWN, links: [] });
        });

        it("is the same zone, links and all, when a config names it by id", () => {
            const openAi = zone("z", { name: ZONE_NAME });
            const byName = link("link", { privateZoneName: ZONE_NAME, virtualNetwork: { id: vnetId("rg", "vnet-1") } });
            assert.deepEqual(
                zonesOf([
                    openAi,
                    byName,
                    group("g", { privateEndpointName: "pe-openai", ...configs(zoneId(ZONE_NAME)) }),
                ]),
                [{ zone: "z", name: ZONE_NAME, links: ["rg/vnet-1"] }],
            );
        });
    });
});

describe("openAiEndpoints", () => {
    it("keeps the endpoints that connect to an Azure OpenAI account, in stack order", () => {
        const account = resource(ACCOUNT, "openai", { kind: "OpenAI", name: "contoso-openai" });
        const graph = buildNetworkGraph([
            resource(ENDPOINT, "pe-blob", {
                privateLinkServiceConnections: [
                    {
                        privateLinkServiceId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st`,
                        groupIds: ["blob"],
                    },
                ],
            }),
            account,
            resource(ENDPOINT, "pe-foreign", {
                privateLinkServiceConnections: [{ privateLinkServiceId: accountId("other-ai"), groupIds: ["account"] }],
            }),
            resource(ENDPOINT, "pe-mine", {}, { privateLinkServiceConnections: [account.urn] }),
        ]);
        assert.deepEqual(
            graph.endpoints.map((endpoint) => endpoint.node.name),
            ["pe-blob", "pe-foreign", "pe-mine"],
        );
        assert.deepEqual(
            openAiEndpoints(graph).map((endpoint) => endpoint.node.name),
            ["pe-foreign", "pe-mine"],
        );
    });
});
