/**
 * docs/github-oidc-access.md, rendered from the same plans index.ts registers and the analysis in permissions.ts. The
 * text around the tables is here too, so that the file is regenerated whole (tools/docs/githubOidcAccess.ts) and a
 * test fails when it differs from what is committed.
 */

import type { Environment, IdentityPlan } from "./grants";
import {
    accessMatrix,
    clustersOf,
    DANGERS,
    delegatedDangers,
    permissionsOf,
    roleAssignmentWriteLimit,
    type ClusterUnderTest,
    type MatrixRow,
} from "./permissions";
import { clusterOperatorPermissions, GRANTED_BUILT_IN_ROLES, OPENAI_USER } from "./roleDefinitions";

export const GENERATED_BY = "npm run docs:github-oidc";

/** A scope as a reader says it: resource group, cluster, or namespace of a cluster. */
export function describeScope(scope: string): string {
    const match =
        /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)(?:\/providers\/Microsoft\.ContainerService\/managedClusters\/([^/]+)(?:\/namespaces\/([^/]+))?)?$/i.exec(
            scope,
        );
    if (match === null) {
        return scope;
    }
    const [, group, cluster, namespace] = match;
    if (namespace !== undefined) {
        return `namespace \`${namespace}\` of cluster \`${cluster}\``;
    }
    return cluster !== undefined ? `cluster \`${cluster}\`` : `resource group \`${group}\``;
}

function clusterLabel(cluster: ClusterUnderTest): string {
    const name = cluster.id.split("/").at(-1) ?? cluster.id;
    return `${cluster.environment}: \`${name}\` (local accounts ${cluster.localAccountsDisabled ? "off" : "ON"})`;
}

/** A table cell: `no`, or `**yes**` and through what. */
function cellText(row: MatrixRow, key: (typeof DANGERS)[number]["key"]): string {
    const cell = row.cells[key];
    return cell.holds ? `**yes**: ${cell.via.join("; ")}` : "no";
}

/** What an ABAC condition lets the grant do, from the condition itself. */
function conditionNote(condition: string | undefined): string {
    if (condition === undefined) {
        return "";
    }
    const limit = roleAssignmentWriteLimit(condition);
    if (limit === undefined) {
        return " (with an ABAC condition that does not limit roleAssignments/write)";
    }
    const names = limit.map((guid) => (guid === OPENAI_USER.id ? OPENAI_USER.roleName : guid));
    const principals = /PrincipalType\] ForAnyOfAnyValues:StringEqualsIgnoreCase \{'ServicePrincipal'\}/.test(condition)
        ? ", to service principals only"
        : "";
    return ` (ABAC condition: may assign only ${names.join(", ")}${principals})`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
    const line = (cells: readonly string[]) => `| ${cells.map((cell) => cell.replace(/\|/g, "\\|")).join(" | ")} |`;
    return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

export function renderAccessDoc(
    plans: readonly IdentityPlan[],
    environments: readonly Environment[],
    subscriptionId: string,
): string {
    const matrix = accessMatrix(plans, environments, subscriptionId);
    const byName = new Map(environments.map((env) => [env.name, env]));
    const dangerTable = table(
        ["Identity", "Cluster (stack)", ...DANGERS.map((danger) => danger.title)],
        matrix.map((row) => [
            row.identity,
            clusterLabel(row.cluster),
            ...DANGERS.map((danger) => cellText(row, danger.key)),
        ]),
    );
    const grantTable = table(
        ["Identity", "Role", "Scope", "Why"],
        plans.flatMap((plan) => [
            ...plan.grants.map((grant) => [
                plan.identity,
                permissionsOf(grant.role, byName.get(grant.environment)).roleName + conditionNote(grant.condition),
                describeScope(grant.scope),
                grant.reason,
            ]),
            ...plan.adminGroups.map((group) => [
                plan.identity,
                `member of Entra group \`<owner>-<repo>-${group.name}\``,
                `admin group of stack ${group.environment}'s cluster`,
                group.reason,
            ]),
        ]),
    );
    const delegated = delegatedDangers(plans)
        .map(
            ({ role, dangers }) =>
                `- ${role}: ${dangers.length === 0 ? "none of the dangerous actions" : dangers.join(", ")}.`,
        )
        .join("\n");
    const roleTable = table(
        ["Role", "GUID", "Actions", "NotActions", "DataActions", "Source"],
        Object.values(GRANTED_BUILT_IN_ROLES).map((role) => [
            role.roleName,
            `\`${role.id}\``,
            role.actions.map((action) => `\`${action}\``).join(", "),
            role.notActions.length === 0 ? "none" : role.notActions.map((action) => `\`${action}\``).join(", "),
            role.dataActions.length === 0 ? "none" : `${role.dataActions.length} (roleDefinitions.ts)`,
            role.source,
        ]),
    );
    const operator = (managed: boolean) =>
        clusterOperatorPermissions(managed)
            .actions.map((action) => `\`${action}\``)
            .join(", ");
    const clusters = clustersOf(subscriptionId, environments);

    return `# What the GitHub identities can do

<!-- Generated by \`${GENERATED_BY}\` from bootstrap/github-oidc (grants.ts, roleDefinitions.ts, permissions.ts) and its Pulumi.ci.yaml. Do not edit: run it again. tests/githubOidcAccessDoc.test.ts fails when this file is stale. -->

bootstrap/github-oidc creates one **preview** identity, which the workflow of any pull request signs in as, and one
**deploy** identity per stack, which only that stack's GitHub environment signs in as. This page lists every grant
the bootstrap makes for its sample configuration (\`Pulumi.ci.yaml\`) and computes, from each role's published
action lists, what each identity can do on each cluster. The computation matches wildcards as Azure does, lets a
role's NotActions subtract only from that role, applies an assignment to its scope and everything below it, and
honours an ABAC condition only for the actions it names.

## Dangerous actions, per identity and cluster

Every preview cell is "no": a pull request cannot become cluster-admin, run commands in a cluster, read Secrets or
hand out roles. A deploy identity holds what \`pulumi up\` of its stack calls, and only on that stack's cluster.

${dangerTable}

The clusters of the sample configuration:

${clusters.map((cluster) => `- ${clusterLabel(cluster)}`).join("\n")}

What each column means:

${DANGERS.map((danger) => `- **${danger.title}**: ${danger.why}.`).join("\n")}

## Every grant, and why

${grantTable}

A deploy identity may assign roles only within its ABAC condition. What the roles it may assign allow:

${delegated}

## Why these and not others

- **No "Azure Kubernetes Service Contributor Role".** Its \`Microsoft.ContainerService/managedClusters/*\` includes
  \`listClusterAdminCredential/action\` and \`runcommand/action\`, which no step of the program calls. Each deploy
  identity gets a custom role instead, "aks-openai-wi cluster operator", defined by the bootstrap in the stack's
  resource group (a custom role cannot be defined on a single resource) and assigned on the cluster.
  \`managedClusters/write\` cannot be split further in Azure: it could also turn local accounts back on or change the
  admin groups, but no grant lets the identity list the admin credential afterwards, and each deploy identity is a
  member of its own stack's admin group only.
  - existing cluster (the stack turns on the OIDC issuer and workload identity: an ETag-guarded read, then write):
    ${operator(false)}
  - cluster the stack creates (create, update, delete on destroy or replace): ${operator(true)}
- **The Cluster User role only on Entra-only clusters.** On a cluster with local accounts, the user kubeconfig that
  \`listClusterUserCredential\` returns can be a client certificate with cluster-admin rights. The bootstrap requires
  \`localAccountsDisabled\` to be stated for every existing cluster and refuses \`false\`, naming the az command that
  turns local accounts off.
- **An admin group for a cluster the stack creates.** The stack writes Kubernetes objects into a cluster it creates
  in the same \`pulumi up\`. Membership of a group in the cluster's \`aadProfile.adminGroupObjectIDs\` reaches the API
  server in the token's groups claim, so it works on the first request; a new Azure RBAC role assignment for
  Kubernetes authorization can take up to five minutes to propagate
  (https://learn.microsoft.com/azure/aks/manage-azure-rbac). The bootstrap creates one group per such stack, with the
  stack's deploy identity as its only member (the bootstrap's operator stays its owner), and prints the
  \`pulumi config set\` command for \`aks-openai-wi:cluster.adminGroupObjectIds\`.
- **Resource-group scope where the cluster does not exist yet.** A role assignment needs its scope to exist, so for a
  stack that creates its cluster the cluster roles sit on the resource group and reach every cluster in it. Keep
  such a resource group for that stack's cluster alone; another cluster in it, with local accounts on, would be
  reachable by the preview's user credential.
- **Managed Identity Contributor covers every user-assigned identity in the resource group**, and its federated
  credentials: keep identities with rights beyond the stack out of the stack's resource group.

## Role definitions used

Copied from Microsoft's published built-in role pages (sources below, with the date read). Built-in roles change
without notice; \`az role definition list --name "<role>" --query "[].permissions"\` shows the current lists.

${roleTable}
`;
}
