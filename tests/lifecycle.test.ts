import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { clusterFeaturesProvider, type ClusterFeatureState } from "../components/aksWorkloadIdentityProvider";
import { ofType, runProgram, single, stackConfig, type RegisteredResource } from "./support/program";
import { TEST_ADMIN_GROUP_ID } from "./support/world";
import { shippedRun } from "./support/shippedStacks";

/**
 * What `pulumi destroy`, `protect` and replacements do to this stack, read from what the program registers: the
 * engine deletes every custom resource of the stack on destroy except those with retainOnDelete, refuses to delete or
 * replace protected ones, and replaces deleteBeforeReplace ones delete-first.
 */

const GREENFIELD = {
    "azure-native:location": "eastus",
    "aks-openai-wi:resourceGroupName": "rg-store",
    "aks-openai-wi:cluster": { mode: "managed", adminGroupObjectIds: [TEST_ADMIN_GROUP_ID] },
    "aks-openai-wi:openai": { mode: "managed", accountName: "store-openai" },
};

/** Custom resources a `pulumi destroy` would delete (providers aside: they own nothing in the cloud). */
function deletedByDestroy(resources: readonly RegisteredResource[]): string[] {
    return resources
        .filter((r) => r.custom && !r.retainOnDelete && !r.type.startsWith("pulumi:providers:"))
        .map((r) => `${r.type} ${r.name}`)
        .sort();
}

/** The seed configuration's run (Pulumi.dev.yaml), shared by the tests that only read it. */
const seed = () => shippedRun("dev");

function withProject(config: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
    return { ...config, [`aks-openai-wi:${key}`]: value };
}

describe("pulumi destroy never deletes what the stack did not create", () => {
    it("deletes exactly the identity, its role, its credential, its ServiceAccount and the smoke-test Job on the seed configuration", async () => {
        const { resources } = await seed();
        assert.deepEqual(deletedByDestroy(resources), [
            "azure-native:authorization:RoleAssignment workload-openai-user",
            "azure-native:managedidentity:FederatedIdentityCredential workload-primary-fic",
            "azure-native:managedidentity:UserAssignedIdentity workload-identity",
            "kubernetes:batch/v1:Job smoke-test-job",
            "kubernetes:core/v1:ServiceAccount workload-default-ai-service-account-sa",
        ]);
    });

    it("represents the existing cluster only by its feature switch, which destroy retains", async () => {
        const { resources } = await seed();
        assert.deepEqual(ofType(resources, "azure-native:containerservice:ManagedCluster"), []);
        const features = single(resources, "pulumi-nodejs:dynamic/aks:WorkloadIdentityFeatures");
        assert.equal(features.retainOnDelete, true);
        assert.equal(features.protect, false);
    });

    it("whose provider deletes nothing, not even reading which cluster it was", async () => {
        const read: string[] = [];
        const state = new Proxy({} as ClusterFeatureState, {
            get: (_target, key) => {
                read.push(String(key));
                return undefined;
            },
        });
        await clusterFeaturesProvider.delete?.(
            "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks",
            state,
        );
        assert.deepEqual(read, []);
    });

    it("only reads the existing Azure OpenAI account: nothing of it is registered", async () => {
        const { resources, mocks } = await seed();
        assert.deepEqual(
            resources.filter((r) => r.type.startsWith("azure-native:cognitiveservices:")),
            [],
        );
        assert.ok(mocks.calls.some((call) => call.token === "azure-native:cognitiveservices:getAccount"));
    });

    it("leaves the adopted kubectl-created ai-service Deployment and Service in place", async () => {
        const { resources } = await seed();
        for (const type of ["kubernetes:apps/v1:Deployment", "kubernetes:core/v1:Service"]) {
            const adopted = single(resources, type);
            assert.equal(adopted.importId, "default/ai-service");
            assert.equal(adopted.retainOnDelete, true, type);
        }
    });

    it("keeps the adopted Service's clusterIP, so the import updates it instead of planning a refused replace", async () => {
        // pulumi-kubernetes replaces a Service when spec.clusterIP changes; the imported state carries the live one.
        const { resources } = await seed();
        assert.deepEqual(single(resources, "kubernetes:core/v1:Service").ignoreChanges, ["spec.clusterIP"]);
        assert.deepEqual(single(resources, "kubernetes:apps/v1:Deployment").ignoreChanges, []);
    });

    it("deletes the ai-service objects it created itself (no adoption)", async () => {
        const config = withProject(stackConfig("dev"), "aiService", { adoptExisting: false });
        const { resources } = await runProgram({ config, stack: "dev" });
        assert.equal(single(resources, "kubernetes:apps/v1:Deployment").retainOnDelete, false);
        assert.equal(single(resources, "kubernetes:core/v1:Service").retainOnDelete, false);
    });

    it("leaves a namespace it created: deleting it would delete the store's workloads with it", async () => {
        const config = withProject(stackConfig("dev"), "aiService", { namespace: "pets", createNamespace: true });
        const { resources } = await runProgram({ config, stack: "dev" });
        assert.equal(single(resources, "kubernetes:core/v1:Namespace").retainOnDelete, true);
    });
});

describe("protect", () => {
    async function protectedResources(config: Record<string, unknown>, stack: string): Promise<string[]> {
        const { resources } = await runProgram({ config, stack });
        return resources
            .filter((r) => r.protect)
            .map((r) => r.type)
            .sort();
    }

    it("is on for the managed cluster, the managed account and the audit workspace of a production-named stack, and only for them", async () => {
        assert.deepEqual(await protectedResources(GREENFIELD, "prod"), [
            "azure-native:cognitiveservices:Account",
            "azure-native:containerservice:ManagedCluster",
            "azure-native:operationalinsights:Workspace",
        ]);
    });

    it("is off by default for other stack names", async () => {
        assert.deepEqual(await protectedResources(GREENFIELD, "dev"), []);
    });

    it("follows the protect config key either way", async () => {
        assert.equal((await protectedResources(withProject(GREENFIELD, "protect", true), "dev")).length, 2);
        assert.deepEqual(await protectedResources(withProject(GREENFIELD, "protect", false), "production"), []);
    });

    it("has nothing to protect on the seed configuration: the cluster and the account are not the stack's", async () => {
        assert.deepEqual(await protectedResources(withProject(stackConfig("dev"), "protect", true), "dev"), []);
    });
});

describe("replacements cannot collide with Azure's uniqueness rules", () => {
    const threeAccounts = withProject(stackConfig("dev"), "additionalServiceAccounts", [
        { namespace: "batch", name: "indexer" },
        { namespace: "batch", name: "reporter" },
    ]);

    it("deletes the role assignment before creating its replacement (one per scope, principal and role)", async () => {
        const { resources } = await seed();
        assert.equal(single(resources, "azure-native:authorization:RoleAssignment").deleteBeforeReplace, true);
    });

    it("deletes every credential before creating its replacement ((issuer, subject) unique per identity)", async () => {
        const { resources } = await runProgram({ config: threeAccounts, stack: "dev" });
        const credentials = ofType(resources, "azure-native:managedidentity:FederatedIdentityCredential");
        assert.equal(credentials.length, 3);
        assert.ok(credentials.every((credential) => credential.deleteBeforeReplace));
    });

    it("writes the credentials of one identity one after another (no concurrent writes: 409)", async () => {
        const { resources } = await runProgram({ config: threeAccounts, stack: "dev" });
        const credential = (name: string) =>
            resources.find((r) => r.type.endsWith(":FederatedIdentityCredential") && r.name === name)!;
        const first = credential("workload-primary-fic");
        const second = credential("workload-batch-indexer-fic");
        const third = credential("workload-batch-reporter-fic");
        const credentialDependencies = (r: RegisteredResource) =>
            r.dependencies.filter((urn) => urn.includes("FederatedIdentityCredential"));
        assert.deepEqual(credentialDependencies(first), []);
        assert.deepEqual(credentialDependencies(second), [first.urn]);
        assert.deepEqual(credentialDependencies(third), [second.urn]);
    });
});

describe("a federated credential's Pulumi name follows what Azure knows it by", () => {
    const credentials = async (config: Record<string, unknown>) =>
        ofType(
            (await runProgram({ config, stack: "dev" })).resources,
            "azure-native:managedidentity:FederatedIdentityCredential",
        );
    const seedConfig = stackConfig("dev");
    const aiService = seedConfig["aks-openai-wi:aiService"] as Record<string, unknown>;

    it("keeps the workload's credential under one name when its namespace moves under the same Azure name (an update, never a second create of myFederatedCredential)", async () => {
        const [before] = await credentials(seedConfig);
        const [after] = await credentials(withProject(seedConfig, "aiService", { ...aiService, namespace: "store" }));
        assert.equal(before.inputs.federatedIdentityCredentialResourceName, "myFederatedCredential");
        assert.equal(after.inputs.federatedIdentityCredentialResourceName, "myFederatedCredential");
        assert.equal(after.inputs.subject, "system:serviceaccount:store:ai-service-account");
        assert.equal(after.urn, before.urn);
        assert.equal(before.name, "workload-primary-fic");
    });

    it("keeps that name when the Azure name changes too, so the engine replaces it delete-first ((issuer, subject) stays unique)", async () => {
        const [before] = await credentials(seedConfig);
        const [renamed] = await credentials(
            withProject(seedConfig, "aiService", { ...aiService, federatedCredentialName: "ai-service-federation" }),
        );
        assert.equal(renamed.urn, before.urn);
        assert.equal(renamed.deleteBeforeReplace, true);
    });

    it("carries the name stacks deployed before this rule knew it by, as an alias", async () => {
        const [credential] = await credentials(seedConfig);
        assert.deepEqual(credential.aliases, ["workload-default-ai-service-account-fic"]);
    });

    it("names each additional credential by its Azure name, so a new Azure name is a new credential", async () => {
        const config = withProject(seedConfig, "additionalServiceAccounts", [
            { namespace: "batch", name: "indexer", federatedCredentialName: "indexer-federation" },
            { namespace: "batch", name: "reporter" },
        ]);
        const names = (await credentials(config)).map((c) => [c.name, c.aliases]);
        assert.deepEqual(names, [
            ["workload-primary-fic", ["workload-default-ai-service-account-fic"]],
            ["workload-indexer-federation-fic", ["workload-batch-indexer-fic"]],
            ["workload-batch-reporter-fic", []],
        ]);
    });
});

describe("names are deterministic", () => {
    /** Type, name, parent and inputs of every registration, keyed by URN (registration order is not fixed). */
    function registrations(resources: readonly RegisteredResource[]): Map<string, unknown> {
        return new Map(
            resources.map((r) => [r.urn, { type: r.type, name: r.name, parent: r.parent, inputs: r.inputs }]),
        );
    }

    for (const [label, config, stack] of [
        ["the seed configuration", stackConfig("dev"), "dev"],
        ["a greenfield configuration", GREENFIELD, "green"],
    ] as const) {
        it(`evaluating ${label} twice registers the same resources with the same inputs`, async () => {
            const first = await runProgram({ config, stack });
            const second = await runProgram({ config, stack });
            assert.ok(first.resources.length > 5);
            assert.deepEqual(registrations(second.resources), registrations(first.resources));
        });
    }
});
