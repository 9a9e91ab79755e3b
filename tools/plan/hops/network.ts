import { OPENAI } from "../azureErrors";
import { OPENAI_PRIVATE_DNS_ZONE, OPENAI_PRIVATE_LINK_GROUP } from "../facts";
import { at, str } from "./lookups";
import type { Account, AccessPathInput, Check, HopAnalyzer } from "./model";
import {
    clusterNetworkOf,
    endpointsOf,
    type ClusterNetwork,
    type EndpointView,
    type NetworkRef,
} from "./networkTopology";

/**
 * Hop 8: how the pod's call reaches the account. Privately, when a private endpoint of this plan connects to the
 * account: then the endpoint must be in a network the cluster's nodes are in, and the account's name must resolve to
 * it (a zone group writing into `privatelink.openai.azure.com`, that zone linked to the cluster's network). Publicly
 * otherwise: then public network access must be on, and network rules must be able to admit the cluster's egress.
 */
export const networkHop: HopAnalyzer = {
    hop: "network",
    analyze({ input, account }) {
        if (account === undefined) {
            return {
                checks: [
                    check(
                        "route",
                        "(unknown)",
                        "not reached",
                        "the account the workload calls is not in this plan",
                        "-",
                    ),
                ],
            };
        }
        const access = accountAccess(input, account);
        const endpoints = endpointsOf(input, account);
        const endpoint =
            endpoints.find((candidate) => candidate.groupIds.includes(OPENAI_PRIVATE_LINK_GROUP)) ?? endpoints[0];
        if (endpoint === undefined) {
            return { checks: publicPath(account, access) };
        }
        return {
            checks: privatePath(input, account, access, endpoint),
            resolved: { privateEndpoint: endpoint.resource },
        };
    },
};

interface AccountAccess {
    /** "Enabled", "Disabled", a placeholder (read at deploy time) or undefined (Azure's default: Enabled). */
    readonly publicNetworkAccess: string | undefined;
    readonly networkAcls: unknown;
    readonly source: string;
}

function accountAccess(input: AccessPathInput, account: Account): AccountAccess {
    if (account.owner) {
        return {
            publicNetworkAccess: str(at(account.owner.inputs, "properties.publicNetworkAccess")),
            networkAcls: at(account.owner.inputs, "properties.networkAcls"),
            source: "as this stack creates it",
        };
    }
    const read = input.reads.find(
        (r) => r.token === "azure-native:cognitiveservices:getAccount" && r.args.accountName === account.name,
    );
    return {
        publicNetworkAccess: str(at(read?.answer, "properties.publicNetworkAccess")),
        networkAcls: at(read?.answer, "properties.networkAcls"),
        source: "as read from Azure",
    };
}

function check(name: string, planned: string, verdict: Check["verdict"], basis: string, ifBroken: string): Check {
    return { hop: "network", check: name, planned, verdict, basis, ifBroken };
}

const PUBLIC_ACCESS_DISABLED = OPENAI.publicAccessDisabled().body.error.message;
const FIREWALL_DENIED = OPENAI.firewallDenied().body.error.message;

/** What the pod gets when the account's name resolves to its public address instead of the endpoint. */
function publicResolution(access: AccountAccess): string {
    const disabled = `403 "${PUBLIC_ACCESS_DISABLED}" (the name resolves to the account's public address)`;
    switch (access.publicNetworkAccess) {
        case "Disabled":
            return disabled;
        case "Enabled":
        case undefined:
            return "no error: the calls resolve to the public address and leave the network over the internet, which private mode is meant to stop";
        default:
            return `${disabled}, once public access is off; until then the calls go over the internet`;
    }
}

// ------------------------------------------------------------------------------------------------------------------

function publicPath(account: Account, access: AccountAccess): Check[] {
    const disabled = access.publicNetworkAccess === "Disabled";
    const state = access.publicNetworkAccess ?? "not set (Enabled)";
    return [
        check(
            "route",
            "public",
            disabled ? "broken" : "ok",
            disabled
                ? `the public network access of ${account.source} is Disabled, and no private endpoint in this plan ` +
                      `connects to it: nothing admits the pods' calls`
                : `no private endpoint in this plan connects to ${account.source}: the pods call ${account.endpoint} ` +
                      `over the internet (public network access ${state}, ${access.source})`,
            `403 "${PUBLIC_ACCESS_DISABLED}"`,
        ),
        networkRules(account, access),
    ];
}

/** Network rules of an account reached publicly: a rule set that can never admit the cluster's egress is broken. */
function networkRules(account: Account, access: AccountAccess): Check {
    const acls = access.networkAcls;
    const defaultAction = str(at(acls, "defaultAction"));
    const ipRules = (Array.isArray(at(acls, "ipRules")) ? (at(acls, "ipRules") as unknown[]) : [])
        .map((rule) => str(at(rule, "value")))
        .filter((value): value is string => value !== undefined);
    const vnetRules = Array.isArray(at(acls, "virtualNetworkRules"))
        ? (at(acls, "virtualNetworkRules") as unknown[])
        : [];
    const planned =
        defaultAction === undefined
            ? "(none)"
            : `default ${defaultAction}` + (ipRules.length > 0 ? `; allow ${ipRules.join(", ")}` : "");
    if (acls === undefined && account.owner === undefined) {
        return check(
            "network rules",
            "(read at deploy time)",
            "ok",
            `the network rules of ${account.source} are not in this plan; if they deny by default, the cluster's ` +
                "egress address must be among the allowed ones",
            `403 "${FIREWALL_DENIED}"`,
        );
    }
    if (defaultAction !== "Deny") {
        return check(
            "network rules",
            planned,
            "ok",
            defaultAction === undefined
                ? `no network rules on ${account.source}: every public address is admitted`
                : `default action ${defaultAction}: every public address is admitted`,
            `403 "${FIREWALL_DENIED}"`,
        );
    }
    const publicRules = ipRules.filter((rule) => !isNonPublic(rule));
    if (publicRules.length === 0 && vnetRules.length === 0) {
        return check(
            "network rules",
            planned,
            "broken",
            ipRules.length === 0
                ? "default action Deny with no rule: no caller is admitted, the cluster included"
                : `default action Deny, and ${ipRules.join(", ")} ${ipRules.length === 1 ? "is a range" : "are ranges"} ` +
                      `no public caller comes from: the cluster's pods reach the account from its public egress address ` +
                      `(their own, node and private addresses never arrive there)`,
            `403 "${FIREWALL_DENIED}"`,
        );
    }
    return check(
        "network rules",
        planned,
        "ok",
        `admits only ${[...publicRules, ...(vnetRules.length > 0 ? ["virtual network rules"] : [])].join(", ")}: the ` +
            `cluster's egress address must be among them (az aks show -g <rg> -n <cluster> --query ` +
            `networkProfile.loadBalancerProfile.effectiveOutboundIPs); the plan cannot see it`,
        `403 "${FIREWALL_DENIED}"`,
    );
}

/** RFC 1918, loopback, link-local, shared (CGNAT) and "this network" ranges: never a caller's public address. */
const NON_PUBLIC: readonly [number, number][] = [
    [0x0a000000, 8],
    [0xac100000, 12],
    [0xc0a80000, 16],
    [0x7f000000, 8],
    [0xa9fe0000, 16],
    [0x64400000, 10],
    [0x00000000, 8],
];

function isNonPublic(rule: string): boolean {
    const [address, prefixText] = rule.split("/");
    const octets = address.split(".").map(Number);
    if (octets.length !== 4 || octets.some((o) => !(o >= 0 && o <= 255))) {
        return false;
    }
    const value = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
    const prefix = prefixText === undefined ? 32 : Number(prefixText);
    return NON_PUBLIC.some(([base, bits]) => {
        const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
        return prefix >= bits && (value & mask) >>> 0 === base;
    });
}

// ------------------------------------------------------------------------------------------------------------------

function privatePath(input: AccessPathInput, account: Account, access: AccountAccess, endpoint: EndpointView): Check[] {
    const cluster = clusterNetworkOf(input.resources);
    const openAiZone = endpoint.zones?.find((zone) => zone.name.toLowerCase() === OPENAI_PRIVATE_DNS_ZONE);
    const resolution = publicResolution(access);
    const checks: Check[] = [
        check(
            "route",
            `private: ${endpoint.name}`,
            "ok",
            `private endpoint ${endpoint.name} connects to ${account.source}; the pods reach it if the checks below hold`,
            "-",
        ),
        check(
            "endpoint group",
            endpoint.groupIds.join(", ") || "(none)",
            endpoint.groupIds.includes(OPENAI_PRIVATE_LINK_GROUP) ? "ok" : "broken",
            `a Cognitive Services account offers one private-link group: "${OPENAI_PRIVATE_LINK_GROUP}"`,
            "at deploy time: Azure refuses the private endpoint's connection (the group is not a sub-resource of the account)",
        ),
        endpointNetwork(endpoint, cluster, openAiZone?.links ?? []),
        check(
            "private DNS zone",
            endpoint.zones === undefined
                ? "(no zone group)"
                : endpoint.zones.map((zone) => zone.name).join(", ") || "(none)",
            openAiZone ? "ok" : "broken",
            openAiZone
                ? `the endpoint's zone group writes the account's A record into ${OPENAI_PRIVATE_DNS_ZONE}, the zone ` +
                      "its OpenAI endpoint (<sub>.openai.azure.com) resolves through"
                : endpoint.zones === undefined
                  ? `endpoint ${endpoint.name} has no zone group: no zone holds the account's private address`
                  : `the account's OpenAI endpoint (<sub>.openai.azure.com) resolves through ${OPENAI_PRIVATE_DNS_ZONE}; ` +
                    `${endpoint.zones.map((zone) => zone.name).join(", ")} serve${endpoint.zones.length === 1 ? "s" : ""} ` +
                    `other names (privatelink.cognitiveservices.azure.com: only <sub>.cognitiveservices.azure.com)`,
            resolution,
        ),
        zoneLink(openAiZone, cluster, resolution),
        check(
            "public access",
            access.publicNetworkAccess ?? "(not set: Enabled)",
            "ok",
            access.publicNetworkAccess === "Disabled"
                ? `off (${access.source}): only private endpoints admit calls`
                : account.owner
                  ? `on (${access.source}): calls from the internet are still admitted`
                  : `${access.source}; this stack never changes an account it does not own: it warns, with the az command, while public access is on`,
            "-",
        ),
    ];
    return checks;
}

function endpointNetwork(
    endpoint: EndpointView,
    cluster: ClusterNetwork | undefined,
    zoneLinks: readonly NetworkRef[],
): Check {
    const planned = endpoint.network
        ? `${endpoint.network.label} (subnet ${endpoint.subnetLabel})`
        : endpoint.subnetLabel;
    const unreachable =
        "the name resolves to the endpoint's private address, which the pods cannot route to: the call times out " +
        "(connect ETIMEDOUT <endpoint address>:443)";
    if (cluster?.kind === "aks-managed") {
        return check("endpoint network", planned, "broken", `${cluster.source}, not ${planned}`, unreachable);
    }
    if (cluster?.kind === "subnet") {
        const same = endpoint.network !== undefined && endpoint.network.key === cluster.network?.key;
        return check(
            "endpoint network",
            planned,
            same ? "ok" : "broken",
            same
                ? `the network of ${cluster.source}`
                : `not the network of ${cluster.source} (${cluster.network?.label ?? "unknown"}); a network the nodes are not in`,
            unreachable,
        );
    }
    // The cluster is not in this plan: the network the zone is linked to is the one configured as the cluster's.
    const declared = zoneLinks.find((link) => link.key === endpoint.network?.key);
    return check(
        "endpoint network",
        planned,
        declared || zoneLinks.length === 0 ? "ok" : "broken",
        declared
            ? "the network the zone is linked to, configured as the cluster's (openai.privateEndpoint.vnetId)"
            : zoneLinks.length === 0
              ? "the cluster is not in this plan and the zone has no link to compare with"
              : `not the cluster's network ${zoneLinks.map((link) => link.label).join(", ")} (openai.privateEndpoint.vnetId): ` +
                "the pods reach it only if the two networks are peered, which the plan cannot see",
        unreachable,
    );
}

function zoneLink(
    zone: { readonly name: string; readonly resource?: unknown; readonly links: readonly NetworkRef[] } | undefined,
    cluster: ClusterNetwork | undefined,
    resolution: string,
): Check {
    if (zone === undefined) {
        return check("zone link", "(no zone)", "not reached", `no ${OPENAI_PRIVATE_DNS_ZONE} zone to link`, resolution);
    }
    if (zone.resource === undefined) {
        return check(
            "zone link",
            "(zone not in this plan)",
            "ok",
            `${zone.name} is not created by this stack: its links are not in the plan`,
            resolution,
        );
    }
    const planned = zone.links.map((link) => link.label).join(", ") || "(none)";
    const clusterKey = cluster?.kind === "subnet" ? cluster.network?.key : undefined;
    const linked =
        cluster?.kind === "aks-managed"
            ? false
            : clusterKey !== undefined
              ? zone.links.some((link) => link.key === clusterKey)
              : zone.links.length > 0;
    return check(
        "zone link",
        planned,
        linked ? "ok" : "broken",
        linked
            ? cluster === undefined
                ? "linked to the network configured as the cluster's (openai.privateEndpoint.vnetId)"
                : `linked to the network of ${cluster.source}`
            : zone.links.length === 0
              ? `${zone.name} is linked to no network: the pods' resolver never reads it`
              : `${zone.name} is not linked to the network of ${cluster?.source ?? "the cluster"}: the pods' resolver never reads it`,
        resolution,
    );
}
