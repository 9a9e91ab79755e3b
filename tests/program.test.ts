import assert from "node:assert/strict";
import { before, describe, it } from "node:test";

import { parse } from "yaml";

import { OPENAI_USER_ROLE_ID } from "../components/constants";
import { identityHash } from "../components/naming";
import { GREENFIELD_CONFIG } from "./support/configs";
import { at, isSecret, ofType, runProgram, single, type ProgramRun, type RegisteredResource } from "./support/program";
import { seedWorld, TEST_SUBSCRIPTION_ID, TEST_TENANT_ID } from "./support/world";
import { shippedRun } from "./support/shippedStacks";

/** Variables that carry an OpenAI or Azure credential: none may reach a keyless pod (stated here, not borrowed). */
const CREDENTIAL_ENV_NAMES = [
    "OPENAI_API_KEY",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_KEY",
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD",
];

const ACCOUNT_ID = `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/myResourceGroup/providers/Microsoft.CognitiveServices/accounts/myOpenAI`;
const SEED_ISSUER = seedWorld().clusters["myResourceGroup/myAKSCluster"].issuerUrl;

type Container = { name: string; env?: { name: string; value?: string }[]; envFrom?: unknown[] };

function containersOf(deployment: RegisteredResource): Container[] {
    return at(deployment.inputs, "spec.template.spec.containers") as Container[];
}

function urnOf(resources: readonly RegisteredResource[], type: string): string {
    return single(resources, type).urn;
}

describe("the seed stack (Pulumi.dev.yaml: existing cluster, existing account), as pulumi up runs it", () => {
    let run: ProgramRun;
    let identity: RegisteredResource;
    before(async () => {
        run = await shippedRun("dev");
        identity = single(run.resources, "azure-native:managedidentity:UserAssignedIdentity");
    });

    it("creates the identity the seed procedure names, in the configured region", () => {
        assert.equal(identity.inputs.resourceName, "myIdentity");
        assert.equal(identity.inputs.resourceGroupName, "myResourceGroup");
        assert.equal(identity.inputs.location, "eastus");
    });

    it("turns on the OIDC issuer and workload identity on the existing cluster, and never deletes it", () => {
        const features = single(run.resources, "pulumi-nodejs:dynamic/aks:WorkloadIdentityFeatures");
        assert.equal(features.inputs.subscriptionId, TEST_SUBSCRIPTION_ID);
        assert.equal(features.inputs.resourceGroupName, "myResourceGroup");
        assert.equal(features.inputs.clusterName, "myAKSCluster");
        assert.equal(features.inputs.armEndpoint, "https://management.azure.com/");
        assert.equal(features.retainOnDelete, true);
        assert.equal(ofType(run.resources, "azure-native:containerservice:ManagedCluster").length, 0);
    });

    it("federates the credential with the cluster's issuer URL, verbatim with its trailing slash", () => {
        const credential = single(run.resources, "azure-native:managedidentity:FederatedIdentityCredential");
        assert.equal(credential.inputs.issuer, SEED_ISSUER);
        assert.ok(SEED_ISSUER.endsWith("/"));
    });

    it("federates exactly the ServiceAccount the pods run as, under the seed's credential name", () => {
        const credential = single(run.resources, "azure-native:managedidentity:FederatedIdentityCredential");
        const serviceAccount = single(run.resources, "kubernetes:core/v1:ServiceAccount");
        const deployment = single(run.resources, "kubernetes:apps/v1:Deployment");
        assert.equal(credential.inputs.subject, "system:serviceaccount:default:ai-service-account");
        assert.equal(at(serviceAccount.inputs, "metadata.name"), "ai-service-account");
        assert.equal(at(serviceAccount.inputs, "metadata.namespace"), "default");
        assert.equal(at(deployment.inputs, "spec.template.spec.serviceAccountName"), "ai-service-account");
        assert.equal(at(deployment.inputs, "metadata.namespace"), "default");
        assert.equal(credential.inputs.federatedIdentityCredentialResourceName, "myFederatedCredential");
        assert.deepEqual(credential.inputs.audiences, ["api://AzureADTokenExchange"]);
        assert.ok(
            credential.propertyDependencies.subject?.includes(serviceAccount.urn),
            "subject must come from the ServiceAccount object",
        );
    });

    it("puts the credential on the identity itself, replacing it delete-first", () => {
        const credential = single(run.resources, "azure-native:managedidentity:FederatedIdentityCredential");
        assert.equal(credential.inputs.resourceName, identity.state.name);
        assert.equal(credential.inputs.resourceGroupName, "myResourceGroup");
        assert.equal(credential.deleteBeforeReplace, true);
    });

    it("grants the identity's PRINCIPAL id exactly 'Cognitive Services OpenAI User' on exactly the account", () => {
        const role = single(run.resources, "azure-native:authorization:RoleAssignment");
        assert.equal(role.inputs.principalId, identity.state.principalId);
        assert.notEqual(role.inputs.principalId, identity.state.clientId);
        assert.equal(role.inputs.principalType, "ServicePrincipal");
        assert.equal(
            role.inputs.roleDefinitionId,
            `/subscriptions/${TEST_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/${OPENAI_USER_ROLE_ID}`,
        );
        assert.equal(role.inputs.scope, ACCOUNT_ID);
        assert.equal(role.deleteBeforeReplace, true);
        assert.match(String(role.inputs.roleAssignmentName), /^[0-9a-f-]{36}$/);
        // What the Azure portal shows next to the assignment, for whoever wonders why the identity holds it.
        assert.equal(
            role.inputs.description,
            "Keyless inference on one Azure OpenAI account for workloads federated with myIdentity.",
        );
    });

    it("annotates the ServiceAccount with the identity's CLIENT id and the tenant", () => {
        const serviceAccount = single(run.resources, "kubernetes:core/v1:ServiceAccount");
        assert.deepEqual(at(serviceAccount.inputs, "metadata.annotations"), {
            "azure.workload.identity/client-id": identity.state.clientId,
            "azure.workload.identity/tenant-id": TEST_TENANT_ID,
        });
    });

    it("runs ai-service keyless: the workload-identity label, Entra auth, the account's endpoint, no key variable", () => {
        const deployment = single(run.resources, "kubernetes:apps/v1:Deployment");
        assert.deepEqual(at(deployment.inputs, "spec.template.metadata.labels"), {
            app: "ai-service",
            "azure.workload.identity/use": "true",
        });
        const [container] = containersOf(deployment);
        assert.deepEqual(container.env, [
            { name: "USE_AZURE_OPENAI", value: "True" },
            { name: "USE_AZURE_AD", value: "True" },
            { name: "AZURE_OPENAI_DEPLOYMENT_NAME", value: "gpt-4o-mini" },
            { name: "AZURE_OPENAI_ENDPOINT", value: "https://myopenai.openai.azure.com/" },
            { name: "AZURE_OPENAI_API_VERSION", value: "2024-12-01-preview" },
        ]);
        assert.equal(container.envFrom, undefined);
    });

    it("leaves no credential variable in any container", () => {
        for (const container of containersOf(single(run.resources, "kubernetes:apps/v1:Deployment"))) {
            for (const variable of container.env ?? []) {
                assert.ok(!CREDENTIAL_ENV_NAMES.includes(variable.name), `${container.name} has ${variable.name}`);
            }
        }
    });

    it("pins the image, sets the configured resources and /health probes on port 5001", () => {
        const deployment = single(run.resources, "kubernetes:apps/v1:Deployment");
        const [container] = containersOf(deployment) as (Container & Record<string, unknown>)[];
        assert.equal(container.image, "ghcr.io/azure-samples/aks-store-demo/ai-service:2.2.0");
        assert.deepEqual(container.resources, {
            requests: { cpu: "20m", memory: "50Mi" },
            limits: { cpu: "50m", memory: "128Mi" },
        });
        for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
            assert.deepEqual(at(container, `${probe}.httpGet`), { path: "/health", port: 5001 }, probe);
        }
        assert.deepEqual(at(deployment.inputs, "spec.template.spec.nodeSelector"), { "kubernetes.io/os": "linux" });
        // The quickstart's container port, by the name it gives it: adoption rewrites the list to exactly this.
        assert.deepEqual(container.ports, [{ name: "http", containerPort: 5001 }]);
    });

    it("rolls the pods when the identity changes: the pod template carries a hash of the client id", () => {
        const deployment = single(run.resources, "kubernetes:apps/v1:Deployment");
        assert.equal(
            at(deployment.inputs, "spec.template.metadata.annotations")?.["aks-openai-wi/identity-hash" as never],
            identityHash(String(identity.state.clientId)),
        );
    });

    it("starts the pods only after the ServiceAccount, the credential, the role and the cluster feature update", () => {
        const deployment = single(run.resources, "kubernetes:apps/v1:Deployment");
        for (const type of [
            "kubernetes:core/v1:ServiceAccount",
            "azure-native:managedidentity:FederatedIdentityCredential",
            "azure-native:authorization:RoleAssignment",
            "pulumi-nodejs:dynamic/aks:WorkloadIdentityFeatures",
        ]) {
            assert.ok(
                deployment.dependencies.includes(urnOf(run.resources, type)),
                `Deployment does not wait for ${type}`,
            );
        }
    });

    it("adopts the quickstart's kubectl-created Deployment and Service by importing them", () => {
        const deployment = single(run.resources, "kubernetes:apps/v1:Deployment");
        assert.equal(deployment.importId, "default/ai-service");
        const service = single(run.resources, "kubernetes:core/v1:Service");
        assert.equal(service.importId, "default/ai-service");
        // The stack did not create them: `pulumi destroy` leaves them where kubectl put them.
        assert.deepEqual([deployment.retainOnDelete, service.retainOnDelete], [true, true]);
        // The quickstart's type, stated: an adopted Service's type is not left to the API server's default.
        assert.equal(at(service.inputs, "spec.type"), "ClusterIP");
        assert.deepEqual(at(service.inputs, "spec.ports"), [{ name: "http", port: 5001, targetPort: 5001 }]);
        assert.deepEqual(at(service.inputs, "spec.selector"), { app: "ai-service" });
        assert.equal(at(service.inputs, "metadata.name"), "ai-service");
    });

    it("forces server-side apply on the adopted Deployment, so it takes over the fields kubectl's apply owns", () => {
        // Without it, `pulumi up` on the adopted Deployment fails on a field-manager conflict with kubectl.
        const deployment = single(run.resources, "kubernetes:apps/v1:Deployment");
        assert.deepEqual(at(deployment.inputs, "metadata.annotations"), { "pulumi.com/patchForce": "true" });
    });

    it("keeps the quickstart Deployment's selector, app=ai-service: immutable once adopted, and never empty", () => {
        const deployment = single(run.resources, "kubernetes:apps/v1:Deployment");
        assert.deepEqual(at(deployment.inputs, "spec.selector"), { matchLabels: { app: "ai-service" } });
        assert.equal(at(deployment.inputs, "spec.template.metadata.labels.app"), "ai-service");
    });

    it("gives the Kubernetes provider a non-interactive kubeconfig and a stable cluster identifier", () => {
        const provider = single(run.resources, "pulumi:providers:kubernetes");
        assert.equal(provider.inputs.clusterIdentifier, "myResourceGroup/myAKSCluster");
        assert.equal(provider.inputs.upsertExistingObjects, "true");
        // Server-side apply: what makes patchForce take field ownership from kubectl on the adopted objects.
        assert.equal(provider.inputs.enableServerSideApply, "true");
        const kubeconfig = parse(String(provider.inputs.kubeconfig)) as {
            users: { user: { exec: { args: string[] } } }[];
        };
        assert.deepEqual(kubeconfig.users[0].user.exec.args.slice(0, 3), ["get-token", "--login", "azurecli"]);
        // A provider reference is `<provider urn>::<provider id>`.
        assert.ok(single(run.resources, "kubernetes:apps/v1:Deployment").provider.startsWith(`${provider.urn}::`));
    });

    it("exports the outputs contract with the values the wiring used", () => {
        assert.deepEqual(
            { ...run.outputs, kubeconfig: typeof run.outputs.kubeconfig },
            {
                outputsContractVersion: 1,
                oidcIssuerUrl: SEED_ISSUER,
                tenantId: TEST_TENANT_ID,
                identityName: "myIdentity",
                identityClientId: identity.state.clientId,
                identityPrincipalId: identity.state.principalId,
                identityResourceId: identity.id,
                roleAssignmentId: single(run.resources, "azure-native:authorization:RoleAssignment").id,
                openAiAccountId: ACCOUNT_ID,
                openAiEndpoint: "https://myopenai.openai.azure.com/",
                openAiDeploymentName: "gpt-4o-mini",
                serviceAccounts: [
                    {
                        namespace: "default",
                        name: "ai-service-account",
                        subject: "system:serviceaccount:default:ai-service-account",
                    },
                ],
                aiServiceUrl: "http://ai-service.default:5001/",
                smokeTestJobName: at(single(run.resources, "kubernetes:batch/v1:Job").inputs, "metadata.name"),
                clusterResourceId: `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/myResourceGroup/providers/Microsoft.ContainerService/managedClusters/myAKSCluster`,
                armEndpoint: "https://management.azure.com/",
                kubeconfig: "string",
            },
        );
    });

    it("exports the kubeconfig only as a secret", async () => {
        assert.equal(await isSecret(run.raw.kubeconfig), true);
    });

    it("only reads the existing OpenAI account: nothing registered can delete it", () => {
        assert.equal(ofType(run.resources, "azure-native:cognitiveservices:Account").length, 0);
        assert.equal(ofType(run.resources, "azure-native:cognitiveservices:Deployment").length, 0);
        assert.deepEqual(
            run.mocks.calls
                .filter((call) => call.token.startsWith("azure-native:cognitiveservices"))
                .map((call) => call.token),
            ["azure-native:cognitiveservices:getAccount", "azure-native:cognitiveservices:getDeployment"],
        );
    });
});

describe("a greenfield stack (managed cluster, managed account), as pulumi up runs it", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram({ config: GREENFIELD_CONFIG, stack: "greenfield" });
    });

    it("creates a cluster with the OIDC issuer and workload identity on, and the autoscaler owning the node count", () => {
        const cluster = single(run.resources, "azure-native:containerservice:ManagedCluster");
        assert.deepEqual(cluster.inputs.oidcIssuerProfile, { enabled: true });
        assert.deepEqual(cluster.inputs.securityProfile, { workloadIdentity: { enabled: true } });
        assert.deepEqual(cluster.inputs.identity, { type: "SystemAssigned" });
        assert.equal(cluster.inputs.resourceName, "aks-store");
        assert.equal(cluster.inputs.kubernetesVersion, "1.33");
        // Patch releases of the pinned minor version arrive on their own; a minor upgrade stays a config change.
        assert.deepEqual(cluster.inputs.autoUpgradeProfile, { upgradeChannel: "patch" });
        assert.deepEqual(at(cluster.inputs, "agentPoolProfiles.0"), {
            name: "system",
            mode: "System",
            osType: "Linux",
            type: "VirtualMachineScaleSets",
            vmSize: "Standard_D2s_v5",
            count: 2,
            enableAutoScaling: true,
            minCount: 2,
            maxCount: 4,
        });
        assert.deepEqual(cluster.ignoreChanges, [
            "agentPoolProfiles[0].count",
            "agentPoolProfiles[0].orchestratorVersion",
        ]);
    });

    it("federates the credential with the new cluster's issuer URL", () => {
        const cluster = single(run.resources, "azure-native:containerservice:ManagedCluster");
        const credential = single(run.resources, "azure-native:managedidentity:FederatedIdentityCredential");
        assert.equal(credential.inputs.issuer, at(cluster.state, "oidcIssuerProfile.issuerURL"));
        assert.match(String(credential.inputs.issuer), /^https:\/\/swedencentral\.oic\.prod-aks\.azure\.com\/.+\/$/);
        assert.equal(credential.inputs.subject, "system:serviceaccount:pets:ai-service-account");
    });

    it("creates a keyless account with a custom subdomain and a pinned, never auto-upgraded model", () => {
        const account = single(run.resources, "azure-native:cognitiveservices:Account");
        assert.equal(account.inputs.kind, "OpenAI");
        // The SKU Azure OpenAI accounts are created with (az cognitiveservices account create --kind OpenAI --sku S0).
        assert.deepEqual(account.inputs.sku, { name: "S0" });
        assert.deepEqual(account.inputs.properties, {
            customSubDomainName: "store-openai-7f3a",
            disableLocalAuth: true,
            publicNetworkAccess: "Enabled",
        });
        const deployment = single(run.resources, "azure-native:cognitiveservices:Deployment");
        assert.deepEqual(deployment.inputs.sku, { name: "GlobalStandard", capacity: 20 });
        assert.deepEqual(deployment.inputs.properties, {
            model: { format: "OpenAI", name: "gpt-4o-mini", version: "2024-07-18" },
            versionUpgradeOption: "NoAutoUpgrade",
        });
        assert.equal(deployment.inputs.deploymentName, "gpt-4o-mini");
    });

    it("scopes the role to the new account's id and points the app at its endpoint", () => {
        const account = single(run.resources, "azure-native:cognitiveservices:Account");
        const role = single(run.resources, "azure-native:authorization:RoleAssignment");
        assert.equal(role.inputs.scope, account.id);
        const [container] = containersOf(single(run.resources, "kubernetes:apps/v1:Deployment"));
        assert.deepEqual(
            container.env?.find((variable) => variable.name === "AZURE_OPENAI_ENDPOINT"),
            { name: "AZURE_OPENAI_ENDPOINT", value: "https://store-openai-7f3a.openai.azure.com/" },
        );
        assert.equal(at(account.state, "properties.endpoint"), "https://store-openai-7f3a.openai.azure.com/");
    });

    it("creates the namespace before the ServiceAccount in it, and creates (not imports) ai-service", () => {
        const namespace = single(run.resources, "kubernetes:core/v1:Namespace");
        assert.equal(at(namespace.inputs, "metadata.name"), "pets");
        assert.ok(single(run.resources, "kubernetes:core/v1:ServiceAccount").dependencies.includes(namespace.urn));
        assert.equal(single(run.resources, "kubernetes:apps/v1:Deployment").importId, "");
        assert.equal(single(run.resources, "kubernetes:core/v1:Service").importId, "");
    });

    it("waits for the new cluster before starting pods, and identifies it stably to the Kubernetes provider", () => {
        const deployment = single(run.resources, "kubernetes:apps/v1:Deployment");
        assert.ok(
            deployment.dependencies.includes(urnOf(run.resources, "azure-native:containerservice:ManagedCluster")),
        );
        assert.equal(
            single(run.resources, "pulumi:providers:kubernetes").inputs.clusterIdentifier,
            "rg-store-greenfield/aks-store",
        );
    });

    it("reads nothing it does not own", () => {
        const reads = run.mocks.calls.map((call) => call.token);
        assert.ok(!reads.includes("azure-native:cognitiveservices:getAccount"));
        assert.ok(!reads.includes("azure-native:containerservice:getManagedCluster"));
    });
});
