import * as authorization from "@pulumi/azure-native/authorization";
import * as pulumi from "@pulumi/pulumi";

import { AiService } from "./components/aiService";
import type { ClusterConnection } from "./components/clusterConnection";
import { clusterAccessWarnings, loadSettings, type Settings } from "./components/config";
import { OUTPUTS_CONTRACT_VERSION, PRODUCT_SERVICE_LABELS, SMOKE_TEST_LABELS } from "./components/constants";
import { discoverExisting, type Discovery } from "./components/discovery";
import { ExistingAksCluster } from "./components/existingCluster";
import { kubernetesProviderFor } from "./components/kubernetesProvider";
import { ManagedAksCluster } from "./components/managedCluster";
import { managedClusterId } from "./components/naming";
import { ManagedOpenAiAccount } from "./components/managedOpenAiAccount";
import { auditDiagnosticSettingName, OpenAiAuditLog } from "./components/openAiAuditLog";
import type { OpenAiTarget } from "./components/openAiTarget";
import { privateEndpointFor, stackNetworkFor, type StackNetwork } from "./components/privateNetworking";
import { SmokeTest } from "./components/smokeTest";
import { WorkloadIdentity } from "./components/workloadIdentity";

/**
 * ai-service on AKS calling Azure OpenAI with a token from its own managed identity (Microsoft Entra Workload ID):
 * no API key anywhere, one role on one account. Values flow from their sources: the cluster's issuer URL into the
 * federated credential, the identity's client id into the ServiceAccount, its principal id into the role assignment,
 * the account's endpoint into the Deployment.
 */
export = async () => {
    // Everything that can be wrong is checked before the first resource is registered.
    const settings = loadSettings();
    const client = await authorization.getClientConfig();
    const existing = await discoverExisting(settings, client.subscriptionId);

    const stackNetwork = stackNetworkFor(settings, client.subscriptionId);
    const cluster = clusterFor(settings, existing, client.subscriptionId, client.tenantId, stackNetwork);
    const openai = openAiFor(settings, existing);
    const privateEndpoint = privateEndpointFor(settings, openai, stackNetwork);
    const kubernetes = kubernetesProviderFor("aks", cluster);

    const { aiService: app } = settings;
    const workload = new WorkloadIdentity(
        "workload",
        {
            resourceGroupName: settings.resourceGroupName,
            location: settings.location,
            identityName: settings.identityName,
            subscriptionId: client.subscriptionId,
            tenantId: client.tenantId,
            openAiAccountId: openai.accountId,
            oidcIssuerUrl: cluster.oidcIssuerUrl,
            serviceAccounts: [app.serviceAccount, ...settings.additionalServiceAccounts],
            namespacesToCreate: app.createNamespace ? [app.serviceAccount.namespace] : [],
        },
        { providers: { kubernetes } },
    );
    const [appAccount] = workload.serviceAccounts;

    const aiService = new AiService(
        "ai-service",
        {
            namespace: app.serviceAccount.namespace,
            serviceAccountName: appAccount.name,
            identityClientId: workload.clientId,
            image: app.image,
            replicas: app.replicas,
            resources: app.resources,
            openAiEndpoint: openai.endpoint,
            openAiDeploymentName: openai.deploymentName,
            openAiApiVersion: settings.openai.apiVersion,
            adoptExisting: app.adoptExisting,
            runAsUser: app.runAsUser,
            networkPolicy: app.networkPolicy.enabled ? { allowedPeers: aiServiceCallers(settings) } : undefined,
            // Pods must not start before they can get a token and use it.
            startAfter: [
                appAccount.serviceAccount,
                appAccount.credential,
                workload.roleAssignment,
                ...cluster.workloadIdentityReady,
                // In private mode the account answers only through the endpoint, once its name resolves to it.
                ...(privateEndpoint ? [privateEndpoint.zoneGroup, privateEndpoint.zoneLink] : []),
            ],
        },
        { providers: { kubernetes } },
    );

    // `pulumi up` proves the identity works end to end: one description request through ai-service, awaited.
    const smokeTest = settings.smokeTest.enabled
        ? new SmokeTest(
              "smoke-test",
              {
                  namespace: app.serviceAccount.namespace,
                  aiServiceUrl: aiService.url,
                  identityClientId: workload.clientId,
                  oidcIssuerUrl: cluster.oidcIssuerUrl,
                  serviceAccountSubject: appAccount.subject,
                  openAiEndpoint: openai.endpoint,
                  openAiDeploymentName: openai.deploymentName,
                  openAiApiVersion: settings.openai.apiVersion,
                  aiServiceImage: app.image,
                  image: settings.smokeTest.image,
                  retryForSeconds: settings.smokeTest.retryForSeconds,
                  startAfter: [
                      aiService.deployment,
                      aiService.service,
                      ...(aiService.networkPolicy ? [aiService.networkPolicy] : []),
                  ],
              },
              { providers: { kubernetes } },
          )
        : undefined;

    // A record of every call to the account and who made it (docs/audit.md).
    const audit = settings.audit.enabled
        ? new OpenAiAuditLog("audit", {
              openAiAccountId: openai.accountId,
              diagnosticSettingName: auditDiagnosticSettingName(settings.project, settings.stack),
              workspace: settings.audit.workspace,
              resourceGroupName: settings.resourceGroupName,
              location: settings.location,
              protect: settings.protect,
          })
        : undefined;

    // The outputs contract (docs/outputs.md "Outputs contract v1"): other stacks read these by name.
    return {
        outputsContractVersion: OUTPUTS_CONTRACT_VERSION,
        oidcIssuerUrl: cluster.oidcIssuerUrl,
        tenantId: workload.tenantId,
        identityName: workload.identity.name,
        identityClientId: workload.clientId,
        identityPrincipalId: workload.principalId,
        identityResourceId: workload.identity.id,
        roleAssignmentId: workload.roleAssignment.id,
        openAiAccountId: openai.accountId,
        openAiEndpoint: openai.endpoint,
        openAiDeploymentName: openai.deploymentName,
        serviceAccounts: workload.serviceAccounts.map((sa) => ({
            namespace: sa.namespace,
            name: sa.name,
            subject: sa.subject,
        })),
        aiServiceUrl: aiService.url,
        ...(smokeTest ? { smokeTestJobName: smokeTest.jobName } : {}),
        ...(audit ? { auditWorkspaceId: audit.workspaceId } : {}),
        ...(audit?.workspaceCustomerId ? { auditWorkspaceCustomerId: audit.workspaceCustomerId } : {}),
        // For `npm run verify`: where to read the cluster's current issuer (absent when another stack owns the cluster).
        ...clusterResourceIdFor(settings, client.subscriptionId),
        armEndpoint: settings.armEndpoint,
        kubeconfig: pulumi.secret(cluster.kubeconfig),
    };
};

/** Pods the NetworkPolicy admits to ai-service: the store's product-service, and the smoke test when it runs. */
function aiServiceCallers(settings: Settings) {
    return [
        { podLabels: PRODUCT_SERVICE_LABELS },
        ...(settings.smokeTest.enabled ? [{ podLabels: SMOKE_TEST_LABELS }] : []),
    ];
}

function clusterResourceIdFor(settings: Settings, subscriptionId: string): { clusterResourceId?: string } {
    const { cluster } = settings;
    return cluster.mode === "stack"
        ? {}
        : { clusterResourceId: managedClusterId(subscriptionId, settings.resourceGroupName, cluster.name) };
}

function clusterFor(
    settings: Settings,
    existing: Discovery,
    subscriptionId: string,
    tenantId: string,
    stackNetwork: StackNetwork | undefined,
): ClusterConnection {
    const { cluster } = settings;
    switch (cluster.mode) {
        case "existing":
            return new ExistingAksCluster("cluster", {
                subscriptionId,
                resourceGroupName: settings.resourceGroupName,
                clusterName: cluster.name,
                armEndpoint: settings.armEndpoint,
                kubeloginMode: cluster.kubeloginMode,
            });
        case "managed":
            clusterAccessWarnings(cluster, settings.stack).forEach((warning) => pulumi.log.warn(warning));
            return new ManagedAksCluster("cluster", {
                resourceGroupName: settings.resourceGroupName,
                location: settings.location,
                clusterName: cluster.name,
                kubernetesVersion: cluster.kubernetesVersion,
                nodeCount: cluster.nodeCount,
                nodeVmSize: cluster.nodeVmSize,
                kubeloginMode: cluster.kubeloginMode,
                tenantId,
                localAccounts: cluster.localAccounts,
                adminGroupObjectIds: cluster.adminGroupObjectIds,
                armEndpoint: settings.armEndpoint,
                protect: settings.protect,
                network: stackNetwork?.cluster,
            });
        case "stack":
            if (existing.stackCluster === undefined) {
                throw new Error(
                    "cluster.mode is stack but the referenced stack was not read; this is a bug in discovery.ts",
                );
            }
            return existing.stackCluster;
    }
}

function openAiFor(settings: Settings, existing: Discovery): OpenAiTarget {
    const { openai } = settings;
    if (openai.mode === "existing") {
        if (existing.existingOpenAi === undefined) {
            throw new Error("openai.mode is existing but the account was not read; this is a bug in discovery.ts");
        }
        return existing.existingOpenAi;
    }
    return new ManagedOpenAiAccount("openai", {
        resourceGroupName: settings.resourceGroupName,
        location: settings.location,
        accountName: openai.accountName,
        customSubDomainName: openai.customSubDomainName,
        disableLocalAuth: openai.disableLocalAuth,
        deploymentName: openai.deploymentName,
        model: openai.model,
        sku: openai.sku,
        protect: settings.protect,
        network: settings.network,
    });
}
