import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from "jose";

import { fetchJsonVia } from "../../tests/support/clusterIssuer";
import { kubectl, kubectlGet } from "../support/kubectl";
import { World } from "../support/world";
import { waitFor } from "../cluster/wait";

/**
 * The harness itself, before any scenario leans on it: the API server signs service-account tokens for the issuer
 * Entra is told about, the issuer host publishes the keys that verify them, and the real webhook mutates exactly the
 * pods that opt in, with what AKS's webhook injects.
 */

const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";
let world: World;

before(async () => {
    world = await World.start({
        openAiSubdomains: [],
        openAiAccount: { resourceGroupName: "unused", name: "unused" },
    });
});

after(async () => {
    await world?.stop();
});

describe("the local cluster", () => {
    test("a TokenRequest token names the cluster's issuer and verifies against the keys the issuer host publishes", async () => {
        const { cluster } = world;
        await kubectl(cluster, ["create", "serviceaccount", "probe", "-n", "default"]);
        const token = await cluster.requestToken("default", "probe", TOKEN_EXCHANGE_AUDIENCE);

        const issuer = new URL(cluster.issuer.issuerUrl);
        const fetchJson = fetchJsonVia({ [issuer.host]: Number(issuer.port) }, cluster.pki.standins);
        const discovery = (await fetchJson(`${cluster.issuer.issuerUrl}.well-known/openid-configuration`)) as {
            issuer: string;
            jwks_uri: string;
        };
        assert.equal(discovery.issuer, cluster.issuer.issuerUrl);
        assert.equal(discovery.jwks_uri, `${cluster.issuer.issuerUrl}openid/v1/jwks`);
        const keys = (await fetchJson(discovery.jwks_uri)) as JSONWebKeySet;

        const { payload } = await jwtVerify(token, createLocalJWKSet(keys), {
            issuer: cluster.issuer.issuerUrl,
            audience: TOKEN_EXCHANGE_AUDIENCE,
        });
        assert.equal(payload.sub, "system:serviceaccount:default:probe");
        assert.match(cluster.issuer.issuerUrl, /^https:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]{36}\/[0-9a-f-]{36}\/$/);
    });

    test("the real webhook injects AKS's workload-identity environment and token into a labelled pod only", async () => {
        const { cluster } = world;
        await kubectl(cluster, ["create", "namespace", "wi"]);
        await kubectl(
            cluster,
            ["apply", "-f", "-"],
            JSON.stringify({
                apiVersion: "v1",
                kind: "List",
                items: [
                    {
                        apiVersion: "v1",
                        kind: "ServiceAccount",
                        metadata: {
                            name: "app",
                            namespace: "wi",
                            annotations: {
                                "azure.workload.identity/client-id": "11111111-2222-3333-4444-555555555555",
                            },
                        },
                    },
                    pod("labelled", { "azure.workload.identity/use": "true" }),
                    pod("unlabelled", {}),
                ],
            }),
        );
        const labelled = await kubectlGet(cluster, "pod", "labelled", "-n", "wi");
        const env = Object.fromEntries(
            (labelled.spec.containers[0].env as { name: string; value: string }[]).map((e) => [e.name, e.value]),
        );
        assert.deepEqual(
            {
                AZURE_CLIENT_ID: env.AZURE_CLIENT_ID,
                AZURE_TENANT_ID: env.AZURE_TENANT_ID,
                AZURE_AUTHORITY_HOST: env.AZURE_AUTHORITY_HOST,
            },
            {
                AZURE_CLIENT_ID: "11111111-2222-3333-4444-555555555555",
                AZURE_TENANT_ID: world.entra.tenantId,
                AZURE_AUTHORITY_HOST: "https://login.microsoftonline.com/",
            },
        );
        // The token volume and path are the webhook's to choose (v1.6.0 moved them): find the volume by audience.
        const tokenVolume = (labelled.spec.volumes as any[]).find(
            (v) => v.projected?.sources?.[0]?.serviceAccountToken?.audience === TOKEN_EXCHANGE_AUDIENCE,
        );
        assert.ok(tokenVolume, "no projected token for api://AzureADTokenExchange");
        const mount = (labelled.spec.containers[0].volumeMounts as any[]).find((m) => m.name === tokenVolume.name);
        assert.equal(
            env.AZURE_FEDERATED_TOKEN_FILE,
            `${mount.mountPath}/${tokenVolume.projected.sources[0].serviceAccountToken.path}`,
        );
        assert.equal(env.AZURE_FEDERATED_TOKEN_FILE, "/var/run/secrets/azure/wi/token/azure-identity-token");

        const unlabelled = await kubectlGet(cluster, "pod", "unlabelled", "-n", "wi");
        assert.equal(
            (unlabelled.spec.containers[0].env ?? []).some((e: { name: string }) => e.name.startsWith("AZURE_")),
            false,
        );
    });

    test("the webhook refuses a labelled pod whose ServiceAccount does not exist (failurePolicy Fail)", async () => {
        await assert.rejects(
            kubectl(
                world.cluster,
                ["apply", "-f", "-"],
                JSON.stringify({
                    ...pod("orphan", { "azure.workload.identity/use": "true" }),
                    spec: { ...pod("orphan", {}).spec, serviceAccountName: "missing" },
                }),
            ),
            /serviceaccount "missing" not found|serviceaccounts "missing" not found/,
        );
    });

    test("a Deployment rolls out: controller-manager makes the pods, the node stand-in reports them Ready", async () => {
        const { cluster } = world;
        await kubectl(cluster, [
            "create",
            "deployment",
            "web",
            "-n",
            "wi",
            "--image=registry.example/web:1",
            "--replicas=2",
        ]);
        await kubectl(cluster, ["rollout", "status", "deployment/web", "-n", "wi", "--timeout=300s"]);
        const deployment = await kubectlGet(cluster, "deployment", "web", "-n", "wi");
        assert.equal(deployment.status.readyReplicas, 2);
        const ready = await waitFor("node stand-in handled both pods", async () =>
            cluster.node.handled.filter((entry) => entry.startsWith("wi/web-")).length === 2 ? true : undefined,
        );
        assert.equal(ready, true);
        assert.equal(
            decodeJwt(await cluster.requestToken("wi", "app", TOKEN_EXCHANGE_AUDIENCE)).sub,
            "system:serviceaccount:wi:app",
        );
    });
});

function pod(name: string, labels: Record<string, string>) {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace: "wi", labels },
        spec: { serviceAccountName: "app", containers: [{ name: "app", image: "registry.example/app:1" }] },
    };
}
