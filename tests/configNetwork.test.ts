import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { TEST_ADMIN_GROUP_ID } from "./support/world";
import { parseProject, problemsOf } from "./support/configParse";

/**
 * `openai.network` and the keys that place the private endpoint: what each mode produces, and the exact problem each
 * bad value gets (key, value, fix). Overlapping or malformed ranges are stopped here, before anything is created.
 */

const SUBNET =
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-aks/subnets/snet-endpoints";
const VNET =
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-aks";

function existingStack(openai: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        resourceGroupName: "rg",
        cluster: { mode: "existing", name: "aks" },
        openai: { mode: "existing", accountName: "acct", deploymentName: "gpt-4o-mini", ...openai },
    };
}

function managedStack(
    openai: Record<string, unknown> = {},
    network?: Record<string, unknown>,
): Record<string, unknown> {
    return {
        resourceGroupName: "rg",
        cluster: {
            mode: "managed",
            name: "aks",
            adminGroupObjectIds: [TEST_ADMIN_GROUP_ID],
            ...(network ? { network } : {}),
        },
        openai: { mode: "managed", accountName: "acct", ...openai },
    };
}

describe("openai.network", () => {
    it("is public with no network rules by default, for an existing and a managed account", () => {
        assert.deepEqual(parseProject(existingStack()).network, { access: "public", allowedIpRanges: [] });
        assert.deepEqual(parseProject(managedStack()).network, { access: "public", allowedIpRanges: [] });
    });

    it("takes only public or private", () => {
        assert.deepEqual(problemsOf(existingStack({ network: "privat" })), [
            `aks-openai-wi:openai.network = "privat": must be one of "public", "private". ` +
                `Fix: pulumi config set --path 'aks-openai-wi:openai.network' private`,
        ]);
    });
});

describe("openai.allowedIpRanges (public mode, managed account)", () => {
    it("keeps addresses and canonical ranges as written", () => {
        const settings = parseProject(managedStack({ allowedIpRanges: ["203.0.113.0/24", "198.51.100.7"] }));
        assert.deepEqual(settings.network, { access: "public", allowedIpRanges: ["203.0.113.0/24", "198.51.100.7"] });
    });

    it("refuses a range with host bits set, and shows the range Azure would accept", () => {
        assert.deepEqual(problemsOf(managedStack({ allowedIpRanges: ["203.0.113.9/24"] })), [
            `aks-openai-wi:openai.allowedIpRanges[0] = "203.0.113.9/24": the address has host bits set for a /24; Azure ` +
                `refuses it (InvalidCIDRNotation). Fix: pulumi config set --path 'aks-openai-wi:openai.allowedIpRanges[0]' 203.0.113.0/24`,
        ]);
    });

    it("refuses a /32 and shows the bare address", () => {
        const [problem] = problemsOf(managedStack({ allowedIpRanges: ["198.51.100.7/32"] }));
        assert.match(problem, /allowedIpRanges\[0\] = "198\.51\.100\.7\/32": \/31 and \/32 ranges are not accepted/);
        assert.match(problem, /allowedIpRanges\[0\]' 198\.51\.100\.7$/);
    });

    it("refuses what is not an IPv4 address or range, naming its position", () => {
        const problems = problemsOf(managedStack({ allowedIpRanges: ["203.0.113.0/24", "my-office"] }));
        assert.equal(problems.length, 1);
        assert.match(problems[0], /^aks-openai-wi:openai\.allowedIpRanges\[1\] = "my-office": must be an IPv4 address/);
    });

    it("refuses a value that is not a list", () => {
        const [problem] = problemsOf(managedStack({ allowedIpRanges: "203.0.113.0/24" }));
        assert.match(problem, /openai\.allowedIpRanges = "203\.0\.113\.0\/24": must be a list/);
    });

    it("is not a key of an existing account: the stack never changes an account it does not own", () => {
        const [problem] = problemsOf(existingStack({ allowedIpRanges: ["203.0.113.0/24"] }));
        assert.match(problem, /openai\.allowedIpRanges is not a known key when openai\.mode is "existing"/);
    });

    it("has no effect in private mode, and says so", () => {
        const [problem] = problemsOf(managedStack({ network: "private", allowedIpRanges: ["203.0.113.0/24"] }));
        assert.match(
            problem,
            /openai\.allowedIpRanges = \["203\.0\.113\.0\/24"\] has no effect when openai\.network is "private"/,
        );
    });
});

describe("private mode with a managed cluster: cluster.network", () => {
    it("creates the network with AKS's overlay defaults when nothing is set", () => {
        assert.deepEqual(parseProject(managedStack({ network: "private" })).network, {
            access: "private",
            placement: "stack",
            clusterNetwork: {
                addressSpace: "10.224.0.0/16",
                nodeSubnet: "10.224.0.0/20",
                endpointSubnet: "10.224.16.0/24",
                podCidr: "10.244.0.0/16",
                serviceCidr: "10.0.0.0/16",
                dnsServiceIp: "10.0.0.10",
            },
        });
    });

    it("takes configured ranges", () => {
        const network = {
            addressSpace: "172.20.0.0/16",
            nodeSubnet: "172.20.0.0/22",
            endpointSubnet: "172.20.8.0/28",
            podCidr: "192.168.0.0/16",
            serviceCidr: "10.96.0.0/16",
            dnsServiceIp: "10.96.0.10",
        };
        const settings = parseProject(managedStack({ network: "private" }, network)).network;
        assert.deepEqual(settings, { access: "private", placement: "stack", clusterNetwork: network });
    });

    it("refuses a virtual network that overlaps the pod range", () => {
        const problems = problemsOf(
            managedStack(
                { network: "private" },
                { addressSpace: "10.244.0.0/16", nodeSubnet: "10.244.0.0/20", endpointSubnet: "10.244.16.0/24" },
            ),
        );
        assert.deepEqual(problems, [
            `aks-openai-wi:cluster.network.podCidr = "10.244.0.0/16" overlaps cluster.network.addressSpace ("10.244.0.0/16"). ` +
                `Fix: pulumi config set --path 'aks-openai-wi:cluster.network.podCidr' <a range that does not>, e.g. the default ` +
                `10.244.0.0/16 if it fits`,
        ]);
    });

    it("refuses a private-endpoint subnet that overlaps the node subnet", () => {
        const [problem] = problemsOf(managedStack({ network: "private" }, { endpointSubnet: "10.224.8.0/24" }));
        assert.match(
            problem,
            /cluster\.network\.endpointSubnet = "10\.224\.8\.0\/24" overlaps cluster\.network\.nodeSubnet \("10\.224\.0\.0\/20"\)/,
        );
    });

    it("refuses a subnet outside the address space", () => {
        const [problem] = problemsOf(managedStack({ network: "private" }, { endpointSubnet: "10.225.0.0/24" }));
        assert.match(
            problem,
            /endpointSubnet = "10\.225\.0\.0\/24" is not inside cluster\.network\.addressSpace \("10\.224\.0\.0\/16"\)/,
        );
    });

    it("refuses a Service range that overlaps the node subnet", () => {
        const problems = problemsOf(
            managedStack({ network: "private" }, { serviceCidr: "10.224.0.0/24", dnsServiceIp: "10.224.0.10" }),
        );
        assert.equal(problems.length, 1);
        assert.match(problems[0], /serviceCidr = "10\.224\.0\.0\/24" overlaps cluster\.network\.addressSpace/);
    });

    it("refuses a range that is not a CIDR, and one with host bits set", () => {
        const problems = problemsOf(
            managedStack({ network: "private" }, { podCidr: "10.244.0.0", serviceCidr: "10.0.0.1/16" }),
        );
        assert.ok(
            problems.some((p) =>
                p.startsWith(`aks-openai-wi:cluster.network.podCidr = "10.244.0.0": must be an IPv4 CIDR range`),
            ),
        );
        assert.ok(
            problems.some(
                (p) =>
                    p.includes(`serviceCidr = "10.0.0.1/16": the address has host bits set`) &&
                    p.endsWith("10.0.0.0/16"),
            ),
        );
    });

    it("refuses a DNS Service address outside the Service range, or its first two addresses", () => {
        const [outside] = problemsOf(managedStack({ network: "private" }, { dnsServiceIp: "10.1.0.10" }));
        assert.match(
            outside,
            /dnsServiceIp = "10\.1\.0\.10" is not inside cluster\.network\.serviceCidr \(10\.0\.0\.0\/16\).*' 10\.0\.0\.10$/,
        );
        const [first] = problemsOf(managedStack({ network: "private" }, { dnsServiceIp: "10.0.0.1" }));
        assert.match(first, /dnsServiceIp = "10\.0\.0\.1" is the address of the kubernetes Service/);
    });

    it("refuses openai.privateEndpoint: the stack places the endpoint in its own subnet", () => {
        const [problem] = problemsOf(
            managedStack({ network: "private", privateEndpoint: { subnetId: SUBNET, vnetId: VNET } }),
        );
        assert.match(problem, /openai\.privateEndpoint is set, but cluster\.mode is "managed"/);
    });

    it("refuses cluster.network in public mode, where nothing uses it", () => {
        const [problem] = problemsOf(managedStack({}, { podCidr: "10.244.0.0/16" }));
        assert.match(problem, /cluster\.network is set but openai\.network is "public".*openai\.network' private/);
    });
});

describe("private mode with a cluster the stack does not own: openai.privateEndpoint", () => {
    it("places the endpoint in the configured subnet and links the zone to the configured network", () => {
        const settings = parseProject(
            existingStack({ network: "private", privateEndpoint: { subnetId: SUBNET, vnetId: VNET } }),
        );
        assert.deepEqual(settings.network, {
            access: "private",
            placement: "existing",
            subnetId: SUBNET,
            vnetId: VNET,
        });
    });

    it("requires both ids, each with the az command that prints it", () => {
        const problems = problemsOf(existingStack({ network: "private" }));
        assert.equal(problems.length, 2);
        assert.match(
            problems[0],
            /^aks-openai-wi:openai\.privateEndpoint\.subnetId is required when openai\.network is "private" and cluster\.mode is "existing".*az network vnet subnet show/,
        );
        assert.match(problems[1], /^aks-openai-wi:openai\.privateEndpoint\.vnetId is required.*az network vnet show/);
    });

    it("refuses an id of the wrong kind", () => {
        const [problem] = problemsOf(
            existingStack({ network: "private", privateEndpoint: { subnetId: VNET, vnetId: VNET } }),
        );
        assert.ok(
            problem.startsWith(`aks-openai-wi:openai.privateEndpoint.subnetId = "${VNET}": the ARM id of a subnet`),
            problem,
        );
    });
});
