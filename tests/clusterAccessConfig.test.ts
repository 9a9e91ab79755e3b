import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { clusterAccessWarnings, ConfigError, parseSettings, type Settings } from "../components/config";
import { TEST_ADMIN_GROUP_ID } from "./support/world";

/**
 * `cluster.adminGroupObjectIds` and `cluster.localAccounts` (issue 11): a cluster the stack creates accepts Entra ID
 * sign-ins only, so the deploying identity needs an admin group; local accounts come back only when asked for.
 */

const MARKED = "<object id of the prod cluster admin group: bootstrap/github-oidc output adminGroupObjectIds.prod>";

function managed(cluster: Record<string, unknown>, options: { stack?: string; preview?: boolean } = {}): Settings {
    return parseSettings(
        {
            project: {
                resourceGroupName: "rg-store",
                cluster: { mode: "managed", name: "aks-store", ...cluster },
                openai: { mode: "managed", accountName: "store-openai" },
            },
            location: "swedencentral",
        },
        { project: "aks-openai-wi", stack: options.stack ?? "dev", preview: options.preview },
    );
}

function problemsOf(cluster: Record<string, unknown>, options: { stack?: string; preview?: boolean } = {}): string[] {
    try {
        managed(cluster, options);
    } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        return [...error.problems];
    }
    assert.fail("the configuration was accepted");
}

const FIX_PREFIX =
    'Fix: copy the admin group\'s object id that bootstrap/github-oidc exported for stack "dev" ' +
    "(pulumi -C bootstrap/github-oidc stack output adminGroupObjectIds --json), then " +
    "pulumi config set --path 'aks-openai-wi:cluster.adminGroupObjectIds[0]' <object id>";

describe("a managed cluster's access settings", () => {
    it("default to Entra ID only with the admin group given, lower-cased as Entra returns object ids", () => {
        const { cluster } = managed({ adminGroupObjectIds: [TEST_ADMIN_GROUP_ID.toUpperCase()] });
        assert.equal(cluster.mode, "managed");
        assert.equal(cluster.mode === "managed" && cluster.localAccounts, "disabled");
        assert.deepEqual(cluster.mode === "managed" && cluster.adminGroupObjectIds, [TEST_ADMIN_GROUP_ID]);
    });

    it("require an admin group when local accounts are disabled, naming the key and the bootstrap output", () => {
        assert.deepEqual(problemsOf({}), [
            'aks-openai-wi:cluster.adminGroupObjectIds is required when cluster.mode is "managed" and ' +
                'cluster.localAccounts is "disabled" (the default): the cluster accepts only Microsoft Entra ID ' +
                "sign-ins, and the identity that runs `pulumi up` can create Kubernetes objects on it only as a member " +
                `of an admin group. ${FIX_PREFIX}`,
        ]);
        assert.equal(problemsOf({ adminGroupObjectIds: [] }).length, 1);
    });

    it("reject a value that is not a GUID, with the key, the value and the fix", () => {
        assert.deepEqual(problemsOf({ adminGroupObjectIds: ["aks-admins"] }), [
            'aks-openai-wi:cluster.adminGroupObjectIds[0] = "aks-admins": must be the object id (a GUID) of a ' +
                `Microsoft Entra group, not its name or a user's id. ${FIX_PREFIX}`,
        ]);
        const second = problemsOf({ adminGroupObjectIds: [TEST_ADMIN_GROUP_ID, "9c2e4b7d-0000-4000-8000"] });
        assert.equal(second.length, 1);
        assert.match(second[0], /^aks-openai-wi:cluster\.adminGroupObjectIds\[1\] = "9c2e4b7d-0000-4000-8000": /);
        assert.match(second[0], /cluster\.adminGroupObjectIds\[1\]' <object id>$/);
    });

    it("reject a single id where a list belongs", () => {
        assert.deepEqual(problemsOf({ adminGroupObjectIds: TEST_ADMIN_GROUP_ID }), [
            `aks-openai-wi:cluster.adminGroupObjectIds = "${TEST_ADMIN_GROUP_ID}": must be a list of Microsoft Entra ` +
                `group object ids. ${FIX_PREFIX}`,
        ]);
    });

    it("refuse a marked value in pulumi up: a cluster created with it would let nobody in", () => {
        const problems = problemsOf({ adminGroupObjectIds: [MARKED] }, { stack: "prod" });
        assert.deepEqual(problems, [
            `aks-openai-wi:cluster.adminGroupObjectIds[0] = "${MARKED}" is a marked value the stack file asks you to ` +
                "replace, not a group's object id; a cluster created with it would let nobody sign in. Fix: copy the " +
                'admin group\'s object id that bootstrap/github-oidc exported for stack "prod" (pulumi -C ' +
                "bootstrap/github-oidc stack output adminGroupObjectIds --json), then pulumi config set --path " +
                "'aks-openai-wi:cluster.adminGroupObjectIds[0]' <object id>",
        ]);
    });

    it("let a marked value through a preview, with a warning that pulumi up refuses it", () => {
        const settings = managed({ adminGroupObjectIds: [MARKED] }, { stack: "prod", preview: true });
        assert.equal(settings.cluster.mode, "managed");
        if (settings.cluster.mode !== "managed") return;
        assert.deepEqual(settings.cluster.adminGroupObjectIds, [MARKED]);
        const warnings = clusterAccessWarnings(settings.cluster, "prod");
        assert.equal(warnings.length, 1);
        assert.match(
            warnings[0],
            /^aks-openai-wi:cluster\.adminGroupObjectIds\[0\] = "<object id of the prod cluster admin group: .*>" is a marked value, not a group's object id: this preview shows it in the cluster's Entra profile, and `pulumi up` refuses it\. Fix: copy /,
        );
    });

    it("still reject a malformed id in a preview: only the marked form is let through", () => {
        assert.equal(problemsOf({ adminGroupObjectIds: ["<unclosed"] }, { preview: true }).length, 1);
    });

    it("turn local accounts back on only when asked, with no admin group required", () => {
        const { cluster } = managed({ localAccounts: "enabled" });
        assert.equal(cluster.mode === "managed" && cluster.localAccounts, "enabled");
        assert.deepEqual(cluster.mode === "managed" && cluster.adminGroupObjectIds, []);
    });

    it("reject an unknown localAccounts value with the closest choice", () => {
        assert.deepEqual(problemsOf({ localAccounts: "enable" }), [
            'aks-openai-wi:cluster.localAccounts = "enable": must be one of "disabled", "enabled". ' +
                "Fix: pulumi config set --path 'aks-openai-wi:cluster.localAccounts' enabled",
            problemsOf({})[0],
        ]);
    });

    it("reject admin groups on a cluster with local accounts, which has no Entra integration", () => {
        const problems = problemsOf({ localAccounts: "enabled", adminGroupObjectIds: [TEST_ADMIN_GROUP_ID] });
        assert.equal(problems.length, 1);
        assert.match(problems[0], /^aks-openai-wi:cluster\.adminGroupObjectIds = \["9c2e4b7d-/);
        assert.match(
            problems[0],
            /admin groups have no effect\. Fix: pulumi config rm --path 'aks-openai-wi:cluster\.localAccounts'/,
        );
    });

    it("are accepted only for a managed cluster", () => {
        assert.throws(
            () =>
                parseSettings(
                    {
                        project: {
                            resourceGroupName: "rg",
                            cluster: { mode: "existing", name: "c", localAccounts: "enabled" },
                            openai: { mode: "managed", accountName: "acct" },
                        },
                        location: "eastus",
                    },
                    { project: "aks-openai-wi", stack: "dev" },
                ),
            /aks-openai-wi:cluster\.localAccounts is not a known key when cluster\.mode is "existing"/,
        );
    });
});

describe("the warning for a cluster with local accounts", () => {
    it("says what listClusterUserCredential then returns, and how to go back", () => {
        const settings = managed({ localAccounts: "enabled" });
        if (settings.cluster.mode !== "managed") assert.fail("not managed");
        assert.deepEqual(clusterAccessWarnings(settings.cluster, "dev"), [
            'cluster.localAccounts is "enabled": AKS cluster aks-store is created without Microsoft Entra integration ' +
                "and keeps local accounts, so listClusterUserCredential (az aks get-credentials) returns a client " +
                'certificate with cluster-admin rights to anyone holding "Azure Kubernetes Service Cluster User Role" ' +
                "on it, including a pull request's preview identity; sign-ins are not audited per person. Use it only " +
                "for a throwaway dev cluster. Fix: pulumi config rm --path 'aks-openai-wi:cluster.localAccounts'",
        ]);
    });

    it("is absent on an Entra-only cluster with a real group id", () => {
        const settings = managed({ adminGroupObjectIds: [TEST_ADMIN_GROUP_ID] });
        if (settings.cluster.mode !== "managed") assert.fail("not managed");
        assert.deepEqual(clusterAccessWarnings(settings.cluster, "dev"), []);
    });
});
