import * as authorization from "@pulumi/azure-native/authorization";
import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";

import {
    clusterOperatorRole,
    configProblems,
    GITHUB_ISSUER,
    grantResourceName,
    identityPlans,
    ROLES,
    TOKEN_EXCHANGE_AUDIENCE,
    type Environment,
    type IdentityPlan,
    type RoleName,
} from "./grants";
import { clusterOperatorPermissions } from "./roleDefinitions";

/**
 * One-time setup for the repository's GitHub workflows, run by an administrator: Entra applications that GitHub
 * Actions signs in as through OpenID Connect federation (no client secret is ever created), with least privilege.
 *
 * - One preview application, trusted for `repo:<owner>/<repo>:pull_request`: Reader-level in every environment, so a
 *   workflow changed in a pull request can read but never change infrastructure, nor become cluster-admin.
 * - One deploy application per environment (= stack = GitHub environment), trusted only for
 *   `repo:<owner>/<repo>:environment:<stack>`, with what `pulumi up` of that stack needs and no more; for a stack that
 *   creates its cluster, an Entra group (its only member) that the cluster lists as its admin group.
 *
 * What each identity ends up able to do is computed from the same plans in docs/github-oidc-access.md.
 */
export = async () => {
    const config = new pulumi.Config();
    const repository = config.require("repository");
    const environments = config.requireObject<Environment[]>("environments");
    const problems = configProblems(repository, environments);
    if (problems.length > 0) {
        throw new pulumi.RunError(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
    }

    const client = await authorization.getClientConfig();
    const subscriptionId = client.subscriptionId;
    const appName = repository.replace("/", "-");
    const byName = new Map(environments.map((env) => [env.name, env]));

    let previewClientId: pulumi.Output<string> | undefined;
    const deployClientIds: Record<string, pulumi.Output<string>> = {};
    const adminGroupObjectIds: Record<string, pulumi.Output<string>> = {};
    for (const plan of identityPlans(repository, subscriptionId, environments)) {
        const app = federatedApplication(`${appName}-${plan.identity}`, [plan.subject]);
        const env = plan.environment === undefined ? undefined : byName.get(plan.environment);
        if (env === undefined) {
            previewClientId = app.clientId;
        } else {
            deployClientIds[env.name] = app.clientId;
        }
        // The deploy identity's custom cluster role: managedClusters/* of the built-in AKS Contributor would also
        // hand it listClusterAdminCredential and runCommand, which no step of the program calls.
        const operator = env
            ? clusterOperatorDefinition(`${appName}-${plan.identity}`, repository, subscriptionId, env)
            : undefined;
        grant(plan, app.principalId, subscriptionId, operator);
        for (const group of plan.adminGroups) {
            const adminGroup = new azuread.Group(`${appName}-${group.name}`, {
                displayName: `${appName}-${group.name}`,
                description: `aadProfile.adminGroupObjectIDs of stack ${group.environment}'s cluster: ${group.reason}.`,
                securityEnabled: true,
                // Never the deploy identity as owner: an owner can change the members, and so who is cluster-admin.
                // Left unset, the provider makes whoever runs the bootstrap the owner.
                members: [app.principalId],
                preventDuplicateNames: true,
            });
            adminGroupObjectIds[group.environment] = adminGroup.objectId;
        }
    }
    if (previewClientId === undefined) {
        throw new Error("identityPlans listed no preview identity");
    }

    // What the workflows read, as repository and environment variables (ids, not secrets).
    const setup = pulumi
        .all([previewClientId, pulumi.all(deployClientIds)])
        .apply(([previewId, deployIds]) =>
            [
                `gh variable set AZURE_TENANT_ID -R ${repository} --body ${client.tenantId}`,
                `gh variable set AZURE_SUBSCRIPTION_ID -R ${repository} --body ${subscriptionId}`,
                `gh variable set AZURE_PREVIEW_CLIENT_ID -R ${repository} --body ${previewId}`,
                ...Object.entries(deployIds).map(
                    ([env, id]) => `gh variable set AZURE_CLIENT_ID -R ${repository} --env ${env} --body ${id}`,
                ),
            ].join("\n"),
        );
    // What the main project's stacks that create their cluster read: the admin group their cluster lists.
    const stackConfiguration = pulumi.all(adminGroupObjectIds).apply((ids) =>
        Object.entries(ids)
            .map(
                ([env, id]) =>
                    `(cd ../.. && pulumi config set --stack ${env} --path 'cluster.adminGroupObjectIds[0]' ${id})`,
            )
            .join("\n"),
    );

    return {
        tenantId: client.tenantId,
        subscriptionId,
        previewClientId,
        deployClientIds,
        adminGroupObjectIds,
        githubVariables: setup,
        stackConfiguration,
    };
};

/** An Entra application and its service principal, trusted for exactly `subjects` of GitHub's issuer. */
function federatedApplication(
    name: string,
    subjects: readonly string[],
): { clientId: pulumi.Output<string>; principalId: pulumi.Output<string> } {
    const application = new azuread.Application(name, { displayName: name, signInAudience: "AzureADMyOrg" });
    const principal = new azuread.ServicePrincipal(name, { clientId: application.clientId });
    subjects.forEach(
        (subject, index) =>
            new azuread.ApplicationFederatedIdentityCredential(`${name}-${index}`, {
                applicationId: application.id,
                displayName: subject.replace(/[^A-Za-z0-9-]/g, "-").slice(0, 120),
                description: `GitHub Actions: ${subject}`,
                issuer: GITHUB_ISSUER,
                subject,
                audiences: [TOKEN_EXCHANGE_AUDIENCE],
            }),
    );
    return { clientId: application.clientId, principalId: principal.objectId };
}

/** The custom cluster operator role of one deploy identity, defined where it is assigned. */
function clusterOperatorDefinition(
    name: string,
    repository: string,
    subscriptionId: string,
    env: Environment,
): ClusterOperator {
    const role = clusterOperatorRole(repository, subscriptionId, env);
    const permissions = clusterOperatorPermissions(env.managedCluster === true);
    const definition = new authorization.RoleDefinition(`${name}-cluster-operator`, {
        roleDefinitionId: role.guid,
        roleName: role.roleName,
        description: `What pulumi up of stack ${env.name} calls on its AKS cluster, and nothing else (bootstrap/github-oidc).`,
        roleType: "CustomRole",
        scope: role.definitionScope,
        assignableScopes: [role.definitionScope],
        permissions: [
            {
                actions: [...permissions.actions],
                notActions: [...permissions.notActions],
                dataActions: [...permissions.dataActions],
                notDataActions: [...permissions.notDataActions],
            },
        ],
    });
    return { guid: role.guid, definition };
}

interface ClusterOperator {
    readonly guid: string;
    readonly definition: authorization.RoleDefinition;
}

/** The role assignments of one identity, exactly as its plan lists them. */
function grant(
    plan: IdentityPlan,
    principalId: pulumi.Output<string>,
    subscriptionId: string,
    clusterOperator: ClusterOperator | undefined,
) {
    const definitions = `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions`;
    for (const g of plan.grants) {
        const custom = g.role === "clusterOperator";
        if (custom && clusterOperator === undefined) {
            throw new Error(`${grantResourceName(plan, g)}: a cluster operator grant without its role definition`);
        }
        new authorization.RoleAssignment(
            grantResourceName(plan, g),
            {
                principalId,
                // A brand-new service principal is not replicated yet: without it ARM answers PrincipalNotFound.
                principalType: authorization.PrincipalType.ServicePrincipal,
                roleDefinitionId: `${definitions}/${custom ? clusterOperator?.guid : ROLES[g.role as Exclude<RoleName, "clusterOperator">]}`,
                scope: g.scope,
                ...(g.condition ? { condition: g.condition, conditionVersion: "2.0" } : {}),
            },
            custom && clusterOperator ? { dependsOn: [clusterOperator.definition] } : undefined,
        );
    }
}
