import type { EnforcementLevel, ResourceValidationPolicy } from "@pulumi/policy";

import {
    CLIENT_ID_ANNOTATION,
    CREDENTIAL_ENV_NAMES,
    TENANT_ID_ANNOTATION,
    TOKEN_EXCHANGE_AUDIENCE,
    USE_WORKLOAD_IDENTITY_LABEL,
} from "./facts";
import {
    broadRoleName,
    cognitiveServicesAccountOf,
    isAksIssuer,
    isCognitiveServicesAccount,
    isFederatedCredential,
    isFullRoleDefinitionId,
    isKubernetesCredential,
    isRoleAssignment,
    OPENAI_ACCOUNT_KINDS,
    openAiDataRoleName,
    parseServiceAccountSubject,
    roleGuidOf,
} from "./azure";
import {
    containersOf,
    envOf,
    kubernetesKind,
    podTemplateOf,
    runsPods,
    usesWorkloadIdentity,
    type PodTemplate,
} from "./kubernetes";
import { at, GUID, isBlank, isUnknown, listAt, plainProps, recordAt, show, stringAt, type Unknown } from "./values";

/**
 * Policies that judge one resource at a time, on its inputs, before it is created or updated. Each policy is a list
 * of small rules; a rule reports only what it can see: a value that is unknown in preview is never a violation.
 */

/** What a rule sees: the resource's identity and its properties as plain data (unknowns are `UNKNOWN`). */
export interface ResourceView {
    readonly type: string;
    readonly name: string;
    readonly props: Readonly<Record<string, unknown>>;
}

export type Report = (message: string) => void;
export type ResourceRule = (resource: ResourceView, report: Report) => void;

interface ResourcePolicyDefinition {
    readonly name: string;
    readonly description: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly remediationSteps: string;
    readonly appliesTo: (type: string) => boolean;
    readonly rules: readonly ResourceRule[];
}

/** One validation per rule: the engine runs them independently, so one rule's problem never hides another's. */
function resourcePolicy(definition: ResourcePolicyDefinition): ResourceValidationPolicy {
    const { appliesTo, rules, ...policy } = definition;
    return {
        ...policy,
        validateResource: rules.map((rule) => (args, reportViolation) => {
            if (!appliesTo(args.type)) {
                return;
            }
            rule({ type: args.type, name: args.name, props: plainProps(args.props) }, (message) =>
                reportViolation(message),
            );
        }),
    };
}

// ---------------------------------------------------------------------------------------------------------------
// Role assignments.
// ---------------------------------------------------------------------------------------------------------------

interface RoleAssignmentView {
    readonly scope: string | Unknown | undefined;
    readonly principalType: string | Unknown | undefined;
    readonly roleDefinitionId: string | Unknown | undefined;
    readonly roleGuid: string | undefined;
}

function roleAssignmentOf(props: Readonly<Record<string, unknown>>): RoleAssignmentView {
    const roleDefinitionId = stringAt(props, "roleDefinitionId");
    return {
        scope: stringAt(props, "scope"),
        principalType: stringAt(props, "principalType"),
        roleDefinitionId,
        roleGuid: typeof roleDefinitionId === "string" ? roleGuidOf(roleDefinitionId) : undefined,
    };
}

function principalTypeIsSet({ name, props }: ResourceView, report: Report): void {
    const { principalType } = roleAssignmentOf(props);
    if (isBlank(principalType)) {
        report(
            `Role assignment ${name} does not set principalType. A principal created in the same deployment is not yet ` +
                `replicated in Entra ID, and the assignment fails with PrincipalNotFound. Fix: set principalType, ` +
                `e.g. "ServicePrincipal" for a managed identity.`,
        );
    }
}

function roleDefinitionIdIsFullForm({ name, props }: ResourceView, report: Report): void {
    const { roleDefinitionId, scope } = roleAssignmentOf(props);
    if (roleDefinitionId === undefined || isUnknown(roleDefinitionId)) {
        return;
    }
    if (!isFullRoleDefinitionId(roleDefinitionId, scope)) {
        const subscription = typeof scope === "string" ? /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1] : undefined;
        report(
            `Role assignment ${name} has roleDefinitionId ${show(roleDefinitionId)}, not the form Azure returns, so ` +
                `every pulumi up shows a diff (pulumi-azure-native#771). Fix: use /subscriptions/` +
                `${subscription ?? "<subscription-id>"}/providers/Microsoft.Authorization/roleDefinitions/` +
                `${roleGuidOf(roleDefinitionId) ?? "<role-guid>"}, with the subscription from ` +
                `authorization.getClientConfigOutput().`,
        );
    }
}

function openAiRoleIsScopedToAnAccount({ name, props }: ResourceView, report: Report): void {
    const { roleGuid, scope } = roleAssignmentOf(props);
    const role = openAiDataRoleName(roleGuid);
    if (role === undefined || scope === undefined || isUnknown(scope)) {
        return;
    }
    if (cognitiveServicesAccountOf(scope) === undefined) {
        report(
            `Role assignment ${name} grants "${role}" on ${show(scope)}: that opens every Azure OpenAI account below ` +
                `that scope, present and future. Fix: scope it to the one account the workload calls ` +
                `(/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.CognitiveServices/accounts/<name>).`,
        );
    }
}

function noPrivilegedRoleToServicePrincipal({ name, props }: ResourceView, report: Report): void {
    const { roleGuid, principalType } = roleAssignmentOf(props);
    const role = broadRoleName(roleGuid);
    if (role !== undefined && principalType === "ServicePrincipal") {
        report(
            `Role assignment ${name} grants "${role}" to a service principal. If that principal is a workload's ` +
                `managed identity, it can do far more than call a model (manage resources or grant access, or list keys). ` +
                `Fix: grant the narrowest data role, e.g. "Cognitive Services OpenAI User" on one account.`,
        );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Federated identity credentials.
// ---------------------------------------------------------------------------------------------------------------

/** Rules below judge only credentials that federate Kubernetes ServiceAccounts. */
function forKubernetesCredentials(rule: ResourceRule): ResourceRule {
    return (resource, report) => {
        if (isKubernetesCredential(resource.props) === true) {
            rule(resource, report);
        }
    };
}

function audienceIsTokenExchange({ name, props }: ResourceView, report: Report): void {
    const audiences = listAt(props, "audiences");
    if (isUnknown(audiences)) {
        return;
    }
    const list = audiences ?? [];
    const wrong = list.filter((audience) => !isUnknown(audience) && audience !== TOKEN_EXCHANGE_AUDIENCE);
    if (list.length !== 1 || wrong.length > 0) {
        report(
            `Federated credential ${name} has audiences ${show(list)}. The AKS webhook projects tokens for exactly ` +
                `"${TOKEN_EXCHANGE_AUDIENCE}", so Entra ID rejects the exchange (AADSTS700212, audience). ` +
                `Fix: audiences: ["${TOKEN_EXCHANGE_AUDIENCE}"].`,
        );
    }
}

function subjectIsServiceAccount({ name, props }: ResourceView, report: Report): void {
    const subject = stringAt(props, "subject");
    if (isUnknown(subject)) {
        return;
    }
    if (subject === undefined || parseServiceAccountSubject(subject) === undefined) {
        report(
            `Federated credential ${name} has subject ${show(subject)}, not system:serviceaccount:<namespace>:<name> ` +
                `exactly as the kubelet writes it into the token (case-sensitive, ':' separators): the token exchange ` +
                `fails with AADSTS700213 (subject). Fix: build the subject from the ServiceAccount object the pods run as.`,
        );
    }
}

function issuerIsHttpsWithTrailingSlash({ name, props }: ResourceView, report: Report): void {
    const issuer = stringAt(props, "issuer");
    if (isUnknown(issuer)) {
        return;
    }
    if (issuer === undefined || !/^https:\/\/[^/\s]+/i.test(issuer)) {
        report(
            `Federated credential ${name} has issuer ${show(issuer)}, not an https URL: Entra ID fetches the issuer's ` +
                `OIDC discovery document over https. Fix: use the cluster's oidcIssuerProfile.issuerURL verbatim.`,
        );
    } else if (isAksIssuer(issuer) && !issuer.endsWith("/")) {
        report(
            `Federated credential ${name} has issuer ${show(issuer)} without the trailing '/': AKS issuer URLs end ` +
                `with '/', and Entra ID matches the issuer exactly (azure-workload-identity#1700). Fix: use the ` +
                `cluster's oidcIssuerProfile.issuerURL verbatim, never a normalised copy.`,
        );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Pods of every workload kind.
// ---------------------------------------------------------------------------------------------------------------

/** Variable names whose value is a credential: *_KEY, *_SECRET, *_TOKEN, *_PASSWORD. */
const SECRET_NAME = /(?:^|_)(?:KEY|SECRET|TOKEN|PASSWORD)$/i;
const AZURE_CREDENTIAL_NAMES: ReadonlySet<string> = new Set(CREDENTIAL_ENV_NAMES.map((name) => name.toUpperCase()));

type PodRule = (pod: PodTemplate, report: Report) => void;

/** Adapts a pod rule to every workload kind. */
function forPods(rule: PodRule): ResourceRule {
    return ({ type, props }, report) => {
        const pod = podTemplateOf(type, props);
        if (pod !== undefined) {
            rule(pod, report);
        }
    };
}

/** Calls `visit` for every known env entry with a known name, of every container. */
function eachEnvVar(
    pod: PodTemplate,
    visit: (
        container: string,
        variable: { name: string; hasLiteral: boolean; value: unknown; source: unknown },
    ) => void,
): void {
    const containers = containersOf(pod.spec);
    if (isUnknown(containers)) {
        return;
    }
    for (const { label, container } of containers) {
        const env = envOf(container);
        if (isUnknown(env)) {
            continue;
        }
        for (const variable of env) {
            if (typeof variable.name === "string") {
                visit(label, { ...variable, name: variable.name });
            }
        }
    }
}

function noAzureCredentialVariables(pod: PodTemplate, report: Report): void {
    eachEnvVar(pod, (container, variable) => {
        if (!AZURE_CREDENTIAL_NAMES.has(variable.name.toUpperCase())) {
            return;
        }
        const how = variable.hasLiteral
            ? "as a literal value"
            : isUnknown(variable.source)
              ? "from a source unknown until created"
              : variable.source === undefined
                ? "(empty)"
                : `from a ${variable.source}`;
        report(
            `${pod.label}: ${container} sets ${variable.name} ${how}. A key or client secret keeps a second, ` +
                `non-expiring access path alive next to workload identity, and ai-service prefers a key when it finds ` +
                `one. Fix: remove ${variable.name} from ${pod.path ? `${pod.path}.` : ""}spec and let the pod use its ` +
                `federated token (label ${USE_WORKLOAD_IDENTITY_LABEL}: "true").`,
        );
    });
}

function noLiteralSecrets(pod: PodTemplate, report: Report): void {
    eachEnvVar(pod, (container, variable) => {
        if (AZURE_CREDENTIAL_NAMES.has(variable.name.toUpperCase()) || !SECRET_NAME.test(variable.name)) {
            return;
        }
        if (variable.hasLiteral && variable.value !== "") {
            report(
                `${pod.label}: ${container} sets ${variable.name} as a literal value: a key, secret, token or ` +
                    `password in plain text in the manifest and the stack state. Fix: use workload identity where ` +
                    `the service accepts Entra ID tokens; otherwise read it from a Secret (valueFrom.secretKeyRef).`,
            );
        }
    });
}

function everyContainerHasRequestsAndLimits(pod: PodTemplate, report: Report): void {
    const containers = containersOf(pod.spec);
    if (isUnknown(containers)) {
        return;
    }
    for (const { label, container } of containers) {
        // An unknown `resources` makes each of its records unknown too: skipped below.
        const resources = recordAt(container, "resources");
        const missing: string[] = [];
        for (const kind of ["requests", "limits"] as const) {
            const quantities = recordAt(resources, kind);
            if (isUnknown(quantities)) {
                continue;
            }
            for (const resource of ["cpu", "memory"] as const) {
                const value = quantities?.[resource];
                if (value === undefined || value === null || value === "") {
                    missing.push(`${kind}.${resource}`);
                }
            }
        }
        if (missing.length > 0) {
            report(
                `${pod.label}: ${label} sets no resources ${missing.join(", ")}. Without requests the scheduler ` +
                    `overcommits the node; without limits one pod can starve the others. Fix: set ` +
                    `resources.requests and resources.limits (cpu and memory) on every container.`,
            );
        }
    }
}

function workloadIdentityLabelIsOnPodTemplate(pod: PodTemplate, report: Report): void {
    const label = USE_WORKLOAD_IDENTITY_LABEL;
    if (isUnknown(pod.podLabels)) {
        return;
    }
    const onPods = pod.podLabels?.[label];
    const where = pod.path ? `${pod.path}.metadata.labels` : "metadata.labels";
    if (onPods !== undefined && !isUnknown(onPods) && onPods !== "true" && onPods !== "false") {
        report(
            `${pod.label}: label ${label} is ${show(onPods)}; the webhook selects pods whose label is exactly the ` +
                `string "true", so these pods get no token. Fix: ${where}["${label}"] = "true".`,
        );
        return;
    }
    if (onPods !== undefined) {
        return;
    }
    // A Pod's own labels are its pod labels, checked above: only a workload's metadata can hold the label here.
    const onWorkload = isUnknown(pod.workloadLabels) ? undefined : pod.workloadLabels?.[label];
    if (onWorkload !== undefined && !isUnknown(onWorkload)) {
        report(
            `${pod.label}: label ${label} is on the ${pod.kind}'s own metadata, not on its pod template; the webhook ` +
                `only sees pods, so they get no token. Fix: move it to ${where}["${label}"] = "true".`,
        );
    }
    const annotation = isUnknown(pod.podAnnotations) ? undefined : pod.podAnnotations?.[label];
    if (annotation !== undefined && !isUnknown(annotation)) {
        report(
            `${pod.label}: ${label} is an annotation; since azure-workload-identity v1.0 the webhook selects on the ` +
                `label. Fix: ${where}["${label}"] = "true".`,
        );
    }
}

function workloadIdentityPodNamesItsServiceAccount(pod: PodTemplate, report: Report): void {
    if (!usesWorkloadIdentity(pod)) {
        return;
    }
    // Unknown (an unknown spec makes it unknown too) is not blank: not judged until it is known.
    const serviceAccountName = stringAt(pod.spec, "serviceAccountName");
    if (!isBlank(serviceAccountName)) {
        return;
    }
    const legacy = stringAt(pod.spec, "serviceAccount");
    report(
        `${pod.label} uses workload identity but sets no serviceAccountName${typeof legacy === "string" ? ` (only the deprecated serviceAccount field)` : ""}, ` +
            `so its pods run as the namespace's "default" ServiceAccount, which has no federated credential. ` +
            `Fix: set ${pod.path ? `${pod.path}.` : ""}spec.serviceAccountName to the federated ServiceAccount.`,
    );
}

// ---------------------------------------------------------------------------------------------------------------
// ServiceAccounts.
// ---------------------------------------------------------------------------------------------------------------

const isServiceAccount = (type: string) =>
    kubernetesKind(type) === "ServiceAccount" && type.startsWith("kubernetes:core/");

function guidAnnotation(annotation: string, what: string): ResourceRule {
    return ({ props }, report) => {
        const annotations = recordAt(props, "metadata", "annotations");
        if (annotations === undefined || isUnknown(annotations)) {
            return;
        }
        const value = annotations[annotation];
        if (value === undefined || isUnknown(value)) {
            return;
        }
        if (typeof value !== "string" || !GUID.test(value)) {
            const name = stringAt(props, "metadata", "name");
            report(
                `ServiceAccount ${typeof name === "string" ? name : "(name unknown)"} has ${annotation} = ${show(value)}, not a ` +
                    `GUID; the webhook copies it into the pods' ${what}, and the token exchange fails. Fix: set it ` +
                    `to the managed identity's ${what === "AZURE_CLIENT_ID" ? "clientId (not its principalId)" : "tenantId"}.`,
            );
        }
    };
}

// ---------------------------------------------------------------------------------------------------------------
// Azure OpenAI accounts.
// ---------------------------------------------------------------------------------------------------------------

/** Rules below judge only accounts that serve Azure OpenAI. */
function forOpenAiAccounts(rule: ResourceRule): ResourceRule {
    return (resource, report) => {
        const kind = at(resource.props, "kind");
        if (typeof kind === "string" && OPENAI_ACCOUNT_KINDS.includes(kind)) {
            rule(resource, report);
        }
    };
}

function customSubdomainIsSet({ name, props }: ResourceView, report: Report): void {
    // Unknown (also when all of `properties` is) is not blank.
    const subdomain = stringAt(props, "properties", "customSubDomainName");
    if (isBlank(subdomain)) {
        report(
            `Azure OpenAI account ${name} has no customSubDomainName: Entra ID tokens are accepted only on a custom ` +
                `subdomain endpoint ("Please provide a custom subdomain for token authentication, otherwise API key is ` +
                `required"). Fix: set properties.customSubDomainName (lowercase, globally unique, immutable).`,
        );
    }
}

function localAuthIsDisabled({ name, props }: ResourceView, report: Report): void {
    const disableLocalAuth = at(props, "properties", "disableLocalAuth");
    if (disableLocalAuth !== true && !isUnknown(disableLocalAuth)) {
        report(
            `Azure OpenAI account ${name} still accepts API keys (properties.disableLocalAuth is ${show(disableLocalAuth)}): ` +
                `anyone holding a key bypasses Entra ID and its audit. Fix: set properties.disableLocalAuth = true ` +
                `once no client uses a key (config openai.disableLocalAuth).`,
        );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The resource policies.
// ---------------------------------------------------------------------------------------------------------------

export const resourcePolicies: readonly ResourceValidationPolicy[] = [
    resourcePolicy({
        name: "role-assignment-well-formed",
        description:
            "Role assignments set principalType (a new identity is not replicated yet: PrincipalNotFound) and use " +
            "the full role-definition id Azure returns (anything else diffs on every run).",
        enforcementLevel: "mandatory",
        remediationSteps:
            'Set principalType ("ServicePrincipal" for managed identities) and roleDefinitionId = ' +
            "/subscriptions/<sub>/providers/Microsoft.Authorization/roleDefinitions/<role-guid>.",
        appliesTo: isRoleAssignment,
        rules: [principalTypeIsSet, roleDefinitionIdIsFullForm],
    }),
    resourcePolicy({
        name: "openai-role-scoped-to-account",
        description:
            "Roles that open the Azure OpenAI data plane (OpenAI User, OpenAI Contributor, Cognitive Services User) " +
            "are assigned on one Cognitive Services account, never on a resource group or subscription.",
        enforcementLevel: "mandatory",
        remediationSteps: "Use the account's ARM id as the scope of the role assignment.",
        appliesTo: isRoleAssignment,
        rules: [openAiRoleIsScopedToAnAccount],
    }),
    resourcePolicy({
        name: "no-privileged-role-to-service-principal",
        description:
            "Owner, Contributor, User Access Administrator, RBAC Administrator and the Cognitive Services " +
            "management roles are not given to service principals. Advisory: one role assignment alone does not show " +
            "whether its principal is a workload's identity (a deployment pipeline may need such a role); the stack " +
            "policy workload-identity-least-privilege enforces it where the link is visible.",
        enforcementLevel: "advisory",
        remediationSteps: 'Grant the narrowest data role, e.g. "Cognitive Services OpenAI User" on one account.',
        appliesTo: isRoleAssignment,
        rules: [noPrivilegedRoleToServicePrincipal],
    }),
    resourcePolicy({
        name: "federated-credential-kubernetes-form",
        description:
            "Federated credentials for Kubernetes ServiceAccounts have exactly the audience the webhook projects, a " +
            "subject in the kubelet's exact form, and the cluster's https issuer URL verbatim (AKS: trailing '/'). " +
            "Any difference fails the token exchange (AADSTS700211 issuer, AADSTS700213 subject, AADSTS700212 audience).",
        enforcementLevel: "mandatory",
        remediationSteps:
            `audiences: ["${TOKEN_EXCHANGE_AUDIENCE}"]; subject: system:serviceaccount:<namespace>:<name> from the ` +
            "ServiceAccount object; issuer: the cluster's oidcIssuerProfile.issuerURL, verbatim.",
        appliesTo: isFederatedCredential,
        rules: [
            forKubernetesCredentials(audienceIsTokenExchange),
            forKubernetesCredentials(subjectIsServiceAccount),
            forKubernetesCredentials(issuerIsHttpsWithTrailingSlash),
        ],
    }),
    resourcePolicy({
        name: "pod-no-credential-env",
        description:
            "Pods carry no Azure or OpenAI credential variable at all (OPENAI_API_KEY, AZURE_OPENAI_API_KEY, " +
            "AZURE_CLIENT_SECRET, ...: not as a literal, not from a Secret), and no *_KEY, *_SECRET, *_TOKEN or " +
            "*_PASSWORD variable as a literal value. Keys are the access path workload identity replaces.",
        enforcementLevel: "mandatory",
        remediationSteps:
            "Remove Azure credential variables and use workload identity; read other secrets from a Secret.",
        appliesTo: runsPods,
        rules: [forPods(noAzureCredentialVariables), forPods(noLiteralSecrets)],
    }),
    resourcePolicy({
        name: "pod-resources-set",
        description:
            "Every container and init container sets cpu and memory requests and limits, so a rollout can be " +
            "scheduled predictably and one pod cannot starve its node.",
        enforcementLevel: "mandatory",
        remediationSteps: "Set resources.requests and resources.limits (cpu and memory) on every container.",
        appliesTo: runsPods,
        rules: [forPods(everyContainerHasRequestsAndLimits)],
    }),
    resourcePolicy({
        name: "pod-workload-identity-opt-in",
        description:
            `Pods that use workload identity carry the label ${USE_WORKLOAD_IDENTITY_LABEL}: "true" on the pod ` +
            "template (the webhook matches that string on pods only) and name their ServiceAccount explicitly " +
            '(otherwise they run as "default", which has no federated credential).',
        enforcementLevel: "mandatory",
        remediationSteps: `Put ${USE_WORKLOAD_IDENTITY_LABEL}: "true" in the pod template's labels and set spec.serviceAccountName.`,
        appliesTo: runsPods,
        rules: [forPods(workloadIdentityLabelIsOnPodTemplate), forPods(workloadIdentityPodNamesItsServiceAccount)],
    }),
    resourcePolicy({
        name: "serviceaccount-workload-identity-annotations",
        description:
            `ServiceAccounts annotated ${CLIENT_ID_ANNOTATION} carry a GUID there (and in ${TENANT_ID_ANNOTATION} ` +
            "when set): the webhook copies them into AZURE_CLIENT_ID / AZURE_TENANT_ID verbatim.",
        enforcementLevel: "mandatory",
        remediationSteps: "Annotate with the managed identity's clientId (not its principalId) and tenantId.",
        appliesTo: isServiceAccount,
        rules: [
            guidAnnotation(CLIENT_ID_ANNOTATION, "AZURE_CLIENT_ID"),
            guidAnnotation(TENANT_ID_ANNOTATION, "AZURE_TENANT_ID"),
        ],
    }),
    resourcePolicy({
        name: "openai-account-custom-subdomain",
        description:
            "Azure OpenAI accounts a stack creates have a custom subdomain: Entra ID tokens are refused on the " +
            "regional endpoint, so without it keyless access cannot work.",
        enforcementLevel: "mandatory",
        remediationSteps: "Set properties.customSubDomainName (lowercase, globally unique, immutable).",
        appliesTo: isCognitiveServicesAccount,
        rules: [forOpenAiAccounts(customSubdomainIsSet)],
    }),
    resourcePolicy({
        name: "openai-account-local-auth-disabled",
        description:
            "Azure OpenAI accounts a stack creates turn API keys off (disableLocalAuth). Advisory: a team migrating " +
            "clients from keys may keep them on for a while (config openai.disableLocalAuth: false).",
        enforcementLevel: "advisory",
        remediationSteps: "Set properties.disableLocalAuth = true once no client uses a key.",
        appliesTo: isCognitiveServicesAccount,
        rules: [forOpenAiAccounts(localAuthIsDisabled)],
    }),
];
