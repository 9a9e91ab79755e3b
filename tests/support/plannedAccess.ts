import {
    CLIENT_ID_ANNOTATION,
    TENANT_ID_ANNOTATION,
    TOKEN_EXCHANGE_AUDIENCE,
    USE_WORKLOAD_IDENTITY_LABEL,
} from "../../components/constants";
import type { FederatedCredential, FederatedIdentity } from "./federatedCredentials";
import type { RoleAssignmentGrant } from "./openAiStandin";
import { at, ofType, single, type RegisteredResource } from "./program";

/**
 * The access path as `pulumi up` would create it, read from a run of the program (registered resources and stack
 * outputs), never from constants: the pod the Deployment makes, the ServiceAccount it runs as, what the webhook would
 * inject, the identities and their federated credentials as Entra will know them, and the role assignments and the
 * account as Azure OpenAI will know them. Tests mutate a copy to introduce one mistake at a time.
 */

export interface PlannedPod {
    readonly namespace: string;
    readonly serviceAccountName: string;
    /** Pod-template labels (the webhook selects on azure.workload.identity/use). */
    readonly labels: Readonly<Record<string, string>>;
    /** The container's env as the Deployment sets it. */
    readonly env: Readonly<Record<string, string>>;
}

export interface PlannedServiceAccount {
    readonly namespace: string;
    readonly name: string;
    readonly annotations: Readonly<Record<string, string>>;
}

export interface PlannedAccess {
    readonly tenantId: string;
    /** The cluster's issuer: what the kubelet writes into `iss`. */
    readonly clusterIssuer: string;
    readonly pod: PlannedPod;
    readonly serviceAccounts: readonly PlannedServiceAccount[];
    readonly identities: readonly FederatedIdentity[];
    readonly credentials: readonly FederatedCredential[];
    readonly roleAssignments: readonly RoleAssignmentGrant[];
    readonly account: { readonly id: string; readonly endpoint: string; readonly deployments: readonly string[] };
}

/** @param run what a program run registered and exported (tests pass a mutated copy of the resources) */
export function plannedAccess(run: {
    readonly resources: readonly RegisteredResource[];
    readonly outputs: Readonly<Record<string, unknown>>;
}): PlannedAccess {
    const resources = run.resources;
    const deployment = single(resources, "kubernetes:apps/v1:Deployment");
    const template = at(deployment.inputs, "spec.template") as {
        metadata: { labels: Record<string, string> };
        spec: { serviceAccountName: string; containers: { env?: { name: string; value?: string }[] }[] };
    };
    const env = Object.fromEntries(
        (template.spec.containers[0].env ?? []).map((entry) => [entry.name, String(entry.value ?? "")]),
    );
    const features = single(resources, "pulumi-nodejs:dynamic/aks:WorkloadIdentityFeatures");
    return {
        tenantId: String(run.outputs.tenantId),
        clusterIssuer: String(features.state.issuerUrl),
        pod: {
            namespace: String(at(deployment.inputs, "metadata.namespace")),
            serviceAccountName: template.spec.serviceAccountName,
            labels: { ...template.metadata.labels },
            env,
        },
        serviceAccounts: ofType(resources, "kubernetes:core/v1:ServiceAccount").map((sa) => ({
            namespace: String(at(sa.inputs, "metadata.namespace")),
            name: String(at(sa.inputs, "metadata.name")),
            annotations: { ...(at(sa.inputs, "metadata.annotations") as Record<string, string>) },
        })),
        identities: ofType(resources, "azure-native:managedidentity:UserAssignedIdentity").map((identity) => ({
            name: String(identity.inputs.resourceName),
            clientId: String(identity.state.clientId),
            principalId: String(identity.state.principalId),
        })),
        credentials: ofType(resources, "azure-native:managedidentity:FederatedIdentityCredential").map(
            (credential) => ({
                identityName: String(credential.inputs.resourceName),
                issuer: String(credential.inputs.issuer),
                subject: String(credential.inputs.subject),
                audiences: (credential.inputs.audiences as string[]).map(String),
            }),
        ),
        roleAssignments: ofType(resources, "azure-native:authorization:RoleAssignment").map((ra) => ({
            principalId: String(ra.inputs.principalId),
            roleDefinitionId: String(ra.inputs.roleDefinitionId),
            scope: String(ra.inputs.scope),
        })),
        account: {
            id: String(run.outputs.openAiAccountId),
            endpoint: String(run.outputs.openAiEndpoint),
            deployments: [String(run.outputs.openAiDeploymentName)],
        },
    };
}

/** The AKS webhook's default authority host (Azure public cloud). */
export const PUBLIC_CLOUD_AUTHORITY_HOST = "https://login.microsoftonline.com/";

/**
 * What the workload-identity webhook injects into the pod at creation: nothing unless the pod template carries the
 * label "true"; otherwise AZURE_CLIENT_ID and AZURE_TENANT_ID from the ServiceAccount's annotations (the tenant falls
 * back to the cluster's), AZURE_FEDERATED_TOKEN_FILE where the projected token is mounted, and AZURE_AUTHORITY_HOST.
 */
export function webhookInjection(
    planned: PlannedAccess,
    tokenFile: string,
): { env: Record<string, string>; token: { namespace: string; serviceAccount: string; audience: string } | undefined } {
    const pod = planned.pod;
    if (pod.labels[USE_WORKLOAD_IDENTITY_LABEL] !== "true") {
        return { env: {}, token: undefined };
    }
    const serviceAccount = planned.serviceAccounts.find(
        (sa) => sa.namespace === pod.namespace && sa.name === pod.serviceAccountName,
    );
    if (serviceAccount === undefined) {
        throw new Error(
            `the pod's ServiceAccount ${pod.namespace}/${pod.serviceAccountName} does not exist: Kubernetes (and the ` +
                `webhook, failurePolicy Fail) would refuse the pod`,
        );
    }
    const env: Record<string, string> = {
        AZURE_TENANT_ID: serviceAccount.annotations[TENANT_ID_ANNOTATION] ?? planned.tenantId,
        AZURE_FEDERATED_TOKEN_FILE: tokenFile,
        AZURE_AUTHORITY_HOST: PUBLIC_CLOUD_AUTHORITY_HOST,
    };
    const clientId = serviceAccount.annotations[CLIENT_ID_ANNOTATION];
    if (clientId !== undefined) {
        env.AZURE_CLIENT_ID = clientId;
    }
    return {
        env,
        token: { namespace: pod.namespace, serviceAccount: pod.serviceAccountName, audience: TOKEN_EXCHANGE_AUDIENCE },
    };
}
