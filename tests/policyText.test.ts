import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import type { Policy } from "@pulumi/policy";

import { policies } from "../policy/policies";
import { assertMatchesSnapshot, type TextSnapshot } from "./support/textSnapshot";

/**
 * What the policy pack tells people. `pulumi preview --policy-pack` prints a policy's name, level and violation
 * messages; the Pulumi Console and `pulumi policy ls` show its description, and its remediation steps say how to fix a
 * violation. The messages are asserted where each policy is tested; the descriptions and remediation steps are pinned
 * here, in tests/snapshots/policies.txt, so that a change to them is a reviewed change in the same commit
 * (UPDATE_POLICY_SNAPSHOT=1 rewrites the snapshot), and docs/policy.md's table must list every policy at its level.
 */

const SNAPSHOT: TextSnapshot = {
    file: "policies.txt",
    updateVariable: "UPDATE_POLICY_SNAPSHOT",
    testFile: "tests/policyText.test.ts",
    changed: "A policy's description or remediation steps changed",
    alsoCheck: "check docs/policy.md's table",
};
const DOC = path.join(__dirname, "..", "docs", "policy.md");

const isStackPolicy = (policy: Policy) => "validateStack" in policy;

/** Each policy as people read it: name, level, description, remediation. */
function policyText(list: readonly Policy[]): string {
    return list
        .map((policy) =>
            [
                `## ${policy.name} (${policy.enforcementLevel}${isStackPolicy(policy) ? ", stack" : ""})`,
                "",
                policy.description,
                "",
                `Remediation: ${policy.remediationSteps ?? "(none)"}`,
                "",
            ].join("\n"),
        )
        .join("\n");
}

describe("the policy pack's text", () => {
    it("matches tests/snapshots/policies.txt: descriptions and remediation steps change only on purpose", () => {
        const text = policyText(policies);
        assertMatchesSnapshot(SNAPSHOT, text);
    });

    it("gives every policy a description and remediation steps", () => {
        for (const policy of policies) {
            assert.ok(policy.description.length > 40, `${policy.name}: description "${policy.description}"`);
            assert.ok((policy.remediationSteps ?? "").length > 20, `${policy.name}: no remediation steps`);
        }
    });

    it("is documented: docs/policy.md's table lists every policy at its enforcement level, and nothing else", () => {
        const documented = new Map(
            [...readFileSync(DOC, "utf8").matchAll(/^\| `([a-z0-9-]+)` +\| ([a-z]+(?: \(stack\))?) +\|/gm)].map(
                (match) => [match[1], match[2]] as const,
            ),
        );
        const pack = new Map(
            policies.map(
                (policy) =>
                    [policy.name, `${policy.enforcementLevel}${isStackPolicy(policy) ? " (stack)" : ""}`] as const,
            ),
        );
        assert.deepEqual(Object.fromEntries(documented), Object.fromEntries(pack));
    });
});
