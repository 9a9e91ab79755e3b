import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import type { TokenCredential } from "@azure/identity";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

import {
    AUTHORIZATION_API_VERSION,
    CONTAINER_SERVICE_API_VERSION,
    DIAGNOSTIC_SETTINGS_API_VERSION,
    MANAGED_IDENTITY_API_VERSION,
} from "../../components/armApiVersions";
import type { DiagnosticSettingView } from "./audit";
import type { ArmReader, ClusterIssuer, FederatedCredentialView, RoleAssignmentView } from "./checks";

/** The parts of an ARM id verify needs. */
export interface ArmId {
    readonly subscriptionId: string;
    readonly resourceGroupName: string;
    readonly name: string;
}

/** Splits `/subscriptions/<sub>/resourceGroups/<rg>/providers/<ns>/<type>/<name>` (ARM ids are case-insensitive). */
export function parseArmId(id: string): ArmId {
    const match = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/[^/]+\/[^/]+\/([^/]+)$/i.exec(id);
    if (match === null) {
        throw new Error(
            `${id} is not the ARM id of a resource (/subscriptions/<sub>/resourceGroups/<rg>/providers/...)`,
        );
    }
    return { subscriptionId: match[1], resourceGroupName: match[2], name: match[3] };
}

/**
 * Azure Resource Manager as verify reads it: the Azure SDK clients with the project's credential
 * (components/azureCredential.ts: a fresh GitHub OIDC token per Entra request in GitHub Actions, DefaultAzureCredential
 * elsewhere) and the api-versions pinned in components/armApiVersions.ts.
 */
export class AzureResourceManager implements ArmReader {
    private readonly endpoint: string;
    private readonly scopes: string[];

    constructor(
        armEndpoint: string,
        private readonly credential: TokenCredential,
    ) {
        const withSlash = armEndpoint.endsWith("/") ? armEndpoint : `${armEndpoint}/`;
        this.endpoint = withSlash.slice(0, -1);
        this.scopes = [`${withSlash}.default`];
    }

    async getCluster(clusterId: string): Promise<ClusterIssuer> {
        const id = parseArmId(clusterId);
        const client = new ContainerServiceClient(this.credential, id.subscriptionId, {
            endpoint: this.endpoint,
            apiVersion: CONTAINER_SERVICE_API_VERSION,
            credentials: { scopes: this.scopes },
        });
        const cluster = await client.managedClusters.get(id.resourceGroupName, id.name);
        return {
            oidcIssuerEnabled: cluster.oidcIssuerProfile?.enabled === true,
            issuerUrl: cluster.oidcIssuerProfile?.issuerURL,
            disableLocalAccounts: cluster.disableLocalAccounts,
            entraManaged: cluster.aadProfile?.managed,
        };
    }

    async listFederatedCredentials(identityId: string): Promise<FederatedCredentialView[]> {
        const id = parseArmId(identityId);
        const client = new ManagedServiceIdentityClient(this.credential, id.subscriptionId, {
            endpoint: this.endpoint,
            apiVersion: MANAGED_IDENTITY_API_VERSION,
            credentialScopes: this.scopes,
        });
        const credentials: FederatedCredentialView[] = [];
        for await (const credential of client.federatedIdentityCredentials.list(id.resourceGroupName, id.name)) {
            credentials.push({
                name: credential.name ?? "",
                issuer: credential.issuer,
                subject: credential.subject,
                audiences: credential.audiences ?? [],
            });
        }
        return credentials;
    }

    async listRoleAssignments(scope: string, principalId: string): Promise<RoleAssignmentView[]> {
        const { subscriptionId } = parseArmId(scope);
        const client = new AuthorizationManagementClient(this.credential, subscriptionId, {
            endpoint: this.endpoint,
            credentialScopes: this.scopes,
            additionalPolicies: [{ policy: pinnedApiVersionPolicy(AUTHORIZATION_API_VERSION), position: "perCall" }],
        });
        const assignments: RoleAssignmentView[] = [];
        // The scope parameter is a path segment template ({scope}/providers/...): without its leading '/'.
        const pages = client.roleAssignments.listForScope(scope.replace(/^\//, ""), {
            filter: `principalId eq '${principalId}'`,
        });
        for await (const assignment of pages) {
            assignments.push({
                id: assignment.id ?? "",
                scope: assignment.scope,
                roleDefinitionId: assignment.roleDefinitionId,
                principalId: assignment.principalId,
            });
        }
        return assignments;
    }

    /**
     * The diagnostic settings of a resource. No Azure SDK client of this project covers Microsoft.Insights, so this is
     * one REST call (paged by nextLink, bounded) with a token from the same credential.
     */
    async listDiagnosticSettings(resourceUri: string): Promise<DiagnosticSettingView[]> {
        const token = await this.credential.getToken(this.scopes);
        if (token === null) {
            throw new Error(`no token for ${this.scopes.join(" ")}`);
        }
        const settings: DiagnosticSettingView[] = [];
        let next: string | undefined =
            `${this.endpoint}${resourceUri}/providers/Microsoft.Insights/diagnosticSettings?api-version=${DIAGNOSTIC_SETTINGS_API_VERSION}`;
        for (let page = 0; next !== undefined && page < 10; page++) {
            const response = await fetch(next, { headers: { authorization: `Bearer ${token.token}` } });
            const text = await response.text();
            if (!response.ok) {
                const error = (JSON.parse(text || "{}") as { error?: { code?: string; message?: string } }).error;
                throw new Error(
                    `HTTP ${response.status}${error?.code ? ` ${error.code}` : ""}: ${error?.message ?? text.slice(0, 300)}`,
                );
            }
            const body = JSON.parse(text) as { value?: ArmDiagnosticSetting[]; nextLink?: string };
            settings.push(
                ...(body.value ?? []).map((setting) => ({
                    name: setting.name ?? "",
                    workspaceId: setting.properties?.workspaceId ?? undefined,
                    logs: (setting.properties?.logs ?? []).map((log) => ({
                        ...(log.category ? { category: log.category } : {}),
                        ...(log.categoryGroup ? { categoryGroup: log.categoryGroup } : {}),
                        enabled: log.enabled === true,
                    })),
                    metrics: (setting.properties?.metrics ?? []).map((metric) => ({
                        ...(metric.category ? { category: metric.category } : {}),
                        enabled: metric.enabled === true,
                    })),
                })),
            );
            next = body.nextLink ?? undefined;
        }
        return settings;
    }
}

/** The fields of ARM's diagnostic setting resource that verify reads. */
interface ArmDiagnosticSetting {
    readonly name?: string;
    readonly properties?: {
        readonly workspaceId?: string | null;
        readonly logs?: { category?: string | null; categoryGroup?: string | null; enabled?: boolean }[];
        readonly metrics?: { category?: string | null; enabled?: boolean }[];
    };
}

/**
 * Sets `api-version` on every request of a client whose SDK has no option for it (@azure/arm-authorization 9 hard-codes
 * it per operation). Only for clients without long-running operations: their status URLs carry their own api-version.
 */
export function pinnedApiVersionPolicy(apiVersion: string): PipelinePolicy {
    return {
        name: "pinnedApiVersion",
        sendRequest(request, next) {
            const url = new URL(request.url);
            url.searchParams.set("api-version", apiVersion);
            request.url = url.toString();
            return next(request);
        },
    };
}
