import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, it, test } from "node:test";

import { ConfigError, DEFAULTS, isProductionStack, parseSettings, type Settings } from "../components/config";
import { SMOKE_TEST_LABELS } from "../components/constants";
import {
    SMOKE_TEST_SCRIPT_PATH,
    smokeTestJobName,
    smokeTestScript,
    smokeTestTimings,
    type SmokeTestSubject,
} from "../components/smokeTest";
import { ofType, runProgram, single, stackConfig, UNKNOWN, type ProgramRun } from "./support/program";
import { mockGuid, seedWorld, type World } from "./support/world";

const JOB = "kubernetes:batch/v1:Job";

// ---------------------------------------------------------------------------------------------------------------
// Which stacks are production.
// ---------------------------------------------------------------------------------------------------------------

describe("isProductionStack", () => {
    for (const stack of ["prod", "production", "prd", "live", "PROD", "Live", "team-prod", "eu-west-production"]) {
        it(`treats "${stack}" as production`, () => {
            assert.equal(isProductionStack(stack), true);
        });
    }
    for (const stack of ["dev", "test", "staging", "product", "prod-eu", "production2", "liveness", "myprod"]) {
        it(`treats "${stack}" as not production`, () => {
            assert.equal(isProductionStack(stack), false);
        });
    }
});

// ---------------------------------------------------------------------------------------------------------------
// The smokeTest configuration key.
// ---------------------------------------------------------------------------------------------------------------

function seedRaw(smokeTest?: unknown): Record<string, unknown> {
    return {
        resourceGroupName: "myResourceGroup",
        cluster: { mode: "existing", name: "myAKSCluster" },
        openai: { mode: "existing", accountName: "myOpenAI", deploymentName: "gpt-4o-mini" },
        identity: { name: "myIdentity" },
        ...(smokeTest === undefined ? {} : { smokeTest }),
    };
}

function settingsFor(stack: string, smokeTest?: unknown): Settings {
    return parseSettings({ project: seedRaw(smokeTest), location: "eastus" }, { project: "aks-openai-wi", stack });
}

function problemsFor(smokeTest: unknown): readonly string[] {
    try {
        settingsFor("dev", smokeTest);
    } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        return error.problems;
    }
    assert.fail("the configuration was accepted");
}

describe("smokeTest configuration", () => {
    it("is on by default for a non-production stack, with a pinned curl image and a 12-minute retry budget", () => {
        assert.deepEqual(settingsFor("dev").smokeTest, {
            enabled: true,
            image: "curlimages/curl:8.12.1",
            retryForSeconds: 720,
        });
    });

    for (const stack of ["prod", "production", "prd", "live", "shop-prod", "shop-production"]) {
        it(`is off by default on the production stack "${stack}"`, () => {
            assert.equal(settingsFor(stack).smokeTest.enabled, false);
        });
    }

    it("honours enabled: true on a production stack", () => {
        assert.equal(settingsFor("prod", { enabled: true }).smokeTest.enabled, true);
    });

    it("honours enabled: false on a non-production stack", () => {
        assert.equal(settingsFor("dev", { enabled: false }).smokeTest.enabled, false);
    });

    it('accepts "true"/"false" strings as pulumi config set stores them', () => {
        assert.equal(settingsFor("prod", { enabled: "true" }).smokeTest.enabled, true);
    });

    it("takes a pinned image and a retry budget", () => {
        assert.deepEqual(
            settingsFor("dev", { image: "docker.io/curlimages/curl:8.11.1", retryForSeconds: 900 }).smokeTest,
            {
                enabled: true,
                image: "docker.io/curlimages/curl:8.11.1",
                retryForSeconds: 900,
            },
        );
    });

    it("refuses an image on :latest, naming the key, the value and the fix", () => {
        const [problem, ...rest] = problemsFor({ image: "curlimages/curl:latest" });
        assert.deepEqual(rest, []);
        assert.equal(
            problem,
            `aks-openai-wi:smokeTest.image = "curlimages/curl:latest": pin a version tag or digest; ':latest' ` +
                "changes under the same name, and the smoke test's Job name (which decides when it runs again) " +
                "would not. Fix: pulumi config set --path 'aks-openai-wi:smokeTest.image' curlimages/curl:8.12.1",
        );
    });

    it("refuses a retry budget too short to outlast a role assignment's propagation", () => {
        const [problem, ...rest] = problemsFor({ retryForSeconds: 30 });
        assert.deepEqual(rest, []);
        assert.match(problem, /^aks-openai-wi:smokeTest\.retryForSeconds = 30: must be a whole number from 60 to 3600/);
        // The nearest allowed value is the corrected one (issue 13): the fix changes what the user set as little as it can.
        assert.match(problem, /Fix: pulumi config set --path 'aks-openai-wi:smokeTest\.retryForSeconds' 60$/);
    });

    it("refuses an unknown key, suggesting the one meant", () => {
        const [problem, ...rest] = problemsFor({ enable: true });
        assert.deepEqual(rest, []);
        assert.match(problem, /^aks-openai-wi:smokeTest\.enable is not a known key \(did you mean "enabled"\?\)/);
    });
});

// ---------------------------------------------------------------------------------------------------------------
// Timings and the Job's name.
// ---------------------------------------------------------------------------------------------------------------

describe("smokeTestTimings", () => {
    it("nests the bounds: retries < request timeout < Job deadline < Pulumi's wait", () => {
        assert.deepEqual(smokeTestTimings(720), {
            retryForSeconds: 720,
            requestTimeoutSeconds: 60,
            activeDeadlineSeconds: 960,
            awaitSeconds: 1080,
        });
    });

    it("grows with the retry budget", () => {
        assert.deepEqual(smokeTestTimings(60), {
            retryForSeconds: 60,
            requestTimeoutSeconds: 60,
            activeDeadlineSeconds: 300,
            awaitSeconds: 420,
        });
    });
});

const SUBJECT: SmokeTestSubject = {
    identityClientId: "11111111-2222-4333-8444-555555555555",
    oidcIssuerUrl: "https://eastus.oic.prod-aks.azure.com/tenant/11111111-1111-4111-8111-111111111111/",
    serviceAccountSubject: "system:serviceaccount:default:ai-service-account",
    openAiEndpoint: "https://myopenai.openai.azure.com/",
    openAiDeploymentName: "gpt-4o-mini",
    openAiApiVersion: "2024-12-01-preview",
    aiServiceImage: DEFAULTS.image,
    url: "http://ai-service.default:5001/generate/description",
    image: DEFAULTS.smokeTest.image,
    script: "echo check",
    retryForSeconds: 720,
};

describe("smokeTestJobName", () => {
    it("is ai-service-smoke-<16 hex>, a valid Job name", () => {
        assert.match(smokeTestJobName(SUBJECT), /^ai-service-smoke-[0-9a-f]{16}$/);
    });

    it("is the same for the same subject", () => {
        assert.equal(smokeTestJobName({ ...SUBJECT }), smokeTestJobName(SUBJECT));
    });

    it("ignores the case of the client id (Azure does)", () => {
        assert.equal(
            smokeTestJobName({ ...SUBJECT, identityClientId: SUBJECT.identityClientId.toUpperCase() }),
            smokeTestJobName(SUBJECT),
        );
    });

    const changes: Record<string, Partial<SmokeTestSubject>> = {
        "identity client id": { identityClientId: "99999999-2222-4333-8444-555555555555" },
        "cluster's issuer (a re-created cluster)": {
            oidcIssuerUrl: "https://eastus.oic.prod-aks.azure.com/tenant/22222222-2222-4222-8222-222222222222/",
        },
        "ServiceAccount subject": { serviceAccountSubject: "system:serviceaccount:store:ai-service-account" },
        "OpenAI endpoint": { openAiEndpoint: "https://other.openai.azure.com/" },
        "model deployment": { openAiDeploymentName: "gpt-4o" },
        "API version": { openAiApiVersion: "2025-01-01-preview" },
        "ai-service image": { aiServiceImage: "ghcr.io/azure-samples/aks-store-demo/ai-service:2.1.0" },
        "smoke-test image": { image: "curlimages/curl:8.11.1" },
        "check script": { script: "echo other check" },
        "retry budget": { retryForSeconds: 900 },
        "ai-service URL": { url: "http://ai-service.store:5001/generate/description" },
    };
    for (const [what, change] of Object.entries(changes)) {
        it(`changes when the ${what} changes, so the test runs again`, () => {
            assert.notEqual(smokeTestJobName({ ...SUBJECT, ...change }), smokeTestJobName(SUBJECT));
        });
    }
});

// ---------------------------------------------------------------------------------------------------------------
// The Job the program creates, under mocks.
// ---------------------------------------------------------------------------------------------------------------

async function run(stack: string, overrides: Record<string, unknown> = {}, preview = false): Promise<ProgramRun> {
    return runProgram({ config: { ...stackConfig("dev"), ...overrides }, stack, preview });
}

function jobOf(result: ProgramRun): { inputs: Record<string, unknown>; urn: string; dependencies: readonly string[] } {
    return single(result.resources, JOB);
}

describe("SmokeTest under mocks (stack dev)", () => {
    let dev: ProgramRun;
    before(async () => {
        dev = await run("dev");
    });

    it("creates exactly this Job: pinned image, hardened pod, bounded retries, awaited by Pulumi", () => {
        const job = jobOf(dev);
        const clientId = mockGuid("client-id", "myIdentity");
        const url = "http://ai-service.default:5001/generate/description";
        const name = smokeTestJobName({
            identityClientId: clientId,
            oidcIssuerUrl: seedWorld().clusters["myResourceGroup/myAKSCluster"].issuerUrl,
            serviceAccountSubject: "system:serviceaccount:default:ai-service-account",
            openAiEndpoint: "https://myopenai.openai.azure.com/",
            openAiDeploymentName: "gpt-4o-mini",
            openAiApiVersion: "2024-12-01-preview",
            aiServiceImage: "ghcr.io/azure-samples/aks-store-demo/ai-service:2.2.0",
            url,
            image: "curlimages/curl:8.12.1",
            script: smokeTestScript(),
            retryForSeconds: 720,
        });
        assert.deepEqual(job.inputs, {
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: {
                name,
                namespace: "default",
                labels: { app: "ai-service-smoke-test" },
                annotations: {
                    "pulumi.com/timeoutSeconds": "1080",
                    "pulumi.com/replaceUnready": "true",
                },
            },
            spec: {
                backoffLimit: 0,
                activeDeadlineSeconds: 960,
                ttlSecondsAfterFinished: 86400,
                template: {
                    metadata: { labels: { app: "ai-service-smoke-test" } },
                    spec: {
                        restartPolicy: "Never",
                        automountServiceAccountToken: false,
                        enableServiceLinks: false,
                        nodeSelector: { "kubernetes.io/os": "linux" },
                        securityContext: {
                            runAsNonRoot: true,
                            runAsUser: 100,
                            seccompProfile: { type: "RuntimeDefault" },
                        },
                        containers: [
                            {
                                name: "smoke-test",
                                image: "curlimages/curl:8.12.1",
                                command: ["/bin/sh", "-c", readFileSync(SMOKE_TEST_SCRIPT_PATH, "utf8")],
                                env: [
                                    { name: "SMOKE_URL", value: url },
                                    { name: "SMOKE_RETRY_FOR_SECONDS", value: "720" },
                                    { name: "SMOKE_REQUEST_TIMEOUT_SECONDS", value: "60" },
                                    { name: "SMOKE_BACKOFF_INITIAL_SECONDS", value: "5" },
                                    { name: "SMOKE_BACKOFF_MAX_SECONDS", value: "60" },
                                    { name: "SMOKE_GIVE_UP_AFTER", value: "3" },
                                    { name: "SMOKE_NAMESPACE", value: "default" },
                                    { name: "SMOKE_IDENTITY_CLIENT_ID", value: clientId },
                                    { name: "SMOKE_OPENAI_DEPLOYMENT", value: "gpt-4o-mini" },
                                    { name: "SMOKE_OPENAI_ENDPOINT", value: "https://myopenai.openai.azure.com/" },
                                ],
                                resources: {
                                    requests: { cpu: "10m", memory: "16Mi" },
                                    limits: { cpu: "100m", memory: "64Mi" },
                                },
                                securityContext: {
                                    allowPrivilegeEscalation: false,
                                    privileged: false,
                                    readOnlyRootFilesystem: true,
                                    capabilities: { drop: ["ALL"] },
                                },
                                terminationMessagePolicy: "FallbackToLogsOnError",
                            },
                        ],
                    },
                },
            },
        });
    });

    it("is awaited: no skipAwait, and Pulumi waits longer than the Job's own deadline", () => {
        const job = jobOf(dev);
        const annotations = (job.inputs.metadata as { annotations: Record<string, string> }).annotations;
        assert.equal(annotations["pulumi.com/skipAwait"], undefined);
        const deadline = (job.inputs.spec as { activeDeadlineSeconds: number }).activeDeadlineSeconds;
        assert.ok(Number(annotations["pulumi.com/timeoutSeconds"]) > deadline);
    });

    it("runs without the workload-identity label, so the webhook gives the test pod no Azure identity", () => {
        const labels = (jobOf(dev).inputs.spec as { template: { metadata: { labels: Record<string, string> } } })
            .template.metadata.labels;
        assert.equal(labels["azure.workload.identity/use"], undefined);
        assert.notEqual(labels.app, "ai-service", "the ai-service Service must not select the test pod");
        assert.deepEqual(labels, { ...SMOKE_TEST_LABELS });
    });

    it("starts after the ai-service Deployment and Service", () => {
        const job = jobOf(dev);
        const deployment = single(dev.resources, "kubernetes:apps/v1:Deployment");
        const service = single(dev.resources, "kubernetes:core/v1:Service");
        assert.ok(job.dependencies.includes(deployment.urn), "Job does not depend on the Deployment");
        assert.ok(job.dependencies.includes(service.urn), "Job does not depend on the Service");
    });

    it("uses the stack's Kubernetes provider and lives in the SmokeTest component", () => {
        const job = single(dev.resources, JOB);
        const component = single(dev.resources, "aks-openai-wi:app:SmokeTest");
        assert.equal(job.parent, component.urn);
        assert.match(job.provider, /pulumi:providers:kubernetes::aks::/);
    });

    it("exports the Job's name for kubectl logs", () => {
        const name = (jobOf(dev).inputs.metadata as { name: string }).name;
        assert.equal(dev.outputs.smokeTestJobName, name);
    });
});

describe("SmokeTest: when it runs again", () => {
    let baseline: string;
    before(async () => {
        baseline = jobNameOf(await run("dev"));
    });

    function jobNameOf(result: ProgramRun): string {
        return (jobOf(result).inputs.metadata as { name: string }).name;
    }

    it("keeps its name when only ai-service's replicas and resources change", async () => {
        const result = await run("dev", {
            "aks-openai-wi:aiService": {
                namespace: "default",
                serviceAccountName: "ai-service-account",
                federatedCredentialName: "myFederatedCredential",
                replicas: 3,
                resources: { requests: { cpu: "30m", memory: "64Mi" }, limits: { cpu: "100m", memory: "256Mi" } },
            },
        });
        assert.equal(jobNameOf(result), baseline);
    });

    it("keeps its name when a ServiceAccount is added to the identity", async () => {
        const result = await run("dev", {
            "aks-openai-wi:additionalServiceAccounts": [{ namespace: "batch", name: "reports" }],
        });
        assert.equal(jobNameOf(result), baseline);
    });

    it("gets a new name when the identity changes (a new client id)", async () => {
        const result = await run("dev", { "aks-openai-wi:identity": { name: "otherIdentity" } });
        assert.notEqual(jobNameOf(result), baseline);
    });

    it("gets a new name when the cluster's issuer changes (the cluster was re-created)", async () => {
        const seed = seedWorld();
        const cluster = seed.clusters["myResourceGroup/myAKSCluster"];
        const world: World = {
            ...seed,
            clusters: {
                "myResourceGroup/myAKSCluster": {
                    ...cluster,
                    issuerUrl: cluster.issuerUrl.replace(/[0-9a-f-]{36}\/$/, `${mockGuid("issuer", "recreated")}/`),
                },
            },
        };
        const result = await runProgram({ config: stackConfig("dev"), stack: "dev", world });
        assert.notEqual(jobNameOf(result), baseline);
    });

    it("gets a new name when ai-service's image changes", async () => {
        const result = await run("dev", {
            "aks-openai-wi:aiService": {
                namespace: "default",
                serviceAccountName: "ai-service-account",
                federatedCredentialName: "myFederatedCredential",
                image: "ghcr.io/azure-samples/aks-store-demo/ai-service:2.1.0",
            },
        });
        assert.notEqual(jobNameOf(result), baseline);
    });

    it("gets a new name when the smoke-test image changes", async () => {
        const result = await run("dev", { "aks-openai-wi:smokeTest": { image: "curlimages/curl:8.11.1" } });
        assert.notEqual(jobNameOf(result), baseline);
    });
});

describe("SmokeTest behind ai-service's NetworkPolicy", () => {
    const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
    const withNetworkPolicy = {
        "aks-openai-wi:aiService": {
            namespace: "default",
            serviceAccountName: "ai-service-account",
            federatedCredentialName: "myFederatedCredential",
            networkPolicy: { enabled: true },
        },
    };

    it("is admitted next to product-service, and starts only once the policy admits it", async () => {
        const result = await run("dev", withNetworkPolicy);
        const policy = single(result.resources, NETWORK_POLICY);
        assert.deepEqual((policy.inputs.spec as { ingress: { from: unknown }[] }).ingress[0].from, [
            { podSelector: { matchLabels: { app: "product-service" } } },
            { podSelector: { matchLabels: { app: "ai-service-smoke-test" } } },
        ]);
        assert.ok(jobOf(result).dependencies.includes(policy.urn), "the Job does not wait for the NetworkPolicy");
    });

    it("is not admitted when it is off", async () => {
        const result = await run("prod", withNetworkPolicy);
        const policy = single(result.resources, NETWORK_POLICY);
        assert.deepEqual((policy.inputs.spec as { ingress: { from: unknown }[] }).ingress[0].from, [
            { podSelector: { matchLabels: { app: "product-service" } } },
        ]);
    });
});

describe("SmokeTest by stack", () => {
    it("is not created on a production stack by default, and no job name is exported", async () => {
        const result = await run("prod");
        assert.deepEqual(ofType(result.resources, JOB), []);
        assert.deepEqual(ofType(result.resources, "aks-openai-wi:app:SmokeTest"), []);
        assert.equal("smokeTestJobName" in result.outputs, false);
    });

    it("is created on a production stack that enables it", async () => {
        const result = await run("prod", { "aks-openai-wi:smokeTest": { enabled: true } });
        assert.equal(ofType(result.resources, JOB).length, 1);
    });

    it("is not created on a dev stack that disables it", async () => {
        const result = await run("dev", { "aks-openai-wi:smokeTest": { enabled: false } });
        assert.deepEqual(ofType(result.resources, JOB), []);
    });

    it("previews with its name unknown until the identity exists, the rest of the spec known", async () => {
        const result = await run("dev", {}, true);
        const job = jobOf(result);
        const metadata = job.inputs.metadata as Record<string, unknown>;
        assert.equal(metadata.name, UNKNOWN);
        assert.equal(metadata.namespace, "default");
        assert.equal((job.inputs.spec as { activeDeadlineSeconds: number }).activeDeadlineSeconds, 960);
    });
});

// ---------------------------------------------------------------------------------------------------------------
// The check script itself, run by the same shells as in the image, against a local ai-service stand-in.
// ---------------------------------------------------------------------------------------------------------------

interface Shell {
    readonly name: string;
    readonly command: string;
    /** Directory put first on PATH (BusyBox applets standing in for the image's sed, grep, cut...). */
    readonly pathPrefix?: string;
    /** Why this shell's tests cannot run on this machine: they are reported as skipped with it, never dropped. */
    readonly skip?: string;
}

/** dash (Debian's sh) always; BusyBox ash with BusyBox applets, as in the curl image, when BusyBox is installed. */
function shells(): Shell[] {
    const found: Shell[] = [{ name: "sh", command: "sh" }];
    const busybox = ["/usr/bin/busybox", "/bin/busybox"].find((candidate) => existsSync(candidate));
    if (busybox === undefined) {
        found.push({
            name: "busybox ash",
            command: "busybox",
            skip: "BusyBox is not installed (apt-get install busybox): the curl image runs the script under BusyBox ash",
        });
        return found;
    }
    const dir = mkdtempSync(path.join(tmpdir(), "aks-openai-wi-busybox-"));
    for (const applet of ["sh", "sed", "grep", "cut", "tr", "head", "date", "sleep", "printf"]) {
        symlinkSync(busybox, path.join(dir, applet));
    }
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    found.push({ name: "busybox ash", command: path.join(dir, "sh"), pathPrefix: dir });
    return found;
}

type Handler = (request: {
    method: string;
    url: string;
    headers: http.IncomingHttpHeaders;
    body: string;
}) => { status: number; body: string } | "hang";

interface StandIn {
    readonly url: string;
    readonly requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[];
    close(): Promise<void>;
}

/** A stand-in of ai-service on 127.0.0.1: answers each request from `handler` (called with the attempt's index). */
async function startAiService(handler: (attempt: number) => ReturnType<Handler>): Promise<StandIn> {
    const requests: StandIn["requests"] = [];
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
        req.on("end", () => {
            requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
            const answer = handler(requests.length);
            if (answer === "hang") {
                return; // never answers: the client's timeout must fire
            }
            res.writeHead(answer.status, { "content-type": "application/json" });
            res.end(answer.body);
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}/generate/description`,
        requests,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

/** A port on 127.0.0.1 nothing listens on. */
async function closedPortUrl(): Promise<string> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return `http://127.0.0.1:${port}/generate/description`;
}

interface ScriptResult {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
    /** What the script left in its termination log: what `pulumi up` shows for a failed Job. */
    readonly terminationMessage: string;
    /** The seconds of each pause the script asked for, in order. */
    readonly pauses: number[];
}

const CLIENT_ID = "0d7c6b1a-1111-4222-8333-444455556666";

/**
 * Runs components/smokeTest.sh (the file the Job embeds) with short budgets, asynchronously. Its clock is a file that
 * only its pauses advance, and a pause returns at once: the attempts and the seconds in its messages are the same on
 * a busy machine as on an idle one. Only curl's own request timeout is real time.
 */
async function runScript(shell: Shell, url: string, env: Record<string, string> = {}): Promise<ScriptResult> {
    const dir = mkdtempSync(path.join(tmpdir(), "aks-openai-wi-smoke-"));
    const terminationLog = path.join(dir, "termination-log");
    const now = path.join(dir, "now");
    const pauses = path.join(dir, "pauses");
    writeFileSync(now, "0\n");
    writeFileSync(pauses, "");
    // Shell builtins only, so the clock works under BusyBox with its applets first on PATH.
    writeFileSync(path.join(dir, "clock"), `read t < '${now}'; printf '%s\\n' "$t"\n`);
    writeFileSync(
        path.join(dir, "pause"),
        `read t < '${now}'; printf '%s\\n' "$((t + $1))" > '${now}'; printf '%s\\n' "$1" >> '${pauses}'\n`,
    );
    const child = spawn(shell.command, [SMOKE_TEST_SCRIPT_PATH], {
        env: {
            PATH: shell.pathPrefix ? `${shell.pathPrefix}:${process.env.PATH ?? ""}` : (process.env.PATH ?? ""),
            SMOKE_URL: url,
            SMOKE_RETRY_FOR_SECONDS: "2",
            SMOKE_REQUEST_TIMEOUT_SECONDS: "5",
            SMOKE_BACKOFF_INITIAL_SECONDS: "1",
            SMOKE_BACKOFF_MAX_SECONDS: "1",
            SMOKE_GIVE_UP_AFTER: "3",
            SMOKE_NAMESPACE: "store",
            SMOKE_IDENTITY_CLIENT_ID: CLIENT_ID,
            SMOKE_OPENAI_DEPLOYMENT: "gpt-4o-mini",
            SMOKE_OPENAI_ENDPOINT: "https://store-openai.openai.azure.com/",
            SMOKE_TERMINATION_LOG: terminationLog,
            SMOKE_CLOCK: `${shell.command} ${path.join(dir, "clock")}`,
            SMOKE_SLEEP: `${shell.command} ${path.join(dir, "pause")}`,
            ...env,
        },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    const terminationMessage = existsSync(terminationLog) ? readFileSync(terminationLog, "utf8") : "";
    const paused = readFileSync(pauses, "utf8").split("\n").filter(Boolean).map(Number);
    rmSync(dir, { recursive: true, force: true });
    return { code, stdout, stderr, terminationMessage, pauses: paused };
}

/** ai-service 2.2.0 wraps every failure as HTTP 500 {"detail": "Error generating description: <str(e)>"}. */
function aiServiceError(message: string): { status: number; body: string } {
    return { status: 500, body: JSON.stringify({ detail: `Error generating description: ${message}` }) };
}

const AADSTS = (code: string) =>
    aiServiceError(
        "DefaultAzureCredential failed to retrieve a token from the included credentials.\nAttempted credentials:\n" +
            `\tEnvironmentCredential: ClientAssertionCredential authentication failed: ${code}: ` +
            "No matching federated identity record found for presented assertion subject " +
            "'system:serviceaccount:store:ai-service-account'. Trace ID: 0000",
    );
const PERMISSION_DENIED = aiServiceError(
    "Error code: 401 - {'error': {'code': 'PermissionDenied', 'message': 'The principal `9f3c` lacks the required " +
        "data action `Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action` to perform " +
        "`POST /openai/deployments/{deployment-id}/chat/completions` operation.'}}",
);
const DESCRIPTION = {
    status: 200,
    body: JSON.stringify({ description: 'Tug of war, "reimagined": a rope built for jaws and joy.' }),
};

for (const shell of shells()) {
    // Every case is declared even when the shell is missing, so the count shows them as skipped with the reason.
    const it = (name: string, fn: () => Promise<void>) => test(name, { skip: shell.skip }, fn);
    describe(`smokeTest.sh under ${shell.name}, against a local ai-service`, { concurrency: true }, () => {
        const servers: StandIn[] = [];
        const start = async (handler: (attempt: number) => ReturnType<Handler>) => {
            const server = await startAiService(handler);
            servers.push(server);
            return server;
        };
        after(async () => {
            await Promise.all(servers.map((server) => server.close()));
        });

        it("passes on HTTP 200 with a description, and says so in the termination message", async () => {
            const server = await start(() => DESCRIPTION);
            const result = await runScript(shell, server.url);
            assert.equal(result.code, 0, result.stdout);
            assert.match(
                result.terminationMessage,
                /^PASS: ai-service generated a description through Azure OpenAI \(attempt 1, 0s\): "Tug of war, \\"reimagined\\": a rope built for jaws and joy\."\n$/,
            );
        });

        it("posts a product as JSON to /generate/description", async () => {
            const server = await start(() => DESCRIPTION);
            await runScript(shell, server.url);
            assert.equal(server.requests.length, 1);
            const [request] = server.requests;
            assert.equal(request.method, "POST");
            assert.equal(request.url, "/generate/description");
            assert.equal(request.headers["content-type"], "application/json");
            assert.deepEqual(JSON.parse(request.body), { name: "Smoke Test Tug Rope", tags: ["toy", "dog"] });
        });

        it("retries through a federated credential that has not propagated yet, then passes", async () => {
            const server = await start((attempt) => (attempt === 1 ? AADSTS("AADSTS70021") : DESCRIPTION));
            const result = await runScript(shell, server.url, { SMOKE_RETRY_FOR_SECONDS: "30" });
            assert.equal(result.code, 0, result.stdout);
            assert.match(result.stdout, /^attempt 1 \(0s\): Entra ID found no federated credential matching/m);
            assert.match(result.terminationMessage, /^PASS: .*\(attempt 2, 1s\)/);
        });

        it("fails on an empty description", async () => {
            const server = await start(() => ({ status: 200, body: '{"description": ""}' }));
            const result = await runScript(shell, server.url);
            assert.equal(result.code, 1);
            assert.match(result.terminationMessage, /^FAIL: ai-service answered 200 without a non-empty description\./);
        });

        it("names a role that is not effective yet when OpenAI answers 401 PermissionDenied", async () => {
            const server = await start(() => PERMISSION_DENIED);
            const result = await runScript(shell, server.url);
            assert.equal(result.code, 1);
            const lines = result.terminationMessage.split("\n");
            assert.equal(
                lines[0],
                "FAIL: Azure OpenAI accepted the token but denied the call (PermissionDenied): the role assignment " +
                    "is not effective yet (up to ~10 minutes), or it is on another scope or principal.",
            );
            assert.match(lines[1], new RegExp(`^Fix: az role assignment list --assignee ${CLIENT_ID} --all -o table`));
            assert.match(lines[2], /^Still failing after 3 attempts in 2s \(smokeTest\.retryForSeconds = 2\)\.$/);
            assert.match(lines[3], /^Last response: HTTP 500: .*PermissionDenied/);
        });

        it("names the role or the token's tenant/audience on a bare 401", async () => {
            const server = await start(() => ({ status: 401, body: '{"detail": "Unauthorized"}' }));
            const result = await runScript(shell, server.url);
            assert.equal(result.code, 1);
            assert.match(
                result.terminationMessage,
                /^FAIL: Azure OpenAI rejected the token \(401\): the role is not effective yet, or the token is for another tenant or audience\./,
            );
        });

        it("tells a call blocked by the account's network rules from a role problem", async () => {
            const server = await start(() =>
                aiServiceError(
                    "Error code: 403 - {'error': {'code': '403', 'message': 'Access denied due to Virtual Network/Firewall rules.'}}",
                ),
            );
            const result = await runScript(shell, server.url);
            assert.equal(result.code, 1);
            const lines = result.terminationMessage.split("\n");
            assert.equal(
                lines[0],
                "FAIL: Azure OpenAI's network rules blocked the call (403 Access denied due to Virtual Network/Firewall " +
                    "rules): the cluster's egress address is not one the account admits.",
            );
            assert.match(
                lines[1],
                /^Fix: add the cluster's egress address \(az aks show .*\) to openai\.allowedIpRanges, or reach the account privately \(openai\.network private\)$/,
            );
            assert.equal(lines[2], "Gave up after 3 attempts in 2s: waiting does not fix this.");
        });

        it("tells a name that resolves to the public address while public access is off", async () => {
            const server = await start(() =>
                aiServiceError(
                    "Error code: 403 - {'error': {'code': '403', 'message': 'Public access is disabled. Please configure private endpoint.'}}",
                ),
            );
            const result = await runScript(shell, server.url);
            assert.equal(result.code, 1);
            const lines = result.terminationMessage.split("\n");
            assert.equal(
                lines[0],
                "FAIL: Azure OpenAI refused a call that reached it over the internet (403 Public access is disabled): " +
                    "inside the cluster store-openai.openai.azure.com resolves to the account's public address, and the " +
                    "account's public network access is off.",
            );
            assert.match(
                lines[1],
                /^Fix: nslookup store-openai\.openai\.azure\.com in a pod must answer a private address: .*privatelink\.openai\.azure\.com, that zone linked to the cluster's virtual network/,
            );
            assert.equal(lines[2], "Gave up after 3 attempts in 2s: waiting does not fix this.");
        });

        it("names the role's scope on a 403", async () => {
            const server = await start(() => ({ status: 403, body: '{"detail": "Forbidden"}' }));
            const result = await runScript(shell, server.url);
            assert.equal(result.code, 1);
            assert.match(
                result.terminationMessage,
                /^FAIL: Azure OpenAI forbade the call \(403\): the role assignment is not effective yet, or it is on the wrong scope\.\nFix: az role assignment list --assignee /,
            );
        });

        for (const code of ["AADSTS70021", "AADSTS700211", "AADSTS700212", "AADSTS700213"]) {
            it(`names a federation mismatch or propagation delay on ${code}`, async () => {
                const server = await start(() => AADSTS(code));
                const result = await runScript(shell, server.url);
                assert.equal(result.code, 1);
                const [first, fix] = result.terminationMessage.split("\n");
                assert.equal(
                    first,
                    `FAIL: Entra ID found no federated credential matching the pod's token (${code}): issuer, ` +
                        "subject or audience differ, or a new credential has not propagated yet (a minute or two).",
                );
                assert.match(fix, /^Fix: npm run verify -- --stack <stack>/);
                assert.match(fix, /subject system:serviceaccount:store:<serviceaccount>/);
            });
        }

        it("names a stale token on AADSTS700024 and says to restart the pods", async () => {
            const server = await start(() =>
                aiServiceError("AADSTS700024: Client assertion is not within its valid time range."),
            );
            const result = await runScript(shell, server.url);
            assert.equal(result.code, 1);
            assert.match(
                result.terminationMessage,
                /^FAIL: Entra ID rejected an expired service-account token \(AADSTS700024\).*\nFix: kubectl rollout restart deployment\/ai-service -n store/,
            );
        });

        it("passes any other AADSTS code through with its lookup link", async () => {
            const server = await start(() => aiServiceError("AADSTS7000215: Invalid client secret provided."));
            const result = await runScript(shell, server.url);
            assert.equal(result.code, 1);
            assert.match(
                result.terminationMessage,
                /^FAIL: Entra ID refused the token exchange \(AADSTS7000215\)\.\nFix: look the code up at https:\/\/login\.microsoftonline\.com\/error\?code=7000215/,
            );
        });

        it("gives up early, without waiting out the budget, when the webhook injected no identity", async () => {
            const server = await start(() =>
                aiServiceError(
                    "DefaultAzureCredential failed to retrieve a token from the included credentials.\n" +
                        "\tEnvironmentCredential: EnvironmentCredential authentication unavailable. Environment variables are not fully configured.",
                ),
            );
            const result = await runScript(shell, server.url, { SMOKE_RETRY_FOR_SECONDS: "600" });
            assert.equal(result.code, 1);
            assert.match(result.terminationMessage, /^FAIL: ai-service found no workload identity credential/);
            assert.match(result.terminationMessage, /\nGave up after 3 attempts in 2s: waiting does not fix this\.\n/);
            assert.equal(server.requests.length, 3);
        });

        it("gives up early on a route ai-service does not have (404)", async () => {
            const server = await start(() => ({ status: 404, body: '{"detail":"Not Found"}' }));
            const result = await runScript(shell, server.url, { SMOKE_RETRY_FOR_SECONDS: "600" });
            assert.equal(result.code, 1);
            assert.match(
                result.terminationMessage,
                /^FAIL: ai-service has no POST \/generate\/description \(HTTP 404\)/,
            );
            assert.equal(server.requests.length, 3);
        });

        it("names a timeout when ai-service never answers", async () => {
            const server = await start(() => "hang");
            const result = await runScript(shell, server.url, {
                SMOKE_REQUEST_TIMEOUT_SECONDS: "1",
                SMOKE_RETRY_FOR_SECONDS: "1",
            });
            assert.equal(result.code, 1);
            assert.match(
                result.terminationMessage,
                /^FAIL: no answer from ai-service within 1s \(timeout\): it is hung, or its call to Azure OpenAI cannot get out/,
            );
            assert.match(result.terminationMessage, /\nLast response: curl: \(28\) /);
            assert.match(result.terminationMessage, /\nStill failing after 2 attempts in 1s /);
        });

        it("names a refused connection: no ready pod behind the Service", async () => {
            const result = await runScript(shell, await closedPortUrl());
            assert.equal(result.code, 1);
            assert.match(
                result.terminationMessage,
                /^FAIL: cannot connect to http:\/\/127\.0\.0\.1:\d+\/generate\/description: no ready ai-service pod behind the Service yet \(connection refused\)\.\nFix: kubectl get pods -l app=ai-service -n store/,
            );
        });

        it("keeps the termination message under the kubelet's 4 KiB however long the response", async () => {
            const server = await start(() => aiServiceError("AADSTS70021: " + "x".repeat(20000)));
            const result = await runScript(shell, server.url);
            assert.equal(result.code, 1);
            assert.ok(Buffer.byteLength(result.terminationMessage) <= 4096, `${result.terminationMessage.length}`);
        });

        it("logs one line per attempt, with the JSON body's escapes kept as they are", async () => {
            const server = await start(() => AADSTS("AADSTS70021"));
            const result = await runScript(shell, server.url);
            const attempts = result.stdout.split("\n").filter((line) => line.startsWith("attempt "));
            assert.equal(attempts.length, 3, result.stdout);
            for (const line of attempts) {
                assert.ok(
                    line.includes(
                        '[HTTP 500: {"detail":"Error generating description: DefaultAzureCredential failed ' +
                            "to retrieve a token from the included credentials.\\nAttempted credentials:\\n\\tEnvironmentCredential",
                    ),
                    line,
                );
            }
        });

        it("backs off from the initial pause, doubling up to the maximum, and ends on the budget (the Job's defaults)", async () => {
            const server = await start(() => PERMISSION_DENIED);
            const result = await runScript(shell, server.url, {
                SMOKE_RETRY_FOR_SECONDS: "720",
                SMOKE_BACKOFF_INITIAL_SECONDS: "5",
                SMOKE_BACKOFF_MAX_SECONDS: "60",
            });
            assert.equal(result.code, 1);
            assert.deepEqual(result.pauses, [5, 10, 20, 40, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 45]);
            assert.equal(server.requests.length, 16);
            assert.match(result.stdout, /^attempt 16 \(720s\): Azure OpenAI accepted the token but denied the call/m);
            assert.match(result.stdout, /^ {2}retrying in 45s$/m);
            assert.match(
                result.terminationMessage,
                /\nStill failing after 16 attempts in 720s \(smokeTest\.retryForSeconds = 720\)\.\n/,
            );
        });

        it("refuses to run without a URL (exit 2)", async () => {
            const result = await runScript(shell, "");
            assert.equal(result.code, 2);
            assert.match(result.stderr, /SMOKE_URL is empty/);
        });
    });
}
