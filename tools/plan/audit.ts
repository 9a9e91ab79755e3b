import type { RegisteredResource } from "../engine/runProgram";
import type { DiscoveryRead } from "./planMocks";

/**
 * Whether `pulumi up` would leave a record of the calls to Azure OpenAI, and where: the diagnostic settings the program
 * registers on an account, their log categories and the workspace they send to (issue 12, docs/audit.md). Judged from
 * the registrations alone, so it describes whatever the program registers, not what the config says.
 */

export interface AuditRoute {
    /** The diagnostic setting's name on the account. */
    readonly setting: string;
    /** The account it is on: "Azure OpenAI account <name>" (created or read), or its resource id. */
    readonly account: string;
    readonly logs: readonly string[];
    readonly metrics: readonly string[];
    /** Where the logs go: "Log Analytics workspace <name> (created by this stack, ...)" or the workspace's id. */
    readonly destination: string;
    /** Whether Audit and RequestResponse, the categories that record calls and callers, are both sent. */
    readonly recordsCalls: boolean;
}

export interface AuditPlan {
    /** True when every account the program uses has a route that records calls. */
    readonly on: boolean;
    readonly routes: readonly AuditRoute[];
    /** One line for the text plan. */
    readonly summary: string;
}

const SETTING_TYPE = "azure-native:monitor:DiagnosticSetting";
const WORKSPACE_TYPE = "azure-native:operationalinsights:Workspace";
const ACCOUNT_TYPE = "azure-native:cognitiveservices:Account";
const CALL_CATEGORIES = ["Audit", "RequestResponse"];

export function analyzeAudit(resources: readonly RegisteredResource[], reads: readonly DiscoveryRead[]): AuditPlan {
    const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
    const linked = (resource: RegisteredResource, property: string, type: string) =>
        (resource.propertyDependencies[property] ?? [])
            .map((urn) => byUrn.get(urn))
            .find((candidate) => candidate?.type === type);

    const routes = resources
        .filter((resource) => resource.type === SETTING_TYPE)
        .map((setting): AuditRoute => {
            const logs = enabledCategories(setting.inputs.logs);
            const account = linked(setting, "resourceUri", ACCOUNT_TYPE);
            const workspace = linked(setting, "workspaceId", WORKSPACE_TYPE);
            return {
                setting: String(setting.inputs.name),
                account:
                    account !== undefined
                        ? `Azure OpenAI account ${String(account.inputs.accountName)} (created by this stack)`
                        : accountOfId(setting.inputs.resourceUri),
                logs,
                metrics: enabledCategories(setting.inputs.metrics),
                destination:
                    workspace !== undefined
                        ? `Log Analytics workspace ${String(workspace.inputs.workspaceName)} (created by this stack, ` +
                          `sku ${String((workspace.inputs.sku as { name?: unknown } | undefined)?.name)}, ` +
                          `retention ${String(workspace.inputs.retentionInDays)} days)`
                        : `Log Analytics workspace ${String(setting.inputs.workspaceId)} (existing)`,
                recordsCalls: CALL_CATEGORIES.every((category) => logs.includes(category)),
            };
        });

    const on = routes.length > 0 && routes.every((route) => route.recordsCalls);
    if (routes.length === 0) {
        const accounts = [
            ...resources.filter((resource) => resource.type === ACCOUNT_TYPE).map((r) => String(r.inputs.accountName)),
            ...reads
                .filter((read) => read.token === "azure-native:cognitiveservices:getAccount")
                .map((read) => String(read.args.accountName)),
        ];
        return {
            on,
            routes,
            summary:
                `AUDIT: off: no diagnostic setting records the calls to Azure OpenAI account ${accounts.join(", ") || "(none)"} ` +
                "(audit.enabled is false; it is on by default for production stack names; docs/audit.md)",
        };
    }
    const lines = routes.map(
        (route) =>
            `diagnostic setting ${route.setting} on ${route.account} sends logs ${route.logs.join(", ") || "(none)"}` +
            `${route.metrics.length > 0 ? ` and metrics ${route.metrics.join(", ")}` : ""} to ${route.destination}`,
    );
    return {
        on,
        routes,
        summary: `AUDIT: ${on ? "on" : "INCOMPLETE (Audit and RequestResponse are both needed)"}: ${lines.join("; ")}`,
    };
}

function enabledCategories(list: unknown): string[] {
    return (Array.isArray(list) ? list : [])
        .filter((entry: { enabled?: unknown }) => entry?.enabled === true)
        .map((entry: { category?: unknown; categoryGroup?: unknown }) => String(entry.category ?? entry.categoryGroup));
}

/** "Azure OpenAI account <name>" for an account's ARM id (one the stack reads), else the value as is. */
function accountOfId(id: unknown): string {
    const name = /\/providers\/Microsoft\.CognitiveServices\/accounts\/([^/]+)$/i.exec(String(id))?.[1];
    return name === undefined ? String(id) : `Azure OpenAI account ${name} (existing)`;
}
