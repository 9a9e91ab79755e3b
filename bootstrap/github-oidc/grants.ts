import { createHash } from "node:crypto";

/**
 * Who may do what from GitHub Actions, as plain data: the federated credentials' subjects, and the role assignments
 * of the preview identity and of each stack's deploy identity, the custom cluster role and the admin groups. No
 * Pulumi here: index.ts registers exactly what `identityPlans` lists, and tests check every grant directly.
 */

/** Built-in Azure roles, by GUID (the same in every tenant), each with the reason it is granted. */
export const ROLES = {
    /** Preview: read every resource the program reads (cluster, account, deployments, identity). */
    reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    /**
     * listClusterUserCredential: the kubeconfig both jobs need to reach the cluster. Only on Entra-only clusters: with
     * local accounts on, that kubeconfig can be a cluster-admin client certificate (configProblems refuses it).
     */
    aksClusterUser: "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
    /** Preview: read Kubernetes objects (dry runs it may not write fall back), never Secrets. */
    aksRbacReader: "7f6c6a51-bcf8-42ba-9220-52d62157d7db",
    /** Deploy on an Entra cluster: write the ServiceAccount, Deployment and Service in the app's namespace. */
    aksRbacWriter: "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb",
    /** Deploy: the user-assigned identity and its federated credentials. */
    managedIdentityContributor: "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59",
    /** Deploy: the one role assignment, constrained by `roleAssignmentCondition` to exactly that role. */
    rbacAdministrator: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    /** Deploy, when the stack creates the Azure OpenAI account and its model deployment. */
    cognitiveServicesContributor: "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68",
    /** The only role the deploy identity may hand out: what the workload's identity gets on the account. */
    openAiUser: "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
} as const;

/** A built-in role, or the custom role bootstrap/github-oidc defines per stack (clusterOperatorRole). */
export type RoleName = Exclude<keyof typeof ROLES, "openAiUser"> | "clusterOperator";

/** GitHub's OIDC issuer, and the audience azure/login requests (the same one AKS workload identity uses). */
export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/** One GitHub environment = one stack, and where that stack's resources live. */
export interface Environment {
    /** Stack name, and the GitHub environment the deploy job runs in. */
    readonly name: string;
    readonly resourceGroupName: string;
    /** The AKS cluster (required unless `managedCluster`). */
    readonly clusterName?: string;
    /** Namespace of ai-service on an existing cluster (default: default). */
    readonly namespace?: string;
    /** The stack creates the cluster (cluster.mode managed): its grants go on the resource group. */
    readonly managedCluster?: boolean;
    /** The stack creates the Azure OpenAI account (openai.mode managed). */
    readonly managedOpenAi?: boolean;
    /**
     * The cluster has local accounts disabled (`disableLocalAccounts`). Required for an existing cluster; a cluster
     * the stack creates is Entra-only by the program's default. false is refused (configProblems).
     */
    readonly localAccountsDisabled?: boolean;
}

/** The keys an environment entry may have: a misspelt one (localAccountDisabled) must not pass silently. */
export const ENVIRONMENT_KEYS = [
    "name",
    "resourceGroupName",
    "clusterName",
    "namespace",
    "managedCluster",
    "managedOpenAi",
    "localAccountsDisabled",
] as const;

export interface Grant {
    /** Stable suffix for the resource name (grantResourceName). */
    readonly name: string;
    /** The stack the grant serves. */
    readonly environment: string;
    readonly role: RoleName;
    readonly scope: string;
    /** ABAC condition (version 2.0), when the role is constrained. */
    readonly condition?: string;
    /** What the program does that needs it (docs/github-oidc-access.md prints it). */
    readonly reason: string;
}

/** The Entra security group AKS makes cluster-admin on a cluster the stack creates (aadProfile.adminGroupObjectIDs). */
export interface AdminGroup {
    /** The stack (environment) whose cluster lists the group. */
    readonly environment: string;
    /** Resource name suffix and display name suffix. */
    readonly name: string;
    readonly reason: string;
}

/** One GitHub identity and everything the bootstrap gives it. */
export interface IdentityPlan {
    /** `preview`, or `deploy-<stack>`. */
    readonly identity: string;
    readonly kind: "preview" | "deploy";
    /** The stack a deploy identity deploys (undefined for the preview, which serves all). */
    readonly environment?: string;
    /** GitHub's `sub` claim the identity is federated with. */
    readonly subject: string;
    readonly grants: readonly Grant[];
    /** Admin groups the identity's service principal is the (only) member of. */
    readonly adminGroups: readonly AdminGroup[];
}

/** The `sub` claim GitHub puts in a job's OIDC token. */
export function githubSubject(
    repository: string,
    on: { readonly pullRequest: true } | { readonly environment: string },
): string {
    return "environment" in on ? `repo:${repository}:environment:${on.environment}` : `repo:${repository}:pull_request`;
}

export function resourceGroupId(subscriptionId: string, resourceGroupName: string): string {
    return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}`;
}

export function clusterId(subscriptionId: string, resourceGroupName: string, clusterName: string): string {
    return `${resourceGroupId(subscriptionId, resourceGroupName)}/providers/Microsoft.ContainerService/managedClusters/${clusterName}`;
}

/**
 * Role Based Access Control Administrator may then create and delete only assignments of `roleGuid`, and only to
 * service principals (the workload identity): never Owner, never to a user or group.
 */
export function roleAssignmentCondition(roleGuid: string): string {
    const constrained = (action: "write" | "delete", source: "@Request" | "@Resource") =>
        `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/${action}'})) OR ` +
        `(${source}[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${roleGuid}} AND ` +
        `${source}[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}))`;
    return `${constrained("write", "@Request")} AND ${constrained("delete", "@Resource")}`;
}

/**
 * Whether env's cluster has local accounts disabled: as stated for an existing cluster (undefined when not stated);
 * true for a cluster the stack creates unless stated otherwise (the program creates Entra-only clusters by default).
 */
export function localAccountsDisabled(env: Environment): boolean | undefined {
    return env.localAccountsDisabled ?? (env.managedCluster ? true : undefined);
}

/** Where cluster roles go: the cluster itself, or its resource group while the stack has yet to create it. */
export function clusterScope(subscriptionId: string, env: Environment): string {
    return env.managedCluster
        ? resourceGroupId(subscriptionId, env.resourceGroupName)
        : clusterId(subscriptionId, env.resourceGroupName, requireClusterName(env));
}

/**
 * Where the Kubernetes read role of the preview goes: the app's namespace on an existing cluster; the resource group
 * for a cluster the stack creates, because a role assignment needs its scope to exist and neither the cluster nor the
 * namespace does when the bootstrap runs.
 */
function kubernetesReadScope(subscriptionId: string, env: Environment): string {
    return env.managedCluster
        ? resourceGroupId(subscriptionId, env.resourceGroupName)
        : `${clusterId(subscriptionId, env.resourceGroupName, requireClusterName(env))}/namespaces/${env.namespace ?? "default"}`;
}

/** The refusal for a cluster with local accounts on; configProblems reports it, the grant builders enforce it. */
function localAccountsProblem(env: Environment): string | undefined {
    if (localAccountsDisabled(env) !== false) {
        return undefined;
    }
    const fix = env.managedCluster
        ? `keep the cluster of stack ${env.name} Entra-only (do not turn its local accounts on in Pulumi.${env.name}.yaml) ` +
          `and remove localAccountsDisabled: false here`
        : `turn local accounts off (az aks update -g ${env.resourceGroupName} -n ${env.clusterName ?? "<cluster>"} ` +
          `--disable-local-accounts; a cluster without Microsoft Entra integration needs --enable-aad --enable-azure-rbac ` +
          `first; kubeconfigs with a client certificate, az aks get-credentials --admin included, stop working), ` +
          `then set localAccountsDisabled: true`;
    return (
        `environments[${env.name}].localAccountsDisabled = false: on a cluster with local accounts, ` +
        `listClusterUserCredential can return a cluster-admin client certificate, and the preview identity, which the ` +
        `workflow of any pull request signs in as, needs that credential to preview stack ${env.name}. Fix: ${fix}.`
    );
}

/**
 * The grant builders' own guard: no credential grant for a cluster not known to be Entra-only, even if a caller
 * skipped configProblems (which reports the same, with the other problems, before anything is created).
 */
function requireEntraOnly(env: Environment): void {
    if (localAccountsDisabled(env) !== true) {
        throw new Error(localAccountsProblem(env) ?? localAccountsNotStated(env));
    }
}

function localAccountsNotStated(env: Environment): string {
    return (
        `environments[${env.name}].localAccountsDisabled is required for an existing cluster: with local accounts ` +
        `on, the user kubeconfig the identities fetch can be a cluster-admin certificate. Fix: check with ` +
        `az aks show -g ${env.resourceGroupName} -n ${env.clusterName ?? "<cluster>"} --query disableLocalAccounts, ` +
        `and set localAccountsDisabled: true once it prints true`
    );
}

/** What a pull request's preview may do in one environment: read, fetch an Entra kubeconfig, read Kubernetes objects. */
export function previewGrants(subscriptionId: string, env: Environment): Grant[] {
    requireEntraOnly(env);
    return [
        {
            name: `${env.name}-reader`,
            environment: env.name,
            role: "reader",
            scope: resourceGroupId(subscriptionId, env.resourceGroupName),
            reason: "pulumi preview reads the cluster, the Azure OpenAI account, its deployments and the identity",
        },
        {
            name: `${env.name}-cluster-user`,
            environment: env.name,
            role: "aksClusterUser",
            scope: clusterScope(subscriptionId, env),
            reason:
                "the program lists the cluster's user kubeconfig (an Entra exec kubeconfig: local accounts are off, " +
                "so it carries no certificate)",
        },
        {
            name: `${env.name}-k8s-reader`,
            environment: env.name,
            role: "aksRbacReader",
            scope: kubernetesReadScope(subscriptionId, env),
            reason:
                "the Kubernetes provider previews by reading the objects it would change; the role has no Secrets " +
                "and no roles or role bindings",
        },
    ];
}

/** What the deploy job of one environment may do: exactly what `pulumi up` of that stack needs. */
export function deployGrants(subscriptionId: string, env: Environment): Grant[] {
    requireEntraOnly(env);
    const group = resourceGroupId(subscriptionId, env.resourceGroupName);
    return [
        {
            name: "identities",
            environment: env.name,
            role: "managedIdentityContributor",
            scope: group,
            reason: "the stack creates ai-service's user-assigned identity and its federated credentials",
        },
        {
            name: "openai-user-assignments",
            environment: env.name,
            role: "rbacAdministrator",
            scope: group,
            condition: roleAssignmentCondition(ROLES.openAiUser),
            reason:
                "the stack assigns Cognitive Services OpenAI User to that identity on the account; the condition " +
                "allows that role only, and only to service principals",
        },
        {
            name: "cluster-operator",
            environment: env.name,
            role: "clusterOperator",
            scope: clusterScope(subscriptionId, env),
            reason: env.managedCluster
                ? "the stack creates, updates and (on destroy or replace) deletes its cluster"
                : "the stack turns on the OIDC issuer and workload identity (an ETag-guarded read, then write)",
        },
        {
            name: "cluster-user",
            environment: env.name,
            role: "aksClusterUser",
            scope: clusterScope(subscriptionId, env),
            reason: "the program lists the cluster's user kubeconfig (Entra exec form: local accounts are off)",
        },
        ...(env.managedCluster
            ? []
            : [
                  {
                      name: "k8s-writer",
                      environment: env.name,
                      role: "aksRbacWriter" as const,
                      scope: `${clusterId(subscriptionId, env.resourceGroupName, requireClusterName(env))}/namespaces/${env.namespace ?? "default"}`,
                      reason:
                          "the stack writes ai-service's ServiceAccount, Deployment and Service in its namespace, " +
                          "nowhere else",
                  },
              ]),
        ...(env.managedOpenAi
            ? [
                  {
                      name: "openai",
                      environment: env.name,
                      role: "cognitiveServicesContributor" as const,
                      scope: group,
                      reason: "the stack creates the Azure OpenAI account and its model deployment",
                  },
              ]
            : []),
    ];
}

/**
 * The admin group of a cluster the stack creates. Kubernetes writes on a fresh Entra-only cluster must work within
 * the same `pulumi up` that creates it: group membership travels in the token's groups claim and is honoured from the
 * first request, whereas a new Azure RBAC role assignment for Kubernetes authorization can take up to five minutes to
 * propagate (https://learn.microsoft.com/azure/aks/manage-azure-rbac). An existing cluster's admins are its owner's.
 */
export function adminGroups(env: Environment): AdminGroup[] {
    return env.managedCluster
        ? [
              {
                  environment: env.name,
                  name: `${env.name}-cluster-admins`,
                  reason:
                      "Kubernetes cluster-admin on the cluster the stack creates, from its first request (the stack " +
                      "creates ai-service's namespace and objects right after the cluster)",
              },
          ]
        : [];
}

/**
 * The Pulumi resource name of a grant's role assignment. Released names: changing one replaces the assignment (a
 * moment without it), so the preview keeps its `preview-<stack>-<stack>-<role>` form.
 */
export function grantResourceName(plan: IdentityPlan, grant: Grant): string {
    return plan.kind === "preview" ? `preview-${grant.environment}-${grant.name}` : `${plan.identity}-${grant.name}`;
}

/** Every identity the bootstrap creates and every grant it makes: index.ts registers exactly these. */
export function identityPlans(
    repository: string,
    subscriptionId: string,
    environments: readonly Environment[],
): IdentityPlan[] {
    return [
        {
            identity: "preview",
            kind: "preview",
            subject: githubSubject(repository, { pullRequest: true }),
            grants: environments.flatMap((env) => previewGrants(subscriptionId, env)),
            adminGroups: [],
        },
        ...environments.map((env): IdentityPlan => ({
            identity: `deploy-${env.name}`,
            kind: "deploy",
            environment: env.name,
            subject: githubSubject(repository, { environment: env.name }),
            grants: deployGrants(subscriptionId, env),
            adminGroups: adminGroups(env),
        })),
    ];
}

/** The custom role a deploy identity gets on its cluster (see clusterOperatorPermissions in roleDefinitions.ts). */
export interface ClusterOperatorRole {
    /** The role definition's GUID: derived from repository and stack, so a second run finds the same role. */
    readonly guid: string;
    /** Unique in the tenant, as Azure requires of a custom role's name. */
    readonly roleName: string;
    /**
     * Where it is defined and assignable: the stack's resource group. A custom role's assignableScopes may name
     * management groups, subscriptions or resource groups, not a resource
     * (https://learn.microsoft.com/azure/role-based-access-control/role-definitions#assignablescopes); the grant
     * itself still sits on the cluster when the cluster exists.
     */
    readonly definitionScope: string;
}

export function clusterOperatorRole(repository: string, subscriptionId: string, env: Environment): ClusterOperatorRole {
    return {
        guid: nameBasedGuid(`aks-openai-wi/cluster-operator/${repository}/${env.name}`),
        roleName: `aks-openai-wi cluster operator (${repository}, ${env.name})`,
        definitionScope: resourceGroupId(subscriptionId, env.resourceGroupName),
    };
}

/** A GUID from SHA-256 of `name`, in the RFC 9562 layout (version 8: custom), so it is stable across runs. */
export function nameBasedGuid(name: string): string {
    const hex = createHash("sha256").update(name).digest("hex").slice(0, 32).split("");
    hex[12] = "8";
    hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
    const h = hex.join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function requireClusterName(env: Environment): string {
    if (!env.clusterName) {
        throw new Error(
            `environments[${env.name}].clusterName is required unless managedCluster is true: the cluster grants ` +
                `are scoped to it. Fix: set clusterName to the AKS cluster of stack ${env.name}.`,
        );
    }
    return env.clusterName;
}

/** Microsoft's fictitious example organizations: a repository under one is a placeholder left in place. */
const PLACEHOLDER_OWNERS = ["contoso", "fabrikam", "example"];

/** One judge of one environment entry: its problem, if any, naming the key, the value and the fix. */
type EnvironmentJudge = (env: Environment) => string | undefined;

const ENVIRONMENT_JUDGES: readonly EnvironmentJudge[] = [
    function unknownKeys(env) {
        const unknown = Object.keys(env).filter((key) => !(ENVIRONMENT_KEYS as readonly string[]).includes(key));
        return unknown.length === 0
            ? undefined
            : `environments[${env.name}] has unknown key(s) ${unknown.join(", ")}. Fix: use only ${ENVIRONMENT_KEYS.join(", ")}`;
    },
    function resourceGroupRequired(env) {
        return env.resourceGroupName
            ? undefined
            : `environments[${env.name}].resourceGroupName is required: the resource group of that stack`;
    },
    function clusterNameRequired(env) {
        return env.managedCluster || env.clusterName
            ? undefined
            : `environments[${env.name}].clusterName is required unless managedCluster is true. ` +
                  `Fix: set clusterName to the AKS cluster of stack ${env.name}`;
    },
    function localAccountsStated(env) {
        if (env.localAccountsDisabled !== undefined && typeof env.localAccountsDisabled !== "boolean") {
            return (
                `environments[${env.name}].localAccountsDisabled = ${JSON.stringify(env.localAccountsDisabled)}: ` +
                `use true or false (YAML booleans, unquoted)`
            );
        }
        return env.managedCluster || env.localAccountsDisabled !== undefined ? undefined : localAccountsNotStated(env);
    },
    localAccountsProblem,
];

/** Problems in the bootstrap's configuration, each naming the key, the value and the fix. */
export function configProblems(repository: string, environments: readonly Environment[]): string[] {
    const problems: string[] = [];
    if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(repository)) {
        problems.push(
            `repository = ${JSON.stringify(repository)}: use <owner>/<repo> as GitHub spells it (the OIDC subject is ` +
                `case-sensitive). Fix: pulumi config set repository <owner>/<repo>`,
        );
    } else if (PLACEHOLDER_OWNERS.includes(repository.split("/")[0].toLowerCase())) {
        problems.push(
            `repository = ${JSON.stringify(repository)} is the sample's placeholder: the applications would trust ` +
                `the workflows of a repository that is not yours. Fix: pulumi config set repository <owner>/<repo> ` +
                `(yours: gh repo view --json nameWithOwner -q .nameWithOwner)`,
        );
    }
    if (environments.length === 0) {
        problems.push(
            `environments is empty: list each stack CI deploys. Fix: set environments in Pulumi.<stack>.yaml`,
        );
    }
    const seen = new Set<string>();
    for (const env of environments) {
        if (!/^[A-Za-z0-9_.-]+$/.test(env.name ?? "")) {
            problems.push(
                `environments[].name = ${JSON.stringify(env.name)}: use the stack name (letters, digits, -, _, .)`,
            );
        } else if (seen.has(env.name)) {
            problems.push(`environments[].name = ${JSON.stringify(env.name)} is listed twice: one entry per stack`);
        }
        seen.add(env.name);
        for (const judge of ENVIRONMENT_JUDGES) {
            const problem = judge(env);
            if (problem !== undefined) {
                problems.push(problem);
            }
        }
    }
    return problems;
}
