/**
 * The permissions of every role the bootstrap grants, as data: what Azure evaluates when one of the GitHub identities
 * calls Azure Resource Manager or, through Azure RBAC for Kubernetes authorization, the cluster's API server. The
 * analysis in permissions.ts and the table in docs/github-oidc-access.md are computed from these lists, so they say
 * what the identities can really do, not what the role names suggest.
 *
 * Built-in roles are copied exactly as published (the JSON block of each role's section), read on 2026-11-29 from the
 * pages' source in MicrosoftDocs/azure-docs (articles/role-based-access-control/built-in-roles/*.md); the `source`
 * of each names the page and its `ms.date`. Microsoft changes built-in roles without notice: compare with
 * `az role definition list --name "<roleName>" --query "[].permissions"` before relying on a cell of the table.
 */

export interface RolePermissions {
    /** The role definition's GUID, the same in every tenant for a built-in role. */
    readonly id: string;
    /** `roleName` as Azure spells it. */
    readonly roleName: string;
    readonly actions: readonly string[];
    readonly notActions: readonly string[];
    readonly dataActions: readonly string[];
    readonly notDataActions: readonly string[];
    /** Where the lists come from, and when they were read. */
    readonly source: string;
}

const CONTAINERS =
    "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/containers (ms.date 06/30/2025), read 2026-11-29";
const GENERAL = "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/general, read 2026-11-29";
const PRIVILEGED =
    "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/privileged (ms.date 07/01/2026), read 2026-11-29";
const IDENTITY =
    "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/identity (ms.date 07/01/2026), read 2026-11-29";
const AI_MACHINE_LEARNING =
    "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/ai-machine-learning (ms.date 12/12/2024), read 2026-11-29";

/** Reader: read every resource the program reads. Control plane only; `*\/read` matches no `/action`. */
export const READER: RolePermissions = {
    id: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    roleName: "Reader",
    actions: ["*/read"],
    notActions: [],
    dataActions: [],
    notDataActions: [],
    source: GENERAL,
};

export const AKS_CLUSTER_USER: RolePermissions = {
    id: "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
    roleName: "Azure Kubernetes Service Cluster User Role",
    actions: [
        "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
        "Microsoft.ContainerService/managedClusters/read",
    ],
    notActions: [],
    dataActions: [],
    notDataActions: [],
    source: CONTAINERS,
};

/** Read-only Kubernetes access without Secrets (the role lists no `secrets/*` data action). */
export const AKS_RBAC_READER: RolePermissions = {
    id: "7f6c6a51-bcf8-42ba-9220-52d62157d7db",
    roleName: "Azure Kubernetes Service RBAC Reader",
    actions: [
        "Microsoft.Authorization/*/read",
        "Microsoft.Resources/subscriptions/operationresults/read",
        "Microsoft.Resources/subscriptions/read",
        "Microsoft.Resources/subscriptions/resourceGroups/read",
    ],
    notActions: [],
    dataActions: [
        "Microsoft.ContainerService/managedClusters/apps/controllerrevisions/read",
        "Microsoft.ContainerService/managedClusters/apps/daemonsets/read",
        "Microsoft.ContainerService/managedClusters/apps/deployments/read",
        "Microsoft.ContainerService/managedClusters/apps/replicasets/read",
        "Microsoft.ContainerService/managedClusters/apps/statefulsets/read",
        "Microsoft.ContainerService/managedClusters/autoscaling/horizontalpodautoscalers/read",
        "Microsoft.ContainerService/managedClusters/batch/cronjobs/read",
        "Microsoft.ContainerService/managedClusters/batch/jobs/read",
        "Microsoft.ContainerService/managedClusters/configmaps/read",
        "Microsoft.ContainerService/managedClusters/discovery.k8s.io/endpointslices/read",
        "Microsoft.ContainerService/managedClusters/endpoints/read",
        "Microsoft.ContainerService/managedClusters/events.k8s.io/events/read",
        "Microsoft.ContainerService/managedClusters/events/read",
        "Microsoft.ContainerService/managedClusters/extensions/daemonsets/read",
        "Microsoft.ContainerService/managedClusters/extensions/deployments/read",
        "Microsoft.ContainerService/managedClusters/extensions/ingresses/read",
        "Microsoft.ContainerService/managedClusters/extensions/networkpolicies/read",
        "Microsoft.ContainerService/managedClusters/extensions/replicasets/read",
        "Microsoft.ContainerService/managedClusters/limitranges/read",
        "Microsoft.ContainerService/managedClusters/metrics.k8s.io/pods/read",
        "Microsoft.ContainerService/managedClusters/metrics.k8s.io/nodes/read",
        "Microsoft.ContainerService/managedClusters/namespaces/read",
        "Microsoft.ContainerService/managedClusters/networking.k8s.io/ingresses/read",
        "Microsoft.ContainerService/managedClusters/networking.k8s.io/networkpolicies/read",
        "Microsoft.ContainerService/managedClusters/persistentvolumeclaims/read",
        "Microsoft.ContainerService/managedClusters/pods/read",
        "Microsoft.ContainerService/managedClusters/policy/poddisruptionbudgets/read",
        "Microsoft.ContainerService/managedClusters/replicationcontrollers/read",
        "Microsoft.ContainerService/managedClusters/resourcequotas/read",
        "Microsoft.ContainerService/managedClusters/serviceaccounts/read",
        "Microsoft.ContainerService/managedClusters/services/read",
    ],
    notDataActions: [],
    source: CONTAINERS,
};

/** Read/write of most namespaced objects, Secrets included (`secrets/*`); no roles or role bindings. */
export const AKS_RBAC_WRITER: RolePermissions = {
    id: "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb",
    roleName: "Azure Kubernetes Service RBAC Writer",
    actions: [
        "Microsoft.Authorization/*/read",
        "Microsoft.Resources/subscriptions/operationresults/read",
        "Microsoft.Resources/subscriptions/read",
        "Microsoft.Resources/subscriptions/resourceGroups/read",
    ],
    notActions: [],
    dataActions: [
        "Microsoft.ContainerService/managedClusters/apps/controllerrevisions/read",
        "Microsoft.ContainerService/managedClusters/apps/daemonsets/*",
        "Microsoft.ContainerService/managedClusters/apps/deployments/*",
        "Microsoft.ContainerService/managedClusters/apps/replicasets/*",
        "Microsoft.ContainerService/managedClusters/apps/statefulsets/*",
        "Microsoft.ContainerService/managedClusters/autoscaling/horizontalpodautoscalers/*",
        "Microsoft.ContainerService/managedClusters/batch/cronjobs/*",
        "Microsoft.ContainerService/managedClusters/coordination.k8s.io/leases/read",
        "Microsoft.ContainerService/managedClusters/coordination.k8s.io/leases/write",
        "Microsoft.ContainerService/managedClusters/coordination.k8s.io/leases/delete",
        "Microsoft.ContainerService/managedClusters/discovery.k8s.io/endpointslices/read",
        "Microsoft.ContainerService/managedClusters/batch/jobs/*",
        "Microsoft.ContainerService/managedClusters/configmaps/*",
        "Microsoft.ContainerService/managedClusters/endpoints/*",
        "Microsoft.ContainerService/managedClusters/events.k8s.io/events/read",
        "Microsoft.ContainerService/managedClusters/events/*",
        "Microsoft.ContainerService/managedClusters/extensions/daemonsets/*",
        "Microsoft.ContainerService/managedClusters/extensions/deployments/*",
        "Microsoft.ContainerService/managedClusters/extensions/ingresses/*",
        "Microsoft.ContainerService/managedClusters/extensions/networkpolicies/*",
        "Microsoft.ContainerService/managedClusters/extensions/replicasets/*",
        "Microsoft.ContainerService/managedClusters/limitranges/read",
        "Microsoft.ContainerService/managedClusters/metrics.k8s.io/pods/read",
        "Microsoft.ContainerService/managedClusters/metrics.k8s.io/nodes/read",
        "Microsoft.ContainerService/managedClusters/namespaces/read",
        "Microsoft.ContainerService/managedClusters/networking.k8s.io/ingresses/*",
        "Microsoft.ContainerService/managedClusters/networking.k8s.io/networkpolicies/*",
        "Microsoft.ContainerService/managedClusters/persistentvolumeclaims/*",
        "Microsoft.ContainerService/managedClusters/pods/*",
        "Microsoft.ContainerService/managedClusters/policy/poddisruptionbudgets/*",
        "Microsoft.ContainerService/managedClusters/replicationcontrollers/*",
        "Microsoft.ContainerService/managedClusters/resourcequotas/read",
        "Microsoft.ContainerService/managedClusters/secrets/*",
        "Microsoft.ContainerService/managedClusters/serviceaccounts/*",
        "Microsoft.ContainerService/managedClusters/services/*",
    ],
    notDataActions: [],
    source: CONTAINERS,
};

export const MANAGED_IDENTITY_CONTRIBUTOR: RolePermissions = {
    id: "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59",
    roleName: "Managed Identity Contributor",
    actions: [
        "Microsoft.ManagedIdentity/userAssignedIdentities/read",
        "Microsoft.ManagedIdentity/userAssignedIdentities/write",
        "Microsoft.ManagedIdentity/userAssignedIdentities/delete",
        "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read",
        "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
        "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/delete",
        "Microsoft.ManagedIdentity/userAssignedIdentities/revokeTokens/action",
        "Microsoft.Authorization/*/read",
        "Microsoft.Insights/alertRules/*",
        "Microsoft.Resources/subscriptions/resourceGroups/read",
        "Microsoft.Resources/deployments/*",
        "Microsoft.Support/*",
    ],
    notActions: [],
    dataActions: [],
    notDataActions: [],
    source: IDENTITY,
};

/** Holds roleAssignments/write unconstrained; the bootstrap only ever assigns it with an ABAC condition. */
export const RBAC_ADMINISTRATOR: RolePermissions = {
    id: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    roleName: "Role Based Access Control Administrator",
    actions: [
        "Microsoft.Authorization/roleAssignments/write",
        "Microsoft.Authorization/roleAssignments/delete",
        "*/read",
        "Microsoft.Support/*",
    ],
    notActions: [],
    dataActions: [],
    notDataActions: [],
    source: PRIVILEGED,
};

export const COGNITIVE_SERVICES_CONTRIBUTOR: RolePermissions = {
    id: "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68",
    roleName: "Cognitive Services Contributor",
    actions: [
        "Microsoft.Authorization/*/read",
        "Microsoft.CognitiveServices/*",
        "Microsoft.Features/features/read",
        "Microsoft.Features/providers/features/read",
        "Microsoft.Features/providers/features/register/action",
        "Microsoft.Insights/alertRules/*",
        "Microsoft.Insights/diagnosticSettings/*",
        "Microsoft.Insights/logDefinitions/read",
        "Microsoft.Insights/metricdefinitions/read",
        "Microsoft.Insights/metrics/read",
        "Microsoft.ResourceHealth/availabilityStatuses/read",
        "Microsoft.Resources/deployments/*",
        "Microsoft.Resources/deployments/operations/read",
        "Microsoft.Resources/subscriptions/operationresults/read",
        "Microsoft.Resources/subscriptions/read",
        "Microsoft.Resources/subscriptions/resourcegroups/deployments/*",
        "Microsoft.Resources/subscriptions/resourceGroups/read",
        "Microsoft.Support/*",
    ],
    notActions: [],
    dataActions: [],
    notDataActions: [],
    // An older stored copy of the page lists the same actions without features/register/action; the page version
    // read here is the one with it. Neither list holds anything on Microsoft.ContainerService or Authorization writes.
    source: AI_MACHINE_LEARNING,
};

/**
 * The only role a deploy identity may hand out (its ABAC condition says so). Not granted to a GitHub identity itself;
 * kept here so the analysis can show that delegating it hands out none of the dangerous actions.
 */
export const OPENAI_USER: RolePermissions = {
    id: "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
    roleName: "Cognitive Services OpenAI User",
    actions: [
        "Microsoft.CognitiveServices/*/read",
        "Microsoft.Authorization/roleAssignments/read",
        "Microsoft.Authorization/roleDefinitions/read",
    ],
    notActions: [],
    dataActions: [
        "Microsoft.CognitiveServices/accounts/OpenAI/*/read",
        "Microsoft.CognitiveServices/accounts/OpenAI/engines/completions/action",
        "Microsoft.CognitiveServices/accounts/OpenAI/engines/search/action",
        "Microsoft.CognitiveServices/accounts/OpenAI/engines/generate/action",
        "Microsoft.CognitiveServices/accounts/OpenAI/deployments/audio/action",
        "Microsoft.CognitiveServices/accounts/OpenAI/deployments/search/action",
        "Microsoft.CognitiveServices/accounts/OpenAI/deployments/completions/action",
        "Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action",
        "Microsoft.CognitiveServices/accounts/OpenAI/deployments/realtime/action",
        "Microsoft.CognitiveServices/accounts/OpenAI/deployments/extensions/chat/completions/action",
        "Microsoft.CognitiveServices/accounts/OpenAI/deployments/embeddings/action",
        "Microsoft.CognitiveServices/accounts/OpenAI/images/generations/action",
        "Microsoft.CognitiveServices/accounts/OpenAI/assistants/*",
    ],
    notDataActions: ["Microsoft.CognitiveServices/accounts/OpenAI/stored-completions/read"],
    // Read from the page version dated 12/12/2024; another stored copy lacks deployments/realtime/action and
    // assistants/*. Both are OpenAI data actions; none touches a cluster or a role assignment.
    source: AI_MACHINE_LEARNING,
};

/**
 * Not granted by the bootstrap: kept as the reference for what it must never grant (the test checks that the
 * analysis flags them). "Azure Kubernetes Service Contributor Role" was granted before issue 11: its
 * `managedClusters/*` includes listClusterAdminCredential and runCommand, so the deploy identities now get the
 * custom cluster operator role instead.
 */
export const AKS_CONTRIBUTOR: RolePermissions = {
    id: "ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8",
    roleName: "Azure Kubernetes Service Contributor Role",
    actions: [
        "Microsoft.Authorization/*/read",
        "Microsoft.ContainerService/locations/*",
        "Microsoft.ContainerService/managedClusters/*",
        "Microsoft.ContainerService/managedclustersnapshots/*",
        "Microsoft.ContainerService/snapshots/*",
        "Microsoft.Insights/alertRules/*",
        "Microsoft.Resources/deployments/*",
        "Microsoft.Resources/subscriptions/resourceGroups/read",
    ],
    notActions: [],
    dataActions: [],
    notDataActions: [],
    source: CONTAINERS,
};

export const AKS_CLUSTER_ADMIN: RolePermissions = {
    id: "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8",
    roleName: "Azure Kubernetes Service Cluster Admin Role",
    actions: [
        "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action",
        "Microsoft.ContainerService/managedClusters/accessProfiles/listCredential/action",
        "Microsoft.ContainerService/managedClusters/read",
        "Microsoft.ContainerService/managedClusters/runcommand/action",
    ],
    notActions: [],
    dataActions: [],
    notDataActions: [],
    source: CONTAINERS,
};

export const CONTRIBUTOR: RolePermissions = {
    id: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    roleName: "Contributor",
    actions: ["*"],
    notActions: [
        "Microsoft.Authorization/*/Delete",
        "Microsoft.Authorization/*/Write",
        "Microsoft.Authorization/elevateAccess/Action",
        "Microsoft.Blueprint/blueprintAssignments/write",
        "Microsoft.Blueprint/blueprintAssignments/delete",
        "Microsoft.Compute/galleries/share/action",
        "Microsoft.Purview/consents/write",
        "Microsoft.Purview/consents/delete",
        "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
        "Microsoft.Subscription/cancel/action",
        "Microsoft.Subscription/enable/action",
    ],
    dataActions: [],
    notDataActions: [],
    source: PRIVILEGED,
};

/**
 * The custom role the deploy identity of one stack gets on its cluster instead of "Azure Kubernetes Service
 * Contributor Role": what the program calls and nothing else. read: azure-native's reads and the existing-cluster
 * provider's ETag-guarded GET; write: creating the cluster (managed) or turning on the OIDC issuer and workload
 * identity (existing); delete: `pulumi destroy` or a replacement of a cluster the stack owns (managed only: the
 * existing-cluster resource never deletes). The credential comes from the separate Cluster User grant.
 */
export function clusterOperatorPermissions(managedCluster: boolean): Omit<RolePermissions, "id" | "roleName"> {
    return {
        actions: [
            "Microsoft.ContainerService/managedClusters/read",
            "Microsoft.ContainerService/managedClusters/write",
            ...(managedCluster ? ["Microsoft.ContainerService/managedClusters/delete"] : []),
        ],
        notActions: [],
        dataActions: [],
        notDataActions: [],
        source: "bootstrap/github-oidc/roleDefinitions.ts (a custom role this project defines)",
    };
}

/** Every built-in role the bootstrap grants, by the key grants.ts uses. */
export const GRANTED_BUILT_IN_ROLES = {
    reader: READER,
    aksClusterUser: AKS_CLUSTER_USER,
    aksRbacReader: AKS_RBAC_READER,
    aksRbacWriter: AKS_RBAC_WRITER,
    managedIdentityContributor: MANAGED_IDENTITY_CONTRIBUTOR,
    rbacAdministrator: RBAC_ADMINISTRATOR,
    cognitiveServicesContributor: COGNITIVE_SERVICES_CONTRIBUTOR,
} as const;
