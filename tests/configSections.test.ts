import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { DEFAULTS, parseQuantity } from "../components/config";
import { readAiService } from "../components/config/aiService";
import {
    canonical,
    containsAddress,
    containsRange,
    isCanonical,
    overlaps,
    parseAddress,
    parseCidr,
} from "../components/config/cidr";
import type { Cidr } from "../components/config/cidr";
import { readClusterAccess } from "../components/config/clusterAccess";
import { readNetwork } from "../components/config/network";
import { readOpenAi } from "../components/config/openai";
import { ConfigObject, Problems } from "../components/config/reader";
import { CLUSTER_KEYS } from "../components/config/schema";
import { TEST_ADMIN_GROUP_ID } from "./support/world";
import { parseProject, problemsOf } from "./support/configParse";

/**
 * The config sections' own rules, word for word: `openai.network` and its ranges (network.ts, with the IPv4 arithmetic
 * of cidr.ts), `aiService`, the managed `openai` account, `additionalServiceAccounts` and the federation limits, and a
 * managed cluster's sign-in settings (clusterAccess.ts). The older config tests match these problems by pattern; here
 * each problem a user reads is pinned in full (key, value, rule, fix command), each default by value, and each rule at
 * its edge: the first value it refuses and the last it accepts (prefix bounds, touching and nested ranges, the
 * 20-credential limit, a request equal to its limit). Where a reader's result after a recorded problem is its
 * contract (a documented fallback), the reader is called directly, since parseSettings then throws.
 */

const P = "aks-openai-wi";
const GROUP = TEST_ADMIN_GROUP_ID;
const SUBNET =
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-aks/subnets/snet-endpoints";
const VNET =
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-aks";
const SUBNET_RULE =
    "the ARM id of a subnet in the cluster's virtual network (az network vnet subnet show -g <rg> --vnet-name <vnet> -n <subnet> --query id -o tsv)";
const SUBNET_EXAMPLE =
    "/subscriptions/<subscription>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>";
const VNET_RULE =
    "the ARM id of the cluster's virtual network (az network vnet show -g <rg> -n <vnet> --query id -o tsv)";
const VNET_EXAMPLE =
    "/subscriptions/<subscription>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>";

interface Parts {
    readonly cluster?: Record<string, unknown>;
    readonly openai?: Record<string, unknown>;
    readonly aiService?: unknown;
    readonly additionalServiceAccounts?: unknown;
    readonly identity?: unknown;
}

/** A managed cluster (with its admin group) and a managed account, plus the given keys. */
function managed(parts: Parts = {}): Record<string, unknown> {
    return {
        resourceGroupName: "rg",
        ...parts,
        cluster: { mode: "managed", name: "aks", adminGroupObjectIds: [GROUP], ...parts.cluster },
        openai: { mode: "managed", accountName: "acct", ...parts.openai },
    };
}

/** An existing cluster and the given account. */
function existingCluster(openai: Record<string, unknown>): Record<string, unknown> {
    return { resourceGroupName: "rg", cluster: { mode: "existing", name: "aks" }, openai };
}

const EXISTING_ACCOUNT = { mode: "existing", accountName: "acct", deploymentName: "chat" };

function cidr(text: string): Cidr {
    const range = parseCidr(text);
    assert.ok(range, `${text} parses`);
    return range;
}

describe("cidr: IPv4 addresses", () => {
    it("reads each octet as a number, from 0.0.0.0 to 255.255.255.255", () => {
        assert.equal(parseAddress("0.0.0.0"), 0);
        assert.equal(parseAddress("1.2.3.4"), 0x01020304);
        assert.equal(parseAddress("10.0.0.10"), 0x0a00000a);
        assert.equal(parseAddress("255.255.255.255"), 0xffffffff);
    });

    it("refuses an octet above 255, in any position", () => {
        for (const text of ["256.0.0.0", "0.256.0.0", "0.0.256.0", "0.0.0.256", "999.1.1.1"]) {
            assert.equal(parseAddress(text), undefined, text);
        }
    });

    it("refuses leading zeros, which some tools read as octal", () => {
        for (const text of ["10.0.0.01", "010.0.0.1", "10.00.0.1"]) {
            assert.equal(parseAddress(text), undefined, text);
        }
    });

    it("refuses anything around the address: the whole text must be one", () => {
        for (const text of ["x1.2.3.4", "1.2.3.4x", "1234.1.1.1", "1.2.3.4.5", " 1.2.3.4", "1.2.3.4/32", "1.2.3", ""]) {
            assert.equal(parseAddress(text), undefined, JSON.stringify(text));
        }
    });
});

describe("cidr: ranges", () => {
    it("keeps the address as written and the prefix, from /0 to /32", () => {
        assert.deepEqual(parseCidr("10.1.2.3/0"), { base: 0x0a010203, prefix: 0, text: "10.1.2.3/0" });
        assert.deepEqual(parseCidr("10.0.0.0/8"), { base: 0x0a000000, prefix: 8, text: "10.0.0.0/8" });
        assert.deepEqual(parseCidr("1.2.3.4/32"), { base: 0x01020304, prefix: 32, text: "1.2.3.4/32" });
    });

    it("refuses a prefix above 32, with a leading zero, or in any other notation", () => {
        for (const text of [
            "10.0.0.0/33",
            "10.0.0.0/100",
            "10.0.0.0/05",
            "10.0.0.0/-1",
            "10.0.0.0/1e1",
            "10.0.0.0/0x10",
            "10.0.0.0/8 ",
            "10.0.0.0/ 8",
            "10.0.0.0/",
            "10.0.0.0",
            "10.0.0/8",
            "10.0.0.0/8/8",
        ]) {
            assert.equal(parseCidr(text), undefined, JSON.stringify(text));
        }
    });

    it("writes the canonical form with the host bits cleared, /0 and /32 included", () => {
        assert.equal(canonical(cidr("10.1.2.3/0")), "0.0.0.0/0");
        assert.equal(canonical(cidr("255.255.255.255/1")), "128.0.0.0/1");
        assert.equal(canonical(cidr("10.1.2.3/16")), "10.1.0.0/16");
        assert.equal(canonical(cidr("10.1.2.3/32")), "10.1.2.3/32");
        assert.equal(isCanonical(cidr("0.0.0.0/0")), true);
        assert.equal(isCanonical(cidr("10.1.2.3/0")), false);
        assert.equal(isCanonical(cidr("10.1.2.3/32")), true);
        assert.equal(isCanonical(cidr("10.1.2.1/31")), false);
    });

    it("overlaps when the ranges share one address, however they touch, and not when they are only adjacent", () => {
        const a = cidr("10.0.1.0/24");
        assert.equal(overlaps(a, cidr("10.0.1.0/32")), true, "the first address");
        assert.equal(overlaps(cidr("10.0.1.0/32"), a), true, "the first address, either order");
        assert.equal(overlaps(a, cidr("10.0.1.255/32")), true, "the last address");
        assert.equal(overlaps(cidr("10.0.1.255/32"), a), true, "the last address, either order");
        assert.equal(overlaps(cidr("10.0.0.7/32"), cidr("10.0.0.7/32")), true, "one same address");
        assert.equal(overlaps(a, cidr("10.0.0.0/24")), false, "the range just below");
        assert.equal(overlaps(a, cidr("10.0.2.0/24")), false, "the range just above");
        assert.equal(overlaps(cidr("10.0.0.0/24"), a), false, "either order");
        assert.equal(overlaps(cidr("0.0.0.0/0"), a), true, "everything");
    });

    it("contains a range that starts and ends inside it, its own bounds included", () => {
        const outer = cidr("10.0.1.0/24");
        assert.equal(containsRange(outer, outer), true);
        assert.equal(containsRange(outer, cidr("10.0.1.0/25")), true);
        assert.equal(containsRange(outer, cidr("10.0.1.128/25")), true);
        assert.equal(containsRange(outer, cidr("10.0.0.0/24")), false, "below");
        assert.equal(containsRange(outer, cidr("10.0.2.0/24")), false, "above");
        assert.equal(containsRange(outer, cidr("10.0.0.0/23")), false, "starts below, ends at its end");
        assert.equal(containsRange(outer, cidr("10.0.0.0/16")), false, "around it");
    });

    it("contains an address from its network address to its last one", () => {
        const range = cidr("10.0.1.0/24");
        assert.equal(containsAddress(range, 0x0a0000ff), false, "10.0.0.255");
        assert.equal(containsAddress(range, 0x0a000100), true, "10.0.1.0");
        assert.equal(containsAddress(range, 0x0a0001ff), true, "10.0.1.255");
        assert.equal(containsAddress(range, 0x0a000200), false, "10.0.2.0");
    });
});

describe("openai.network public: the keys that place a private endpoint", () => {
    it("refuses openai.privateEndpoint and a managed cluster's cluster.network, each with both ways out", () => {
        const fix = (key: string) =>
            `${P}:${key} is set but openai.network is "public": it places the private endpoint, which public mode does ` +
            `not create. Fix: pulumi config set --path '${P}:openai.network' private, or pulumi config rm --path '${P}:${key}'`;
        assert.deepEqual(
            problemsOf(
                managed({ cluster: { network: {} }, openai: { privateEndpoint: { subnetId: SUBNET, vnetId: VNET } } }),
            ),
            [fix("openai.privateEndpoint"), fix("cluster.network")],
        );
    });

    it("judges allowedIpRanges only for a managed account: an existing one hears only that the key is unknown", () => {
        assert.deepEqual(problemsOf(existingCluster({ ...EXISTING_ACCOUNT, allowedIpRanges: ["my-office"] })), [
            `${P}:openai.allowedIpRanges is not a known key when openai.mode is "existing"; allowed keys: mode, ` +
                `accountName, deploymentName, apiVersion, network, privateEndpoint. Fix: pulumi config rm --path ` +
                `'${P}:openai.allowedIpRanges'`,
        ]);
    });
});

describe("openai.allowedIpRanges", () => {
    it("is empty when unset or set to nothing", () => {
        assert.deepEqual(parseProject(managed({ openai: { allowedIpRanges: null } })).network, {
            access: "public",
            allowedIpRanges: [],
        });
    });

    it("keeps addresses and ranges trimmed of surrounding blanks, and takes a /30", () => {
        const settings = parseProject(
            managed({ openai: { allowedIpRanges: [" 198.51.100.7 ", "203.0.113.0/24 ", "198.51.100.4/30"] } }),
        );
        assert.deepEqual(settings.network, {
            access: "public",
            allowedIpRanges: ["198.51.100.7", "203.0.113.0/24", "198.51.100.4/30"],
        });
    });

    it("refuses a value that is not a list, showing the list form", () => {
        assert.deepEqual(problemsOf(managed({ openai: { allowedIpRanges: "203.0.113.0/24" } })), [
            `${P}:openai.allowedIpRanges = "203.0.113.0/24": must be a list of IPv4 addresses or CIDR ranges. Fix: set ` +
                `it as a YAML list in Pulumi.<stack>.yaml, or pulumi config set --path '${P}:openai.allowedIpRanges[0]' 203.0.113.0/24`,
        ]);
    });

    it("refuses an entry that is neither an address nor a range, naming its position", () => {
        const refused = (index: number, shown: string) =>
            `${P}:openai.allowedIpRanges[${index}] = ${shown}: must be an IPv4 address (203.0.113.7) or CIDR range ` +
            `(203.0.113.0/24). Fix: pulumi config set --path '${P}:openai.allowedIpRanges[${index}]' 203.0.113.0/24`;
        assert.deepEqual(
            problemsOf(managed({ openai: { allowedIpRanges: ["203.0.113.0/24", "my-office", 42, "203.0.113.0/33"] } })),
            [refused(1, `"my-office"`), refused(2, "42"), refused(3, `"203.0.113.0/33"`)],
        );
    });

    it("refuses a /31 as well as a /32, fixing it to its first address", () => {
        assert.deepEqual(problemsOf(managed({ openai: { allowedIpRanges: ["198.51.100.6/31"] } })), [
            `${P}:openai.allowedIpRanges[0] = "198.51.100.6/31": /31 and /32 ranges are not accepted in an account's ` +
                `network rules; list each address on its own. Fix: pulumi config set --path ` +
                `'${P}:openai.allowedIpRanges[0]' 198.51.100.6`,
        ]);
    });

    it("is reported as having no effect in private mode, with the command that removes it", () => {
        assert.deepEqual(problemsOf(managed({ openai: { network: "private", allowedIpRanges: ["203.0.113.0/24"] } })), [
            `${P}:openai.allowedIpRanges = ["203.0.113.0/24"] has no effect when openai.network is "private": the ` +
                `account's public network access is off, and network rules apply only to public access. Fix: pulumi ` +
                `config rm --path '${P}:openai.allowedIpRanges'`,
        ]);
    });

    it("of an existing account in private mode is only an unknown key", () => {
        const problems = problemsOf(
            managed({ openai: { ...EXISTING_ACCOUNT, network: "private", allowedIpRanges: ["203.0.113.0/24"] } }),
        );
        assert.deepEqual(problems, [
            `${P}:openai.allowedIpRanges is not a known key when openai.mode is "existing"; allowed keys: mode, ` +
                `accountName, deploymentName, apiVersion, network, privateEndpoint. Fix: pulumi config rm --path ` +
                `'${P}:openai.allowedIpRanges'`,
        ]);
    });

    it("is an empty list when it is refused (the reader's fallback)", () => {
        const problems = new Problems();
        const network = readNetwork(problems, { allowedIpRanges: "203.0.113.0/24" }, {}, "existing", "managed");
        assert.deepEqual(network, { access: "public", allowedIpRanges: [] });
        assert.equal(problems.count, 1);
    });
});

describe("openai.network private with a managed cluster", () => {
    it("refuses openai.privateEndpoint: the endpoint goes into the stack's own subnet", () => {
        assert.deepEqual(
            problemsOf(
                managed({ openai: { network: "private", privateEndpoint: { subnetId: SUBNET, vnetId: VNET } } }),
            ),
            [
                `${P}:openai.privateEndpoint is set, but cluster.mode is "managed": the stack creates the cluster's ` +
                    `virtual network and places the endpoint in its own subnet (cluster.network.endpointSubnet). Fix: ` +
                    `pulumi config rm --path '${P}:openai.privateEndpoint'`,
            ],
        );
    });

    it("names an unknown key of cluster.network by its full path", () => {
        assert.deepEqual(
            problemsOf(
                managed({ openai: { network: "private" }, cluster: { network: { nodeSubnett: "10.224.0.0/20" } } }),
            ),
            [
                `${P}:cluster.network.nodeSubnett is not a known key (did you mean "nodeSubnet"?); allowed keys: ` +
                    `addressSpace, nodeSubnet, endpointSubnet, podCidr, serviceCidr, dnsServiceIp. Fix: pulumi config ` +
                    `rm --path '${P}:cluster.network.nodeSubnett'`,
            ],
        );
    });

    it("takes a key set to nothing as its default", () => {
        const settings = parseProject(
            managed({ openai: { network: "private" }, cluster: { network: { podCidr: null, dnsServiceIp: null } } }),
        );
        assert.deepEqual(settings.network, {
            access: "private",
            placement: "stack",
            clusterNetwork: DEFAULTS.clusterNetwork,
        });
    });

    it("takes subnets down to Azure's smallest, a /29, and overlay ranges of any size", () => {
        const network = {
            addressSpace: "10.224.0.0/16",
            nodeSubnet: "10.224.0.0/20",
            endpointSubnet: "10.224.16.0/29",
            podCidr: "10.244.0.0/30",
            serviceCidr: "10.0.0.8/30",
            dnsServiceIp: "10.0.0.10",
        };
        const settings = parseProject(managed({ openai: { network: "private" }, cluster: { network } }));
        assert.deepEqual(settings.network, { access: "private", placement: "stack", clusterNetwork: network });
    });

    it("refuses a subnet smaller than a /29, fixing it to the default", () => {
        assert.deepEqual(
            problemsOf(
                managed({ openai: { network: "private" }, cluster: { network: { nodeSubnet: "10.224.0.0/30" } } }),
            ),
            [
                `${P}:cluster.network.nodeSubnet = "10.224.0.0/30": a /30 is smaller than Azure's smallest subnet (/29). ` +
                    `Fix: pulumi config set --path '${P}:cluster.network.nodeSubnet' 10.224.0.0/20`,
            ],
        );
    });

    it("refuses a Service range inside the pod range", () => {
        const network = { serviceCidr: "10.244.128.0/17", dnsServiceIp: "10.244.128.10" };
        assert.deepEqual(problemsOf(managed({ openai: { network: "private" }, cluster: { network } })), [
            `${P}:cluster.network.serviceCidr = "10.244.128.0/17" overlaps cluster.network.podCidr ("10.244.0.0/16"). ` +
                `Fix: pulumi config set --path '${P}:cluster.network.serviceCidr' <a range that does not>, e.g. the ` +
                `default 10.0.0.0/16 if it fits`,
        ]);
    });

    it("refuses a DNS Service address that is not an address", () => {
        const refused = (shown: string) =>
            `${P}:cluster.network.dnsServiceIp = ${shown}: must be an IPv4 address inside cluster.network.serviceCidr. ` +
            `Fix: pulumi config set --path '${P}:cluster.network.dnsServiceIp' 10.0.0.10`;
        for (const [dnsServiceIp, shown] of [
            ["10.0.0.x", `"10.0.0.x"`],
            [10, "10"],
        ] as const) {
            assert.deepEqual(
                problemsOf(managed({ openai: { network: "private" }, cluster: { network: { dnsServiceIp } } })),
                [refused(shown)],
            );
        }
    });

    it("takes the Service range's third address as the DNS Service address", () => {
        const settings = parseProject(
            managed({ openai: { network: "private" }, cluster: { network: { dnsServiceIp: "10.0.0.2" } } }),
        );
        assert.deepEqual(settings.network, {
            access: "private",
            placement: "stack",
            clusterNetwork: { ...DEFAULTS.clusterNetwork, dnsServiceIp: "10.0.0.2" },
        });
    });

    it("refuses the Service range's network address and the kubernetes Service's, fixing to its tenth address", () => {
        const refused = (dns: string, what: string, fix: string) =>
            `${P}:cluster.network.dnsServiceIp = "${dns}" is the ${what} of cluster.network.serviceCidr; AKS refuses it. ` +
            `Fix: pulumi config set --path '${P}:cluster.network.dnsServiceIp' ${fix}`;
        const problems = (network: Record<string, unknown>) =>
            problemsOf(managed({ openai: { network: "private" }, cluster: { network } }));
        assert.deepEqual(problems({ dnsServiceIp: "10.0.0.0" }), [refused("10.0.0.0", "network address", "10.0.0.10")]);
        assert.deepEqual(problems({ serviceCidr: "10.96.0.0/16", dnsServiceIp: "10.96.0.1" }), [
            refused("10.96.0.1", "address of the kubernetes Service", "10.96.0.10"),
        ]);
    });

    it("refuses a DNS Service address outside the Service range, fixing to the range's tenth address", () => {
        assert.deepEqual(
            problemsOf(
                managed({
                    openai: { network: "private" },
                    cluster: { network: { serviceCidr: "10.96.0.0/16", dnsServiceIp: "10.0.0.10" } },
                }),
            ),
            [
                `${P}:cluster.network.dnsServiceIp = "10.0.0.10" is not inside cluster.network.serviceCidr ` +
                    `(10.96.0.0/16): the cluster DNS is a Service, and AKS refuses the cluster. Fix: pulumi config set ` +
                    `--path '${P}:cluster.network.dnsServiceIp' 10.96.0.10`,
            ],
        );
    });

    it("falls back to the default ranges when one is refused (the reader's fallback)", () => {
        const problems = new Problems();
        const network = readNetwork(
            problems,
            { network: "private" },
            { network: { nodeSubnet: "10.224.0.0/30" } },
            "managed",
            "managed",
        );
        assert.deepEqual(network, { access: "private", placement: "stack", clusterNetwork: DEFAULTS.clusterNetwork });
        assert.equal(problems.count, 1);
    });
});

describe("openai.network private with a cluster the stack does not own: openai.privateEndpoint", () => {
    const why = `when openai.network is "private" and cluster.mode is "existing" (the stack does not own the cluster's network)`;

    it("requires both ids, each with the az command that prints it and an example", () => {
        assert.deepEqual(problemsOf(existingCluster({ ...EXISTING_ACCOUNT, network: "private" })), [
            `${P}:openai.privateEndpoint.subnetId is required ${why}: ${SUBNET_RULE}. Fix: pulumi config set --path ` +
                `'${P}:openai.privateEndpoint.subnetId' ${SUBNET_EXAMPLE}`,
            `${P}:openai.privateEndpoint.vnetId is required ${why}: ${VNET_RULE}. Fix: pulumi config set --path ` +
                `'${P}:openai.privateEndpoint.vnetId' ${VNET_EXAMPLE}`,
        ]);
    });

    it("refuses an id with anything before or after it: a portal address, or the other id", () => {
        const portal = `https://portal.azure.com/#@contoso.onmicrosoft.com/resource${SUBNET}`;
        const subnetRefused = (value: string) =>
            `${P}:openai.privateEndpoint.subnetId = "${value}": ${SUBNET_RULE}. Fix: pulumi config set --path ` +
            `'${P}:openai.privateEndpoint.subnetId' ${SUBNET_EXAMPLE}`;
        const vnetRefused = (value: string) =>
            `${P}:openai.privateEndpoint.vnetId = "${value}": ${VNET_RULE}. Fix: pulumi config set --path ` +
            `'${P}:openai.privateEndpoint.vnetId' ${VNET_EXAMPLE}`;
        const problems = (subnetId: string, vnetId: string) =>
            problemsOf(
                existingCluster({ ...EXISTING_ACCOUNT, network: "private", privateEndpoint: { subnetId, vnetId } }),
            );
        assert.deepEqual(problems(portal, `x${VNET}`), [subnetRefused(portal), vnetRefused(`x${VNET}`)]);
        assert.deepEqual(problems(`${SUBNET}/extra`, SUBNET), [subnetRefused(`${SUBNET}/extra`), vnetRefused(SUBNET)]);
    });

    it("is empty ids when they are missing or refused (the reader's fallback)", () => {
        for (const privateEndpoint of [undefined, { subnetId: "snet", vnetId: "vnet" }]) {
            const problems = new Problems();
            const network = readNetwork(problems, { network: "private", privateEndpoint }, {}, "existing", "existing");
            assert.deepEqual(network, { access: "private", placement: "existing", subnetId: "", vnetId: "" });
            assert.equal(problems.count, 2);
        }
    });
});

describe("aiService", () => {
    it("refuses replicas that are not a number, with 2 as the example", () => {
        assert.deepEqual(problemsOf(managed({ aiService: { replicas: "two" } })), [
            `${P}:aiService.replicas = "two": must be a whole number from 1 to 50. Fix: pulumi config set --path ` +
                `'${P}:aiService.replicas' 2`,
        ]);
    });

    it("runs as the image's own user unless runAsUser is set, down to UID 1", () => {
        assert.equal(parseProject(managed()).aiService.runAsUser, undefined);
        assert.equal(parseProject(managed({ aiService: { runAsUser: null } })).aiService.runAsUser, undefined);
        assert.equal(parseProject(managed({ aiService: { runAsUser: 1 } })).aiService.runAsUser, 1);
        assert.equal(parseProject(managed({ aiService: { runAsUser: "10001" } })).aiService.runAsUser, 10001);
    });

    it("refuses UID 0, as a number or as the string pulumi config set stores", () => {
        for (const [runAsUser, shown] of [
            [0, "0"],
            ["0", `"0"`],
        ] as const) {
            assert.deepEqual(problemsOf(managed({ aiService: { runAsUser } })), [
                `${P}:aiService.runAsUser = ${shown}: UID 0 is root, and the pod also sets runAsNonRoot, so the kubelet ` +
                    `would refuse to start it. Fix: pulumi config set --path '${P}:aiService.runAsUser' 10001 (any ` +
                    `non-root UID), or remove the key to keep the image's own user`,
            ]);
        }
    });

    it("has no UID when runAsUser is refused (the reader's fallback)", () => {
        const problems = new Problems();
        assert.equal(readAiService(problems, { runAsUser: "nobody" }, "managed").runAsUser, undefined);
        assert.equal(problems.count, 1);
    });

    it("refuses an image that is not pinned, saying why for ':latest' and for no tag", () => {
        const refused = (image: string, kind: string) =>
            `${P}:aiService.image = "${image}": pin a version tag or digest; ${kind} moves on every push to the ` +
            `sample's main branch, so two rollouts can run different code. Fix: pulumi config set --path ` +
            `'${P}:aiService.image' ghcr.io/azure-samples/aks-store-demo/ai-service:2.2.0`;
        const latest = "ghcr.io/azure-samples/aks-store-demo/ai-service:latest";
        const untagged = "ghcr.io/azure-samples/aks-store-demo/ai-service";
        assert.deepEqual(problemsOf(managed({ aiService: { image: latest } })), [refused(latest, "':latest'")]);
        assert.deepEqual(problemsOf(managed({ aiService: { image: untagged } })), [
            refused(untagged, "an untagged image"),
        ]);
        assert.equal(parseProject(managed()).aiService.image, DEFAULTS.image);
    });

    it("takes a request equal to its limit", () => {
        const resources = { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "50m", memory: "128Mi" } };
        assert.deepEqual(parseProject(managed({ aiService: { resources } })).aiService.resources, resources);
    });

    it("refuses a request above its limit, fixing the limit to the request", () => {
        assert.deepEqual(
            problemsOf(managed({ aiService: { resources: { requests: { cpu: "100m", memory: "1Gi" } } } })),
            ["cpu", "memory"].map(
                (resource, i) =>
                    `${P}:aiService.resources.requests.${resource} = "${["100m", "1Gi"][i]}" is more than ` +
                    `${P}:aiService.resources.limits.${resource} = "${["50m", "128Mi"][i]}": Kubernetes rejects a ` +
                    `request above its limit. Fix: pulumi config set --path '${P}:aiService.resources.limits.${resource}' ` +
                    `${["100m", "1Gi"][i]}`,
            ),
        );
    });

    it("compares quantities as numbers: decimals, milli and binary units; anything else is not one", () => {
        assert.equal(parseQuantity("0.25"), 0.25);
        assert.equal(parseQuantity("250m"), 0.25);
        assert.equal(parseQuantity("1.5Gi"), 1.5 * 2 ** 30);
        assert.equal(parseQuantity("128Mi"), 128 * 2 ** 20);
        assert.equal(parseQuantity("2"), 2);
        for (const text of ["-1", "x1", "1x", "1e3", ".5", "1.", ""]) {
            assert.equal(parseQuantity(text), undefined, JSON.stringify(text));
        }
    });
});

describe("openai (managed account)", () => {
    it("deploys the model, SKU, subdomain and deployment name it is given", () => {
        const openai = parseProject(
            managed({
                openai: {
                    accountName: "store-",
                    customSubDomainName: "store-openai",
                    deploymentName: "chat",
                    disableLocalAuth: "false",
                    model: { name: "gpt-4o", version: "2024-08-06" },
                    sku: { name: "Standard", capacity: 50 },
                },
            }),
        ).openai;
        assert.deepEqual(openai, {
            mode: "managed",
            accountName: "store-",
            deploymentName: "chat",
            apiVersion: DEFAULTS.apiVersion,
            customSubDomainName: "store-openai",
            disableLocalAuth: false,
            model: { name: "gpt-4o", version: "2024-08-06" },
            sku: { name: "Standard", capacity: 50 },
        });
    });

    it("defaults the deployment to the model's name, the subdomain to the lowercased account, local auth off", () => {
        const openai = parseProject(
            managed({ openai: { accountName: "Store-AI", model: { name: "gpt-4o", version: "2024-08-06" } } }),
        ).openai;
        assert.deepEqual(openai, {
            mode: "managed",
            accountName: "Store-AI",
            deploymentName: "gpt-4o",
            apiVersion: DEFAULTS.apiVersion,
            customSubDomainName: "store-ai",
            disableLocalAuth: true,
            model: { name: "gpt-4o", version: "2024-08-06" },
            sku: DEFAULTS.sku,
        });
    });

    it("requires the model version when the model name is set", () => {
        assert.deepEqual(problemsOf(managed({ openai: { model: { name: "gpt-4o" } } })), [
            `${P}:openai.model.version is required when openai.model.name is set: pin the model version, or the ` +
                `deployment changes when Azure retires a default. Fix: pulumi config set --path ` +
                `'${P}:openai.model.version' <version>`,
        ]);
    });

    it("refuses a capacity that is not a number, with 10 as the example", () => {
        assert.deepEqual(problemsOf(managed({ openai: { sku: { capacity: "lots" } } })), [
            `${P}:openai.sku.capacity = "lots": must be a whole number from 1 to 10000. Fix: pulumi config set --path ` +
                `'${P}:openai.sku.capacity' 10`,
        ]);
    });

    it("refuses an account name that cannot be the subdomain, unless customSubDomainName is set", () => {
        assert.deepEqual(problemsOf(managed({ openai: { accountName: "store-" } })), [
            `${P}:openai.accountName = "store-" cannot be used as the custom subdomain ("store-"): use 2-64 lowercase ` +
                `letters, digits or '-', starting and ending with a letter or digit (globally unique, and immutable once ` +
                `set). Entra ID auth needs a custom subdomain. Fix: pulumi config set --path ` +
                `'${P}:openai.customSubDomainName' <subdomain>`,
        ]);
    });

    it("reports a missing account name once, not also as a subdomain", () => {
        assert.deepEqual(problemsOf(managed({ openai: { accountName: undefined } })), [
            `${P}:openai.accountName is required: use 2-64 letters, digits or '-', starting with a letter or digit. ` +
                `Fix: pulumi config set --path '${P}:openai.accountName' myOpenAI`,
        ]);
    });

    it("refuses an invalid customSubDomainName, and has none then (the reader's fallback)", () => {
        assert.deepEqual(problemsOf(managed({ openai: { customSubDomainName: "Store_X" } })), [
            `${P}:openai.customSubDomainName = "Store_X": use 2-64 lowercase letters, digits or '-', starting and ending ` +
                `with a letter or digit (globally unique, and immutable once set). Fix: pulumi config set --path ` +
                `'${P}:openai.customSubDomainName' store-x`,
        ]);
        const problems = new Problems();
        const openai = readOpenAi(problems, { mode: "managed", accountName: "acct", customSubDomainName: "Store_X" });
        assert.equal(openai.mode === "managed" && openai.customSubDomainName, "");
        assert.equal(problems.count, 1);
    });
});

describe("additionalServiceAccounts and the federation limits", () => {
    const account = (i: number) => ({ namespace: "team", name: `sa-${i}` });

    it("is empty when set to nothing", () => {
        assert.deepEqual(parseProject(managed({ additionalServiceAccounts: null })).additionalServiceAccounts, []);
    });

    it("refuses a value that is not a list", () => {
        assert.deepEqual(problemsOf(managed({ additionalServiceAccounts: { namespace: "a", name: "b" } })), [
            `${P}:additionalServiceAccounts = {"namespace":"a","name":"b"}: must be a list of {namespace, name, ` +
                `federatedCredentialName?}. Fix: pulumi config set --path '${P}:additionalServiceAccounts[0].name' ` +
                `<serviceaccount>`,
        ]);
    });

    it("takes 19 more ServiceAccounts: 20 credentials, Azure's limit per identity", () => {
        const additional = Array.from({ length: 19 }, (_, i) => account(i));
        assert.equal(
            parseProject(managed({ additionalServiceAccounts: additional })).additionalServiceAccounts.length,
            19,
        );
    });

    it("refuses a 21st credential, saying how many to remove", () => {
        const additional = Array.from({ length: 20 }, (_, i) => account(i));
        assert.deepEqual(
            problemsOf(managed({ identity: { name: "id-store" }, additionalServiceAccounts: additional })),
            [
                `${P}:additionalServiceAccounts lists 20 ServiceAccounts; with ai-service's that makes 21 federated ` +
                    `credentials on identity "id-store", and Azure allows at most 20 per identity. Fix: remove 1 entries, ` +
                    `or give those workloads a stack (and identity) of their own`,
            ],
        );
    });

    it("refuses ai-service's own ServiceAccount again, naming aiService as the first", () => {
        assert.deepEqual(
            problemsOf(managed({ additionalServiceAccounts: [{ namespace: "default", name: "ai-service-account" }] })),
            [
                `${P}:additionalServiceAccounts[0] repeats ServiceAccount default/ai-service-account of ${P}:aiService: ` +
                    `subject "system:serviceaccount:default:ai-service-account" can be federated only once per identity. ` +
                    `Fix: remove the duplicate entry`,
                `${P}:additionalServiceAccounts[0].federatedCredentialName = "default-ai-service-account" is already ` +
                    `used by ${P}:aiService: credential names are unique per identity. Fix: pulumi config set --path ` +
                    `'${P}:additionalServiceAccounts[0].federatedCredentialName' <unique-name>`,
            ],
        );
    });

    it("refuses a credential name used twice, whatever its case", () => {
        const additional = [
            { namespace: "a", name: "x", federatedCredentialName: "Shared-Cred" },
            { namespace: "b", name: "y", federatedCredentialName: "shared-cred" },
        ];
        assert.deepEqual(problemsOf(managed({ additionalServiceAccounts: additional })), [
            `${P}:additionalServiceAccounts[1].federatedCredentialName = "shared-cred" is already used by ` +
                `${P}:additionalServiceAccounts[0]: credential names are unique per identity. Fix: pulumi config set ` +
                `--path '${P}:additionalServiceAccounts[1].federatedCredentialName' <unique-name>`,
        ]);
    });

    it("reports an entry without a name or a namespace as missing it, not also as a duplicate", () => {
        const required = (index: number, key: "name" | "namespace") =>
            key === "name"
                ? `${P}:additionalServiceAccounts[${index}].name is required: use a Kubernetes ServiceAccount name: ` +
                  `lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 ` +
                  `characters. Fix: pulumi config set --path '${P}:additionalServiceAccounts[${index}].name' ai-service-account`
                : `${P}:additionalServiceAccounts[${index}].namespace is required: use a Kubernetes namespace name: 1-63 ` +
                  `lowercase letters, digits or '-', starting and ending with a letter or digit. Fix: pulumi config set ` +
                  `--path '${P}:additionalServiceAccounts[${index}].namespace' default`;
        assert.deepEqual(problemsOf(managed({ additionalServiceAccounts: [{ namespace: "a" }, { namespace: "a" }] })), [
            required(0, "name"),
            required(1, "name"),
        ]);
        assert.deepEqual(problemsOf(managed({ additionalServiceAccounts: [{ name: "x" }, { name: "x" }] })), [
            required(0, "namespace"),
            required(1, "namespace"),
        ]);
    });
});

describe("cluster.adminGroupObjectIds and cluster.localAccounts", () => {
    const notAnId = (index: number, value: string) =>
        `${P}:cluster.adminGroupObjectIds[${index}] = "${value}": must be the object id (a GUID) of a Microsoft Entra ` +
        `group, not its name or a user's id. Fix: copy the admin group's object id that bootstrap/github-oidc exported ` +
        `for stack "dev" (pulumi -C bootstrap/github-oidc stack output adminGroupObjectIds --json), then pulumi config ` +
        `set --path '${P}:cluster.adminGroupObjectIds[${index}]' <object id>`;

    it("refuses a value with text around a marked one: it is neither a GUID nor a marked value", () => {
        assert.deepEqual(
            problemsOf(managed({ cluster: { adminGroupObjectIds: ["x<admin group>", "<admin group>x"] } })),
            [notAnId(0, "x<admin group>"), notAnId(1, "<admin group>x")],
        );
    });

    it("refuses admin groups on a cluster with local accounts, with both ways out", () => {
        assert.deepEqual(problemsOf(managed({ cluster: { localAccounts: "enabled" } })), [
            `${P}:cluster.adminGroupObjectIds = ["${GROUP}"]: a cluster with cluster.localAccounts "enabled" is created ` +
                `without Microsoft Entra integration, so admin groups have no effect. Fix: pulumi config rm --path ` +
                `'${P}:cluster.localAccounts' (Entra ID only, the default), or pulumi config rm --path ` +
                `'${P}:cluster.adminGroupObjectIds'`,
        ]);
    });

    it("takes admin groups set to nothing as none", () => {
        const cluster = parseProject(
            managed({ cluster: { localAccounts: "enabled", adminGroupObjectIds: null } }),
        ).cluster;
        assert.deepEqual(cluster.mode === "managed" && cluster.adminGroupObjectIds, []);
    });

    it("has no admin groups when the list is refused (the reader's fallback)", () => {
        const problems = new Problems();
        const cluster = new ConfigObject(problems, "cluster", { adminGroupObjectIds: "admins" }, CLUSTER_KEYS.managed);
        const access = readClusterAccess(problems, cluster, { stack: "dev", preview: false });
        assert.deepEqual(access, { localAccounts: "disabled", adminGroupObjectIds: [] });
        assert.equal(problems.count, 1);
    });
});
