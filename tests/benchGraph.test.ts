import assert from "node:assert/strict";
import { before, describe, it } from "node:test";

import type { GraphResource } from "../bench/child/protocol";
import { criticalPath } from "../bench/criticalPath";
import { deploymentGraph } from "../bench/deploymentGraph";
import { runProgram, stackConfig } from "../tools/engine/runProgram";
import { PlanMocks } from "../tools/plan/planMocks";

/**
 * `npm run bench`, section 3: the deployment as a graph of timed tasks, built from the registrations the program
 * makes, with every edge saying why it is there.
 */

const PREFIX = "urn:pulumi:dev::aks-openai-wi::";

function resource(
    type: string,
    name: string,
    options: Partial<Omit<GraphResource, "urn" | "type" | "name">> = {},
): GraphResource {
    return {
        urn: `${PREFIX}${type}::${name}`,
        type,
        name,
        custom: true,
        parent: "",
        dependencies: [],
        propertyDependencies: {},
        provider: "",
        ...options,
    };
}

const identity = resource("azure-native:managedidentity:UserAssignedIdentity", "identity");
const features = resource("pulumi-nodejs:dynamic/aks:WorkloadIdentityFeatures", "features");
const provider = resource("pulumi:providers:kubernetes", "aks");
const viaProvider = `${provider.urn}::provider-id`;
const app = resource("aks-openai-wi:app:AiService", "ai-service", { custom: false });
const serviceAccount = resource("kubernetes:core/v1:ServiceAccount", "sa", {
    dependencies: [identity.urn],
    propertyDependencies: { metadata: [identity.urn] },
    provider: viaProvider,
});
const role = resource("azure-native:authorization:RoleAssignment", "role", {
    dependencies: [identity.urn],
    propertyDependencies: { principalId: [identity.urn] },
});
const credential = resource("azure-native:managedidentity:FederatedIdentityCredential", "fic", {
    dependencies: [features.urn, identity.urn, serviceAccount.urn],
    propertyDependencies: { issuer: [features.urn], resourceName: [identity.urn], subject: [serviceAccount.urn] },
});
const deployment = resource("kubernetes:apps/v1:Deployment", "deployment", {
    parent: app.urn,
    dependencies: [serviceAccount.urn, credential.urn, role.urn, features.urn],
    propertyDependencies: { spec: [serviceAccount.urn] },
    provider: viaProvider,
});
const service = resource("kubernetes:core/v1:Service", "service", { parent: app.urn, provider: viaProvider });

const RESOURCES = [identity, features, provider, app, serviceAccount, role, credential, deployment, service];

describe("deploymentGraph", () => {
    const graph = deploymentGraph(RESOURCES);
    const edge = (from: string, to: string) => graph.edges.find((e) => e.from === from && e.to === to);

    it("makes a task of every custom resource, weighted by what its create waits for", () => {
        assert.deepEqual(
            graph.tasks.filter((t) => t.type !== "effect" && t.type !== "request").map((t) => [t.id, t.seconds]),
            [
                ["identity", 10],
                ["features", 300],
                ["aks", 2],
                ["sa", 1],
                ["role", 5],
                ["fic", 5],
                // apply 1 + pod start 5 + image pull 30 + startup probe delay 20 + readiness period 10
                ["deployment", 66],
                // apply 1 + the Service await's 10 s for stragglers
                ["service", 11],
            ],
        );
    });

    it("calls an edge data when an input of the dependent comes from the dependency", () => {
        assert.deepEqual(edge("fic", "sa"), {
            from: "fic",
            to: "sa",
            kind: "data",
            reason: "input subject comes from it",
        });
        assert.equal(edge("role", "identity")?.kind, "data");
    });

    it("calls a dependsOn-only edge ordering when its need is documented, with the need", () => {
        assert.deepEqual(edge("deployment", "fic"), {
            from: "deployment",
            to: "fic",
            kind: "ordering",
            reason: "credential before pods: a token request before the credential exists fails with AADSTS70021",
        });
        assert.equal(
            edge("deployment", "features")?.reason,
            "webhook before pods: the workload identity webhook mutates pods only when they are created",
        );
    });

    it("links Kubernetes objects to the provider they are created through", () => {
        assert.deepEqual(
            graph.edges.filter((e) => e.kind === "provider").map((e) => e.from),
            ["sa", "deployment", "service"],
        );
    });

    it("makes the Service wait for the Deployment beside it, as Pulumi's Service await does", () => {
        assert.equal(edge("service", "deployment")?.kind, "await");
    });

    it("adds the time until the role and the credential take effect, and ends at the first keyless request", () => {
        assert.deepEqual(
            graph.tasks.filter((t) => t.type === "effect").map((t) => [t.id, t.seconds]),
            [
                ["role takes effect", 600],
                ["fic accepted by Entra", 120],
            ],
        );
        assert.deepEqual(
            graph.edges.filter((e) => e.from === graph.sink).map((e) => e.to),
            ["deployment", "role takes effect", "fic accepted by Entra"],
        );
    });

    it("puts the role's propagation on the critical path of an existing cluster", () => {
        const result = criticalPath(graph.tasks, graph.edges);
        assert.deepEqual(result.path, ["identity", "role", "role takes effect", "first keyless request"]);
        assert.equal(result.total, 620);
    });

    it("reports a dependsOn without a data flow or a known need as neither", () => {
        const needless = resource("kubernetes:core/v1:ServiceAccount", "other-sa", {
            dependencies: [role.urn],
            provider: viaProvider,
        });
        const withNeedless = deploymentGraph([...RESOURCES, needless]);
        assert.deepEqual(
            withNeedless.edges.filter((e) => e.kind === "neither"),
            [
                {
                    from: "other-sa",
                    to: "role",
                    kind: "neither",
                    reason: "no input comes from it and no ordering need is known",
                },
            ],
        );
    });

    it("refuses a resource type it has no latency for, saying where to add one", () => {
        assert.throws(
            () => deploymentGraph([resource("azure-native:storage:StorageAccount", "store")]),
            /no latency known for azure-native:storage:StorageAccount \(store\); add it to RESOURCE_LATENCY in bench\/deploymentGraph.ts/,
        );
    });
});

describe("the program's own dependency graph", () => {
    const graphs: Record<string, ReturnType<typeof deploymentGraph>> = {};

    before(async () => {
        for (const stack of ["dev", "prod"]) {
            const run = await runProgram({
                config: stackConfig(stack),
                stack,
                preview: true,
                mocks: new PlanMocks(0),
            });
            graphs[stack] = deploymentGraph(run.resources);
        }
    });

    for (const stack of ["dev", "prod"]) {
        it(`has no edge without a data flow or a documented need (${stack})`, () => {
            assert.deepEqual(
                graphs[stack].edges.filter((e) => e.kind === "neither"),
                [],
            );
        });
    }

    it("waits for the role to take effect on the dev stack's critical path", () => {
        const { tasks, edges } = graphs.dev;
        assert.deepEqual(criticalPath(tasks, edges).path, [
            "workload-identity",
            "workload-openai-user",
            "workload-openai-user takes effect",
            "first keyless request",
        ]);
    });

    it("waits for the new cluster's issuer on the greenfield critical path, after its network and subnet role", () => {
        const { tasks, edges } = graphs.prod;
        assert.deepEqual(criticalPath(tasks, edges).path, [
            "cluster-network-vnet",
            "cluster-network-nodes",
            "cluster-control-plane-subnet-role",
            "cluster-aks",
            "aks",
            "workload-ns-store",
            "workload-store-ai-service-account-sa",
            "workload-primary-fic",
            "workload-primary-fic accepted by Entra",
            "first keyless request",
        ]);
    });
});
