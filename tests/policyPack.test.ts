import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

import { policies } from "../policy/policies";
import { chain, replaced, roleAssignment, UNKNOWN, withInput, workload } from "./support/policyFixtures";
import { PACK_DIR, RunningPack } from "./support/policyEngine";
import { shippedRun } from "./support/shippedStacks";

/**
 * The pack as `pulumi preview --policy-pack policy` runs it: started by @pulumi/pulumi's own run-policy-pack
 * (TypeScript compiled and type-checked by Pulumi's ts-node), answering the engine's Analyze and AnalyzeStack calls
 * over gRPC. Only the Pulumi CLI itself is missing; tests/support/policyEngine.ts stands in for it. It runs from a copy
 * of the policy/ folder alone, as `pulumi policy publish` ships it, so every test here also proves the pack is
 * self-contained (tests/policySelfContained.test.ts checks its imports and package.json); the real CLI loads it from
 * policy/ in `npm run e2e`. One start: Pulumi's ts-node type-checks the pack on every load, the slowest step here.
 */

describe("the policy pack, loaded and called the way the Pulumi CLI does", () => {
    let pack: RunningPack;

    before(async () => {
        pack = await RunningPack.startFromCopy();
    });

    after(async () => {
        await pack?.stop();
    });

    it("serves every policy of policy/policies.ts, with its enforcement level, as aks-openai-wi-guardrails", async () => {
        const info = await pack.info();
        const { version } = JSON.parse(readFileSync(path.join(PACK_DIR, "package.json"), "utf8")) as {
            version: string;
        };
        assert.equal(info.name, "aks-openai-wi-guardrails");
        assert.equal(info.version, version);
        assert.deepEqual(
            info.policies.map((policy) => [policy.name, policy.enforcementLevel]),
            policies.map((policy) => [policy.name, policy.enforcementLevel]),
        );
    });

    it("reports a Deployment with a literal OPENAI_API_KEY as a mandatory violation", async () => {
        const deployment = withInput(workload("Deployment"), "spec.template.spec.containers.0.env", [
            { name: "OPENAI_API_KEY", value: "sk-123" },
        ]);
        const diagnostics = await pack.analyze(deployment);
        assert.deepEqual(
            diagnostics.map((d) => [d.policyName, d.enforcementLevel]),
            [["pod-no-credential-env", "mandatory"]],
        );
        assert.match(diagnostics[0].message, /sets OPENAI_API_KEY as a literal value/);
    });

    it("judges what it can on a preview's unknowns, and never gives up on them", async () => {
        const assignment = withInput(
            roleAssignment({ scope: UNKNOWN, principalId: UNKNOWN }),
            "principalType",
            undefined,
        );
        const diagnostics = await pack.analyze(assignment);
        assert.deepEqual(
            diagnostics.map((d) => [d.policyName, d.enforcementLevel]),
            [["role-assignment-well-formed", "mandatory"]],
        );
        assert.match(diagnostics[0].message, /does not set principalType/);
    });

    it("passes every resource of this stack's first preview, one by one and as a stack", async () => {
        const { resources } = await shippedRun("dev", { preview: true });
        const perResource = await Promise.all(resources.map((resource) => pack.analyze(resource)));
        assert.deepEqual(perResource.flat(), []);
        assert.deepEqual(await pack.analyzeStack(resources), []);
    });

    it("follows the chain across resources in AnalyzeStack and reports a broken link", async () => {
        const broken = replaced(chain(), "chat-fic", (credential) =>
            withInput(credential, "subject", "system:serviceaccount:store:chat-v2"),
        );
        const diagnostics = await pack.analyzeStack(broken);
        assert.deepEqual(diagnostics.map((d) => [d.policyName, d.enforcementLevel]).sort(), [
            ["workload-identity-chain", "mandatory"],
            ["workload-identity-unused-credential", "advisory"],
        ]);
        const chainViolation = diagnostics.find((d) => d.policyName === "workload-identity-chain");
        assert.equal(chainViolation?.urn, chain().find((r) => r.name === "chat-deployment")?.urn);
    });
});
