import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { networkPolicies } from "../policy/networkPolicies";
import { evaluatePolicies } from "../tools/engine/policyHarness";
import { ACCOUNT_ID, openAiAccount, recorded, UNKNOWN, withInput } from "./support/policyFixtures";
import type { RegisteredResource } from "./support/program";
import { TEST_SUBSCRIPTION_ID } from "./support/world";
import { assertMatchesSnapshot, type TextSnapshot } from "./support/textSnapshot";

/**
 * What people read when one of the private-network policies (policy/networkPolicies.ts) stops
 * `pulumi preview --policy-pack`: the message names the mistake, the error the pods would get (a 403 or a time-out)
 * and the fix. tests/planNetwork.test.ts and tests/privateNetwork.test.ts check that the shipped stacks pass and that
 * a broken one fails the right policy; here every branch that writes a message has one hand-written stack, and the
 * full text of every message (with the resource it is attached to) is pinned in tests/snapshots/networkViolations.txt,
 * one `fixture -> policy @ resource: message` line each (UPDATE_NETWORK_VIOLATIONS_SNAPSHOT=1 rewrites it; read the
 * diff before committing it). The edges of each rule (values unknown in preview, resources outside the stack, which
 * resources a rule judges, empty lists, which addresses count as public) are then asserted outcome by outcome.
 *
 * The stacks link their resources by ARM id and name only (no property dependencies): how the graph is built from
 * either is tests/policyNetworkGraph.test.ts's business.
 */

const SNAPSHOT: TextSnapshot = {
    file: "networkViolations.txt",
    updateVariable: "UPDATE_NETWORK_VIOLATIONS_SNAPSHOT",
    testFile: "tests/policyNetworkMessages.test.ts",
    changed: "A network policy's violation message changed",
};

const OPENAI_ZONE = "privatelink.openai.azure.com";
const COGNITIVE_ZONE = "privatelink.cognitiveservices.azure.com";
const BLOB_ZONE = "privatelink.blob.core.windows.net";
const NET_GROUP = "rg-net";
const GROUP_ID = `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/${NET_GROUP}`;
const PUBLIC_ACCESS_DISABLED = '403 "Public access is disabled. Please configure private endpoint."';
const FIREWALL_DENIED = '403 "Access denied due to Virtual Network/Firewall rules."';

const vnetId = (vnet: string) => `${GROUP_ID}/providers/Microsoft.Network/virtualNetworks/${vnet}`;
const subnetId = (vnet: string, subnet: string) => `${vnetId(vnet)}/subnets/${subnet}`;
const zoneId = (zone: string) => `${GROUP_ID}/providers/Microsoft.Network/privateDnsZones/${zone}`;

/** The account, public network access Disabled (what `openai.network: private` sets). */
function account(properties: Record<string, unknown> = {}): RegisteredResource {
    return openAiAccount({ publicNetworkAccess: "Disabled", ...properties });
}

/** A public account (access Enabled) with these network ACLs. */
function publicAccount(networkAcls?: unknown): RegisteredResource {
    return account({ publicNetworkAccess: "Enabled", ...(networkAcls === undefined ? {} : { networkAcls }) });
}

/** A private endpoint (group account) to the account, in subnet `endpoints` of `vnet`. */
function endpoint(vnet = "vnet-aks", target: unknown = ACCOUNT_ID): RegisteredResource {
    return recorded("azure-native:network:PrivateEndpoint", "openai-endpoint", {
        resourceGroupName: NET_GROUP,
        privateEndpointName: "pe-openai",
        subnet: { id: subnetId(vnet, "endpoints") },
        privateLinkServiceConnections: [{ name: "pe-openai", privateLinkServiceId: target, groupIds: ["account"] }],
    });
}

/** The endpoint's zone group, writing into the zones with these ids. */
function zoneGroup(...zoneIds: unknown[]): RegisteredResource {
    return recorded("azure-native:network:PrivateDnsZoneGroup", "openai-zone-group", {
        resourceGroupName: NET_GROUP,
        privateEndpointName: "pe-openai",
        privateDnsZoneGroupName: "default",
        privateDnsZoneConfigs: zoneIds.map((id, index) => ({ name: `zone-${index}`, privateDnsZoneId: id })),
    });
}

/** A private DNS zone of this stack (Pulumi name `openai-zone` for the OpenAI one). */
function zone(name = OPENAI_ZONE): RegisteredResource {
    const resourceName = name === OPENAI_ZONE ? "openai-zone" : `zone-${name.split(".")[1]}`;
    return recorded("azure-native:privatedns:PrivateZone", resourceName, {
        resourceGroupName: NET_GROUP,
        privateZoneName: name,
        location: "global",
    });
}

/** A link from a zone of this stack to a network given by id (or an unknown one). */
function link(networkId: unknown, zoneName = OPENAI_ZONE): RegisteredResource {
    return recorded("azure-native:privatedns:VirtualNetworkLink", `link-${String(networkId).split("/").pop()}`, {
        resourceGroupName: NET_GROUP,
        privateZoneName: zoneName,
        virtualNetwork: { id: networkId },
        registrationEnabled: false,
        location: "global",
    });
}

/** The cluster, its nodes in this subnet; `null` names none (AKS then makes a network of its own). */
function cluster(nodeSubnet: unknown = subnetId("vnet-aks", "nodes")): RegisteredResource {
    const pool = { name: "system", ...(nodeSubnet === null ? {} : { vnetSubnetID: nodeSubnet }) };
    return recorded("azure-native:containerservice:ManagedCluster", "cluster", {
        resourceGroupName: NET_GROUP,
        resourceName: "aks-store",
        agentPoolProfiles: [pool],
    });
}

/** The private path whole: every network policy passes on it, and each fixture below breaks one thing. */
function privateStack(): RegisteredResource[] {
    return [cluster(), account(), endpoint(), zoneGroup(zoneId(OPENAI_ZONE)), zone(), link(vnetId("vnet-aks"))];
}

/** The private stack with the resources of these Pulumi names left out. */
function without(...names: string[]): RegisteredResource[] {
    return privateStack().filter((resource) => !names.includes(resource.name));
}

/** The private stack with the resources of the given Pulumi names replaced (or left out for `[]`). */
function replacing(replacements: Record<string, RegisteredResource[]>): RegisteredResource[] {
    return privateStack().flatMap((resource) => replacements[resource.name] ?? [resource]);
}

/** Every violation of the network policies, as `policy @ resource: message`, in the order they are reported. */
async function violations(resources: readonly RegisteredResource[]): Promise<string[]> {
    const report = await evaluatePolicies(resources, [...networkPolicies]);
    assert.deepEqual(report.gaveUp, [], "no network policy may give up on an unknown value");
    return report.violations.map((violation) => {
        const on = resources.find((resource) => resource.urn === violation.urn);
        return `${violation.policyName} @ ${on?.name ?? String(violation.urn)}: ${violation.message}`;
    });
}

/** Only the names of the policies that report, one per violation. */
async function failing(resources: readonly RegisteredResource[]): Promise<string[]> {
    return (await violations(resources)).map((violation) => violation.split(" @ ")[0]);
}

const ZONE_NAME = "openai-private-dns-zone-name";
const ZONE_LINKED = "openai-private-dns-zone-linked";
const NEEDS_ENDPOINT = "openai-public-access-needs-endpoint";
const IN_CLUSTER_NETWORK = "openai-endpoint-in-cluster-network";
const RULES_ADMIT = "openai-network-rules-admit-cluster";

/** One fixture per message branch; each name says what is wrong with it, `policies` who reports it. */
const CASES: readonly {
    readonly name: string;
    readonly resources: RegisteredResource[];
    readonly policies: readonly string[];
}[] = [
    // openai-private-dns-zone-name
    {
        name: "endpoint without a zone group, account public access Disabled",
        resources: without("openai-zone-group"),
        policies: [ZONE_NAME],
    },
    {
        name: "endpoint writing only into the cognitiveservices and blob zones, account public access Enabled",
        resources: replacing({
            "chat-openai": [publicAccount()],
            "openai-zone-group": [zoneGroup(zoneId(COGNITIVE_ZONE), zoneId(BLOB_ZONE))],
        }),
        policies: [ZONE_NAME],
    },
    {
        name: "endpoint to an account id unknown in preview, without a zone group",
        resources: replacing({
            "chat-openai": [],
            "openai-endpoint": [endpoint("vnet-aks", UNKNOWN)],
            "openai-zone-group": [],
        }),
        policies: [ZONE_NAME],
    },
    // openai-private-dns-zone-linked
    {
        name: "zone linked to no network, account public access Disabled",
        resources: without("link-vnet-aks"),
        policies: [ZONE_LINKED],
    },
    {
        name: "zone linked to another network than the cluster's, account public access Enabled",
        resources: replacing({ "chat-openai": [publicAccount()], "link-vnet-aks": [link(vnetId("vnet-hub"))] }),
        policies: [ZONE_LINKED],
    },
    {
        name: "zone linked, cluster naming no subnet, endpoint subnet unknown in preview",
        resources: replacing({
            cluster: [cluster(null)],
            "openai-endpoint": [withInput(endpoint(), "subnet.id", UNKNOWN)],
        }),
        policies: [ZONE_LINKED],
    },
    {
        name: "zone linked to no network, no cluster in the stack",
        resources: without("cluster", "link-vnet-aks"),
        policies: [ZONE_LINKED],
    },
    // openai-public-access-needs-endpoint
    {
        name: "account with public access Disabled and no endpoint",
        resources: [account()],
        policies: [NEEDS_ENDPOINT],
    },
    // openai-endpoint-in-cluster-network
    {
        name: "endpoint in another network than the cluster's nodes",
        resources: replacing({ "openai-endpoint": [endpoint("vnet-hub")] }),
        policies: [IN_CLUSTER_NETWORK],
    },
    {
        name: "endpoint in a network, cluster naming no subnet, zone outside the stack",
        resources: replacing({ cluster: [cluster(null)], "openai-zone": [], "link-vnet-aks": [] }),
        policies: [IN_CLUSTER_NETWORK],
    },
    {
        name: "no cluster, zone linked to two networks, endpoint in a third",
        resources: replacing({
            cluster: [],
            "openai-endpoint": [endpoint("vnet-spoke")],
            "link-vnet-aks": [link(vnetId("vnet-a")), link(vnetId("vnet-b"))],
        }),
        policies: [IN_CLUSTER_NETWORK],
    },
    // openai-network-rules-admit-cluster
    {
        name: "public account denying by default without ipRules",
        resources: [publicAccount({ defaultAction: "Deny" })],
        policies: [RULES_ADMIT],
    },
    {
        name: "public account denying by default, allowing only private ranges",
        resources: [
            publicAccount({ defaultAction: "Deny", ipRules: [{ value: "10.0.0.0/8" }, { value: "192.168.1.10" }] }),
        ],
        policies: [RULES_ADMIT],
    },
];

async function snapshotText(): Promise<string> {
    const lines: string[] = [];
    for (const { name, resources } of CASES) {
        const found = await violations(resources);
        lines.push(...(found.length === 0 ? [`${name} -> (no violation)`] : found.map((v) => `${name} -> ${v}`)));
    }
    return `${lines.join("\n")}\n`;
}

describe("the network policies' violation messages", () => {
    it("match tests/snapshots/networkViolations.txt word for word: what users read changes only on purpose", async () => {
        const text = await snapshotText();
        assertMatchesSnapshot(SNAPSHOT, text);
    });

    it("give every fixture exactly the violation it is named for, so each snapshot line is one branch's message", async () => {
        for (const { name, resources, policies } of CASES) {
            assert.deepEqual(await failing(resources), policies, name);
        }
    });

    it("pass the whole private path: the fixtures above each break one thing of a compliant stack", async () => {
        assert.deepEqual(await violations(privateStack()), []);
    });

    it("name the error the pods get: a 403 when public access is off, the internet when it is on", async () => {
        const [disabled] = await violations(without("link-vnet-aks"));
        assert.ok(
            disabled.includes(
                `so the account's name resolves to its public address and the pods get ${PUBLIC_ACCESS_DISABLED}. Fix:`,
            ),
            disabled,
        );
        const enabled = (await violations(replacing({ "chat-openai": [publicAccount()], "link-vnet-aks": [] })))[0];
        assert.ok(
            enabled.includes(
                "so the account's name resolves to its public address, and the calls leave the network over the internet. Fix:",
            ),
            enabled,
        );
        const [denied] = await violations([publicAccount({ defaultAction: "Deny" })]);
        assert.ok(denied.includes(`and get ${FIREWALL_DENIED}. Fix:`), denied);
    });
});

describe("openai-private-dns-zone-name: which zone names count", () => {
    it("accepts the OpenAI zone next to another one: the record the pods look up is written", async () => {
        const both = replacing({ "openai-zone-group": [zoneGroup(zoneId(COGNITIVE_ZONE), zoneId(OPENAI_ZONE))] });
        assert.deepEqual(await violations(both), []);
    });

    it("judges nothing while one of the zones is unknown in preview, even next to a wrong one", async () => {
        const later = replacing({ "openai-zone-group": [zoneGroup(UNKNOWN, zoneId(COGNITIVE_ZONE))] });
        assert.deepEqual(await violations(later), []);
    });

    it("leaves an endpoint to something other than an OpenAI account alone (a storage account, group blob)", async () => {
        const storage = `${GROUP_ID}/providers/Microsoft.Storage/storageAccounts/stchat`;
        const blob = withInput(endpoint("vnet-aks", storage), "privateLinkServiceConnections.0.groupIds", ["blob"]);
        assert.deepEqual(await violations([cluster(), publicAccount(), blob]), []);
    });
});

describe("openai-private-dns-zone-linked: which zones, which links", () => {
    it("judges only the OpenAI zone: an unlinked cognitiveservices zone of the stack is the zone name's mistake", async () => {
        const wrongZone = replacing({
            "openai-zone-group": [zoneGroup(zoneId(COGNITIVE_ZONE))],
            "openai-zone": [zone(COGNITIVE_ZONE)],
            "link-vnet-aks": [],
        });
        assert.deepEqual(await failing(wrongZone), [ZONE_NAME]);
    });

    it("does not judge a zone outside the stack (its links are not in this stack to see)", async () => {
        assert.deepEqual(await violations(without("openai-zone", "link-vnet-aks")), []);
    });

    it("judges nothing while a link's network is unknown in preview", async () => {
        assert.deepEqual(await violations(replacing({ "link-vnet-aks": [link(UNKNOWN)] })), []);
        const twoLinks = replacing({ "link-vnet-aks": [link(vnetId("vnet-hub")), link(UNKNOWN)] });
        assert.deepEqual(await violations(twoLinks), []);
    });

    it("judges nothing while the cluster's subnet is unknown in preview, whatever the zone is linked to", async () => {
        const later = replacing({ cluster: [cluster(UNKNOWN)], "link-vnet-aks": [link(vnetId("vnet-hub"))] });
        assert.deepEqual(await violations(later), []);
        const unlinked = replacing({ cluster: [cluster(UNKNOWN)], "link-vnet-aks": [] });
        assert.deepEqual(await violations(unlinked), []);
    });

    it("without a cluster in the stack, accepts a zone linked to any network", async () => {
        const noCluster = replacing({ cluster: [], "link-vnet-aks": [link(vnetId("vnet-hub"))] });
        assert.deepEqual(await failing(noCluster), [IN_CLUSTER_NETWORK]);
        const hub = replacing({
            cluster: [],
            "openai-endpoint": [endpoint("vnet-hub")],
            "link-vnet-aks": [link(vnetId("vnet-hub"))],
        });
        assert.deepEqual(await violations(hub), []);
    });

    it("accepts a zone linked to the cluster's network among others", async () => {
        const more = replacing({ "link-vnet-aks": [link(vnetId("vnet-hub")), link(vnetId("vnet-aks"))] });
        assert.deepEqual(await violations(more), []);
    });

    it("reports a zone linked to no network when the cluster names no subnet", async () => {
        const bare = replacing({
            cluster: [cluster(null)],
            "openai-endpoint": [withInput(endpoint(), "subnet.id", UNKNOWN)],
            "link-vnet-aks": [],
        });
        const [message] = await violations(bare);
        assert.ok(
            message.startsWith(
                `${ZONE_LINKED} @ openai-zone: Zone ${OPENAI_ZONE} (openai-zone) is linked to no network: `,
            ),
            message,
        );
    });
});

describe("openai-public-access-needs-endpoint: which accounts", () => {
    it("leaves an account with public access on, or not known yet, alone", async () => {
        assert.deepEqual(await violations([publicAccount()]), []);
        assert.deepEqual(await violations([account({ publicNetworkAccess: UNKNOWN })]), []);
        assert.deepEqual(await violations([account({ publicNetworkAccess: undefined })]), []);
    });

    it("is satisfied by an endpoint of the stack to that account, whatever else is wrong with it", async () => {
        assert.deepEqual(await failing([account(), endpoint()]), [ZONE_NAME]);
    });

    it("still reports the account when the stack's endpoint goes to another account", async () => {
        const other = ACCOUNT_ID.replace(/contoso-openai$/, "other-openai");
        assert.deepEqual(await failing(replacing({ "openai-endpoint": [endpoint("vnet-aks", other)] })), [
            NEEDS_ENDPOINT,
        ]);
    });
});

describe("openai-endpoint-in-cluster-network: what it compares", () => {
    it("judges nothing while the endpoint's subnet is unknown in preview, or not a subnet id", async () => {
        for (const id of [UNKNOWN, "snet-endpoints"]) {
            const endpointIn = replacing({ "openai-endpoint": [withInput(endpoint("vnet-hub"), "subnet.id", id)] });
            assert.deepEqual(await violations(endpointIn), [], String(id));
        }
    });

    it("judges nothing while the cluster's subnet is unknown in preview", async () => {
        const later = replacing({ cluster: [cluster(UNKNOWN)], "openai-endpoint": [endpoint("vnet-hub")] });
        assert.deepEqual(await violations(later), []);
    });

    it("without a cluster, judges nothing when no zone of the stack tells where the cluster is", async () => {
        assert.deepEqual(await failing(replacing({ cluster: [], "openai-zone-group": [] })), [ZONE_NAME]);
        assert.deepEqual(await violations(replacing({ cluster: [], "openai-zone": [], "link-vnet-aks": [] })), []);
        assert.deepEqual(await failing(without("cluster", "link-vnet-aks")), [ZONE_LINKED]);
        assert.deepEqual(await violations(replacing({ cluster: [], "link-vnet-aks": [link(UNKNOWN)] })), []);
        const unknownAmongOthers = replacing({
            cluster: [],
            "openai-endpoint": [endpoint("vnet-spoke")],
            "link-vnet-aks": [link(vnetId("vnet-hub")), link(UNKNOWN)],
        });
        assert.deepEqual(await violations(unknownAmongOthers), []);
    });

    it("without a cluster, accepts an endpoint in any network the OpenAI zone is linked to", async () => {
        const second = replacing({
            cluster: [],
            "openai-endpoint": [endpoint("vnet-b")],
            "link-vnet-aks": [link(vnetId("vnet-a")), link(vnetId("vnet-b"))],
        });
        assert.deepEqual(await violations(second), []);
    });

    it("reads the cluster's network from the OpenAI zone only, not from another zone of the endpoint", async () => {
        const otherZoneLinked = replacing({
            cluster: [],
            "openai-zone-group": [zoneGroup(zoneId(COGNITIVE_ZONE), zoneId(OPENAI_ZONE))],
            "openai-endpoint": [endpoint("vnet-hub")],
            "link-vnet-aks": [link(vnetId("vnet-aks")), link(vnetId("vnet-hub"), COGNITIVE_ZONE)],
        });
        const cognitive = zone(COGNITIVE_ZONE);
        assert.deepEqual(await failing([...otherZoneLinked, cognitive]), [IN_CLUSTER_NETWORK]);
    });
});

describe("openai-network-rules-admit-cluster: which accounts it judges", () => {
    const denyNothing = { defaultAction: "Deny" };

    it("leaves an account with public access Disabled to the endpoint policy", async () => {
        assert.deepEqual(await failing([account({ networkAcls: denyNothing })]), [NEEDS_ENDPOINT]);
    });

    it("leaves an account whose ACLs are absent, unknown in preview, or not denying by default alone", async () => {
        for (const acls of [undefined, UNKNOWN, { defaultAction: "Allow" }, { defaultAction: UNKNOWN }, {}]) {
            assert.deepEqual(await violations([publicAccount(acls)]), [], JSON.stringify(acls));
        }
    });

    it("leaves an account reached through an endpoint of the stack alone", async () => {
        const reached = replacing({ "chat-openai": [publicAccount(denyNothing)] });
        assert.deepEqual(await violations(reached), []);
    });

    it("still judges the account when the stack's endpoint goes to another account", async () => {
        const other = ACCOUNT_ID.replace(/contoso-openai$/, "other-openai");
        const elsewhere = replacing({
            "chat-openai": [publicAccount(denyNothing)],
            "openai-endpoint": [endpoint("vnet-aks", other)],
        });
        assert.deepEqual(await failing(elsewhere), [RULES_ADMIT]);
    });

    it("leaves an account with virtual network rules alone: the cluster's subnet may be one of them", async () => {
        const rules = { ...denyNothing, virtualNetworkRules: [{ id: subnetId("vnet-aks", "nodes") }] };
        assert.deepEqual(await violations([publicAccount(rules)]), []);
        assert.deepEqual(await violations([publicAccount({ ...denyNothing, virtualNetworkRules: UNKNOWN })]), []);
    });

    it("reports empty ipRules and empty virtualNetworkRules as allowing no address", async () => {
        const empty = { ...denyNothing, ipRules: [], virtualNetworkRules: [] };
        const [message] = await violations([publicAccount(empty)]);
        assert.ok(message.includes("contoso-openai denies by default and allows no address: "), message);
    });

    it("reports an ip rule without a value as allowing no address", async () => {
        const [message] = await violations([publicAccount({ ...denyNothing, ipRules: [{ action: "Allow" }] })]);
        assert.ok(message.includes("contoso-openai denies by default and allows no address: "), message);
    });

    it("judges nothing while the ip rules, or one of their values, are unknown in preview", async () => {
        for (const ipRules of [
            UNKNOWN,
            [{ value: UNKNOWN }, { value: "10.0.0.1" }],
            [{ value: "10.0.0.1" }, { value: UNKNOWN }],
        ]) {
            assert.deepEqual(await violations([publicAccount({ ...denyNothing, ipRules })]), [], String(ipRules));
        }
    });
});

describe("openai-network-rules-admit-cluster: which addresses no public caller has", () => {
    const allowing = (ranges: readonly string[]) =>
        violations([publicAccount({ defaultAction: "Deny", ipRules: ranges.map((value) => ({ value })) })]);
    const reported = (ranges: readonly string[]) => [
        `${RULES_ADMIT} @ chat-openai: Azure OpenAI account contoso-openai denies by default and allows only ` +
            `${ranges.join(", ")}, which no call over the public endpoint comes from: the cluster's calls arrive from ` +
            `its public egress address and get ${FIREWALL_DENIED}. Fix: add the cluster's egress address to ` +
            'openai.allowedIpRanges, or set openai.network to "private".',
    ];

    it("reports private, loopback, link-local, shared and this-network addresses and their edges", async () => {
        const nonPublic = [
            "10.1.2.3",
            "172.16.0.1",
            "172.20.0.1",
            "172.29.0.0/16",
            "172.31.255.255",
            "192.168.0.0/16",
            "127.0.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.69.0.1",
            "100.70.0.1",
            "100.99.0.1",
            "100.100.0.1",
            "100.110.0.1",
            "100.119.0.1",
            "100.120.0.1",
            "100.127.255.255",
            "0.0.0.0/8",
        ];
        for (const range of nonPublic) {
            assert.deepEqual(await allowing([range]), reported([range]), range);
        }
    });

    it("accepts a public address, also one containing a private prefix further in or just outside a range", async () => {
        const publicRanges = [
            "52.10.1.1",
            "8.172.16.1",
            "172.15.0.1",
            "172.32.0.1",
            "172.3.0.1",
            "8.192.168.1",
            "192.169.0.1",
            "8.8.127.1",
            "8.169.254.1",
            "169.255.0.1",
            "8.100.64.1",
            "100.63.0.1",
            "100.128.0.1",
            "100.6.0.1",
            "100.1.0.1",
            "100.12.0.1",
            "100.130.0.1",
            "80.0.0.1",
            "203.0.113.0/24",
        ];
        for (const range of publicRanges) {
            assert.deepEqual(await allowing([range]), [], range);
        }
    });

    it("accepts a public address among private ones: the cluster's egress may be that one", async () => {
        assert.deepEqual(await allowing(["10.0.0.0/8", "203.0.113.7", "192.168.1.10"]), []);
    });
});
