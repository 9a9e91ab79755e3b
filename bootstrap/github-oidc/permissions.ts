/**
 * What the GitHub identities can really do on each cluster, computed the way Azure evaluates role assignments: an
 * operation is allowed by a role when it matches one of the role's actions and none of that same role's notActions
 * (notActions subtract inside one role; they deny nothing another role grants); assignments apply to their scope and
 * everything below it; an ABAC condition limits only the actions it names.
 * Sources: https://learn.microsoft.com/azure/role-based-access-control/role-definitions (wildcards, NotActions) and
 * https://learn.microsoft.com/azure/role-based-access-control/conditions-role-assignments-format.
 */

import {
    clusterId,
    localAccountsDisabled,
    ROLES,
    type Environment,
    type Grant,
    type IdentityPlan,
    type RoleName,
} from "./grants";
import {
    clusterOperatorPermissions,
    GRANTED_BUILT_IN_ROLES,
    OPENAI_USER,
    type RolePermissions,
} from "./roleDefinitions";

/**
 * Whether an action pattern of a role definition matches an operation. Azure compares operation names without regard
 * to case, and `*` stands for any run of characters, slashes included (`Microsoft.ContainerService/managedClusters/*`
 * covers `.../listClusterAdminCredential/action`; `*\/read` covers every read and no `/action`).
 */
export function actionMatches(pattern: string, operation: string): boolean {
    const regex = pattern
        .split("*")
        .map((literal) => literal.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*");
    return new RegExp(`^${regex}$`, "i").test(operation);
}

export type Plane = "control" | "data";

/** Whether one role allows `operation`: matched by an action and not by one of the same role's notActions. */
export function roleAllows(role: Omit<RolePermissions, "id" | "roleName">, operation: string, plane: Plane): boolean {
    const [allowed, denied] =
        plane === "control" ? [role.actions, role.notActions] : [role.dataActions, role.notDataActions];
    return (
        allowed.some((pattern) => actionMatches(pattern, operation)) &&
        !denied.some((pattern) => actionMatches(pattern, operation))
    );
}

/** Whether an assignment at `scope` applies to `target`: the same resource, or one below it (ids are case-insensitive). */
export function scopeCovers(scope: string, target: string): boolean {
    const s = scope.toLowerCase().replace(/\/+$/, "");
    const t = target.toLowerCase().replace(/\/+$/, "");
    return t === s || t.startsWith(`${s}/`);
}

/** The role GUIDs (lower case) an ABAC condition limits roleAssignments/write to; undefined when it does not limit it. */
export function roleAssignmentWriteLimit(condition: string | undefined): readonly string[] | undefined {
    if (condition === undefined) {
        return undefined;
    }
    const clauses = topLevelConjuncts(condition);
    if (clauses === undefined) {
        return undefined;
    }
    // The form roleAssignmentCondition writes, and the form Microsoft's "constrain roles" examples use: the write
    // is allowed only if the requested role definition is one of the listed GUIDs.
    const writeClause =
        /^\(\(!\(ActionMatches\{'Microsoft\.Authorization\/roleAssignments\/write'\}\)\) OR \(@Request\[Microsoft\.Authorization\/roleAssignments:RoleDefinitionId\] ForAnyOfAnyValues:GuidEquals \{([0-9a-fA-F, -]+)\}( AND @Request\[Microsoft\.Authorization\/roleAssignments:PrincipalType\] ForAnyOfAnyValues:StringEqualsIgnoreCase \{[^}]*\})?\)\)$/;
    for (const clause of clauses) {
        const match = writeClause.exec(clause);
        if (match) {
            return match[1].split(",").map((guid) => guid.trim().toLowerCase());
        }
    }
    return undefined;
}

/**
 * The top-level clauses of `a AND b AND c`, or undefined when the expression is anything else (a top-level OR, or
 * unbalanced parentheses): only clauses joined by AND each constrain the whole condition.
 */
function topLevelConjuncts(expression: string): string[] | undefined {
    const clauses: string[] = [];
    let depth = 0;
    let start = 0;
    for (let i = 0; i < expression.length; i++) {
        const char = expression[i];
        if (char === "(") {
            depth++;
        } else if (char === ")") {
            depth--;
            if (depth < 0) {
                return undefined;
            }
        } else if (depth === 0) {
            if (expression.startsWith(" AND ", i)) {
                clauses.push(expression.slice(start, i).trim());
                start = i + " AND ".length;
                i += " AND ".length - 1;
            } else if (expression.startsWith(" OR ", i)) {
                return undefined;
            }
        }
    }
    if (depth !== 0) {
        return undefined;
    }
    clauses.push(expression.slice(start).trim());
    return clauses;
}

/** A cluster the identities may reach, as the analysis sees it. */
export interface ClusterUnderTest {
    /** The stack (environment) the cluster belongs to. */
    readonly environment: string;
    /** The cluster's ARM id. A cluster the stack has yet to create is named from config, or `<created by stack x>`. */
    readonly id: string;
    readonly localAccountsDisabled: boolean;
}

export function clustersOf(subscriptionId: string, environments: readonly Environment[]): ClusterUnderTest[] {
    return environments.map((env) => ({
        environment: env.name,
        id: clusterId(subscriptionId, env.resourceGroupName, env.clusterName ?? `<created by stack ${env.name}>`),
        localAccountsDisabled: localAccountsDisabled(env) === true,
    }));
}

/** The dangerous things the table shows, each a yes/no per identity and cluster. */
export const DANGERS = [
    {
        key: "listClusterAdminCredential",
        title: "listClusterAdminCredential",
        operation: "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action",
        plane: "control",
        why: "the admin kubeconfig: cluster-admin whenever local accounts are on",
    },
    {
        key: "listClusterUserCredentialWithLocalAccounts",
        title: "listClusterUserCredential, local accounts on",
        operation: "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
        plane: "control",
        why: "on a cluster with local accounts the user kubeconfig can be a cluster-admin client certificate",
    },
    {
        key: "runCommand",
        title: "runCommand",
        operation: "Microsoft.ContainerService/managedClusters/runCommand/action",
        plane: "control",
        why: "runs kubectl or helm inside the cluster (az aks command invoke)",
    },
    {
        key: "roleAssignmentsWriteOutsideCondition",
        title: "roleAssignments/write outside its ABAC condition",
        operation: "Microsoft.Authorization/roleAssignments/write",
        plane: "control",
        why: "assigning any role, Owner or Cluster Admin included, to anyone",
    },
    {
        key: "clusterWrite",
        title: "managedClusters/write",
        operation: "Microsoft.ContainerService/managedClusters/write",
        plane: "control",
        why: "rewrites the cluster: its admin groups, local accounts, network exposure",
    },
    {
        key: "kubernetesSecrets",
        title: "Kubernetes Secrets (read)",
        operation: "Microsoft.ContainerService/managedClusters/secrets/read",
        plane: "data",
        why: "service-account tokens and whatever else is stored in Secrets",
    },
    {
        key: "kubernetesClusterAdmin",
        title: "Kubernetes cluster-admin (admin group)",
        operation: undefined,
        plane: "data",
        why: "member of the cluster's admin group (aadProfile.adminGroupObjectIDs)",
    },
] as const;

export type DangerKey = (typeof DANGERS)[number]["key"];

/** One cell: whether the identity holds the thing on the cluster, and through which grants (empty when it does not). */
export interface Cell {
    readonly holds: boolean;
    readonly via: readonly string[];
}

export interface MatrixRow {
    readonly identity: string;
    readonly kind: IdentityPlan["kind"];
    readonly cluster: ClusterUnderTest;
    readonly cells: Readonly<Record<DangerKey, Cell>>;
}

/** A grant with the permissions of its role resolved. */
interface ResolvedGrant {
    readonly grant: Grant;
    readonly roleName: string;
    readonly permissions: Omit<RolePermissions, "id" | "roleName">;
}

/** The permissions of a grant's role: the built-in role's published lists, or the custom cluster operator role's. */
export function permissionsOf(
    role: RoleName,
    env: Environment | undefined,
): { roleName: string; permissions: Omit<RolePermissions, "id" | "roleName"> } {
    if (role === "clusterOperator") {
        return {
            roleName: "aks-openai-wi cluster operator (custom)",
            permissions: clusterOperatorPermissions(env?.managedCluster === true),
        };
    }
    const builtIn = GRANTED_BUILT_IN_ROLES[role];
    if (builtIn.id !== ROLES[role]) {
        throw new Error(`roleDefinitions.ts has ${builtIn.id} for ${role}, grants.ts ${ROLES[role]}: fix one`);
    }
    return { roleName: builtIn.roleName, permissions: builtIn };
}

/** Where a grant sits, said from the cluster's side (`the cluster`, `resource group rg`, `namespace default`). */
export function scopeLabel(scope: string, cluster: ClusterUnderTest): string {
    if (scope.toLowerCase() === cluster.id.toLowerCase()) {
        return "the cluster";
    }
    if (scopeCovers(cluster.id, scope)) {
        return scope.slice(cluster.id.length + 1).replace(/^namespaces\//, "namespace ");
    }
    const group = /\/resourceGroups\/([^/]+)$/i.exec(scope);
    return group ? `resource group ${group[1]}` : scope;
}

/** What `plan` holds on `cluster`, for every danger. */
function cellsFor(
    plan: IdentityPlan,
    cluster: ClusterUnderTest,
    resolved: readonly ResolvedGrant[],
): Record<DangerKey, Cell> {
    const cells = {} as Record<DangerKey, Cell>;
    for (const danger of DANGERS) {
        // cluster-admin through the admin group reads Secrets too: Kubernetes RBAC, not an Azure data action.
        const admin = plan.adminGroups
            .filter((group) => group.environment === cluster.environment)
            .map((group) => `member of admin group ${group.name}`);
        let via: string[];
        if (danger.key === "kubernetesClusterAdmin") {
            via = admin;
        } else if (danger.key === "listClusterUserCredentialWithLocalAccounts" && cluster.localAccountsDisabled) {
            via = [];
        } else {
            via = resolved
                .filter(({ grant }) =>
                    danger.plane === "data"
                        ? // Kubernetes data actions apply at the cluster and within a namespace of it.
                          scopeCovers(grant.scope, cluster.id) || scopeCovers(cluster.id, grant.scope)
                        : scopeCovers(grant.scope, cluster.id),
                )
                .filter(({ permissions }) => roleAllows(permissions, danger.operation, danger.plane))
                .filter(
                    ({ grant }) =>
                        danger.key !== "roleAssignmentsWriteOutsideCondition" ||
                        roleAssignmentWriteLimit(grant.condition) === undefined,
                )
                .map(({ grant, roleName }) => `${roleName} at ${scopeLabel(grant.scope, cluster)}`);
            if (danger.key === "kubernetesSecrets") {
                via.push(...admin.map((membership) => `${membership} (cluster-admin)`));
            }
        }
        cells[danger.key] = { holds: via.length > 0, via };
    }
    return cells;
}

/** Every identity × every cluster: what each holds. The preview's rows must be all "no". */
export function accessMatrix(
    plans: readonly IdentityPlan[],
    environments: readonly Environment[],
    subscriptionId: string,
): MatrixRow[] {
    const byName = new Map(environments.map((env) => [env.name, env]));
    const clusters = clustersOf(subscriptionId, environments);
    return plans.flatMap((plan) => {
        const resolved = plan.grants.map((grant) => ({
            grant,
            ...permissionsOf(grant.role, byName.get(grant.environment)),
        }));
        return clusters.map((cluster) => ({
            identity: plan.identity,
            kind: plan.kind,
            cluster,
            cells: cellsFor(plan, cluster, resolved),
        }));
    });
}

/** The roles a deploy identity may hand out (its conditions' GUIDs), and what each of them allows of the dangers. */
export function delegatedDangers(plans: readonly IdentityPlan[]): { role: string; dangers: DangerKey[] }[] {
    const known = new Map([[OPENAI_USER.id, OPENAI_USER]]);
    const guids = new Set(
        plans.flatMap((plan) => plan.grants.flatMap((grant) => roleAssignmentWriteLimit(grant.condition) ?? [])),
    );
    return [...guids].map((guid) => {
        const role = known.get(guid);
        if (role === undefined) {
            throw new Error(`a condition lets a deploy identity assign role ${guid}, whose permissions are not known`);
        }
        return {
            role: role.roleName,
            dangers: DANGERS.filter(
                (danger) => danger.operation !== undefined && roleAllows(role, danger.operation, danger.plane),
            ).map((danger) => danger.key),
        };
    });
}
