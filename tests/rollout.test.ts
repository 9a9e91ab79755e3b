import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ingressPeers } from "../components/aiService";
import { identityHash } from "../components/naming";
import {
    at,
    ofType,
    runProgram,
    single,
    stackConfig,
    type ProgramRun,
    type RegisteredResource,
} from "./support/program";
import { seedWorld, TEST_ADMIN_GROUP_ID } from "./support/world";
import { shippedRun } from "./support/shippedStacks";

/**
 * Rollout safety and pod hardening of ai-service, as registered: what the Deployment waits for, when its pods roll,
 * how they roll, what protects them from voluntary disruptions, and what they may do.
 */

const GREENFIELD = {
    "azure-native:location": "eastus",
    "aks-openai-wi:resourceGroupName": "rg-store",
    "aks-openai-wi:cluster": { mode: "managed", adminGroupObjectIds: [TEST_ADMIN_GROUP_ID] },
    "aks-openai-wi:openai": { mode: "managed", accountName: "store-openai" },
};

function withAiService(config: Record<string, unknown>, aiService: Record<string, unknown>): Record<string, unknown> {
    const existing = (config["aks-openai-wi:aiService"] as Record<string, unknown> | undefined) ?? {};
    return { ...config, "aks-openai-wi:aiService": { ...existing, ...aiService } };
}

function deploymentOf(run: ProgramRun): RegisteredResource {
    return single(run.resources, "kubernetes:apps/v1:Deployment");
}

const podSpec = (run: ProgramRun) => at(deploymentOf(run).inputs, "spec.template.spec") as Record<string, unknown>;
const container = (run: ProgramRun) => (podSpec(run).containers as Record<string, unknown>[])[0];
const hashOf = (run: ProgramRun) =>
    (at(deploymentOf(run).inputs, "spec.template.metadata.annotations") as Record<string, string>)[
        "aks-openai-wi/identity-hash"
    ];

/** The seed configuration's run (Pulumi.dev.yaml), shared by the tests that only read it. */
const seed = () => shippedRun("dev");

describe("the Deployment starts only when its pods can get and use a token", () => {
    function waitsFor(run: ProgramRun, type: string): boolean {
        return ofType(run.resources, type).every((r) => deploymentOf(run).dependencies.includes(r.urn));
    }

    for (const [label, config, cluster] of [
        ["an existing cluster", stackConfig("dev"), "pulumi-nodejs:dynamic/aks:WorkloadIdentityFeatures"],
        ["a managed cluster", GREENFIELD, "azure-native:containerservice:ManagedCluster"],
    ] as const) {
        it(`waits for the ServiceAccount, its credential, the role assignment and the webhook on ${label}`, async () => {
            const run = await runProgram({ config, stack: "dev" });
            for (const type of [
                "kubernetes:core/v1:ServiceAccount",
                "azure-native:managedidentity:FederatedIdentityCredential",
                "azure-native:authorization:RoleAssignment",
                cluster,
            ]) {
                assert.equal(ofType(run.resources, type).length, 1, type);
                assert.ok(waitsFor(run, type), `the Deployment does not wait for ${type}`);
            }
        });
    }
});

describe("the identity hash on the pod template rolls the pods when, and only when, the client id changes", () => {
    it("is the hash of the identity's client id", async () => {
        const run = await seed();
        const clientId = single(run.resources, "azure-native:managedidentity:UserAssignedIdentity").state.clientId;
        assert.equal(hashOf(run), identityHash(String(clientId)));
    });

    it("changes with another identity (another client id)", async () => {
        const other = { ...stackConfig("dev"), "aks-openai-wi:identity": { name: "myOtherIdentity" } };
        assert.notEqual(hashOf(await runProgram({ config: other, stack: "dev" })), hashOf(await seed()));
    });

    it("stays the same when anything else changes: image, replicas, API version, tenant", async () => {
        const changed = withAiService(stackConfig("dev"), {
            image: "ghcr.io/azure-samples/aks-store-demo/ai-service:2.1.0",
            replicas: 3,
        });
        changed["aks-openai-wi:openai"] = {
            ...(changed["aks-openai-wi:openai"] as object),
            apiVersion: "2024-10-21",
        };
        const otherTenant = { ...seedWorld(), tenantId: "0d3f1a2b-0000-4000-8000-00000000bbbb" };
        const run = await runProgram({ config: changed, stack: "dev", world: otherTenant });
        assert.equal(
            at(deploymentOf(run).inputs, "spec.template.spec.containers.0.image"),
            "ghcr.io/azure-samples/aks-store-demo/ai-service:2.1.0",
        );
        assert.equal(hashOf(run), hashOf(await seed()));
    });
});

describe("rollouts never leave zero ready pods", () => {
    it("start a new pod before stopping an old one", async () => {
        assert.deepEqual(at(deploymentOf(await seed()).inputs, "spec.strategy"), {
            type: "RollingUpdate",
            rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
        });
    });

    it("have no PodDisruptionBudget with one replica (it would block every node drain)", async () => {
        assert.deepEqual(ofType((await seed()).resources, "kubernetes:policy/v1:PodDisruptionBudget"), []);
    });

    it("keep at least one pod through node drains with more than one replica", async () => {
        const run = await runProgram({ config: withAiService(stackConfig("dev"), { replicas: 2 }), stack: "dev" });
        const budget = single(run.resources, "kubernetes:policy/v1:PodDisruptionBudget");
        assert.deepEqual(at(budget.inputs, "metadata.namespace"), "default");
        assert.deepEqual(at(budget.inputs, "spec"), {
            minAvailable: 1,
            selector: { matchLabels: { app: "ai-service" } },
        });
    });
});

describe("hardened pods", () => {
    it("mount no Kubernetes API token (workload identity projects its own)", async () => {
        assert.equal(podSpec(await seed()).automountServiceAccountToken, false);
    });

    it("run with the runtime's default seccomp profile, and as the image's user unless a UID is configured", async () => {
        assert.deepEqual(podSpec(await seed()).securityContext, { seccompProfile: { type: "RuntimeDefault" } });
    });

    it("cannot escalate privileges and hold no capabilities", async () => {
        assert.deepEqual(container(await seed()).securityContext, {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
        });
    });

    it("run as the configured non-root UID, with runAsNonRoot", async () => {
        const run = await runProgram({ config: withAiService(stackConfig("dev"), { runAsUser: 10001 }), stack: "dev" });
        assert.deepEqual(podSpec(run).securityContext, {
            seccompProfile: { type: "RuntimeDefault" },
            runAsNonRoot: true,
            runAsUser: 10001,
        });
    });
});

describe("the optional NetworkPolicy", () => {
    it("is not created by default (it needs a network policy engine on the cluster)", async () => {
        assert.deepEqual(ofType((await seed()).resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy"), []);
    });

    it("admits ingress to ai-service's port only from product-service pods in its namespace", async () => {
        const config = {
            ...withAiService(stackConfig("dev"), { networkPolicy: { enabled: true } }),
            "aks-openai-wi:smokeTest": { enabled: false },
        };
        const run = await runProgram({ config, stack: "dev" });
        const policy = single(run.resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy");
        assert.equal(at(policy.inputs, "metadata.namespace"), "default");
        assert.deepEqual(at(policy.inputs, "spec"), {
            podSelector: { matchLabels: { app: "ai-service" } },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [{ podSelector: { matchLabels: { app: "product-service" } } }],
                    ports: [{ protocol: "TCP", port: 5001 }],
                },
            ],
        });
    });

    it("can admit further callers, in other namespaces too", () => {
        assert.deepEqual(
            ingressPeers([
                { podLabels: { app: "product-service" } },
                { podLabels: { job: "smoke" }, namespace: "ops" },
            ]),
            [
                { podSelector: { matchLabels: { app: "product-service" } } },
                {
                    podSelector: { matchLabels: { job: "smoke" } },
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ops" } },
                },
            ],
        );
    });
});
