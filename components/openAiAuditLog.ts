import * as monitor from "@pulumi/azure-native/monitor";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as pulumi from "@pulumi/pulumi";

import type { AuditWorkspaceSettings } from "./config";

/**
 * The log categories of a Cognitive Services account that record calls: `Audit` and `RequestResponse` (the third,
 * `Trace`, is service diagnostics). Both land in the AzureDiagnostics table of the workspace; the RequestResponse
 * entries of Entra ID calls carry the caller's object id (docs/audit.md, with sources).
 */
export const AUDIT_LOG_CATEGORIES = ["Audit", "RequestResponse"] as const;

/** The metric category that covers every platform metric of the account (requests, tokens, latency). */
export const AUDIT_METRIC_CATEGORY = "AllMetrics";

/** The only pricing tier Azure offers new workspaces (pay per GB ingested). */
export const AUDIT_WORKSPACE_SKU = "PerGB2018";

/**
 * The diagnostic setting's name: `<project>-<stack>-audit`. An account takes at most 5 diagnostic settings, and on an
 * account the stack does not own the owner's settings live next to ours: a name carrying the project and the stack
 * cannot collide with theirs, nor with another stack of this project on the same account.
 */
export function auditDiagnosticSettingName(project: string, stack: string): string {
    return `${project}-${stack}-audit`.replace(/[^A-Za-z0-9_.-]/g, "-");
}

export interface OpenAiAuditLogArgs {
    /** ARM id of the Azure OpenAI account to record (managed or existing): the diagnostic setting's resource. */
    readonly openAiAccountId: pulumi.Input<string>;
    /** Name of the diagnostic setting on the account (`auditDiagnosticSettingName`). */
    readonly diagnosticSettingName: string;
    /** The workspace the stack creates (name, retention), or an existing one by ARM id. */
    readonly workspace: AuditWorkspaceSettings;
    /** Resource group of a created workspace. */
    readonly resourceGroupName: string;
    /** Region of a created workspace. */
    readonly location: string;
    /** Refuse to delete or replace a created workspace (the audit trail) until unprotected. Default false. */
    readonly protect?: boolean;
}

/**
 * A record of every call to the Azure OpenAI account: a diagnostic setting on the account that sends the Audit and
 * RequestResponse logs and all metrics to a Log Analytics workspace, which the stack creates or which exists.
 * On an account the stack does not own the setting is additive (the account itself is never changed), and
 * `pulumi destroy` deletes only the setting.
 */
export class OpenAiAuditLog extends pulumi.ComponentResource {
    /** ARM id of the workspace the logs go to. */
    public readonly workspaceId: pulumi.Output<string>;
    /** Customer id (the portal's "Workspace ID", what `az monitor log-analytics query -w` takes) of a created workspace. */
    public readonly workspaceCustomerId?: pulumi.Output<string>;
    public readonly diagnosticSettingName: pulumi.Output<string>;
    public readonly workspace?: operationalinsights.Workspace;
    public readonly diagnosticSetting: monitor.DiagnosticSetting;

    constructor(name: string, args: OpenAiAuditLogArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aks-openai-wi:audit:OpenAiAuditLog", name, {}, opts);

        if (args.workspace.mode === "managed") {
            this.workspace = new operationalinsights.Workspace(
                `${name}-workspace`,
                {
                    resourceGroupName: args.resourceGroupName,
                    workspaceName: args.workspace.name,
                    location: args.location,
                    sku: { name: AUDIT_WORKSPACE_SKU },
                    retentionInDays: args.workspace.retentionInDays,
                },
                // Deleting the workspace deletes the audit trail with it.
                { parent: this, protect: args.protect },
            );
            this.workspaceId = this.workspace.id;
            this.workspaceCustomerId = this.workspace.customerId;
        } else {
            this.workspaceId = pulumi.output(args.workspace.id);
        }

        this.diagnosticSetting = new monitor.DiagnosticSetting(
            `${name}-diagnostic-setting`,
            {
                name: args.diagnosticSettingName,
                resourceUri: args.openAiAccountId,
                workspaceId: this.workspaceId,
                // logAnalyticsDestinationType stays unset: the logs go to AzureDiagnostics, the table docs/audit.md's
                // query (and `npm run verify`'s) reads; "Dedicated" would write resource-specific tables instead.
                logs: AUDIT_LOG_CATEGORIES.map((category) => ({ category, enabled: true })),
                metrics: [{ category: AUDIT_METRIC_CATEGORY, enabled: true }],
            },
            { parent: this },
        );
        this.diagnosticSettingName = this.diagnosticSetting.name;

        this.registerOutputs({
            workspaceId: this.workspaceId,
            workspaceCustomerId: this.workspaceCustomerId,
            diagnosticSettingName: this.diagnosticSettingName,
        });
    }
}
