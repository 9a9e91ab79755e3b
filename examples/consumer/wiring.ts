/**
 * Pure rules for consuming an aks-openai-wi stack: which outputs this project relies on, which contract version it was
 * written for, and how the values it reads become a federated ServiceAccount. No Pulumi here, so tests call them
 * directly.
 */

/** The producer's outputs contract this project was written for (aks-openai-wi docs/outputs.md, "Outputs contract v1"). */
export const SUPPORTED_CONTRACT_VERSION = 1;

/** Every producer output this project reads; each is in contract v1. */
export const PRODUCER_OUTPUTS = [
    "outputsContractVersion",
    "oidcIssuerUrl",
    "tenantId",
    "identityName",
    "identityClientId",
    "identityResourceId",
    "openAiEndpoint",
    "openAiDeploymentName",
    "serviceAccounts",
    "kubeconfig",
] as const;

export type ProducerOutput = (typeof PRODUCER_OUTPUTS)[number];

/** The only audience Entra accepts for the token exchange, and the one the AKS webhook projects. */
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/** ServiceAccount annotations the AKS workload identity webhook reads. */
export const CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id";
export const TENANT_ID_ANNOTATION = "azure.workload.identity/tenant-id";

/** Pod label the webhook selects on (a label on the ServiceAccount does nothing). */
export const USE_WORKLOAD_IDENTITY_LABEL = "azure.workload.identity/use";

/** The `sub` claim of a ServiceAccount token, exactly as the kubelet projects it. */
export function serviceAccountSubject(namespace: string, name: string): string {
    return `system:serviceaccount:${namespace}:${name}`;
}

/** Federated credential name for a ServiceAccount: `<namespace>-<name>`, as aks-openai-wi names its own. */
export function federatedCredentialName(namespace: string, name: string): string {
    return `${namespace}-${name}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 120);
}

/** The parts of a user-assigned identity's ARM id; the credential must be created in the identity's resource group. */
export function parseIdentityId(id: string): { subscriptionId: string; resourceGroupName: string; name: string } {
    const match =
        /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/([^/]+)$/i.exec(
            id,
        );
    if (!match) {
        throw new Error(
            `identityResourceId = ${JSON.stringify(id)} is not the ARM id of a user-assigned managed identity ` +
                `(/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>).`,
        );
    }
    return { subscriptionId: match[1], resourceGroupName: match[2], name: match[3] };
}

/**
 * Problems that make the producer unusable, found before anything is created: a contract version this project was not
 * written for, outputs the contract promises but the stack lacks, or a ServiceAccount subject the producer already
 * federates (an identity takes each (issuer, subject) once; Azure would reject the second credential).
 */
export function producerProblems(args: {
    readonly producerStack: string;
    /** The producer's outputs by name; an output the stack lacks is undefined. */
    readonly outputs: Readonly<Partial<Record<ProducerOutput, unknown>>>;
    readonly subject: string;
}): string[] {
    const version = args.outputs.outputsContractVersion;
    if (version === undefined) {
        return [
            `stack ${args.producerStack} exports no outputsContractVersion: it is not an aks-openai-wi stack, or one ` +
                `deployed before the outputs contract was versioned. Fix: check producerStack, or run pulumi up on that stack.`,
        ];
    }
    if (version !== SUPPORTED_CONTRACT_VERSION) {
        return [
            `stack ${args.producerStack} exports outputs contract v${String(version)}, and this project reads ` +
                `v${SUPPORTED_CONTRACT_VERSION}. Fix: update this project for v${String(version)} (see the producer's ` +
                `docs/outputs.md), or point producerStack at a v${SUPPORTED_CONTRACT_VERSION} stack.`,
        ];
    }
    const problems: string[] = [];
    const missing = PRODUCER_OUTPUTS.filter((name) => args.outputs[name] === undefined);
    if (missing.length > 0) {
        problems.push(
            `stack ${args.producerStack} lacks output(s) ${missing.join(", ")} that contract v${SUPPORTED_CONTRACT_VERSION} ` +
                `promises. Fix: run pulumi up on that stack (pulumi stack output -s ${args.producerStack} lists what it has).`,
        );
    }
    const accounts = args.outputs.serviceAccounts;
    if (Array.isArray(accounts) && accounts.some((sa: { subject?: unknown }) => sa.subject === args.subject)) {
        problems.push(
            `${args.subject} is already federated by stack ${args.producerStack} (its serviceAccounts output): an ` +
                `identity takes each issuer and subject once. Fix: set namespace or serviceAccountName to another ` +
                `ServiceAccount, or let the producer's workload be this one.`,
        );
    }
    return problems;
}
