import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { IDENTITY_HASH_ANNOTATION } from "../components/constants";
import { identityHash } from "../components/naming";
import { parseArgs } from "../tools/verify/args";
import { parseArmId } from "../tools/verify/arm";
import { KubernetesApi, loadKubeConfig } from "../tools/verify/kube";
import { explainAiServiceAnswer, runChecks, TITLES, type CheckResult } from "../tools/verify/checks";
import { CLUSTER_ACCESS_TITLE } from "../tools/verify/clusterAccessCheck";
import { parseOutputs, UsageError } from "../tools/verify/outputs";
import { formatReport } from "../tools/verify/report";
import {
    ACCOUNT_ID,
    aiServicePod,
    CLIENT_ID,
    CLUSTER_ID,
    fakeArm,
    fakeKube,
    FAILURES,
    healthyScenario,
    ISSUER,
    PRINCIPAL_ID,
    RECREATED_ISSUER,
    scenarioWith,
    SUBJECT,
    type VerifyScenario,
} from "./support/verifyFixtures";
import { GREENFIELD_CONFIG } from "./support/configs";
import { KubeStandin } from "./support/kubeStandin";
import { createTestTls } from "./support/tls";
import { runProgram, stackConfig } from "./support/program";
import {
    mockGuid,
    PLATFORM_STACK,
    SEED_RESOURCE_GROUP,
    TEST_SUBSCRIPTION_ID,
    TEST_TENANT_ID,
    worldWithPlatformStack,
} from "./support/world";
import { shippedRun } from "./support/shippedStacks";

/** Runs every check against in-memory readers over a scenario. */
async function check(scenario: VerifyScenario, options = { call: false }): Promise<CheckResult[]> {
    return runChecks(parseOutputs(scenario.outputs, "test"), fakeKube(scenario), fakeArm(scenario), options);
}

function resultOf(results: readonly CheckResult[], title: string): CheckResult {
    const found = results.find((result) => result.title === title);
    assert.ok(found, `no check titled ${title}`);
    return found;
}

/** Asserts that exactly the checks titled `failing` failed and every other (but --call) passed. */
function assertOnlyFailing(results: readonly CheckResult[], failing: readonly string[]): void {
    assert.deepEqual(
        results.filter((result) => result.status === "fail").map((result) => result.title),
        failing,
    );
    for (const result of results.filter((r) => !failing.includes(r.title) && r.title !== TITLES.call)) {
        assert.equal(result.status, "pass", `${result.title}: ${result.details.join(" | ")}`);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Command line and outputs.
// ---------------------------------------------------------------------------------------------------------------

describe("verify's command line", () => {
    it("takes a stack name", () => {
        assert.deepEqual(parseArgs(["--stack", "dev"]), { stack: "dev", call: false, help: false });
    });

    it("takes an outputs file, a kubeconfig, a cluster id and --call, also as --flag=value", () => {
        assert.deepEqual(
            parseArgs(["--outputs=out.json", "--call", "--kubeconfig", "kc.yaml", "--cluster-id", CLUSTER_ID]),
            {
                outputsFile: "out.json",
                kubeconfigFile: "kc.yaml",
                clusterId: CLUSTER_ID,
                call: true,
                help: false,
            },
        );
    });

    it("wants exactly one of --stack and --outputs", () => {
        assert.throws(
            () => parseArgs([]),
            (error: Error) => error instanceof UsageError && /exactly one of --stack/.test(error.message),
        );
        assert.throws(() => parseArgs(["--stack", "dev", "--outputs", "x.json"]), UsageError);
    });

    it("refuses an unknown argument and a flag without its value", () => {
        assert.throws(
            () => parseArgs(["--stack", "dev", "--cal"]),
            /Unknown argument "--cal" \(did you mean --call\?\)\./,
        );
        assert.throws(
            () => parseArgs(["--stak", "dev"]),
            /^UsageError: Unknown argument "--stak" \(did you mean --stack\?\)\./,
        );
        assert.throws(() => parseArgs(["--stack"]), /--stack needs a value/);
    });
});

describe("verify's stack outputs", () => {
    it("reads what verify needs from pulumi stack output --json", () => {
        const outputs = parseOutputs(healthyScenario().outputs, "stack dev");
        assert.equal(outputs.identityClientId, CLIENT_ID);
        assert.equal(outputs.clusterResourceId, CLUSTER_ID);
        assert.deepEqual(outputs.serviceAccounts, [
            { namespace: "default", name: "ai-service-account", subject: SUBJECT },
        ]);
    });

    it("explains an empty stack: the first pulumi up did not complete", () => {
        assert.throws(
            () => parseOutputs({}, "stack dev"),
            (error: Error) =>
                error instanceof UsageError &&
                error.message.startsWith(
                    "stack dev lacks the outputs tenantId, identityClientId, identityPrincipalId, identityResourceId, " +
                        "openAiAccountId, oidcIssuerUrl, serviceAccounts. Fix: run pulumi up to completion first.",
                ) &&
                /run pulumi up again \(it re-runs a failed smoke test\)/.test(error.message),
        );
    });

    it("splits ARM ids, whatever the case of resourceGroups", () => {
        assert.deepEqual(parseArmId(CLUSTER_ID), {
            subscriptionId: TEST_SUBSCRIPTION_ID,
            resourceGroupName: SEED_RESOURCE_GROUP,
            name: "myAKSCluster",
        });
        assert.equal(parseArmId(CLUSTER_ID.replace("resourceGroups", "resourcegroups")).name, "myAKSCluster");
        assert.throws(() => parseArmId("/subscriptions/x"), /is not the ARM id of a resource/);
    });
});

describe("the stack's outputs carry what verify reads", () => {
    it("for an existing cluster: the cluster's ARM id, the ARM endpoint and the kubeconfig", async () => {
        const { outputs } = await shippedRun("dev");
        const parsed = parseOutputs(outputs, "stack dev");
        assert.equal(parsed.clusterResourceId, CLUSTER_ID);
        assert.equal(parsed.armEndpoint, "https://management.azure.com/");
        assert.match(parsed.kubeconfig ?? "", /clusters:/);
    });

    it("for a managed cluster: the ARM id of the cluster the stack creates", async () => {
        const { outputs } = await runProgram({ config: GREENFIELD_CONFIG, stack: "greenfield" });
        assert.equal(
            parseOutputs(outputs, "stack greenfield").clusterResourceId,
            `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/rg-store-greenfield/providers/Microsoft.ContainerService/managedClusters/aks-store`,
        );
    });

    it("for another stack's cluster: no cluster id (verify asks for --cluster-id)", async () => {
        const { outputs } = await runProgram({
            config: {
                ...stackConfig("dev"),
                "aks-openai-wi:cluster": { mode: "stack", stackReference: PLATFORM_STACK },
            },
            stack: "dev",
            world: worldWithPlatformStack(),
        });
        assert.equal(parseOutputs(outputs, "stack dev").clusterResourceId, undefined);
    });
});

// ---------------------------------------------------------------------------------------------------------------
// The checks, on in-memory fixtures.
// ---------------------------------------------------------------------------------------------------------------

describe("verify's checks on a healthy stack", () => {
    it("passes every check and skips the call unless asked", async () => {
        const results = await check(healthyScenario());
        assert.deepEqual(
            results.map((result) => [result.status, result.title]),
            [
                ["pass", TITLES.podsReady],
                ["pass", TITLES.currentIdentity],
                ["pass", TITLES.injected],
                ["pass", TITLES.noKeys],
                ["pass", TITLES.issuer],
                ["pass", TITLES.role],
                ["pass", TITLES.audit],
                ["skip", TITLES.call],
                ["pass", CLUSTER_ACCESS_TITLE],
            ],
        );
    });

    it("with --call, sends one product and passes on a description", async () => {
        const scenario = healthyScenario();
        const kube = fakeKube(scenario);
        const results = await runChecks(parseOutputs(scenario.outputs, "test"), kube, fakeArm(scenario), {
            call: true,
        });
        assert.deepEqual(resultOf(results, TITLES.call), {
            title: TITLES.call,
            status: "pass",
            details: [
                '"Built for tug-of-war champions and nap-time heroes alike."',
                "sent through the API server's service proxy",
            ],
        });
        assert.deepEqual(kube.posted, [{ name: "Verify Tug Rope", tags: ["toy", "dog"] }]);
    });

    it("shows the evidence: the identity hash, the injected variables, the issuer and the assignment", async () => {
        const results = await check(healthyScenario());
        assert.match(
            resultOf(results, TITLES.currentIdentity).details[0],
            new RegExp(`identity-hash ${identityHash(CLIENT_ID)}, created 2026-11-28T10:15:00.000Z$`),
        );
        assert.equal(
            resultOf(results, TITLES.injected).details[0],
            `ai-service-6b7f9c-x2x4q/ai-service: AZURE_CLIENT_ID ${CLIENT_ID} = identityClientId, AZURE_TENANT_ID ${TEST_TENANT_ID}, ` +
                "AZURE_FEDERATED_TOKEN_FILE /var/run/secrets/azure/tokens/azure-identity-token",
        );
        assert.equal(
            resultOf(results, TITLES.issuer).details[0],
            `credential myFederatedCredential: issuer ${ISSUER} = cluster myAKSCluster's issuer; subject ${SUBJECT}; audience api://AzureADTokenExchange`,
        );
    });

    it("ignores a pod that is terminating after a rollout", async () => {
        const scenario = healthyScenario();
        const old = aiServicePod("ai-service-5d4c3b-old01", "2026-11-01T00:00:00Z");
        (old.metadata as Record<string, unknown>).deletionTimestamp = "2026-11-28T10:16:00Z";
        (old.metadata as { annotations: Record<string, string> }).annotations[IDENTITY_HASH_ANNOTATION] =
            "0000000000000000";
        scenario.pods.push(old);
        assertOnlyFailing(await check(scenario), []);
    });
});

describe("verify's checks, one failure each", () => {
    it("a pod that is not Ready fails only the readiness check, with the pod's reason", async () => {
        const results = await check(scenarioWith(FAILURES.podNotReady));
        assertOnlyFailing(results, [TITLES.podsReady]);
        const result = resultOf(results, TITLES.podsReady);
        assert.deepEqual(result.details, [
            "ai-service-6b7f9c-x2x4q: Running, Ready False (ContainersNotReady; containers with unready status: [ai-service]; " +
                "ai-service CrashLoopBackOff: back-off 1m20s restarting failed container)",
        ]);
        assert.match(
            result.fix ?? "",
            /^kubectl describe pod ai-service-6b7f9c-x2x4q -n default; kubectl logs ai-service-6b7f9c-x2x4q -n default/,
        );
    });

    it("a pod the webhook did not mutate fails the injection check and says to restart it", async () => {
        const results = await check(scenarioWith(FAILURES.missingClientId));
        assertOnlyFailing(results, [TITLES.injected]);
        const result = resultOf(results, TITLES.injected);
        assert.deepEqual(result.details, [
            "ai-service-6b7f9c-x2x4q/ai-service: no AZURE_CLIENT_ID: the webhook did not mutate this pod (it has the " +
                "azure.workload.identity/use label, so it was created before workload identity was on)",
            "ai-service-6b7f9c-x2x4q/ai-service: no AZURE_TENANT_ID",
            "ai-service-6b7f9c-x2x4q/ai-service: no AZURE_FEDERATED_TOKEN_FILE (no projected service-account token)",
        ]);
        assert.equal(result.fix, "kubectl rollout restart deployment/ai-service -n default");
    });

    it("a pod without the workload-identity label is told to get it", async () => {
        const scenario = scenarioWith(FAILURES.missingClientId);
        delete (scenario.pods[0].metadata as { labels: Record<string, string> }).labels["azure.workload.identity/use"];
        const result = resultOf(await check(scenario), TITLES.injected);
        assert.match(result.details[0], /it lacks the label azure\.workload\.identity\/use: "true"\)$/);
        assert.match(
            result.fix ?? "",
            /^pulumi up \(the stack's pod template has the label\), then kubectl rollout restart/,
        );
    });

    it("a pod from before the identity changed fails both the identity-hash and the client-id checks", async () => {
        const results = await check(scenarioWith(FAILURES.clientIdMismatch));
        assertOnlyFailing(results, [TITLES.currentIdentity, TITLES.injected]);
        const previous = mockGuid("client-id", "previousIdentity");
        assert.match(
            resultOf(results, TITLES.currentIdentity).details[0],
            new RegExp(
                `identity-hash ${identityHash(previous)}, expected ${identityHash(CLIENT_ID)} \\(the hash of identityClientId ${CLIENT_ID}\\); created .* for another identity$`,
            ),
        );
        assert.deepEqual(resultOf(results, TITLES.injected).details, [
            `ai-service-6b7f9c-x2x4q/ai-service: AZURE_CLIENT_ID ${previous} is not identityClientId ${CLIENT_ID}: ` +
                "the pod was created before its ServiceAccount carried this client id",
        ]);
    });

    it("a key variable in env fails the no-key check, naming it but never its value", async () => {
        const results = await check(scenarioWith(FAILURES.keyVariable));
        assertOnlyFailing(results, [TITLES.noKeys]);
        const result = resultOf(results, TITLES.noKeys);
        assert.deepEqual(result.details, ["ai-service-6b7f9c-x2x4q/ai-service: env OPENAI_API_KEY (set literally)"]);
        assert.doesNotMatch(JSON.stringify(results), /sk-quickstart-key/);
        assert.match(
            result.fix ?? "",
            /^remove the variable from the Deployment and from any ConfigMap or Secret it reads/,
        );
    });

    it("a key variable behind envFrom fails the no-key check, naming the Secret and the key", async () => {
        const results = await check(scenarioWith(FAILURES.keyInEnvFrom));
        assertOnlyFailing(results, [TITLES.noKeys]);
        assert.deepEqual(resultOf(results, TITLES.noKeys).details, [
            "ai-service-6b7f9c-x2x4q/ai-service: envFrom Secret openai-secrets provides AZURE_OPENAI_API_KEY",
        ]);
        assert.doesNotMatch(JSON.stringify(results), /quickstart-key|cXVpY2tzdGFydC1rZXk/);
    });

    it("an envFrom Secret verify may not read fails the no-key check: absence is not proven", async () => {
        const scenario = scenarioWith(FAILURES.keyInEnvFrom);
        scenario.forbiddenSecrets.push("default/openai-secrets");
        const result = resultOf(await check(scenario), TITLES.noKeys);
        assert.equal(result.status, "fail");
        assert.match(
            result.details[0],
            /^ai-service-6b7f9c-x2x4q\/ai-service: cannot read envFrom Secret openai-secrets to check its keys: secrets "openai-secrets" is forbidden$/,
        );
    });

    it("a re-created cluster (new issuer) fails the issuer check with both issuers and the refresh fix", async () => {
        const results = await check(scenarioWith(FAILURES.issuerMismatch));
        assertOnlyFailing(results, [TITLES.issuer]);
        const result = resultOf(results, TITLES.issuer);
        assert.deepEqual(result.details, [
            `credential myFederatedCredential: issuer ${ISSUER}`,
            `cluster myAKSCluster: issuer ${RECREATED_ISSUER}`,
            "the cluster's issuer changed since the credential was made (re-created cluster?); tokens fail with " +
                `AADSTS700211 (the stack's oidcIssuerUrl output is still ${ISSUER})`,
        ]);
        assert.match(
            result.fix ?? "",
            /^pulumi refresh, then pulumi up: the stack re-reads the cluster's issuer and replaces the credential/,
        );
    });

    it("an issuer that lost its trailing slash is named as such", async () => {
        const scenario = healthyScenario();
        scenario.credentials[0].issuer = ISSUER.replace(/\/$/, "");
        const result = resultOf(await check(scenario), TITLES.issuer);
        assert.equal(result.status, "fail");
        assert.equal(
            result.details[2],
            "they differ only in the trailing '/', which Entra ID compares exactly (AADSTS700211)",
        );
    });

    it("a credential without the token-exchange audience fails the issuer check (AADSTS700212)", async () => {
        const scenario = healthyScenario();
        scenario.credentials[0].audiences = ["api://other"];
        const result = resultOf(await check(scenario), TITLES.issuer);
        assert.equal(result.status, "fail");
        assert.deepEqual(result.details, [
            'credential myFederatedCredential: audiences ["api://other"] lack api://AzureADTokenExchange (AADSTS700212)',
        ]);
    });

    it("no credential for the pods' subject fails the issuer check and lists what is there", async () => {
        const scenario = healthyScenario();
        scenario.credentials[0].subject = "system:serviceaccount:default:ai-service";
        const result = resultOf(await check(scenario), TITLES.issuer);
        assert.equal(result.status, "fail");
        assert.deepEqual(result.details, [
            `identity myIdentity has no federated credential for subject ${SUBJECT}; it has: myFederatedCredential (system:serviceaccount:default:ai-service)`,
        ]);
    });

    it("without clusterResourceId (cluster of another stack) the issuer check asks for --cluster-id", async () => {
        const scenario = healthyScenario();
        delete scenario.outputs.clusterResourceId;
        const result = resultOf(await check(scenario), TITLES.issuer);
        assert.equal(result.status, "fail");
        assert.match(result.fix ?? "", /^pass --cluster-id \/subscriptions\//);
        const withFlag = await runChecks(parseOutputs(scenario.outputs, "t"), fakeKube(scenario), fakeArm(scenario), {
            call: false,
            clusterId: CLUSTER_ID,
        });
        assert.equal(resultOf(withFlag, TITLES.issuer).status, "pass");
    });

    it("a deleted role assignment fails the role check and says pulumi re-creates it", async () => {
        const results = await check(scenarioWith(FAILURES.missingRoleAssignment));
        assertOnlyFailing(results, [TITLES.role]);
        const result = resultOf(results, TITLES.role);
        assert.deepEqual(result.details, [
            `no "Cognitive Services OpenAI User" (5e0bd9bd-7b93-4f28-af87-19fc36ad61bd) assignment for principal ${PRINCIPAL_ID} on ${ACCOUNT_ID}`,
        ]);
        assert.match(
            result.fix ?? "",
            /^pulumi refresh, then pulumi up: the stack re-creates the assignment on the account \(it was /,
        );
    });

    it("a role on the resource group instead of the account fails: least privilege", async () => {
        const scenario = healthyScenario();
        scenario.roleAssignments[0].scope = `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/${SEED_RESOURCE_GROUP}`;
        const result = resultOf(await check(scenario), TITLES.role);
        assert.equal(result.status, "fail");
        assert.equal(
            result.details[1],
            `found one at the broader scope /subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/${SEED_RESOURCE_GROUP}: least privilege wants the account itself`,
        );
    });

    it("no ai-service pod at all fails the four pod checks", async () => {
        const scenario = healthyScenario();
        scenario.pods = [];
        const results = await check(scenario);
        assertOnlyFailing(results, [TITLES.podsReady, TITLES.currentIdentity, TITLES.injected, TITLES.noKeys]);
        assert.deepEqual(resultOf(results, TITLES.podsReady).details, [
            "no pod with label app=ai-service in namespace default",
        ]);
    });

    it("an ARM read that is refused fails its check with the error and the sign-in fix", async () => {
        const scenario = healthyScenario();
        const arm = {
            ...fakeArm(scenario),
            listRoleAssignments: () =>
                Promise.reject(
                    new Error("The client 'x' with object id 'x' does not have authorization to perform action"),
                ),
        };
        const results = await runChecks(parseOutputs(scenario.outputs, "t"), fakeKube(scenario), arm, { call: false });
        const result = resultOf(results, TITLES.role);
        assert.equal(result.status, "fail");
        assert.match(
            result.details[0],
            /^could not list role assignments on .*: The client 'x' with object id 'x' does not have authorization/,
        );
        assert.match(result.fix ?? "", /Reader on the resource group is enough/);
    });

    it("--call names the AADSTS code ai-service passed on", async () => {
        const scenario = healthyScenario();
        scenario.description = {
            status: 500,
            body: JSON.stringify({
                detail: "Error generating description: ... AADSTS70021: No matching federated identity record found",
            }),
        };
        const result = resultOf(await check(scenario, { call: true }), TITLES.call);
        assert.equal(result.status, "fail");
        assert.match(
            result.details[0],
            /^Entra ID found no federated credential matching the pod's token \(AADSTS70021\)/,
        );
        assert.match(
            result.details[1],
            /^HTTP 500 through the API server's service proxy: \{"detail":"Error generating description/,
        );
    });
});

describe("explainAiServiceAnswer", () => {
    const cases: [string, number, string, RegExp][] = [
        ["a description", 200, '{"description":"Chew-proof fun."}', /^ok: Chew-proof fun\.$/],
        ["an empty description", 200, '{"description":""}', /without a non-empty description/],
        [
            "a stale token",
            500,
            '{"detail":"AADSTS700024: Client assertion is not within its valid time range."}',
            /expired service-account token \(AADSTS700024\)/,
        ],
        [
            "an issuer mismatch",
            500,
            '{"detail":"AADSTS700211: No matching federated identity record found for presented assertion issuer"}',
            /\(AADSTS700211\)/,
        ],
        [
            "an audience mismatch",
            500,
            '{"detail":"AADSTS700212: No matching federated identity record found for presented assertion audience"}',
            /^Entra ID found no federated credential matching the pod's token \(AADSTS700212\)/,
        ],
        [
            "a subject mismatch",
            500,
            '{"detail":"AADSTS700213: No matching federated identity record found for presented assertion subject"}',
            /^Entra ID found no federated credential matching the pod's token \(AADSTS700213\)/,
        ],
        [
            "a role not effective yet",
            500,
            "{\"detail\":\"Error code: 401 - {'error': {'code': 'PermissionDenied'}}\"}",
            /PermissionDenied/,
        ],
        ["a bare 403", 403, "{}", /refused the call \(403\)/],
        [
            "a missing deployment",
            500,
            "{\"detail\":\"Error code: 404 - {'error': {'code': 'DeploymentNotFound'}}\"}",
            /DeploymentNotFound/,
        ],
    ];
    for (const [what, status, body, expected] of cases) {
        it(`reads ${what}`, () => {
            const verdict = explainAiServiceAnswer(status, body);
            assert.match(verdict.ok ? `ok: ${verdict.description}` : verdict.reason, expected);
        });
    }
});

describe("verify's printed checklist", () => {
    it("prints each check with its evidence, each failure with its fix, and a summary", async () => {
        const scenario = scenarioWith(FAILURES.missingRoleAssignment);
        const outputs = parseOutputs(scenario.outputs, "t");
        const text = formatReport("stack dev", outputs, await check(scenario));
        const lines = text.split("\n");
        assert.equal(lines[0], `Verifying stack dev: ai-service in namespace default as ${SUBJECT},`);
        assert.equal(lines[1], `identity myIdentity (client id ${CLIENT_ID})`);
        assert.deepEqual(
            lines.filter((line) => /^\[(PASS|FAIL|SKIP)\]/.test(line)),
            [
                `[PASS] ${TITLES.podsReady}`,
                `[PASS] ${TITLES.currentIdentity}`,
                `[PASS] ${TITLES.injected}`,
                `[PASS] ${TITLES.noKeys}`,
                `[PASS] ${TITLES.issuer}`,
                `[FAIL] ${TITLES.role}`,
                `[PASS] ${TITLES.audit}`,
                `[SKIP] ${TITLES.call}`,
                `[PASS] ${CLUSTER_ACCESS_TITLE}`,
            ],
        );
        assert.ok(
            lines.some((line) =>
                /^ {7}Fix: pulumi refresh, then pulumi up: the stack re-creates the assignment/.test(line),
            ),
        );
        assert.equal(lines.at(-1), "1 check failed: 7 passed, 1 failed, 1 skipped.");
    });
});

describe("verify's Kubernetes reader (@kubernetes/client-node) against a Kubernetes API stand-in", () => {
    let kube: KubeStandin;
    let api: KubernetesApi;
    before(async () => {
        const scenario = scenarioWith(FAILURES.keyInEnvFrom);
        kube = await KubeStandin.start(createTestTls(), {
            pods: {
                default: [...scenario.pods, { metadata: { name: "store-front-1", labels: { app: "store-front" } } }],
            },
            configMaps: {},
            secrets: scenario.secrets,
            forbiddenSecrets: ["default/locked"],
            proxy: {
                "default/ai-service:5001": (path, body) => ({ status: 200, body: JSON.stringify({ path, body }) }),
            },
        });
        api = new KubernetesApi(loadKubeConfig({ fromOutputs: kube.kubeconfig() }));
    });
    after(() => kube.close());

    it("lists only ai-service's pods, by label, with the types client-node parses", async () => {
        const pods = await api.listPods("default", "app=ai-service");
        assert.deepEqual(
            pods.map((pod) => pod.metadata?.name),
            ["ai-service-6b7f9c-x2x4q"],
        );
        assert.ok(pods[0].metadata?.creationTimestamp instanceof Date);
        assert.deepEqual(kube.requests.at(-1)?.query, { labelSelector: "app=ai-service" });
    });

    it("reads the key names of a Secret", async () => {
        assert.deepEqual(await api.readKeys("default", "Secret", "openai-secrets"), ["AZURE_OPENAI_API_KEY"]);
    });

    it("passes on the API server's refusal with its own message", async () => {
        await assert.rejects(api.readKeys("default", "Secret", "locked"), {
            message:
                'HTTP 403: secrets "locked" is forbidden: User "operator" cannot get resource "secrets" in API group "" in the namespace "default"',
        });
    });

    it("POSTs JSON through the service proxy with the kubeconfig's credentials", async () => {
        const answer = await api.postToService("default", "ai-service", 5001, "generate/description", { name: "x" });
        assert.equal(answer.status, 200);
        assert.deepEqual(JSON.parse(answer.body), { path: "generate/description", body: '{"name":"x"}' });
    });

    it("is refused without the kubeconfig's token, as an API server refuses it", async () => {
        const stranger = new KubernetesApi(loadKubeConfig({ fromOutputs: kube.kubeconfig("wrong-token") }));
        await assert.rejects(stranger.listPods("default", "app=ai-service"), { message: "HTTP 401: Unauthorized" });
    });
});
