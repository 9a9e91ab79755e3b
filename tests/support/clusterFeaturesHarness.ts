import assert from "node:assert/strict";
import * as path from "node:path";
import { after, before, type TestContext } from "node:test";

import { ArmStandin, type ClusterSeed } from "./armStandin";
import {
    runDynamicProvider,
    serializeDynamicProvider,
    type ProviderCall,
    type ProviderRun,
    type ProviderSource,
} from "./children";
import { clientSecrets, EntraStandin } from "./entraStandin";
import { createTestTls, trustingEnv, type TestTls } from "./tls";
import {
    aksIssuerUrl,
    mockGuid,
    SEED_RESOURCE_GROUP,
    TEST_DEPLOYER_OBJECT_ID,
    TEST_SUBSCRIPTION_ID,
    TEST_TENANT_ID,
} from "./world";

/**
 * The existing-cluster provider (components/aksWorkloadIdentityProvider.ts) as Pulumi runs it, for
 * tests/clusterFeatures.test.ts and tests/clusterFeaturesProvider.test.ts: serialized by `pulumi.dynamic.Resource`,
 * rebuilt in a process of its own (Pulumi's dynamic provider host), signing in with the real @azure/identity
 * (EnvironmentCredential, the deployer's client secret) at the Entra stand-in and calling an ARM stand-in through the
 * real @azure/arm-containerservice client, all on 127.0.0.1.
 */

export const CLUSTER = "myAKSCluster";
export const ISSUER_URL = aksIssuerUrl("eastus", CLUSTER, TEST_TENANT_ID);
export const WHERE = `AKS cluster "${CLUSTER}" in resource group "${SEED_RESOURCE_GROUP}" (subscription ${TEST_SUBSCRIPTION_ID})`;
export const CLUSTER_API = "api-version=2026-04-01";

export const CLIENT_ID = mockGuid("deployer-client");
const CLIENT_SECRET = "deployer-client-secret";

export interface ClusterFeaturesHarness {
    readonly tls: TestTls;
    readonly entra: EntraStandin;
    /** The provider as Pulumi serialized it, and that text. */
    readonly serialized: ProviderSource;
    readonly serializedText: string;
    /** What `pulumi up` hands the provider process: the deployer's service principal for EnvironmentCredential. */
    providerEnv(extra?: Record<string, string>): NodeJS.ProcessEnv;
    /** A fresh ARM stand-in for one test, holding the quickstart's cluster (both features off unless `seed` says). */
    armWith(t: TestContext, seed?: Partial<ClusterSeed> | null): Promise<ArmStandin>;
    /** Runs the calls in one provider process. */
    runProvider(
        calls: readonly ProviderCall[],
        options?: { env?: NodeJS.ProcessEnv; source?: ProviderSource },
    ): Promise<ProviderRun>;
}

/** Starts the Entra stand-in and serializes the provider before the file's tests; closes the stand-in after them. */
export function clusterFeaturesHarness(): ClusterFeaturesHarness {
    let tls: TestTls | undefined;
    let entra: EntraStandin | undefined;
    let serialized: ProviderSource | undefined;
    let serializedText: string | undefined;
    const ready = <T>(value: T | undefined): T => {
        assert.ok(value !== undefined, "the harness is used before its before() hook ran");
        return value;
    };
    const harness: ClusterFeaturesHarness = {
        get tls() {
            return ready(tls);
        },
        get entra() {
            return ready(entra);
        },
        get serialized() {
            return ready(serialized);
        },
        get serializedText() {
            return ready(serializedText);
        },
        providerEnv: (extra = {}) =>
            trustingEnv(harness.tls, {
                AZURE_TENANT_ID: TEST_TENANT_ID,
                AZURE_CLIENT_ID: CLIENT_ID,
                AZURE_CLIENT_SECRET: CLIENT_SECRET,
                AZURE_AUTHORITY_HOST: harness.entra.url,
                ...extra,
            }),
        armWith: async (t, seed = {}) => {
            const arm = await ArmStandin.start({ tls: harness.tls, entra: harness.entra });
            t.after(() => arm.close());
            if (seed !== null) {
                arm.seedCluster({
                    resourceGroupName: SEED_RESOURCE_GROUP,
                    name: CLUSTER,
                    oidcIssuerEnabled: false,
                    workloadIdentityEnabled: false,
                    ...seed,
                });
            }
            return arm;
        },
        runProvider: (calls, options = {}) =>
            runDynamicProvider({
                source: options.source ?? harness.serialized,
                calls,
                env: options.env ?? harness.providerEnv(),
                dir: harness.tls.dir,
            }),
    };
    before(async () => {
        tls = createTestTls();
        entra = await EntraStandin.start({
            tls,
            tenantId: TEST_TENANT_ID,
            authenticate: clientSecrets({ [CLIENT_ID]: { secret: CLIENT_SECRET, objectId: TEST_DEPLOYER_OBJECT_ID } }),
        });
        const outFile = path.join(tls.dir, "provider.js");
        serializedText = await serializeClusterFeaturesProvider(outFile, harness.providerEnv());
        serialized = { serializedFile: outFile };
    });
    after(() => entra?.close());
    return harness;
}

/**
 * Serializes the provider as `pulumi up` does for the quickstart's cluster into `outFile`, in a process with `env`;
 * returns the serialized text.
 */
export function serializeClusterFeaturesProvider(outFile: string, env: NodeJS.ProcessEnv): Promise<string> {
    return serializeDynamicProvider({
        resourceFile: "components/aksWorkloadIdentityFeatures.ts",
        className: "AksWorkloadIdentityFeatures",
        resourceArgs: inputsAt("https://management.azure.com/"),
        outFile,
        env,
    });
}

/** The provider's inputs for the quickstart's cluster, reached at `armEndpoint`. */
export function inputsAt(armEndpoint: string) {
    return {
        subscriptionId: TEST_SUBSCRIPTION_ID,
        resourceGroupName: SEED_RESOURCE_GROUP,
        clusterName: CLUSTER,
        armEndpoint,
    };
}

/** The state the provider records for the quickstart's cluster on `arm` with both features on, with `overrides`. */
export function stateFor(arm: ArmStandin, overrides: Record<string, unknown> = {}) {
    return {
        ...inputsAt(arm.url),
        clusterId: arm.clusterId(SEED_RESOURCE_GROUP, CLUSTER),
        location: "eastus",
        issuerUrl: ISSUER_URL,
        oidcIssuerEnabled: true,
        workloadIdentityEnabled: true,
        enabledByStack: true,
        ...overrides,
    };
}

/** The error message of the run's only call, which must have failed. */
export function errorOf(run: ProviderRun): string {
    assert.equal(run.results.length, 1);
    const [result] = run.results;
    assert.ok(!result.ok, `the call succeeded: ${JSON.stringify(result.ok ? result.value : undefined)}`);
    return result.error.message;
}

/** The ARM requests as `METHOD path?query -> status`, operation ids replaced by `{op}`. */
export function requestLines(arm: ArmStandin): string[] {
    return arm.requests.map(
        (request) =>
            `${request.method} ${request.path.replace(/\/operations\/[0-9a-f-]{36}$/, "/operations/{op}")}?` +
            `${new URLSearchParams(request.query).toString()} -> ${request.status}`,
    );
}
