import assert from "node:assert/strict";
import { copyFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";

import { federationOf, setIssuerUrl, setUserKubeconfig } from "../../tests/support/armResources";
import { kubectl, kubectlGet } from "../support/kubectl";
import { callAsPod } from "../support/podCall";
import { REPO_ROOT } from "../support/pulumiCli";
import { PROGRAM_FILES } from "../support/seed";
import { World } from "../support/world";

/**
 * From scratch, under the real engine: the stack creates the cluster (the ARM stand-in hands back the local API
 * server's issuer and kubeconfig, as AKS hands back its own), the account and its deployment, the identity and
 * ai-service. Then the namespace and the credential's Azure name change, each as docs/lifecycle.md says; then
 * `protect` stops a destroy until it is turned off.
 */

const STACK = "scratch";
const GROUP = "rg-store-greenfield";
const CLUSTER = "aks-store";
const ACCOUNT = "store-openai-7f3a";
const IDENTITY = "id-ai-service-scratch";

let world: World;
let project: string;
let outputs: Record<string, any>;

before(async () => {
    world = await World.start({
        openAiSubdomains: [ACCOUNT],
        openAiAccount: { resourceGroupName: GROUP, name: ACCOUNT },
    });
    // What AKS reports for the cluster the stack is about to create: this harness's issuer and API server.
    setIssuerUrl(world.arm, GROUP, CLUSTER, world.cluster.issuer.issuerUrl);
    setUserKubeconfig(world.arm, GROUP, CLUSTER, world.cluster.kubeconfig);
    project = world.pulumi.stageProject("scratch", [...PROGRAM_FILES]);
    copyFileSync(path.join(REPO_ROOT, "e2e/stacks/Pulumi.scratch.yaml"), path.join(project, "Pulumi.scratch.yaml"));
    await world.pulumi.ok(project, ["stack", "init", STACK, "--secrets-provider", "passphrase"]);
    await world.pulumi.ok(project, ["config", "set", "armEndpoint", world.arm.url, "--stack", STACK]);
});

after(async () => {
    await world?.stop();
});

const armWrites = (pattern: RegExp) =>
    world.arm.requests
        .filter((r) => r.method !== "GET" && pattern.test(r.path))
        .map((r) => `${r.method} ${r.path.split("/").slice(-2).join("/")}`);

/** The federated-credential writes since request number `since`, as "METHOD name", in order. */
const credentialWritesSince = (since: number) =>
    world.arm.requests
        .slice(since)
        .filter((r) => /federatedIdentityCredentials\//i.test(r.path) && r.method !== "GET")
        .map((r) => `${r.method} ${r.path.split("/").pop()}`);

/** The subjects the stack's identity trusts now. */
const subjects = () =>
    federationOf(world.arm)
        .credentials.filter((c) => c.identityName === IDENTITY)
        .map((c) => c.subject);

describe("from scratch", () => {
    test("pulumi up creates the cluster, the account, the identity and ai-service, and the pod gets a completion", async () => {
        await world.pulumi.ok(project, ["up", "--yes", "--stack", STACK, "--skip-preview"]);
        outputs = await world.pulumi.outputs(project, STACK);

        assert.deepEqual(armWrites(/managedClusters\/aks-store$/), [`PUT managedClusters/${CLUSTER}`]);
        assert.deepEqual(armWrites(/accounts\/store-openai-7f3a$/), [`PUT accounts/${ACCOUNT}`]);
        assert.equal(outputs.oidcIssuerUrl, world.cluster.issuer.issuerUrl);
        assert.equal(outputs.openAiEndpoint, `https://${ACCOUNT}.openai.azure.com/`);

        const pods = await kubectlGet(world.cluster, "pods", "-n", "pets", "-l", "app=ai-service");
        assert.ok(pods.items.length >= 1);
        const result = await callAsPod(world, pods.items[0]);
        assert.equal(result.call?.status, 200, JSON.stringify(result));
    });

    test("a new namespace under the default Azure name: the credential is replaced delete-first, the ServiceAccount moves, pods roll", async () => {
        const before = world.arm.requests.length;
        await world.pulumi.ok(project, ["config", "set", "--path", "aiService.namespace", "shop", "--stack", STACK]);
        await world.pulumi.ok(project, ["up", "--yes", "--stack", STACK, "--skip-preview"]);

        // The default Azure name follows the ServiceAccount, so the workload's credential (one Pulumi name,
        // workload-primary-fic) gets a new Azure name: a replacement, delete-first, one write at a time.
        assert.deepEqual(credentialWritesSince(before), [
            "DELETE pets-ai-service-account",
            "PUT shop-ai-service-account",
        ]);
        assert.deepEqual(subjects(), ["system:serviceaccount:shop:ai-service-account"]);
        await assert.rejects(
            kubectlGet(world.cluster, "serviceaccount", "ai-service-account", "-n", "pets"),
            /NotFound/,
        );
        const account = await kubectlGet(world.cluster, "serviceaccount", "ai-service-account", "-n", "shop");
        assert.equal(account.metadata.annotations["azure.workload.identity/client-id"], outputs.identityClientId);

        const pods = await kubectlGet(world.cluster, "pods", "-n", "shop", "-l", "app=ai-service");
        const result = await callAsPod(world, pods.items[0]);
        assert.equal(result.call?.status, 200, JSON.stringify(result));
    });

    test("an explicit Azure name, then a new namespace under it: a replacement, then an update in place (never a second create of that name)", async () => {
        const renamed = world.arm.requests.length;
        await world.pulumi.ok(project, [
            "config",
            "set",
            "--path",
            "aiService.federatedCredentialName",
            "myFederatedCredential",
            "--stack",
            STACK,
        ]);
        await world.pulumi.ok(project, ["up", "--yes", "--stack", STACK, "--skip-preview"]);
        // Same subject under a new name: the old one must go first, or Azure holds (issuer, subject) twice.
        assert.deepEqual(credentialWritesSince(renamed), [
            "DELETE shop-ai-service-account",
            "PUT myFederatedCredential",
        ]);

        const moved = world.arm.requests.length;
        await world.pulumi.ok(project, ["config", "set", "--path", "aiService.namespace", "pets", "--stack", STACK]);
        await world.pulumi.ok(project, ["up", "--yes", "--stack", STACK, "--skip-preview"]);
        // The dev stack's shape (Pulumi.dev.yaml names its credential): the subject is updated where it is.
        assert.deepEqual(credentialWritesSince(moved), ["PUT myFederatedCredential"]);
        assert.deepEqual(subjects(), ["system:serviceaccount:pets:ai-service-account"]);

        const pods = await kubectlGet(world.cluster, "pods", "-n", "pets", "-l", "app=ai-service");
        const result = await callAsPod(world, pods.items[0]);
        assert.equal(result.call?.status, 200, JSON.stringify(result));
    });

    test("protect: a destroy fails on the protected cluster and account, and succeeds once protect is off", async () => {
        await world.pulumi.ok(project, ["config", "set", "protect", "true", "--stack", STACK]);
        await world.pulumi.ok(project, ["up", "--yes", "--stack", STACK, "--skip-preview"]);
        const refused = await world.pulumi.run(project, ["destroy", "--yes", "--stack", STACK, "--skip-preview"]);
        assert.notEqual(refused.code, 0);
        assert.match(refused.stdout + refused.stderr, /protected/);
        assert.deepEqual(
            armWrites(/managedClusters\/aks-store$/).filter((w) => w.startsWith("DELETE")),
            [],
        );

        await world.pulumi.ok(project, ["config", "set", "protect", "false", "--stack", STACK]);
        await world.pulumi.ok(project, ["up", "--yes", "--stack", STACK, "--skip-preview"]);
        await world.pulumi.ok(project, ["destroy", "--yes", "--stack", STACK, "--skip-preview"]);
        assert.deepEqual(armWrites(/managedClusters\/aks-store$/), [
            `PUT managedClusters/${CLUSTER}`,
            `DELETE managedClusters/${CLUSTER}`,
        ]);
        assert.deepEqual(armWrites(/accounts\/store-openai-7f3a$/), [
            `PUT accounts/${ACCOUNT}`,
            `DELETE accounts/${ACCOUNT}`,
        ]);
        assert.deepEqual(federationOf(world.arm).identities, []);
        // The namespaces the stack created are left (retainOnDelete), as docs/lifecycle.md says.
        await kubectl(world.cluster, ["get", "namespace", "shop"]);
    });
});
