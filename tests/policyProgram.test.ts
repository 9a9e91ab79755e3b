import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { evaluatePolicies, type PolicyReport } from "../tools/engine/policyHarness";
import { runProgram, stackConfig } from "./support/program";
import { TEST_ADMIN_GROUP_ID } from "./support/world";

/**
 * What `pulumi preview --policy-pack policy` and `pulumi up --policy-pack policy` would report on this stack: every
 * resource the program registers under mocks, in preview (unknown ids) and update mode, run through every policy.
 */

/** A stack that creates everything: a managed cluster and a managed Azure OpenAI account, its calls audited. */
const GREENFIELD = {
    "azure-native:location": "eastus",
    "aks-openai-wi:resourceGroupName": "rg-store",
    "aks-openai-wi:cluster": { mode: "managed", adminGroupObjectIds: [TEST_ADMIN_GROUP_ID] },
    "aks-openai-wi:openai": { mode: "managed", accountName: "store-openai" },
    "aks-openai-wi:audit": { enabled: true },
};

/** Every optional feature on: replicas (PDB), NetworkPolicy, non-root UID, two more federated ServiceAccounts. */
const EVERYTHING_ON = {
    ...GREENFIELD,
    "aks-openai-wi:aiService": { replicas: 3, runAsUser: 10001, networkPolicy: { enabled: true } },
    "aks-openai-wi:additionalServiceAccounts": [
        { namespace: "batch", name: "indexer" },
        { namespace: "batch", name: "reporter" },
    ],
};

async function report(config: Record<string, unknown>, preview: boolean, stack = "dev"): Promise<PolicyReport> {
    const run = await runProgram({ config, stack, preview });
    return evaluatePolicies(run.resources);
}

function summary(diagnostics: PolicyReport["violations"]): string {
    return diagnostics.map((d) => `${d.enforcementLevel} ${d.policyName}: ${d.message}`).join("\n");
}

for (const preview of [false, true]) {
    const mode = preview ? "pulumi preview" : "pulumi up";

    describe(`the stack's own resources under ${mode} --policy-pack policy`, () => {
        it("pass every policy with the seed configuration (Pulumi.dev.yaml), and no policy gives up on an unknown", async () => {
            const { violations, gaveUp } = await report(stackConfig("dev"), preview);
            assert.equal(summary(violations), "");
            assert.deepEqual(gaveUp, []);
        });

        it("pass every policy with a greenfield configuration (managed cluster, managed account)", async () => {
            const { violations, gaveUp } = await report(GREENFIELD, preview, "green");
            assert.equal(summary(violations), "");
            assert.deepEqual(gaveUp, []);
        });

        it("pass every mandatory policy with every option on; only the credentials for pods deployed elsewhere are noted", async () => {
            const { violations, gaveUp } = await report(EVERYTHING_ON, preview, "green");
            assert.deepEqual(
                violations.filter((d) => d.enforcementLevel === "mandatory"),
                [],
            );
            assert.deepEqual(
                violations.map((d) => [
                    d.policyName,
                    d.enforcementLevel,
                    /trusts ServiceAccount (\S+),/.exec(d.message)?.[1],
                ]),
                [
                    ["workload-identity-unused-credential", "advisory", "batch/indexer"],
                    ["workload-identity-unused-credential", "advisory", "batch/reporter"],
                ],
            );
            assert.deepEqual(gaveUp, []);
        });
    });
}

describe("a stack whose account keeps API keys on", () => {
    it("gets the advisory, not a mandatory violation", async () => {
        const keysOn = {
            ...GREENFIELD,
            "aks-openai-wi:openai": { mode: "managed", accountName: "store-openai", disableLocalAuth: false },
        };
        const { violations } = await report(keysOn, false, "green");
        assert.deepEqual(
            violations.map((d) => [d.policyName, d.enforcementLevel]),
            [["openai-account-local-auth-disabled", "advisory"]],
        );
    });
});

describe("a stack not named for production whose account is not audited", () => {
    it("gets the audit advisory, not a mandatory violation", async () => {
        const unaudited = { ...GREENFIELD, "aks-openai-wi:audit": { enabled: false } };
        const { violations } = await report(unaudited, true, "green");
        assert.deepEqual(
            violations.map((d) => [d.policyName, d.enforcementLevel]),
            [["openai-account-audit-logs", "advisory"]],
        );
    });
});
