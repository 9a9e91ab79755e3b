import type { StackValidationPolicy } from "@pulumi/policy";

import { OPENAI_PRIVATE_DNS_ZONE } from "./facts";
import { buildNetworkGraph, openAiEndpoints, type EndpointNode, type NetworkGraph } from "./networkGraph";
import { isUnknown, listAt, stringAt } from "./values";

/**
 * The private path to Azure OpenAI (issue 12), one mandatory stack policy per mistake, each naming the error the pod
 * would get. They judge what the stack's resources show: a network, zone or account outside the stack is not judged,
 * and neither is a value not known yet (preview).
 */

type Report = (message: string, urn?: string) => void;

function networkPolicy(
    name: string,
    description: string,
    remediationSteps: string,
    rule: (graph: NetworkGraph, report: Report) => void,
): StackValidationPolicy {
    return {
        name,
        description,
        enforcementLevel: "mandatory",
        remediationSteps,
        validateStack: (args, reportViolation) =>
            rule(buildNetworkGraph(args.resources), (message, urn) => reportViolation(message, urn)),
    };
}

const PUBLIC_ACCESS_DISABLED = '403 "Public access is disabled. Please configure private endpoint."';
const FIREWALL_DENIED = '403 "Access denied due to Virtual Network/Firewall rules."';

function label(endpoint: EndpointNode): string {
    const account = typeof endpoint.accountName === "string" ? ` to account ${endpoint.accountName}` : "";
    return `Private endpoint ${endpoint.node.name}${account}`;
}

/** Whether the name resolving publicly costs a 403 (public access off) or only privacy. */
function whenPublic(endpoint: EndpointNode): string {
    return endpoint.account?.publicNetworkAccess === "Disabled"
        ? `the account's name resolves to its public address and the pods get ${PUBLIC_ACCESS_DISABLED}`
        : "the account's name resolves to its public address, and the calls leave the network over the internet";
}

const zoneName = networkPolicy(
    "openai-private-dns-zone-name",
    `A private endpoint to an Azure OpenAI account writes its record into ${OPENAI_PRIVATE_DNS_ZONE}.`,
    `Give the endpoint a zone group whose zone is ${OPENAI_PRIVATE_DNS_ZONE} (not privatelink.cognitiveservices.azure.com, which serves only <sub>.cognitiveservices.azure.com).`,
    (graph, report) => {
        for (const endpoint of openAiEndpoints(graph)) {
            const names = (endpoint.zones ?? []).map((zone) => zone.name);
            if (names.some((name) => isUnknown(name)) || names.some((name) => name === OPENAI_PRIVATE_DNS_ZONE)) {
                continue;
            }
            report(
                `${label(endpoint)} ` +
                    (endpoint.zones === undefined
                        ? "has no private DNS zone group"
                        : `writes its record only into ${names.join(", ")}`) +
                    `: <sub>.openai.azure.com resolves through ${OPENAI_PRIVATE_DNS_ZONE}, so ${whenPublic(endpoint)}. ` +
                    `Fix: a zone group on the endpoint naming the ${OPENAI_PRIVATE_DNS_ZONE} zone.`,
                endpoint.node.urn,
            );
        }
    },
);

const zoneLinked = networkPolicy(
    "openai-private-dns-zone-linked",
    `The ${OPENAI_PRIVATE_DNS_ZONE} zone of an Azure OpenAI private endpoint is linked to the cluster's network.`,
    "Add a virtual network link from the zone to the network the cluster's nodes are in.",
    (graph, report) => {
        for (const endpoint of openAiEndpoints(graph)) {
            for (const zone of endpoint.zones ?? []) {
                if (zone.name !== OPENAI_PRIVATE_DNS_ZONE || zone.node === undefined) {
                    continue;
                }
                const cluster = graph.cluster?.network;
                // A link to a network not known yet, or a cluster whose subnet is not known yet: not judged.
                if (zone.links.includes(undefined) || (graph.cluster !== undefined && cluster === undefined)) {
                    continue;
                }
                const linked =
                    cluster === "aks-managed"
                        ? false
                        : cluster === undefined
                          ? zone.links.length > 0
                          : zone.links.includes(cluster);
                if (!linked) {
                    report(
                        `Zone ${OPENAI_PRIVATE_DNS_ZONE} (${zone.node.name}) is ` +
                            (zone.links.length === 0
                                ? "linked to no network"
                                : `not linked to the network of cluster ${String(graph.cluster?.name)}`) +
                            `: the pods' resolver never reads it, so ${whenPublic(endpoint)}. Fix: link the zone to ` +
                            "the cluster's virtual network (registrationEnabled false).",
                        zone.node.urn,
                    );
                }
            }
        }
    },
);

const publicAccessNeedsEndpoint = networkPolicy(
    "openai-public-access-needs-endpoint",
    "An Azure OpenAI account with public network access off has a private endpoint in this stack.",
    "Add a private endpoint (group account) in the cluster's network, or turn public network access on.",
    (graph, report) => {
        for (const account of graph.accounts) {
            if (account.publicNetworkAccess !== "Disabled") {
                continue;
            }
            if (graph.endpoints.some((endpoint) => endpoint.account === account)) {
                continue;
            }
            report(
                `Azure OpenAI account ${String(account.name)} has public network access Disabled and no private endpoint ` +
                    `in this stack connects to it: the pods get ${PUBLIC_ACCESS_DISABLED}. Fix: set openai.network to ` +
                    `"private" (the stack adds the endpoint), or turn public network access on.`,
                account.node.urn,
            );
        }
    },
);

const endpointInClusterNetwork = networkPolicy(
    "openai-endpoint-in-cluster-network",
    "An Azure OpenAI private endpoint is in the network the cluster's nodes are in.",
    "Place the endpoint in a subnet of the cluster's virtual network.",
    (graph, report) => {
        for (const endpoint of openAiEndpoints(graph)) {
            if (endpoint.network === undefined) {
                continue;
            }
            const cluster = graph.cluster?.network;
            if (graph.cluster !== undefined && cluster === undefined) {
                continue;
            }
            const openAiZone = (endpoint.zones ?? []).find((zone) => zone.name === OPENAI_PRIVATE_DNS_ZONE);
            // Without a cluster in this stack, the network the zone is linked to stands for the cluster's.
            const clusterNetworks =
                cluster === "aks-managed" ? [] : cluster !== undefined ? [cluster] : (openAiZone?.links ?? []);
            if (cluster === undefined && (clusterNetworks.length === 0 || clusterNetworks.includes(undefined))) {
                continue;
            }
            if (clusterNetworks.includes(endpoint.network)) {
                continue;
            }
            report(
                `${label(endpoint)} is in network ${endpoint.network}, ` +
                    (cluster === "aks-managed"
                        ? `but cluster ${String(graph.cluster?.name)} names no subnet: AKS puts its nodes in a network of its own`
                        : `but the cluster's nodes are in ${clusterNetworks.join(", ")}`) +
                    ": the name resolves to an address the pods cannot route to, and the call times out. Fix: place " +
                    "the endpoint in a subnet of the cluster's network.",
                endpoint.node.urn,
            );
        }
    },
);

/** RFC 1918, loopback, link-local, shared (CGNAT) and "this network": never a public caller's address. */
const NON_PUBLIC = [
    /^10\./,
    /^172\.(1[6-9]|2\d|3[01])\./,
    /^192\.168\./,
    /^127\./,
    /^169\.254\./,
    /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./,
    /^0\./,
];

const networkRulesAdmitCluster = networkPolicy(
    "openai-network-rules-admit-cluster",
    "An Azure OpenAI account reached over its public endpoint does not deny every address the cluster can call from.",
    "Allow the cluster's public egress address (az aks show --query networkProfile.loadBalancerProfile.effectiveOutboundIPs), or reach the account through a private endpoint.",
    (graph, report) => {
        for (const account of graph.accounts) {
            const acls = account.networkAcls;
            if (
                account.publicNetworkAccess === "Disabled" ||
                isUnknown(acls) ||
                acls === undefined ||
                stringAt(acls, "defaultAction") !== "Deny" ||
                graph.endpoints.some((endpoint) => endpoint.account === account)
            ) {
                continue;
            }
            const rules = listAt(acls, "ipRules");
            const vnetRules = listAt(acls, "virtualNetworkRules");
            if (isUnknown(rules) || isUnknown(vnetRules) || (Array.isArray(vnetRules) && vnetRules.length > 0)) {
                continue;
            }
            const values = (rules ?? []).map((rule) => stringAt(rule, "value"));
            if (values.some((value) => isUnknown(value))) {
                continue;
            }
            const ranges = values.filter((value): value is string => typeof value === "string");
            if (ranges.some((range) => !NON_PUBLIC.some((pattern) => pattern.test(range)))) {
                continue;
            }
            report(
                `Azure OpenAI account ${String(account.name)} denies by default and ` +
                    (ranges.length === 0
                        ? "allows no address"
                        : `allows only ${ranges.join(", ")}, which no call over the public endpoint comes from`) +
                    `: the cluster's calls arrive from its public egress address and get ${FIREWALL_DENIED}. Fix: add the ` +
                    'cluster\'s egress address to openai.allowedIpRanges, or set openai.network to "private".',
                account.node.urn,
            );
        }
    },
);

export const networkPolicies: readonly StackValidationPolicy[] = [
    zoneName,
    zoneLinked,
    publicAccessNeedsEndpoint,
    endpointInClusterNetwork,
    networkRulesAdmitCluster,
];
