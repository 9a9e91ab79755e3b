import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { callPathFor, type NetworkPolicyView } from "../tools/verify/callPath";
import { CALL_PRODUCT, runChecks, TITLES } from "../tools/verify/checks";
import { KubernetesApi, loadKubeConfig, type PodWait } from "../tools/verify/kube";
import { parseOutputs } from "../tools/verify/outputs";
import { KubeStandin, type JsonObject } from "./support/kubeStandin";
import { createTestTls } from "./support/tls";
import { aiServiceNetworkPolicy, fakeArm, fakeKube, healthyScenario } from "./support/verifyFixtures";

/**
 * `npm run verify -- --call` when ai-service's NetworkPolicy is on: the API server's service proxy is no admitted peer,
 * so verify sends the request from a short-lived pod with the smoke test's labels when the policy admits them, and
 * skips the call with the reason when it does not.
 */

/** Stated here, not imported: the labels the stack gives the smoke test's pods (components/constants.ts). */
const SMOKE_LABELS = { app: "ai-service-smoke-test" };
const AI_SERVICE = { app: "ai-service" };
const DESCRIPTION = "Built for tug-of-war champions and nap-time heroes alike.";

describe("the path verify's call takes", () => {
    it("no NetworkPolicy: the service proxy", () => {
        assert.deepEqual(callPathFor([], AI_SERVICE, SMOKE_LABELS), { kind: "service-proxy" });
    });

    it("a policy on other pods only: the service proxy", () => {
        const other: NetworkPolicyView = { ...aiServiceNetworkPolicy(false), name: "db", podSelector: { app: "db" } };
        assert.deepEqual(callPathFor([other], AI_SERVICE, SMOKE_LABELS), { kind: "service-proxy" });
    });

    it("an egress-only policy: the service proxy", () => {
        const egress: NetworkPolicyView = { ...aiServiceNetworkPolicy(false), policyTypes: ["Egress"] };
        assert.deepEqual(callPathFor([egress], AI_SERVICE, SMOKE_LABELS), { kind: "service-proxy" });
    });

    it("a rule without `from` (every source): the service proxy", () => {
        const open: NetworkPolicyView = { ...aiServiceNetworkPolicy(false), ingress: [{ from: undefined }] };
        assert.deepEqual(callPathFor([open], AI_SERVICE, SMOKE_LABELS), { kind: "service-proxy" });
    });

    it("the stack's policy with the smoke test on: a pod with the smoke test's labels", () => {
        assert.deepEqual(callPathFor([aiServiceNetworkPolicy(true)], AI_SERVICE, SMOKE_LABELS), {
            kind: "caller-pod",
            labels: SMOKE_LABELS,
            policies: ["ai-service"],
        });
    });

    it("the stack's policy with the smoke test off: skipped, saying who is admitted and how to call", () => {
        assert.deepEqual(callPathFor([aiServiceNetworkPolicy(false)], AI_SERVICE, SMOKE_LABELS), {
            kind: "skip",
            reason:
                "NetworkPolicy ai-service admits only pods app=product-service to ai-service; the API server's service " +
                "proxy is not an admitted peer, and verify does not borrow another workload's labels",
            fix:
                "set aks-openai-wi:smokeTest.enabled to true and pulumi up (the policy then admits " +
                "app=ai-service-smoke-test, the labels of verify's caller pod), or send the request from an admitted pod",
        });
    });

    it("the smoke test's labels admitted only from another namespace: skipped (the caller pod runs in ai-service's)", () => {
        const elsewhere: NetworkPolicyView = {
            ...aiServiceNetworkPolicy(false),
            ingress: [{ from: [{ podSelector: SMOKE_LABELS, namespaceSelector: true }] }],
        };
        assert.equal(callPathFor([elsewhere], AI_SERVICE, SMOKE_LABELS).kind, "skip");
    });

    it("a deny-all policy: skipped, admitting no one", () => {
        const denyAll: NetworkPolicyView = { ...aiServiceNetworkPolicy(false), ingress: [] };
        const path = callPathFor([denyAll], AI_SERVICE, SMOKE_LABELS);
        assert.ok(path.kind === "skip");
        assert.match(path.reason, /^NetworkPolicy ai-service admits no one to ai-service;/);
    });
});

describe("verify --call with ai-service's NetworkPolicy on", () => {
    async function callResult(admitSmokeTest: boolean) {
        const scenario = healthyScenario();
        scenario.networkPolicies = [aiServiceNetworkPolicy(admitSmokeTest)];
        const kube = fakeKube(scenario);
        const results = await runChecks(parseOutputs(scenario.outputs, "t"), kube, fakeArm(scenario), { call: true });
        return { kube, result: results.find((result) => result.title === TITLES.call) };
    }

    it("the smoke test admitted: the call goes from a caller pod to the Service's cluster URL, and passes", async () => {
        const { kube, result } = await callResult(true);
        assert.deepEqual(result, {
            title: TITLES.call,
            status: "pass",
            details: [
                `"${DESCRIPTION}"`,
                "sent from a pod labelled app=ai-service-smoke-test (NetworkPolicy ai-service admits it, not the service proxy)",
            ],
        });
        assert.deepEqual(kube.fromPods, [
            {
                namespace: "default",
                labels: SMOKE_LABELS,
                url: "http://ai-service.default:5001/generate/description",
                body: CALL_PRODUCT,
            },
        ]);
        assert.deepEqual(kube.posted, [], "nothing through the service proxy, which the policy would drop");
    });

    it("the smoke test not admitted: the call is skipped with the reason and the fix, nothing is sent", async () => {
        const { kube, result } = await callResult(false);
        assert.equal(result?.status, "skip");
        assert.match(result?.details[0] ?? "", /the API server's service proxy is not an admitted peer/);
        assert.match(result?.fix ?? "", /^set aks-openai-wi:smokeTest\.enabled to true/);
        assert.deepEqual([kube.posted, kube.fromPods], [[], []]);
    });
});

describe("verify's caller pod through @kubernetes/client-node, against the Kubernetes API stand-in", () => {
    const tls = createTestTls();
    let kube: KubeStandin;
    let outcome: { pendingReads: number; phase: string; log: string };
    const sleeps: number[] = [];
    /** No real waiting: the stand-in plays the kubelet, and each poll is counted. */
    const wait: PodWait = {
        sleep: (ms) => {
            sleeps.push(ms);
            return Promise.resolve();
        },
        intervalMs: 2000,
        maxPolls: 5,
    };

    before(async () => {
        kube = await KubeStandin.start(tls, {
            pods: {},
            configMaps: {},
            secrets: {},
            networkPolicies: {
                default: [
                    {
                        apiVersion: "networking.k8s.io/v1",
                        kind: "NetworkPolicy",
                        metadata: { name: "ai-service", namespace: "default" },
                        spec: {
                            podSelector: { matchLabels: { app: "ai-service" } },
                            policyTypes: ["Ingress"],
                            ingress: [
                                {
                                    from: [
                                        { podSelector: { matchLabels: { app: "product-service" } } },
                                        {
                                            podSelector: { matchLabels: SMOKE_LABELS },
                                            namespaceSelector: {
                                                matchLabels: { "kubernetes.io/metadata.name": "tools" },
                                            },
                                        },
                                    ],
                                    ports: [{ protocol: "TCP", port: 5001 }],
                                },
                            ],
                        },
                    },
                ],
            },
            runPod: () => outcome,
        });
    });
    after(() => kube.close());

    function api(): KubernetesApi {
        return new KubernetesApi(loadKubeConfig({ fromOutputs: kube.kubeconfig() }), wait);
    }

    it("reads NetworkPolicies into what callPathFor judges", async () => {
        assert.deepEqual(await api().listNetworkPolicies("default"), [
            {
                name: "ai-service",
                podSelector: { app: "ai-service" },
                podSelectorHasExpressions: false,
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [
                            { podSelector: { app: "product-service" } },
                            { podSelector: SMOKE_LABELS, namespaceSelector: true },
                        ],
                    },
                ],
            },
        ]);
    });

    it("runs curl in a hardened pod with the caller labels, reads the answer from its log, deletes the pod", async () => {
        outcome = { pendingReads: 2, phase: "Succeeded", log: `{"description":"${DESCRIPTION}"}\n200` };
        sleeps.length = 0;
        const answer = await api().postFromPod(
            "default",
            SMOKE_LABELS,
            "http://ai-service.default:5001/generate/description",
            CALL_PRODUCT,
        );
        assert.deepEqual(answer, { status: 200, body: `{"description":"${DESCRIPTION}"}` });
        assert.deepEqual(sleeps, [2000, 2000], "two polls found it Pending");
        const pod = kube.createdPods.at(-1)!;
        assert.equal(pod.deleted, true);
        const spec = pod.manifest.spec as JsonObject & { containers: JsonObject[] };
        assert.deepEqual((pod.manifest.metadata as JsonObject).labels, SMOKE_LABELS);
        assert.deepEqual(
            {
                restartPolicy: spec.restartPolicy,
                automountServiceAccountToken: spec.automountServiceAccountToken,
                securityContext: spec.securityContext,
                image: spec.containers[0].image,
                command: spec.containers[0].command,
                containerSecurity: spec.containers[0].securityContext,
            },
            {
                restartPolicy: "Never",
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, runAsUser: 100, seccompProfile: { type: "RuntimeDefault" } },
                image: "curlimages/curl:8.12.1",
                command: [
                    "curl",
                    "-sS",
                    "-m",
                    "60",
                    "-X",
                    "POST",
                    "-H",
                    "content-type: application/json",
                    "--data-binary",
                    JSON.stringify(CALL_PRODUCT),
                    "-w",
                    "\n%{http_code}",
                    "http://ai-service.default:5001/generate/description",
                ],
                containerSecurity: {
                    allowPrivilegeEscalation: false,
                    capabilities: { drop: ["ALL"] },
                    privileged: false,
                    readOnlyRootFilesystem: true,
                },
            },
        );
    });

    it("curl got no answer (a policy dropping it times out): the error quotes curl, and the pod is deleted", async () => {
        outcome = {
            pendingReads: 0,
            phase: "Failed",
            log: "curl: (28) Connection timed out after 60002 milliseconds\n000",
        };
        await assert.rejects(api().postFromPod("default", SMOKE_LABELS, "http://ai-service.default:5001/x", {}), {
            message: "no HTTP answer from ai-service: curl: (28) Connection timed out after 60002 milliseconds",
        });
        assert.equal(kube.createdPods.at(-1)!.deleted, true);
    });

    it("a pod that never finishes: gives up after maxPolls checks, says how to look, and deletes the pod", async () => {
        outcome = { pendingReads: 100, phase: "Succeeded", log: "" };
        sleeps.length = 0;
        const pending = api().postFromPod("default", SMOKE_LABELS, "http://ai-service.default:5001/x", {});
        await assert.rejects(pending, (error: Error) => {
            const name = kube.createdPods.at(-1)!.name;
            assert.equal(
                error.message,
                `pod default/${name} did not finish after 5 checks (10s); kubectl describe pod ${name} -n default`,
            );
            return true;
        });
        assert.equal(sleeps.length, 5);
        assert.equal(kube.createdPods.at(-1)!.deleted, true);
    });
});
