import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { publicAccessAdvice } from "../components/existingOpenAiAccount";
import { evaluatePolicies } from "../tools/engine/policyHarness";
import { GREENFIELD_CONFIG } from "./support/configs";
import {
    at,
    ofType,
    runProgram,
    single,
    stackConfig,
    UNKNOWN,
    type ProgramRun,
    type RegisteredResource,
} from "./support/program";
import { seedWorld } from "./support/world";

/**
 * `openai.network: private`, as `pulumi up` and `pulumi preview` would register it: the network a managed cluster
 * joins, the control-plane identity's role on its subnet before the cluster, the account with public access off, and
 * the private endpoint with its DNS zone linked to the cluster's network; or, for resources the stack does not own,
 * the endpoint in a configured subnet and a warning instead of a change to the account.
 */

const T = {
    vnet: "azure-native:network:VirtualNetwork",
    subnet: "azure-native:network:Subnet",
    endpoint: "azure-native:network:PrivateEndpoint",
    zoneGroup: "azure-native:network:PrivateDnsZoneGroup",
    zone: "azure-native:privatedns:PrivateZone",
    link: "azure-native:privatedns:VirtualNetworkLink",
    cluster: "azure-native:containerservice:ManagedCluster",
    account: "azure-native:cognitiveservices:Account",
    identity: "azure-native:managedidentity:UserAssignedIdentity",
    role: "azure-native:authorization:RoleAssignment",
    deployment: "kubernetes:apps/v1:Deployment",
};

const SUBSCRIPTION = seedWorld().subscriptionId;
const GROUP = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-store-greenfield`;
const NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7";

const PRIVATE_GREENFIELD = {
    ...GREENFIELD_CONFIG,
    "aks-openai-wi:openai": { ...(GREENFIELD_CONFIG["aks-openai-wi:openai"] as object), network: "private" },
    // Recorded calls, so the policy pack's audit advisory has nothing to say either: these tests judge the network.
    "aks-openai-wi:audit": { enabled: true },
};

const EXISTING_SUBNET =
    "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub-aks/subnets/snet-endpoints";
const EXISTING_VNET =
    "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub-aks";

function named(resources: readonly RegisteredResource[], type: string, name: string): RegisteredResource {
    const found = ofType(resources, type).find((resource) => resource.name === name);
    assert.ok(found, `no ${type} named ${name}`);
    return found;
}

let privateUp: Promise<ProgramRun> | undefined;
/** One `pulumi up` of the private greenfield stack, run once for every test that only reads it. */
function privateGreenfieldUp(): Promise<ProgramRun> {
    privateUp ??= runProgram({ config: PRIVATE_GREENFIELD, stack: "scratch" });
    return privateUp;
}

describe("private mode, managed cluster and account (pulumi up)", () => {
    it("creates the virtual network with the node and endpoint subnets, one after the other", async () => {
        const run = await privateGreenfieldUp();
        const vnet = single(run.resources, T.vnet);
        assert.equal(vnet.inputs.virtualNetworkName, "vnet-aks-store");
        assert.deepEqual(vnet.inputs.addressSpace, { addressPrefixes: ["10.224.0.0/16"] });
        assert.equal(vnet.inputs.subnets, undefined);
        const nodes = named(run.resources, T.subnet, "cluster-network-nodes");
        const endpoints = named(run.resources, T.subnet, "cluster-network-endpoints");
        assert.deepEqual([nodes.inputs.subnetName, nodes.inputs.addressPrefix], ["nodes", "10.224.0.0/20"]);
        assert.deepEqual(
            [endpoints.inputs.subnetName, endpoints.inputs.addressPrefix],
            ["private-endpoints", "10.224.16.0/24"],
        );
        assert.ok(endpoints.dependencies.includes(nodes.urn));
    });

    it("gives the control-plane identity Network Contributor on the node subnet only", async () => {
        const run = await privateGreenfieldUp();
        const identity = named(run.resources, T.identity, "cluster-control-plane-identity");
        assert.equal(identity.inputs.resourceName, "id-aks-store-control-plane");
        const role = named(run.resources, T.role, "cluster-control-plane-subnet-role");
        assert.equal(
            role.inputs.scope,
            `${GROUP}/providers/Microsoft.Network/virtualNetworks/vnet-aks-store/subnets/nodes`,
        );
        assert.equal(
            role.inputs.roleDefinitionId,
            `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${NETWORK_CONTRIBUTOR}`,
        );
        assert.equal(role.inputs.principalId, identity.state.principalId);
        assert.equal(role.inputs.principalType, "ServicePrincipal");
        assert.equal(role.deleteBeforeReplace, true);
    });

    it("runs the cluster on the node subnet with Azure CNI Overlay, as that identity, after its role exists", async () => {
        const run = await privateGreenfieldUp();
        const cluster = single(run.resources, T.cluster);
        const identity = named(run.resources, T.identity, "cluster-control-plane-identity");
        const role = named(run.resources, T.role, "cluster-control-plane-subnet-role");
        assert.deepEqual(cluster.inputs.identity, { type: "UserAssigned", userAssignedIdentities: [identity.id] });
        assert.equal(
            at(cluster.inputs, "agentPoolProfiles.0.vnetSubnetID"),
            `${GROUP}/providers/Microsoft.Network/virtualNetworks/vnet-aks-store/subnets/nodes`,
        );
        assert.deepEqual(cluster.inputs.networkProfile, {
            networkPlugin: "azure",
            networkPluginMode: "overlay",
            podCidr: "10.244.0.0/16",
            serviceCidr: "10.0.0.0/16",
            dnsServiceIP: "10.0.0.10",
            // azure-native's SDK default, sent as an input.
            outboundType: "loadBalancer",
        });
        assert.ok(cluster.dependencies.includes(role.urn), "the cluster must wait for the subnet role");
    });

    it("turns the account's public network access off", async () => {
        const run = await privateGreenfieldUp();
        const account = single(run.resources, T.account);
        assert.equal(at(account.inputs, "properties.publicNetworkAccess"), "Disabled");
        assert.equal(at(account.inputs, "properties.networkAcls"), undefined);
    });

    it("puts a private endpoint (group account) for the account in the endpoint subnet", async () => {
        const run = await privateGreenfieldUp();
        const endpoint = single(run.resources, T.endpoint);
        const account = single(run.resources, T.account);
        assert.equal(endpoint.inputs.privateEndpointName, "pe-store-openai-7f3a");
        assert.equal(endpoint.inputs.location, "swedencentral");
        assert.equal(
            at(endpoint.inputs, "subnet.id"),
            `${GROUP}/providers/Microsoft.Network/virtualNetworks/vnet-aks-store/subnets/private-endpoints`,
        );
        assert.deepEqual(endpoint.inputs.privateLinkServiceConnections, [
            { name: "pe-store-openai-7f3a", privateLinkServiceId: account.id, groupIds: ["account"] },
        ]);
    });

    it("resolves the account through privatelink.openai.azure.com, linked to the cluster's network, with a zone group", async () => {
        const run = await privateGreenfieldUp();
        const zone = single(run.resources, T.zone);
        assert.deepEqual(
            [zone.inputs.privateZoneName, zone.inputs.location],
            ["privatelink.openai.azure.com", "global"],
        );
        const link = single(run.resources, T.link);
        assert.deepEqual(link.inputs.virtualNetwork, { id: single(run.resources, T.vnet).id });
        assert.equal(link.inputs.privateZoneName, "privatelink.openai.azure.com");
        assert.equal(link.inputs.registrationEnabled, false);
        assert.equal(link.inputs.virtualNetworkLinkName, "vnet-aks-store");
        // Zone links are global resources, like their zone: ARM refuses a regional location for them.
        assert.equal(link.inputs.location, "global");
        const group = single(run.resources, T.zoneGroup);
        assert.equal(group.inputs.privateEndpointName, "pe-store-openai-7f3a");
        // Part of the zone group's ARM id: another name on an existing stack would replace it.
        assert.equal(group.inputs.privateDnsZoneGroupName, "default");
        assert.deepEqual(group.inputs.privateDnsZoneConfigs, [{ name: "openai", privateDnsZoneId: zone.id }]);
    });

    it("starts ai-service only once the account's name resolves to the endpoint", async () => {
        const run = await privateGreenfieldUp();
        const deployment = single(run.resources, T.deployment);
        assert.ok(deployment.dependencies.includes(single(run.resources, T.zoneGroup).urn));
        assert.ok(deployment.dependencies.includes(single(run.resources, T.link).urn));
    });
});

describe("private mode, managed cluster and account (pulumi preview of a first deployment)", () => {
    it("registers the same resources, ordered by their dependencies while every id is unknown", async () => {
        const run = await runProgram({ config: PRIVATE_GREENFIELD, stack: "scratch", preview: true });
        const cluster = single(run.resources, T.cluster);
        const role = named(run.resources, T.role, "cluster-control-plane-subnet-role");
        const nodes = named(run.resources, T.subnet, "cluster-network-nodes");
        assert.equal(at(cluster.inputs, "agentPoolProfiles.0.vnetSubnetID"), UNKNOWN);
        assert.deepEqual(cluster.propertyDependencies.agentPoolProfiles, [nodes.urn]);
        assert.ok(cluster.dependencies.includes(role.urn));
        const endpoint = single(run.resources, T.endpoint);
        assert.deepEqual(endpoint.propertyDependencies.privateLinkServiceConnections, [
            single(run.resources, T.account).urn,
        ]);
        assert.equal(at(single(run.resources, T.account).inputs, "properties.publicNetworkAccess"), "Disabled");
    });
});

describe("private mode, existing cluster and account (the dev stack)", () => {
    const config = {
        ...stackConfig("dev"),
        "aks-openai-wi:openai": {
            ...(stackConfig("dev")["aks-openai-wi:openai"] as object),
            network: "private",
            privateEndpoint: { subnetId: EXISTING_SUBNET, vnetId: EXISTING_VNET },
        },
    };

    for (const preview of [false, true]) {
        it(`places the endpoint in the configured subnet and links the zone to the configured network (${preview ? "preview" : "up"})`, async () => {
            const run = await runProgram({ config, stack: "dev", preview });
            assert.equal(ofType(run.resources, T.vnet).length, 0);
            assert.equal(ofType(run.resources, T.subnet).length, 0);
            assert.equal(ofType(run.resources, T.account).length, 0, "the account is read, never changed");
            const endpoint = single(run.resources, T.endpoint);
            assert.equal(at(endpoint.inputs, "subnet.id"), EXISTING_SUBNET);
            assert.deepEqual(
                at(endpoint.inputs, "privateLinkServiceConnections.0.privateLinkServiceId"),
                `/subscriptions/${SUBSCRIPTION}/resourceGroups/myResourceGroup/providers/Microsoft.CognitiveServices/accounts/myOpenAI`,
            );
            const link = single(run.resources, T.link);
            assert.deepEqual(link.inputs.virtualNetwork, { id: EXISTING_VNET });
            assert.equal(link.inputs.virtualNetworkLinkName, "vnet-hub-aks");
        });
    }
});

describe("the policy pack on private mode, as pulumi preview and pulumi up present it", () => {
    for (const preview of [false, true]) {
        it(`passes every policy, and gives up on none (${preview ? "preview: ids unknown" : "up"})`, async () => {
            const run = await runProgram({ config: PRIVATE_GREENFIELD, stack: "scratch", preview });
            const { violations, gaveUp } = await evaluatePolicies(run.resources);
            assert.deepEqual(
                violations.map((v) => `${v.policyName}: ${v.message}`),
                [],
            );
            assert.deepEqual(gaveUp, []);
        });
    }

    it("still sees a mistake in pulumi up: the zone link removed fails openai-private-dns-zone-linked", async () => {
        const run = await privateGreenfieldUp();
        const { violations } = await evaluatePolicies(run.resources.filter((r) => r.type !== T.link));
        assert.deepEqual(
            violations.map((v) => v.policyName),
            ["openai-private-dns-zone-linked"],
        );
    });
});

describe("public mode", () => {
    it("keeps a managed account public with no network rules and the cluster on AKS's own network, as before", async () => {
        const run = await runProgram({ config: GREENFIELD_CONFIG, stack: "scratch" });
        const account = single(run.resources, T.account);
        assert.equal(at(account.inputs, "properties.publicNetworkAccess"), "Enabled");
        assert.equal(at(account.inputs, "properties.networkAcls"), undefined);
        const cluster = single(run.resources, T.cluster);
        assert.deepEqual(cluster.inputs.identity, { type: "SystemAssigned" });
        assert.equal(cluster.inputs.networkProfile, undefined);
        for (const type of [T.vnet, T.subnet, T.endpoint, T.zone, T.link, T.zoneGroup]) {
            assert.equal(ofType(run.resources, type).length, 0, type);
        }
    });

    it("admits only openai.allowedIpRanges when they are set (default action Deny)", async () => {
        const config = {
            ...GREENFIELD_CONFIG,
            "aks-openai-wi:openai": {
                ...(GREENFIELD_CONFIG["aks-openai-wi:openai"] as object),
                allowedIpRanges: ["203.0.113.0/24", "198.51.100.7"],
            },
        };
        const run = await runProgram({ config, stack: "scratch" });
        const account = single(run.resources, T.account);
        assert.equal(at(account.inputs, "properties.publicNetworkAccess"), "Enabled");
        assert.deepEqual(at(account.inputs, "properties.networkAcls"), {
            defaultAction: "Deny",
            ipRules: [{ value: "203.0.113.0/24" }, { value: "198.51.100.7" }],
        });
    });
});

describe("an existing account's public network access, which the stack never changes", () => {
    const account = (publicNetworkAccess?: string) => ({
        id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/myOpenAI",
        properties: { publicNetworkAccess } as never,
    });

    it("private mode with public access on: a warning with the az command that turns it off", () => {
        assert.equal(
            publicAccessAdvice({ accountName: "myOpenAI", network: "private" }, account("Enabled")),
            "Azure OpenAI account myOpenAI still accepts calls from the internet (publicNetworkAccess is Enabled). This " +
                "stack adds a private endpoint but does not change an account it does not own; once ai-service answers " +
                "through the endpoint, turn public access off with: az resource update --ids " +
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/myOpenAI --set " +
                "properties.publicNetworkAccess=Disabled",
        );
    });

    it("public mode with public access off: a warning naming the 403 the pods get and the fix", () => {
        const advice = publicAccessAdvice({ accountName: "myOpenAI", network: "public" }, account("Disabled"));
        assert.match(advice ?? "", /403 "Public access is disabled\. Please configure private endpoint\."/);
        assert.match(advice ?? "", /pulumi config set --path 'aks-openai-wi:openai\.network' private/);
    });

    it("says nothing when the account's access matches the mode", () => {
        assert.equal(publicAccessAdvice({ accountName: "a", network: "private" }, account("Disabled")), undefined);
        assert.equal(publicAccessAdvice({ accountName: "a", network: "public" }, account("Enabled")), undefined);
        assert.equal(publicAccessAdvice({ accountName: "a", network: "public" }, account(undefined)), undefined);
    });
});

describe("the network policies on values not known yet (preview)", () => {
    /** Every property path of a value (objects and arrays, not the root). */
    function pathsOf(value: unknown, prefix: readonly (string | number)[] = []): (string | number)[][] {
        if (value === null || typeof value !== "object") {
            return [];
        }
        return Object.entries(value).flatMap(([key, child]) => {
            const path = [...prefix, Array.isArray(value) ? Number(key) : key];
            return [path, ...pathsOf(child, path)];
        });
    }

    function withUnknownAt(
        value: Record<string, unknown>,
        path: readonly (string | number)[],
    ): Record<string, unknown> {
        const copy = structuredClone(value) as Record<string | number, unknown>;
        let current = copy;
        for (const key of path.slice(0, -1)) {
            current = current[key] as Record<string | number, unknown>;
        }
        current[path[path.length - 1]] = UNKNOWN;
        return copy;
    }

    it("report nothing and give up on nothing when any one value of the private path is unknown", async () => {
        const run = await privateGreenfieldUp();
        const judged = new Set([T.vnet, T.subnet, T.endpoint, T.zoneGroup, T.zone, T.link, T.account, T.cluster]);
        let cases = 0;
        for (const [index, resource] of run.resources.entries()) {
            if (!judged.has(resource.type)) {
                continue;
            }
            for (const path of pathsOf(resource.state)) {
                const resources = [...run.resources];
                resources[index] = { ...resource, state: withUnknownAt(resource.state, path) };
                const { violations, gaveUp } = await evaluatePolicies(resources);
                const where = `${resource.name}.${path.join(".")}`;
                assert.deepEqual(
                    violations.map((v) => v.policyName),
                    [],
                    where,
                );
                assert.deepEqual(gaveUp, [], where);
                cases++;
            }
        }
        assert.ok(cases > 100, `only ${cases} cases`);
    });
});
