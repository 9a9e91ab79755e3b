import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import {
    configProblems,
    deployGrants,
    githubSubject,
    grantResourceName,
    identityPlans,
    previewGrants,
    roleAssignmentCondition,
    ROLES,
    type Environment,
} from "../bootstrap/github-oidc/grants";
import { projectStacks } from "../tools/ci/stacks";
import {
    ofType,
    PROJECT_ROOT,
    ProgramFailed,
    runProgram,
    stackConfig,
    type ProgramRun,
    type RegisteredResource,
} from "./support/program";
import { TEST_SUBSCRIPTION_ID, TEST_TENANT_ID } from "./support/world";

/**
 * bootstrap/github-oidc creates the Entra applications the workflows sign in as, federated with GitHub's OIDC issuer,
 * and grants each exactly what its job needs. Run under mocks with its sample stack (Pulumi.ci.yaml).
 */

const BOOTSTRAP_DIR = path.join(PROJECT_ROOT, "bootstrap", "github-oidc");
const BOOTSTRAP = { entry: path.join(BOOTSTRAP_DIR, "index"), project: "aks-openai-wi-github-oidc" };
/** The sample stack's repository is a placeholder the bootstrap refuses; the tests set a real-looking one. */
const REPO = "octo-org/aks-openai-wi";
const SUB = `/subscriptions/${TEST_SUBSCRIPTION_ID}`;
const DEV_RG = `${SUB}/resourceGroups/myResourceGroup`;
const DEV_CLUSTER = `${DEV_RG}/providers/Microsoft.ContainerService/managedClusters/myAKSCluster`;
const PROD_RG = `${SUB}/resourceGroups/rg-store-prod`;

function runBootstrap(config: Record<string, unknown> = {}): Promise<ProgramRun> {
    return runProgram({
        program: BOOTSTRAP,
        stack: "ci",
        config: {
            ...stackConfig("ci", BOOTSTRAP_DIR),
            "aks-openai-wi-github-oidc:repository": REPO,
            ...config,
        },
    });
}

/** The application a resource of `run` belongs to, by display name. */
function application(run: ProgramRun, displayName: string): RegisteredResource {
    const found = ofType(run.resources, "azuread:index/application:Application").find(
        (app) => app.inputs.displayName === displayName,
    );
    assert.ok(found, `no application ${displayName}`);
    return found;
}

function credentialsOf(run: ProgramRun, app: RegisteredResource): Record<string, unknown>[] {
    return ofType(
        run.resources,
        "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential",
    )
        .filter((fic) => fic.inputs.applicationId === app.id)
        .map((fic) => ({ issuer: fic.inputs.issuer, subject: fic.inputs.subject, audiences: fic.inputs.audiences }));
}

/** The role assignments of the service principal of application `displayName`, as role name @ scope. */
function grantsOf(run: ProgramRun, displayName: string): string[] {
    const app = application(run, displayName);
    const principal = ofType(run.resources, "azuread:index/servicePrincipal:ServicePrincipal").find(
        (sp) => sp.inputs.clientId === app.state.clientId,
    );
    assert.ok(principal);
    const roleNames: Record<string, string> = Object.fromEntries(
        Object.entries(ROLES).map(([name, guid]) => [guid, name]),
    );
    for (const definition of ofType(run.resources, "azure-native:authorization:RoleDefinition")) {
        roleNames[String(definition.inputs.roleDefinitionId)] = `custom:${String(definition.inputs.roleName)}`;
    }
    return ofType(run.resources, "azure-native:authorization:RoleAssignment")
        .filter((ra) => ra.inputs.principalId === principal.state.objectId)
        .map((ra) => {
            const guid = String(ra.inputs.roleDefinitionId).split("/").at(-1) ?? "";
            return `${roleNames[guid] ?? guid} @ ${String(ra.inputs.scope)}`;
        })
        .sort();
}

describe("the GitHub OIDC bootstrap", () => {
    it("trusts the preview application for pull requests of the repository only", async () => {
        const run = await runBootstrap();
        assert.deepEqual(credentialsOf(run, application(run, "octo-org-aks-openai-wi-preview")), [
            {
                issuer: "https://token.actions.githubusercontent.com",
                subject: "repo:octo-org/aks-openai-wi:pull_request",
                audiences: ["api://AzureADTokenExchange"],
            },
        ]);
    });

    it("trusts one deploy application per stack, for that stack's GitHub environment only", async () => {
        const run = await runBootstrap();
        for (const stack of ["dev", "prod"]) {
            assert.deepEqual(credentialsOf(run, application(run, `octo-org-aks-openai-wi-deploy-${stack}`)), [
                {
                    issuer: "https://token.actions.githubusercontent.com",
                    subject: `repo:octo-org/aks-openai-wi:environment:${stack}`,
                    audiences: ["api://AzureADTokenExchange"],
                },
            ]);
        }
        assert.equal(ofType(run.resources, "azuread:index/application:Application").length, 3);
    });

    it("creates no secret: no application password, no service principal password or certificate", async () => {
        const run = await runBootstrap();
        assert.deepEqual(
            run.resources.filter((r) => /Password|Certificate/.test(r.type)).map((r) => r.type),
            [],
        );
        for (const app of ofType(run.resources, "azuread:index/application:Application")) {
            assert.equal(app.inputs.password, undefined);
        }
    });

    it("lets previews read, fetch the Entra kubeconfig and read Kubernetes objects (no Secrets); nothing more", async () => {
        const run = await runBootstrap();
        assert.deepEqual(grantsOf(run, "octo-org-aks-openai-wi-preview"), [
            `aksClusterUser @ ${DEV_CLUSTER}`,
            `aksClusterUser @ ${PROD_RG}`,
            `aksRbacReader @ ${DEV_CLUSTER}/namespaces/default`,
            `aksRbacReader @ ${PROD_RG}`,
            `reader @ ${DEV_RG}`,
            `reader @ ${PROD_RG}`,
        ]);
    });

    it("gives the dev deployer what pulumi up needs on an existing cluster and account", async () => {
        const run = await runBootstrap();
        assert.deepEqual(grantsOf(run, "octo-org-aks-openai-wi-deploy-dev"), [
            `aksClusterUser @ ${DEV_CLUSTER}`,
            `aksRbacWriter @ ${DEV_CLUSTER}/namespaces/default`,
            `custom:aks-openai-wi cluster operator (octo-org/aks-openai-wi, dev) @ ${DEV_CLUSTER}`,
            `managedIdentityContributor @ ${DEV_RG}`,
            `rbacAdministrator @ ${DEV_RG}`,
        ]);
    });

    it("gives the prod deployer the resource-group roles to create its cluster and account", async () => {
        const run = await runBootstrap();
        assert.deepEqual(grantsOf(run, "octo-org-aks-openai-wi-deploy-prod"), [
            `aksClusterUser @ ${PROD_RG}`,
            `cognitiveServicesContributor @ ${PROD_RG}`,
            `custom:aks-openai-wi cluster operator (octo-org/aks-openai-wi, prod) @ ${PROD_RG}`,
            `managedIdentityContributor @ ${PROD_RG}`,
            `rbacAdministrator @ ${PROD_RG}`,
        ]);
    });

    it("defines each deployer's cluster role with read and write only, and delete only where the stack owns the cluster", async () => {
        const run = await runBootstrap();
        const definitions = ofType(run.resources, "azure-native:authorization:RoleDefinition").map((definition) => ({
            roleName: definition.inputs.roleName,
            roleType: definition.inputs.roleType,
            scope: definition.inputs.scope,
            assignableScopes: definition.inputs.assignableScopes,
            permissions: definition.inputs.permissions,
        }));
        const permissions = (...actions: string[]) => [
            { actions, notActions: [], dataActions: [], notDataActions: [] },
        ];
        assert.deepEqual(definitions, [
            {
                roleName: "aks-openai-wi cluster operator (octo-org/aks-openai-wi, dev)",
                roleType: "CustomRole",
                // A custom role is assignable at resource groups, not at a resource; the grant sits on the cluster.
                scope: DEV_RG,
                assignableScopes: [DEV_RG],
                permissions: permissions(
                    "Microsoft.ContainerService/managedClusters/read",
                    "Microsoft.ContainerService/managedClusters/write",
                ),
            },
            {
                roleName: "aks-openai-wi cluster operator (octo-org/aks-openai-wi, prod)",
                roleType: "CustomRole",
                scope: PROD_RG,
                assignableScopes: [PROD_RG],
                permissions: permissions(
                    "Microsoft.ContainerService/managedClusters/read",
                    "Microsoft.ContainerService/managedClusters/write",
                    "Microsoft.ContainerService/managedClusters/delete",
                ),
            },
        ]);
    });

    it("assigns each custom role by the GUID it was defined with, after defining it", async () => {
        const run = await runBootstrap();
        for (const definition of ofType(run.resources, "azure-native:authorization:RoleDefinition")) {
            const guid = String(definition.inputs.roleDefinitionId);
            assert.match(guid, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
            const assignments = ofType(run.resources, "azure-native:authorization:RoleAssignment").filter(
                (ra) =>
                    ra.inputs.roleDefinitionId === `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
            );
            assert.equal(assignments.length, 1, String(definition.inputs.roleName));
            assert.ok(assignments[0].dependencies.includes(definition.urn), "the assignment waits for its role");
        }
    });

    it("makes the prod deployer the only member of the admin group of the cluster prod creates, and exports its id", async () => {
        const run = await runBootstrap();
        const groups = ofType(run.resources, "azuread:index/group:Group");
        assert.deepEqual(
            groups.map((group) => group.inputs.displayName),
            ["octo-org-aks-openai-wi-prod-cluster-admins"],
        );
        const [group] = groups;
        const deployProd = application(run, "octo-org-aks-openai-wi-deploy-prod");
        const principal = ofType(run.resources, "azuread:index/servicePrincipal:ServicePrincipal").find(
            (sp) => sp.inputs.clientId === deployProd.state.clientId,
        );
        assert.ok(principal);
        assert.deepEqual(group.inputs.members, [principal.state.objectId]);
        assert.equal(group.inputs.securityEnabled, true);
        // Not an owner: an owner could change who is cluster-admin.
        assert.equal(group.inputs.owners, undefined);
        assert.deepEqual(run.outputs.adminGroupObjectIds, { prod: group.state.objectId });
        assert.equal(
            run.outputs.stackConfiguration,
            `(cd ../.. && pulumi config set --stack prod --path 'cluster.adminGroupObjectIds[0]' ${String(group.state.objectId)})`,
        );
    });

    it("registers exactly the grants the plans list, which the access table is computed from", async () => {
        const run = await runBootstrap();
        const environments = stackConfig("ci", BOOTSTRAP_DIR)[
            "aks-openai-wi-github-oidc:environments"
        ] as Environment[];
        const plans = identityPlans(REPO, TEST_SUBSCRIPTION_ID, environments);
        const planned = plans.flatMap((plan) => plan.grants.map((grant) => grantResourceName(plan, grant))).sort();
        const registered = ofType(run.resources, "azure-native:authorization:RoleAssignment")
            .map((ra) => ra.name)
            .sort();
        assert.deepEqual(registered, planned);
        assert.equal(
            ofType(run.resources, "azuread:index/group:Group").length,
            plans.flatMap((plan) => plan.adminGroups).length,
        );
    });

    it("keeps the preview's released role assignment names", async () => {
        const run = await runBootstrap();
        const names = ofType(run.resources, "azure-native:authorization:RoleAssignment")
            .map((ra) => ra.name)
            .filter((name) => name.startsWith("preview-"))
            .sort();
        assert.deepEqual(names, [
            "preview-dev-dev-cluster-user",
            "preview-dev-dev-k8s-reader",
            "preview-dev-dev-reader",
            "preview-prod-prod-cluster-user",
            "preview-prod-prod-k8s-reader",
            "preview-prod-prod-reader",
        ]);
    });

    it("lets deployers assign only the OpenAI User role, only to service principals (ABAC condition)", async () => {
        const run = await runBootstrap();
        const rbacAdmins = ofType(run.resources, "azure-native:authorization:RoleAssignment").filter((ra) =>
            String(ra.inputs.roleDefinitionId).endsWith(ROLES.rbacAdministrator),
        );
        assert.equal(rbacAdmins.length, 2);
        for (const ra of rbacAdmins) {
            assert.equal(ra.inputs.conditionVersion, "2.0");
            assert.equal(ra.inputs.condition, roleAssignmentCondition("5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"));
        }
    });

    it("never grants Owner, Contributor or User Access Administrator, and nothing at subscription scope", async () => {
        const run = await runBootstrap();
        const broad = [
            "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
            "b24988ac-6180-42a0-ab88-20f7382dd24c",
            "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
        ];
        for (const ra of ofType(run.resources, "azure-native:authorization:RoleAssignment")) {
            assert.ok(!broad.some((guid) => String(ra.inputs.roleDefinitionId).endsWith(guid)), ra.name);
            assert.match(String(ra.inputs.scope), /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+/, ra.name);
            assert.match(
                String(ra.inputs.roleDefinitionId),
                new RegExp(`^${SUB}/providers/Microsoft\\.Authorization/roleDefinitions/[0-9a-f-]{36}$`),
            );
            assert.equal(ra.inputs.principalType, "ServicePrincipal", ra.name);
        }
    });

    it("prints the GitHub variables the workflows read", async () => {
        const run = await runBootstrap();
        const previewId = application(run, "octo-org-aks-openai-wi-preview").state.clientId;
        const devId = application(run, "octo-org-aks-openai-wi-deploy-dev").state.clientId;
        const prodId = application(run, "octo-org-aks-openai-wi-deploy-prod").state.clientId;
        assert.equal(
            run.outputs.githubVariables,
            [
                `gh variable set AZURE_TENANT_ID -R ${REPO} --body ${TEST_TENANT_ID}`,
                `gh variable set AZURE_SUBSCRIPTION_ID -R ${REPO} --body ${TEST_SUBSCRIPTION_ID}`,
                `gh variable set AZURE_PREVIEW_CLIENT_ID -R ${REPO} --body ${String(previewId)}`,
                `gh variable set AZURE_CLIENT_ID -R ${REPO} --env dev --body ${String(devId)}`,
                `gh variable set AZURE_CLIENT_ID -R ${REPO} --env prod --body ${String(prodId)}`,
            ].join("\n"),
        );
    });

    it("sets every Azure variable the workflows read", async () => {
        const run = await runBootstrap();
        const workflows = ["preview.yml", "deploy.yml"]
            .map((file) => readFileSync(path.join(PROJECT_ROOT, ".github", "workflows", file), "utf8"))
            .join("\n");
        const read = new Set([...workflows.matchAll(/vars\.(AZURE_[A-Z_]+)/g)].map((m) => m[1]));
        const set = new Set([...String(run.outputs.githubVariables).matchAll(/variable set (\S+)/g)].map((m) => m[1]));
        assert.deepEqual([...read].sort(), [...set].sort());
    });

    it("covers every stack of this project in its sample configuration", () => {
        const environments = (
            stackConfig("ci", BOOTSTRAP_DIR)["aks-openai-wi-github-oidc:environments"] as {
                name: string;
            }[]
        ).map((env) => env.name);
        assert.deepEqual(environments.sort(), projectStacks().sort());
    });

    it("refuses an existing cluster with local accounts, naming the key, the value and the az fix, before creating anything", async () => {
        try {
            await runBootstrap({
                "aks-openai-wi-github-oidc:environments": [
                    {
                        name: "dev",
                        resourceGroupName: "myResourceGroup",
                        clusterName: "myAKSCluster",
                        localAccountsDisabled: false,
                    },
                ],
            });
            assert.fail("the bootstrap accepted a cluster with local accounts");
        } catch (error) {
            assert.ok(error instanceof ProgramFailed, String(error));
            assert.match(
                error.message,
                /environments\[dev\]\.localAccountsDisabled = false: on a cluster with local accounts, listClusterUserCredential can return a cluster-admin client certificate, and the preview identity, which the workflow of any pull request signs in as, needs that credential to preview stack dev\. Fix: turn local accounts off \(az aks update -g myResourceGroup -n myAKSCluster --disable-local-accounts;/,
            );
            assert.deepEqual(
                error.resources.filter((r) => r.type !== "pulumi:pulumi:Stack"),
                [],
            );
        }
    });

    it("refuses a malformed repository and an environment without its cluster, before creating anything", async () => {
        try {
            await runBootstrap({
                "aks-openai-wi-github-oidc:repository": "https://github.com/octo-org/aks-openai-wi",
                "aks-openai-wi-github-oidc:environments": [
                    { name: "dev", resourceGroupName: "rg", localAccountsDisabled: true },
                ],
            });
            assert.fail("the bootstrap succeeded");
        } catch (error) {
            assert.ok(error instanceof ProgramFailed, String(error));
            assert.match(
                error.message,
                /repository = "https:\/\/github\.com\/octo-org\/aks-openai-wi": use <owner>\/<repo>/,
            );
            assert.match(error.message, /environments\[dev\]\.clusterName is required unless managedCluster is true/);
            assert.deepEqual(
                error.resources.filter((r) => r.type !== "pulumi:pulumi:Stack"),
                [],
            );
        }
    });
});

describe("the sample repository placeholder", () => {
    it("is refused as it ships, naming the key, the value and the fix, before creating anything", async () => {
        const sample = stackConfig("ci", BOOTSTRAP_DIR)["aks-openai-wi-github-oidc:repository"];
        assert.equal(sample, "contoso/aks-openai-wi");
        try {
            await runBootstrap({ "aks-openai-wi-github-oidc:repository": sample });
            assert.fail("the bootstrap accepted the placeholder repository");
        } catch (error) {
            assert.ok(error instanceof ProgramFailed, String(error));
            assert.match(
                error.message,
                /repository = "contoso\/aks-openai-wi" is the sample's placeholder: the applications would trust the workflows of a repository that is not yours\. Fix: pulumi config set repository <owner>\/<repo>/,
            );
            assert.deepEqual(
                error.resources.filter((r) => r.type !== "pulumi:pulumi:Stack"),
                [],
            );
        }
    });

    it("is explained in the project's README, with every key of the sample stack file", () => {
        const readme = readFileSync(path.join(BOOTSTRAP_DIR, "README.md"), "utf8");
        for (const key of Object.keys(stackConfig("ci", BOOTSTRAP_DIR))) {
            const name = key.slice(key.indexOf(":") + 1);
            assert.ok(readme.includes(`| \`${name}\``), `README.md has no row for ${name}`);
        }
        assert.match(readme, /The program\s+refuses it/);
        assert.match(readme, /pulumi config set repository /);
    });

    it("is refused under any of the example organizations, in any case", () => {
        for (const repository of ["Contoso/store", "fabrikam/aks-openai-wi", "example/x"]) {
            assert.match(configProblemsOf(repository), /is the sample's placeholder/, repository);
        }
        assert.equal(configProblemsOf("octo-org/aks-openai-wi"), "");
    });
});

describe("the local-accounts rule", () => {
    const existing = { name: "dev", resourceGroupName: "rg", clusterName: "aks" };

    it("requires localAccountsDisabled for an existing cluster, with the az command that shows it", () => {
        assert.deepEqual(configProblems(REPO, [existing]), [
            "environments[dev].localAccountsDisabled is required for an existing cluster: with local accounts on, " +
                "the user kubeconfig the identities fetch can be a cluster-admin certificate. Fix: check with " +
                "az aks show -g rg -n aks --query disableLocalAccounts, and set localAccountsDisabled: true once it prints true",
        ]);
    });

    it("defaults a cluster the stack creates to Entra-only, and refuses one stated to keep local accounts", () => {
        assert.deepEqual(configProblems(REPO, [{ name: "prod", resourceGroupName: "rg", managedCluster: true }]), []);
        assert.deepEqual(
            configProblems(REPO, [
                { name: "prod", resourceGroupName: "rg", managedCluster: true, localAccountsDisabled: false },
            ]),
            [
                "environments[prod].localAccountsDisabled = false: on a cluster with local accounts, " +
                    "listClusterUserCredential can return a cluster-admin client certificate, and the preview identity, " +
                    "which the workflow of any pull request signs in as, needs that credential to preview stack prod. " +
                    "Fix: keep the cluster of stack prod Entra-only (do not turn its local accounts on in Pulumi.prod.yaml) " +
                    "and remove localAccountsDisabled: false here.",
            ],
        );
    });

    it("refuses a quoted boolean and a misspelt key instead of reading them as unset", () => {
        assert.deepEqual(
            configProblems(REPO, [
                { ...existing, localAccountsDisabled: "true" as unknown as boolean },
                {
                    name: "qa",
                    resourceGroupName: "rg",
                    managedCluster: true,
                    localAccountDisabled: true,
                } as Environment,
            ]),
            [
                'environments[dev].localAccountsDisabled = "true": use true or false (YAML booleans, unquoted)',
                "environments[qa] has unknown key(s) localAccountDisabled. Fix: use only name, resourceGroupName, " +
                    "clusterName, namespace, managedCluster, managedOpenAi, localAccountsDisabled",
            ],
        );
    });

    it("is enforced by the grant builders themselves, not only by configProblems", () => {
        assert.throws(() => previewGrants(TEST_SUBSCRIPTION_ID, existing), /localAccountsDisabled is required/);
        assert.throws(
            () => deployGrants(TEST_SUBSCRIPTION_ID, { ...existing, localAccountsDisabled: false }),
            /localAccountsDisabled = false/,
        );
    });
});

describe("GitHub OIDC subjects", () => {
    it("are GitHub's sub claim for a pull request and for a job in an environment", () => {
        assert.equal(githubSubject(REPO, { pullRequest: true }), "repo:octo-org/aks-openai-wi:pull_request");
        assert.equal(githubSubject(REPO, { environment: "prod" }), "repo:octo-org/aks-openai-wi:environment:prod");
    });
});

/** The bootstrap's problems for `repository` with one valid environment, joined. */
function configProblemsOf(repository: string): string {
    return configProblems(repository, [
        { name: "dev", resourceGroupName: "rg", clusterName: "aks", localAccountsDisabled: true },
    ]).join("\n");
}
