import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

import { OPENAI_USER_ROLE_ID, USE_WORKLOAD_IDENTITY_LABEL } from "../components/constants";
import { analyzeAccessPath, type Check } from "../tools/plan/accessPath";
import { ClusterIssuer, fetchJsonVia } from "./support/clusterIssuer";
import { EntraStandin } from "./support/entraStandin";
import { federatedAuthenticator, isTokenEndpointError, type Federation } from "./support/federatedCredentials";
import { OpenAiStandin, type OpenAiAccount } from "./support/openAiStandin";
import {
    plannedAccess,
    PUBLIC_CLOUD_AUTHORITY_HOST,
    webhookInjection,
    type PlannedAccess,
} from "./support/plannedAccess";
import { PROJECT_ROOT, runProgram, stackConfig, type ProgramRun, type RegisteredResource } from "./support/program";
import { createTestTls, trustingEnv, type TestTls } from "./support/tls";

/** "Cognitive Services User" (it can list the account's keys), stated here rather than borrowed from the program. */
const COGNITIVE_SERVICES_USER_ROLE_ID = "a97b65f3-24c7-4388-baec-2e87135dc908";

/**
 * Proof against the real client. The seed configuration (Pulumi.dev.yaml) is run as `pulumi up` would run it (mocks
 * with concrete ids); the access path is read from what it registered. Then the REAL @azure/identity credentials run
 * in a process of their own with exactly the environment the AKS webhook would inject into the planned pod, and a
 * projected service-account token signed by a local stand-in of the cluster's OIDC issuer. Entra ID's token endpoint
 * (federated credential matching) and the Azure OpenAI account (RBAC) are local stand-ins too, on 127.0.0.1 over
 * HTTPS; the pod reaches them under their real host names through loopback routes (tests/support/podNetwork.cjs),
 * so nothing in its configuration differs from production and nothing leaves the machine.
 *
 * The planned access path must work; each classic mistake, made by changing one planned value, must fail where
 * Azure fails it, with Azure's error.
 */

const COGNITIVE_SERVICES_AUDIENCE = "https://cognitiveservices.azure.com/";

interface PodResult {
    readonly env: readonly string[];
    readonly token:
        | { readonly ok: true; readonly claims: Record<string, unknown> }
        | { readonly ok: false; readonly error: { readonly name: string; readonly message: string } };
    readonly call?: {
        readonly status: number;
        readonly body: { error?: { code: string; message: string } } & Record<string, unknown>;
    };
    readonly network: { readonly routed: readonly string[]; readonly blocked: readonly string[] };
}

let run: ProgramRun;
let seed: PlannedAccess;
let tls: TestTls;
let dir: string;
let issuer: ClusterIssuer;
let entra: EntraStandin;
let openai: OpenAiStandin;
/** What Entra and the account know for the case being run. */
let current: PlannedAccess;
let routes: Record<string, number>;

before(async () => {
    // A run of its own, not the shared one (tests/support/shippedStacks.ts): answering the program's reads again below
    // calls the mocks, which record each call.
    run = await runProgram({ config: stackConfig("dev"), stack: "dev" });
    seed = plannedAccess(run);
    current = seed;
    const endpointHost = new URL(seed.account.endpoint).hostname;
    const issuerHost = new URL(seed.clusterIssuer).hostname;
    tls = createTestTls({ dnsNames: [new URL(PUBLIC_CLOUD_AUTHORITY_HOST).hostname, endpointHost, issuerHost] });
    dir = mkdtempSync(path.join(tmpdir(), "aks-openai-wi-proof-"));

    issuer = await ClusterIssuer.start(tls, seed.clusterIssuer);
    const authenticate = federatedAuthenticator(
        (): Federation => ({
            tenantId: current.tenantId,
            identities: current.identities,
            credentials: current.credentials,
        }),
        fetchJsonVia(issuer.route, tls),
    );
    entra = await EntraStandin.start({
        tls,
        tenantId: seed.tenantId,
        authenticate: async ({ tenantId, clientId, credential }) => {
            const decision = await authenticate({
                tenantId,
                clientId,
                assertion: credential.type === "client_assertion" ? credential.assertion : undefined,
            });
            return isTokenEndpointError(decision) ? decision : { objectId: decision.objectId, appId: decision.appId };
        },
    });
    openai = await OpenAiStandin.start({
        tls,
        account: (): OpenAiAccount => ({
            id: current.account.id,
            deployments: current.account.deployments,
            roleAssignments: current.roleAssignments,
        }),
        verifyToken: (token) => entra.verifyAccessToken(token, COGNITIVE_SERVICES_AUDIENCE),
    });
    routes = {
        [`${new URL(PUBLIC_CLOUD_AUTHORITY_HOST).hostname}:443`]: Number(new URL(entra.url).port),
        [`${endpointHost}:443`]: openai.port,
    };
});

after(async () => {
    await Promise.all([issuer?.close(), entra?.close(), openai?.close()]);
    rmSync(dir, { recursive: true, force: true });
});

/** Runs the pod's client against `planned` (what Entra and the account know, and what the pod gets). */
async function pod(
    planned: PlannedAccess,
    credential: "WorkloadIdentityCredential" | "DefaultAzureCredential",
): Promise<PodResult> {
    current = planned;
    const caseDir = mkdtempSync(path.join(dir, "pod-"));
    const tokenFile = path.join(caseDir, "azure-identity-token");
    const injection = webhookInjection(planned, tokenFile);
    if (injection.token) {
        writeFileSync(tokenFile, await issuer.projectToken(injection.token));
    }
    const resultFile = path.join(caseDir, "result.json");
    const env = {
        ...trustingEnv(tls, {
            ...planned.pod.env,
            ...injection.env,
            LOOPBACK_ROUTES: JSON.stringify(routes),
        }),
        // The pod has no Azure CLI, PowerShell or azd: only node on its PATH.
        PATH: path.dirname(process.execPath),
    };
    await new Promise<void>((resolve, reject) =>
        execFile(
            process.execPath,
            [
                "--require",
                path.join(PROJECT_ROOT, "tests/support/podNetwork.cjs"),
                path.join(PROJECT_ROOT, "tests/support/podClient.cjs"),
                credential,
                resultFile,
            ],
            { cwd: PROJECT_ROOT, env },
            (error, _stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve()),
        ),
    );
    return JSON.parse(readFileSync(resultFile, "utf8")) as PodResult;
}

/** The reads the program made, with the answers the mocks give (they are deterministic). */
function reads(programRun: ProgramRun) {
    return [...programRun.mocks.calls].map((call) => ({
        token: call.token,
        args: call.inputs as Record<string, unknown>,
        answer: programRun.mocks.call(call),
    }));
}

/**
 * The registrations of the seed run with one mistake made in them: `change` gets a deep copy of the one resource of
 * `type` (and of all resources, for mistakes that touch two).
 */
function withMistake(
    type: string,
    change: (resource: MutableResource, all: MutableResource[]) => void,
): RegisteredResource[] {
    const copy = structuredClone(run.resources) as unknown as MutableResource[];
    const matches = copy.filter((resource) => resource.type === type);
    assert.equal(matches.length, 1);
    change(matches[0], copy);
    return copy as unknown as RegisteredResource[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type MutableResource = { type: string; inputs: any; state: any };

/**
 * Judges one set of registrations twice: the plan's analysis names the broken hops and the error each predicts; the
 * real client, given the pod, Entra and the account those registrations describe, reports what actually happens.
 */
async function judge(
    resources: readonly RegisteredResource[],
    credential: "WorkloadIdentityCredential" | "DefaultAzureCredential",
): Promise<{ broken: Check[]; result: PodResult }> {
    const analysis = analyzeAccessPath({ resources, reads: reads(run) });
    const result = await pod(plannedAccess({ resources, outputs: run.outputs }), credential);
    // Whatever fails, the client reached nothing but the stand-ins (a pod without injection tries the node's IMDS,
    // which the pod network refuses and records).
    assert.deepEqual(
        result.network.blocked.filter((target) => !target.startsWith("169.254.169.254:")),
        [],
    );
    return { broken: analysis.paths[0].checks.filter((check) => check.verdict === "broken"), result };
}

function tokenError(result: PodResult): string {
    assert.equal(result.token.ok, false, `expected no token, got ${JSON.stringify(result.token)}`);
    return result.token.ok ? "" : result.token.error.message;
}

describe("the planned access path of the seed configuration", () => {
    it("is read from what the program registered", () => {
        const identity = seed.identities[0];
        assert.equal(seed.identities.length, 1);
        assert.deepEqual(seed.credentials, [
            {
                identityName: identity.name,
                issuer: seed.clusterIssuer,
                subject: `system:serviceaccount:${seed.pod.namespace}:${seed.pod.serviceAccountName}`,
                audiences: ["api://AzureADTokenExchange"],
            },
        ]);
        assert.deepEqual(seed.roleAssignments, [
            {
                principalId: identity.principalId,
                roleDefinitionId: `${seed.account.id.split("/resourceGroups/")[0]}/providers/Microsoft.Authorization/roleDefinitions/${OPENAI_USER_ROLE_ID}`,
                scope: seed.account.id,
            },
        ]);
        assert.equal(seed.pod.labels[USE_WORKLOAD_IDENTITY_LABEL], "true");
        assert.ok(seed.clusterIssuer.endsWith("/"));
    });

    it("is whole by the plan's own analysis of the same registrations, with concrete values", () => {
        const analysis = analyzeAccessPath({ resources: run.resources, reads: reads(run) });
        assert.deepEqual(
            analysis.paths[0].checks.filter((c) => c.verdict !== "ok").map((c) => `${c.hop}/${c.check}`),
            [],
        );
    });

    it("gives WorkloadIdentityCredential a token for Azure OpenAI, and the chat completion succeeds", async () => {
        const result = await pod(seed, "WorkloadIdentityCredential");
        assert.deepEqual(result.env, [
            "AZURE_AUTHORITY_HOST",
            "AZURE_CLIENT_ID",
            "AZURE_FEDERATED_TOKEN_FILE",
            "AZURE_OPENAI_API_VERSION",
            "AZURE_OPENAI_DEPLOYMENT_NAME",
            "AZURE_OPENAI_ENDPOINT",
            "AZURE_TENANT_ID",
        ]);
        assert.equal(result.token.ok, true, JSON.stringify(result.token));
        if (result.token.ok) {
            assert.equal(result.token.claims.oid, seed.identities[0].principalId);
            assert.equal(result.token.claims.appid, seed.identities[0].clientId);
            assert.equal(result.token.claims.tid, seed.tenantId);
        }
        assert.equal(result.call?.status, 200, JSON.stringify(result.call));
        assert.equal(result.call?.body.object, "chat.completion");
        assert.deepEqual(result.network.blocked, []);
    });

    it("works the same through DefaultAzureCredential, as ai-service constructs it", async () => {
        const result = await pod(seed, "DefaultAzureCredential");
        assert.equal(result.call?.status, 200, JSON.stringify(result));
        assert.deepEqual(result.network.blocked, []);
        const host = new URL(PUBLIC_CLOUD_AUTHORITY_HOST).hostname;
        assert.deepEqual(
            [...new Set(result.network.routed)],
            [`${host}:443`, `${new URL(seed.account.endpoint).hostname}:443`],
        );
        // MSAL knows login.microsoftonline.com: no instance discovery, no OpenID configuration, only the token request.
        const tokenRequests = entra.requests.filter((r) => r.method === "POST");
        assert.ok(tokenRequests.every((r) => r.path === `/${seed.tenantId}/oauth2/v2.0/token`));
        assert.equal(
            entra.requests.filter((r) => r.method === "GET").length,
            0,
            JSON.stringify(entra.requests.map((r) => `${r.method} ${r.path}`)),
        );
    });
});

describe("each classic mistake fails at its hop with Azure's error, as the plan predicts", () => {
    const T = {
        credential: "azure-native:managedidentity:FederatedIdentityCredential",
        serviceAccount: "kubernetes:core/v1:ServiceAccount",
        role: "azure-native:authorization:RoleAssignment",
        identity: "azure-native:managedidentity:UserAssignedIdentity",
        deployment: "kubernetes:apps/v1:Deployment",
    };

    it("credential subject with another namespace: AADSTS700213", async () => {
        const { broken, result } = await judge(
            withMistake(T.credential, (fic) => {
                fic.inputs.subject = `system:serviceaccount:other:${seed.pod.serviceAccountName}`;
            }),
            "DefaultAzureCredential",
        );
        assert.deepEqual(
            broken.map((c) => `${c.hop}/${c.check}`),
            ["federated credential/subject"],
        );
        assert.match(broken[0].ifBroken, /^AADSTS700213: /);
        assert.ok(tokenError(result).includes(broken[0].ifBroken), tokenError(result));
    });

    it("credential subject with another ServiceAccount name: AADSTS700213", async () => {
        const { broken, result } = await judge(
            withMistake(T.credential, (fic) => {
                fic.inputs.subject = `system:serviceaccount:${seed.pod.namespace}:ai-service`;
            }),
            "WorkloadIdentityCredential",
        );
        assert.deepEqual(
            broken.map((c) => `${c.hop}/${c.check}`),
            ["federated credential/subject"],
        );
        // @azure/identity surfaces Entra's refusal of the assertion as AuthenticationRequiredError.
        assert.equal(result.token.ok ? "" : result.token.error.name, "AuthenticationRequiredError");
        assert.ok(tokenError(result).includes(broken[0].ifBroken), tokenError(result));
    });

    it("issuer without its trailing slash: AADSTS700211", async () => {
        const { broken, result } = await judge(
            withMistake(T.credential, (fic) => {
                fic.inputs.issuer = seed.clusterIssuer.replace(/\/$/, "");
            }),
            "DefaultAzureCredential",
        );
        assert.deepEqual(
            broken.map((c) => `${c.hop}/${c.check}`),
            ["federated credential/issuer"],
        );
        assert.ok(
            broken[0].ifBroken.startsWith(
                `AADSTS700211: No matching federated identity record found for presented assertion issuer '${seed.clusterIssuer}'.`,
            ),
        );
        assert.ok(tokenError(result).includes(broken[0].ifBroken), tokenError(result));
    });

    it("wrong audience on the credential: AADSTS700212", async () => {
        const { broken, result } = await judge(
            withMistake(T.credential, (fic) => {
                fic.inputs.audiences = ["api://AzureADTokenExchange/"];
            }),
            "DefaultAzureCredential",
        );
        assert.deepEqual(
            broken.map((c) => `${c.hop}/${c.check}`),
            ["federated credential/audience"],
        );
        assert.match(broken[0].ifBroken, /^AADSTS700212: .* audience 'api:\/\/AzureADTokenExchange'\./);
        assert.ok(tokenError(result).includes(broken[0].ifBroken), tokenError(result));
    });

    it("client id and principal id swapped: AADSTS700016, the principal id names no application", async () => {
        const identity = seed.identities[0];
        const { broken, result } = await judge(
            withMistake(T.serviceAccount, (sa, all) => {
                sa.inputs.metadata.annotations["azure.workload.identity/client-id"] = identity.principalId;
                (all.find((r) => r.type === T.role) as MutableResource).inputs.principalId = identity.clientId;
            }),
            "DefaultAzureCredential",
        );
        assert.deepEqual(
            broken.map((c) => `${c.hop}/${c.check}`),
            ["service account/client-id annotation"],
        );
        assert.ok(
            broken[0].ifBroken.startsWith(
                `AADSTS700016: Application with identifier '${identity.principalId}' was not found in the directory '${seed.tenantId}'.`,
            ),
        );
        assert.ok(tokenError(result).includes(broken[0].ifBroken), tokenError(result));
    });

    it("role at another account's scope: the token is issued, Azure OpenAI answers 401 PermissionDenied", async () => {
        const { broken, result } = await judge(
            withMistake(T.role, (ra) => {
                ra.inputs.scope = seed.account.id.replace(/\/accounts\/[^/]+$/, "/accounts/otherOpenAI");
            }),
            "DefaultAzureCredential",
        );
        assert.deepEqual(
            broken.map((c) => `${c.hop}/${c.check}`),
            ["scope/scope"],
        );
        assert.equal(result.token.ok, true);
        assert.equal(result.call?.status, 401);
        assert.deepEqual(result.call?.body, {
            error: {
                code: "PermissionDenied",
                message:
                    `The principal \`${seed.identities[0].principalId}\` lacks the required data action ` +
                    "`Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action` to perform " +
                    "`POST /openai/deployments/{deployment-id}/chat/completions` operation.",
            },
        });
        assert.equal(result.call?.body.error?.message, broken[0].ifBroken);
    });

    it("role Cognitive Services User: Azure accepts the call (its data actions cover it), so only the plan stops it", async () => {
        const { broken, result } = await judge(
            withMistake(T.role, (ra) => {
                ra.inputs.roleDefinitionId = String(ra.inputs.roleDefinitionId).replace(
                    OPENAI_USER_ROLE_ID,
                    COGNITIVE_SERVICES_USER_ROLE_ID,
                );
            }),
            "DefaultAzureCredential",
        );
        // Azure RBAC: "Cognitive Services User" has the data actions Microsoft.CognitiveServices/*, so nothing fails at
        // run time, and the identity can also list the account's keys: a least-privilege break, not an outage.
        assert.equal(result.call?.status, 200);
        assert.deepEqual(
            broken.map((c) => `${c.hop}/${c.check}`),
            ["role/role"],
        );
        assert.match(broken[0].basis, /^over-privileged: Cognitive Services User grants more than inference/);
        assert.match(broken[0].ifBroken, /^no run-time error: Azure accepts the call/);
    });

    it("role Reader instead of OpenAI User: 401 PermissionDenied", async () => {
        const { broken, result } = await judge(
            withMistake(T.role, (ra) => {
                ra.inputs.roleDefinitionId = String(ra.inputs.roleDefinitionId).replace(
                    OPENAI_USER_ROLE_ID,
                    "acdd72a7-3385-48ef-bd42-f606fba81ae7",
                );
            }),
            "DefaultAzureCredential",
        );
        assert.deepEqual(
            broken.map((c) => `${c.hop}/${c.check}`),
            ["role/role"],
        );
        assert.equal(result.call?.status, 401);
        assert.equal(result.call?.body.error?.code, "PermissionDenied");
        assert.equal(result.call?.body.error?.message, broken[0].ifBroken);
    });

    it("pod label missing: no injection, so DefaultAzureCredential finds no credential at all", async () => {
        const { broken, result } = await judge(
            withMistake(T.deployment, (deployment) => {
                delete deployment.inputs.spec.template.metadata.labels[USE_WORKLOAD_IDENTITY_LABEL];
            }),
            "DefaultAzureCredential",
        );
        assert.deepEqual(
            broken.map((c) => `${c.hop}/${c.check}`),
            ["workload/pod label"],
        );
        assert.deepEqual(result.env, [
            "AZURE_OPENAI_API_VERSION",
            "AZURE_OPENAI_DEPLOYMENT_NAME",
            "AZURE_OPENAI_ENDPOINT",
        ]);
        // Without the variables, DefaultAzureCredential leaves workload identity out of its chain altogether.
        const expected = [
            "ChainedTokenCredential authentication failed.",
            "CredentialUnavailableError: EnvironmentCredential is unavailable.",
            "CredentialUnavailableError: ManagedIdentityCredential: Authentication failed. Message Attempted to use the IMDS endpoint, but it is not available.",
            "CredentialUnavailableError: Visual Studio Code Authentication is not available.",
            "CredentialUnavailableError: Azure CLI could not be found.",
            "CredentialUnavailableError: Error: Unable to execute PowerShell.",
            "CredentialUnavailableError: Azure Developer CLI couldn't be found.",
        ];
        const lines = tokenError(result).split("\n");
        assert.equal(result.token.ok ? "" : result.token.error.name, "AggregateAuthenticationError");
        assert.deepEqual(
            lines.map((line, i) => (line.startsWith(expected[i] ?? "\0") ? expected[i] : line)),
            expected,
        );
        assert.ok(broken[0].ifBroken.includes("CredentialUnavailableError: EnvironmentCredential is unavailable"));
        assert.equal(result.call, undefined);
        // The chain's last resort in a pod is the node's IMDS; here it never left this machine.
        assert.ok(result.network.blocked.length > 0);
        assert.ok(result.network.blocked.every((target) => target.startsWith("169.254.169.254:")));
    });

    it("pod label missing: WorkloadIdentityCredential is unavailable", async () => {
        const { result } = await judge(
            withMistake(T.deployment, (deployment) => {
                delete deployment.inputs.spec.template.metadata.labels[USE_WORKLOAD_IDENTITY_LABEL];
            }),
            "WorkloadIdentityCredential",
        );
        assert.equal(result.token.ok ? "" : result.token.error.name, "CredentialUnavailableError");
        assert.equal(
            tokenError(result).split("\n")[0],
            'WorkloadIdentityCredential: is unavailable. clientId is a required parameter. In DefaultAzureCredential and ManagedIdentityCredential, this can be provided as an environment variable - "AZURE_CLIENT_ID".',
        );
    });
});

describe("the pod's network (the guard this proof relies on)", () => {
    it("refuses plain HTTP and HTTPS to any host without a route, before a connection is made", async () => {
        const dirFloor = mkdtempSync(path.join(dir, "floor-"));
        // Loaded before the guard, the floor replaces the real connect: whatever the guard lets through lands here and
        // is refused and recorded, so this test never sends a packet even if the guard is broken.
        const floor = path.join(dirFloor, "floor.cjs");
        writeFileSync(
            floor,
            [
                'const net = require("node:net");',
                "globalThis.__floor = [];",
                "net.Socket.prototype.connect = function (...args) {",
                "    const [o] = Array.isArray(args[0]) ? args[0] : net._normalizeArgs(args);",
                "    globalThis.__floor.push(`${o.host}:${o.port}`);",
                '    process.nextTick(() => this.destroy(Object.assign(new Error("floor"), { code: "ECONNREFUSED" })));',
                "    return this;",
                "};",
            ].join("\n"),
        );
        const probe = path.join(dirFloor, "probe.cjs");
        writeFileSync(
            probe,
            [
                'const get = (m, url) => new Promise((r) => require(m).get(url, () => r("answered")).on("error", (e) => r(e.message)));',
                "(async () => {",
                '    await get("node:http", "http://169.254.169.254/metadata/identity/oauth2/token");',
                '    await get("node:https", "https://login.microsoftonline.com/common/discovery/instance");',
                "    console.log(JSON.stringify({ floor: globalThis.__floor, guard: globalThis.__podNetwork ?? globalThis.__loopbackGuardBlocked }));",
                "})();",
            ].join("\n"),
        );
        const runWith = (guard: string) =>
            new Promise<{ floor: string[]; guard: unknown }>((resolve, reject) =>
                execFile(
                    process.execPath,
                    ["--require", floor, "--require", path.join(PROJECT_ROOT, "tests/support", guard), probe],
                    { cwd: PROJECT_ROOT, env: { ...trustingEnv(tls), LOOPBACK_ROUTES: "{}" } },
                    (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout))),
                ),
            );
        assert.deepEqual(await runWith("podNetwork.cjs"), {
            floor: [],
            guard: { routed: [], blocked: ["169.254.169.254:80", "login.microsoftonline.com:443"] },
        });
        assert.deepEqual(await runWith("loopbackOnly.cjs"), {
            floor: [],
            guard: ["169.254.169.254:80", "login.microsoftonline.com:443"],
        });
    });
});
