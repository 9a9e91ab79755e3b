import assert from "node:assert/strict";
import { before, describe, it } from "node:test";

import { auditDiagnosticSettingName } from "../components/openAiAuditLog";
import { ofType, runProgram, single, stackConfig, UNKNOWN, type ProgramRun } from "./support/program";
import { withBootstrapOutputs } from "./support/configs";
import { mockGuid, TEST_SUBSCRIPTION_ID } from "./support/world";
import { shippedRun } from "./support/shippedStacks";

/**
 * `audit` under Pulumi's mocks, as `pulumi up` and as `pulumi preview` run it: the diagnostic setting on the managed or
 * existing account, its categories and destination, the workspace the stack creates, and the outputs verify reads.
 */

const WORKSPACE = "azure-native:operationalinsights:Workspace";
const SETTING = "azure-native:monitor:DiagnosticSetting";
const PROD_ACCOUNT_ID = `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/rg-store-prod/providers/Microsoft.CognitiveServices/accounts/store-openai-prod`;
const PROD_WORKSPACE_ID = `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/rg-store-prod/providers/Microsoft.OperationalInsights/workspaces/log-store-prod`;
const SEED_ACCOUNT_ID = `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/myResourceGroup/providers/Microsoft.CognitiveServices/accounts/myOpenAI`;
const CENTRAL_WORKSPACE_ID = `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/rg-monitoring/providers/Microsoft.OperationalInsights/workspaces/log-central`;

const CATEGORIES = {
    logs: [
        { category: "Audit", enabled: true },
        { category: "RequestResponse", enabled: true },
    ],
    metrics: [{ category: "AllMetrics", enabled: true }],
};

function devWithAudit(audit: unknown): Record<string, unknown> {
    return { ...stackConfig("dev"), "aks-openai-wi:audit": audit };
}

describe("audit on the prod stack (managed account, workspace the stack creates), as pulumi up runs it", () => {
    let run: ProgramRun;
    before(async () => {
        run = await shippedRun("prod");
    });

    it("creates the configured PerGB2018 workspace, protected like the account", () => {
        const workspace = single(run.resources, WORKSPACE);
        assert.equal(workspace.name, "audit-workspace");
        assert.deepEqual(workspace.inputs, {
            resourceGroupName: "rg-store-prod",
            workspaceName: "log-store-prod",
            location: "swedencentral",
            sku: { name: "PerGB2018" },
            retentionInDays: 365,
        });
        assert.equal(workspace.protect, true);
    });

    it("puts a diagnostic setting on the account: Audit and RequestResponse logs, AllMetrics, into that workspace", () => {
        const setting = single(run.resources, SETTING);
        assert.deepEqual(setting.inputs, {
            name: "aks-openai-wi-prod-audit",
            resourceUri: PROD_ACCOUNT_ID,
            workspaceId: PROD_WORKSPACE_ID,
            ...CATEGORIES,
        });
        // Exactly these inputs: no logAnalyticsDestinationType, so the logs land in AzureDiagnostics (the query's table).
        const account = single(run.resources, "azure-native:cognitiveservices:Account");
        assert.deepEqual(setting.propertyDependencies.resourceUri, [account.urn]);
    });

    it("exports the workspace's ARM id and customer id", () => {
        assert.equal(run.outputs.auditWorkspaceId, PROD_WORKSPACE_ID);
        assert.equal(run.outputs.auditWorkspaceCustomerId, mockGuid("workspace-customer-id", "log-store-prod"));
    });
});

describe("audit on the prod stack, as pulumi preview runs it", () => {
    it("links the setting to the account and the workspace by dependency while their ids are unknown", async () => {
        const run = await runProgram({
            config: withBootstrapOutputs(stackConfig("prod")),
            stack: "prod",
            preview: true,
        });
        const setting = single(run.resources, SETTING);
        assert.equal(setting.inputs.resourceUri, UNKNOWN);
        assert.equal(setting.inputs.workspaceId, UNKNOWN);
        assert.deepEqual(setting.inputs.logs, CATEGORIES.logs);
        assert.deepEqual(setting.propertyDependencies.workspaceId, [single(run.resources, WORKSPACE).urn]);
        assert.equal(run.outputs.auditWorkspaceId, UNKNOWN);
    });
});

describe("audit on an existing account (Pulumi.dev.yaml)", () => {
    it("is off by default on a stack not named for production: no setting, no workspace, no outputs", async () => {
        const run = await shippedRun("dev");
        assert.deepEqual(ofType(run.resources, SETTING), []);
        assert.deepEqual(ofType(run.resources, WORKSPACE), []);
        assert.equal("auditWorkspaceId" in run.outputs, false);
        assert.equal("auditWorkspaceCustomerId" in run.outputs, false);
    });

    for (const preview of [false, true]) {
        it(`adds a setting named for this stack to the account it reads, into an existing workspace (${preview ? "preview" : "update"})`, async () => {
            const run = await runProgram({
                config: devWithAudit({ enabled: true, workspace: { mode: "existing", id: CENTRAL_WORKSPACE_ID } }),
                stack: "dev",
                preview,
            });
            assert.deepEqual(ofType(run.resources, WORKSPACE), [], "an existing workspace is not created");
            assert.deepEqual(single(run.resources, SETTING).inputs, {
                name: "aks-openai-wi-dev-audit",
                resourceUri: SEED_ACCOUNT_ID,
                workspaceId: CENTRAL_WORKSPACE_ID,
                ...CATEGORIES,
            });
            assert.equal(run.outputs.auditWorkspaceId, CENTRAL_WORKSPACE_ID);
            assert.equal("auditWorkspaceCustomerId" in run.outputs, false);
            // The account is read, never registered: the setting is all the stack adds to it.
            assert.deepEqual(ofType(run.resources, "azure-native:cognitiveservices:Account"), []);
        });
    }

    it("creates an unprotected workspace on a stack that is not protected", async () => {
        const run = await runProgram({ config: devWithAudit({ enabled: true }), stack: "dev" });
        const workspace = single(run.resources, WORKSPACE);
        assert.equal(workspace.inputs.workspaceName, "log-aks-openai-wi-dev");
        assert.equal(workspace.inputs.retentionInDays, 90);
        assert.equal(workspace.protect, false);
    });
});

describe("the diagnostic setting's name", () => {
    it("carries the project and the stack, so it cannot collide with the owner's settings or another stack's", () => {
        assert.equal(auditDiagnosticSettingName("aks-openai-wi", "prod"), "aks-openai-wi-prod-audit");
        assert.equal(auditDiagnosticSettingName("aks-openai-wi", "staging"), "aks-openai-wi-staging-audit");
        assert.equal(auditDiagnosticSettingName("p", "team/a b"), "p-team-a-b-audit");
    });
});
