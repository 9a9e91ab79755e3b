import { randomUUID } from "node:crypto";

import { armError, armErrors, type ArmResource, type JsonObject } from "./armShapes";
import type { ArmRequest, ArmStandin } from "./armStandin";
import type { Federation } from "./federatedCredentials";
import type { OpenAiAccount } from "./openAiStandin";
import type { StandinResponse } from "./standinHttp";
import { mockGuid } from "./world";

/**
 * The ARM routes that the azure-native provider stand-in (e2e/azure-native) drives: PUT, GET and DELETE of the resource
 * types the program creates (user-assigned identities, federated identity credentials, role assignments, Cognitive
 * Services accounts and model deployments, managed clusters) and the POST that lists a cluster's user credentials.
 * They write the same maps the other routes read, so a credential created through the plugin is the one `federationOf`
 * hands the Entra stand-in, and a role assignment created through it is the one `openAiAccountOf` hands the OpenAI one.
 *
 * Every write answers synchronously (200 or 201 with the final body); only managed clusters run ARM's long-running
 * operation, as the built-in cluster route already does. What Azure refuses and the stand-in refuses too is named at
 * each check; wording marked "stand-in wording" is not Azure's verbatim text.
 */

/** The api-versions azure-native 3.28 uses (its SDK docs: "Uses Azure REST API version ..."), per namespace. */
export const AZURE_NATIVE_API_VERSIONS: Readonly<Record<string, string>> = {
    "microsoft.containerservice": "2025-09-01",
    "microsoft.cognitiveservices": "2025-06-01",
    "microsoft.managedidentity": "2023-01-31",
    "microsoft.authorization": "2022-04-01",
};

const SEGMENT = "([^/]+)";
const GROUP = `^/subscriptions/${SEGMENT}/resourceGroups/${SEGMENT}/providers`;
const IDENTITY = `${GROUP}/Microsoft\\.ManagedIdentity/userAssignedIdentities/${SEGMENT}`;
const ACCOUNT = `${GROUP}/Microsoft\\.CognitiveServices/accounts/${SEGMENT}`;
const CLUSTER = `${GROUP}/Microsoft\\.ContainerService/managedClusters/${SEGMENT}`;
const ROLE_ASSIGNMENT = /^(\/.*)\/providers\/Microsoft\.Authorization\/roleAssignments\/([^/]+)$/i;

export interface AccountSeed {
    readonly resourceGroupName: string;
    readonly name: string;
    readonly location?: string;
    readonly kind?: "OpenAI" | "AIServices";
    readonly customSubDomainName?: string;
    readonly disableLocalAuth?: boolean;
    readonly subscriptionId?: string;
}

/** Installs the routes on the stand-in; called once by its constructor. */
export function addResourceRoutes(arm: ArmStandin): void {
    const rx = (pattern: string) => new RegExp(`${pattern}$`, "i");
    arm.route("PUT", rx(IDENTITY), (request, m) => putIdentity(arm, request, m), "Microsoft.ManagedIdentity");
    arm.route("GET", rx(IDENTITY), (_request, m) => getIdentity(arm, m), "Microsoft.ManagedIdentity");
    arm.route("DELETE", rx(IDENTITY), (_request, m) => deleteIdentity(arm, m), "Microsoft.ManagedIdentity");
    const credential = `${IDENTITY}/federatedIdentityCredentials/${SEGMENT}`;
    arm.route("PUT", rx(credential), (request, m) => putCredential(arm, request, m), "Microsoft.ManagedIdentity");
    arm.route("DELETE", rx(credential), (_request, m) => deleteCredential(arm, m), "Microsoft.ManagedIdentity");
    arm.route("PUT", ROLE_ASSIGNMENT, (request, m) => putRoleAssignment(arm, request, m), "Microsoft.Authorization");
    arm.route("GET", ROLE_ASSIGNMENT, (_request, m) => getRoleAssignment(arm, m), "Microsoft.Authorization");
    arm.route("DELETE", ROLE_ASSIGNMENT, (_request, m) => deleteRoleAssignment(arm, m), "Microsoft.Authorization");
    arm.route("PUT", rx(ACCOUNT), (request, m) => putAccount(arm, request, m), "Microsoft.CognitiveServices");
    arm.route("GET", rx(ACCOUNT), (_request, m) => getAccount(arm, m), "Microsoft.CognitiveServices");
    arm.route("DELETE", rx(ACCOUNT), (_request, m) => deleteAccount(arm, m), "Microsoft.CognitiveServices");
    const deployment = `${ACCOUNT}/deployments/${SEGMENT}`;
    arm.route("PUT", rx(deployment), (request, m) => putDeployment(arm, request, m), "Microsoft.CognitiveServices");
    arm.route("GET", rx(deployment), (_request, m) => getDeployment(arm, m), "Microsoft.CognitiveServices");
    arm.route("DELETE", rx(deployment), (_request, m) => deleteDeployment(arm, m), "Microsoft.CognitiveServices");
    arm.route("DELETE", rx(CLUSTER), (_request, m) => deleteCluster(arm, m), "Microsoft.ContainerService");
    arm.route(
        "POST",
        rx(`${CLUSTER}/listClusterUserCredential`),
        (_request, m) => listClusterUserCredential(arm, m),
        "Microsoft.ContainerService",
    );
}

// ---- seeding and views for harnesses ---------------------------------------------------------------------------------

/** Adds an existing account (the quickstart's), as a GET returns it, with no deployments unless seeded separately. */
export function seedAccount(arm: ArmStandin, seed: AccountSeed): ArmResource {
    const id = arm.accountId(seed.resourceGroupName, seed.name, seed.subscriptionId);
    const account = accountResource(id, seed.name, {
        location: seed.location ?? "eastus",
        kind: seed.kind ?? "OpenAI",
        sku: { name: "S0" },
        properties: {
            ...(seed.customSubDomainName === undefined ? {} : { customSubDomainName: seed.customSubDomainName }),
            disableLocalAuth: seed.disableLocalAuth ?? false,
            publicNetworkAccess: "Enabled",
        },
    });
    arm.accounts.set(id.toLowerCase(), account);
    if (!arm.deployments.has(id.toLowerCase())) {
        arm.deployments.set(id.toLowerCase(), []);
    }
    return structuredClone(account);
}

/** What `listClusterUserCredential` returns for this cluster: the harness's kubeconfig for its local API server. */
export function setUserKubeconfig(arm: ArmStandin, resourceGroupName: string, name: string, kubeconfig: string): void {
    arm.userKubeconfigs.set(arm.clusterId(resourceGroupName, name).toLowerCase(), kubeconfig);
}

/** The issuer URL a cluster gets when an operation turns its OIDC issuer on (default: AKS's format). */
export function setIssuerUrl(arm: ArmStandin, resourceGroupName: string, name: string, issuerUrl: string): void {
    arm.issuerUrls.set(arm.clusterId(resourceGroupName, name).toLowerCase(), issuerUrl);
}

/** What Entra knows, read from ARM: every identity's ids and every federated credential, for `federatedAuthenticator`. */
export function federationOf(arm: ArmStandin): Federation {
    const identities = [...arm.identities.values()].map((identity) => ({
        name: identity.name,
        clientId: String(identity.properties.clientId),
        principalId: String(identity.properties.principalId),
    }));
    const credentials = [...arm.federatedCredentials.values()].flatMap((list) =>
        list.map((credential) => ({
            // From the credential's own id: the map's keys are lowercased, Entra compares names as written.
            identityName:
                /userAssignedIdentities\/([^/]+)\/federatedIdentityCredentials\//i.exec(credential.id)?.[1] ?? "",
            issuer: String(credential.properties.issuer),
            subject: String(credential.properties.subject),
            audiences: (credential.properties.audiences as string[]) ?? [],
        })),
    );
    return { tenantId: arm.tenantId, identities, credentials };
}

/** The account as the OpenAI stand-in needs it: its deployments and every role assignment ARM holds. */
export function openAiAccountOf(arm: ArmStandin, resourceGroupName: string, name: string): OpenAiAccount {
    const id = arm.accountId(resourceGroupName, name);
    return {
        id,
        deployments: (arm.deployments.get(id.toLowerCase()) ?? []).map((deployment) => deployment.name),
        roleAssignments: arm.roleAssignments.map((assignment) => ({
            principalId: String(assignment.properties.principalId),
            roleDefinitionId: String(assignment.properties.roleDefinitionId),
            scope: String(assignment.properties.scope),
        })),
    };
}

// ---- user-assigned identities and their federated credentials ------------------------------------------------------

function putIdentity(arm: ArmStandin, request: ArmRequest, match: RegExpExecArray): StandinResponse {
    const [, subscriptionId, resourceGroupName, name] = match;
    const body = objectBody(request);
    if (typeof body?.location !== "string") {
        return armError(400, "LocationRequired", "The location property is required for this definition.");
    }
    const id = arm.identityId(resourceGroupName, name, subscriptionId);
    const key = id.toLowerCase();
    const existing = arm.identities.get(key);
    const moved = movedLocation(existing, body.location, name, resourceGroupName);
    if (moved) {
        return moved;
    }
    // Each creation is a new service principal: ids change when an identity is deleted and created again.
    const generation = String((arm.identityGenerations.get(key) ?? 0) + (existing ? 0 : 1));
    arm.identityGenerations.set(key, Number(generation));
    const identity: ArmResource = {
        id,
        name,
        type: "Microsoft.ManagedIdentity/userAssignedIdentities",
        location: body.location,
        tags: (body.tags as JsonObject | undefined) ?? {},
        properties: {
            tenantId: arm.tenantId,
            principalId: mockGuid("principal-id", key, generation),
            clientId: mockGuid("client-id", key, generation),
        },
    };
    arm.identities.set(key, identity);
    if (!arm.federatedCredentials.has(key)) {
        arm.federatedCredentials.set(key, []);
    }
    return { status: existing ? 200 : 201, body: structuredClone(identity) };
}

function getIdentity(arm: ArmStandin, match: RegExpExecArray): StandinResponse {
    const [, subscriptionId, resourceGroupName, name] = match;
    const identity = arm.identities.get(arm.identityId(resourceGroupName, name, subscriptionId).toLowerCase());
    return identity
        ? { status: 200, body: structuredClone(identity) }
        : armErrors.notFound("Microsoft.ManagedIdentity/userAssignedIdentities", name, resourceGroupName);
}

function deleteIdentity(arm: ArmStandin, match: RegExpExecArray): StandinResponse {
    const [, subscriptionId, resourceGroupName, name] = match;
    const key = arm.identityId(resourceGroupName, name, subscriptionId).toLowerCase();
    const existed = arm.identities.delete(key);
    // Federated credentials are child resources: they go with their identity.
    arm.federatedCredentials.delete(key);
    return { status: existed ? 200 : 204 };
}

function putCredential(arm: ArmStandin, request: ArmRequest, match: RegExpExecArray): StandinResponse {
    const [, subscriptionId, resourceGroupName, identityName, name] = match;
    const identityId = arm.identityId(resourceGroupName, identityName, subscriptionId);
    const list = arm.federatedCredentials.get(identityId.toLowerCase());
    if (list === undefined) {
        return parentNotFound("userAssignedIdentities/federatedIdentityCredentials", identityId);
    }
    const properties = (objectBody(request)?.properties ?? {}) as JsonObject;
    const { issuer, subject, audiences } = properties;
    if (typeof issuer !== "string" || !issuer.startsWith("https://")) {
        return armError(400, "BadRequest", `The issuer '${String(issuer)}' must be an https URL. (stand-in wording)`);
    }
    if (typeof subject !== "string" || subject === "" || !Array.isArray(audiences) || audiences.length !== 1) {
        return armError(
            400,
            "BadRequest",
            "A federated identity credential needs a subject and exactly one audience. (stand-in wording)",
        );
    }
    // (issuer, subject) is unique per identity (docs: "Federated identity credential considerations").
    const clash = list.find(
        (other) =>
            other.name.toLowerCase() !== name.toLowerCase() &&
            other.properties.issuer === issuer &&
            other.properties.subject === subject,
    );
    if (clash) {
        return armError(
            409,
            "Conflict",
            `Federated identity credential '${clash.name}' already has issuer '${issuer}' and subject '${subject}'. (stand-in wording)`,
        );
    }
    const credential: ArmResource = {
        id: `${identityId}/federatedIdentityCredentials/${name}`,
        name,
        type: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
        properties: { issuer, subject, audiences: [...(audiences as string[])] },
    };
    const index = list.findIndex((other) => other.name.toLowerCase() === name.toLowerCase());
    if (index >= 0) {
        list[index] = credential;
    } else {
        list.push(credential);
    }
    return { status: index >= 0 ? 200 : 201, body: structuredClone(credential) };
}

function deleteCredential(arm: ArmStandin, match: RegExpExecArray): StandinResponse {
    const [, subscriptionId, resourceGroupName, identityName, name] = match;
    const list = arm.federatedCredentials.get(
        arm.identityId(resourceGroupName, identityName, subscriptionId).toLowerCase(),
    );
    const index = list?.findIndex((other) => other.name.toLowerCase() === name.toLowerCase()) ?? -1;
    if (list === undefined || index < 0) {
        return { status: 204 };
    }
    list.splice(index, 1);
    return { status: 200 };
}

// ---- role assignments ------------------------------------------------------------------------------------------------

function putRoleAssignment(arm: ArmStandin, request: ArmRequest, match: RegExpExecArray): StandinResponse {
    const [, scope, name] = match;
    const properties = (objectBody(request)?.properties ?? {}) as JsonObject;
    const { roleDefinitionId, principalId } = properties;
    if (typeof roleDefinitionId !== "string" || typeof principalId !== "string") {
        return armError(
            400,
            "InvalidRoleAssignmentRequest",
            "roleDefinitionId and principalId are required. (stand-in wording)",
        );
    }
    const id = `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
    const index = arm.roleAssignments.findIndex((other) => other.id.toLowerCase() === id.toLowerCase());
    const existing = index >= 0 ? arm.roleAssignments[index] : undefined;
    if (existing && String(existing.properties.principalId).toLowerCase() !== principalId.toLowerCase()) {
        return armError(
            400,
            "RoleAssignmentUpdateNotPermitted",
            "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
        );
    }
    // One assignment per (scope, role, principal): a second one under another name is refused (docs: "Troubleshoot Azure RBAC").
    const duplicate = arm.roleAssignments.find(
        (other) =>
            other.id.toLowerCase() !== id.toLowerCase() &&
            String(other.properties.scope).toLowerCase() === scope.toLowerCase() &&
            String(other.properties.roleDefinitionId).toLowerCase() === roleDefinitionId.toLowerCase() &&
            String(other.properties.principalId).toLowerCase() === principalId.toLowerCase(),
    );
    if (duplicate) {
        return armError(409, "RoleAssignmentExists", "The role assignment already exists.");
    }
    const now = new Date().toISOString();
    const assignment: ArmResource = {
        id,
        name,
        type: "Microsoft.Authorization/roleAssignments",
        properties: {
            roleDefinitionId,
            principalId,
            principalType: properties.principalType ?? "User",
            scope,
            condition: properties.condition ?? null,
            conditionVersion: properties.conditionVersion ?? null,
            createdOn: existing?.properties.createdOn ?? now,
            updatedOn: now,
            createdBy: null,
            updatedBy: null,
            delegatedManagedIdentityResourceId: properties.delegatedManagedIdentityResourceId ?? null,
            description: properties.description ?? null,
        },
    };
    if (existing) {
        arm.roleAssignments[index] = assignment;
    } else {
        arm.roleAssignments.push(assignment);
    }
    return { status: existing ? 200 : 201, body: structuredClone(assignment) };
}

function getRoleAssignment(arm: ArmStandin, match: RegExpExecArray): StandinResponse {
    const assignment = findRoleAssignment(arm, match);
    return assignment
        ? { status: 200, body: structuredClone(assignment) }
        : armError(404, "RoleAssignmentNotFound", `The role assignment '${match[2]}' is not found.`);
}

function deleteRoleAssignment(arm: ArmStandin, match: RegExpExecArray): StandinResponse {
    const assignment = findRoleAssignment(arm, match);
    if (assignment === undefined) {
        return { status: 204 };
    }
    arm.roleAssignments.splice(arm.roleAssignments.indexOf(assignment), 1);
    return { status: 200, body: structuredClone(assignment) };
}

function findRoleAssignment(arm: ArmStandin, match: RegExpExecArray): ArmResource | undefined {
    const id = `${match[1]}/providers/Microsoft.Authorization/roleAssignments/${match[2]}`.toLowerCase();
    return arm.roleAssignments.find((assignment) => assignment.id.toLowerCase() === id);
}

// ---- Cognitive Services accounts and model deployments --------------------------------------------------------------

function putAccount(arm: ArmStandin, request: ArmRequest, match: RegExpExecArray): StandinResponse {
    const [, subscriptionId, resourceGroupName, name] = match;
    const body = objectBody(request);
    if (typeof body?.location !== "string") {
        return armError(400, "LocationRequired", "The location property is required for this definition.");
    }
    if (typeof body.kind !== "string" || typeof (body.sku as JsonObject | undefined)?.name !== "string") {
        return armError(400, "InvalidRequestContent", "kind and sku.name are required. (stand-in wording)");
    }
    const id = arm.accountId(resourceGroupName, name, subscriptionId);
    const key = id.toLowerCase();
    const existing = arm.accounts.get(key);
    const moved = movedLocation(existing, body.location, name, resourceGroupName);
    if (moved) {
        return moved;
    }
    const account = accountResource(id, name, body);
    arm.accounts.set(key, account);
    if (!arm.deployments.has(key)) {
        arm.deployments.set(key, []);
    }
    return { status: existing ? 200 : 201, body: structuredClone(account) };
}

function getAccount(arm: ArmStandin, match: RegExpExecArray): StandinResponse {
    const [, subscriptionId, resourceGroupName, name] = match;
    const account = arm.accounts.get(arm.accountId(resourceGroupName, name, subscriptionId).toLowerCase());
    return account
        ? { status: 200, body: structuredClone(account) }
        : armErrors.notFound("Microsoft.CognitiveServices/accounts", name, resourceGroupName);
}

function deleteAccount(arm: ArmStandin, match: RegExpExecArray): StandinResponse {
    const [, subscriptionId, resourceGroupName, name] = match;
    const key = arm.accountId(resourceGroupName, name, subscriptionId).toLowerCase();
    const existed = arm.accounts.delete(key);
    arm.deployments.delete(key);
    return { status: existed ? 200 : 204 };
}

function accountResource(id: string, name: string, body: JsonObject): ArmResource {
    const properties = structuredClone((body.properties ?? {}) as JsonObject);
    const subdomain = properties.customSubDomainName as string | undefined;
    // Entra tokens need the custom subdomain; without one an account answers on its regional endpoint.
    const endpoint = subdomain
        ? body.kind === "OpenAI"
            ? `https://${subdomain}.openai.azure.com/`
            : `https://${subdomain}.cognitiveservices.azure.com/`
        : `https://${String(body.location)}.api.cognitive.microsoft.com/`;
    const openAiEndpoint =
        body.kind === "AIServices" && subdomain ? `https://${subdomain}.openai.azure.com/` : endpoint;
    return {
        id,
        name,
        type: "Microsoft.CognitiveServices/accounts",
        etag: `"${randomUUID()}"`,
        kind: body.kind,
        location: body.location,
        sku: structuredClone(body.sku),
        ...(body.tags === undefined ? {} : { tags: structuredClone(body.tags) }),
        ...(body.identity === undefined ? {} : { identity: structuredClone(body.identity) }),
        properties: {
            ...properties,
            provisioningState: "Succeeded",
            endpoint,
            endpoints: { "OpenAI Language Model Instance API": openAiEndpoint },
        },
    };
}

function putDeployment(arm: ArmStandin, request: ArmRequest, match: RegExpExecArray): StandinResponse {
    const [, subscriptionId, resourceGroupName, accountName, name] = match;
    const accountId = arm.accountId(resourceGroupName, accountName, subscriptionId);
    const list = arm.deployments.get(accountId.toLowerCase());
    if (list === undefined) {
        return parentNotFound("accounts/deployments", accountId);
    }
    const body = objectBody(request) ?? {};
    const sku = body.sku as JsonObject | undefined;
    const properties = (body.properties ?? {}) as JsonObject;
    if (typeof sku?.name !== "string" || typeof (properties.model as JsonObject | undefined)?.name !== "string") {
        return armError(400, "InvalidRequestContent", "sku.name and properties.model are required. (stand-in wording)");
    }
    const capacity = typeof sku.capacity === "number" ? sku.capacity : 1;
    const deployment: ArmResource = {
        id: `${accountId}/deployments/${name}`,
        type: "Microsoft.CognitiveServices/accounts/deployments",
        name,
        sku: { name: sku.name, capacity },
        properties: {
            ...structuredClone(properties),
            currentCapacity: capacity,
            provisioningState: "Succeeded",
            rateLimits: [
                { key: "request", renewalPeriod: 10, count: capacity },
                { key: "token", renewalPeriod: 60, count: capacity * 1000 },
            ],
        },
        etag: `"${randomUUID()}"`,
    };
    const index = list.findIndex((other) => other.name.toLowerCase() === name.toLowerCase());
    if (index >= 0) {
        list[index] = deployment;
    } else {
        list.push(deployment);
    }
    return { status: index >= 0 ? 200 : 201, body: structuredClone(deployment) };
}

function getDeployment(arm: ArmStandin, match: RegExpExecArray): StandinResponse {
    const [, subscriptionId, resourceGroupName, accountName, name] = match;
    const list = arm.deployments.get(arm.accountId(resourceGroupName, accountName, subscriptionId).toLowerCase());
    const deployment = list?.find((other) => other.name.toLowerCase() === name.toLowerCase());
    return deployment
        ? { status: 200, body: structuredClone(deployment) }
        : armError(404, "DeploymentNotFound", `The API deployment ${name} doesn't exist.`);
}

function deleteDeployment(arm: ArmStandin, match: RegExpExecArray): StandinResponse {
    const [, subscriptionId, resourceGroupName, accountName, name] = match;
    const list = arm.deployments.get(arm.accountId(resourceGroupName, accountName, subscriptionId).toLowerCase());
    const index = list?.findIndex((other) => other.name.toLowerCase() === name.toLowerCase()) ?? -1;
    if (list === undefined || index < 0) {
        return { status: 204 };
    }
    list.splice(index, 1);
    return { status: 200 };
}

// ---- managed clusters ------------------------------------------------------------------------------------------------

function deleteCluster(arm: ArmStandin, match: RegExpExecArray): StandinResponse {
    const [, subscriptionId, resourceGroupName, name] = match;
    const existed = arm.clusters.delete(arm.clusterId(resourceGroupName, name, subscriptionId).toLowerCase());
    return { status: existed ? 200 : 204 };
}

function listClusterUserCredential(arm: ArmStandin, match: RegExpExecArray): StandinResponse {
    const [, subscriptionId, resourceGroupName, name] = match;
    const key = arm.clusterId(resourceGroupName, name, subscriptionId).toLowerCase();
    if (!arm.clusters.has(key)) {
        return armErrors.notFound("Microsoft.ContainerService/managedClusters", name, resourceGroupName);
    }
    const kubeconfig = arm.userKubeconfigs.get(key);
    if (kubeconfig === undefined) {
        return armError(
            404,
            "NotFound",
            `The ARM stand-in has no user kubeconfig for cluster ${resourceGroupName}/${name}: the harness sets one with setUserKubeconfig.`,
        );
    }
    return {
        status: 200,
        body: { kubeconfigs: [{ name: "clusterUser", value: Buffer.from(kubeconfig).toString("base64") }] },
    };
}

// ---- helpers ---------------------------------------------------------------------------------------------------------

function objectBody(request: ArmRequest): JsonObject | undefined {
    return typeof request.body === "object" && request.body !== null ? (request.body as JsonObject) : undefined;
}

/** ARM keeps a resource where it was created: a PUT with another location is refused, never a move. */
function movedLocation(
    existing: ArmResource | undefined,
    location: string,
    name: string,
    resourceGroupName: string,
): StandinResponse | undefined {
    const normalize = (value: unknown) => String(value).toLowerCase().replace(/\s/g, "");
    if (existing === undefined || normalize(existing.location) === normalize(location)) {
        return undefined;
    }
    return armError(
        400,
        "InvalidResourceLocation",
        `The resource '${name}' already exists in location '${String(existing.location)}' in resource group '${resourceGroupName}'. ` +
            `A resource with the same name cannot be created in location '${location}'. Please select a new resource name.`,
    );
}

function parentNotFound(type: string, parentId: string): StandinResponse {
    return armError(
        404,
        "ParentResourceNotFound",
        `Failed to perform 'write' on resource(s) of type '${type}', because the parent resource '${parentId}' could not be found.`,
    );
}
