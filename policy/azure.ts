import { BROAD_ROLES, OPENAI_DATA_ROLES } from "./facts";
import { GUID, isUnknown, stringAt, UNKNOWN, type Unknown } from "./values";

/**
 * Azure facts the policies share: resource type tokens (any azure-native API-version module), role definition ids,
 * ARM ids, and the host names of AKS issuers and Azure OpenAI endpoints.
 */

/**
 * True for `azure-native:<module>:<name>` and its API-version variants (`azure-native:authorization/v20220401:...`),
 * so the pack also judges stacks that pin an API version.
 */
export function isAzureNativeType(type: string, module: string, name: string): boolean {
    const match = /^azure-native:([A-Za-z]+)(?:\/v[0-9a-z]+)?:([A-Za-z]+)$/.exec(type);
    return match !== null && match[1] === module && match[2] === name;
}

export const isRoleAssignment = (type: string) => isAzureNativeType(type, "authorization", "RoleAssignment");
export const isFederatedCredential = (type: string) =>
    isAzureNativeType(type, "managedidentity", "FederatedIdentityCredential");
export const isUserAssignedIdentity = (type: string) =>
    isAzureNativeType(type, "managedidentity", "UserAssignedIdentity");
export const isCognitiveServicesAccount = (type: string) => isAzureNativeType(type, "cognitiveservices", "Account");

/** Account kinds that serve Azure OpenAI models. */
export const OPENAI_ACCOUNT_KINDS: readonly string[] = ["OpenAI", "AIServices"];

/** The role GUID in a role-definition id (full or bare), lowercase; undefined when there is none. */
export function roleGuidOf(roleDefinitionId: string): string | undefined {
    const last = roleDefinitionId.split("/").pop() ?? "";
    return GUID.test(last) ? last.toLowerCase() : undefined;
}

/** Name of a built-in role too broad for a workload, or undefined. */
export function broadRoleName(roleGuid: string | undefined): string | undefined {
    return roleGuid === undefined ? undefined : BROAD_ROLES[roleGuid];
}

/** Name of a role that opens the Azure OpenAI data plane, or undefined. */
export function openAiDataRoleName(roleGuid: string | undefined): string | undefined {
    return roleGuid === undefined ? undefined : OPENAI_DATA_ROLES[roleGuid];
}

/** The subscription of an ARM id within a subscription (`/subscriptions/<id>/...`), lowercase. */
export function subscriptionOf(armId: string): string | undefined {
    return /^\/subscriptions\/([^/]+)(?:\/|$)/i.exec(armId)?.[1]?.toLowerCase();
}

/**
 * The form Azure returns for a role definition used within a subscription. Any other form (a bare GUID, the
 * tenant-level `/providers/...` form) differs from what Azure reads back, and every `pulumi up` shows a diff.
 */
const FULL_ROLE_DEFINITION_ID =
    /^\/subscriptions\/([0-9a-f-]{36})\/providers\/Microsoft\.Authorization\/roleDefinitions\/[0-9a-f-]{36}$/i;
const TENANT_ROLE_DEFINITION_ID = /^\/providers\/Microsoft\.Authorization\/roleDefinitions\/[0-9a-f-]{36}$/i;

/**
 * Whether a role-definition id is in the form Azure returns for this scope: the subscription form with the scope's
 * subscription when the scope is in a subscription; either full form when the scope is a management group, the
 * tenant, or not known yet.
 */
export function isFullRoleDefinitionId(roleDefinitionId: string, scope: string | Unknown | undefined): boolean {
    const subscription = FULL_ROLE_DEFINITION_ID.exec(roleDefinitionId)?.[1]?.toLowerCase();
    const scopeSubscription = typeof scope === "string" ? subscriptionOf(scope) : undefined;
    if (scopeSubscription !== undefined) {
        return subscription === scopeSubscription;
    }
    return subscription !== undefined || TENANT_ROLE_DEFINITION_ID.test(roleDefinitionId);
}

/** The account name when an ARM id is a Cognitive Services account (or something inside one). */
export function cognitiveServicesAccountOf(armId: string): string | undefined {
    return /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.CognitiveServices\/accounts\/([^/]+)(?:\/.*)?$/i.exec(
        armId,
    )?.[1];
}

/** AKS OIDC issuer hosts (`<region>.oic.prod-aks.azure.com`, and the sovereign clouds' equivalents). */
export function isAksIssuer(issuer: string): boolean {
    try {
        return /\.oic\.prod-aks\.azure\.[a-z]+$/i.test(new URL(issuer).hostname);
    } catch {
        return false;
    }
}

/** The custom subdomain of an Azure OpenAI endpoint (`https://<sub>.openai.azure.com/`), lowercase. */
export function openAiSubdomainOf(endpoint: string): string | undefined {
    try {
        const host = new URL(endpoint).hostname.toLowerCase();
        return /^([a-z0-9-]+)\.(?:openai\.azure\.(?:com|us|cn)|cognitiveservices\.azure\.(?:com|us|cn))$/.exec(
            host,
        )?.[1];
    } catch {
        return undefined;
    }
}

/** Compares two ARM ids or names the way ARM does (case-insensitively). */
export function sameArmId(a: string, b: string): boolean {
    return a.toLowerCase() === b.toLowerCase();
}

/** `system:serviceaccount:<namespace>:<name>`: namespace a DNS-1123 label, name a DNS-1123 subdomain. */
const SERVICE_ACCOUNT_SUBJECT =
    /^system:serviceaccount:([a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?):([a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*)$/;

/** Parses a ServiceAccount subject; undefined when it is not exactly the kubelet's form. */
export function parseServiceAccountSubject(subject: string): { namespace: string; name: string } | undefined {
    const match = SERVICE_ACCOUNT_SUBJECT.exec(subject);
    return match === null || match[2].length > 253 ? undefined : { namespace: match[1], name: match[2] };
}

/**
 * Whether a credential federates Kubernetes ServiceAccounts (rather than, say, GitHub Actions): its subject starts
 * like a ServiceAccount's (even a malformed one), or its issuer is an AKS issuer. UNKNOWN when neither is known.
 */
export function isKubernetesCredential(props: Readonly<Record<string, unknown>>): boolean | Unknown {
    const subject = stringAt(props, "subject");
    const issuer = stringAt(props, "issuer");
    if ((typeof subject === "string" && subject.startsWith("system:serviceaccount")) || isAksIssuerValue(issuer)) {
        return true;
    }
    return isUnknown(subject) ? UNKNOWN : false;
}

function isAksIssuerValue(issuer: string | Unknown | undefined): boolean {
    return typeof issuer === "string" && isAksIssuer(issuer);
}
