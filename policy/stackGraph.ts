import type { PolicyResource } from "@pulumi/policy";

import { CLIENT_ID_ANNOTATION, serviceAccountSubject, USE_WORKLOAD_IDENTITY_LABEL } from "./facts";
import {
    cognitiveServicesAccountOf,
    isCognitiveServicesAccount,
    isFederatedCredential,
    isKubernetesCredential,
    isRoleAssignment,
    isUserAssignedIdentity,
    openAiSubdomainOf,
    parseServiceAccountSubject,
    roleGuidOf,
    sameArmId,
} from "./azure";
import {
    containersOf,
    envOf,
    kubernetesKind,
    podTemplateOf,
    usesWorkloadIdentity,
    type PodTemplate,
} from "./kubernetes";
import { isUnknown, plainProps, recordAt, stringAt, UNKNOWN, type Unknown } from "./values";

/**
 * The workload-identity chain of a stack, as a graph: pods that use workload identity -> their ServiceAccount -> the
 * federated credentials whose subject names it -> the identity that holds them -> its role assignments -> the
 * accounts they are scoped to. Links are taken from property dependencies first (they are known in preview, when the
 * ids and client ids are not), then from equal values.
 */

export type Text = string | Unknown | undefined;

export interface StackNode {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly props: Readonly<Record<string, unknown>>;
    /** URNs the given property depends on. */
    dependsOn(property: string): ReadonlySet<string>;
}

export interface WorkloadPod {
    readonly node: StackNode;
    readonly pod: PodTemplate;
    readonly serviceAccountName: Text;
    /** Values of the pod's Azure OpenAI endpoint variables (`*OPENAI*ENDPOINT`). */
    readonly openAiEndpoints: readonly (string | Unknown)[];
}

export interface ServiceAccountNode {
    readonly node: StackNode;
    readonly namespace: Text;
    readonly name: Text;
    readonly clientId: Text;
}

export interface IdentityNode {
    readonly node: StackNode;
    readonly clientId: Text;
    readonly principalId: Text;
}

export interface CredentialNode {
    readonly node: StackNode;
    readonly subject: Text;
    /** Namespace and name when the subject is a well-formed ServiceAccount subject. */
    readonly serviceAccount?: { readonly namespace: string; readonly name: string };
    readonly kubernetes: boolean | Unknown;
    readonly identity: IdentityNode | undefined;
}

export interface AccountNode {
    readonly node: StackNode;
    readonly accountName: Text;
    readonly subdomain: Text;
}

export interface RoleAssignmentNode {
    readonly node: StackNode;
    readonly principal: IdentityNode | undefined;
    readonly principalId: Text;
    readonly roleGuid: string | Unknown | undefined;
    readonly scope: Text;
    /** The account in this stack the scope points at, if any. */
    readonly account: AccountNode | undefined;
}

export interface StackGraph {
    readonly pods: readonly WorkloadPod[];
    /** Pod-running resources of which it is not known yet whether (or as which ServiceAccount) they use workload identity. */
    readonly undeterminedPods: number;
    readonly serviceAccounts: readonly ServiceAccountNode[];
    readonly identities: readonly IdentityNode[];
    readonly credentials: readonly CredentialNode[];
    readonly accounts: readonly AccountNode[];
    readonly roleAssignments: readonly RoleAssignmentNode[];
}

export function nodeOf(resource: PolicyResource): StackNode {
    const dependencies = new Map<string, ReadonlySet<string>>();
    for (const [property, resources] of Object.entries(resource.propertyDependencies ?? {})) {
        dependencies.set(property, new Set(resources.map((dependency) => dependency.urn)));
    }
    return {
        urn: resource.urn,
        type: resource.type,
        name: resource.name,
        props: plainProps(resource.props),
        dependsOn: (property) => dependencies.get(property) ?? new Set(),
    };
}

/** The one candidate the property depends on; undefined when it depends on none (or, ambiguously, on several). */
export function linkedBy<T extends { node: StackNode }>(
    node: StackNode,
    property: string,
    candidates: readonly T[],
): T | undefined {
    const urns = node.dependsOn(property);
    const linked = candidates.filter((candidate) => urns.has(candidate.node.urn));
    return linked.length === 1 ? linked[0] : undefined;
}

/** Case-insensitive equality of two known strings. */
function equalKnown(a: Text, b: Text): boolean {
    return typeof a === "string" && typeof b === "string" && sameArmId(a, b);
}

export function buildStackGraph(resources: readonly PolicyResource[]): StackGraph {
    const nodes = resources.map(nodeOf);

    const identities: IdentityNode[] = nodes
        .filter((node) => isUserAssignedIdentity(node.type))
        .map((node) => ({
            node,
            clientId: stringAt(node.props, "clientId"),
            principalId: stringAt(node.props, "principalId"),
        }));

    const accounts: AccountNode[] = nodes
        .filter((node) => isCognitiveServicesAccount(node.type))
        .map((node) => ({
            node,
            accountName: stringAt(node.props, "name") ?? stringAt(node.props, "accountName"),
            subdomain: stringAt(node.props, "properties", "customSubDomainName"),
        }));

    const credentials: CredentialNode[] = nodes
        .filter((node) => isFederatedCredential(node.type))
        .map((node) => {
            const subject = stringAt(node.props, "subject");
            const parsed = typeof subject === "string" ? parseServiceAccountSubject(subject) : undefined;
            return {
                node,
                subject,
                ...(parsed === undefined ? {} : { serviceAccount: parsed }),
                kubernetes: isKubernetesCredential(node.props),
                identity: identityOfCredential(node, identities),
            };
        });

    const roleAssignments: RoleAssignmentNode[] = nodes
        .filter((node) => isRoleAssignment(node.type))
        .map((node) => {
            const roleDefinitionId = stringAt(node.props, "roleDefinitionId");
            const scope = stringAt(node.props, "scope");
            return {
                node,
                principal: linkedBy(node, "principalId", identities) ?? byPrincipalId(node, identities),
                principalId: stringAt(node.props, "principalId"),
                roleGuid: isUnknown(roleDefinitionId)
                    ? UNKNOWN
                    : roleDefinitionId === undefined
                      ? undefined
                      : roleGuidOf(roleDefinitionId),
                scope,
                account: linkedBy(node, "scope", accounts) ?? accountOfScope(scope, accounts),
            };
        });

    const serviceAccounts: ServiceAccountNode[] = nodes
        .filter((node) => kubernetesKind(node.type) === "ServiceAccount")
        .map((node) => {
            const annotations = recordAt(node.props, "metadata", "annotations");
            const clientId = isUnknown(annotations) ? UNKNOWN : annotations?.[CLIENT_ID_ANNOTATION];
            return {
                node,
                namespace: stringAt(node.props, "metadata", "namespace") ?? "default",
                name: stringAt(node.props, "metadata", "name"),
                clientId: typeof clientId === "string" || isUnknown(clientId) ? clientId : undefined,
            };
        });

    const pods: WorkloadPod[] = [];
    let undeterminedPods = 0;
    for (const node of nodes) {
        const pod = podTemplateOf(node.type, node.props);
        if (pod === undefined) {
            continue;
        }
        const serviceAccountName = stringAt(pod.spec, "serviceAccountName");
        if (usesWorkloadIdentity(pod)) {
            pods.push({ node, pod, serviceAccountName, openAiEndpoints: openAiEndpointsOf(pod) });
            if (isUnknown(pod.namespace) || isUnknown(serviceAccountName)) {
                undeterminedPods++;
            }
        } else if (isUnknown(pod.podLabels) || isUnknown(pod.podLabels?.[USE_WORKLOAD_IDENTITY_LABEL])) {
            undeterminedPods++;
        }
    }

    return { pods, undeterminedPods, serviceAccounts, identities, credentials, accounts, roleAssignments };
}

function identityOfCredential(node: StackNode, identities: readonly IdentityNode[]): IdentityNode | undefined {
    const linked = linkedBy(node, "resourceName", identities);
    if (linked !== undefined) {
        return linked;
    }
    const identityName = stringAt(node.props, "resourceName");
    const resourceGroup = stringAt(node.props, "resourceGroupName");
    return identities.find(
        (identity) =>
            equalKnown(
                identityName,
                stringAt(identity.node.props, "name") ?? stringAt(identity.node.props, "resourceName"),
            ) &&
            (!(typeof resourceGroup === "string") ||
                equalKnown(resourceGroup, stringAt(identity.node.props, "resourceGroupName"))),
    );
}

function byPrincipalId(node: StackNode, identities: readonly IdentityNode[]): IdentityNode | undefined {
    const principalId = stringAt(node.props, "principalId");
    return identities.find((identity) => equalKnown(principalId, identity.principalId));
}

function accountOfScope(scope: Text, accounts: readonly AccountNode[]): AccountNode | undefined {
    const accountName = typeof scope === "string" ? cognitiveServicesAccountOf(scope) : undefined;
    return accountName === undefined
        ? undefined
        : accounts.find((account) => equalKnown(account.accountName, accountName));
}

function openAiEndpointsOf(pod: PodTemplate): (string | Unknown)[] {
    const containers = containersOf(pod.spec);
    if (isUnknown(containers)) {
        return [];
    }
    const endpoints: (string | Unknown)[] = [];
    for (const { container } of containers) {
        const env = envOf(container);
        for (const variable of isUnknown(env) ? [] : env) {
            if (typeof variable.name === "string" && /OPENAI.*ENDPOINT$/i.test(variable.name)) {
                const value = variable.value;
                if (typeof value === "string" || isUnknown(value)) {
                    endpoints.push(value);
                }
            }
        }
    }
    return endpoints;
}

/** The ServiceAccount a pod runs as, if this stack has it. */
export function serviceAccountOfPod(graph: StackGraph, pod: WorkloadPod): ServiceAccountNode | undefined {
    return graph.serviceAccounts.find(
        (account) =>
            equalExact(account.namespace, pod.pod.namespace) && equalExact(account.name, pod.serviceAccountName),
    );
}

/** The identity in this stack a ServiceAccount's client-id annotation comes from (by dependency, then by value). */
export function identityOfServiceAccount(graph: StackGraph, account: ServiceAccountNode): IdentityNode | undefined {
    return (
        linkedBy(account.node, "metadata", graph.identities) ??
        graph.identities.find((identity) => equalKnown(identity.clientId, account.clientId))
    );
}

/** The account in this stack an endpoint's custom subdomain belongs to. */
export function accountOfEndpoint(graph: StackGraph, endpoint: string): AccountNode | undefined {
    const subdomain = openAiSubdomainOf(endpoint);
    return subdomain === undefined
        ? undefined
        : graph.accounts.find((account) => equalKnown(account.subdomain, subdomain));
}

/** Kubernetes names are case-sensitive. */
function equalExact(a: Text, b: Text): boolean {
    return typeof a === "string" && typeof b === "string" && a === b;
}

/** `system:serviceaccount:<namespace>:<name>` for known parts; undefined otherwise. */
export function subjectOf(namespace: Text, name: Text): string | undefined {
    return typeof namespace === "string" && typeof name === "string"
        ? serviceAccountSubject(namespace, name)
        : undefined;
}
