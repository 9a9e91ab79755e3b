import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import { auditCheck, callsByPrincipalQuery, queryCommand } from "../tools/verify/audit";
import { TITLES } from "../tools/verify/checks";
import { parseOutputs } from "../tools/verify/outputs";
import { PROJECT_ROOT } from "./support/program";
import {
    ACCOUNT_ID,
    AUDIT_SETTING,
    fakeArm,
    FAILURES,
    healthyScenario,
    PRINCIPAL_ID,
    scenarioWith,
    WORKSPACE_CUSTOMER_ID,
    WORKSPACE_ID,
    type VerifyScenario,
} from "./support/verifyFixtures";

/** verify's audit check and the query it prints, on in-memory ARM answers (verifyCommand.test.ts runs it for real). */

function check(scenario: VerifyScenario) {
    return auditCheck(parseOutputs(scenario.outputs, "test"), fakeArm(scenario));
}

/** The query for the fixtures' account and identity, exactly as an operator pastes it into the workspace's Logs. */
const QUERY = [
    "AzureDiagnostics",
    "| where TimeGenerated > ago(7d)",
    '| where ResourceProvider == "MICROSOFT.COGNITIVESERVICES"',
    '| where Category in ("Audit", "RequestResponse")',
    `| where _ResourceId =~ "${ACCOUNT_ID}"`,
    `| where properties_s contains "${PRINCIPAL_ID}"`,
    "| project TimeGenerated, Category, OperationName, ResultSignature, DurationMs, CallerIPAddress, properties_s",
    "| order by TimeGenerated desc",
].join("\n");

describe("the KQL query verify prints", () => {
    it("lists the calls of the workload identity's principal id on the stack's account, newest first", () => {
        assert.equal(callsByPrincipalQuery(ACCOUNT_ID, PRINCIPAL_ID), QUERY);
    });

    it("is the query docs/audit.md shows, with the outputs' names where verify fills in their values", () => {
        const doc = readFileSync(path.join(PROJECT_ROOT, "docs", "audit.md"), "utf8");
        const block = /<!-- audit-query:start -->\s*```kusto\n([\s\S]*?)\n```\s*<!-- audit-query:end -->/.exec(doc);
        assert.ok(block, "docs/audit.md has no audit-query block");
        assert.equal(block[1], callsByPrincipalQuery("<openAiAccountId>", "<identityPrincipalId>"));
    });

    it("escapes what would end a KQL string", () => {
        assert.match(callsByPrincipalQuery('a"b\\c', PRINCIPAL_ID), /\| where _ResourceId =~ "a\\"b\\\\c"\n/);
    });

    it("becomes one az command for a workspace whose customer id is known", () => {
        assert.equal(
            queryCommand(WORKSPACE_CUSTOMER_ID, QUERY),
            `az monitor log-analytics query --workspace ${WORKSPACE_CUSTOMER_ID} --analytics-query '${QUERY.split("\n").join(" ")}'`,
        );
    });
});

describe("verify's audit check", () => {
    it("passes on the stack's setting, and prints the query with the identity's principal id and the az command", async () => {
        const result = await check(healthyScenario());
        assert.equal(result.title, TITLES.audit);
        assert.equal(result.status, "pass");
        assert.deepEqual(result.details, [
            `account myOpenAI has diagnostic setting ${AUDIT_SETTING}: logs Audit, RequestResponse; metrics AllMetrics -> workspace log-aks-openai-wi-dev`,
            `calls made by the workload identity (principal ${PRINCIPAL_ID}) in the last 7d, in the workspace's Logs (entries arrive minutes after a call):`,
            ...QUERY.split("\n").map((line) => `  ${line}`),
            "or from a shell:",
            `  ${queryCommand(WORKSPACE_CUSTOMER_ID, QUERY)}`,
        ]);
    });

    it("omits the az command for an existing workspace (no customer id output)", async () => {
        const scenario = healthyScenario();
        delete scenario.outputs.auditWorkspaceCustomerId;
        const result = await check(scenario);
        assert.equal(result.status, "pass");
        assert.equal(result.details.at(-1), "  | order by TimeGenerated desc");
    });

    it("is skipped, saying how to turn it on, when the stack has no audit workspace", async () => {
        const scenario = healthyScenario();
        delete scenario.outputs.auditWorkspaceId;
        assert.deepEqual(await check(scenario), {
            title: TITLES.audit,
            status: "skip",
            details: [
                "audit is off for this stack (no auditWorkspaceId output): nothing this stack made records the calls to " +
                    "the account; turn it on with pulumi config set --path 'aks-openai-wi:audit.enabled' true (docs/audit.md)",
            ],
        });
    });

    it("fails when the setting is gone, with the limits that can stop pulumi up re-creating it", async () => {
        const result = await check(scenarioWith(FAILURES.missingAuditSetting));
        assert.equal(result.status, "fail");
        assert.deepEqual(result.details, [
            `no diagnostic setting on account myOpenAI sends to the audit workspace ${WORKSPACE_ID}`,
            "account myOpenAI has no diagnostic setting",
        ]);
        assert.equal(
            result.fix,
            "pulumi refresh, then pulumi up: the stack (re)creates its setting with Audit, RequestResponse and " +
                "AllMetrics. If Azure refuses it: an account takes at most 5 diagnostic settings, and one workspace can " +
                "receive a category from only one setting of an account (docs/audit.md)",
        );
    });

    it("fails on a setting to the workspace that dropped RequestResponse, listing what the account has", async () => {
        const scenario = healthyScenario();
        scenario.diagnosticSettings[0].logs = [{ category: "Audit", enabled: true }];
        scenario.diagnosticSettings.push({
            name: "owner-to-storage",
            logs: [{ categoryGroup: "allLogs", enabled: true }],
            metrics: [],
        });
        const result = await check(scenario);
        assert.equal(result.status, "fail");
        assert.deepEqual(result.details, [
            "the settings to the audit workspace lack RequestResponse",
            `account myOpenAI has diagnostic setting ${AUDIT_SETTING}: logs Audit; metrics AllMetrics -> workspace log-aks-openai-wi-dev`,
            "account myOpenAI has diagnostic setting owner-to-storage: logs allLogs; metrics none -> no workspace",
        ]);
    });

    it("accepts the allLogs category group for both log categories", async () => {
        const scenario = healthyScenario();
        scenario.diagnosticSettings[0].logs = [{ categoryGroup: "allLogs", enabled: true }];
        assert.equal((await check(scenario)).status, "pass");
    });

    it("fails on a setting to another workspace than the stack's", async () => {
        const scenario = healthyScenario();
        scenario.diagnosticSettings[0].workspaceId = WORKSPACE_ID.replace("log-aks-openai-wi-dev", "log-other");
        const result = await check(scenario);
        assert.equal(result.status, "fail");
        assert.match(result.details[0], /^no diagnostic setting on account myOpenAI sends to the audit workspace /);
    });

    it("fails with the reason and the sign-in fix when ARM refuses the read", async () => {
        const scenario = healthyScenario();
        const arm = {
            ...fakeArm(scenario),
            listDiagnosticSettings: () => Promise.reject(new Error("HTTP 403 AuthorizationFailed: no\nmore")),
        };
        const result = await auditCheck(parseOutputs(scenario.outputs, "t"), arm);
        assert.equal(result.status, "fail");
        assert.deepEqual(result.details, [
            `could not list the diagnostic settings of ${ACCOUNT_ID}: HTTP 403 AuthorizationFailed: no`,
        ]);
        assert.match(result.fix ?? "", /Monitoring Reader or Reader/);
    });
});
