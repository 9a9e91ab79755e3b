import { randomUUID } from "node:crypto";

import type { StandinResponse } from "./standinHttp";
import { aksIssuerUrl, mockGuid } from "./world";

/**
 * ARM's shapes for the ARM stand-in (armStandin.ts): resource bodies as ARM returns them, its error answers, and which
 * managed-cluster fields ARM computes (so a test can tell a client's PUT body from what it read).
 */

export type JsonObject = Record<string, unknown>;

/** An ARM resource as ARM returns it (the JSON body). */
export interface ArmResource extends JsonObject {
    id: string;
    name: string;
    type: string;
    properties: JsonObject;
}

export function armError(
    status: number,
    code: string,
    message: string,
    headers?: Readonly<Record<string, string>>,
): StandinResponse {
    return { status, body: { error: { code, message } }, headers };
}

/** Error answers as ARM gives them, for `fail`. */
export const armErrors = {
    notFound: (type: string, name: string, resourceGroupName: string) =>
        armError(
            404,
            "ResourceNotFound",
            `The Resource '${type}/${name}' under resource group '${resourceGroupName}' was not found. ` +
                `For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
        ),
    forbidden: (objectId: string, action: string, scope: string) =>
        armError(
            403,
            "AuthorizationFailed",
            `The client '${objectId}' with object id '${objectId}' does not have authorization to perform action '${action}' ` +
                `over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
        ),
    operationInProgress: (clusterName: string, provisioningState: string) =>
        armError(
            409,
            "OperationNotAllowed",
            `Operation is not allowed because there's an in progress operation on managed cluster '${clusterName}' ` +
                `(provisioningState ${provisioningState}). Please wait for it to complete.`,
        ),
    throttled: (retryAfterSeconds: number) =>
        armError(
            429,
            "TooManyRequests",
            "The request is being throttled as the limit has been reached for operation type - Write_ObservationWindow_00:05:00. " +
                "For more information, see - https://aka.ms/srpthrottlinglimits",
            { "retry-after": String(retryAfterSeconds) },
        ),
};

export interface DeploymentSeed {
    readonly name: string;
    readonly model?: string;
    readonly version?: string;
    readonly sku?: string;
    readonly capacity?: number;
}

/**
 * Fields ARM computes (readOnly in the AKS API): a PUT body cannot set them, so the stand-in keeps the current values
 * and a client's PUT body is compared with `writableView` of the GET.
 */
const READ_ONLY_PROPERTIES = [
    "provisioningState",
    "powerState",
    "maxAgentPools",
    "currentKubernetesVersion",
    "fqdn",
    "privateFQDN",
    "azurePortalFQDN",
    "resourceUID",
] as const;
const READ_ONLY_AGENT_POOL_PROPERTIES = ["eTag", "provisioningState", "currentOrchestratorVersion"] as const;

/** A managed cluster as a client may PUT it: the GET body without the fields ARM computes. */
export function writableView(cluster: ArmResource): JsonObject {
    const copy = structuredClone(cluster) as JsonObject;
    for (const key of ["id", "name", "type", "eTag", "systemData"]) {
        delete copy[key];
    }
    const identity = copy.identity as JsonObject | undefined;
    if (identity !== undefined) {
        delete identity.principalId;
        delete identity.tenantId;
    }
    const properties = copy.properties as JsonObject;
    for (const key of READ_ONLY_PROPERTIES) {
        delete properties[key];
    }
    const issuer = properties.oidcIssuerProfile as JsonObject | undefined;
    if (issuer !== undefined) {
        delete issuer.issuerURL;
    }
    const loadBalancer = (properties.networkProfile as JsonObject | undefined)?.loadBalancerProfile as
        JsonObject | undefined;
    if (loadBalancer !== undefined) {
        delete loadBalancer.effectiveOutboundIPs;
    }
    for (const addon of Object.values((properties.addonProfiles ?? {}) as Record<string, JsonObject>)) {
        delete addon.identity;
    }
    for (const pool of (properties.agentPoolProfiles ?? []) as JsonObject[]) {
        for (const key of READ_ONLY_AGENT_POOL_PROPERTIES) {
            delete pool[key];
        }
    }
    return copy;
}

/** Carries what ARM computes from the current cluster into the one a PUT wrote. */
export function copyReadOnly(from: ArmResource, to: ArmResource): void {
    if (from.systemData !== undefined) {
        to.systemData = structuredClone(from.systemData);
    }
    const fromIdentity = from.identity as JsonObject | undefined;
    const toIdentity = to.identity as JsonObject | undefined;
    if (fromIdentity !== undefined && toIdentity !== undefined && toIdentity.type === fromIdentity.type) {
        toIdentity.principalId = fromIdentity.principalId;
        toIdentity.tenantId = fromIdentity.tenantId;
    }
    const fromProperties = from.properties as JsonObject;
    const toProperties = to.properties as JsonObject;
    for (const key of READ_ONLY_PROPERTIES) {
        if (fromProperties[key] !== undefined) {
            toProperties[key] = structuredClone(fromProperties[key]);
        }
    }
    const fromIssuer = fromProperties.oidcIssuerProfile as JsonObject | undefined;
    const toIssuer = toProperties.oidcIssuerProfile as JsonObject | undefined;
    if (fromIssuer?.issuerURL !== undefined && toIssuer !== undefined) {
        toIssuer.issuerURL = fromIssuer.issuerURL;
    }
    const fromLoadBalancer = (fromProperties.networkProfile as JsonObject | undefined)?.loadBalancerProfile as
        JsonObject | undefined;
    const toLoadBalancer = (toProperties.networkProfile as JsonObject | undefined)?.loadBalancerProfile as
        JsonObject | undefined;
    if (fromLoadBalancer?.effectiveOutboundIPs !== undefined && toLoadBalancer !== undefined) {
        toLoadBalancer.effectiveOutboundIPs = structuredClone(fromLoadBalancer.effectiveOutboundIPs);
    }
    const fromAddons = (fromProperties.addonProfiles ?? {}) as Record<string, JsonObject>;
    for (const [name, addon] of Object.entries((toProperties.addonProfiles ?? {}) as Record<string, JsonObject>)) {
        if (fromAddons[name]?.identity !== undefined) {
            addon.identity = structuredClone(fromAddons[name].identity);
        }
    }
    const fromPools = (fromProperties.agentPoolProfiles ?? []) as JsonObject[];
    for (const pool of (toProperties.agentPoolProfiles ?? []) as JsonObject[]) {
        const before = fromPools.find((candidate) => candidate.name === pool.name);
        for (const key of READ_ONLY_AGENT_POOL_PROPERTIES) {
            if (before?.[key] !== undefined) {
                pool[key] = before[key];
            }
        }
    }
}

/** A cluster as `az aks create` (the aks-store-demo quickstart) leaves it, in the shape ARM returns at 2026-04-01. */
export function quickstartCluster(args: {
    readonly id: string;
    readonly subscriptionId: string;
    readonly resourceGroupName: string;
    readonly name: string;
    readonly location: string;
    readonly tenantId: string;
    readonly oidcIssuerEnabled: boolean;
    readonly workloadIdentityEnabled: boolean;
    readonly issuerUrl?: string;
    readonly entraEnabled?: boolean;
}): ArmResource {
    const { subscriptionId, resourceGroupName, name, location, tenantId } = args;
    const nodeResourceGroup = `MC_${resourceGroupName}_${name}_${location}`;
    const dnsPrefix = `${name.slice(0, 10)}-${resourceGroupName.slice(0, 16)}-${subscriptionId.slice(0, 6)}`;
    const fqdnHost = `${dnsPrefix.toLowerCase()}-${mockGuid("fqdn", name).slice(0, 8)}`;
    const kubeletIdentity = `/subscriptions/${subscriptionId}/resourcegroups/${nodeResourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}-agentpool`;
    return {
        id: args.id,
        location,
        name,
        type: "Microsoft.ContainerService/ManagedClusters",
        eTag: randomUUID(),
        sku: { name: "Base", tier: "Free" },
        kind: "Base",
        identity: { type: "SystemAssigned", principalId: mockGuid("cluster-identity", name), tenantId },
        properties: {
            provisioningState: "Succeeded",
            powerState: { code: "Running" },
            kubernetesVersion: "1.32",
            currentKubernetesVersion: "1.32.7",
            dnsPrefix,
            fqdn: `${fqdnHost}.hcp.${location}.azmk8s.io`,
            azurePortalFQDN: `${fqdnHost}.portal.hcp.${location}.azmk8s.io`,
            agentPoolProfiles: [
                {
                    name: "nodepool1",
                    count: 1,
                    vmSize: "Standard_DS2_v2",
                    osDiskSizeGB: 128,
                    osDiskType: "Managed",
                    kubeletDiskType: "OS",
                    maxPods: 250,
                    type: "VirtualMachineScaleSets",
                    enableAutoScaling: false,
                    scaleDownMode: "Delete",
                    provisioningState: "Succeeded",
                    powerState: { code: "Running" },
                    orchestratorVersion: "1.32",
                    currentOrchestratorVersion: "1.32.7",
                    enableNodePublicIP: false,
                    mode: "System",
                    enableEncryptionAtHost: false,
                    enableUltraSSD: false,
                    osType: "Linux",
                    osSKU: "Ubuntu",
                    nodeImageVersion: "AKSUbuntu-2204gen2containerd-202507.21.0",
                    upgradeSettings: { maxSurge: "10%", maxUnavailable: "0" },
                    enableFIPS: false,
                    securityProfile: { enableVTPM: false, enableSecureBoot: false },
                    eTag: randomUUID(),
                },
            ],
            linuxProfile: {
                adminUsername: "azureuser",
                ssh: {
                    publicKeys: [{ keyData: "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7test azureuser@quickstart\n" }],
                },
            },
            windowsProfile: { adminUsername: "azureuser", enableCSIProxy: true },
            servicePrincipalProfile: { clientId: "msi" },
            addonProfiles: {
                azureKeyvaultSecretsProvider: { enabled: false },
                azurepolicy: { enabled: false },
            },
            nodeResourceGroup,
            enableRBAC: true,
            supportPlan: "KubernetesOfficial",
            networkProfile: {
                networkPlugin: "azure",
                networkPluginMode: "overlay",
                networkPolicy: "none",
                networkDataplane: "azure",
                loadBalancerSku: "standard",
                loadBalancerProfile: {
                    managedOutboundIPs: { count: 1 },
                    effectiveOutboundIPs: [
                        {
                            id: `/subscriptions/${subscriptionId}/resourceGroups/${nodeResourceGroup}/providers/Microsoft.Network/publicIPAddresses/${mockGuid("outbound-ip", name)}`,
                        },
                    ],
                    backendPoolType: "nodeIPConfiguration",
                },
                podCidr: "10.244.0.0/16",
                serviceCidr: "10.0.0.0/16",
                dnsServiceIP: "10.0.0.10",
                outboundType: "loadBalancer",
                podCidrs: ["10.244.0.0/16"],
                serviceCidrs: ["10.0.0.0/16"],
                ipFamilies: ["IPv4"],
            },
            ...(args.entraEnabled === false
                ? {}
                : { aadProfile: { managed: true, enableAzureRBAC: false, tenantID: tenantId } }),
            maxAgentPools: 100,
            identityProfile: {
                kubeletidentity: {
                    resourceId: kubeletIdentity,
                    clientId: mockGuid("kubelet-client", name),
                    objectId: mockGuid("kubelet-object", name),
                },
            },
            autoUpgradeProfile: { nodeOSUpgradeChannel: "NodeImage" },
            disableLocalAccounts: false,
            securityProfile: args.workloadIdentityEnabled ? { workloadIdentity: { enabled: true } } : {},
            storageProfile: {
                diskCSIDriver: { enabled: true },
                fileCSIDriver: { enabled: true },
                snapshotController: { enabled: true },
            },
            oidcIssuerProfile: args.oidcIssuerEnabled
                ? { enabled: true, issuerURL: args.issuerUrl ?? aksIssuerUrl(location, name, tenantId) }
                : { enabled: false },
            workloadAutoScalerProfile: {},
            resourceUID: mockGuid("resource-uid", name).replace(/-/g, "").slice(0, 24),
            metricsProfile: { costAnalysis: { enabled: false } },
            nodeProvisioningProfile: { mode: "Manual", defaultNodePools: "Auto" },
            bootstrapProfile: { artifactSource: "Direct" },
        },
    };
}

export function deploymentResource(accountId: string, seed: DeploymentSeed): ArmResource {
    const capacity = seed.capacity ?? 10;
    return {
        id: `${accountId}/deployments/${seed.name}`,
        type: "Microsoft.CognitiveServices/accounts/deployments",
        name: seed.name,
        sku: { name: seed.sku ?? "GlobalStandard", capacity },
        properties: {
            model: { format: "OpenAI", name: seed.model ?? seed.name, version: seed.version ?? "2024-07-18" },
            versionUpgradeOption: "OnceNewDefaultVersionAvailable",
            currentCapacity: capacity,
            capabilities: { chatCompletion: "true" },
            provisioningState: "Succeeded",
            rateLimits: [
                { key: "request", renewalPeriod: 10, count: capacity },
                { key: "token", renewalPeriod: 60, count: capacity * 1000 },
            ],
        },
        etag: `"${mockGuid("deployment-etag", accountId, seed.name)}"`,
    };
}
