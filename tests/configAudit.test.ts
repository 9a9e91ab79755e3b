import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ConfigError, parseSettings, type Settings } from "../components/config";
import { defaultWorkspaceName } from "../components/config/audit";
import { TEST_SUBSCRIPTION_ID } from "./support/world";

/** The `audit` section: when it is on, where the logs go, and the errors a wrong value gets (key, value, fix). */

const SEED = {
    resourceGroupName: "myResourceGroup",
    cluster: { mode: "existing", name: "myAKSCluster" },
    openai: { mode: "existing", accountName: "myOpenAI", deploymentName: "gpt-4o-mini" },
};

const WORKSPACE_ID = `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/rg-monitoring/providers/Microsoft.OperationalInsights/workspaces/log-central`;

function parse(audit: unknown, stack = "dev"): Settings {
    return parseSettings(
        { project: { ...SEED, ...(audit === undefined ? {} : { audit }) }, location: "eastus" },
        { project: "aks-openai-wi", stack },
    );
}

function problemsOf(audit: unknown): readonly string[] {
    try {
        parse(audit);
    } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        return error.problems;
    }
    assert.fail("the configuration was accepted");
}

describe("audit defaults", () => {
    for (const stack of ["prod", "production", "prd", "live", "store-prod", "Store-Production"]) {
        it(`is on for the production stack name ${stack}, into a workspace the stack creates`, () => {
            assert.deepEqual(parse(undefined, stack).audit, {
                enabled: true,
                workspace: { mode: "managed", name: defaultWorkspaceName("aks-openai-wi", stack), retentionInDays: 90 },
            });
        });
    }

    for (const stack of ["dev", "staging", "prod2", "products"]) {
        it(`is off for the stack name ${stack}`, () => {
            assert.equal(parse(undefined, stack).audit.enabled, false);
        });
    }

    it("names the created workspace log-<project>-<stack>, with what Azure refuses replaced", () => {
        assert.equal(defaultWorkspaceName("aks-openai-wi", "prod"), "log-aks-openai-wi-prod");
        assert.equal(defaultWorkspaceName("aks-openai-wi", "team_a.prod"), "log-aks-openai-wi-team-a-prod");
        assert.equal(defaultWorkspaceName("p", "x".repeat(80)).length, 63);
        // Cut at 63 characters this would end in "---": a workspace name must end with a letter or digit.
        assert.equal(defaultWorkspaceName(`${"a".repeat(56)}..`, "dev"), `log-${"a".repeat(56)}`);
    });

    it("can be turned off on a production stack and on elsewhere, as true/false or the strings pulumi config stores", () => {
        assert.equal(parse({ enabled: false }, "prod").audit.enabled, false);
        assert.equal(parse({ enabled: "true" }, "dev").audit.enabled, true);
    });
});

describe("audit.workspace", () => {
    it("creates a workspace with the configured name and retention", () => {
        assert.deepEqual(parse({ enabled: true, workspace: { name: "log-store", retentionInDays: "365" } }).audit, {
            enabled: true,
            workspace: { mode: "managed", name: "log-store", retentionInDays: 365 },
        });
    });

    it("sends to an existing workspace by its ARM id", () => {
        assert.deepEqual(parse({ enabled: true, workspace: { mode: "existing", id: WORKSPACE_ID } }).audit.workspace, {
            mode: "existing",
            id: WORKSPACE_ID,
        });
    });

    it("refuses a retention Azure refuses, and suggests the nearest allowed", () => {
        assert.deepEqual(problemsOf({ workspace: { retentionInDays: 7 } }), [
            "aks-openai-wi:audit.workspace.retentionInDays = 7: must be a whole number from 30 to 730. " +
                "Fix: pulumi config set --path 'aks-openai-wi:audit.workspace.retentionInDays' 30",
        ]);
        assert.match(problemsOf({ workspace: { retentionInDays: 1000 } })[0], /' 730$/);
    });

    it("refuses a workspace name Azure refuses", () => {
        assert.deepEqual(problemsOf({ workspace: { name: "log_store" } }), [
            `aks-openai-wi:audit.workspace.name = "log_store": use 4-63 letters, digits or '-', starting and ending ` +
                "with a letter or digit. Fix: pulumi config set --path 'aks-openai-wi:audit.workspace.name' log-store",
        ]);
    });

    it("refuses a name that only starts like a workspace name, and shows a valid one when it cannot derive one", () => {
        const rule = "use 4-63 letters, digits or '-', starting and ending with a letter or digit";
        const fix = "Fix: pulumi config set --path 'aks-openai-wi:audit.workspace.name'";
        assert.deepEqual(problemsOf({ workspace: { name: "log-store-prod!" } }), [
            `aks-openai-wi:audit.workspace.name = "log-store-prod!": ${rule}. ${fix} log-store-prod`,
        ]);
        assert.deepEqual(problemsOf({ workspace: { name: "--" } }), [
            `aks-openai-wi:audit.workspace.name = "--": ${rule}. ${fix} log-store-prod`,
        ]);
    });

    it("refuses an existing workspace without its id", () => {
        assert.match(
            problemsOf({ workspace: { mode: "existing" } })[0],
            /^aks-openai-wi:audit\.workspace\.id is required: use the ARM id of a Log Analytics workspace, /,
        );
    });

    it("refuses an id that is not a Log Analytics workspace's ARM id, naming key, value and fix", () => {
        const storage = WORKSPACE_ID.replace(
            "Microsoft.OperationalInsights/workspaces",
            "Microsoft.Storage/storageAccounts",
        );
        assert.deepEqual(problemsOf({ workspace: { mode: "existing", id: storage } }), [
            `aks-openai-wi:audit.workspace.id = "${storage}": use the ARM id of a Log Analytics workspace, ` +
                "/subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.OperationalInsights/workspaces/<name> " +
                "(az monitor log-analytics workspace show -g <group> -n <name> --query id -o tsv). Fix: pulumi config set " +
                "--path 'aks-openai-wi:audit.workspace.id' /subscriptions/<subscription>/resourceGroups/<group>/providers/" +
                "Microsoft.OperationalInsights/workspaces/<name>",
        ]);
    });

    it("refuses text around a workspace's ARM id", () => {
        for (const id of [`x${WORKSPACE_ID}`, `${WORKSPACE_ID}/tables/AzureDiagnostics`]) {
            assert.match(
                problemsOf({ workspace: { mode: "existing", id } })[0],
                /^aks-openai-wi:audit\.workspace\.id = ".*": use the ARM id of a Log Analytics workspace, /,
            );
        }
    });

    it("accepts the id in the lowercase form some tools print", () => {
        const lower = WORKSPACE_ID.toLowerCase();
        assert.equal(
            (parse({ workspace: { mode: "existing", id: lower } }).audit.workspace as { id: string }).id,
            lower,
        );
    });

    it("tells a customer id (the portal's Workspace ID) from the ARM id it needs", () => {
        assert.deepEqual(problemsOf({ workspace: { mode: "existing", id: "0b6e3a6c-1a2b-4c3d-8e9f-001122334455" } }), [
            'aks-openai-wi:audit.workspace.id = "0b6e3a6c-1a2b-4c3d-8e9f-001122334455": that is a workspace\'s ' +
                "customer id (the portal's \"Workspace ID\"); a diagnostic setting needs the workspace's ARM id. " +
                "Fix: pulumi config set --path 'aks-openai-wi:audit.workspace.id' " +
                "$(az monitor log-analytics workspace show -g <group> -n <name> --query id -o tsv)",
        ]);
    });

    it("knows a customer id pasted with spaces, and nothing else for one", () => {
        const guid = "0b6e3a6c-1a2b-4c3d-8e9f-001122334455";
        assert.match(
            problemsOf({ workspace: { mode: "existing", id: ` ${guid} ` } })[0],
            /: that is a workspace's customer id \(the portal's "Workspace ID"\)/,
        );
        for (const id of [`x${guid}`, `${guid}0`]) {
            assert.match(
                problemsOf({ workspace: { mode: "existing", id } })[0],
                /^aks-openai-wi:audit\.workspace\.id = ".*": use the ARM id of a Log Analytics workspace, /,
            );
        }
    });

    it("refuses the created workspace's keys on an existing one, and an unknown mode", () => {
        assert.match(
            problemsOf({ workspace: { mode: "existing", id: WORKSPACE_ID, retentionInDays: 90 } })[0],
            /^aks-openai-wi:audit\.workspace\.retentionInDays is not a known key when audit\.workspace\.mode is "existing"/,
        );
        assert.deepEqual(problemsOf({ workspace: { mode: "shared" } }), [
            'aks-openai-wi:audit.workspace.mode = "shared": must be one of "managed", "existing". ' +
                "Fix: pulumi config set --path 'aks-openai-wi:audit.workspace.mode' managed",
        ]);
    });

    it("refuses a non-boolean enabled", () => {
        assert.deepEqual(problemsOf({ enabled: "yes" }), [
            `aks-openai-wi:audit.enabled = "yes": must be true or false. Fix: pulumi config set --path 'aks-openai-wi:audit.enabled' false`,
        ]);
    });
});
