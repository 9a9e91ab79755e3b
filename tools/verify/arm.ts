import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";

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
 * Azure Resource Manager as verify reads it: the Azure SDK clients with DefaultAzureCredential (az login, environment
 * variables, workload identity...). Instance discovery is off, as in the stack's own ARM calls: MSAL knows the public
 * and national clouds' authorities without it, and with it MSAL would ask login.microsoftonline.com to vouch for any
 * other authority (AZURE_AUTHORITY_HOST).
 */
export class AzureResourceManager implements ArmReader {
    private readonly endpoint: string;
    private readonly scopes: string[];

    constructor(
        armEndpoint: string,
        private readonly credential: TokenCredential = new DefaultAzureCredential({ disableInstanceDiscovery: true }),
    ) {
        const withSlash = armEndpoint.endsWith("/") ? armEndpoint : `${armEndpoint}/`;
        this.endpoint = withSlash.slice(0, -1);
        this.scopes = [`${withSlash}.default`];
    }

    async getCluster(clusterId: string): Promise<ClusterIssuer> {
        const id = parseArmId(clusterId);
        const client = new ContainerServiceClient(this.credential, id.subscriptionId, {
            endpoint: this.endpoint,
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
}
