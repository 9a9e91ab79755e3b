import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";

import { parseIdentityId, PRODUCER_OUTPUTS, SUPPORTED_CONTRACT_VERSION } from "../examples/consumer/wiring";
import {
    at,
    ofType,
    PROJECT_ROOT,
    ProgramFailed,
    runProgram,
    single,
    stackConfig,
    type ProgramRun,
} from "./support/program";
import { doc, firstCellName, section, tableRows } from "./support/readme";
import {
    aksIssuerUrl,
    certificateKubeconfig,
    mockGuid,
    seedWorld,
    TEST_SUBSCRIPTION_ID,
    TEST_TENANT_ID,
    type World,
} from "./support/world";
import { shippedRun } from "./support/shippedStacks";

/**
 * examples/consumer, a second Pulumi project, reads an aks-openai-wi stack through a (mocked) StackReference and
 * federates one more workload with the same identity. Every wiring value must be the producer's, exactly.
 */

const CONSUMER_DIR = path.join(PROJECT_ROOT, "examples", "consumer");
const CONSUMER = { entry: path.join(CONSUMER_DIR, "index"), project: "aks-openai-wi-consumer" };
const PRODUCER = "contoso/aks-openai-wi/dev";

const ISSUER = aksIssuerUrl("eastus", "myAKSCluster");
const CLIENT_ID = mockGuid("client-id", "myIdentity");
const IDENTITY_ID = `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/myResourceGroup/providers/Microsoft.ManagedIdentity/userAssignedIdentities/myIdentity`;

/** A producer's outputs as contract v1 defines them. */
const PRODUCER_OUTPUT_VALUES: Record<string, unknown> = {
    outputsContractVersion: 1,
    oidcIssuerUrl: ISSUER,
    tenantId: TEST_TENANT_ID,
    identityName: "myIdentity",
    identityClientId: CLIENT_ID,
    identityPrincipalId: mockGuid("principal-id", "myIdentity"),
    identityResourceId: IDENTITY_ID,
    openAiEndpoint: "https://myopenai.openai.azure.com/",
    openAiDeploymentName: "gpt-4o-mini",
    serviceAccounts: [
        {
            namespace: "default",
            name: "ai-service-account",
            subject: "system:serviceaccount:default:ai-service-account",
        },
    ],
    aiServiceUrl: "http://ai-service.default:5001/",
    kubeconfig: certificateKubeconfig("myAKSCluster"),
};

function producerWorld(outputs: Record<string, unknown> = PRODUCER_OUTPUT_VALUES): World {
    return {
        ...seedWorld(),
        stacks: { [PRODUCER]: outputs },
        secretStackOutputs: { [PRODUCER]: ["kubeconfig"] },
    };
}

function runConsumer(
    options: { config?: Record<string, unknown>; world?: World; preview?: boolean } = {},
): Promise<ProgramRun> {
    return runProgram({
        program: CONSUMER,
        stack: "dev",
        config: { ...stackConfig("dev", CONSUMER_DIR), ...options.config },
        world: options.world ?? producerWorld(),
        preview: options.preview,
    });
}

async function consumerFailure(world: World, config?: Record<string, unknown>): Promise<ProgramFailed> {
    try {
        await runConsumer({ world, config });
    } catch (error) {
        assert.ok(error instanceof ProgramFailed, String(error));
        return error;
    }
    assert.fail("the consumer succeeded");
}

function assertNothingCreated(error: ProgramFailed): void {
    assert.deepEqual(
        error.resources
            .map((r) => r.type)
            .filter((type) => type !== "pulumi:pulumi:Stack" && type !== "pulumi:pulumi:StackReference"),
        [],
    );
}

describe("the consumer project (examples/consumer)", () => {
    it("reads the producer stack named by producerStack", async () => {
        const run = await runConsumer();
        assert.equal(at(single(run.resources, "pulumi:pulumi:StackReference").inputs, "name"), PRODUCER);
        assert.equal(run.outputs.producerStack, PRODUCER);
    });

    it("annotates its ServiceAccount with the producer's client id and tenant id", async () => {
        const run = await runConsumer();
        const sa = single(run.resources, "kubernetes:core/v1:ServiceAccount");
        assert.deepEqual(sa.inputs.metadata, {
            name: "review-summarizer",
            namespace: "reviews",
            annotations: {
                "azure.workload.identity/client-id": CLIENT_ID,
                "azure.workload.identity/tenant-id": TEST_TENANT_ID,
            },
        });
    });

    it("federates that ServiceAccount on the producer's identity, with the producer's issuer URL verbatim", async () => {
        const run = await runConsumer();
        const credential = single(run.resources, "azure-native:managedidentity:FederatedIdentityCredential");
        assert.deepEqual(credential.inputs, {
            resourceGroupName: "myResourceGroup",
            resourceName: "myIdentity",
            federatedIdentityCredentialResourceName: "reviews-review-summarizer",
            issuer: ISSUER,
            subject: "system:serviceaccount:reviews:review-summarizer",
            audiences: ["api://AzureADTokenExchange"],
        });
        assert.ok(ISSUER.endsWith("/"));
        assert.equal(credential.deleteBeforeReplace, true);
        assert.equal(run.outputs.subject, "system:serviceaccount:reviews:review-summarizer");
        assert.equal(run.outputs.federatedCredentialName, "reviews-review-summarizer");
    });

    it("reaches the cluster with the producer's kubeconfig, for every Kubernetes object", async () => {
        const run = await runConsumer();
        const provider = single(run.resources, "pulumi:providers:kubernetes");
        assert.equal(provider.inputs.kubeconfig, certificateKubeconfig("myAKSCluster"));
        assert.equal(provider.inputs.clusterIdentifier, `stack:${PRODUCER}`);
        const kubernetesObjects = run.resources.filter((r) => r.type.startsWith("kubernetes:"));
        assert.deepEqual(
            kubernetesObjects.map((r) => r.type),
            ["kubernetes:core/v1:Namespace", "kubernetes:core/v1:ServiceAccount", "kubernetes:apps/v1:Deployment"],
        );
        for (const object of kubernetesObjects) {
            assert.ok(object.provider.startsWith(`${provider.urn}::`), `${object.name} uses ${object.provider}`);
        }
    });

    it("runs a Deployment as that ServiceAccount, labelled for the webhook, calling the producer's model deployment", async () => {
        const run = await runConsumer();
        const deployment = single(run.resources, "kubernetes:apps/v1:Deployment");
        const pod = at(deployment.inputs, "spec.template") as Record<string, unknown>;
        assert.deepEqual(at(pod, "metadata.labels"), {
            app: "review-summarizer",
            "azure.workload.identity/use": "true",
        });
        assert.equal(at(pod, "spec.serviceAccountName"), "review-summarizer");
        const [container] = at(pod, "spec.containers") as { image: string; env: unknown }[];
        assert.equal(container.image, "ghcr.io/contoso/review-summarizer:1.0.0");
        assert.deepEqual(container.env, [
            { name: "AZURE_OPENAI_ENDPOINT", value: "https://myopenai.openai.azure.com/" },
            { name: "AZURE_OPENAI_DEPLOYMENT_NAME", value: "gpt-4o-mini" },
        ]);
    });

    it("starts its pods only after the federated credential exists (the webhook injects the token at creation)", async () => {
        const run = await runConsumer();
        const credential = single(run.resources, "azure-native:managedidentity:FederatedIdentityCredential");
        const deployment = single(run.resources, "kubernetes:apps/v1:Deployment");
        assert.ok(deployment.dependencies.includes(credential.urn));
    });

    it("creates its namespace before the ServiceAccount, unless told it exists", async () => {
        const run = await runConsumer();
        const namespace = single(run.resources, "kubernetes:core/v1:Namespace");
        assert.ok(single(run.resources, "kubernetes:core/v1:ServiceAccount").dependencies.includes(namespace.urn));
        const existing = await runConsumer({ config: { "aks-openai-wi-consumer:createNamespace": "false" } });
        assert.equal(ofType(existing.resources, "kubernetes:core/v1:Namespace").length, 0);
    });

    it("previews with every wiring value known (stack outputs are read, not computed)", async () => {
        const run = await runConsumer({ preview: true });
        const credential = single(run.resources, "azure-native:managedidentity:FederatedIdentityCredential");
        assert.equal(credential.inputs.issuer, ISSUER);
        assert.equal(credential.inputs.resourceName, "myIdentity");
        assert.equal(credential.inputs.subject, "system:serviceaccount:reviews:review-summarizer");
    });

    it("works against the outputs this project's own program returns", async () => {
        const producer = await shippedRun("dev");
        const run = await runConsumer({ world: producerWorld(producer.outputs) });
        const credential = single(run.resources, "azure-native:managedidentity:FederatedIdentityCredential");
        assert.equal(credential.inputs.issuer, producer.outputs.oidcIssuerUrl);
        assert.equal(credential.inputs.resourceName, producer.outputs.identityName);
        const metadata = at(single(run.resources, "kubernetes:core/v1:ServiceAccount").inputs, "metadata") as {
            annotations: Record<string, string>;
        };
        assert.equal(metadata.annotations["azure.workload.identity/client-id"], producer.outputs.identityClientId);
    });

    it("reads only outputs that the outputs contract (docs/outputs.md) promises", () => {
        const contract = tableRows(section(doc("docs/outputs.md"), "Outputs")).map(firstCellName);
        assert.deepEqual(
            PRODUCER_OUTPUTS.filter((name) => !contract.includes(name)),
            [],
        );
        assert.match(doc("docs/outputs.md"), new RegExp(`### Outputs contract v${SUPPORTED_CONTRACT_VERSION}\\b`));
    });
});

describe("the consumer refuses a producer it cannot use, before creating anything", () => {
    it("a producer on another contract version", async () => {
        const error = await consumerFailure(producerWorld({ ...PRODUCER_OUTPUT_VALUES, outputsContractVersion: 2 }));
        assert.match(
            error.message,
            /stack contoso\/aks-openai-wi\/dev exports outputs contract v2, and this project reads v1/,
        );
        assertNothingCreated(error);
    });

    it("a stack that is not an aks-openai-wi stack (no outputsContractVersion)", async () => {
        const { outputsContractVersion: _, ...unversioned } = PRODUCER_OUTPUT_VALUES;
        const error = await consumerFailure(producerWorld(unversioned));
        assert.match(error.message, /exports no outputsContractVersion/);
        assertNothingCreated(error);
    });

    it("a ServiceAccount the producer already federates (one credential per issuer and subject)", async () => {
        const error = await consumerFailure(producerWorld(), {
            "aks-openai-wi-consumer:namespace": "default",
            "aks-openai-wi-consumer:serviceAccountName": "ai-service-account",
        });
        assert.match(
            error.message,
            /system:serviceaccount:default:ai-service-account is already federated by stack contoso\/aks-openai-wi\/dev/,
        );
        assertNothingCreated(error);
    });

    it("a producer missing an output it requires", async () => {
        const { identityClientId: _, ...incomplete } = PRODUCER_OUTPUT_VALUES;
        const error = await consumerFailure(producerWorld(incomplete));
        assert.match(
            error.message,
            /stack contoso\/aks-openai-wi\/dev lacks output\(s\) identityClientId that contract v1 promises/,
        );
        assertNothingCreated(error);
    });
});

describe("identity ids", () => {
    it("give the resource group the credential is created in", () => {
        assert.deepEqual(parseIdentityId(IDENTITY_ID), {
            subscriptionId: TEST_SUBSCRIPTION_ID,
            resourceGroupName: "myResourceGroup",
            name: "myIdentity",
        });
    });

    it("refuse anything that is not a user-assigned identity", () => {
        assert.throws(
            () => parseIdentityId("/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm"),
            /is not the ARM id of a user-assigned managed identity/,
        );
    });
});
