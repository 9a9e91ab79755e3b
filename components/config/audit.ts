import { ConfigObject, fixCommand, fullKey, modeOf, Problems, show, type StringRule } from "./reader";
import { AUDIT_KEYS, AUDIT_WORKSPACE_KEYS, AUDIT_WORKSPACE_MODES, isProductionStack } from "./schema";
import type { AuditSettings, AuditWorkspaceSettings } from "./settings";

/**
 * `audit`: a diagnostic setting on the Azure OpenAI account that sends its Audit and RequestResponse logs (and all
 * metrics) to a Log Analytics workspace, so every call is recorded with the caller's object id (issue 12, docs/audit.md).
 */

/** Log Analytics retention (days) of a PerGB2018 workspace: Azure accepts 30 to 730. */
export const AUDIT_RETENTION = { min: 30, max: 730, default: 90 } as const;

/** Log Analytics workspace names: 4-63 letters, digits or '-', starting and ending with a letter or digit. */
export const WORKSPACE_NAME_RULE: StringRule = {
    pattern: /^[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$/,
    maxLength: 63,
    rule: "use 4-63 letters, digits or '-', starting and ending with a letter or digit",
    example: "log-store-prod",
};

/** The ARM id of a Log Analytics workspace, as `az monitor log-analytics workspace show --query id` prints it. */
export const WORKSPACE_ID_RULE: StringRule = {
    pattern:
        /^\/subscriptions\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/resourceGroups\/[-\w.()]{1,90}\/providers\/Microsoft\.OperationalInsights\/workspaces\/[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$/i,
    rule:
        "use the ARM id of a Log Analytics workspace, /subscriptions/<subscription>/resourceGroups/<group>/providers/" +
        "Microsoft.OperationalInsights/workspaces/<name> (az monitor log-analytics workspace show -g <group> -n <name> --query id -o tsv)",
    example:
        "/subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.OperationalInsights/workspaces/<name>",
};

/** A bare GUID: the workspace's customer id ("Workspace ID" in the portal), which is not its ARM id. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Default name of the workspace the stack creates: `log-<project>-<stack>`, with characters Azure refuses replaced. */
export function defaultWorkspaceName(project: string, stack: string): string {
    return `log-${project}-${stack}`
        .replace(/[^A-Za-z0-9-]/g, "-")
        .slice(0, 63)
        .replace(/-+$/, "");
}

export function readAudit(
    problems: Problems,
    raw: unknown,
    context: { readonly project: string; readonly stack: string },
): AuditSettings {
    const audit = new ConfigObject(problems, "audit", raw, AUDIT_KEYS);
    return {
        enabled: audit.boolean("enabled", isProductionStack(context.stack)),
        workspace: readWorkspace(problems, audit.raw("workspace"), context),
    };
}

function readWorkspace(
    problems: Problems,
    raw: unknown,
    context: { readonly project: string; readonly stack: string },
): AuditWorkspaceSettings {
    const mode = modeOf(problems, "audit.workspace", raw, AUDIT_WORKSPACE_MODES, "managed");
    const workspace = new ConfigObject(
        problems,
        "audit.workspace",
        raw,
        AUDIT_WORKSPACE_KEYS[mode],
        ` when audit.workspace.mode is "${mode}"`,
    );
    if (mode === "managed") {
        return {
            mode,
            name: workspace.string("name", WORKSPACE_NAME_RULE, defaultWorkspaceName(context.project, context.stack)),
            retentionInDays: workspace.integer(
                "retentionInDays",
                { min: AUDIT_RETENTION.min, max: AUDIT_RETENTION.max, example: String(AUDIT_RETENTION.default) },
                AUDIT_RETENTION.default,
            ),
        };
    }
    const id = workspace.raw("id");
    if (typeof id === "string" && GUID.test(id.trim())) {
        // The portal shows the customer id as "Workspace ID": the most likely wrong value.
        problems.add(
            `${fullKey("audit.workspace.id")} = ${show(id)}: that is a workspace's customer id (the portal's ` +
                `"Workspace ID"); a diagnostic setting needs the workspace's ARM id. Fix: ` +
                fixCommand(
                    "audit.workspace.id",
                    "$(az monitor log-analytics workspace show -g <group> -n <name> --query id -o tsv)",
                ),
        );
        return { mode, id: "" };
    }
    return { mode, id: workspace.requiredString("id", WORKSPACE_ID_RULE) };
}
