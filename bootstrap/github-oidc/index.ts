import * as authorization from "@pulumi/azure-native/authorization";
import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";

import {
    configProblems,
    deployGrants,
    GITHUB_ISSUER,
    githubSubject,
    previewGrants,
    ROLES,
    TOKEN_EXCHANGE_AUDIENCE,
    type Environment,
    type Grant,
} from "./grants";

/**
 * One-time setup for the repository's GitHub workflows, run by an administrator: Entra applications that GitHub
 * Actions signs in as through OpenID Connect federation (no client secret is ever created), with least privilege.
 *
 * - One preview application, trusted for `repo:<owner>/<repo>:pull_request`: Reader-level in every environment, so a
 *   workflow changed in a pull request can read but never change infrastructure.
 * - One deploy application per environment (= stack = GitHub environment), trusted only for
 *   `repo:<owner>/<repo>:environment:<stack>`, with what `pulumi up` of that stack needs and no more.
 *
 * The same idea the main project applies to pods: a token the platform issues (GitHub's, the kubelet's) is exchanged
 * for an Entra token because a federated credential names its exact issuer and subject.
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
    const appName = repository.replace("/", "-");

    const preview = federatedApplication(`${appName}-preview`, [githubSubject(repository, { pullRequest: true })]);
    for (const env of environments) {
        grant(
            `preview-${env.name}`,
            preview.principalId,
            client.subscriptionId,
            previewGrants(client.subscriptionId, env),
        );
    }

    const deployers: Record<string, pulumi.Output<string>> = {};
    for (const env of environments) {
        const deploy = federatedApplication(`${appName}-deploy-${env.name}`, [
            githubSubject(repository, { environment: env.name }),
        ]);
        grant(
            `deploy-${env.name}`,
            deploy.principalId,
            client.subscriptionId,
            deployGrants(client.subscriptionId, env),
        );
        deployers[env.name] = deploy.clientId;
    }

    // What the workflows read, as repository and environment variables (ids, not secrets).
    const setup = pulumi
        .all([preview.clientId, pulumi.all(deployers)])
        .apply(([previewClientId, deployClientIds]) =>
            [
                `gh variable set AZURE_TENANT_ID -R ${repository} --body ${client.tenantId}`,
                `gh variable set AZURE_SUBSCRIPTION_ID -R ${repository} --body ${client.subscriptionId}`,
                `gh variable set AZURE_PREVIEW_CLIENT_ID -R ${repository} --body ${previewClientId}`,
                ...Object.entries(deployClientIds).map(
                    ([env, id]) => `gh variable set AZURE_CLIENT_ID -R ${repository} --env ${env} --body ${id}`,
                ),
            ].join("\n"),
        );

    return {
        tenantId: client.tenantId,
        subscriptionId: client.subscriptionId,
        previewClientId: preview.clientId,
        deployClientIds: deployers,
        githubVariables: setup,
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

function grant(prefix: string, principalId: pulumi.Output<string>, subscriptionId: string, grants: readonly Grant[]) {
    for (const g of grants) {
        new authorization.RoleAssignment(`${prefix}-${g.name}`, {
            principalId,
            // A brand-new service principal is not replicated yet: without it ARM answers PrincipalNotFound.
            principalType: authorization.PrincipalType.ServicePrincipal,
            roleDefinitionId: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${ROLES[g.role]}`,
            scope: g.scope,
            ...(g.condition ? { condition: g.condition, conditionVersion: "2.0" } : {}),
        });
    }
}
