import assert from "node:assert/strict";
import { copyFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";

import { REPO_ROOT } from "../support/pulumiCli";
import { PROGRAM_FILES } from "../support/seed";
import { World } from "../support/world";

/**
 * The policy pack as the CLI loads it (`pulumi preview --policy-pack policy`: from its own folder and package.json,
 * through the language host), on a configuration only the pack objects to: a managed account that keeps API keys on.
 * The program accepts it (a team may migrate in steps); the pack's advisory says so, and a team that sets the policy
 * to mandatory in its pack config gets a preview that fails, naming the policy.
 */

const STACK = "keys";
let world: World;
let project: string;

before(async () => {
    world = await World.start({ openAiSubdomains: [], openAiAccount: { resourceGroupName: "unused", name: "unused" } });
    project = world.pulumi.stageProject("keys", [...PROGRAM_FILES]);
    copyFileSync(path.join(REPO_ROOT, "e2e/stacks/Pulumi.scratch.yaml"), path.join(project, `Pulumi.${STACK}.yaml`));
    await world.pulumi.ok(project, ["stack", "init", STACK, "--secrets-provider", "passphrase"]);
    await world.pulumi.ok(project, ["config", "set", "armEndpoint", world.arm.url, "--stack", STACK]);
    await world.pulumi.ok(project, ["config", "set", "--path", "openai.disableLocalAuth", "false", "--stack", STACK]);
});

after(async () => {
    await world?.stop();
});

describe("pulumi preview --policy-pack policy", () => {
    test("reports the advisory and passes", async () => {
        const result = await world.pulumi.ok(project, [
            "preview",
            "--stack",
            STACK,
            "--policy-pack",
            `${REPO_ROOT}/policy`,
        ]);
        assert.match(
            result.stdout,
            /advisory[\s\S]*openai-account-local-auth-disabled|openai-account-local-auth-disabled[\s\S]*advisory/,
        );
    });

    test("fails, naming the policy, when the pack config makes it mandatory", async () => {
        const config = path.join(world.runDir, "policy-config.json");
        writeFileSync(config, JSON.stringify({ "openai-account-local-auth-disabled": "mandatory" }));
        const result = await world.pulumi.run(project, [
            "preview",
            "--stack",
            STACK,
            "--policy-pack",
            `${REPO_ROOT}/policy`,
            "--policy-pack-config",
            config,
        ]);
        assert.notEqual(result.code, 0);
        assert.match(
            result.stdout + result.stderr,
            /mandatory[\s\S]*openai-account-local-auth-disabled|openai-account-local-auth-disabled[\s\S]*mandatory/,
        );
    });
});
