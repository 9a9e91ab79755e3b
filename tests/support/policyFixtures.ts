import { evaluatePolicies, type PolicyDiagnostic } from "../../tools/engine/policyHarness";
import { policies } from "../../policy/policies";
import { UNKNOWN, type RegisteredResource } from "./program";
import { TEST_SUBSCRIPTION_ID, TEST_TENANT_ID } from "./world";

/**
 * Compliant resources, recorded the way tools/engine/runProgram.ts records them, for the policy tests: each test
 * starts from one of these and changes one field. Shapes follow what the program registers, written by hand so that
 * they also stand for other stacks' resources (names and layout other than ours).
 */

export { UNKNOWN };

export const RESOURCE_GROUP = "rg-app";
export const ACCOUNT_NAME = "contoso-openai";
export const ACCOUNT_ID = `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.CognitiveServices/accounts/${ACCOUNT_NAME}`;
export const IDENTITY_NAME = "id-chat";
export const CLIENT_ID = "11111111-2222-4333-8444-555555555555";
export const PRINCIPAL_ID = "99999999-8888-4777-8666-555555555555";
export const ISSUER = `https://eastus.oic.prod-aks.azure.com/${TEST_TENANT_ID}/0f0e0d0c-0b0a-4908-8706-050403020100/`;
export const OPENAI_USER_ROLE = `/subscriptions/${TEST_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/5e0bd9bd-7b93-4f28-af87-19fc36ad61bd`;
export const NAMESPACE = "store";
export const SERVICE_ACCOUNT = "chat";

/** A recorded resource; `state` (the outputs stack policies see) defaults to the inputs. */
export function recorded(
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    extra: Partial<RegisteredResource> = {},
): RegisteredResource {
    return {
        urn: `urn:pulumi:test::other-project::${type}::${name}`,
        type,
        name,
        custom: true,
        parent: "",
        inputs,
        state: inputs,
        id: undefined,
        importId: "",
        dependencies: [],
        propertyDependencies: {},
        provider: "",
        deleteBeforeReplace: false,
        retainOnDelete: false,
        protect: false,
        ignoreChanges: [],
        aliases: [],
        ...extra,
    };
}

export function roleAssignment(inputs: Record<string, unknown> = {}): RegisteredResource {
    return recorded("azure-native:authorization:RoleAssignment", "chat-openai-user", {
        scope: ACCOUNT_ID,
        principalId: PRINCIPAL_ID,
        principalType: "ServicePrincipal",
        roleDefinitionId: OPENAI_USER_ROLE,
        ...inputs,
    });
}

export function federatedCredential(inputs: Record<string, unknown> = {}): RegisteredResource {
    return recorded("azure-native:managedidentity:FederatedIdentityCredential", "chat-fic", {
        resourceGroupName: RESOURCE_GROUP,
        resourceName: IDENTITY_NAME,
        federatedIdentityCredentialResourceName: "store-chat",
        issuer: ISSUER,
        subject: `system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}`,
        audiences: ["api://AzureADTokenExchange"],
        ...inputs,
    });
}

export function identity(state: Record<string, unknown> = {}): RegisteredResource {
    const inputs = { resourceGroupName: RESOURCE_GROUP, resourceName: IDENTITY_NAME, location: "eastus" };
    return recorded("azure-native:managedidentity:UserAssignedIdentity", "chat-identity", inputs, {
        state: { ...inputs, name: IDENTITY_NAME, clientId: CLIENT_ID, principalId: PRINCIPAL_ID, ...state },
    });
}

export function serviceAccount(annotations: Record<string, unknown> = {}): RegisteredResource {
    return recorded("kubernetes:core/v1:ServiceAccount", "chat-sa", {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: {
            name: SERVICE_ACCOUNT,
            namespace: NAMESPACE,
            annotations: {
                "azure.workload.identity/client-id": CLIENT_ID,
                "azure.workload.identity/tenant-id": TEST_TENANT_ID,
                ...annotations,
            },
        },
    });
}

export function openAiAccount(properties: Record<string, unknown> = {}): RegisteredResource {
    return recorded("azure-native:cognitiveservices:Account", "chat-openai", {
        resourceGroupName: RESOURCE_GROUP,
        accountName: ACCOUNT_NAME,
        kind: "OpenAI",
        sku: { name: "S0" },
        properties: { customSubDomainName: ACCOUNT_NAME, disableLocalAuth: true, ...properties },
    });
}

export const WORKSPACE_ID = `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.OperationalInsights/workspaces/log-chat`;

/** A diagnostic setting on the account: its Audit and RequestResponse logs (and metrics) to a workspace. */
export function diagnosticSetting(inputs: Record<string, unknown> = {}): RegisteredResource {
    return recorded("azure-native:monitor:DiagnosticSetting", "chat-openai-audit", {
        name: "chat-audit",
        resourceUri: ACCOUNT_ID,
        workspaceId: WORKSPACE_ID,
        logs: [
            { category: "Audit", enabled: true },
            { category: "RequestResponse", enabled: true },
        ],
        metrics: [{ category: "AllMetrics", enabled: true }],
        ...inputs,
    });
}

/** A pod spec that uses workload identity, calls Azure OpenAI, and sets requests and limits. */
export function podSpec(): Record<string, unknown> {
    return {
        serviceAccountName: SERVICE_ACCOUNT,
        containers: [
            {
                name: "chat",
                image: "contoso/chat:1.0",
                env: [
                    { name: "AZURE_OPENAI_ENDPOINT", value: `https://${ACCOUNT_NAME}.openai.azure.com/` },
                    { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis", key: "password" } } },
                ],
                resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
            },
        ],
    };
}

const WI_LABELS = { app: "chat", "azure.workload.identity/use": "true" };

/** A pod-running resource of any kind, with `podSpec()` in the place that kind keeps it. */
export function workload(kind: string, spec: Record<string, unknown> = podSpec()): RegisteredResource {
    const template = { metadata: { labels: { ...WI_LABELS } }, spec };
    const metadata = { name: "chat", namespace: NAMESPACE };
    const shapes: Record<string, { type: string; body: Record<string, unknown> }> = {
        Deployment: { type: "kubernetes:apps/v1:Deployment", body: { spec: { replicas: 2, template } } },
        StatefulSet: { type: "kubernetes:apps/v1:StatefulSet", body: { spec: { serviceName: "chat", template } } },
        DaemonSet: { type: "kubernetes:apps/v1:DaemonSet", body: { spec: { template } } },
        ReplicaSet: { type: "kubernetes:apps/v1:ReplicaSet", body: { spec: { template } } },
        Job: { type: "kubernetes:batch/v1:Job", body: { spec: { template } } },
        CronJob: {
            type: "kubernetes:batch/v1:CronJob",
            body: { spec: { schedule: "0 * * * *", jobTemplate: { spec: { template } } } },
        },
        Pod: {
            type: "kubernetes:core/v1:Pod",
            body: { metadata: { ...metadata, labels: { ...WI_LABELS } }, spec },
        },
    };
    const shape = shapes[kind];
    return recorded(shape.type, `chat-${kind.toLowerCase()}`, { kind, metadata, ...shape.body });
}

/** Where each kind keeps its pod template (dotted), for changes that target the pod. */
export const POD_TEMPLATE_PATH: Readonly<Record<string, string>> = {
    Deployment: "spec.template",
    StatefulSet: "spec.template",
    DaemonSet: "spec.template",
    ReplicaSet: "spec.template",
    Job: "spec.template",
    CronJob: "spec.jobTemplate.spec.template",
    Pod: "",
};

export const POD_KINDS = Object.keys(POD_TEMPLATE_PATH);

/**
 * The whole chain as one stack records it, outputs included: identity -> credential (subject of the ServiceAccount)
 * -> ServiceAccount annotated with the identity's client id -> Deployment running as it -> role on the account its
 * endpoint points at, and the account's audit logs to a workspace. Property dependencies are recorded as the engine
 * would see them.
 */
export function chain(): RegisteredResource[] {
    const id = identity();
    const account = openAiAccount();
    return [
        id,
        account,
        withDependencies(federatedCredential(), { resourceName: [id.urn] }),
        withDependencies(serviceAccount(), { metadata: [id.urn] }),
        withDependencies(roleAssignment(), { principalId: [id.urn], scope: [account.urn] }),
        workload("Deployment"),
        withDependencies(diagnosticSetting(), { resourceUri: [account.urn] }),
    ];
}

export function withDependencies(
    resource: RegisteredResource,
    propertyDependencies: Record<string, string[]>,
): RegisteredResource {
    return {
        ...resource,
        propertyDependencies,
        dependencies: [...new Set(Object.values(propertyDependencies).flat())],
    };
}

/** A deep copy of `value` with the value at a dotted path replaced (`undefined` deletes it). */
export function changed<T>(value: T, dottedPath: string, replacement: unknown): T {
    const copy = structuredClone(value) as Record<string, unknown>;
    const keys = dottedPath.split(".").filter((key) => key !== "");
    let current: Record<string, unknown> = copy;
    for (const key of keys.slice(0, -1)) {
        current = current[key] as Record<string, unknown>;
    }
    const last = keys[keys.length - 1];
    if (replacement === undefined) {
        delete current[last];
    } else {
        current[last] = replacement;
    }
    return copy as T;
}

/** A recorded resource with one input changed; stack outputs follow the inputs unless they were set apart. */
export function withInput(resource: RegisteredResource, dottedPath: string, value: unknown): RegisteredResource {
    const inputs = changed(resource.inputs, dottedPath, value);
    const state = resource.state === resource.inputs ? inputs : changed(resource.state, dottedPath, value);
    return { ...resource, inputs, state };
}

/** Replaces the resource with the given name in a list. */
export function replaced(
    resources: readonly RegisteredResource[],
    name: string,
    change: (resource: RegisteredResource) => RegisteredResource,
): RegisteredResource[] {
    return resources.map((resource) => (resource.name === name ? change(resource) : resource));
}

/** Violations of one policy (by name) on the resources, after checking that no policy gave up on an unknown. */
export async function violationsOf(resources: readonly RegisteredResource[], policyName: string): Promise<string[]> {
    const policy = policies.find((candidate) => candidate.name === policyName);
    if (policy === undefined) {
        throw new Error(`no policy named ${policyName}`);
    }
    const report = await evaluatePolicies(resources, [policy]);
    if (report.gaveUp.length > 0) {
        throw new Error(`policy gave up on an unknown: ${report.gaveUp.map((d) => d.message).join("; ")}`);
    }
    return report.violations.map((violation) => violation.message);
}

/** Every diagnostic of every policy, for the whole-stack checks. */
export async function allViolations(resources: readonly RegisteredResource[]): Promise<readonly PolicyDiagnostic[]> {
    const report = await evaluatePolicies(resources);
    if (report.gaveUp.length > 0) {
        throw new Error(`policy gave up on an unknown: ${report.gaveUp.map((d) => d.message).join("; ")}`);
    }
    return report.violations;
}
