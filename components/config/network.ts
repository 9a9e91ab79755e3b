import {
    canonical,
    containsAddress,
    containsRange,
    formatAddress,
    isCanonical,
    overlaps,
    parseAddress,
    parseCidr,
} from "./cidr";
import type { Cidr } from "./cidr";
import { childPath, ConfigObject, fixCommand, fullKey, Problems, show } from "./reader";
import { CLUSTER_NETWORK_KEYS, DEFAULTS, NETWORK_ACCESS_MODES, PRIVATE_ENDPOINT_KEYS } from "./schema";
import type { ClusterNetworkSettings, ClusterSettings, NetworkSettings, OpenAiSettings } from "./settings";

/**
 * How ai-service reaches Azure OpenAI: `openai.network` ("public", the default, or "private"), `openai.allowedIpRanges`
 * (public mode), `cluster.network` (private mode with a managed cluster: the stack creates the virtual network) and
 * `openai.privateEndpoint` (private mode with a cluster the stack does not own: an existing subnet and network).
 * The section readers accept these keys; this reader judges them, because each depends on the other section's mode.
 *
 * Public is the default for every account: private mode puts a managed cluster into a virtual network the stack
 * creates, and an agent pool's subnet cannot change, so turning it on for a running cluster replaces the cluster.
 * It must be chosen, never inherited from an upgrade.
 */
export function readNetwork(
    problems: Problems,
    rawOpenAi: unknown,
    rawCluster: unknown,
    clusterMode: ClusterSettings["mode"],
    openAiMode: OpenAiSettings["mode"],
): NetworkSettings {
    const openai = keysOnly(problems, "openai", rawOpenAi);
    const cluster = keysOnly(problems, "cluster", rawCluster);
    const access = openai.oneOf("network", NETWORK_ACCESS_MODES, "public");
    // Objects are read whenever they are set, so an unknown key inside them is reported whatever the mode.
    const endpoint = openai.has("privateEndpoint")
        ? openai.object("privateEndpoint", PRIVATE_ENDPOINT_KEYS)
        : undefined;
    const clusterNetwork = cluster.has("network") ? cluster.object("network", CLUSTER_NETWORK_KEYS) : undefined;

    if (access === "public") {
        for (const [key, set] of [
            ["openai.privateEndpoint", endpoint !== undefined],
            ["cluster.network", clusterNetwork !== undefined && clusterMode === "managed"],
        ] as const) {
            if (set) {
                problems.add(
                    `${fullKey(key)} is set but openai.network is "public": it places the private endpoint, which public ` +
                        `mode does not create. Fix: ${fixCommand("openai.network", "private")}, or ` +
                        `pulumi config rm --path '${fullKey(key)}'`,
                );
            }
        }
        // `allowedIpRanges` is a key of managed accounts only; the openai reader reports it for an existing one.
        const allowedIpRanges = openAiMode === "managed" ? readIpRanges(problems, openai.raw("allowedIpRanges")) : [];
        return { access, allowedIpRanges };
    }

    if (openai.has("allowedIpRanges") && openAiMode === "managed") {
        problems.add(
            `${fullKey("openai.allowedIpRanges")} = ${show(openai.raw("allowedIpRanges"))} has no effect when ` +
                `openai.network is "private": the account's public network access is off, and network rules apply only ` +
                `to public access. Fix: pulumi config rm --path '${fullKey("openai.allowedIpRanges")}'`,
        );
    }
    if (clusterMode === "managed") {
        if (endpoint !== undefined) {
            problems.add(
                `${fullKey("openai.privateEndpoint")} is set, but cluster.mode is "managed": the stack creates the ` +
                    `cluster's virtual network and places the endpoint in its own subnet (cluster.network.endpointSubnet). ` +
                    `Fix: pulumi config rm --path '${fullKey("openai.privateEndpoint")}'`,
            );
        }
        return { access, placement: "stack", clusterNetwork: readClusterNetwork(problems, clusterNetwork) };
    }
    const existing = endpoint ?? new ConfigObject(problems, "openai.privateEndpoint", undefined, PRIVATE_ENDPOINT_KEYS);
    const why = ` when openai.network is "private" and cluster.mode is "${clusterMode}" (the stack does not own the cluster's network)`;
    const subnetId = armId(problems, existing, "subnetId", SUBNET_ID, why);
    const vnetId = armId(problems, existing, "vnetId", VNET_ID, why);
    return { access, placement: "existing", subnetId, vnetId };
}

const SUBNET_ID = {
    pattern:
        /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i,
    rule: "the ARM id of a subnet in the cluster's virtual network (az network vnet subnet show -g <rg> --vnet-name <vnet> -n <subnet> --query id -o tsv)",
    example:
        "/subscriptions/<subscription>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>",
};

const VNET_ID = {
    pattern: /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+$/i,
    rule: "the ARM id of the cluster's virtual network (az network vnet show -g <rg> -n <vnet> --query id -o tsv)",
    example: "/subscriptions/<subscription>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>",
};

function armId(
    problems: Problems,
    object: ConfigObject,
    key: string,
    rule: { pattern: RegExp; rule: string; example: string },
    why: string,
): string {
    const path = childPath(object.path, key);
    if (!object.has(key)) {
        problems.add(`${fullKey(path)} is required${why}: ${rule.rule}. Fix: ${fixCommand(path, rule.example)}`);
        return "";
    }
    return object.string(key, rule) ?? "";
}

/** A ConfigObject that reports nothing about its keys: the section's own reader already judged them. */
function keysOnly(problems: Problems, path: string, raw: unknown): ConfigObject {
    const plain = raw !== null && typeof raw === "object" && !Array.isArray(raw) ? raw : undefined;
    return new ConfigObject(problems, path, plain, Object.keys(plain ?? {}));
}

/**
 * `openai.allowedIpRanges`: IPv4 addresses or canonical CIDR ranges. Whether a range can ever match the cluster's
 * egress (a private range cannot) is the access path's and the policy pack's judgement, not a syntax error.
 */
function readIpRanges(problems: Problems, raw: unknown): string[] {
    const key = "openai.allowedIpRanges";
    if (raw === undefined || raw === null) {
        return [];
    }
    if (!Array.isArray(raw)) {
        problems.add(
            `${fullKey(key)} = ${show(raw)}: must be a list of IPv4 addresses or CIDR ranges. ` +
                `Fix: set it as a YAML list in Pulumi.<stack>.yaml, or ${fixCommand(`${key}[0]`, "203.0.113.0/24")}`,
        );
        return [];
    }
    const ranges: string[] = [];
    raw.forEach((entry: unknown, index) => {
        const path = `${key}[${index}]`;
        const text = typeof entry === "string" ? entry.trim() : undefined;
        // An address has no "/", a range has one: at most one of the two parses.
        if (text !== undefined && parseAddress(text) !== undefined) {
            ranges.push(text);
            return;
        }
        const range = text === undefined ? undefined : parseCidr(text);
        if (range === undefined) {
            problems.add(
                `${fullKey(path)} = ${show(entry)}: must be an IPv4 address (203.0.113.7) or CIDR range (203.0.113.0/24). ` +
                    `Fix: ${fixCommand(path, "203.0.113.0/24")}`,
            );
            return;
        }
        if (range.prefix >= 31) {
            // Azure AI services network rules take single addresses, not /31 or /32 ranges.
            problems.add(
                `${fullKey(path)} = ${show(entry)}: /31 and /32 ranges are not accepted in an account's network rules; ` +
                    `list each address on its own. Fix: ${fixCommand(path, formatAddress(range.base))}`,
            );
            return;
        }
        if (!isCanonical(range)) {
            problems.add(notCanonical(path, entry, range));
            return;
        }
        ranges.push(text as string);
    });
    return ranges;
}

function notCanonical(path: string, value: unknown, range: Cidr): string {
    return (
        `${fullKey(path)} = ${show(value)}: the address has host bits set for a /${range.prefix}; Azure refuses it ` +
        `(InvalidCIDRNotation). Fix: ${fixCommand(path, canonical(range))}`
    );
}

/** One range of `cluster.network`, parsed; undefined (with the problem recorded) when it is not a canonical CIDR. */
function readRange(
    problems: Problems,
    object: ConfigObject | undefined,
    key: keyof ClusterNetworkSettings,
): Cidr | undefined {
    const path = `cluster.network.${key}`;
    const fallback = DEFAULTS.clusterNetwork[key];
    const raw = object?.raw(key);
    const value = raw === undefined || raw === null ? fallback : raw;
    const range = typeof value === "string" ? parseCidr(value) : undefined;
    if (range === undefined) {
        problems.add(
            `${fullKey(path)} = ${show(value)}: must be an IPv4 CIDR range such as ${fallback}. Fix: ${fixCommand(path, fallback)}`,
        );
        return undefined;
    }
    if (!isCanonical(range)) {
        problems.add(notCanonical(path, value, range));
        return undefined;
    }
    if (key !== "podCidr" && key !== "serviceCidr" && range.prefix > 29) {
        // Azure's smallest subnet is a /29 (it reserves five addresses in each).
        problems.add(
            `${fullKey(path)} = ${show(value)}: a /${range.prefix} is smaller than Azure's smallest subnet (/29). ` +
                `Fix: ${fixCommand(path, fallback)}`,
        );
        return undefined;
    }
    return range;
}

/**
 * `cluster.network`: every range a valid canonical CIDR; both subnets inside the address space and apart; the pod and
 * Service ranges outside the virtual network and apart from each other (AKS routes them itself: an overlap sends
 * traffic to the wrong place, and AKS refuses the cluster); the DNS Service address inside the Service range.
 */
function readClusterNetwork(problems: Problems, object: ConfigObject | undefined): ClusterNetworkSettings {
    const count = problems.count;
    const ranges = Object.fromEntries(
        (["addressSpace", "nodeSubnet", "endpointSubnet", "podCidr", "serviceCidr"] as const).map((key) => [
            key,
            readRange(problems, object, key),
        ]),
    ) as Record<"addressSpace" | "nodeSubnet" | "endpointSubnet" | "podCidr" | "serviceCidr", Cidr | undefined>;
    const set = (key: keyof ClusterNetworkSettings) => `cluster.network.${key}`;
    const value = (key: keyof ClusterNetworkSettings) => ranges[key as keyof typeof ranges]?.text ?? "";
    const conflict = (key: keyof ClusterNetworkSettings, relation: string, other: keyof ClusterNetworkSettings) =>
        problems.add(
            `${fullKey(set(key))} = ${show(value(key))} ${relation} ${set(other)} (${show(value(other))}). ` +
                `Fix: ${fixCommand(set(key), "<a range that does not>")}, e.g. the default ${DEFAULTS.clusterNetwork[key]} ` +
                `if it fits`,
        );

    const { addressSpace, nodeSubnet, endpointSubnet, podCidr, serviceCidr } = ranges;
    for (const subnet of ["nodeSubnet", "endpointSubnet"] as const) {
        const range = ranges[subnet];
        if (range && addressSpace && !containsRange(addressSpace, range)) {
            conflict(subnet, "is not inside", "addressSpace");
        }
    }
    if (nodeSubnet && endpointSubnet && overlaps(nodeSubnet, endpointSubnet)) {
        conflict("endpointSubnet", "overlaps", "nodeSubnet");
    }
    for (const overlay of ["podCidr", "serviceCidr"] as const) {
        for (const network of ["addressSpace", "nodeSubnet", "endpointSubnet"] as const) {
            const a = ranges[overlay];
            const b = ranges[network];
            // A subnet inside the address space overlaps the overlay only where the address space does: say it once.
            if (
                a &&
                b &&
                overlaps(a, b) &&
                (network === "addressSpace" || !addressSpace || !containsRange(addressSpace, b))
            ) {
                conflict(overlay, "overlaps", network);
            }
        }
    }
    if (podCidr && serviceCidr && overlaps(podCidr, serviceCidr)) {
        conflict("serviceCidr", "overlaps", "podCidr");
    }

    const dnsPath = set("dnsServiceIp");
    const rawDns = object?.raw("dnsServiceIp");
    const dns = rawDns === undefined || rawDns === null ? DEFAULTS.clusterNetwork.dnsServiceIp : rawDns;
    const dnsAddress = typeof dns === "string" ? parseAddress(dns) : undefined;
    if (dnsAddress === undefined) {
        problems.add(
            `${fullKey(dnsPath)} = ${show(dns)}: must be an IPv4 address inside cluster.network.serviceCidr. ` +
                `Fix: ${fixCommand(dnsPath, DEFAULTS.clusterNetwork.dnsServiceIp)}`,
        );
    } else if (serviceCidr && !containsAddress(serviceCidr, dnsAddress)) {
        problems.add(
            `${fullKey(dnsPath)} = ${show(dns)} is not inside cluster.network.serviceCidr (${serviceCidr.text}): the ` +
                `cluster DNS is a Service, and AKS refuses the cluster. Fix: ${fixCommand(dnsPath, formatAddress(serviceCidr.base + 10))}`,
        );
    } else if (serviceCidr && dnsAddress - serviceCidr.base < 2) {
        problems.add(
            `${fullKey(dnsPath)} = ${show(dns)} is the ${dnsAddress === serviceCidr.base ? "network address" : "address of the kubernetes Service"} ` +
                `of cluster.network.serviceCidr; AKS refuses it. Fix: ${fixCommand(dnsPath, formatAddress(serviceCidr.base + 10))}`,
        );
    }

    if (problems.count > count) {
        return DEFAULTS.clusterNetwork;
    }
    return {
        addressSpace: value("addressSpace"),
        nodeSubnet: value("nodeSubnet"),
        endpointSubnet: value("endpointSubnet"),
        podCidr: value("podCidr"),
        serviceCidr: value("serviceCidr"),
        dnsServiceIp: dns as string,
    };
}
