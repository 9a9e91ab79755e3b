import assert from "node:assert/strict";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";

import { setIssuerUrl } from "../../tests/support/armResources";
import { TEST_TENANT_ID } from "../../tests/support/world";
import { AKS_SERVER_APPLICATION_ID, readAuditLog } from "../cluster/entraAuthentication";
import { waitFor } from "../cluster/wait";
import { actAsAksEntra, AKS_ADMIN_BINDING } from "../support/aksEntra";
import { kubectlGet } from "../support/kubectl";
import { REPO_ROOT } from "../support/pulumiCli";
import { PROGRAM_FILES } from "../support/seed";
import { DEPLOYER, World } from "../support/world";

/**
 * Entra-only access under the real engine: the stack creates a cluster with AKS-managed Microsoft Entra integration,
 * local accounts disabled and the deployer's group as admin group (the default for a cluster the stack creates), and
 * the same `pulumi up` creates the Kubernetes objects through the real kubelogin, signed in as the deployer.
 *
 * - The API server accepts the Entra stand-in's tokens for the AKS server application (user = `oid`, groups =
 *   `groups`), and audits every write (e2e/cluster/entraAuthentication.ts).
 * - The ARM stand-in acts as AKS for such a cluster (e2e/support/aksEntra.ts): it binds the admin groups to
 *   cluster-admin, hands back the kubelogin exec kubeconfig, and refuses the admin (certificate) credential.
 * - The deployer runs as GitHub Actions with azure/login runs a deploy job: AZURE_CLIENT_ID, AZURE_TENANT_ID and
 *   AZURE_FEDERATED_TOKEN_FILE of an identity whose federated credential trusts a token the test controls (here a
 *   TokenRequest token of the local cluster's `ci/deployer` ServiceAccount, which the Entra stand-in validates as it
 *   validates a workload's), and `cluster.kubeloginMode: workloadidentity`.
 */

const STACK = "entra";
const DENIED_STACK = "entra-denied";
const ADMIN_GROUP = "5b1f0c2e-7a4d-4e3b-9c61-2d8e0f4a7b19";
const ACCOUNT = "store-openai-e7a1";
/** The kinds of object the stack writes in its namespace (and the namespace itself), as the audit log names them. */
const STACK_OBJECTS = ["deployments", "namespaces", "serviceaccounts", "services"];

/** The deploy identity (what bootstrap/github-oidc creates) and the token it is federated with. */
const DEPLOY = {
    resourceGroupName: "rg-ci",
    identityName: "id-deploy",
    clientId: "2c9a7e41-0b3d-4f6e-8a15-7d4c9e0b1f23",
    objectId: "9e4b2d70-6c1a-4f83-b5e2-0a7d3c9f8e16",
    namespace: "ci",
    serviceAccount: "deployer",
} as const;

let world: World;
let project: string;
let tokenFile: string;

before(async () => {
    world = await World.start({
        openAiSubdomains: [ACCOUNT],
        openAiAccount: { resourceGroupName: "rg-store-entra", name: ACCOUNT },
        entraAuthentication: true,
    });
    actAsAksEntra(world.arm, world.cluster);
    setIssuerUrl(world.arm, "rg-store-entra", "aks-store-entra", world.cluster.issuer.issuerUrl);
    setIssuerUrl(world.arm, "rg-store-denied", "aks-store-denied", world.cluster.issuer.issuerUrl);

    // The deploy identity and its federated credential, as bootstrap/github-oidc leaves them (there with GitHub's
    // issuer and a repository subject; here the local cluster's issuer and a ServiceAccount the test owns).
    const identityId = world.arm.identityId(DEPLOY.resourceGroupName, DEPLOY.identityName);
    world.arm.identities.set(identityId.toLowerCase(), {
        id: identityId,
        name: DEPLOY.identityName,
        type: "Microsoft.ManagedIdentity/userAssignedIdentities",
        location: "swedencentral",
        tags: {},
        properties: { tenantId: TEST_TENANT_ID, principalId: DEPLOY.objectId, clientId: DEPLOY.clientId },
    });
    world.arm.seedFederatedCredential({
        resourceGroupName: DEPLOY.resourceGroupName,
        identityName: DEPLOY.identityName,
        name: "deploy",
        issuer: world.cluster.issuer.issuerUrl,
        subject: `system:serviceaccount:${DEPLOY.namespace}:${DEPLOY.serviceAccount}`,
    });
    world.groupMembers.set(DEPLOY.objectId, [ADMIN_GROUP]);

    await world.cluster.api.post("/api/v1/namespaces", {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: DEPLOY.namespace },
    });
    await world.cluster.api.post(`/api/v1/namespaces/${DEPLOY.namespace}/serviceaccounts`, {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: DEPLOY.serviceAccount },
    });
    tokenFile = path.join(world.runDir, "deployer-federated-token");
    writeFileSync(
        tokenFile,
        await world.cluster.requestToken(DEPLOY.namespace, DEPLOY.serviceAccount, "api://AzureADTokenExchange"),
        { mode: 0o600 },
    );

    // The engine's environment as in a GitHub Actions deploy job after azure/login with OIDC: no client secret.
    const kubeloginDir = kubeloginStandinEnvironment(world.runDir);
    delete world.pulumi.env.AZURE_CLIENT_SECRET;
    Object.assign(world.pulumi.env, {
        AZURE_CLIENT_ID: DEPLOY.clientId,
        AZURE_TENANT_ID: TEST_TENANT_ID,
        AZURE_FEDERATED_TOKEN_FILE: tokenFile,
        AZURE_AUTHORITY_HOST: world.entra.url,
        // kubelogin is Go: it trusts the stand-ins' CA through SSL_CERT_FILE (Node through NODE_EXTRA_CA_CERTS).
        SSL_CERT_FILE: world.cluster.pki.standins.caPath,
        // kubelogin get-token always keeps its tokens in a persistent cache under the user's cache directory: this
        // run's, so nothing outlives it (a hosted CI job starts on a fresh machine, with an empty one).
        XDG_CACHE_HOME: path.join(world.runDir, "deploy-job-cache"),
        PATH: `${kubeloginDir}:${world.pulumi.env.PATH}`,
    });

    // The API server loads the Entra issuer's keys in the background (it started before the stand-in): wait until an
    // Entra token for the AKS server application signs in, and check how it maps the claims.
    const probe = await world.entra.mintAccessToken({
        audience: AKS_SERVER_APPLICATION_ID,
        principal: { objectId: "00000000-0000-4000-8000-0000000e2e01", claims: { groups: [ADMIN_GROUP] } },
    });
    const userInfo = await waitFor("kube-apiserver accepts Entra tokens", async () => {
        const review = await whoAmI(probe);
        return review.status === 201 ? review.body.status.userInfo : undefined;
    });
    assert.equal(userInfo.username, "00000000-0000-4000-8000-0000000e2e01");
    assert.ok(userInfo.groups.includes(ADMIN_GROUP), JSON.stringify(userInfo));

    project = world.pulumi.stageProject("entra", [...PROGRAM_FILES]);
    copyFileSync(path.join(REPO_ROOT, "e2e/stacks/Pulumi.entra.yaml"), path.join(project, "Pulumi.entra.yaml"));
    copyFileSync(path.join(REPO_ROOT, "e2e/stacks/Pulumi.entra.yaml"), path.join(project, "Pulumi.entra-denied.yaml"));
    for (const stack of [STACK, DENIED_STACK]) {
        await world.pulumi.ok(project, ["stack", "init", stack, "--secrets-provider", "passphrase"]);
        await world.pulumi.ok(project, ["config", "set", "armEndpoint", world.arm.url, "--stack", stack]);
    }
    for (const [key, value] of [
        ["resourceGroupName", "rg-store-denied"],
        ["cluster.name", "aks-store-denied"],
        ["openai.accountName", "store-openai-d3n1"],
        ["aiService.namespace", "denied"],
        ["identity.name", "id-ai-service-denied"],
    ]) {
        await world.pulumi.ok(project, ["config", "set", "--path", key, value, "--stack", DENIED_STACK]);
    }
});

after(async () => {
    await world?.stop();
});

describe("Entra-only cluster access", () => {
    test("one pulumi up creates the Entra-only cluster and, signed in through kubelogin as the deployer, its Kubernetes objects", async () => {
        const auditedBefore = readAuditLog(world.entraApiServer!.auditLogPath).length;
        await world.pulumi.ok(project, ["up", "--yes", "--stack", STACK, "--skip-preview"]);

        // What the program asked AKS for.
        const put = world.arm.requests.find(
            (r) => r.method === "PUT" && /managedClusters\/aks-store-entra$/.test(r.path),
        );
        const properties = (put?.body as { properties: Record<string, any> }).properties;
        assert.equal(properties.disableLocalAccounts, true);
        assert.deepEqual(properties.aadProfile, {
            managed: true,
            enableAzureRBAC: true,
            tenantID: TEST_TENANT_ID,
            adminGroupObjectIDs: [ADMIN_GROUP],
        });
        const binding = await kubectlGet(world.cluster, "clusterrolebinding", AKS_ADMIN_BINDING);
        assert.deepEqual(binding.subjects, [
            { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: ADMIN_GROUP },
        ]);

        // kubelogin exchanged the federated token for an AKS token: the deploy identity's, with its group.
        const aksTokens = world.entra.issued.filter((t) => t.scope === `${AKS_SERVER_APPLICATION_ID}/.default`);
        assert.ok(aksTokens.length >= 1, "kubelogin asked Entra for no token for the AKS server application");
        for (const token of aksTokens) {
            assert.equal(token.clientId, DEPLOY.clientId);
            assert.equal(token.claims.aud, AKS_SERVER_APPLICATION_ID);
            assert.equal(token.claims.oid, DEPLOY.objectId);
            assert.deepEqual(token.claims.groups, [ADMIN_GROUP]);
        }
        const exchanges = world.entra
            .tokenRequests()
            .filter((r) => r.form.scope?.split(" ").includes(`${AKS_SERVER_APPLICATION_ID}/.default`));
        assert.equal(exchanges.length, aksTokens.length);
        assert.ok(exchanges.every((r) => r.form.client_assertion === readFileSync(tokenFile, "utf8")));
        assert.deepEqual(
            world.entra.requests.filter((r) => /discovery\/instance/.test(r.path)),
            [],
            "kubelogin asked for instance discovery",
        );

        // Every write the stack made to its objects in the cluster (server-side apply: PATCH) was made by the
        // deployer's Entra identity, through its admin group; the controllers' own writes (system:*) aside.
        const writes = readAuditLog(world.entraApiServer!.auditLogPath)
            .slice(auditedBefore)
            .filter((e) => ["create", "patch", "update"].includes(e.verb) && e.objectRef?.subresource === undefined)
            .filter((e) => STACK_OBJECTS.includes(e.objectRef?.resource ?? ""))
            .filter((e) => e.objectRef?.namespace === "pets" || e.objectRef?.name === "pets")
            // The controllers (the service-account controller creates `default` in every namespace) sign in with
            // the harness's certificate or as system:* users: not the stack's writes.
            .filter(
                (e) => !e.userAgent?.startsWith("kube-controller-manager/") && !e.user.username.startsWith("system:"),
            );
        assert.deepEqual([...new Set(writes.map((e) => e.objectRef!.resource))].sort(), STACK_OBJECTS);
        for (const event of writes) {
            assert.equal(event.user.username, DEPLOY.objectId, JSON.stringify(event));
            assert.ok(event.user.groups?.includes(ADMIN_GROUP), JSON.stringify(event));
            assert.ok([200, 201].includes(event.responseStatus?.code ?? 0), JSON.stringify(event));
        }
        const account = await kubectlGet(world.cluster, "serviceaccount", "ai-service-account", "-n", "pets");
        const outputs = await world.pulumi.outputs(project, STACK);
        assert.equal(account.metadata.annotations["azure.workload.identity/client-id"], outputs.identityClientId);
        const deployment = await kubectlGet(world.cluster, "deployment", "ai-service", "-n", "pets");
        assert.equal(deployment.spec.template.metadata.labels["azure.workload.identity/use"], "true");
    });

    test("local accounts are disabled: AKS hands out no admin certificate, and the user kubeconfig is kubelogin", async () => {
        const base = `subscriptions/${world.arm.subscriptionId}/resourceGroups/rg-store-entra/providers/Microsoft.ContainerService/managedClusters/aks-store-entra`;
        const admin = await armPost(`${base}/listClusterAdminCredential`);
        assert.equal(admin.status, 400);
        assert.deepEqual(admin.body.error, {
            code: "BadRequest",
            message: "Getting static credential is not allowed because this cluster is set to disable local accounts.",
        });
        const user = await armPost(`${base}/listClusterUserCredential`);
        assert.equal(user.status, 200);
        const kubeconfig = Buffer.from(user.body.kubeconfigs[0].value, "base64").toString("utf8");
        assert.doesNotMatch(kubeconfig, /client-certificate-data|client-key-data/);
        assert.match(kubeconfig, /command: kubelogin/);
    });

    test("without the admin group membership, the same pulumi up fails at the first Kubernetes object, naming the deployer", async () => {
        world.groupMembers.delete(DEPLOY.objectId);
        // A new deploy job: an empty token cache (a cached token would still carry the group until it expires).
        const denied = await world.pulumi.run(project, ["up", "--yes", "--stack", DENIED_STACK, "--skip-preview"], {
            XDG_CACHE_HOME: path.join(world.runDir, "denied-job-cache"),
        });
        const output = denied.stdout + denied.stderr;
        assert.notEqual(denied.code, 0, output);
        // Server-side apply creates with PATCH: RBAC names that verb.
        assert.ok(
            output.includes(
                `namespaces "denied" is forbidden: User "${DEPLOY.objectId}" cannot patch resource "namespaces" in API group "" in the namespace "denied"`,
            ),
            output,
        );
        // The cluster exists (created before any Kubernetes object), the namespace does not.
        assert.ok(
            world.arm.requests.some((r) => r.method === "PUT" && /managedClusters\/aks-store-denied$/.test(r.path)),
        );
        await assert.rejects(kubectlGet(world.cluster, "namespace", "denied"), /NotFound/);
    });
});

/**
 * A directory holding `kubelogin`, which runs the toolchain's real kubelogin with --disable-instance-discovery, in a
 * user namespace of its own. The program's kubeconfig stays exactly as a real deploy job gets it.
 *
 * - MSAL asks login.microsoftonline.com to validate an authority host it does not know (the stand-in's
 *   127.0.0.1:<port>; the real ones are known and never asked), and kubelogin v0.2.21 reads that setting from this
 *   flag only.
 * - `kubelogin get-token` always keeps its token cache's encryption key in the user's kernel keyring, which outlives
 *   the run (a hosted CI job's machine is thrown away); a user namespace has keyrings of its own, gone with it.
 */
function kubeloginStandinEnvironment(runDir: string): string {
    const toolchainBin = process.env.AKS_OPENAI_WI_E2E_TOOLCHAIN!;
    const dir = path.join(runDir, "kubelogin-standin-environment");
    mkdirSync(dir, { recursive: true });
    const wrapper = path.join(dir, "kubelogin");
    writeFileSync(
        wrapper,
        "#!/bin/sh\n" +
            `exec unshare --user --map-root-user '${path.join(toolchainBin, "kubelogin")}' "$@" --disable-instance-discovery\n`,
    );
    chmodSync(wrapper, 0o755);
    return dir;
}

/** POST a SelfSubjectReview with a bearer token: who the API server takes the token's bearer to be. */
function whoAmI(token: string): Promise<{ status: number; body: any }> {
    return httpsJson(
        `${world.cluster.server}/apis/authentication.k8s.io/v1/selfsubjectreviews`,
        token,
        {
            apiVersion: "authentication.k8s.io/v1",
            kind: "SelfSubjectReview",
        },
        world.cluster.pki.caPath,
    );
}

/** POST to the ARM stand-in as the deployer (a client that may call the action: the refusal is AKS's, not RBAC's). */
async function armPost(pathAndName: string): Promise<{ status: number; body: any }> {
    const token = await world.entra.mintAccessToken({
        audience: world.arm.url,
        principal: { objectId: DEPLOYER.objectId },
        clientId: DEPLOYER.clientId,
    });
    return httpsJson(
        `${world.arm.url}${pathAndName}?api-version=2025-09-01`,
        token,
        {},
        world.cluster.pki.standins.caPath,
    );
}

function httpsJson(url: string, token: string, body: unknown, caPath: string): Promise<{ status: number; body: any }> {
    return new Promise((resolve, reject) => {
        const request = https.request(
            url,
            {
                method: "POST",
                ca: readFileSync(caPath),
                headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            },
            (response) => {
                let text = "";
                response.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
                response.once("end", () =>
                    resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : {} }),
                );
            },
        );
        request.once("error", reject);
        request.end(JSON.stringify(body));
    });
}
