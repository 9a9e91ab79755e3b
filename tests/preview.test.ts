import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { GREENFIELD_CONFIG } from "./support/configs";
import { at, runProgram, single, UNKNOWN } from "./support/program";
import { shippedRun } from "./support/shippedStacks";

/**
 * `pulumi preview` runs the program with every output-only field unknown (no ids, no client or principal ids, no
 * issuer URL of a cluster not yet updated or created). The program must complete, and must never turn an unknown
 * into a wrong known value such as an empty issuer.
 */

describe("pulumi preview of the seed stack", () => {
    it("completes with the issuer, the identity's ids and the hash unknown, and everything from config known", async () => {
        const run = await shippedRun("dev", { preview: true });

        const credential = single(run.resources, "azure-native:managedidentity:FederatedIdentityCredential");
        assert.equal(credential.inputs.issuer, UNKNOWN, "an unknown issuer must stay unknown, not become ''");
        assert.equal(credential.inputs.subject, "system:serviceaccount:default:ai-service-account");
        assert.deepEqual(credential.inputs.audiences, ["api://AzureADTokenExchange"]);

        const role = single(run.resources, "azure-native:authorization:RoleAssignment");
        assert.equal(role.inputs.principalId, UNKNOWN);
        assert.equal(role.inputs.roleAssignmentName, UNKNOWN);
        assert.equal(
            role.inputs.scope,
            "/subscriptions/0b1f6471-0000-4000-8000-00000000a002/resourceGroups/myResourceGroup/providers/Microsoft.CognitiveServices/accounts/myOpenAI",
        );

        const serviceAccount = single(run.resources, "kubernetes:core/v1:ServiceAccount");
        assert.equal(
            at(serviceAccount.inputs, "metadata.annotations")?.["azure.workload.identity/client-id" as never],
            UNKNOWN,
        );

        const deployment = single(run.resources, "kubernetes:apps/v1:Deployment");
        assert.equal(
            at(deployment.inputs, "spec.template.metadata.annotations")?.["aks-openai-wi/identity-hash" as never],
            UNKNOWN,
        );
        assert.equal(
            at(deployment.inputs, "spec.template.spec.containers.0.env.3.value"),
            "https://myopenai.openai.azure.com/",
        );

        assert.equal(run.outputs.oidcIssuerUrl, UNKNOWN);
        assert.equal(run.outputs.identityClientId, UNKNOWN);
        assert.equal(run.outputs.openAiEndpoint, "https://myopenai.openai.azure.com/");
    });

    it("keeps the Kubernetes provider's kubeconfig known, so no Kubernetes object is planned for replacement", async () => {
        const run = await shippedRun("dev", { preview: true });
        const provider = single(run.resources, "pulumi:providers:kubernetes");
        assert.notEqual(provider.inputs.kubeconfig, UNKNOWN);
        assert.equal(provider.inputs.clusterIdentifier, "myResourceGroup/myAKSCluster");
    });
});

describe("pulumi preview of a greenfield stack", () => {
    it("completes with the new cluster's issuer, kubeconfig and the new account's endpoint unknown", async () => {
        const run = await runProgram({ config: GREENFIELD_CONFIG, stack: "greenfield", preview: true });

        const credential = single(run.resources, "azure-native:managedidentity:FederatedIdentityCredential");
        assert.equal(credential.inputs.issuer, UNKNOWN);
        assert.equal(credential.inputs.subject, "system:serviceaccount:pets:ai-service-account");

        // The kubeconfig of a cluster that does not exist yet is unknown (the invoke is skipped); the identifier is not.
        const provider = single(run.resources, "pulumi:providers:kubernetes");
        assert.equal(provider.inputs.kubeconfig, UNKNOWN);
        assert.equal(provider.inputs.clusterIdentifier, "rg-store-greenfield/aks-store");

        const deployment = single(run.resources, "kubernetes:apps/v1:Deployment");
        assert.equal(at(deployment.inputs, "spec.template.spec.containers.0.env.3.value"), UNKNOWN);
        assert.equal(single(run.resources, "azure-native:authorization:RoleAssignment").inputs.scope, UNKNOWN);
    });
});
