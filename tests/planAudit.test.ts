import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { buildPlan } from "../tools/plan/plan";
import { renderText } from "../tools/plan/render";
import { stackConfig } from "./support/program";
import { shippedPlan } from "./support/shippedStacks";

/** `npm run plan` says whether the calls to Azure OpenAI are recorded, and where (tools/plan/audit.ts). */

const CENTRAL =
    "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-monitoring/providers/Microsoft.OperationalInsights/workspaces/log-central";

describe("the plan's audit line", () => {
    it("prod: on, the setting on the created account, into the created workspace with its sku and retention", async () => {
        const plan = await shippedPlan("prod");
        assert.equal(plan.audit.on, true);
        assert.deepEqual(plan.audit.routes, [
            {
                setting: "aks-openai-wi-prod-audit",
                account: "Azure OpenAI account store-openai-prod (created by this stack)",
                logs: ["Audit", "RequestResponse"],
                metrics: ["AllMetrics"],
                destination:
                    "Log Analytics workspace log-store-prod (created by this stack, sku PerGB2018, retention 365 days)",
                recordsCalls: true,
            },
        ]);
        const text = renderText(plan).split("\n");
        const policies = text.findIndex((line) => line.startsWith("POLICIES"));
        assert.equal(
            text[policies - 2],
            "AUDIT: on: diagnostic setting aks-openai-wi-prod-audit on Azure OpenAI account store-openai-prod " +
                "(created by this stack) sends logs Audit, RequestResponse and metrics AllMetrics to Log Analytics " +
                "workspace log-store-prod (created by this stack, sku PerGB2018, retention 365 days)",
        );
    });

    it("dev: off, naming the account nothing records and the key that turns it on", async () => {
        const plan = await shippedPlan("dev");
        assert.equal(plan.audit.on, false);
        assert.equal(
            plan.audit.summary,
            "AUDIT: off: no diagnostic setting records the calls to Azure OpenAI account myOpenAI (audit.enabled is " +
                "false; it is on by default for production stack names; docs/audit.md)",
        );
    });

    it("dev with an existing workspace: the setting on the account the stack reads, into that workspace", async () => {
        const config = {
            ...stackConfig("dev"),
            "aks-openai-wi:audit": { enabled: true, workspace: { mode: "existing", id: CENTRAL } },
        };
        const plan = await buildPlan({ stack: "dev", config });
        assert.equal(
            plan.audit.summary,
            "AUDIT: on: diagnostic setting aks-openai-wi-dev-audit on Azure OpenAI account myOpenAI (existing) sends " +
                `logs Audit, RequestResponse and metrics AllMetrics to Log Analytics workspace ${CENTRAL} (existing)`,
        );
    });
});
