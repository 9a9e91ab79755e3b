import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { projectStacks } from "../tools/ci/stacks";
import { withBootstrapOutputs } from "./support/configs";
import { at, runProgram, single, stackConfig, UNKNOWN } from "./support/program";
import { TEST_ADMIN_GROUP_ID } from "./support/world";
import { shippedRun } from "./support/shippedStacks";

/**
 * Every stack file is a real environment: the program runs with it, as `pulumi up` and as `pulumi preview`, and
 * production differs from dev exactly where it should.
 */

describe("every stack file", () => {
    it("is one of the environments these tests know (a new Pulumi.<stack>.yaml needs its tests)", () => {
        assert.deepEqual(projectStacks().sort(), ["dev", "prod"]);
    });

    for (const stack of projectStacks()) {
        for (const preview of [false, true]) {
            it(`runs the program: ${stack}, ${preview ? "pulumi preview" : "pulumi up"}`, async () => {
                // `pulumi up` runs once the values the stack file marks to copy in (bootstrap outputs) are copied.
                const config = preview ? stackConfig(stack) : withBootstrapOutputs(stackConfig(stack));
                const run = await runProgram({ config, stack, preview });
                const credential = single(run.resources, "azure-native:managedidentity:FederatedIdentityCredential");
                assert.deepEqual(credential.inputs.audiences, ["api://AzureADTokenExchange"]);
                assert.equal(run.outputs.outputsContractVersion, 1);
            });
        }
    }
});

describe("production (Pulumi.prod.yaml)", () => {
    it("creates and owns its cluster and a keyless Azure OpenAI account", async () => {
        const run = await shippedRun("prod");
        const cluster = single(run.resources, "azure-native:containerservice:ManagedCluster");
        assert.equal(cluster.inputs.resourceName, "aks-store-prod");
        const account = single(run.resources, "azure-native:cognitiveservices:Account");
        assert.equal(at(account.inputs, "properties.disableLocalAuth"), true);
        assert.equal(at(account.inputs, "properties.customSubDomainName"), "contoso-store-openai-prod");
        assert.equal(run.outputs.openAiEndpoint, "https://contoso-store-openai-prod.openai.azure.com/");
    });

    it("keeps the account off the internet: public access off, a private endpoint in the cluster's own network", async () => {
        const run = await shippedRun("prod");
        const account = single(run.resources, "azure-native:cognitiveservices:Account");
        assert.equal(at(account.inputs, "properties.publicNetworkAccess"), "Disabled");
        const vnet = single(run.resources, "azure-native:network:VirtualNetwork");
        assert.equal(vnet.inputs.virtualNetworkName, "vnet-aks-store-prod");
        const endpoint = single(run.resources, "azure-native:network:PrivateEndpoint");
        assert.match(
            String(at(endpoint.inputs, "subnet.id")),
            /\/virtualNetworks\/vnet-aks-store-prod\/subnets\/private-endpoints$/,
        );
        const cluster = single(run.resources, "azure-native:containerservice:ManagedCluster");
        assert.match(
            String(at(cluster.inputs, "agentPoolProfiles.0.vnetSubnetID")),
            /\/virtualNetworks\/vnet-aks-store-prod\/subnets\/nodes$/,
        );
        assert.equal(
            at(single(run.resources, "azure-native:privatedns:PrivateZone").inputs, "privateZoneName"),
            "privatelink.openai.azure.com",
        );
    });

    it("runs more than one ai-service replica, in its own namespace", async () => {
        const run = await shippedRun("prod");
        const deployment = single(run.resources, "kubernetes:apps/v1:Deployment");
        assert.equal(at(deployment.inputs, "spec.replicas"), 2);
        assert.equal(at(deployment.inputs, "metadata.namespace"), "store");
        assert.equal(at(single(run.resources, "kubernetes:core/v1:Namespace").inputs, "metadata.name"), "store");
        assert.equal(run.outputs.aiServiceUrl, "http://ai-service.store:5001/");
    });

    it("federates the namespace's ServiceAccount with the identity production names", async () => {
        const run = await shippedRun("prod");
        assert.equal(run.outputs.identityName, "id-ai-service-prod");
        const credential = single(run.resources, "azure-native:managedidentity:FederatedIdentityCredential");
        assert.equal(credential.inputs.subject, "system:serviceaccount:store:ai-service-account");
    });

    it("previews a first deployment with the cluster's issuer unknown, as on a brand-new stack", async () => {
        const run = await runProgram({ config: stackConfig("prod"), stack: "prod", preview: true });
        const credential = single(run.resources, "azure-native:managedidentity:FederatedIdentityCredential");
        assert.equal(credential.inputs.issuer, UNKNOWN);
    });

    it("creates an Entra-only cluster whose admin group is the one copied from bootstrap/github-oidc", async () => {
        const run = await shippedRun("prod");
        const cluster = single(run.resources, "azure-native:containerservice:ManagedCluster");
        assert.equal(cluster.inputs.disableLocalAccounts, true);
        assert.deepEqual(at(cluster.inputs, "aadProfile.adminGroupObjectIDs"), [TEST_ADMIN_GROUP_ID]);
    });

    it("as shipped, marks the admin group to copy in: pulumi up refuses it, naming the key and the output", async () => {
        await assert.rejects(
            runProgram({ config: stackConfig("prod"), stack: "prod" }),
            /aks-openai-wi:cluster\.adminGroupObjectIds\[0\] = "<object id of the prod cluster admin group: bootstrap\/github-oidc output adminGroupObjectIds\.prod>" is a marked value the stack file asks you to replace.*stack output adminGroupObjectIds/,
        );
    });

    it("differs from dev where production must, and only logs in non-interactively", () => {
        const prod = stackConfig("prod");
        const dev = stackConfig("dev");
        assert.equal(at(prod["aks-openai-wi:cluster"], "kubeloginMode"), "workloadidentity");
        assert.equal(at(prod["aks-openai-wi:openai"], "mode"), "managed");
        assert.equal(at(dev["aks-openai-wi:openai"], "mode"), "existing");
        assert.ok(Number(at(prod["aks-openai-wi:aiService"], "replicas")) > 1);
        assert.notEqual(prod["aks-openai-wi:resourceGroupName"], dev["aks-openai-wi:resourceGroupName"]);
    });
});
