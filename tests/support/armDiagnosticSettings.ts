import { armError, type ArmStandin } from "./armStandin";

/**
 * Diagnostic settings (Microsoft.Insights, an extension resource) for the ARM stand-in: the list operation
 * `GET {resourceUri}/providers/Microsoft.Insights/diagnosticSettings`, in the shape ARM answers it (null for the fields
 * a setting leaves out, a retention policy on each category), for the resources a test seeds. A resource without an
 * entry does not exist (404, as ARM answers for a missing parent).
 */

export interface DiagnosticSettingSeed {
    readonly name: string;
    readonly workspaceId?: string;
    readonly logs: readonly {
        readonly category?: string;
        readonly categoryGroup?: string;
        readonly enabled: boolean;
    }[];
    readonly metrics: readonly { readonly category?: string; readonly enabled: boolean }[];
}

/** The api-version azure-native 3.28's DiagnosticSetting uses ("Uses Azure REST API version 2021-05-01-preview"). */
const API_VERSIONS = ["2021-05-01-preview"];

const LIST_PATH =
    /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+)\/providers\/Microsoft\.Insights\/diagnosticSettings$/i;

/** Adds the route and returns the settings by lowercase resource id, for the test to seed. */
export function addDiagnosticSettings(arm: ArmStandin): Map<string, DiagnosticSettingSeed[]> {
    const settings = new Map<string, DiagnosticSettingSeed[]>();
    arm.apiVersions["microsoft.insights"] = [...API_VERSIONS];
    arm.route(
        "GET",
        LIST_PATH,
        (_request, match) => {
            const resourceId = match[1];
            const seeded = settings.get(resourceId.toLowerCase());
            if (seeded === undefined) {
                return armError(404, "ResourceNotFound", `The Resource '${resourceId}' was not found.`);
            }
            return {
                status: 200,
                body: {
                    value: seeded.map((setting) => ({
                        id: `${resourceId}/providers/microsoft.insights/diagnosticSettings/${setting.name}`,
                        type: "Microsoft.Insights/diagnosticSettings",
                        name: setting.name,
                        location: null,
                        kind: null,
                        tags: null,
                        properties: {
                            storageAccountId: null,
                            serviceBusRuleId: null,
                            workspaceId: setting.workspaceId ?? null,
                            eventHubAuthorizationRuleId: null,
                            eventHubName: null,
                            metrics: setting.metrics.map((metric) => ({
                                category: metric.category ?? null,
                                enabled: metric.enabled,
                                retentionPolicy: { enabled: false, days: 0 },
                            })),
                            logs: setting.logs.map((log) => ({
                                category: log.category ?? null,
                                categoryGroup: log.categoryGroup ?? null,
                                enabled: log.enabled,
                                retentionPolicy: { enabled: false, days: 0 },
                            })),
                            logAnalyticsDestinationType: null,
                        },
                    })),
                },
            };
        },
        "Microsoft.Insights",
    );
    return settings;
}
