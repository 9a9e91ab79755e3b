import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";

import {
    identityPlans,
    roleAssignmentCondition,
    type Environment,
    type IdentityPlan,
} from "../bootstrap/github-oidc/grants";
import {
    accessMatrix,
    actionMatches,
    delegatedDangers,
    roleAllows,
    roleAssignmentWriteLimit,
    scopeCovers,
    type MatrixRow,
} from "../bootstrap/github-oidc/permissions";
import {
    AKS_CLUSTER_ADMIN,
    AKS_CLUSTER_USER,
    AKS_CONTRIBUTOR,
    AKS_RBAC_READER,
    AKS_RBAC_WRITER,
    CONTRIBUTOR,
    GRANTED_BUILT_IN_ROLES,
    RBAC_ADMINISTRATOR,
    READER,
} from "../bootstrap/github-oidc/roleDefinitions";
import { PROJECT_ROOT, stackConfig } from "./support/program";

/**
 * What the GitHub identities can do on each cluster, computed from the built-in roles' published action lists: every
 * cell of the preview identity is "no", and each deploy identity holds exactly what its stack's `pulumi up` calls.
 * The operations are spelled out here, not imported, so a wrong constant in permissions.ts cannot pass both sides.
 */

const LIST_ADMIN = "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action";
const LIST_USER = "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action";
const RUN_COMMAND = "Microsoft.ContainerService/managedClusters/runCommand/action";
const ASSIGN_ROLES = "Microsoft.Authorization/roleAssignments/write";
const SECRETS_READ = "Microsoft.ContainerService/managedClusters/secrets/read";
const SUB = "00000000-0000-0000-0000-000000000001";
const OPENAI_USER_GUID = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd";

const BOOTSTRAP_DIR = path.join(PROJECT_ROOT, "bootstrap", "github-oidc");
const SAMPLE = stackConfig("ci", BOOTSTRAP_DIR)["aks-openai-wi-github-oidc:environments"] as Environment[];

function matrixOf(environments: readonly Environment[]): MatrixRow[] {
    return accessMatrix(identityPlans("octo-org/aks-openai-wi", SUB, environments), environments, SUB);
}

/** A row as `key: yes (via) | no`, for assertions that read like the table. */
function summary(row: MatrixRow): Record<string, string> {
    return Object.fromEntries(
        Object.entries(row.cells).map(([key, cell]) => [key, cell.holds ? `yes: ${cell.via.join("; ")}` : "no"]),
    );
}

const ALL_NO = {
    listClusterAdminCredential: "no",
    listClusterUserCredentialWithLocalAccounts: "no",
    runCommand: "no",
    roleAssignmentsWriteOutsideCondition: "no",
    clusterWrite: "no",
    kubernetesSecrets: "no",
    kubernetesClusterAdmin: "no",
};

describe("Azure's action wildcard, as the analysis matches it", () => {
    it("matches an exact operation, in any letter case", () => {
        assert.equal(actionMatches(LIST_USER, LIST_USER), true);
        assert.equal(actionMatches("Microsoft.ContainerService/managedClusters/runcommand/action", RUN_COMMAND), true);
        assert.equal(actionMatches(LIST_USER, LIST_ADMIN), false);
    });

    it("lets a trailing * cover every operation below, however deep", () => {
        assert.equal(actionMatches("Microsoft.ContainerService/managedClusters/*", LIST_ADMIN), true);
        assert.equal(actionMatches("Microsoft.ContainerService/managedClusters/*", RUN_COMMAND), true);
        assert.equal(
            actionMatches("Microsoft.ContainerService/managedClusters/*", "Microsoft.ContainerService/fleets/read"),
            false,
        );
        assert.equal(actionMatches("*", ASSIGN_ROLES), true);
    });

    it("lets a leading or inner * stand for whole segments: */read is every read and no action", () => {
        assert.equal(actionMatches("*/read", "Microsoft.ContainerService/managedClusters/read"), true);
        assert.equal(actionMatches("*/read", LIST_USER), false);
        assert.equal(
            actionMatches("Microsoft.Authorization/*/read", "Microsoft.Authorization/roleAssignments/read"),
            true,
        );
        assert.equal(actionMatches("Microsoft.Authorization/*/read", ASSIGN_ROLES), false);
        assert.equal(actionMatches("Microsoft.Authorization/*/Write", ASSIGN_ROLES), true);
    });

    it("treats the dots and other characters of an operation literally", () => {
        assert.equal(actionMatches("Microsoft.Support/*", "MicrosoftXSupport/tickets/write"), false);
        assert.equal(
            actionMatches(
                "Microsoft.ContainerService/managedClusters/events.k8s.io/events/read",
                "Microsoft.ContainerService/managedClusters/eventsXk8sXio/events/read",
            ),
            false,
        );
    });
});

describe("a role's effective permissions", () => {
    it("subtract NotActions from that role's actions: Contributor cannot assign roles", () => {
        assert.equal(roleAllows(CONTRIBUTOR, ASSIGN_ROLES, "control"), false);
        assert.equal(roleAllows(CONTRIBUTOR, LIST_ADMIN, "control"), true);
    });

    it("keep control-plane actions and data actions apart", () => {
        assert.equal(roleAllows(AKS_RBAC_WRITER, SECRETS_READ, "data"), true);
        assert.equal(roleAllows(AKS_RBAC_WRITER, SECRETS_READ, "control"), false);
        assert.equal(roleAllows(READER, SECRETS_READ, "data"), false);
    });

    it("give AKS RBAC Reader no Secrets, and AKS Cluster User no admin credential", () => {
        assert.equal(roleAllows(AKS_RBAC_READER, SECRETS_READ, "data"), false);
        assert.equal(roleAllows(AKS_RBAC_READER, "Microsoft.ContainerService/managedClusters/pods/read", "data"), true);
        assert.equal(roleAllows(AKS_CLUSTER_USER, LIST_USER, "control"), true);
        assert.equal(roleAllows(AKS_CLUSTER_USER, LIST_ADMIN, "control"), false);
    });

    it("show why AKS Contributor is no longer granted: it lists the admin credential and runs commands", () => {
        assert.equal(roleAllows(AKS_CONTRIBUTOR, LIST_ADMIN, "control"), true);
        assert.equal(roleAllows(AKS_CONTRIBUTOR, RUN_COMMAND, "control"), true);
        assert.equal(roleAllows(AKS_CLUSTER_ADMIN, RUN_COMMAND, "control"), true);
    });
});

describe("role assignment scopes", () => {
    const group = `/subscriptions/${SUB}/resourceGroups/rg`;
    it("cover the scope itself and everything below it, without regard to case", () => {
        assert.equal(scopeCovers(group, group), true);
        assert.equal(scopeCovers(group, `${group}/providers/Microsoft.ContainerService/managedClusters/aks`), true);
        assert.equal(scopeCovers(group.toUpperCase(), `${group}/providers/x/y`), true);
    });

    it("do not cover a sibling whose name merely starts the same, nor anything above", () => {
        assert.equal(scopeCovers(group, `${group}2/providers/x/y`), false);
        assert.equal(scopeCovers(`${group}/providers/x/y`, group), false);
    });
});

describe("the ABAC condition on the deployers' role assignments", () => {
    it("limits roleAssignments/write to the OpenAI User role, as roleAssignmentCondition writes it", () => {
        assert.deepEqual(roleAssignmentWriteLimit(roleAssignmentCondition(OPENAI_USER_GUID)), [OPENAI_USER_GUID]);
    });

    it("limits nothing when absent, when OR-ed with another clause, or when it constrains only delete", () => {
        assert.equal(roleAssignmentWriteLimit(undefined), undefined);
        assert.equal(roleAssignmentWriteLimit(`${roleAssignmentCondition(OPENAI_USER_GUID)} OR (true)`), undefined);
        const deleteOnly = roleAssignmentCondition(OPENAI_USER_GUID).split(" AND ((!(ActionMatches")[1];
        assert.equal(roleAssignmentWriteLimit(`((!(ActionMatches${deleteOnly}`), undefined);
    });

    it("lets a deployer hand out only a role with none of the dangerous actions", () => {
        assert.deepEqual(delegatedDangers(identityPlans("octo-org/aks-openai-wi", SUB, SAMPLE)), [
            { role: "Cognitive Services OpenAI User", dangers: [] },
        ]);
    });
});

describe("what each identity holds on each cluster of the sample configuration", () => {
    const matrix = matrixOf(SAMPLE);
    const row = (identity: string, environment: string) => {
        const found = matrix.find((r) => r.identity === identity && r.cluster.environment === environment);
        assert.ok(found, `${identity} × ${environment}`);
        return summary(found);
    };

    it("covers every identity on every cluster", () => {
        assert.deepEqual(
            matrix.map((r) => `${r.identity} × ${r.cluster.environment}`),
            [
                "preview × dev",
                "preview × prod",
                "deploy-dev × dev",
                "deploy-dev × prod",
                "deploy-prod × dev",
                "deploy-prod × prod",
            ],
        );
    });

    it("gives the preview identity no dangerous action on any cluster", () => {
        for (const r of matrix.filter((m) => m.kind === "preview")) {
            assert.deepEqual(summary(r), ALL_NO, r.cluster.environment);
        }
    });

    it("gives the dev deployer cluster writes and namespace Secrets on dev, and nothing on prod", () => {
        assert.deepEqual(row("deploy-dev", "dev"), {
            ...ALL_NO,
            clusterWrite: "yes: aks-openai-wi cluster operator (custom) at the cluster",
            kubernetesSecrets: "yes: Azure Kubernetes Service RBAC Writer at namespace default",
        });
        assert.deepEqual(row("deploy-dev", "prod"), ALL_NO);
    });

    it("makes the prod deployer cluster-admin of prod through the admin group, and gives it nothing on dev", () => {
        assert.deepEqual(row("deploy-prod", "prod"), {
            ...ALL_NO,
            clusterWrite: "yes: aks-openai-wi cluster operator (custom) at resource group rg-store-prod",
            kubernetesSecrets: "yes: member of admin group prod-cluster-admins (cluster-admin)",
            kubernetesClusterAdmin: "yes: member of admin group prod-cluster-admins",
        });
        assert.deepEqual(row("deploy-prod", "dev"), ALL_NO);
    });
});

describe("the analysis flags what the bootstrap must never grant", () => {
    const cluster = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks`;
    const env: Environment = { name: "x", resourceGroupName: "rg", clusterName: "aks", localAccountsDisabled: true };

    /** The matrix row of an identity holding `grants` on env's cluster (local accounts as stated). */
    function holding(grants: IdentityPlan["grants"], localAccountsDisabled = true): Record<string, string> {
        const plan: IdentityPlan = { identity: "probe", kind: "preview", subject: "s", grants, adminGroups: [] };
        const [row] = accessMatrix([plan], [{ ...env, localAccountsDisabled }], SUB);
        return summary(row);
    }

    it("the Cluster User role on a cluster with local accounts", () => {
        const grants = [{ name: "u", environment: "x", role: "aksClusterUser" as const, scope: cluster, reason: "" }];
        assert.equal(
            holding(grants, false).listClusterUserCredentialWithLocalAccounts,
            "yes: Azure Kubernetes Service Cluster User Role at the cluster",
        );
        assert.equal(holding(grants, true).listClusterUserCredentialWithLocalAccounts, "no");
    });

    it("Role Based Access Control Administrator without a condition, at or above the cluster", () => {
        const group = `/subscriptions/${SUB}/resourceGroups/rg`;
        const grants = [{ name: "r", environment: "x", role: "rbacAdministrator" as const, scope: group, reason: "" }];
        assert.equal(
            holding(grants).roleAssignmentsWriteOutsideCondition,
            "yes: Role Based Access Control Administrator at resource group rg",
        );
        const constrained = [{ ...grants[0], condition: roleAssignmentCondition(OPENAI_USER_GUID) }];
        assert.equal(holding(constrained).roleAssignmentsWriteOutsideCondition, "no");
    });

    it("a role granted in another resource group does not reach the cluster", () => {
        const other = `/subscriptions/${SUB}/resourceGroups/rg-other`;
        const grants = [{ name: "r", environment: "x", role: "rbacAdministrator" as const, scope: other, reason: "" }];
        assert.equal(holding(grants).roleAssignmentsWriteOutsideCondition, "no");
    });
});

describe("the role definitions kept as data", () => {
    it("are the built-in roles grants.ts assigns, by GUID", () => {
        // The GUIDs as Microsoft publishes them (built-in roles pages), stated here independently of grants.ts.
        assert.deepEqual(
            Object.fromEntries(Object.entries(GRANTED_BUILT_IN_ROLES).map(([key, role]) => [key, role.id])),
            {
                reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
                aksClusterUser: "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
                aksRbacReader: "7f6c6a51-bcf8-42ba-9220-52d62157d7db",
                aksRbacWriter: "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb",
                managedIdentityContributor: "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59",
                rbacAdministrator: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
                cognitiveServicesContributor: "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68",
            },
        );
    });

    it("name their source page and the date it was read", () => {
        for (const role of Object.values(GRANTED_BUILT_IN_ROLES)) {
            assert.match(
                role.source,
                /^https:\/\/learn\.microsoft\.com\/azure\/role-based-access-control\/built-in-roles\/[a-z-]+\b.*, read \d{4}-\d{2}-\d{2}$/,
                role.roleName,
            );
        }
    });

    it("hold the published role assignment write of RBAC Administrator, which only the condition limits", () => {
        assert.equal(roleAllows(RBAC_ADMINISTRATOR, ASSIGN_ROLES, "control"), true);
    });
});
