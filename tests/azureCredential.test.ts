import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { after, before, beforeEach, describe, test, type TestContext } from "node:test";

import { decodeJwt } from "jose";

import { azureSignInFromEnvironment, fetchGitHubOidcToken } from "../components/azureCredential";
import { ActionsTokenStandin } from "./support/actionsTokenStandin";
import { ArmStandin } from "./support/armStandin";
import {
    callFunctionInChild,
    runCredentialSteps,
    runDynamicProvider,
    type CredentialRunStep,
} from "./support/children";
import { serializeClusterFeaturesProvider } from "./support/clusterFeaturesHarness";
import { fetchJsonVia } from "./support/clusterIssuer";
import { EntraStandin } from "./support/entraStandin";
import { federatedAuthenticator, isTokenEndpointError, type Federation } from "./support/federatedCredentials";
import { SimulatedClock } from "./support/simulatedClock";
import { createTestTls, trustingEnv, type TestTls } from "./support/tls";
import { mockGuid, SEED_RESOURCE_GROUP, TEST_SUBSCRIPTION_ID, TEST_TENANT_ID } from "./support/world";

/**
 * The project's one credential for its own Azure SDK calls (components/azureCredential.ts) in GitHub Actions, against
 * the Entra stand-in and a stand-in of GitHub's OIDC token endpoint whose tokens expire after LIFETIME simulated
 * seconds. Every token request at Entra is one step of a run; the simulated clock moves on STEP seconds after each, so
 * a four-step run's sign-ins span 720 s, longer than a token lives, without waiting for anything.
 */

/** N: how long a GitHub OIDC token is valid here (GitHub's are short-lived: minutes). */
const LIFETIME = 300;
/** Simulated seconds between two token requests of a run (a slow runner, a cluster operation in between). */
const STEP = 240;
const CLIENT_ID = mockGuid("github-deploy-client");
const OBJECT_ID = mockGuid("github-deploy-principal");
const SUBJECT = "repo:contoso/aks-openai-wi:environment:prod";
const REQUEST_TOKEN = "actions-request-token-for-this-job";
const ARM_SCOPE = "https://management.azure.com/.default";
/** Stated here, not imported: the audience Entra exchanges (docs: api://AzureADTokenExchange). */
const EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";
const CLUSTER = "myAKSCluster";
/** An app registration with a client secret: what DefaultAzureCredential's EnvironmentCredential signs in with. */
const SECRET_CLIENT_ID = mockGuid("secret-client");
const SECRET_OBJECT_ID = mockGuid("secret-principal");
const CLIENT_SECRET = "secret-client-password";

let tls: TestTls;
let clock: SimulatedClock;
let actions: ActionsTokenStandin;
let entra: EntraStandin;

before(async () => {
    tls = createTestTls();
    clock = new SimulatedClock();
    actions = await ActionsTokenStandin.start({
        tls,
        clock: () => clock.now(),
        lifetimeSeconds: LIFETIME,
        subject: SUBJECT,
        requestToken: REQUEST_TOKEN,
    });
    const port = Number(new URL(actions.issuer).port);
    const federated = federatedAuthenticator(
        (): Federation => ({
            tenantId: TEST_TENANT_ID,
            identities: [{ name: "github-deploy", clientId: CLIENT_ID, principalId: OBJECT_ID }],
            credentials: [
                {
                    identityName: "github-deploy",
                    issuer: actions.issuer,
                    subject: SUBJECT,
                    audiences: [EXCHANGE_AUDIENCE],
                },
            ],
        }),
        fetchJsonVia({ [`127.0.0.1:${port}`]: port }, tls),
        () => clock.now(),
    );
    entra = await EntraStandin.start({
        tls,
        tenantId: TEST_TENANT_ID,
        assertionClock: () => clock.now(),
        afterTokenRequest: () => clock.advance(STEP),
        authenticate: async ({ tenantId, clientId, credential }) => {
            if (credential.type === "client_secret") {
                return clientId === SECRET_CLIENT_ID && credential.secret === CLIENT_SECRET
                    ? { objectId: SECRET_OBJECT_ID, appId: SECRET_CLIENT_ID }
                    : {
                          status: 401,
                          error: "invalid_client",
                          error_description: "AADSTS7000215: Invalid client secret provided.",
                      };
            }
            const decision = await federated({
                tenantId,
                clientId,
                assertion: credential.type === "client_assertion" ? credential.assertion : undefined,
            });
            return isTokenEndpointError(decision) ? decision : { objectId: decision.objectId, appId: decision.appId };
        },
    });
});

after(() => Promise.all([entra.close(), actions.close()]));

beforeEach(() => {
    clock = new SimulatedClock();
});

/** A GitHub Actions job's environment as deploy.yml gives it (id-token: write; AZURE_* from the job's env). */
function actionsEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return trustingEnv(tls, {
        GITHUB_ACTIONS: "true",
        ACTIONS_ID_TOKEN_REQUEST_URL: actions.requestUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN,
        AZURE_CLIENT_ID: CLIENT_ID,
        AZURE_TENANT_ID: TEST_TENANT_ID,
        AZURE_AUTHORITY_HOST: entra.url,
        ...extra,
    });
}

/**
 * Resources a run may need tokens for. With one credential for the run (verify) a new resource is a new token request
 * at Entra; the first four are what a four-step run asks for.
 */
const RUN_SCOPES = [
    ARM_SCOPE,
    "https://graph.microsoft.com/.default",
    "https://vault.azure.net/.default",
    "https://storage.azure.com/.default",
];

function run(
    signIn: "project" | "assertion-fetched-at-start",
    credential: "per-step" | "shared",
    steps: number,
    env = actionsEnv(),
) {
    return runCredentialSteps({
        request: { signIn, credential, scopes: RUN_SCOPES.slice(0, steps) },
        env,
        dir: tls.dir,
    });
}

/** The token requests Entra answered since the `first`-th: its status, and when the assertion it judged was issued. */
function judgedSince(first: number): { status: number; iat: number | undefined }[] {
    return entra
        .tokenRequests()
        .slice(first)
        .map((request) => ({ status: request.status, iat: decodeJwt(request.form.client_assertion).iat }));
}

/** `steps` sign-ins that succeeded, each with an assertion issued at its own step of the run. */
function freshAtEachStep(start: number, steps: number): { status: number; iat: number }[] {
    return Array.from({ length: steps }, (_, step) => ({ status: 200, iat: start + step * STEP }));
}

/** The Entra time format of an error description (.NET round-trip, seven fractional digits). */
function entraTime(seconds: number): string {
    return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.0000000Z`;
}

describe("where the credential comes from", () => {
    const github = {
        ACTIONS_ID_TOKEN_REQUEST_URL: "https://pipelines.actions.githubusercontent.com/abc/idtoken?api-version=2.0",
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: "request-token",
        AZURE_CLIENT_ID: CLIENT_ID,
        AZURE_TENANT_ID: TEST_TENANT_ID,
    };

    test("GitHub's token endpoint and the Azure ids set: GitHub OIDC with those values", () => {
        assert.deepEqual(azureSignInFromEnvironment({ GITHUB_ACTIONS: "true", ...github }), {
            kind: "github-actions-oidc",
            requestUrl: github.ACTIONS_ID_TOKEN_REQUEST_URL,
            requestToken: "request-token",
            clientId: CLIENT_ID,
            tenantId: TEST_TENANT_ID,
        });
    });

    test("outside GitHub Actions: DefaultAzureCredential", () => {
        assert.deepEqual(azureSignInFromEnvironment({ AZURE_CLIENT_ID: CLIENT_ID }), {
            kind: "default-azure-credential",
        });
    });

    test("in Actions with a client secret and no token endpoint: DefaultAzureCredential (its EnvironmentCredential)", () => {
        assert.deepEqual(
            azureSignInFromEnvironment({
                GITHUB_ACTIONS: "true",
                AZURE_CLIENT_ID: CLIENT_ID,
                AZURE_CLIENT_SECRET: "s",
            }),
            { kind: "default-azure-credential" },
        );
    });

    test("in Actions with an Azure client id but no token endpoint: the error says id-token: write", () => {
        assert.throws(() => azureSignInFromEnvironment({ GITHUB_ACTIONS: "true", AZURE_CLIENT_ID: CLIENT_ID }), {
            message:
                "GitHub Actions OIDC sign-in: AZURE_CLIENT_ID is set but ACTIONS_ID_TOKEN_REQUEST_URL and " +
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN are not, so no GitHub OIDC token can be requested. Fix: give the job " +
                "`permissions: id-token: write` (GitHub sets both variables only then; pull requests from forks never get " +
                "them). Without a fresh token per request the Azure CLI's sign-in from azure/login expires after about " +
                "five minutes (AADSTS700024).",
        });
    });

    test("the token endpoint without AZURE_TENANT_ID: the error names it and where to set it", () => {
        const { AZURE_TENANT_ID: _, ...withoutTenant } = github;
        assert.throws(() => azureSignInFromEnvironment(withoutTenant), {
            message:
                "GitHub Actions OIDC sign-in: AZURE_TENANT_ID is not set. azure/login takes its client-id and tenant-id " +
                "as inputs and does not export them, so set them in the job's env (AZURE_CLIENT_ID: " +
                "${{ vars.AZURE_CLIENT_ID }}, AZURE_TENANT_ID: ${{ vars.AZURE_TENANT_ID }}), as " +
                ".github/workflows/deploy.yml does.",
        });
    });

    test("the token endpoint without both Azure ids: the error names both", () => {
        assert.throws(
            () =>
                azureSignInFromEnvironment({
                    ACTIONS_ID_TOKEN_REQUEST_URL: github.ACTIONS_ID_TOKEN_REQUEST_URL,
                    ACTIONS_ID_TOKEN_REQUEST_TOKEN: "t",
                }),
            { message: /^GitHub Actions OIDC sign-in: AZURE_CLIENT_ID and AZURE_TENANT_ID are not set\./ },
        );
    });

    test("only one of the two ACTIONS_ID_TOKEN_REQUEST_* variables: the error names the missing one", () => {
        assert.throws(() => azureSignInFromEnvironment({ ...github, ACTIONS_ID_TOKEN_REQUEST_TOKEN: "" }), {
            message:
                "GitHub Actions OIDC sign-in: ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set while the other " +
                "ACTIONS_ID_TOKEN_REQUEST_* variable is. GitHub sets both for a job with `permissions: id-token: " +
                "write`; do not set or clear them by hand in the workflow.",
        });
    });

    test("the request token without the URL: the error names ACTIONS_ID_TOKEN_REQUEST_URL", () => {
        assert.throws(() => azureSignInFromEnvironment({ ...github, ACTIONS_ID_TOKEN_REQUEST_URL: undefined }), {
            message:
                "GitHub Actions OIDC sign-in: ACTIONS_ID_TOKEN_REQUEST_URL is not set while the other " +
                "ACTIONS_ID_TOKEN_REQUEST_* variable is. GitHub sets both for a job with `permissions: id-token: " +
                "write`; do not set or clear them by hand in the workflow.",
        });
    });

    test("in Actions with a federated token file and no token endpoint: DefaultAzureCredential (workload identity)", () => {
        assert.deepEqual(
            azureSignInFromEnvironment({
                GITHUB_ACTIONS: "true",
                AZURE_CLIENT_ID: CLIENT_ID,
                AZURE_TENANT_ID: TEST_TENANT_ID,
                AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token",
            }),
            { kind: "default-azure-credential" },
        );
    });

    test("in Actions without an Azure client id or token endpoint: DefaultAzureCredential", () => {
        assert.deepEqual(azureSignInFromEnvironment({ GITHUB_ACTIONS: "true", AZURE_TENANT_ID: TEST_TENANT_ID }), {
            kind: "default-azure-credential",
        });
    });
});

for (const [credential, who] of [
    ["per-step", "a credential per operation, as the dynamic provider makes them"],
    ["shared", "one credential for the run, as verify holds it"],
] as const) {
    describe(`a run longer than a GitHub token lives (${who})`, () => {
        test("the project's credential: every step signs in with a token GitHub issued at that step", async () => {
            const start = clock.now();
            const firstActions = actions.tokenRequests().length;
            const firstEntra = entra.tokenRequests().length;
            const steps = await run("project", credential, 4);
            assert.deepEqual(steps, [{ ok: true }, { ok: true }, { ok: true }, { ok: true }]);
            // The sign-ins span 3 * STEP = 720 s > LIFETIME, and each assertion Entra judged was issued at that step.
            assert.deepEqual(judgedSince(firstEntra), freshAtEachStep(start, 4));
            // Every GitHub request asked for the exchange audience with the job's request token. (MSAL may call the
            // assertion callback more than once per token request; each call fetches anew, which is what matters.)
            const issued = actions.tokenRequests().slice(firstActions);
            assert.deepEqual(
                [
                    ...new Set(
                        issued.map((request) =>
                            JSON.stringify([
                                request.status,
                                request.query.audience,
                                request.query["api-version"],
                                request.authorization,
                            ]),
                        ),
                    ),
                ],
                [JSON.stringify([200, EXCHANGE_AUDIENCE, "2.0", `bearer ${REQUEST_TOKEN}`])],
            );
            assert.deepEqual(
                [...new Set(issued.map((request) => request.claims?.iat))],
                [0, 1, 2, 3].map((step) => start + step * STEP),
            );
        });

        test("the previous behaviour (one assertion fetched at start): the step past its expiry fails with AADSTS700024", async () => {
            const start = clock.now();
            const firstActions = actions.tokenRequests().length;
            const steps = await run("assertion-fetched-at-start", credential, 4);
            assert.equal(actions.tokenRequests().length - firstActions, 1, "one GitHub token, fetched at the start");
            assert.deepEqual(
                steps.slice(0, 2).map((step) => step.ok),
                [true, true],
            );
            assert.equal(steps.length, 3, "the run stops at its first failed sign-in");
            const failed = steps[2] as Extract<CredentialRunStep, { ok: false }>;
            assert.equal(failed.ok, false);
            assert.ok(
                failed.error.message.includes(
                    `AADSTS700024: Client assertion is not within its valid time range. Current time: ` +
                        `${entraTime(start + 2 * STEP)}, assertion valid from ${entraTime(start)}, expiry time of ` +
                        `assertion ${entraTime(start + LIFETIME)}. Review the documentation at ` +
                        `https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`,
                ),
                failed.error.message,
            );
        });

        test("a run within the token's lifetime passes either way (the failure is the expiry, nothing else)", async () => {
            assert.deepEqual(await run("assertion-fetched-at-start", credential, 2), [{ ok: true }, { ok: true }]);
        });
    });
}

describe("GitHub's token endpoint refusing", () => {
    test("a wrong request token: the sign-in error says what GitHub answered and the fix", async () => {
        const steps = await run(
            "project",
            "shared",
            1,
            actionsEnv({ ACTIONS_ID_TOKEN_REQUEST_TOKEN: "stale-request-token" }),
        );
        assert.equal(steps.length, 1);
        const [step] = steps;
        assert.ok(!step.ok);
        assert.match(
            step.error.message,
            /GitHub Actions OIDC sign-in: ACTIONS_ID_TOKEN_REQUEST_URL answered HTTP 401: \{"message":"Unauthorized: the request token is missing or invalid"\}\. Fix: the job needs `permissions: id-token: write`, and the request token is valid only while the job runs\./,
        );
    });
});

/** A token endpoint on 127.0.0.1 (plain HTTP) answering every request with `status` and `body`; records the headers. */
async function tokenEndpoint(
    t: TestContext,
    status: number,
    body: string,
): Promise<{ requestUrl: string; headers: IncomingHttpHeaders[] }> {
    const headers: IncomingHttpHeaders[] = [];
    const server = createServer((request, response) => {
        headers.push(request.headers);
        response.writeHead(status, { "content-type": "application/json" }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    return { requestUrl: `http://127.0.0.1:${port}/idtoken?api-version=2.0`, headers };
}

describe("fetching the GitHub OIDC token", () => {
    /** 301 characters: one more than an error quotes. */
    const LONG = `${"x".repeat(300)}!`;

    test("asks for JSON with the job's request token", async (t) => {
        const endpoint = await tokenEndpoint(t, 200, JSON.stringify({ value: "the-jwt" }));
        assert.equal(await fetchGitHubOidcToken({ requestUrl: endpoint.requestUrl, requestToken: "rt" }), "the-jwt");
        assert.deepEqual(
            endpoint.headers.map((h) => [h.accept, h.authorization]),
            [["application/json", "bearer rt"]],
        );
    });

    test("the endpoint drops the connection: the error names its origin and the connection failure", async (t) => {
        // A server on 127.0.0.1 that closes every connection unanswered: a port nobody listens on could be taken by
        // another process between choosing it and connecting.
        const server = createServer();
        server.on("connection", (socket) => socket.destroy());
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
        const closed = (server.address() as AddressInfo).port;
        const url = `http://127.0.0.1:${closed}/idtoken?api-version=2.0`;
        await assert.rejects(fetchGitHubOidcToken({ requestUrl: url, requestToken: "rt" }), {
            message:
                `GitHub Actions OIDC sign-in: requesting a token from ACTIONS_ID_TOKEN_REQUEST_URL ` +
                `(http://127.0.0.1:${closed}) failed: fetch failed`,
        });
    });

    test("an HTTP error with a long body: the error quotes its first 300 characters", async (t) => {
        const endpoint = await tokenEndpoint(t, 403, LONG);
        await assert.rejects(fetchGitHubOidcToken({ requestUrl: endpoint.requestUrl, requestToken: "rt" }), {
            message:
                `GitHub Actions OIDC sign-in: ACTIONS_ID_TOKEN_REQUEST_URL answered HTTP 403: ${"x".repeat(300)}. ` +
                "Fix: the job needs `permissions: id-token: write`, and the request token is valid only while the job runs.",
        });
    });

    test("an answer that is not JSON: the error says a token was expected and quotes 300 characters", async (t) => {
        const endpoint = await tokenEndpoint(t, 200, LONG);
        await assert.rejects(fetchGitHubOidcToken({ requestUrl: endpoint.requestUrl, requestToken: "rt" }), {
            message:
                'GitHub Actions OIDC sign-in: ACTIONS_ID_TOKEN_REQUEST_URL answered without a token ({"value": "<jwt>"} ' +
                `expected): ${"x".repeat(300)}`,
        });
    });

    test("an empty token: the error says a token was expected", async (t) => {
        const endpoint = await tokenEndpoint(t, 200, '{"value":""}');
        await assert.rejects(fetchGitHubOidcToken({ requestUrl: endpoint.requestUrl, requestToken: "rt" }), {
            message:
                'GitHub Actions OIDC sign-in: ACTIONS_ID_TOKEN_REQUEST_URL answered without a token ({"value": "<jwt>"} ' +
                'expected): {"value":""}',
        });
    });
});

describe("outside GitHub Actions (DefaultAzureCredential)", () => {
    test("a client secret in the environment signs in at AZURE_AUTHORITY_HOST without asking login.microsoftonline.com", async () => {
        // Sovereign clouds and Azure Stack set AZURE_AUTHORITY_HOST; with instance discovery on, MSAL would first ask
        // login.microsoftonline.com to vouch for that host, a connection the loopback guard reports (and a private
        // cloud cannot make).
        const first = entra.tokenRequests().length;
        const env = trustingEnv(tls, {
            AZURE_CLIENT_ID: SECRET_CLIENT_ID,
            AZURE_TENANT_ID: TEST_TENANT_ID,
            AZURE_CLIENT_SECRET: CLIENT_SECRET,
            AZURE_AUTHORITY_HOST: entra.url,
        });
        assert.deepEqual(await run("project", "shared", 1, env), [{ ok: true }]);
        assert.deepEqual(
            entra
                .tokenRequests()
                .slice(first)
                .map((request) => [request.status, request.form.client_id, request.form.scope]),
            [[200, SECRET_CLIENT_ID, ARM_SCOPE]],
        );
    });
});

describe("the project's Azure SDK calls use it", () => {
    let serializedFile: string;

    before(async () => {
        serializedFile = path.join(tls.dir, "credential-provider.js");
        await serializeClusterFeaturesProvider(serializedFile, actionsEnv());
    });

    async function armWith(t: TestContext): Promise<ArmStandin> {
        const arm = await ArmStandin.start({ tls, entra });
        t.after(() => arm.close());
        arm.seedCluster({
            resourceGroupName: SEED_RESOURCE_GROUP,
            name: CLUSTER,
            oidcIssuerEnabled: false,
            workloadIdentityEnabled: false,
        });
        return arm;
    }

    test("the serialized existing-cluster provider: create and three refreshes across 720 s all sign in", async (t) => {
        const arm = await armWith(t);
        const inputs = {
            subscriptionId: TEST_SUBSCRIPTION_ID,
            resourceGroupName: SEED_RESOURCE_GROUP,
            clusterName: CLUSTER,
            armEndpoint: arm.url,
        };
        const start = clock.now();
        const firstEntra = entra.tokenRequests().length;
        const id = arm.clusterId(SEED_RESOURCE_GROUP, CLUSTER);
        const providerRun = await runDynamicProvider({
            source: { serializedFile },
            calls: [
                { method: "create", args: [inputs] },
                { method: "read", args: [id, { ...inputs, enabledByStack: true }] },
                { method: "read", args: [id, { ...inputs, enabledByStack: true }] },
                { method: "read", args: [id, { ...inputs, enabledByStack: true }] },
            ],
            env: actionsEnv(),
            dir: tls.dir,
        });
        assert.deepEqual(
            providerRun.results.map((result) => (result.ok ? "ok" : result.error.message)),
            ["ok", "ok", "ok", "ok"],
        );
        // One sign-in per provider operation, each with a GitHub token issued at that moment of the run.
        assert.deepEqual(judgedSince(firstEntra), freshAtEachStep(start, 4));
        assert.deepEqual(
            new Set(arm.requests.map((request) => JSON.stringify(request.principal))),
            new Set([JSON.stringify({ oid: OBJECT_ID, appid: CLIENT_ID, aud: arm.url })]),
        );
    });

    test("verify's ARM reads sign in with it and send the pinned api-versions", async (t) => {
        const arm = await armWith(t);
        arm.seedIdentity(SEED_RESOURCE_GROUP, "myIdentity");
        arm.seedFederatedCredential({
            resourceGroupName: SEED_RESOURCE_GROUP,
            identityName: "myIdentity",
            name: "myFederatedCredential",
            issuer: "https://eastus.oic.prod-aks.azure.com/tenant/guid/",
            subject: "system:serviceaccount:default:ai-service-account",
        });
        const scope = arm.accountId(SEED_RESOURCE_GROUP, "myOpenAi");
        const result = await callFunctionInChild({
            module: "tests/support/verifyArmRead.ts",
            export: "readAsVerify",
            args: [
                {
                    armEndpoint: arm.url,
                    clusterId: arm.clusterId(SEED_RESOURCE_GROUP, CLUSTER),
                    identityId: arm.identityId(SEED_RESOURCE_GROUP, "myIdentity"),
                    scope,
                    principalId: OBJECT_ID,
                },
            ],
            env: actionsEnv(),
            dir: tls.dir,
        });
        assert.ok(result.ok, result.ok ? "" : result.error.message);
        // Stated here rather than imported from components/armApiVersions.ts, so a changed pin shows in this diff.
        assert.deepEqual(
            arm.requests.map((request) => `${request.method} ${request.query["api-version"]} ${request.status}`),
            ["GET 2026-04-01 200", "GET 2024-11-30 200", "GET 2022-04-01 200"],
        );
        assert.deepEqual([...new Set(arm.requests.map((request) => request.principal?.oid))], [OBJECT_ID]);
    });
});
