import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { federationOf } from "../../tests/support/armResources";
import { kubectlGet } from "../support/kubectl";
import { callAsPod, tokenExchangeProjection } from "../support/podCall";
import { REPO_ROOT } from "../support/pulumiCli";
import { SEED, seedQuickstart, stageStack } from "../support/seed";
import { World } from "../support/world";

/**
 * The seed, on existing resources, under the real engine: the quickstart's ai-service applied with kubectl (client-side
 * apply, API key in its environment), then `pulumi preview --policy-pack policy` and `pulumi up` of Pulumi.dev.yaml as
 * users run it. Every assertion reads real state: the API server through kubectl, the stack through the CLI, Azure
 * through the stand-ins' records. Steps run in order; each depends on the ones before.
 */

const ENTRA_VARIABLES = ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST"];
const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

let world: World;
let project: string;
let outputs: Record<string, any>;

before(async () => {
    world = await World.start({
        openAiSubdomains: [SEED.customSubDomainName],
        openAiAccount: { resourceGroupName: SEED.resourceGroupName, name: SEED.accountName },
    });
    await seedQuickstart(world);
    project = await stageStack(world, "seed", "dev");
});

after(async () => {
    await world?.stop();
});

describe("the seed on existing resources", () => {
    test("before: the quickstart's ai-service carries its API key, applied by kubectl's client-side apply", async () => {
        const deployment = await kubectlGet(world.cluster, "deployment", "ai-service", "-n", SEED.namespace);
        const names = deployment.spec.template.spec.containers[0].env.map((e: { name: string }) => e.name);
        assert.ok(names.includes("OPENAI_API_KEY"));
        assert.ok(deployment.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]);
    });

    test("pulumi preview --policy-pack policy passes and plans the adoption", async () => {
        const result = await world.pulumi.ok(project, [
            "preview",
            "--stack",
            "dev",
            "--policy-pack",
            `${REPO_ROOT}/policy`,
            "--diff",
        ]);
        // The CLI ran the pack from its folder (name|local|path, version from its package.json) and it found nothing.
        assert.match(result.stdout, /Policy Packs run:[\s\S]*aks-openai-wi-guardrails\|local\|\S+\/policy\s+0\.1\.0/);
        assert.doesNotMatch(result.stdout + result.stderr, /mandatory/i);
        // The adopted Deployment is imported, then updated in the same run: the key variable is planned away.
        assert.match(result.stdout, /= kubernetes:apps\/v1:Deployment: \(import\)/);
        assert.match(result.stdout, /~ kubernetes:apps\/v1:Deployment: \(update\)/);
        assert.match(result.stdout, /~ name\s*: "OPENAI_API_KEY" => /);
        assert.doesNotMatch(result.stdout, /\+-kubernetes:/);
    });

    test("pulumi up adopts ai-service: the key is gone from the live object, the label and ServiceAccount are set", async () => {
        await world.pulumi.ok(project, ["up", "--yes", "--stack", "dev", "--skip-preview"]);
        outputs = await world.pulumi.outputs(project, "dev");

        const deployment = await kubectlGet(world.cluster, "deployment", "ai-service", "-n", SEED.namespace);
        const template = deployment.spec.template;
        const env = template.spec.containers[0].env as { name: string; value: string }[];
        assert.deepEqual(env.map((e) => e.name).sort(), [
            "AZURE_OPENAI_API_VERSION",
            "AZURE_OPENAI_DEPLOYMENT_NAME",
            "AZURE_OPENAI_ENDPOINT",
            "USE_AZURE_AD",
            "USE_AZURE_OPENAI",
        ]);
        assert.equal(
            env.find((e) => e.name === "AZURE_OPENAI_ENDPOINT")?.value,
            `https://${SEED.customSubDomainName}.openai.azure.com/`,
        );
        assert.equal(template.metadata.labels["azure.workload.identity/use"], "true");
        assert.equal(template.spec.serviceAccountName, SEED.serviceAccountName);

        const account = await kubectlGet(
            world.cluster,
            "serviceaccount",
            SEED.serviceAccountName,
            "-n",
            SEED.namespace,
        );
        assert.equal(account.metadata.annotations["azure.workload.identity/client-id"], outputs.identityClientId);
        assert.equal(outputs.oidcIssuerUrl, world.cluster.issuer.issuerUrl);
        // pulumi up waited for the smoke-test Job, whose pod the node stand-in let succeed.
        const job = await kubectlGet(world.cluster, "job", outputs.smokeTestJobName, "-n", SEED.namespace);
        assert.equal(job.status.succeeded, 1);
    });

    test("the pods the controller created were mutated by the real webhook", async () => {
        const pods = await kubectlGet(
            world.cluster,
            "pods",
            "-n",
            SEED.namespace,
            "-l",
            "app=ai-service,azure.workload.identity/use=true",
        );
        assert.ok(pods.items.length >= 1);
        for (const pod of pods.items) {
            const env = Object.fromEntries(
                pod.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]),
            );
            for (const name of ENTRA_VARIABLES) assert.ok(env[name], `${pod.metadata.name} lacks ${name}`);
            assert.equal(env.AZURE_CLIENT_ID, outputs.identityClientId);
            assert.equal(env.AZURE_TENANT_ID, outputs.tenantId);
            assert.equal(tokenExchangeProjection(pod)?.audience, TOKEN_EXCHANGE_AUDIENCE);
            assert.equal(env.OPENAI_API_KEY, undefined);
        }
    });

    test("a TokenRequest token for the ServiceAccount buys a chat completion through the federated credential the engine created", async () => {
        const pods = await kubectlGet(
            world.cluster,
            "pods",
            "-n",
            SEED.namespace,
            "-l",
            "app=ai-service,azure.workload.identity/use=true",
        );
        const result = await callAsPod(world, pods.items[0]);
        assert.deepEqual(
            result.network.blocked.filter((t) => !t.startsWith("169.254.169.254:")),
            [],
        );
        assert.equal(result.token.ok, true, JSON.stringify(result.token));
        assert.equal(result.call?.status, 200, JSON.stringify(result.call));
        // Entra matched the credential the engine wrote through ARM: the cluster's issuer, this ServiceAccount.
        const credentials = federationOf(world.arm).credentials.filter((c) => c.identityName === SEED.identityName);
        assert.deepEqual(credentials, [
            {
                identityName: SEED.identityName,
                issuer: world.cluster.issuer.issuerUrl,
                subject: `system:serviceaccount:${SEED.namespace}:${SEED.serviceAccountName}`,
                audiences: [TOKEN_EXCHANGE_AUDIENCE],
            },
        ]);
        assert.equal(world.openai.requests.at(-1)?.principal, outputs.identityPrincipalId);
    });

    test("examples/consumer, a second real stack, reads the outputs through a StackReference and federates its own ServiceAccount", async () => {
        const consumer = world.pulumi.stageProject(
            "consumer",
            ["Pulumi.yaml", "index.ts", "wiring.ts", "package.json", "tsconfig.json"],
            `${REPO_ROOT}/examples/consumer`,
        );
        const stack = "dev";
        await world.pulumi.ok(consumer, ["stack", "init", stack, "--secrets-provider", "passphrase"]);
        // A self-managed backend names the producer organization/<project>/<stack>.
        for (const [key, value] of [
            ["producerStack", "organization/aks-openai-wi/dev"],
            ["image", "registry.example/review-summarizer:1.0.0"],
        ]) {
            await world.pulumi.ok(consumer, ["config", "set", key, value, "--stack", stack]);
        }
        await world.pulumi.ok(consumer, ["up", "--yes", "--stack", stack, "--skip-preview"]);

        const account = await kubectlGet(world.cluster, "serviceaccount", "review-summarizer", "-n", "reviews");
        assert.equal(account.metadata.annotations["azure.workload.identity/client-id"], outputs.identityClientId);
        const credentials = federationOf(world.arm).credentials.filter((c) => c.identityName === SEED.identityName);
        assert.deepEqual(credentials.map((c) => [c.issuer, c.subject]).sort(), [
            [world.cluster.issuer.issuerUrl, "system:serviceaccount:default:ai-service-account"],
            [world.cluster.issuer.issuerUrl, "system:serviceaccount:reviews:review-summarizer"],
        ]);
        const pods = await kubectlGet(world.cluster, "pods", "-n", "reviews", "-l", "app=review-summarizer");
        // The consumer's pod exchanges its own ServiceAccount's token for the producer identity's Entra token.
        const result = await callAsPod(world, pods.items[0]);
        assert.equal(result.token.ok, true, JSON.stringify(result.token));
        assert.equal(result.token.ok && result.token.claims.oid, outputs.identityPrincipalId);

        await world.pulumi.ok(consumer, ["destroy", "--yes", "--stack", stack, "--skip-preview"]);
        assert.deepEqual(
            federationOf(world.arm).credentials.map((c) => c.subject),
            ["system:serviceaccount:default:ai-service-account"],
        );
    });

    test("a second pulumi up has nothing to change", async () => {
        await world.pulumi.ok(project, ["up", "--yes", "--stack", "dev", "--expect-no-changes", "--skip-preview"]);
    });

    test("pulumi refresh finds no drift", async () => {
        await world.pulumi.ok(project, ["refresh", "--yes", "--stack", "dev", "--expect-no-changes", "--skip-preview"]);
    });

    test("pulumi destroy deletes the identity, its credential and role, the ServiceAccount; keeps cluster and ai-service", async () => {
        const identityId = outputs.identityResourceId as string;
        await world.pulumi.ok(project, ["destroy", "--yes", "--stack", "dev", "--skip-preview"]);

        assert.equal(world.arm.identities.has(identityId.toLowerCase()), false);
        assert.deepEqual(federationOf(world.arm).credentials, []);
        assert.deepEqual(
            world.arm.roleAssignments.filter((a) => a.properties.principalId === outputs.identityPrincipalId),
            [],
        );
        // Left: the cluster (issuer stays on), and the adopted Deployment and Service (retainOnDelete).
        const clusterState = world.arm.cluster(SEED.resourceGroupName, SEED.clusterName);
        assert.equal((clusterState.properties as any).oidcIssuerProfile.enabled, true);
        await kubectlGet(world.cluster, "deployment", "ai-service", "-n", SEED.namespace);
        await kubectlGet(world.cluster, "service", "ai-service", "-n", SEED.namespace);
        const accounts = await kubectlGet(world.cluster, "serviceaccounts", "-n", SEED.namespace);
        assert.deepEqual(
            accounts.items.map((a: any) => a.metadata.name).filter((n: string) => n === SEED.serviceAccountName),
            [],
        );
    });
});
