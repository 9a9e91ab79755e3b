import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { kubectlGet } from "../support/kubectl";
import { SEED, seedQuickstart, stageStack } from "../support/seed";
import { World } from "../support/world";

/**
 * The smoke-test Job under pulumi-kubernetes' real Job awaiter (components/smokeTest.ts). No container runs: the node
 * stand-in ends the Job's pod the way the test decides, with the termination message the script would have written.
 */

const DIAGNOSIS =
    "ai-service answered 500 after 7 attempts in 712s: Azure OpenAI refused the token (401 PermissionDenied). " +
    "Fix: wait for the role assignment to take effect, then pulumi up again.";

let world: World;
let project: string;

before(async () => {
    world = await World.start({
        openAiSubdomains: [SEED.customSubDomainName],
        openAiAccount: { resourceGroupName: SEED.resourceGroupName, name: SEED.accountName },
    });
    await seedQuickstart(world);
    project = await stageStack(world, "smoke", "dev");
});

after(async () => {
    await world?.stop();
});

describe("the smoke-test Job under the real awaiter", () => {
    test("a Job pod that fails makes pulumi up fail with the pod's termination message", async () => {
        world.cluster.node.setDecider((pod) =>
            pod.ownerKind === "Job" ? { kind: "failed", message: DIAGNOSIS } : { kind: "ready" },
        );
        const result = await world.pulumi.run(project, ["up", "--yes", "--stack", "dev", "--skip-preview"]);
        assert.notEqual(result.code, 0, result.stdout);
        assert.ok(
            (result.stdout + result.stderr).includes(DIAGNOSIS),
            `pulumi up's output does not show the diagnosis:\n${result.stdout}\n${result.stderr}`,
        );
    });

    test("pulumi.com/replaceUnready: the next pulumi up replaces the failed Job, and a pod that succeeds lets it finish", async () => {
        world.cluster.node.setDecider((pod) => (pod.ownerKind === "Job" ? { kind: "succeeded" } : { kind: "ready" }));
        await world.pulumi.ok(project, ["up", "--yes", "--stack", "dev", "--skip-preview"]);
        const outputs = await world.pulumi.outputs(project, "dev");
        const job = await kubectlGet(world.cluster, "job", outputs.smokeTestJobName, "-n", SEED.namespace);
        assert.equal(job.status.succeeded, 1);
    });
});
