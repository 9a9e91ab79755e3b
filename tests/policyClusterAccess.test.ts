import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { isProductionStackName, stackOfUrn } from "../policy/clusterAccessPolicies";
import { evaluatePolicies } from "../tools/engine/policyHarness";
import { withBootstrapOutputs } from "./support/configs";
import { recorded, UNKNOWN, violationsOf, withInput } from "./support/policyFixtures";
import { runProgram, stackConfig, type RegisteredResource } from "./support/program";
import { TEST_ADMIN_GROUP_ID, TEST_TENANT_ID } from "./support/world";

/**
 * aks-entra-only-access (advisory) and aks-entra-only-access-production (mandatory on production stack names): a
 * cluster a stack creates accepts Microsoft Entra ID sign-ins only. The fixtures are not this program's resources;
 * the last cases run the program itself.
 */

const ADVISORY = "aks-entra-only-access";
const MANDATORY = "aks-entra-only-access-production";

function cluster(stack: string, inputs: Record<string, unknown> = {}): RegisteredResource {
    const resource = recorded("azure-native:containerservice:ManagedCluster", "aks", {
        resourceGroupName: "rg-app",
        resourceName: "aks-app",
        aadProfile: {
            managed: true,
            enableAzureRBAC: true,
            tenantID: TEST_TENANT_ID,
            adminGroupObjectIDs: [TEST_ADMIN_GROUP_ID],
        },
        disableLocalAccounts: true,
        ...inputs,
    });
    return { ...resource, urn: resource.urn.replace("urn:pulumi:test::", `urn:pulumi:${stack}::`) };
}

const LOCAL_ACCOUNTS =
    "AKS cluster aks keeps local accounts (disableLocalAccounts is false): listClusterUserCredential returns a " +
    "cluster-admin client certificate to anyone who may list user credentials, and its use is not audited per " +
    "person. Fix: disableLocalAccounts = true (config cluster.localAccounts: disabled).";

describe("aks-entra-only-access", () => {
    it("accepts an Entra-only cluster on any stack", async () => {
        for (const stack of ["dev", "prod"]) {
            assert.deepEqual(await violationsOf([cluster(stack)], ADVISORY), [], stack);
            assert.deepEqual(await violationsOf([cluster(stack)], MANDATORY), [], stack);
        }
    });

    it("reports local accounts as advisory on a stack that is not production", async () => {
        const keeps = withInput(cluster("dev"), "disableLocalAccounts", false);
        assert.deepEqual(await violationsOf([keeps], ADVISORY), [LOCAL_ACCOUNTS]);
        assert.deepEqual(await violationsOf([keeps], MANDATORY), []);
    });

    it("reports local accounts as mandatory on every production stack name, and only there", async () => {
        for (const stack of ["prod", "production", "prd", "live", "store-prod", "store-Production"]) {
            const keeps = withInput(cluster(stack), "disableLocalAccounts", false);
            assert.deepEqual(await violationsOf([keeps], MANDATORY), [LOCAL_ACCOUNTS], stack);
            assert.deepEqual(await violationsOf([keeps], ADVISORY), [], stack);
        }
        for (const stack of ["dev", "preprod-test", "products", "staging"]) {
            const keeps = withInput(cluster(stack), "disableLocalAccounts", false);
            assert.deepEqual(await violationsOf([keeps], MANDATORY), [], stack);
        }
    });

    it("reports a cluster without managed Entra integration, the default AKS creates", async () => {
        const plain = cluster("prod", { aadProfile: undefined, disableLocalAccounts: undefined });
        assert.deepEqual(await violationsOf([plain], MANDATORY), [
            "AKS cluster aks keeps local accounts (disableLocalAccounts is (not set)): listClusterUserCredential " +
                "returns a cluster-admin client certificate to anyone who may list user credentials, and its use is " +
                "not audited per person. Fix: disableLocalAccounts = true (config cluster.localAccounts: disabled).",
            "AKS cluster aks has no AKS-managed Microsoft Entra integration (aadProfile.managed is (not set)): " +
                "Kubernetes sign-ins are not Entra ID identities. Fix: aadProfile = { managed: true, enableAzureRBAC: " +
                "true, adminGroupObjectIDs: [<group of the deploying identity>] }.",
        ]);
    });

    it("reports Entra integration without Azure RBAC for Kubernetes authorization", async () => {
        const noRbac = withInput(cluster("prod"), "aadProfile.enableAzureRBAC", false);
        assert.deepEqual(await violationsOf([noRbac], MANDATORY), [
            "AKS cluster aks does not use Azure RBAC for Kubernetes authorization (aadProfile.enableAzureRBAC is " +
                "false): Kubernetes rights cannot be granted and reviewed as Azure role assignments. " +
                "Fix: aadProfile.enableAzureRBAC = true.",
        ]);
    });

    it("judges a cluster of a pinned API version too", async () => {
        const pinned = {
            ...withInput(cluster("prod"), "disableLocalAccounts", false),
            type: "azure-native:containerservice/v20250801:ManagedCluster",
        };
        assert.deepEqual(await violationsOf([pinned], MANDATORY), [LOCAL_ACCOUNTS]);
    });

    it("does not judge what a preview does not know yet", async () => {
        const unknown = cluster("prod", { aadProfile: UNKNOWN, disableLocalAccounts: UNKNOWN });
        assert.deepEqual(await violationsOf([unknown], MANDATORY), []);
    });
});

describe("the stack a URN names", () => {
    it("is the segment after urn:pulumi: at the start of the URN, and nothing for anything else", () => {
        assert.equal(
            stackOfUrn("urn:pulumi:store-prod::aks-openai-wi::azure-native:containerservice:ManagedCluster::aks"),
            "store-prod",
        );
        assert.equal(
            stackOfUrn("xurn:pulumi:prod::aks-openai-wi::azure-native:containerservice:ManagedCluster::aks"),
            undefined,
        );
        assert.equal(stackOfUrn("aks"), undefined);
        assert.equal(isProductionStackName(undefined), false);
    });

    it("judges a resource whose URN names no stack as not production: the advisory policy, not the mandatory one", async () => {
        const keeps = { ...withInput(cluster("dev"), "disableLocalAccounts", false), urn: "aks" };
        assert.deepEqual(await violationsOf([keeps], ADVISORY), [LOCAL_ACCOUNTS]);
        assert.deepEqual(await violationsOf([keeps], MANDATORY), []);
    });
});

describe("the program's prod stack", () => {
    const localAccountsOn = () => {
        const config = withBootstrapOutputs(stackConfig("prod"));
        const { adminGroupObjectIds: _ids, ...cluster } = config["aks-openai-wi:cluster"] as Record<string, unknown>;
        return { ...config, "aks-openai-wi:cluster": { ...cluster, localAccounts: "enabled" } };
    };

    for (const preview of [false, true]) {
        it(`passes both policies as shipped (${preview ? "pulumi preview" : "pulumi up"})`, async () => {
            const config = preview ? stackConfig("prod") : withBootstrapOutputs(stackConfig("prod"));
            const run = await runProgram({ config, stack: "prod", preview });
            const { violations } = await evaluatePolicies(run.resources);
            assert.deepEqual(
                violations.filter((v) => v.policyName.startsWith("aks-entra-only-access")),
                [],
            );
        });

        it(`fails the mandatory policy with local accounts on (${preview ? "pulumi preview" : "pulumi up"})`, async () => {
            const run = await runProgram({ config: localAccountsOn(), stack: "prod", preview });
            const { violations } = await evaluatePolicies(run.resources);
            assert.deepEqual(
                violations
                    .filter((v) => v.policyName.startsWith("aks-entra-only-access"))
                    .map((v) => [v.policyName, v.enforcementLevel, v.message.split(":")[0]]),
                [
                    [
                        MANDATORY,
                        "mandatory",
                        "AKS cluster cluster-aks keeps local accounts (disableLocalAccounts is false)",
                    ],
                    [
                        MANDATORY,
                        "mandatory",
                        "AKS cluster cluster-aks has no AKS-managed Microsoft Entra integration (aadProfile.managed is (not set))",
                    ],
                ],
            );
        });
    }

    it("gets only the advisory for the same cluster on a dev stack", async () => {
        const run = await runProgram({ config: localAccountsOn(), stack: "dev" });
        const { violations } = await evaluatePolicies(run.resources);
        assert.deepEqual(
            [...new Set(violations.filter((v) => v.policyName.startsWith("aks-")).map((v) => v.enforcementLevel))],
            ["advisory"],
        );
    });
});
