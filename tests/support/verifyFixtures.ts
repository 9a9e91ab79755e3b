import type { V1Pod } from "@kubernetes/client-node";

import { IDENTITY_HASH_ANNOTATION, OPENAI_USER_ROLE_ID, TOKEN_EXCHANGE_AUDIENCE } from "../../components/constants";
import { identityHash, managedClusterId, roleDefinitionId } from "../../components/naming";
import type { DiagnosticSettingView } from "../../tools/verify/audit";
import type {
    ArmReader,
    ClusterIssuer,
    FederatedCredentialView,
    KubeReader,
    RoleAssignmentView,
} from "../../tools/verify/checks";
import type { NetworkPolicyView } from "../../tools/verify/callPath";
import type { JsonObject, ProxyAnswer } from "./kubeStandin";
import { aksIssuerUrl, mockGuid, SEED_RESOURCE_GROUP, TEST_SUBSCRIPTION_ID, TEST_TENANT_ID } from "./world";

/**
 * A deployed stack as `npm run verify` finds it: its outputs, ai-service's pods as the API server returns them after the
 * workload-identity webhook mutated them, and what ARM says about the cluster, the identity's federated credentials
 * and the role assignments. `healthyScenario()` is a stack where everything is right; `FAILURES` break one thing each.
 */

export const NAMESPACE = "default";
export const SERVICE_ACCOUNT = "ai-service-account";
export const SUBJECT = `system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}`;
export const CLIENT_ID = mockGuid("client-id", "myIdentity");
export const PRINCIPAL_ID = mockGuid("principal-id", "myIdentity");
export const IDENTITY_ID = `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/${SEED_RESOURCE_GROUP}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/myIdentity`;
export const ACCOUNT_ID = `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/${SEED_RESOURCE_GROUP}/providers/Microsoft.CognitiveServices/accounts/myOpenAI`;
export const CLUSTER_ID = managedClusterId(TEST_SUBSCRIPTION_ID, SEED_RESOURCE_GROUP, "myAKSCluster");
export const ISSUER = aksIssuerUrl("eastus", "myAKSCluster");
/** The issuer after `az aks delete` + `az aks create` of a cluster with the same name. */
export const RECREATED_ISSUER = `https://eastus.oic.prod-aks.azure.com/${TEST_TENANT_ID}/${mockGuid("issuer", "myAKSCluster", "recreated")}/`;
export const ROLE_ASSIGNMENT_NAME = mockGuid("role-assignment", "verify");
export const TOKEN_FILE = "/var/run/secrets/azure/tokens/azure-identity-token";
export const WORKSPACE_ID = `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/${SEED_RESOURCE_GROUP}/providers/Microsoft.OperationalInsights/workspaces/log-aks-openai-wi-dev`;
export const WORKSPACE_CUSTOMER_ID = mockGuid("workspace-customer-id", "log-aks-openai-wi-dev");
export const AUDIT_SETTING = "aks-openai-wi-dev-audit";

export interface VerifyScenario {
    /** As `pulumi stack output --json --show-secrets` prints them (kubeconfig added by the caller). */
    outputs: JsonObject;
    /** ai-service's pods in NAMESPACE. */
    pods: JsonObject[];
    configMaps: Record<string, JsonObject>;
    secrets: Record<string, JsonObject>;
    forbiddenSecrets: string[];
    cluster: { oidcIssuerEnabled: boolean; issuerUrl: string; disableLocalAccounts?: boolean; entraManaged?: boolean };
    credentials: { name: string; issuer: string; subject: string; audiences: string[] }[];
    roleAssignments: { name: string; scope: string; roleDefinitionId: string; principalId: string }[];
    /** Diagnostic settings on the account, as ARM lists them. */
    diagnosticSettings: {
        name: string;
        workspaceId?: string;
        logs: { category?: string; categoryGroup?: string; enabled: boolean }[];
        metrics: { category?: string; enabled: boolean }[];
    }[];
    /** ai-service's answer to the description request (--call), through the service proxy or from a caller pod. */
    description: ProxyAnswer;
    /** The NetworkPolicies of NAMESPACE (none: ai-service admits every caller). */
    networkPolicies: NetworkPolicyView[];
}

/** One ai-service pod as the API server returns it after the webhook injected the identity. */
export function aiServicePod(name: string, created = "2026-11-28T10:15:00Z"): JsonObject {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
            name,
            namespace: NAMESPACE,
            uid: mockGuid("pod", name),
            creationTimestamp: created,
            labels: { app: "ai-service", "azure.workload.identity/use": "true", "pod-template-hash": "6b7f9c" },
            annotations: { [IDENTITY_HASH_ANNOTATION]: identityHash(CLIENT_ID) },
            ownerReferences: [
                { apiVersion: "apps/v1", kind: "ReplicaSet", name: "ai-service-6b7f9c", uid: "rs", controller: true },
            ],
        },
        spec: {
            serviceAccountName: SERVICE_ACCOUNT,
            containers: [
                {
                    name: "ai-service",
                    image: "ghcr.io/azure-samples/aks-store-demo/ai-service:2.2.0",
                    env: [
                        { name: "USE_AZURE_OPENAI", value: "True" },
                        { name: "USE_AZURE_AD", value: "True" },
                        { name: "AZURE_OPENAI_DEPLOYMENT_NAME", value: "gpt-4o-mini" },
                        { name: "AZURE_OPENAI_ENDPOINT", value: "https://myopenai.openai.azure.com/" },
                        { name: "AZURE_OPENAI_API_VERSION", value: "2024-12-01-preview" },
                        // Injected by the webhook at pod creation.
                        { name: "AZURE_CLIENT_ID", value: CLIENT_ID },
                        { name: "AZURE_TENANT_ID", value: TEST_TENANT_ID },
                        { name: "AZURE_FEDERATED_TOKEN_FILE", value: TOKEN_FILE },
                        { name: "AZURE_AUTHORITY_HOST", value: "https://login.microsoftonline.com/" },
                    ],
                    volumeMounts: [
                        { name: "azure-identity-token", mountPath: "/var/run/secrets/azure/tokens", readOnly: true },
                    ],
                },
            ],
        },
        status: {
            phase: "Running",
            conditions: [
                { type: "Initialized", status: "True" },
                { type: "Ready", status: "True" },
                { type: "ContainersReady", status: "True" },
                { type: "PodScheduled", status: "True" },
            ],
            containerStatuses: [
                {
                    name: "ai-service",
                    ready: true,
                    restartCount: 0,
                    image: "ghcr.io/azure-samples/aks-store-demo/ai-service:2.2.0",
                    imageID: "",
                    state: { running: { startedAt: created } },
                },
            ],
        },
    };
}

export function healthyScenario(): VerifyScenario {
    return {
        outputs: {
            oidcIssuerUrl: ISSUER,
            tenantId: TEST_TENANT_ID,
            identityName: "myIdentity",
            identityClientId: CLIENT_ID,
            identityPrincipalId: PRINCIPAL_ID,
            identityResourceId: IDENTITY_ID,
            roleAssignmentId: `${ACCOUNT_ID}/providers/Microsoft.Authorization/roleAssignments/${ROLE_ASSIGNMENT_NAME}`,
            openAiAccountId: ACCOUNT_ID,
            openAiEndpoint: "https://myopenai.openai.azure.com/",
            openAiDeploymentName: "gpt-4o-mini",
            serviceAccounts: [{ namespace: NAMESPACE, name: SERVICE_ACCOUNT, subject: SUBJECT }],
            aiServiceUrl: `http://ai-service.${NAMESPACE}:5001/`,
            clusterResourceId: CLUSTER_ID,
            armEndpoint: "https://management.azure.com/",
            auditWorkspaceId: WORKSPACE_ID,
            auditWorkspaceCustomerId: WORKSPACE_CUSTOMER_ID,
        },
        pods: [aiServicePod("ai-service-6b7f9c-x2x4q")],
        configMaps: {},
        secrets: {},
        forbiddenSecrets: [],
        // Entra ID only, as recommended (tests/verifyCommand.test.ts runs the quickstart's cluster, which is not).
        cluster: { oidcIssuerEnabled: true, issuerUrl: ISSUER, disableLocalAccounts: true, entraManaged: true },
        credentials: [
            { name: "myFederatedCredential", issuer: ISSUER, subject: SUBJECT, audiences: [TOKEN_EXCHANGE_AUDIENCE] },
        ],
        roleAssignments: [
            {
                name: ROLE_ASSIGNMENT_NAME,
                scope: ACCOUNT_ID,
                roleDefinitionId: roleDefinitionId(TEST_SUBSCRIPTION_ID, OPENAI_USER_ROLE_ID),
                principalId: PRINCIPAL_ID,
            },
        ],
        diagnosticSettings: [
            {
                name: AUDIT_SETTING,
                workspaceId: WORKSPACE_ID,
                logs: [
                    { category: "Audit", enabled: true },
                    { category: "RequestResponse", enabled: true },
                ],
                metrics: [{ category: "AllMetrics", enabled: true }],
            },
        ],
        description: {
            status: 200,
            body: JSON.stringify({ description: "Built for tug-of-war champions and nap-time heroes alike." }),
        },
        networkPolicies: [],
    };
}

/**
 * ai-service's NetworkPolicy as the stack writes it (components/aiService.ts) when `aiService.networkPolicy.enabled`:
 * product-service admitted, and the smoke test's pods when the smoke test is on.
 */
export function aiServiceNetworkPolicy(admitSmokeTest: boolean): NetworkPolicyView {
    return {
        name: "ai-service",
        podSelector: { app: "ai-service" },
        podSelectorHasExpressions: false,
        policyTypes: ["Ingress"],
        ingress: [
            {
                from: [
                    { podSelector: { app: "product-service" } },
                    ...(admitSmokeTest ? [{ podSelector: { app: "ai-service-smoke-test" } }] : []),
                ],
            },
        ],
    };
}

function container(scenario: VerifyScenario, index = 0): { env: { name: string; value?: string }[] } & JsonObject {
    const spec = scenario.pods[index].spec as {
        containers: ({ env: { name: string; value?: string }[] } & JsonObject)[];
    };
    return spec.containers[0];
}

function setEnv(scenario: VerifyScenario, name: string, value: string | undefined): void {
    const target = container(scenario);
    target.env = target.env.filter((variable) => variable.name !== name);
    if (value !== undefined) {
        target.env.push({ name, value });
    }
}

/** Each breaks exactly one link of a healthy stack, as it breaks in real life. */
export const FAILURES = {
    /** The container crash-loops: the pod is Running but not Ready. */
    podNotReady(scenario: VerifyScenario): void {
        const status = scenario.pods[0].status as JsonObject;
        status.conditions = [
            {
                type: "Ready",
                status: "False",
                reason: "ContainersNotReady",
                message: "containers with unready status: [ai-service]",
            },
        ];
        status.containerStatuses = [
            {
                name: "ai-service",
                ready: false,
                restartCount: 4,
                image: "ghcr.io/azure-samples/aks-store-demo/ai-service:2.2.0",
                imageID: "",
                state: {
                    waiting: { reason: "CrashLoopBackOff", message: "back-off 1m20s restarting failed container" },
                },
            },
        ];
    },
    /** The pod was created before workload identity was on: the webhook injected nothing. */
    missingClientId(scenario: VerifyScenario): void {
        for (const name of [
            "AZURE_CLIENT_ID",
            "AZURE_TENANT_ID",
            "AZURE_FEDERATED_TOKEN_FILE",
            "AZURE_AUTHORITY_HOST",
        ]) {
            setEnv(scenario, name, undefined);
        }
    },
    /** The identity was replaced (new client id) but this pod predates the ServiceAccount's new annotation. */
    clientIdMismatch(scenario: VerifyScenario): void {
        setEnv(scenario, "AZURE_CLIENT_ID", mockGuid("client-id", "previousIdentity"));
        (scenario.pods[0].metadata as { annotations: Record<string, string> }).annotations[IDENTITY_HASH_ANNOTATION] =
            identityHash(mockGuid("client-id", "previousIdentity"));
    },
    /** The quickstart's key is still in the pod spec. */
    keyVariable(scenario: VerifyScenario): void {
        container(scenario).env.push({ name: "OPENAI_API_KEY", value: "sk-quickstart-key" });
    },
    /** The key hides in a Secret the container loads with envFrom. */
    keyInEnvFrom(scenario: VerifyScenario): void {
        container(scenario).envFrom = [{ secretRef: { name: "openai-secrets" } }];
        scenario.secrets[`${NAMESPACE}/openai-secrets`] = {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "openai-secrets", namespace: NAMESPACE },
            type: "Opaque",
            data: { AZURE_OPENAI_API_KEY: Buffer.from("quickstart-key").toString("base64") },
        };
    },
    /** The cluster was deleted and re-created under the same name: a new issuer, the credential still has the old. */
    issuerMismatch(scenario: VerifyScenario): void {
        scenario.cluster.issuerUrl = RECREATED_ISSUER;
    },
    /** Someone deleted the role assignment by hand. */
    missingRoleAssignment(scenario: VerifyScenario): void {
        scenario.roleAssignments = [];
    },
    /** Someone deleted the audit diagnostic setting (the account's owner, cleaning up): nothing records the calls. */
    missingAuditSetting(scenario: VerifyScenario): void {
        scenario.diagnosticSettings = [];
    },
} satisfies Record<string, (scenario: VerifyScenario) => void>;

/** A scenario with one failure applied. */
export function scenarioWith(...failures: ((scenario: VerifyScenario) => void)[]): VerifyScenario {
    const scenario = healthyScenario();
    for (const failure of failures) {
        failure(scenario);
    }
    return scenario;
}

// ---------------------------------------------------------------------------------------------------------------
// In-memory readers over a scenario, for the checks without any server.
// ---------------------------------------------------------------------------------------------------------------

export function fakeKube(scenario: VerifyScenario): KubeReader & {
    posted: unknown[];
    fromPods: { namespace: string; labels: Readonly<Record<string, string>>; url: string; body: unknown }[];
} {
    const posted: unknown[] = [];
    const fromPods: { namespace: string; labels: Readonly<Record<string, string>>; url: string; body: unknown }[] = [];
    return {
        posted,
        fromPods,
        listNetworkPolicies: (namespace) =>
            Promise.resolve(namespace === NAMESPACE ? structuredClone(scenario.networkPolicies) : []),
        postFromPod: (namespace, labels, url, body) => {
            fromPods.push({ namespace, labels, url, body });
            return Promise.resolve(scenario.description);
        },
        listPods: (namespace) =>
            Promise.resolve(namespace === NAMESPACE ? (structuredClone(scenario.pods) as unknown as V1Pod[]) : []),
        readKeys: (namespace, kind, name) => {
            const key = `${namespace}/${name}`;
            if (kind === "Secret" && scenario.forbiddenSecrets.includes(key)) {
                return Promise.reject(new Error(`secrets "${name}" is forbidden`));
            }
            const object = kind === "Secret" ? scenario.secrets[key] : scenario.configMaps[key];
            if (object === undefined) {
                return Promise.reject(new Error(`${kind.toLowerCase()}s "${name}" not found`));
            }
            return Promise.resolve(Object.keys({ ...(object.data as object), ...(object.binaryData as object) }));
        },
        postToService: (_namespace, _service, _port, _path, body) => {
            posted.push(body);
            return Promise.resolve(scenario.description);
        },
    };
}

export function fakeArm(scenario: VerifyScenario): ArmReader {
    return {
        listDiagnosticSettings: (resourceUri): Promise<DiagnosticSettingView[]> =>
            Promise.resolve(
                resourceUri.toLowerCase() === ACCOUNT_ID.toLowerCase()
                    ? scenario.diagnosticSettings.map((setting) => ({
                          ...structuredClone(setting),
                          workspaceId: setting.workspaceId,
                      }))
                    : [],
            ),
        getCluster: (): Promise<ClusterIssuer> => Promise.resolve({ ...scenario.cluster }),
        listFederatedCredentials: (): Promise<FederatedCredentialView[]> =>
            Promise.resolve(scenario.credentials.map((credential) => ({ ...credential }))),
        listRoleAssignments: (scope, principalId): Promise<RoleAssignmentView[]> =>
            Promise.resolve(
                scenario.roleAssignments
                    .filter((assignment) => assignment.principalId === principalId)
                    .filter((assignment) => scope.toLowerCase().startsWith(assignment.scope.toLowerCase()))
                    .map((assignment) => ({
                        id: `${assignment.scope}/providers/Microsoft.Authorization/roleAssignments/${assignment.name}`,
                        scope: assignment.scope,
                        roleDefinitionId: assignment.roleDefinitionId,
                        principalId: assignment.principalId,
                    })),
            ),
    };
}
