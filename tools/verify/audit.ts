import type { CheckResult } from "./checks";
import type { StackOutputs } from "./outputs";

/**
 * verify's audit check: the account has a diagnostic setting that sends its Audit and RequestResponse logs (and all
 * metrics) to the stack's audit workspace; and, when it does, a ready KQL query that lists the calls the workload
 * identity made (docs/audit.md explains the query and where its columns come from).
 */

/** A diagnostic setting as ARM returns it (`GET {resource}/providers/Microsoft.Insights/diagnosticSettings`). */
export interface DiagnosticSettingView {
    readonly name: string;
    readonly workspaceId: string | undefined;
    readonly logs: readonly {
        readonly category?: string;
        readonly categoryGroup?: string;
        readonly enabled: boolean;
    }[];
    readonly metrics: readonly { readonly category?: string; readonly enabled: boolean }[];
}

/** The verify reader's view of diagnostic settings (tools/verify/arm.ts implements it). */
export interface DiagnosticSettingsReader {
    listDiagnosticSettings(resourceUri: string): Promise<DiagnosticSettingView[]>;
}

export const AUDIT_TITLE = "the account sends its Audit and RequestResponse logs to the audit workspace";

/** What verify requires of the setting: the categories components/openAiAuditLog.ts asks for, stated again here. */
const REQUIRED_LOGS = ["Audit", "RequestResponse"];
const REQUIRED_METRIC = "AllMetrics";

/** How far back the printed query looks. */
export const QUERY_LOOKBACK = "7d";

/**
 * The calls the workload identity made, from the account's logs in the workspace. The logs land in AzureDiagnostics
 * (the setting leaves logAnalyticsDestinationType unset); Entra ID calls carry the caller's object id in the JSON of
 * `properties_s`. The filter matches the principal id anywhere in that JSON rather than one key, because only a
 * third-party source names the key (docs/audit.md).
 */
export function callsByPrincipalQuery(accountId: string, principalId: string): string {
    return [
        "AzureDiagnostics",
        `| where TimeGenerated > ago(${QUERY_LOOKBACK})`,
        '| where ResourceProvider == "MICROSOFT.COGNITIVESERVICES"',
        '| where Category in ("Audit", "RequestResponse")',
        `| where _ResourceId =~ ${kqlString(accountId)}`,
        `| where properties_s contains ${kqlString(principalId)}`,
        "| project TimeGenerated, Category, OperationName, ResultSignature, DurationMs, CallerIPAddress, properties_s",
        "| order by TimeGenerated desc",
    ].join("\n");
}

/** A KQL string literal (double quotes, backslash escapes). */
function kqlString(value: string): string {
    return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** The query as one `az` command line, for a workspace whose customer id is known. */
export function queryCommand(customerId: string, query: string): string {
    return `az monitor log-analytics query --workspace ${customerId} --analytics-query '${query.split("\n").join(" ")}'`;
}

function sends(setting: DiagnosticSettingView, category: string): boolean {
    return setting.logs.some(
        (log) =>
            log.enabled &&
            (log.category?.toLowerCase() === category.toLowerCase() ||
                log.categoryGroup?.toLowerCase() === "alllogs" ||
                (category === "Audit" && log.categoryGroup?.toLowerCase() === "audit")),
    );
}

/** The required categories no one of these settings sends. */
function missingFrom(settings: readonly DiagnosticSettingView[]): string[] {
    const logs = REQUIRED_LOGS.filter((category) => !settings.some((setting) => sends(setting, category)));
    const metric = settings.some((s) => s.metrics.some((m) => m.enabled && m.category === REQUIRED_METRIC));
    return [...logs, ...(metric ? [] : [REQUIRED_METRIC])];
}

function describeSetting(setting: DiagnosticSettingView): string {
    const logs = setting.logs.filter((log) => log.enabled).map((log) => log.category ?? log.categoryGroup ?? "?");
    const metrics = setting.metrics.filter((metric) => metric.enabled).map((metric) => metric.category ?? "?");
    return (
        `diagnostic setting ${setting.name}: logs ${logs.join(", ") || "none"}; metrics ${metrics.join(", ") || "none"}` +
        ` -> ${setting.workspaceId === undefined ? "no workspace" : `workspace ${lastSegment(setting.workspaceId)}`}`
    );
}

export async function auditCheck(outputs: StackOutputs, arm: DiagnosticSettingsReader): Promise<CheckResult> {
    const workspaceId = outputs.auditWorkspaceId;
    if (workspaceId === undefined) {
        return {
            title: AUDIT_TITLE,
            status: "skip",
            details: [
                "audit is off for this stack (no auditWorkspaceId output): nothing this stack made records the calls to " +
                    "the account; turn it on with pulumi config set --path 'aks-openai-wi:audit.enabled' true (docs/audit.md)",
            ],
        };
    }
    const account = lastSegment(outputs.openAiAccountId);
    let settings: DiagnosticSettingView[];
    try {
        settings = await arm.listDiagnosticSettings(outputs.openAiAccountId);
    } catch (error) {
        return {
            title: AUDIT_TITLE,
            status: "fail",
            details: [`could not list the diagnostic settings of ${outputs.openAiAccountId}: ${firstLine(error)}`],
            fix:
                "sign in with an account that can read the account's diagnostic settings (Monitoring Reader or Reader " +
                "on it): az login, or the AZURE_* variables DefaultAzureCredential reads",
        };
    }
    const toWorkspace = settings.filter((setting) => setting.workspaceId?.toLowerCase() === workspaceId.toLowerCase());
    const complete = toWorkspace.find(
        (setting) =>
            REQUIRED_LOGS.every((category) => sends(setting, category)) &&
            setting.metrics.some((metric) => metric.enabled && metric.category === REQUIRED_METRIC),
    );
    if (complete === undefined) {
        const found =
            settings.length === 0
                ? [`account ${account} has no diagnostic setting`]
                : settings.map((setting) => `account ${account} has ${describeSetting(setting)}`);
        return {
            title: AUDIT_TITLE,
            status: "fail",
            details: [
                toWorkspace.length === 0
                    ? `no diagnostic setting on account ${account} sends to the audit workspace ${workspaceId}`
                    : missingFrom(toWorkspace).length > 0
                      ? `the settings to the audit workspace lack ${missingFrom(toWorkspace).join(", ")}`
                      : "no single setting to the audit workspace sends Audit, RequestResponse and AllMetrics together",
                ...found,
            ],
            fix:
                "pulumi refresh, then pulumi up: the stack (re)creates its setting with Audit, RequestResponse and " +
                "AllMetrics. If Azure refuses it: an account takes at most 5 diagnostic settings, and one workspace can " +
                "receive a category from only one setting of an account (docs/audit.md)",
        };
    }
    const query = callsByPrincipalQuery(outputs.openAiAccountId, outputs.identityPrincipalId);
    return {
        title: AUDIT_TITLE,
        status: "pass",
        details: [
            `account ${account} has ${describeSetting(complete)}`,
            `calls made by the workload identity (principal ${outputs.identityPrincipalId}) in the last ${QUERY_LOOKBACK}, ` +
                `in the workspace's Logs (entries arrive minutes after a call):`,
            ...query.split("\n").map((line) => `  ${line}`),
            ...(outputs.auditWorkspaceCustomerId === undefined
                ? []
                : ["or from a shell:", `  ${queryCommand(outputs.auditWorkspaceCustomerId, query)}`]),
        ],
    };
}

function lastSegment(id: string): string {
    return (
        id
            .split("/")
            .filter((part) => part !== "")
            .pop() ?? id
    );
}

function firstLine(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    return message.split("\n")[0].trim();
}
