import { createHash } from "node:crypto";

/**
 * Pure functions that build the identifiers the wiring depends on. They never see an Output: components call them
 * inside `apply` or with plain config values, and tests call them directly.
 */

/**
 * The federated credential subject for a ServiceAccount, exactly as the kubelet projects it into the token's `sub`
 * claim. Case-sensitive; the separator is ':' everywhere (one published how-to dropped one, which fails AADSTS70021).
 */
export function serviceAccountSubject(namespace: string, serviceAccountName: string): string {
    return `system:serviceaccount:${namespace}:${serviceAccountName}`;
}

/**
 * The full role-definition id. Azure returns this form; any shorter form makes every `pulumi up` show a diff
 * (pulumi-azure-native#771).
 */
export function roleDefinitionId(subscriptionId: string, roleGuid: string): string {
    return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
}

/**
 * A deterministic role-assignment name (a GUID, as ARM requires), like Bicep's `guid(scope, principal, role)`. The same
 * scope, principal and role always give the same name, so a re-run after lost state re-PUTs the same assignment
 * instead of colliding with it (RoleAssignmentExists).
 */
export function roleAssignmentName(scope: string, principalId: string, roleDefinition: string): string {
    const digest = createHash("sha1")
        .update([scope.toLowerCase(), principalId.toLowerCase(), roleDefinition.toLowerCase()].join("|"))
        .digest();
    const bytes = Buffer.from(digest.subarray(0, 16));
    bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5 (name-based, SHA-1)
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    const hex = bytes.toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Default user-assigned identity name for a stack: `id-<project>-<stack>`, with characters Azure refuses replaced. */
export function defaultIdentityName(project: string, stack: string): string {
    return `id-${project}-${stack}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 128);
}

/**
 * Default federated credential name for a ServiceAccount: `<namespace>-<name>`, within Azure's 3..120 characters of
 * letters, digits, '-' and '_'. Long names keep a readable prefix plus a hash, so distinct ServiceAccounts never share
 * a name.
 */
export function defaultFederatedCredentialName(namespace: string, serviceAccountName: string): string {
    const readable = `${namespace}-${serviceAccountName}`.replace(/[^A-Za-z0-9_-]/g, "-");
    if (readable.length <= 120) {
        return readable;
    }
    const hash = shortHash(`${namespace}/${serviceAccountName}`);
    return `${readable.slice(0, 120 - hash.length - 1)}-${hash}`;
}

/** Default managed cluster name for a stack. */
export function defaultClusterName(project: string, stack: string): string {
    return `aks-${project}-${stack}`
        .replace(/[^A-Za-z0-9_-]/g, "-")
        .slice(0, 63)
        .replace(/[-_]+$/, "");
}

/**
 * Hash of the identity a pod template binds to. Put on the pod template so a changed client id changes the template
 * and rolls the pods: the webhook injects AZURE_CLIENT_ID only when a pod is created.
 */
export function identityHash(clientId: string): string {
    return shortHash(clientId.toLowerCase());
}

/** First 16 hex characters of a SHA-256: short enough for names and annotations, collision-free in practice here. */
export function shortHash(value: string): string {
    return createHash("sha256").update(value).digest("hex").slice(0, 16);
}

/** ARM id of an AKS managed cluster, in the form ARM and the CLI print (used by `npm run verify` to read its issuer). */
export function managedClusterId(subscriptionId: string, resourceGroupName: string, clusterName: string): string {
    return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/${clusterName}`;
}
