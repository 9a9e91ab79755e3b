/**
 * The resource types this stand-in implements: exactly the ones the program registers (index.ts, components/; grep
 * `new (containerservice|managedidentity|authorization|cognitiveservices)\.`), plus the FederatedIdentityCredential
 * that examples/consumer registers. Each entry is the ARM resource azure-native 3.28 drives for the type, and its
 * REPLACE TABLE: which input changes replace the resource instead of updating it in place.
 *
 * How azure-native decides (provider/pkg/provider/diff.go, `calculateDetailedDiff`, pulumi/pulumi-azure-native):
 * - every PATH parameter of the PUT forces a replacement (the resource id changes);
 * - a body property forces a replacement when its metadata says ForceNew: the OpenAPI spec marks it
 *   `x-ms-mutability: ["create", "read"]` (no "update"), or azure-native's own `forceNewMap`
 *   (provider/pkg/gen/replacement.go) lists it. Create-only properties of NESTED types do not replace the resource
 *   (provider/pkg/gen/properties.go, `forceNew`: "a non-updatable property at a subtype level ... does not mandate the
 *   replacement of the whole resource"), except those `forceNewMap` lists;
 * - everything else updates in place (a PUT of the full new inputs), whether or not Azure accepts that update.
 * - Any replacement is delete-before-replace: `deleteBeforeReplace := len(replaces) > 0` (provider.go, `Diff`),
 *   because a replacement keeps the same ARM id and two resources cannot hold one id.
 *
 * API versions are the ones the installed SDK names ("Uses Azure REST API version ..." in
 * node_modules/@pulumi/azure-native/<module>/<resource>.d.ts, 3.28.0).
 */

export interface ResourceType {
    readonly token: string;
    readonly apiVersion: string;
    /** The ARM id template; `{name}` placeholders are SDK input names (the PUT's path parameters). */
    readonly idTemplate: string;
    /** SDK input names taken from the path, in template order. */
    readonly pathParams: readonly string[];
    /** Every other SDK input (the `XArgs` interface of the SDK, minus path parameters). */
    readonly bodyInputs: readonly string[];
    /**
     * True when ARM's `properties` object is flattened into the SDK shape (`x-ms-client-flatten`): inputs other than
     * `topLevel` go under `properties` in the body, and `properties.*` of a response become top-level outputs.
     */
    readonly flatten: boolean;
    /** With `flatten`: body inputs that stay at the top level of the ARM body. */
    readonly topLevel: readonly string[];
    /** Output-only properties (SDK shape): unknown in a preview, never copied into inputs. `a.b` nests, `a[].b` in arrays. */
    readonly outputOnly: readonly string[];
    /** Inputs whose change replaces the resource (SDK names, azure-native's replace keys), each with its source. */
    readonly replaces: Readonly<Record<string, string>>;
}

const TRACKED_LOCATION =
    "x-ms-mutability [read, create] on `location` (common-types TrackedResource; ARM RPC: location cannot change)";
const PATH = "path parameter of the PUT";

export const RESOURCE_TYPES: readonly ResourceType[] = [
    {
        token: "azure-native:managedidentity:UserAssignedIdentity",
        apiVersion: "2023-01-31",
        idTemplate:
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}",
        pathParams: ["resourceGroupName", "resourceName"],
        bodyInputs: ["location", "tags"],
        flatten: true,
        topLevel: ["location", "tags"],
        outputOnly: ["name", "type", "systemData", "clientId", "principalId", "tenantId", "azureApiVersion"],
        replaces: { resourceGroupName: PATH, resourceName: PATH, location: TRACKED_LOCATION },
    },
    {
        token: "azure-native:managedidentity:FederatedIdentityCredential",
        apiVersion: "2023-01-31",
        idTemplate:
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}/federatedIdentityCredentials/{federatedIdentityCredentialResourceName}",
        pathParams: ["resourceGroupName", "resourceName", "federatedIdentityCredentialResourceName"],
        // issuer, subject and audiences carry no x-ms-mutability (managedidentity 2023-01-31): a PUT updates them.
        bodyInputs: ["audiences", "issuer", "subject"],
        flatten: true,
        topLevel: [],
        outputOnly: ["name", "type", "systemData", "azureApiVersion"],
        replaces: { resourceGroupName: PATH, resourceName: PATH, federatedIdentityCredentialResourceName: PATH },
    },
    {
        token: "azure-native:authorization:RoleAssignment",
        apiVersion: "2022-04-01",
        idTemplate: "{scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}",
        pathParams: ["scope", "roleAssignmentName"],
        bodyInputs: [
            "condition",
            "conditionVersion",
            "delegatedManagedIdentityResourceId",
            "description",
            "principalId",
            "principalType",
            "roleDefinitionId",
        ],
        flatten: true,
        topLevel: [],
        outputOnly: [
            "name",
            "type",
            "systemData",
            "createdBy",
            "createdOn",
            "updatedBy",
            "updatedOn",
            "azureApiVersion",
        ],
        replaces: {
            scope: `${PATH}; also forceNewMap Authorization/RoleAssignment`,
            roleAssignmentName: PATH,
            // ARM refuses the update: RoleAssignmentUpdateNotPermitted.
            principalId: "forceNewMap Authorization/RoleAssignment (provider/pkg/gen/replacement.go)",
        },
    },
    {
        token: "azure-native:containerservice:ManagedCluster",
        apiVersion: "2025-09-01",
        idTemplate:
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/{resourceName}",
        pathParams: ["resourceGroupName", "resourceName"],
        bodyInputs: [
            "aadProfile",
            "addonProfiles",
            "agentPoolProfiles",
            "aiToolchainOperatorProfile",
            "apiServerAccessProfile",
            "autoScalerProfile",
            "autoUpgradeProfile",
            "azureMonitorProfile",
            "bootstrapProfile",
            "disableLocalAccounts",
            "diskEncryptionSetID",
            "dnsPrefix",
            "enableRBAC",
            "extendedLocation",
            "fqdnSubdomain",
            "httpProxyConfig",
            "identity",
            "identityProfile",
            "ingressProfile",
            "kind",
            "kubernetesVersion",
            "linuxProfile",
            "location",
            "metricsProfile",
            "networkProfile",
            "nodeProvisioningProfile",
            "nodeResourceGroup",
            "nodeResourceGroupProfile",
            "oidcIssuerProfile",
            "podIdentityProfile",
            "privateLinkResources",
            "publicNetworkAccess",
            "securityProfile",
            "serviceMeshProfile",
            "servicePrincipalProfile",
            "sku",
            "storageProfile",
            "supportPlan",
            "tags",
            "upgradeSettings",
            "windowsProfile",
            "workloadAutoScalerProfile",
        ],
        flatten: true,
        topLevel: ["extendedLocation", "identity", "kind", "location", "sku", "tags"],
        outputOnly: [
            "name",
            "type",
            "systemData",
            "eTag",
            "azurePortalFQDN",
            "currentKubernetesVersion",
            "fqdn",
            "maxAgentPools",
            "powerState",
            "privateFQDN",
            "provisioningState",
            "resourceUID",
            "status",
            "azureApiVersion",
            "identity.principalId",
            "identity.tenantId",
            "oidcIssuerProfile.issuerURL",
            "agentPoolProfiles[].currentOrchestratorVersion",
            "agentPoolProfiles[].eTag",
            "agentPoolProfiles[].nodeImageVersion",
            "agentPoolProfiles[].powerState",
            "agentPoolProfiles[].provisioningState",
        ],
        // The forceNewMap entry for ContainerService/ManagedCluster as of the 2025-10-01 generation test snapshot
        // (provider/pkg/gen/__snapshots__/gen_managedcluster_test.snap: willReplaceOnChanges); networkProfile as a
        // whole was later narrowed to some of its members (pulumi-azure-native#4756), after 3.28.
        replaces: {
            resourceGroupName: PATH,
            resourceName: PATH,
            location: "forceNewMap ContainerService/ManagedCluster",
            dnsPrefix: "forceNewMap ContainerService/ManagedCluster (AKS: cannot be updated once created)",
            diskEncryptionSetID: "forceNewMap ContainerService/ManagedCluster",
            fqdnSubdomain: "forceNewMap ContainerService/ManagedCluster",
            linuxProfile: "forceNewMap ContainerService/ManagedCluster",
            networkProfile: "forceNewMap ContainerService/ManagedCluster (whole object before #4756)",
            nodeResourceGroup: "forceNewMap ContainerService/ManagedCluster",
            windowsProfile: "forceNewMap ContainerService/ManagedCluster",
        },
    },
    {
        token: "azure-native:cognitiveservices:Account",
        apiVersion: "2025-06-01",
        idTemplate:
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.CognitiveServices/accounts/{accountName}",
        pathParams: ["resourceGroupName", "accountName"],
        bodyInputs: ["identity", "kind", "location", "properties", "sku", "tags"],
        // `properties` carries no x-ms-client-flatten in cognitiveservices 2025-06-01: it stays an object.
        flatten: false,
        topLevel: [],
        outputOnly: [
            "name",
            "type",
            "systemData",
            "etag",
            "azureApiVersion",
            "identity.principalId",
            "identity.tenantId",
            "properties.provisioningState",
            "properties.endpoint",
            "properties.endpoints",
            "properties.internalId",
            "properties.capabilities",
            "properties.isMigrated",
            "properties.skuChangeInfo",
            "properties.privateEndpointConnections",
            "properties.dateCreated",
            "properties.callRateLimit",
            "properties.quotaLimit",
            "properties.deletionDate",
            "properties.scheduledPurgeDate",
            "properties.commitmentPlanAssociations",
            "properties.abusePenalty",
        ],
        // cognitiveservices.json 2025-06-01, definitions.Account: location has x-ms-mutability [read, create]; kind,
        // sku, tags and every AccountProperties member (customSubDomainName included) have none, so azure-native
        // updates them in place. Azure itself refuses a changed customSubDomainName; the stand-in ARM does not model that.
        replaces: {
            resourceGroupName: PATH,
            accountName: PATH,
            location:
                "x-ms-mutability [read, create] (cognitiveservices.json 2025-06-01, definitions.Account.location)",
        },
    },
    {
        token: "azure-native:cognitiveservices:Deployment",
        apiVersion: "2025-06-01",
        idTemplate:
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.CognitiveServices/accounts/{accountName}/deployments/{deploymentName}",
        pathParams: ["resourceGroupName", "accountName", "deploymentName"],
        bodyInputs: ["properties", "sku", "tags"],
        flatten: false,
        topLevel: [],
        outputOnly: [
            "name",
            "type",
            "systemData",
            "etag",
            "azureApiVersion",
            "properties.provisioningState",
            "properties.capabilities",
            "properties.rateLimits",
            "properties.callRateLimit",
            "properties.dynamicThrottlingEnabled",
            "properties.model.callRateLimit",
        ],
        // cognitiveservices.json 2025-06-01, definitions.Deployment: sku and properties carry no x-ms-mutability, tags
        // [read, create, update]; no forceNewMap entry for CognitiveServices. Model and capacity update in place.
        replaces: { resourceGroupName: PATH, accountName: PATH, deploymentName: PATH },
    },
];

export function resourceTypeOf(token: string): ResourceType {
    const type = RESOURCE_TYPES.find((candidate) => candidate.token === token);
    if (type === undefined) {
        throw new Error(
            `azure-native stand-in: resource type ${token} is not implemented; it implements exactly the types this ` +
                `program registers: ${RESOURCE_TYPES.map((candidate) => candidate.token).join(", ")}. Fix: add it to ` +
                `e2e/azure-native/resourceTypes.ts with its ARM id, api-version and replace table.`,
        );
    }
    return type;
}

/** The type token of a URN (`urn:pulumi:stack::project::parent$type::name`). */
export function tokenOfUrn(urn: string): string {
    const qualifiedType = urn.split("::")[2] ?? "";
    return qualifiedType.slice(qualifiedType.lastIndexOf("$") + 1);
}
