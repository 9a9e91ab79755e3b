import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

import { callsByPrincipalQuery } from "../tools/verify/audit";
import { TITLES } from "../tools/verify/checks";
import { addDiagnosticSettings } from "./support/armDiagnosticSettings";
import { ArmStandin } from "./support/armStandin";
import { assertOnlyLoopback, LOOPBACK_GUARD, PROJECT_ROOT } from "./support/children";
import { clientSecrets, EntraStandin } from "./support/entraStandin";
import { KubeStandin } from "./support/kubeStandin";
import { createTestTls, trustingEnv, type TestTls } from "./support/tls";
import {
    ACCOUNT_ID,
    CLUSTER_ID,
    FAILURES,
    healthyScenario,
    IDENTITY_ID,
    NAMESPACE,
    PRINCIPAL_ID,
    scenarioWith,
    type VerifyScenario,
} from "./support/verifyFixtures";
import { mockGuid, SEED_RESOURCE_GROUP, TEST_TENANT_ID } from "./support/world";

/**
 * `npm run verify` as an operator runs it, in a child process: the real @kubernetes/client-node against a Kubernetes
 * API stand-in, the real Azure SDK clients with DefaultAzureCredential (environment credential) against the Entra ID
 * and ARM stand-ins, all on 127.0.0.1 behind a throwaway CA; the loopback guard fails a test that reaches further.
 */

/** The suite's TypeScript loader, for runs not through npm. */
const TYPESCRIPT_LOADER = path.join(PROJECT_ROOT, "tests", "support", "typescript.cjs");
const OPERATOR_CLIENT_ID = mockGuid("verify-operator");
const OPERATOR_SECRET = "verify-operator-secret";
const OPERATOR_OBJECT_ID = mockGuid("verify-operator-object");

let tls: TestTls;
let entra: EntraStandin;
const servers: { close(): Promise<void> }[] = [];

before(async () => {
    tls = createTestTls();
    entra = await EntraStandin.start({
        tls,
        tenantId: TEST_TENANT_ID,
        authenticate: clientSecrets({
            [OPERATOR_CLIENT_ID]: { secret: OPERATOR_SECRET, objectId: OPERATOR_OBJECT_ID },
        }),
    });
    servers.push(entra);
});

after(async () => {
    await Promise.all(servers.map((server) => server.close()));
});

interface VerifyRun {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
    readonly arm: ArmStandin;
    readonly kube: KubeStandin;
}

/** Starts an ARM and a Kubernetes API stand-in holding the scenario, then runs `npm run verify -- --outputs <file>`. */
/**
 * Runs the verify command against the stand-ins. `npmRunVerify` runs it as a user types it (`npm run verify`);
 * otherwise the same node command that script runs, without npm's own start-up, since what is asserted is the
 * command's behaviour.
 */
async function verify(
    scenario: VerifyScenario,
    options: { readonly flags?: readonly string[]; readonly npmRunVerify?: boolean } = {},
): Promise<VerifyRun> {
    const flags = options.flags ?? [];
    const arm = await ArmStandin.start({ tls, entra });
    const kube = await KubeStandin.start(tls, {
        pods: { [NAMESPACE]: scenario.pods },
        configMaps: scenario.configMaps,
        secrets: scenario.secrets,
        forbiddenSecrets: scenario.forbiddenSecrets,
        proxy: { [`${NAMESPACE}/ai-service:5001`]: () => scenario.description },
    });
    servers.push(arm, kube);

    arm.seedCluster({
        resourceGroupName: SEED_RESOURCE_GROUP,
        name: "myAKSCluster",
        oidcIssuerEnabled: scenario.cluster.oidcIssuerEnabled,
        workloadIdentityEnabled: true,
        issuerUrl: scenario.cluster.issuerUrl,
    });
    arm.seedIdentity(SEED_RESOURCE_GROUP, "myIdentity");
    for (const credential of scenario.credentials) {
        arm.seedFederatedCredential({
            resourceGroupName: SEED_RESOURCE_GROUP,
            identityName: "myIdentity",
            ...credential,
        });
    }
    for (const assignment of scenario.roleAssignments) {
        arm.seedRoleAssignment(assignment);
    }
    addDiagnosticSettings(arm).set(ACCOUNT_ID.toLowerCase(), scenario.diagnosticSettings);

    const dir = mkdtempSync(path.join(tmpdir(), "aks-openai-wi-verify-"));
    const outputsFile = path.join(dir, "outputs.json");
    writeFileSync(
        outputsFile,
        JSON.stringify({ ...scenario.outputs, armEndpoint: arm.url, kubeconfig: kube.kubeconfig() }, null, 2),
    );

    const env = trustingEnv(tls, {
        // DefaultAzureCredential as in CI: the environment credential, against the Entra stand-in.
        AZURE_TOKEN_CREDENTIALS: "EnvironmentCredential",
        AZURE_TENANT_ID: TEST_TENANT_ID,
        AZURE_CLIENT_ID: OPERATOR_CLIENT_ID,
        AZURE_CLIENT_SECRET: OPERATOR_SECRET,
        AZURE_AUTHORITY_HOST: entra.url,
        KUBECONFIG: path.join(dir, "no-such-kubeconfig"),
        NODE_OPTIONS: `--require ${LOOPBACK_GUARD}`,
    });
    const command = options.npmRunVerify
        ? ["npm", "run", "--silent", "verify", "--"]
        : [process.execPath, "--require", TYPESCRIPT_LOADER, path.join(PROJECT_ROOT, "tools", "verify", "main.ts")];
    const child = spawn(command[0], [...command.slice(1), "--outputs", outputsFile, ...flags], {
        cwd: PROJECT_ROOT,
        env,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    rmSync(dir, { recursive: true, force: true });
    assertOnlyLoopback(blockedFrom(stderr), stderr);
    return { code, stdout, stderr, arm, kube };
}

/** Connections the loopback guard refused, as it reports them on stderr. */
function blockedFrom(stderr: string): string[] {
    return [...stderr.matchAll(/loopback-guard: blocked a connection to (\S+)/g)].map((match) => match[1]);
}

function statusLines(stdout: string): string[] {
    return stdout.split("\n").filter((line) => /^\[(PASS|FAIL|SKIP)\]/.test(line));
}

describe("npm run verify against local stand-ins", { concurrency: 3 }, () => {
    it("passes a healthy stack with --call (exit status 0), reading only what it checks", async () => {
        const run = await verify(healthyScenario(), { flags: ["--call"], npmRunVerify: true });
        assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
        assert.deepEqual(statusLines(run.stdout), [
            `[PASS] ${TITLES.podsReady}`,
            `[PASS] ${TITLES.currentIdentity}`,
            `[PASS] ${TITLES.injected}`,
            `[PASS] ${TITLES.noKeys}`,
            `[PASS] ${TITLES.issuer}`,
            `[PASS] ${TITLES.role}`,
            `[PASS] ${TITLES.audit}`,
            `[PASS] ${TITLES.call}`,
        ]);
        // The quickstart's cluster keeps local accounts: a warning, with the command for this cluster.
        assert.match(
            run.stdout,
            /\n\[WARN\] the cluster accepts Microsoft Entra ID sign-ins only \(local accounts off\)\n/,
        );
        assert.match(
            run.stdout,
            /\n {7}Fix: az aks update -g myResourceGroup -n myAKSCluster --disable-local-accounts\n/,
        );
        assert.match(run.stdout, /\nAll checks passed: 8 passed, 0 failed, 0 skipped; 1 warning\.\n$/);
        // The ready query, with this identity's principal id and this account's id in it.
        const printed = callsByPrincipalQuery(ACCOUNT_ID, PRINCIPAL_ID)
            .split("\n")
            .map((line) => `         ${line}`)
            .join("\n");
        assert.ok(run.stdout.includes(`\n${printed}\n`), run.stdout);

        // What it read: the pods by label, the cluster, the identity's credentials, the assignments by principal.
        assert.deepEqual(
            run.kube.requests
                .map((request) => `${request.method} ${request.path} ${JSON.stringify(request.query)}`)
                .sort(),
            [
                `GET /api/v1/namespaces/default/pods {"labelSelector":"app=ai-service"}`,
                "GET /apis/networking.k8s.io/v1/namespaces/default/networkpolicies {}",
                "POST /api/v1/namespaces/default/services/ai-service:5001/proxy/generate/description {}",
            ],
        );
        assert.deepEqual(
            run.arm.requests.map((request) => `${request.status} ${request.method} ${request.path}`).sort(),
            [
                `200 GET ${CLUSTER_ID}`,
                `200 GET ${ACCOUNT_ID}/providers/Microsoft.Authorization/roleAssignments`,
                `200 GET ${IDENTITY_ID}/federatedIdentityCredentials`,
                `200 GET ${ACCOUNT_ID}/providers/Microsoft.Insights/diagnosticSettings`,
            ].sort(),
        );
        const roleRead = run.arm.requests.find((request) => /roleAssignments$/i.test(request.path));
        assert.equal(roleRead?.query.$filter, `principalId eq '${PRINCIPAL_ID}'`);
        // Each read with the api-version pinned for its resource provider (components/armApiVersions.ts), stated
        // here again: a version the SDK picks by itself changes the shape ARM answers in.
        assert.deepEqual(
            run.arm.requests
                .map((request) => `${request.path.split("/providers/").at(-1)} ${request.query["api-version"]}`)
                .sort(),
            [
                "Microsoft.Authorization/roleAssignments 2022-04-01",
                "Microsoft.ContainerService/managedClusters/myAKSCluster 2026-04-01",
                "Microsoft.Insights/diagnosticSettings 2021-05-01-preview",
                "Microsoft.ManagedIdentity/userAssignedIdentities/myIdentity/federatedIdentityCredentials 2024-11-30",
            ],
        );
    });

    /**
     * Two failures end to end, one on the Kubernetes side and one on the Azure side: each fixture's check logic is
     * specified in-process in verify.test.ts; here the point is the exit status and the printed report of the real
     * command, and every child run costs about 4 s of CPU.
     */
    const failures: [string, (scenario: VerifyScenario) => void, string[], RegExp][] = [
        [
            "a key in an envFrom Secret",
            FAILURES.keyInEnvFrom,
            [TITLES.noKeys],
            /envFrom Secret openai-secrets provides AZURE_OPENAI_API_KEY/,
        ],
        [
            "a re-created cluster with a new issuer",
            FAILURES.issuerMismatch,
            [TITLES.issuer],
            /the cluster's issuer changed since the credential was made/,
        ],
        [
            "an audit setting deleted by hand",
            FAILURES.missingAuditSetting,
            [TITLES.audit],
            /no diagnostic setting on account myOpenAI sends to the audit workspace/,
        ],
    ];
    for (const [what, failure, failing, evidence] of failures) {
        it(`fails on ${what} (exit status 1), with the evidence and the fix`, async () => {
            const run = await verify(scenarioWith(failure));
            assert.equal(run.code, 1, `${run.stdout}\n${run.stderr}`);
            assert.deepEqual(
                statusLines(run.stdout),
                [
                    TITLES.podsReady,
                    TITLES.currentIdentity,
                    TITLES.injected,
                    TITLES.noKeys,
                    TITLES.issuer,
                    TITLES.role,
                    TITLES.audit,
                ]
                    .map((title) => `[${failing.includes(title) ? "FAIL" : "PASS"}] ${title}`)
                    .concat(`[SKIP] ${TITLES.call}`),
            );
            const block = run.stdout.slice(run.stdout.indexOf(`[FAIL] ${failing.at(-1)!}`)).split("\n[")[0];
            assert.match(block, evidence);
            assert.match(block, /\n {7}Fix: \S/);
            assert.match(
                run.stdout,
                new RegExp(
                    `\\n${failing.length} checks? failed: ${7 - failing.length} passed, ${failing.length} failed, 1 skipped; 1 warning\\.\\n$`,
                ),
            );
        });
    }

    it("exits 2 with the reason when the outputs file lacks the identity", async () => {
        const scenario = healthyScenario();
        delete scenario.outputs.identityClientId;
        const run = await verify(scenario);
        assert.equal(run.code, 2);
        assert.match(
            run.stderr,
            /^verify: --outputs .*outputs\.json lacks the output identityClientId\. Fix: run pulumi up to completion first\./m,
        );
    });
});
