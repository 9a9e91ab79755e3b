import assert from "node:assert/strict";
import { before, describe, it } from "node:test";

import { analyzeAccessPath, type Check } from "../tools/plan/accessPath";
import { evaluateStack, type Evaluation } from "../tools/plan/evaluate";
import { assemblePlan } from "../tools/plan/plan";
import { POLICY_PACK, runPolicies, type PolicyReport } from "../tools/plan/policyAdapter";
import { GREENFIELD_CONFIG } from "./support/configs";
import { stackConfig } from "./support/program";
import { shippedEvaluation } from "./support/shippedStacks";

/**
 * The network hop of the access path, and the policies that stand behind it. The production plan reaches its account
 * privately with every check whole; each networking mistake, introduced as a stack configuration or as one changed
 * registration, breaks exactly the network hop (so `npm run plan` exits 1 there), names the error the pod would get,
 * and fails the one mandatory policy named for it.
 */

const PUBLIC_ACCESS_DISABLED = '403 "Public access is disabled. Please configure private endpoint."';
const FIREWALL_DENIED = '403 "Access denied due to Virtual Network/Firewall rules."';

type Mutable = { type: string; name: string; inputs: Record<string, unknown>; state: Record<string, unknown> };

let prod: Evaluation;

before(async () => {
    prod = await shippedEvaluation("prod");
});

interface Judged {
    readonly network: readonly Check[];
    readonly broken: readonly string[];
    readonly exitCode: number;
    readonly failedPolicies: readonly string[];
    readonly report: PolicyReport;
}

async function judge(evaluation: Evaluation): Promise<Judged> {
    const analysis = analyzeAccessPath({ resources: evaluation.resources, reads: evaluation.reads });
    const report = await runPolicies(POLICY_PACK, evaluation.resources, evaluation.placeholders);
    const checks = analysis.paths[0].checks;
    return {
        network: checks.filter((check) => check.hop === "network"),
        broken: checks.filter((check) => check.verdict === "broken").map((check) => `${check.hop}/${check.check}`),
        exitCode: assemblePlan(evaluation, report).summary.exitCode,
        failedPolicies: report.results.filter((result) => result.status === "fail").map((result) => result.policy),
        report,
    };
}

/** The production plan with `change` applied to a deep copy of its registrations. */
function mutatedProd(change: (resources: Mutable[]) => Mutable[]): Evaluation {
    const copy = structuredClone(prod.resources) as unknown as Mutable[];
    return { ...prod, resources: change(copy) as unknown as Evaluation["resources"] };
}

/** A stack that creates its cluster and a public account admitting only `ranges`. */
function greenfieldAllowing(ranges: readonly string[]): Promise<Evaluation> {
    const openai = { ...(GREENFIELD_CONFIG["aks-openai-wi:openai"] as object), allowedIpRanges: ranges };
    // Audit on, so the only policy with something to say is the network's.
    const config = { ...GREENFIELD_CONFIG, "aks-openai-wi:openai": openai, "aks-openai-wi:audit": { enabled: true } };
    return evaluateStack({ stack: "scratch", config });
}

function one(resources: Mutable[], type: string): Mutable {
    const found = resources.filter((resource) => resource.type === type);
    assert.equal(found.length, 1, `expected one ${type}`);
    return found[0];
}

function check(judged: Judged, name: string): Check {
    const found = judged.network.find((c) => c.check === name);
    assert.ok(found, `no network check ${name}`);
    return found;
}

function violation(judged: Judged, policy: string): string {
    const result = judged.report.results.find((r) => r.policy === policy);
    assert.ok(result && result.violations.length === 1, `${policy}: expected one violation`);
    return result.violations[0].message;
}

describe("the production plan (Pulumi.prod.yaml, private mode)", () => {
    it("reaches the account privately: every network check ok, every policy passes, exit 0", async () => {
        const judged = await judge(prod);
        assert.deepEqual(
            judged.network.map((c) => [c.check, c.planned, c.verdict]),
            [
                ["route", "private: pe-store-openai-prod", "ok"],
                ["endpoint group", "account", "ok"],
                ["endpoint network", "vnet-aks-store-prod (subnet vnet-aks-store-prod/private-endpoints)", "ok"],
                ["private DNS zone", "privatelink.openai.azure.com", "ok"],
                ["zone link", "vnet-aks-store-prod", "ok"],
                ["public access", "Disabled", "ok"],
            ],
        );
        assert.deepEqual(judged.broken, []);
        assert.deepEqual(judged.failedPolicies, []);
        assert.equal(judged.exitCode, 0);
    });
});

describe("the dev plan (public mode, existing account)", () => {
    it("reaches the account publicly, with the account's own access and rules read at deploy time", async () => {
        const judged = await judge(await shippedEvaluation("dev"));
        assert.deepEqual(
            judged.network.map((c) => [c.check, c.planned, c.verdict]),
            [
                ["route", "public", "ok"],
                ["network rules", "(read at deploy time)", "ok"],
            ],
        );
        assert.equal(judged.exitCode, 0);
    });
});

describe("each networking mistake breaks the network hop and fails its policy", () => {
    it("the zone is privatelink.cognitiveservices.azure.com only", async () => {
        const judged = await judge(
            mutatedProd((resources) => {
                const zone = one(resources, "azure-native:privatedns:PrivateZone");
                const link = one(resources, "azure-native:privatedns:VirtualNetworkLink");
                for (const resource of [zone, link]) {
                    for (const props of [resource.inputs, resource.state]) {
                        props.privateZoneName = "privatelink.cognitiveservices.azure.com";
                    }
                }
                zone.state.name = "privatelink.cognitiveservices.azure.com";
                return resources;
            }),
        );
        assert.deepEqual(judged.broken, ["network/private DNS zone"]);
        const zone = check(judged, "private DNS zone");
        assert.equal(zone.planned, "privatelink.cognitiveservices.azure.com");
        assert.match(zone.basis, /privatelink\.cognitiveservices\.azure\.com serves other names/);
        assert.equal(zone.ifBroken, `${PUBLIC_ACCESS_DISABLED} (the name resolves to the account's public address)`);
        assert.equal(check(judged, "zone link").verdict, "not reached");
        assert.deepEqual(judged.failedPolicies, ["openai-private-dns-zone-name"]);
        assert.match(
            violation(judged, "openai-private-dns-zone-name"),
            /writes its record only into privatelink\.cognitiveservices\.azure\.com/,
        );
        assert.equal(judged.exitCode, 1);
    });

    it("the zone is not linked to the cluster's network", async () => {
        const judged = await judge(
            mutatedProd((resources) =>
                resources.filter((r) => r.type !== "azure-native:privatedns:VirtualNetworkLink"),
            ),
        );
        assert.deepEqual(judged.broken, ["network/zone link"]);
        const link = check(judged, "zone link");
        assert.equal(link.planned, "(none)");
        assert.equal(
            link.basis,
            "privatelink.openai.azure.com is linked to no network: the pods' resolver never reads it",
        );
        assert.equal(link.ifBroken, `${PUBLIC_ACCESS_DISABLED} (the name resolves to the account's public address)`);
        assert.deepEqual(judged.failedPolicies, ["openai-private-dns-zone-linked"]);
        assert.match(
            violation(judged, "openai-private-dns-zone-linked"),
            /is linked to no network: the pods' resolver never reads it/,
        );
        assert.equal(judged.exitCode, 1);
    });

    it("public access is off and no private endpoint serves the account", async () => {
        const judged = await judge(
            mutatedProd((resources) =>
                resources.filter(
                    (r) =>
                        r.type !== "azure-native:network:PrivateEndpoint" &&
                        r.type !== "azure-native:network:PrivateDnsZoneGroup",
                ),
            ),
        );
        assert.deepEqual(judged.broken, ["network/route"]);
        const route = check(judged, "route");
        assert.equal(route.planned, "public");
        assert.match(
            route.basis,
            /public network access of Azure OpenAI account store-openai-prod \(created by this stack\) is Disabled/,
        );
        assert.equal(route.ifBroken, PUBLIC_ACCESS_DISABLED);
        assert.deepEqual(judged.failedPolicies, ["openai-public-access-needs-endpoint"]);
        assert.match(
            violation(judged, "openai-public-access-needs-endpoint"),
            /store-openai-prod has public network access Disabled and no private endpoint/,
        );
        assert.equal(judged.exitCode, 1);
    });

    it("the endpoint is in a network the cluster cannot reach (configured for an existing cluster)", async () => {
        const dev = stackConfig("dev");
        const vnet = (name: string) =>
            `/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/${name}`;
        const judged = await judge(
            await evaluateStack({
                stack: "dev",
                config: {
                    ...dev,
                    "aks-openai-wi:openai": {
                        ...(dev["aks-openai-wi:openai"] as object),
                        network: "private",
                        privateEndpoint: {
                            subnetId: `${vnet("vnet-shared")}/subnets/endpoints`,
                            vnetId: vnet("vnet-aks"),
                        },
                    },
                },
            }),
        );
        assert.deepEqual(judged.broken, ["network/endpoint network"]);
        const endpoint = check(judged, "endpoint network");
        assert.equal(endpoint.planned, "vnet-shared (subnet vnet-shared/endpoints)");
        assert.match(endpoint.basis, /not the cluster's network vnet-aks \(openai\.privateEndpoint\.vnetId\)/);
        assert.match(endpoint.ifBroken, /the call times out/);
        assert.deepEqual(judged.failedPolicies, ["openai-endpoint-in-cluster-network"]);
        assert.match(
            violation(judged, "openai-endpoint-in-cluster-network"),
            /is in network rg-net\/vnet-shared, but the cluster's nodes are in rg-net\/vnet-aks/,
        );
        assert.equal(judged.exitCode, 1);
    });

    it("the endpoint is outside the network of a cluster the stack creates", async () => {
        const judged = await judge(
            mutatedProd((resources) => {
                const endpoint = one(resources, "azure-native:network:PrivateEndpoint");
                const elsewhere = {
                    id: "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/endpoints",
                };
                endpoint.inputs.subnet = endpoint.state.subnet = elsewhere;
                (
                    endpoint as unknown as { propertyDependencies: Record<string, string[]> }
                ).propertyDependencies.subnet = [];
                return resources;
            }),
        );
        assert.deepEqual(judged.broken, ["network/endpoint network"]);
        assert.match(
            check(judged, "endpoint network").basis,
            /not the network of the node subnet of cluster aks-store-prod/,
        );
        assert.deepEqual(judged.failedPolicies, ["openai-endpoint-in-cluster-network"]);
        assert.equal(judged.exitCode, 1);
    });

    it("network rules deny the cluster's egress (only a private range allowed)", async () => {
        const judged = await judge(await greenfieldAllowing(["10.0.0.0/8"]));
        assert.deepEqual(judged.broken, ["network/network rules"]);
        const rules = check(judged, "network rules");
        assert.equal(rules.planned, "default Deny; allow 10.0.0.0/8");
        assert.equal(rules.ifBroken, FIREWALL_DENIED);
        assert.deepEqual(judged.failedPolicies, ["openai-network-rules-admit-cluster"]);
        assert.match(
            violation(judged, "openai-network-rules-admit-cluster"),
            /allows only 10\.0\.0\.0\/8, which no call over the public endpoint comes from/,
        );
        assert.equal(judged.exitCode, 1);
    });

    it("network rules that admit a public range pass, with the egress address to check named", async () => {
        const judged = await judge(await greenfieldAllowing(["203.0.113.0/24"]));
        const rules = check(judged, "network rules");
        assert.equal(rules.verdict, "ok");
        assert.match(rules.basis, /admits only 203\.0\.113\.0\/24: the cluster's egress address must be among them/);
        assert.equal(judged.exitCode, 0);
    });
});
