/**
 * Who may do what from GitHub Actions, as plain data: the federated credentials' subjects, and the role assignments
 * of the preview identity and of each stack's deploy identity. No Pulumi here, so tests check every grant directly.
 */

/** Built-in Azure roles, by GUID (the same in every tenant), each with the reason it is granted. */
export const ROLES = {
    /** Preview: read every resource the program reads (cluster, account, deployments, identity). */
    reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    /** listClusterUserCredential: the kubeconfig both jobs need to reach the cluster. */
    aksClusterUser: "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
    /** Preview on an Entra cluster: read objects in the app's namespace (dry runs it may not write fall back). */
    aksRbacReader: "7f6c6a51-bcf8-42ba-9220-52d62157d7db",
    /** Deploy on an Entra cluster: write the ServiceAccount, Deployment and Service in the app's namespace. */
    aksRbacWriter: "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb",
    /** Deploy: turn on the OIDC issuer and workload identity on an existing cluster, or create a managed one. */
    aksContributor: "ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8",
    /** Deploy: the user-assigned identity and its federated credentials. */
    managedIdentityContributor: "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59",
    /** Deploy: the one role assignment, constrained by `roleAssignmentCondition` to exactly that role. */
    rbacAdministrator: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    /** Deploy, when the stack creates the Azure OpenAI account and its model deployment. */
    cognitiveServicesContributor: "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68",
    /** The only role the deploy identity may hand out: what the workload's identity gets on the account. */
    openAiUser: "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
} as const;

export type RoleName = keyof typeof ROLES;

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
    /** Namespace of ai-service on an Entra-enabled cluster (default: default). */
    readonly namespace?: string;
    /** The stack creates the cluster (cluster.mode managed): its grants go on the resource group. */
    readonly managedCluster?: boolean;
    /** The stack creates the Azure OpenAI account (openai.mode managed). */
    readonly managedOpenAi?: boolean;
}

export interface Grant {
    /** Stable suffix for the resource name. */
    readonly name: string;
    readonly role: RoleName;
    readonly scope: string;
    /** ABAC condition (version 2.0), when the role is constrained. */
    readonly condition?: string;
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

/** Where cluster roles go: the cluster itself, or its resource group while the stack has yet to create it. */
function clusterScope(subscriptionId: string, env: Environment): string {
    return env.managedCluster
        ? resourceGroupId(subscriptionId, env.resourceGroupName)
        : clusterId(subscriptionId, env.resourceGroupName, requireClusterName(env));
}

/** Kubernetes roles, on an existing (Entra-enabled) cluster only: a managed cluster's kubeconfig has its own certificate. */
function namespaceScope(subscriptionId: string, env: Environment): string | undefined {
    return env.managedCluster
        ? undefined
        : `${clusterId(subscriptionId, env.resourceGroupName, requireClusterName(env))}/namespaces/${env.namespace ?? "default"}`;
}

/** What a pull request's preview may do in one environment: read, and fetch the kubeconfig. Nothing else. */
export function previewGrants(subscriptionId: string, env: Environment): Grant[] {
    const namespace = namespaceScope(subscriptionId, env);
    return [
        { name: `${env.name}-reader`, role: "reader", scope: resourceGroupId(subscriptionId, env.resourceGroupName) },
        { name: `${env.name}-cluster-user`, role: "aksClusterUser", scope: clusterScope(subscriptionId, env) },
        ...(namespace ? [{ name: `${env.name}-k8s-reader`, role: "aksRbacReader" as const, scope: namespace }] : []),
    ];
}

/** What the deploy job of one environment may do: exactly what `pulumi up` of that stack needs. */
export function deployGrants(subscriptionId: string, env: Environment): Grant[] {
    const group = resourceGroupId(subscriptionId, env.resourceGroupName);
    const namespace = namespaceScope(subscriptionId, env);
    return [
        { name: "identities", role: "managedIdentityContributor", scope: group },
        {
            name: "openai-user-assignments",
            role: "rbacAdministrator",
            scope: group,
            condition: roleAssignmentCondition(ROLES.openAiUser),
        },
        { name: "cluster", role: "aksContributor", scope: clusterScope(subscriptionId, env) },
        { name: "cluster-user", role: "aksClusterUser", scope: clusterScope(subscriptionId, env) },
        ...(namespace ? [{ name: "k8s-writer", role: "aksRbacWriter" as const, scope: namespace }] : []),
        ...(env.managedOpenAi ? [{ name: "openai", role: "cognitiveServicesContributor" as const, scope: group }] : []),
    ];
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

/** Problems in the bootstrap's configuration, each naming the key, the value and the fix. */
/** Microsoft's fictitious example organizations: a repository under one is a placeholder left in place. */
const PLACEHOLDER_OWNERS = ["contoso", "fabrikam", "example"];

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
        if (!env.resourceGroupName) {
            problems.push(`environments[${env.name}].resourceGroupName is required: the resource group of that stack`);
        }
        if (!env.managedCluster && !env.clusterName) {
            problems.push(
                `environments[${env.name}].clusterName is required unless managedCluster is true. ` +
                    `Fix: set clusterName to the AKS cluster of stack ${env.name}`,
            );
        }
    }
    return problems;
}
