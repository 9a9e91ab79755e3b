import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { armError, armErrors, type JsonObject } from "./support/armStandin";
import type { ProviderCall, ProviderRun } from "./support/children";
import {
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
import { createTestTls, startHttpsServer } from "./support/tls";
import { mockGuid, SEED_RESOURCE_GROUP, TEST_DEPLOYER_OBJECT_ID, TEST_SUBSCRIPTION_ID } from "./support/world";

/**
 * The branches of the existing-cluster provider (components/aksWorkloadIdentityProvider.ts) that tests/clusterFeatures
 * .test.ts does not reach: check()'s refusals, diff()'s replacements, refresh of a cluster that is gone or was
 * re-created, enabledByStack across an update, and the errors a user sees for 401, 429, a cluster without an issuer
 * URL, an ARM error with no advice of its own and a failure with no HTTP status. As there, every call runs the
 * provider as Pulumi serializes it, in a process of its own, with the real @azure/identity and
 * @azure/arm-containerservice against the Entra and ARM stand-ins on 127.0.0.1.
 */

const ROLE_ADVICE =
    `Fix: grant it "Azure Kubernetes Service Contributor Role" on the cluster ` +
    `(Microsoft.ContainerService/managedClusters/read and /write), or sign in as one that has it (az login).`;
const GENERIC_ADVICE =
    "Fix: see the Azure error below; az aks update --enable-oidc-issuer --enable-workload-identity runs the same operation.";

const harness = clusterFeaturesHarness();
const { armWith, runProvider } = harness;

const BOTH_ON = { oidcIssuerEnabled: true, workloadIdentityEnabled: true };
const BOTH_OFF = { oidcIssuerEnabled: false, workloadIdentityEnabled: false };

/** The values of the run's calls, which must all have succeeded. */
function valuesOf(run: ProviderRun): unknown[] {
    return run.results.map((result) => {
        assert.ok(result.ok, `a call failed: ${result.ok ? "" : result.error.message}`);
        return result.value;
    });
}

/** check()'s result without the `__provider` text the host adds to every property bag. */
function checked(value: unknown): { inputs: Record<string, unknown>; failures: unknown } {
    const { inputs, failures } = value as { inputs: Record<string, unknown>; failures: unknown };
    const { __provider: provider, ...rest } = inputs;
    assert.equal(typeof provider, "string");
    return { inputs: rest, failures };
}

describe("check() refuses inputs that cannot name a cluster before anything is sent to Azure", () => {
    test("four non-empty strings pass with no failures and come back unchanged", async () => {
        const inputs = inputsAt("https://management.azure.com/");
        const [value] = valuesOf(await runProvider([{ method: "check", args: [{}, inputs] }]));
        assert.deepEqual(checked(value), { inputs, failures: [] });
    });

    test("a missing input or one that is not a string is named, in the inputs' order, with its reason", async () => {
        // Two inputs left out and one of the wrong type (42 where a string belongs); clusterName is fine.
        const news = { resourceGroupName: 42, clusterName: CLUSTER };
        const [value] = valuesOf(await runProvider([{ method: "check", args: [{}, news] }]));
        assert.deepEqual(checked(value), {
            inputs: news,
            failures: [
                { property: "subscriptionId", reason: "subscriptionId must be a non-empty string" },
                { property: "resourceGroupName", reason: "resourceGroupName must be a non-empty string" },
                { property: "armEndpoint", reason: "armEndpoint must be a non-empty string" },
            ],
        });
    });

    test("an empty string is refused like a missing input", async () => {
        const news = { ...inputsAt(""), clusterName: "" };
        const [value] = valuesOf(await runProvider([{ method: "check", args: [{}, news] }]));
        assert.deepEqual(checked(value), {
            inputs: news,
            failures: [
                { property: "clusterName", reason: "clusterName must be a non-empty string" },
                { property: "armEndpoint", reason: "armEndpoint must be a non-empty string" },
            ],
        });
    });
});

describe("diff() replaces the resource only when it points at another cluster", () => {
    test("each identity input changed on its own is a replacement naming exactly that input", async () => {
        const olds = { ...inputsAt("https://management.azure.com/"), ...stateOutputs() };
        const calls: ProviderCall[] = [
            { subscriptionId: mockGuid("other-subscription") },
            { resourceGroupName: "rg-other" },
            { clusterName: "otherAKSCluster" },
            { subscriptionId: mockGuid("other-subscription"), resourceGroupName: "rg-other", clusterName: "other" },
        ].map((change) => ({
            method: "diff",
            args: [olds.clusterId, olds, { ...inputsAt(olds.armEndpoint), ...change }],
        }));
        const diffs = valuesOf(await runProvider(calls));
        assert.deepEqual(diffs, [
            { changes: true, replaces: ["subscriptionId"], deleteBeforeReplace: false },
            { changes: true, replaces: ["resourceGroupName"], deleteBeforeReplace: false },
            { changes: true, replaces: ["clusterName"], deleteBeforeReplace: false },
            {
                changes: true,
                replaces: ["subscriptionId", "resourceGroupName", "clusterName"],
                deleteBeforeReplace: false,
            },
        ]);
    });

    test("a new ARM endpoint (same cluster, another route to it) is an update, not a replacement", async () => {
        const olds = { ...inputsAt("https://management.azure.com/"), ...stateOutputs() };
        const [diff] = valuesOf(
            await runProvider([
                { method: "diff", args: [olds.clusterId, olds, inputsAt("https://arm.example.test/")] },
            ]),
        );
        assert.deepEqual(diff, { changes: true, replaces: [], deleteBeforeReplace: false });
    });

    test("a refreshed state with the OIDC issuer off is drift to repair even when workload identity reads on", async () => {
        const olds = {
            ...inputsAt("https://management.azure.com/"),
            ...stateOutputs(),
            issuerUrl: "",
            oidcIssuerEnabled: false,
        };
        const [diff] = valuesOf(
            await runProvider([{ method: "diff", args: [olds.clusterId, olds, inputsAt(olds.armEndpoint)] }]),
        );
        assert.deepEqual(diff, { changes: true, replaces: [], deleteBeforeReplace: false });
    });
});

/** The outputs of a create that turned both features on (the inputs aside). */
function stateOutputs() {
    return {
        clusterId: `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourcegroups/${SEED_RESOURCE_GROUP}/providers/Microsoft.ContainerService/managedClusters/${CLUSTER}`,
        location: "eastus",
        issuerUrl: ISSUER_URL,
        oidcIssuerEnabled: true,
        workloadIdentityEnabled: true,
        enabledByStack: true,
    };
}

describe("read() on refresh", () => {
    test("a cluster deleted out of band reads as gone ({}), so refresh drops it from the state", async (t) => {
        const arm = await armWith(t, null);
        const state = stateFor(arm);
        const [read] = valuesOf(await runProvider([{ method: "read", args: [state.clusterId, state] }]));
        assert.deepEqual(read, {});
        assert.deepEqual(requestLines(arm), [
            `GET ${arm.clusterPath(SEED_RESOURCE_GROUP, CLUSTER)}?${CLUSTER_API} -> 404`,
        ]);
    });

    test("a refused read (403) fails the refresh with the role to grant instead of dropping the resource", async (t) => {
        const arm = await armWith(t, BOTH_ON);
        const scope = arm.clusterPath(SEED_RESOURCE_GROUP, CLUSTER);
        arm.fail(
            { method: "GET" },
            armErrors.forbidden(TEST_DEPLOYER_OBJECT_ID, "Microsoft.ContainerService/managedClusters/read", scope),
        );
        const state = stateFor(arm);
        const message = errorOf(await runProvider([{ method: "read", args: [state.clusterId, state] }]));
        assert.equal(
            message,
            `Failed reading ${WHERE} (AuthorizationFailed, HTTP 403): the signed-in identity may not read it. ` +
                `${ROLE_ADVICE}\n` +
                `The client '${TEST_DEPLOYER_OBJECT_ID}' with object id '${TEST_DEPLOYER_OBJECT_ID}' does not have ` +
                `authorization to perform action 'Microsoft.ContainerService/managedClusters/read' over scope '${scope}' ` +
                `or the scope is invalid. If access was recently granted, please refresh your credentials.`,
        );
    });

    test("a cluster re-created without the features reads as both off with no issuer URL, and keeps enabledByStack", async (t) => {
        const arm = await armWith(t, BOTH_OFF);
        const state = stateFor(arm);
        const [read] = valuesOf(await runProvider([{ method: "read", args: [state.clusterId, state] }]));
        assert.deepEqual(read, {
            id: state.clusterId,
            props: stateFor(arm, { issuerUrl: "", oidcIssuerEnabled: false, workloadIdentityEnabled: false }),
        });
    });
});

describe("create and update", () => {
    test("a cluster whose OIDC issuer reads off is updated even when workload identity reads on", async (t) => {
        const arm = await armWith(t, { oidcIssuerEnabled: false, workloadIdentityEnabled: true });
        const [created] = valuesOf(await runProvider([{ method: "create", args: [inputsAt(arm.url)] }]));
        assert.deepEqual(created, { id: arm.clusterId(SEED_RESOURCE_GROUP, CLUSTER), outs: stateFor(arm) });
        assert.deepEqual(
            (arm.requestsTo({ method: "PUT" })[0].body as { properties: JsonObject }).properties.oidcIssuerProfile,
            { enabled: true },
        );
    });

    test("an update that finds both features on keeps enabledByStack from the stack's earlier update", async (t) => {
        // The ARM endpoint moved (a new route to the same cluster): update() runs, and the cluster needs no PUT.
        const arm = await armWith(t, BOTH_ON);
        const olds = stateFor(arm, { armEndpoint: "https://management.azure.com/", enabledByStack: true });
        const [updated] = valuesOf(
            await runProvider([{ method: "update", args: [olds.clusterId, olds, inputsAt(arm.url)] }]),
        );
        assert.deepEqual(updated, { outs: stateFor(arm, { enabledByStack: true }) });
        assert.deepEqual(requestLines(arm), [
            `GET ${arm.clusterPath(SEED_RESOURCE_GROUP, CLUSTER)}?${CLUSTER_API} -> 200`,
        ]);
    });

    test("the issuer on but no issuer URL returned: create fails and says how to check, as nothing can use it", async (t) => {
        const arm = await armWith(t, BOTH_ON);
        arm.updateCluster(SEED_RESOURCE_GROUP, CLUSTER, (cluster) => {
            (cluster.properties as JsonObject).oidcIssuerProfile = { enabled: true };
        });
        const message = errorOf(await runProvider([{ method: "create", args: [inputsAt(arm.url)] }]));
        assert.equal(
            message,
            `AKS cluster ${CLUSTER} reports the OIDC issuer as enabled but returned no issuer URL. Federated ` +
                `credentials need the exact URL, so nothing was created from it. Check with: az aks show ` +
                `-g ${SEED_RESOURCE_GROUP} -n ${CLUSTER} --query oidcIssuerProfile`,
        );
    });

    test("delete() of a cluster whose features were on before the stack sends nothing and leaves it as it is", async (t) => {
        const arm = await armWith(t, BOTH_ON);
        const before = arm.cluster(SEED_RESOURCE_GROUP, CLUSTER);
        const state = stateFor(arm, { enabledByStack: false });
        assert.deepEqual(valuesOf(await runProvider([{ method: "delete", args: [state.clusterId, state] }])), [
            undefined,
        ]);
        assert.deepEqual(arm.requests, []);
        assert.deepEqual(arm.cluster(SEED_RESOURCE_GROUP, CLUSTER), before);
    });
});

describe("errors say what failed and what to do", () => {
    test("401 (the token expired during a long run): the error names the role and sign-in", async (t) => {
        const arm = await armWith(t, BOTH_OFF);
        arm.fail(
            { method: "GET" },
            armError(401, "ExpiredAuthenticationToken", "The access token expiry UTC time is in the past."),
        );
        const message = errorOf(await runProvider([{ method: "create", args: [inputsAt(arm.url)] }]));
        assert.equal(
            message,
            `Failed reading ${WHERE} (ExpiredAuthenticationToken, HTTP 401): the signed-in identity may not read it. ` +
                `${ROLE_ADVICE}\nThe access token expiry UTC time is in the past.`,
        );
    });

    test("429 on every retry: the error says ARM kept throttling and to wait, and nothing was written", async (t) => {
        const arm = await armWith(t, BOTH_OFF);
        const before = arm.cluster(SEED_RESOURCE_GROUP, CLUSTER);
        arm.fail({ method: "PUT" }, armErrors.throttled(0), 100);
        const message = errorOf(await runProvider([{ method: "create", args: [inputsAt(arm.url)] }]));
        assert.equal(
            message,
            `Failed enabling the OIDC issuer and workload identity on ${WHERE} (TooManyRequests, HTTP 429): Azure ` +
                `Resource Manager kept throttling the requests after retries. Fix: wait a few minutes and run pulumi up ` +
                `again.\nThe request is being throttled as the limit has been reached for operation type - ` +
                `Write_ObservationWindow_00:05:00. For more information, see - https://aka.ms/srpthrottlinglimits`,
        );
        assert.deepEqual(
            arm.requestsTo({ method: "PUT" }).map((put) => put.status),
            [429, 429, 429, 429],
        );
        assert.deepEqual(arm.cluster(SEED_RESOURCE_GROUP, CLUSTER), before);
    });

    test("an ARM error with no advice of its own (an api-version the cloud lacks) points at the Azure error", async (t) => {
        const arm = await armWith(t, BOTH_OFF);
        arm.apiVersions["microsoft.containerservice"] = ["2025-09-01"];
        const message = errorOf(await runProvider([{ method: "create", args: [inputsAt(arm.url)] }]));
        assert.equal(
            message,
            `Failed reading ${WHERE} (NoRegisteredProviderFound, HTTP 400): ${GENERIC_ADVICE}\n` +
                `No registered resource provider found for location 'eastus' and API version '2026-04-01' for type in ` +
                `namespace 'microsoft.containerservice'. The supported api-versions are '2025-09-01'.`,
        );
    });

    test("an ARM error that quotes a failed operation is not taken for this update's failed operation", async (t) => {
        const arm = await armWith(t, BOTH_OFF);
        const detail =
            "Cannot update the managed cluster: its last operation did not complete. " +
            "The long-running operation has failed. Reconcile the cluster first.";
        arm.fail({ method: "PUT" }, armError(400, "OperationNotAllowed", detail));
        const message = errorOf(await runProvider([{ method: "create", args: [inputsAt(arm.url)] }]));
        assert.equal(
            message,
            `Failed enabling the OIDC issuer and workload identity on ${WHERE} (OperationNotAllowed, HTTP 400): ` +
                `${GENERIC_ADVICE}\n${detail}`,
        );
    });

    test("a failure with no HTTP status (a TLS certificate the provider does not trust) shows its code alone", async (t) => {
        // What a TLS-inspecting proxy in front of the ARM endpoint looks like: a certificate from a CA nobody trusts.
        const untrusted = await startHttpsServer(createTestTls(), (_request, response) => response.end());
        t.after(() => untrusted.close());
        const message = errorOf(await runProvider([{ method: "create", args: [inputsAt(untrusted.url)] }]));
        // The second line is Node's own text, which differs between Node versions (24 adds a hint on system CAs).
        const [first, second] = message.split("\n");
        assert.equal(first, `Failed reading ${WHERE} (UNABLE_TO_VERIFY_LEAF_SIGNATURE): ${GENERIC_ADVICE}`);
        assert.match(second, /^unable to verify the first certificate/);
    });
});
