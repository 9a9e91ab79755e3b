import type { EnforcementLevel, StackValidationPolicy } from "@pulumi/policy";

import { CLIENT_ID_ANNOTATION } from "./facts";
import { broadRoleName, cognitiveServicesAccountOf, openAiDataRoleName } from "./azure";
import {
    accountOfEndpoint,
    buildStackGraph,
    identityOfServiceAccount,
    serviceAccountOfPod,
    subjectOf,
    type CredentialNode,
    type IdentityNode,
    type StackGraph,
    type WorkloadPod,
} from "./stackGraph";
import { isUnknown, show } from "./values";

/**
 * Policies that judge the whole stack at the end of a preview or update, on the resources' outputs: they follow the
 * workload-identity chain across resources, which no single resource shows. A link that cannot be followed because a
 * value is unknown (preview) or lives in another stack is not judged.
 */

type StackReport = (message: string, urn?: string) => void;
type StackRule = (graph: StackGraph, report: StackReport) => void;

interface StackPolicyDefinition {
    readonly name: string;
    readonly description: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly remediationSteps: string;
    readonly rules: readonly StackRule[];
}

function stackPolicy(definition: StackPolicyDefinition): StackValidationPolicy {
    const { rules, ...policy } = definition;
    return {
        ...policy,
        validateStack: (args, reportViolation) => {
            const graph = buildStackGraph(args.resources);
            for (const rule of rules) {
                rule(graph, (message, urn) => reportViolation(message, urn));
            }
        },
    };
}

/** Credentials whose subject is known to name this ServiceAccount. */
function credentialsFor(graph: StackGraph, subject: string): readonly CredentialNode[] {
    return graph.credentials.filter((credential) => credential.subject === subject);
}

function anySubjectUnknown(graph: StackGraph): boolean {
    return graph.credentials.some((credential) => isUnknown(credential.subject));
}

// ---------------------------------------------------------------------------------------------------------------
// workload-identity-chain
// ---------------------------------------------------------------------------------------------------------------

/** A pod whose ServiceAccount is bound (by its annotation) to an identity of this stack needs a credential naming it. */
function podServiceAccountIsFederated(graph: StackGraph, report: StackReport): void {
    if (anySubjectUnknown(graph)) {
        return;
    }
    for (const pod of graph.pods) {
        const subject = subjectOf(pod.pod.namespace, pod.serviceAccountName);
        const account = serviceAccountOfPod(graph, pod);
        const identity = account === undefined ? undefined : identityOfServiceAccount(graph, account);
        if (subject === undefined || identity === undefined || credentialsFor(graph, subject).length > 0) {
            continue;
        }
        report(
            `${pod.pod.label} runs as ServiceAccount ${String(pod.serviceAccountName)}, annotated with identity ` +
                `${identity.node.name}, but no federated credential in this stack has subject "${subject}": the ` +
                `token exchange fails with AADSTS70021. Fix: add a federated credential on ${identity.node.name} ` +
                `with that subject, built from the ServiceAccount object.`,
            pod.node.urn,
        );
    }
}

/** The ServiceAccount a credential names carries the client id of the identity that holds the credential. */
function serviceAccountAnnotationIsIdentityClientId(graph: StackGraph, report: StackReport): void {
    for (const credential of graph.credentials) {
        const identity = credential.identity;
        const target = credential.serviceAccount;
        if (identity === undefined || target === undefined) {
            continue;
        }
        const account = graph.serviceAccounts.find(
            (sa) => sa.namespace === target.namespace && sa.name === target.name,
        );
        if (account === undefined) {
            continue;
        }
        const where = `ServiceAccount ${target.namespace}/${target.name}`;
        if (account.clientId === undefined) {
            report(
                `${where} is federated with identity ${identity.node.name} (credential ${credential.node.name}) but ` +
                    `has no ${CLIENT_ID_ANNOTATION} annotation: the webhook cannot tell its pods which identity to ` +
                    `use. Fix: annotate it with ${identity.node.name}'s clientId.`,
                account.node.urn,
            );
            continue;
        }
        if (typeof account.clientId === "string" && typeof identity.clientId === "string") {
            if (account.clientId.toLowerCase() !== identity.clientId.toLowerCase()) {
                const principal =
                    typeof identity.principalId === "string" &&
                    account.clientId.toLowerCase() === identity.principalId.toLowerCase();
                report(
                    `${where} has ${CLIENT_ID_ANNOTATION} = ${show(account.clientId)}, which is ` +
                        `${principal ? "the principal id" : "not the client id"} of identity ${identity.node.name} ` +
                        `that its credential ${credential.node.name} is on (client id ${identity.clientId}): pods ` +
                        `request tokens for the wrong application. Fix: annotate it with the identity's clientId.`,
                    account.node.urn,
                );
            }
            continue;
        }
        // Values not known yet (preview): the annotation's dependency says which identity it comes from.
        const annotatedWith = identityOfServiceAccount(graph, account);
        if (annotatedWith !== undefined && annotatedWith !== identity) {
            report(
                `${where} is annotated with the client id of identity ${annotatedWith.node.name}, but its federated ` +
                    `credential ${credential.node.name} is on identity ${identity.node.name}: the token exchange ` +
                    `fails. Fix: annotate it with ${identity.node.name}'s clientId, or federate it with ` +
                    `${annotatedWith.node.name}.`,
                account.node.urn,
            );
        }
    }
}

/** An identity used by a pod that calls Azure OpenAI holds an OpenAI data role on the account the pod calls. */
function identityHasRoleOnCalledAccount(graph: StackGraph, report: StackReport): void {
    for (const pod of graph.pods) {
        const subject = subjectOf(pod.pod.namespace, pod.serviceAccountName);
        if (subject === undefined) {
            continue;
        }
        const identities = new Set(
            credentialsFor(graph, subject)
                .map((credential) => credential.identity)
                .filter((identity) => identity !== undefined),
        );
        for (const identity of identities) {
            checkOpenAiRole(graph, pod, identity, report);
        }
    }
}

function checkOpenAiRole(graph: StackGraph, pod: WorkloadPod, identity: IdentityNode, report: StackReport): void {
    // A role assignment whose principal is not known yet (and not linked by dependency) may be this identity's.
    const unresolvedPrincipal = graph.roleAssignments.some(
        (assignment) => assignment.principal === undefined && isUnknown(assignment.principalId),
    );
    const roles = graph.roleAssignments.filter((assignment) => assignment.principal === identity);
    if (unresolvedPrincipal || roles.some((role) => isUnknown(role.roleGuid))) {
        return;
    }
    const openAiRoles = roles.filter((role) => openAiDataRoleName(role.roleGuid as string | undefined) !== undefined);
    const scopeUnresolved = openAiRoles.some((role) => role.account === undefined && isUnknown(role.scope));
    for (const endpoint of new Set(pod.openAiEndpoints)) {
        const account = typeof endpoint === "string" ? accountOfEndpoint(graph, endpoint) : undefined;
        if (account !== undefined) {
            if (!scopeUnresolved && !openAiRoles.some((role) => role.account === account)) {
                report(
                    `Identity ${identity.node.name}, used by ${pod.pod.label}, has no Azure OpenAI data role on ` +
                        `account ${account.node.name}, which its endpoint ${show(endpoint)} points at: every call ` +
                        `fails with 401/403. Fix: assign "Cognitive Services OpenAI User" to the identity's ` +
                        `principalId, scoped to that account's id.`,
                    identity.node.urn,
                );
            }
            continue;
        }
        // The account is not in this stack (or the endpoint is not known yet): any role on some account will do.
        const onSomeAccount = openAiRoles.some(
            (role) =>
                role.account !== undefined ||
                isUnknown(role.scope) ||
                (typeof role.scope === "string" && cognitiveServicesAccountOf(role.scope) !== undefined),
        );
        if (!onSomeAccount) {
            report(
                `Identity ${identity.node.name}, used by ${pod.pod.label} to call Azure OpenAI at ${show(endpoint)}, ` +
                    `has no Azure OpenAI data role on any Cognitive Services account in this stack: every call fails ` +
                    `with 401/403. Fix: assign "Cognitive Services OpenAI User" to the identity's principalId, scoped ` +
                    `to the account the endpoint belongs to.`,
                identity.node.urn,
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// workload-identity-least-privilege
// ---------------------------------------------------------------------------------------------------------------

/** Identities a workload acts as: federated with a Kubernetes ServiceAccount, or named by a ServiceAccount. */
function workloadIdentities(graph: StackGraph): ReadonlySet<IdentityNode> {
    const identities = new Set<IdentityNode>();
    for (const credential of graph.credentials) {
        if (credential.kubernetes === true && credential.identity !== undefined) {
            identities.add(credential.identity);
        }
    }
    for (const account of graph.serviceAccounts) {
        const identity = account.clientId === undefined ? undefined : identityOfServiceAccount(graph, account);
        if (identity !== undefined) {
            identities.add(identity);
        }
    }
    return identities;
}

function noBroadRoleForWorkloadIdentity(graph: StackGraph, report: StackReport): void {
    const identities = workloadIdentities(graph);
    for (const assignment of graph.roleAssignments) {
        const role = isUnknown(assignment.roleGuid) ? undefined : broadRoleName(assignment.roleGuid);
        if (role === undefined || assignment.principal === undefined || !identities.has(assignment.principal)) {
            continue;
        }
        report(
            `Role assignment ${assignment.node.name} grants "${role}" to ${assignment.principal.node.name}, an ` +
                `identity Kubernetes pods act as: any pod of that ServiceAccount could ${
                    role.startsWith("Cognitive Services")
                        ? "manage the account or list its keys"
                        : "manage resources or grant access"
                }. Fix: grant only "Cognitive Services OpenAI User" on the one account the workload calls.`,
            assignment.node.urn,
        );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// workload-identity-unused-credential
// ---------------------------------------------------------------------------------------------------------------

function credentialIsUsedByAPod(graph: StackGraph, report: StackReport): void {
    if (graph.undeterminedPods > 0) {
        return;
    }
    const subjects = new Set(graph.pods.map((pod) => subjectOf(pod.pod.namespace, pod.serviceAccountName)));
    for (const credential of graph.credentials) {
        if (credential.serviceAccount === undefined || subjects.has(credential.subject as string)) {
            continue;
        }
        report(
            `Federated credential ${credential.node.name} trusts ServiceAccount ${credential.serviceAccount.namespace}/` +
                `${credential.serviceAccount.name}, but no pod in this stack uses workload identity as it: a trust ` +
                `nobody needs is one more way in. Fix: remove it, or ignore this if the pods are deployed by other ` +
                `tooling (config additionalServiceAccounts).`,
            credential.node.urn,
        );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The stack policies.
// ---------------------------------------------------------------------------------------------------------------

export const stackPolicies: readonly StackValidationPolicy[] = [
    stackPolicy({
        name: "workload-identity-chain",
        description:
            "Every pod that uses workload identity can actually get and use a token: its ServiceAccount is named " +
            "by a federated credential, carries the client id of the identity holding that credential, and that " +
            "identity has an Azure OpenAI data role on the account the pod's endpoint points at. A broken link " +
            "fails only at run time (AADSTS70021, 401), after the rollout looked healthy.",
        enforcementLevel: "mandatory",
        remediationSteps:
            "Build the credential subject from the ServiceAccount object, annotate the ServiceAccount with the " +
            "identity's clientId, and assign Cognitive Services OpenAI User on the called account to its principalId.",
        rules: [
            podServiceAccountIsFederated,
            serviceAccountAnnotationIsIdentityClientId,
            identityHasRoleOnCalledAccount,
        ],
    }),
    stackPolicy({
        name: "workload-identity-least-privilege",
        description:
            "Identities that Kubernetes pods act as hold no broad role (Owner, Contributor, User Access " +
            "Administrator, RBAC Administrator, Cognitive Services Contributor/User, OpenAI Contributor): a " +
            "compromised pod must not be able to manage resources, grant access, or list account keys.",
        enforcementLevel: "mandatory",
        remediationSteps: 'Grant only "Cognitive Services OpenAI User", scoped to the one account the workload calls.',
        rules: [noBroadRoleForWorkloadIdentity],
    }),
    stackPolicy({
        name: "workload-identity-unused-credential",
        description:
            "Every federated credential for a ServiceAccount is used by a pod in the stack. Advisory: pods deployed " +
            "by other tooling (Helm, kubectl; config additionalServiceAccounts) legitimately use credentials this " +
            "stack creates.",
        enforcementLevel: "advisory",
        remediationSteps: "Remove credentials for ServiceAccounts no workload uses.",
        rules: [credentialIsUsedByAPod],
    }),
];
