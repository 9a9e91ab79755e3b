import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { ArmStandin, armErrors, writableView, type ArmResource, type JsonObject } from "./support/armStandin";
import type { ProviderRun } from "./support/children";
import {
    CLIENT_ID,
    CLUSTER,
    CLUSTER_API,
    clusterFeaturesHarness,
    errorOf,
    inputsAt,
    ISSUER_URL,
    requestLines,
    stateFor,
    WHERE,
} from "./support/clusterFeaturesHarness";
import {
    mockGuid,
    SEED_RESOURCE_GROUP,
    TEST_DEPLOYER_OBJECT_ID,
    TEST_SUBSCRIPTION_ID,
    TEST_TENANT_ID,
} from "./support/world";

/**
 * The existing-cluster update (components/aksWorkloadIdentityProvider.ts) as Pulumi runs it: the provider serialized
 * by `pulumi.dynamic.Resource` from ts-node's output, rebuilt in a process of its own (Pulumi's dynamic provider host),
 * signing in with the real @azure/identity (EnvironmentCredential, a client secret) at the Entra stand-in and calling
 * the ARM stand-in through the real @azure/arm-containerservice client (tests/support/clusterFeaturesHarness.ts).
 */

const harness = clusterFeaturesHarness();
const { armWith, providerEnv, runProvider } = harness;

/** The value of the run's only call, which must have succeeded. */
function valueOf(run: ProviderRun): unknown {
    assert.equal(run.results.length, 1);
    const [result] = run.results;
    assert.ok(result.ok, `the call failed: ${result.ok ? "" : result.error.message}`);
    return result.value;
}

function clusterPath(arm: ArmStandin): string {
    return arm.clusterPath(SEED_RESOURCE_GROUP, CLUSTER);
}

const OPERATION = `/subscriptions/${TEST_SUBSCRIPTION_ID}/providers/Microsoft.ContainerService/locations/eastus/operations/{op}?api-version=2016-03-30`;

describe("how Pulumi runs the provider", () => {
    test("the serialized provider loads only the Azure SDK, by package name, and nothing from @pulumi/pulumi", () => {
        const required = [...harness.serializedText.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]).sort();
        assert.deepEqual(required, ["@azure/arm-containerservice", "@azure/identity"]);
    });

    test("the serialized provider turns the features on end to end in a plain Node process", async (t) => {
        const arm = await armWith(t);
        const value = valueOf(await runProvider([{ method: "create", args: [inputsAt(arm.url)] }]));
        assert.deepEqual(value, { id: arm.clusterId(SEED_RESOURCE_GROUP, CLUSTER), outs: stateFor(arm) });
    });

    test("the TypeScript module gives the same outputs as its serialized form", async (t) => {
        const arm = await armWith(t);
        const source = {
            module: { path: "components/aksWorkloadIdentityProvider.ts", export: "clusterFeaturesProvider" },
        };
        const value = valueOf(await runProvider([{ method: "create", args: [inputsAt(arm.url)] }], { source }));
        assert.deepEqual(value, { id: arm.clusterId(SEED_RESOURCE_GROUP, CLUSTER), outs: stateFor(arm) });
    });
});

describe("sign-in", () => {
    test("EnvironmentCredential gets the token; managed identity and IMDS are never tried", async (t) => {
        const arm = await armWith(t, { oidcIssuerEnabled: true, workloadIdentityEnabled: true });
        const first = harness.entra.requests.length;
        const run = await runProvider([{ method: "create", args: [inputsAt(arm.url)] }], {
            env: providerEnv({ AZURE_LOG_LEVEL: "info" }),
        });
        valueOf(run);
        assert.match(run.stderr, /ChainedTokenCredential => getToken\(\) => Result for EnvironmentCredential: SUCCESS/);
        assert.doesNotMatch(run.stderr, /ManagedIdentityCredential => getToken/);
        // MSAL asked the authority for its OpenID configuration and a token, and nothing else (no instance discovery).
        assert.deepEqual(
            harness.entra.requests
                .slice(first)
                .map((request) => `${request.method} ${request.path} -> ${request.status}`),
            [
                `GET /${TEST_TENANT_ID}/v2.0/.well-known/openid-configuration -> 200`,
                `POST /${TEST_TENANT_ID}/oauth2/v2.0/token -> 200`,
            ],
        );
    });

    test("the token is requested for <armEndpoint>.default and ARM receives it for its own audience", async (t) => {
        const arm = await armWith(t, { oidcIssuerEnabled: true, workloadIdentityEnabled: true });
        const first = harness.entra.tokenRequests().length;
        valueOf(await runProvider([{ method: "create", args: [inputsAt(arm.url)] }]));
        const [tokenRequest] = harness.entra.tokenRequests().slice(first);
        assert.equal(tokenRequest.form.scope, `${arm.url}.default`);
        assert.equal(tokenRequest.form.client_id, CLIENT_ID);
        assert.equal(tokenRequest.form.grant_type, "client_credentials");
        assert.deepEqual(
            arm.requests.map((request) => request.principal),
            [{ oid: TEST_DEPLOYER_OBJECT_ID, appid: CLIENT_ID, aud: arm.url }],
        );
    });
});

describe("create", () => {
    test("both features already on: one GET, no PUT, the issuer URL verbatim", async (t) => {
        const issuerUrl = `https://eastus.oic.prod-aks.azure.com/${TEST_TENANT_ID}/${mockGuid("verbatim")}/`;
        const arm = await armWith(t, { oidcIssuerEnabled: true, workloadIdentityEnabled: true, issuerUrl });
        const value = valueOf(await runProvider([{ method: "create", args: [inputsAt(arm.url)] }]));
        assert.deepEqual(requestLines(arm), [`GET ${clusterPath(arm)}?${CLUSTER_API} -> 200`]);
        assert.deepEqual(value, {
            id: arm.clusterId(SEED_RESOURCE_GROUP, CLUSTER),
            outs: stateFor(arm, { issuerUrl, enabledByStack: false }),
        });
    });

    test("features off: one PUT guarded by the GET's ETag, the operation polled until it succeeds", async (t) => {
        const arm = await armWith(t);
        arm.lro.inProgressPolls = 1;
        const etag = arm.cluster(SEED_RESOURCE_GROUP, CLUSTER).eTag;
        valueOf(await runProvider([{ method: "create", args: [inputsAt(arm.url)] }]));
        assert.deepEqual(requestLines(arm), [
            `GET ${clusterPath(arm)}?${CLUSTER_API} -> 200`,
            `PUT ${clusterPath(arm)}?${CLUSTER_API} -> 200`,
            `GET ${OPERATION} -> 200`,
            `GET ${OPERATION} -> 200`,
            `GET ${clusterPath(arm)}?${CLUSTER_API} -> 200`,
        ]);
        assert.equal(arm.requestsTo({ method: "PUT" })[0].headers["if-match"], etag);
        assert.deepEqual(
            [...arm.operations.values()].map((operation) => operation.status),
            ["Succeeded"],
        );
    });

    test("features off: the outputs carry the issuer URL AKS assigned and enabledByStack", async (t) => {
        const arm = await armWith(t);
        const value = valueOf(await runProvider([{ method: "create", args: [inputsAt(arm.url)] }]));
        assert.deepEqual(value, { id: arm.clusterId(SEED_RESOURCE_GROUP, CLUSTER), outs: stateFor(arm) });
        assert.equal(
            (arm.cluster(SEED_RESOURCE_GROUP, CLUSTER).properties.oidcIssuerProfile as JsonObject).issuerURL,
            ISSUER_URL,
        );
    });

    test("the PUT turns on both features and changes no other writable field", async (t) => {
        const arm = await armWith(t);
        const before = arm.cluster(SEED_RESOURCE_GROUP, CLUSTER);
        valueOf(await runProvider([{ method: "create", args: [inputsAt(arm.url)] }]));
        const expected = writableView(before) as JsonObject & { properties: JsonObject };
        expected.properties.oidcIssuerProfile = { enabled: true };
        expected.properties.securityProfile = { workloadIdentity: { enabled: true } };
        assert.deepEqual(arm.requestsTo({ method: "PUT" })[0].body, expected);
    });

    test("ETag conflict: 412, nothing overwritten, and the error says to run again", async (t) => {
        const arm = await armWith(t);
        // Someone scales the node pool between the provider's GET and its PUT.
        let scaled: ArmResource | undefined;
        arm.use(async (request, next) => {
            const reply = await next();
            if (request.method === "GET" && scaled === undefined) {
                scaled = arm.updateCluster(SEED_RESOURCE_GROUP, CLUSTER, (cluster) => {
                    ((cluster.properties as JsonObject).agentPoolProfiles as JsonObject[])[0].count = 3;
                });
            }
            return reply;
        });
        const message = errorOf(await runProvider([{ method: "create", args: [inputsAt(arm.url)] }]));
        const sentEtag = arm.requestsTo({ method: "PUT" })[0].headers["if-match"];
        assert.equal(
            message,
            `Failed enabling the OIDC issuer and workload identity on ${WHERE} (PreconditionFailed, HTTP 412): the cluster ` +
                `changed between our read and our write (ETag mismatch), so nothing was overwritten. Fix: run pulumi up ` +
                `again; it re-reads the cluster and applies only the two features.\n` +
                `Operation is not allowed: the eTag '${sentEtag}' in the If-Match header does not match the current eTag of ` +
                `managed cluster '${CLUSTER}'. Get the managed cluster again and retry with its current eTag.`,
        );
        assert.deepEqual(arm.cluster(SEED_RESOURCE_GROUP, CLUSTER), scaled);
        assert.equal(arm.requestsTo({ method: "PUT" }).length, 1);
    });

    test("429 with Retry-After: the PUT is retried and takes effect once", async (t) => {
        const arm = await armWith(t);
        arm.fail({ method: "PUT" }, armErrors.throttled(0), 2);
        const value = valueOf(await runProvider([{ method: "create", args: [inputsAt(arm.url)] }]));
        const puts = arm.requestsTo({ method: "PUT" });
        assert.deepEqual(
            puts.map((put) => put.status),
            [429, 429, 200],
        );
        assert.equal(new Set(puts.map((put) => put.headers["if-match"])).size, 1);
        assert.equal(arm.operations.size, 1);
        assert.deepEqual(value, { id: arm.clusterId(SEED_RESOURCE_GROUP, CLUSTER), outs: stateFor(arm) });
    });

    test("missing cluster: 404, and the error names cluster.name and resourceGroupName and the fix", async (t) => {
        const arm = await armWith(t, null);
        const message = errorOf(await runProvider([{ method: "create", args: [inputsAt(arm.url)] }]));
        assert.equal(
            message,
            `Failed reading ${WHERE} (ResourceNotFound, HTTP 404): it was not found. Fix: check ` +
                `aks-openai-wi:cluster.name and aks-openai-wi:resourceGroupName (az aks list -o table), or set ` +
                `cluster.mode to "managed" to let the stack create one.\n` +
                `The Resource 'Microsoft.ContainerService/managedClusters/${CLUSTER}' under resource group ` +
                `'${SEED_RESOURCE_GROUP}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
        );
    });

    test("no permission to write: 403, and the error names the role to grant", async (t) => {
        const arm = await armWith(t);
        const scope = arm.clusterPath(SEED_RESOURCE_GROUP, CLUSTER);
        arm.fail(
            { method: "PUT" },
            armErrors.forbidden(TEST_DEPLOYER_OBJECT_ID, "Microsoft.ContainerService/managedClusters/write", scope),
        );
        const message = errorOf(await runProvider([{ method: "create", args: [inputsAt(arm.url)] }]));
        assert.equal(
            message,
            `Failed enabling the OIDC issuer and workload identity on ${WHERE} (AuthorizationFailed, HTTP 403): the ` +
                `signed-in identity may not update it. Fix: grant it "Azure Kubernetes Service Contributor Role" on the ` +
                `cluster (Microsoft.ContainerService/managedClusters/read and /write), or sign in as one that has it (az login).\n` +
                `The client '${TEST_DEPLOYER_OBJECT_ID}' with object id '${TEST_DEPLOYER_OBJECT_ID}' does not have ` +
                `authorization to perform action 'Microsoft.ContainerService/managedClusters/write' over scope '${scope}' ` +
                `or the scope is invalid. If access was recently granted, please refresh your credentials.`,
        );
    });

    test("another operation running: 409, and the error says to wait for it", async (t) => {
        const arm = await armWith(t);
        arm.updateCluster(SEED_RESOURCE_GROUP, CLUSTER, (cluster) => {
            (cluster.properties as JsonObject).provisioningState = "Upgrading";
        });
        const message = errorOf(await runProvider([{ method: "create", args: [inputsAt(arm.url)] }]));
        assert.equal(
            message,
            `Failed enabling the OIDC issuer and workload identity on ${WHERE} (OperationNotAllowed, HTTP 409): another ` +
                `operation is in progress on the cluster. Fix: wait for it (az aks show --query provisioningState) and ` +
                `run pulumi up again.\nOperation is not allowed because there's an in progress operation on managed ` +
                `cluster '${CLUSTER}' (provisioningState Upgrading). Please wait for it to complete.`,
        );
        assert.equal(arm.operations.size, 0);
    });

    test("the operation ends Failed: the error says AKS accepted the update and how to reconcile", async (t) => {
        const arm = await armWith(t);
        arm.lro.outcome = {
            status: "Failed",
            code: "VMExtensionProvisioningError",
            message: "VM has reported a failure when processing extension 'vmssCSE'.",
        };
        const message = errorOf(await runProvider([{ method: "create", args: [inputsAt(arm.url)] }]));
        assert.equal(
            message,
            `Failed enabling the OIDC issuer and workload identity on ${WHERE}: AKS accepted the update but the operation ` +
                `failed (its error is below); the cluster may now be in provisioningState Failed. Fix: remove the cause, ` +
                `then run pulumi up again; if the cluster stays Failed, az aks update -g ${SEED_RESOURCE_GROUP} -n ${CLUSTER} ` +
                `with no other arguments reconciles it first.\n` +
                `The long-running operation has failed. VMExtensionProvisioningError. VM has reported a failure when ` +
                `processing extension 'vmssCSE'.`,
        );
    });
});

describe("refresh, diff, update and delete", () => {
    test("read() reports workload identity turned off out of band", async (t) => {
        const arm = await armWith(t);
        const created = valueOf(await runProvider([{ method: "create", args: [inputsAt(arm.url)] }])) as {
            id: string;
            outs: object;
        };
        arm.updateCluster(SEED_RESOURCE_GROUP, CLUSTER, (cluster) => {
            (cluster.properties as JsonObject).securityProfile = { workloadIdentity: { enabled: false } };
        });
        const requestsBefore = arm.requests.length;
        const read = valueOf(await runProvider([{ method: "read", args: [created.id, created.outs] }]));
        assert.deepEqual(read, { id: created.id, props: stateFor(arm, { workloadIdentityEnabled: false }) });
        assert.deepEqual(requestLines(arm).slice(requestsBefore), [`GET ${clusterPath(arm)}?${CLUSTER_API} -> 200`]);
    });

    test("diff() reports a change when refresh found a feature off", async (t) => {
        const arm = await armWith(t);
        const drifted = stateFor(arm, { workloadIdentityEnabled: false });
        const diff = valueOf(
            await runProvider([{ method: "diff", args: [drifted.clusterId, drifted, inputsAt(arm.url)] }]),
        );
        assert.deepEqual(diff, { changes: true, replaces: [], deleteBeforeReplace: false });
        assert.deepEqual(arm.requests, []);
    });

    test("diff() reports no change when both features are on and the inputs are the same", async (t) => {
        const arm = await armWith(t);
        const state = stateFor(arm);
        const diff = valueOf(
            await runProvider([{ method: "diff", args: [state.clusterId, state, inputsAt(arm.url)] }]),
        );
        assert.deepEqual(diff, { changes: false, replaces: [], deleteBeforeReplace: false });
    });

    test("update() after drift turns workload identity back on and keeps enabledByStack", async (t) => {
        const arm = await armWith(t, { oidcIssuerEnabled: true, workloadIdentityEnabled: false });
        const olds = stateFor(arm, { workloadIdentityEnabled: false, enabledByStack: true });
        const updated = valueOf(
            await runProvider([{ method: "update", args: [olds.clusterId, olds, inputsAt(arm.url)] }]),
        );
        assert.deepEqual(updated, { outs: stateFor(arm) });
        assert.deepEqual(
            (arm.requestsTo({ method: "PUT" })[0].body as { properties: JsonObject }).properties.securityProfile,
            { workloadIdentity: { enabled: true } },
        );
    });

    test("delete() sends no request and leaves the cluster as it is", async (t) => {
        const arm = await armWith(t, { oidcIssuerEnabled: true, workloadIdentityEnabled: true });
        const before = arm.cluster(SEED_RESOURCE_GROUP, CLUSTER);
        const tokenRequests = harness.entra.tokenRequests().length;
        const state = stateFor(arm);
        valueOf(await runProvider([{ method: "delete", args: [state.clusterId, state] }]));
        assert.deepEqual(arm.requests, []);
        assert.equal(harness.entra.tokenRequests().length, tokenRequests);
        assert.deepEqual(arm.cluster(SEED_RESOURCE_GROUP, CLUSTER), before);
    });
});
