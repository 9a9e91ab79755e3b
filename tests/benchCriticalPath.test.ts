import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { criticalPath, sequentialTimeline } from "../bench/criticalPath";
import { greenfieldProcedure, seedProcedure } from "../bench/seed";

/**
 * `npm run bench`, section 3: the longest chain of dependent tasks, and the same work run one step after another.
 * The numbers here are inputs, not measurements: the functions are pure.
 */

describe("criticalPath", () => {
    // cluster (600) -> credential (5) -> credential takes effect (120) -> request (5)
    // identity (10) -> role (5) -> role takes effect (600) -> request
    // identity -> credential
    const tasks = [
        { id: "cluster", seconds: 600 },
        { id: "identity", seconds: 10 },
        { id: "role", seconds: 5 },
        { id: "role effect", seconds: 600 },
        { id: "credential", seconds: 5 },
        { id: "credential effect", seconds: 120 },
        { id: "request", seconds: 5 },
    ];
    const dependencies = [
        { from: "role", to: "identity" },
        { from: "role effect", to: "role" },
        { from: "credential", to: "cluster" },
        { from: "credential", to: "identity" },
        { from: "credential effect", to: "credential" },
        { from: "request", to: "role effect" },
        { from: "request", to: "credential effect" },
    ];

    it("returns the longest chain of dependent tasks and its total", () => {
        const result = criticalPath(tasks, dependencies);
        assert.deepEqual(result.path, ["cluster", "credential", "credential effect", "request"]);
        assert.equal(result.total, 730);
    });

    it("starts each task when its last dependency is done", () => {
        const { finish } = criticalPath(tasks, dependencies);
        assert.deepEqual(Object.fromEntries(finish), {
            cluster: 600,
            identity: 10,
            role: 15,
            "role effect": 615,
            credential: 605,
            "credential effect": 725,
            request: 730,
        });
    });

    it("follows the heavier branch when a weight changes", () => {
        const slowerRole = tasks.map((t) => (t.id === "role effect" ? { ...t, seconds: 900 } : t));
        const result = criticalPath(slowerRole, dependencies);
        assert.deepEqual(result.path, ["identity", "role", "role effect", "request"]);
        assert.equal(result.total, 920);
    });

    it("breaks ties in the order the tasks were given", () => {
        const result = criticalPath(
            [
                { id: "a", seconds: 5 },
                { id: "b", seconds: 5 },
                { id: "c", seconds: 1 },
            ],
            [
                { from: "c", to: "a" },
                { from: "c", to: "b" },
            ],
        );
        assert.deepEqual(result.path, ["a", "c"]);
        assert.equal(result.total, 6);
    });

    it("treats independent tasks as parallel: the total is the longest one", () => {
        const result = criticalPath(
            [
                { id: "a", seconds: 3 },
                { id: "b", seconds: 7 },
            ],
            [],
        );
        assert.deepEqual(result.path, ["b"]);
        assert.equal(result.total, 7);
    });

    it("refuses a cycle, naming the tasks in it", () => {
        assert.throws(
            () =>
                criticalPath(
                    [
                        { id: "a", seconds: 1 },
                        { id: "b", seconds: 1 },
                        { id: "c", seconds: 1 },
                    ],
                    [
                        { from: "a", to: "b" },
                        { from: "b", to: "a" },
                    ],
                ),
            /criticalPath: dependency cycle among a, b$/,
        );
    });

    it("refuses a dependency on a task it does not know", () => {
        assert.throws(
            () => criticalPath([{ id: "a", seconds: 1 }], [{ from: "a", to: "missing" }]),
            /criticalPath: dependency names unknown task missing/,
        );
    });
});

describe("sequentialTimeline", () => {
    it("adds the steps up and waits for earlier effects only where a step needs them", () => {
        const timeline = sequentialTimeline([
            { id: "update", seconds: 300 },
            { id: "role", seconds: 5, propagationSeconds: 600 },
            { id: "apply", seconds: 36 },
            { id: "test", seconds: 5, needsEffect: true },
        ]);
        assert.deepEqual(
            timeline.steps.map((s) => [s.id, s.start, s.end, s.waited]),
            [
                ["update", 0, 300, 0],
                ["role", 300, 305, 0],
                ["apply", 305, 341, 0],
                ["test", 905, 910, 564],
            ],
        );
        assert.equal(timeline.total, 910);
    });

    it("does not wait when the effect is already there", () => {
        const timeline = sequentialTimeline([
            { id: "credential", seconds: 5, propagationSeconds: 10 },
            { id: "rollout", seconds: 60 },
            { id: "test", seconds: 5, needsEffect: true },
        ]);
        assert.equal(timeline.steps[2].waited, 0);
        assert.equal(timeline.total, 70);
    });
});

describe("the procedures by hand", () => {
    it("runs the seed how-to's commands in its order, ending with the test", () => {
        assert.deepEqual(
            seedProcedure().map((step) => step.id),
            [
                "find the cluster",
                "enable workload identity",
                "read the issuer",
                "create the identity",
                "read its client id",
                "read its object id",
                "find the account",
                "assign the role",
                "create the federated credential",
                "get a kubeconfig",
                "create the ServiceAccount",
                "read the account name",
                "read the endpoint",
                "read the deployment name",
                "redeploy ai-service and watch its pod",
                "test: ask for a product description",
            ],
        );
    });

    it("creates the cluster, the account and the model first for a greenfield deployment", () => {
        const steps = greenfieldProcedure().map((step) => step.id);
        assert.deepEqual(steps.slice(0, 3), [
            "create the cluster",
            "create the Azure OpenAI account",
            "deploy the model",
        ]);
        assert.ok(steps.includes("create the namespace"));
    });

    it("lets only the final test wait for the role, the credential and the model to take effect", () => {
        const waiting = greenfieldProcedure().filter((step) => step.needsEffect);
        assert.deepEqual(
            waiting.map((step) => step.id),
            ["test: ask for a product description"],
        );
        assert.deepEqual(
            greenfieldProcedure()
                .filter((step) => step.propagation !== undefined)
                .map((step) => [step.id, step.propagation]),
            [
                ["deploy the model", "modelDeploymentEffect"],
                ["assign the role", "roleAssignmentEffect"],
                ["create the federated credential", "federatedCredentialEffect"],
            ],
        );
    });
});
