import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

import {
    armError,
    armErrors,
    copyReadOnly,
    deploymentResource,
    quickstartCluster,
    type ArmResource,
    type DeploymentSeed,
    type JsonObject,
} from "./armShapes";
import { addResourceRoutes } from "./armResources";
import type { EntraStandin } from "./entraStandin";
import { headerRecord, parseJson, readBody, send, type StandinResponse } from "./standinHttp";
import { startHttpsServer, type RunningServer, type TestTls } from "./tls";
import { aksIssuerUrl, mockGuid, TEST_SUBSCRIPTION_ID } from "./world";

export {
    armError,
    armErrors,
    quickstartCluster,
    writableView,
    type ArmResource,
    type DeploymentSeed,
    type JsonObject,
} from "./armShapes";

/**
 * A local stand-in for Azure Resource Manager on 127.0.0.1, for the REAL Azure SDK clients running in child processes.
 * It speaks ARM's REST shapes for the few resources this project touches, with in-memory state a test seeds and
 * inspects, and a log of every request (method, path, query, headers including if-match and authorization, body).
 *
 * - Managed clusters: GET and PUT. PUT honours If-Match (412 PreconditionFailed, nothing changed), changes the ETag, is
 *   refused with 409 while another operation runs, and is a long-running operation as AKS runs it: 200/201 with the
 *   cluster in `Updating`/`Creating`, `Azure-AsyncOperation` and `Location` headers and `Retry-After: 0`; the operation
 *   is `InProgress` for `lro.inProgressPolls` polls, then ends as `lro.outcome` says. The issuer URL is assigned when
 *   the operation that enabled the issuer succeeds (AKS's format, trailing slash included).
 * - Model deployments of a Cognitive Services account: list, paged with `nextLink` ($skipToken) by `pageSize`.
 * - Federated identity credentials of a user-assigned identity: list and GET by name.
 * - Role assignments at a scope: list with `$filter` (atScope(), principalId eq '...', assignedTo('...')).
 * - What the azure-native provider stand-in (e2e/azure-native) writes and reads: PUT, GET and DELETE of identities,
 *   federated credentials, role assignments, accounts, deployments, cluster DELETE and user credentials
 *   (armResources.ts, which also seeds them and shows them to the Entra and OpenAI stand-ins).
 *
 * Every request must carry a bearer token the Entra stand-in issued for this endpoint (`aud` = `url`), else 401 as ARM
 * answers it. Unknown api-versions are refused as ARM refuses them (400 NoRegisteredProviderFound).
 *
 * Tests extend it with `use` (middleware that sees every authenticated request and may answer it or pass it on),
 * `route` (another path), and `fail` (answer the next N matching requests with an error: 403, 404, 409, 429...).
 */

export interface ArmRequest {
    readonly method: string;
    /** The path as sent (ARM paths are case-insensitive; routes match case-insensitively). */
    readonly path: string;
    readonly query: Readonly<Record<string, string>>;
    /** Lowercase header names. */
    readonly headers: Readonly<Record<string, string>>;
    /** The parsed JSON body (or the raw text when not JSON; undefined when empty). */
    readonly body: unknown;
}

export interface ArmRequestRecord extends ArmRequest {
    readonly status: number;
    /** Claims of the bearer token that authenticated the request; undefined when refused with 401. */
    readonly principal: { readonly oid: string; readonly appid: string; readonly aud: string } | undefined;
}

export type ArmMiddleware = (
    request: ArmRequest,
    next: () => Promise<StandinResponse>,
) => StandinResponse | Promise<StandinResponse>;

export type ArmRouteHandler = (
    request: ArmRequest,
    match: RegExpExecArray,
) => StandinResponse | Promise<StandinResponse>;

interface Route {
    readonly method: string;
    readonly pattern: RegExp;
    /** Lowercase provider namespace whose api-versions apply; undefined accepts any. */
    readonly namespace: string | undefined;
    readonly handler: ArmRouteHandler;
}

export interface RequestMatch {
    readonly method?: string;
    /** Matched against the path (a string must be contained, case-insensitively). */
    readonly path?: RegExp | string;
}

export interface LroBehaviour {
    /** How many status polls answer InProgress before the operation ends. */
    inProgressPolls: number;
    /**
     * Retry-After (seconds) on an InProgress status. The SDK's poller (@azure/core-lro 3) ignores a zero Retry-After
     * and then waits its default 2 s, so 1 is the shortest wait a test can ask for; the PUT's own `Retry-After: 0` is
     * honoured (the first poll follows at once).
     */
    retryAfterSeconds: number;
    /** How the next operations end. */
    outcome:
        | { readonly status: "Succeeded" }
        | { readonly status: "Failed" | "Canceled"; readonly code: string; readonly message: string };
}

interface Operation {
    readonly id: string;
    /** Where the operation's result is polled (the Location header). */
    readonly resultUrl: string;
    readonly resourceKey: string;
    readonly startTime: string;
    remainingPolls: number;
    status: "InProgress" | "Succeeded" | "Failed" | "Canceled";
    error?: { code: string; message: string };
    endTime?: string;
}

/** API versions this stand-in accepts per provider namespace: the ones the project's clients use; tests may add. */
export const DEFAULT_API_VERSIONS: Readonly<Record<string, readonly string[]>> = {
    // @azure/arm-containerservice 25.x; azure-native 3.28 (the e2e provider stand-in)
    "microsoft.containerservice": ["2026-04-01", "2025-09-01"],
    // components/openAiDeployments.ts; azure-native 3.28
    "microsoft.cognitiveservices": ["2024-10-01", "2025-06-01"],
    // @azure/arm-msi (GA versions of federated identity credentials)
    "microsoft.managedidentity": ["2023-01-31", "2024-11-30"],
    // @azure/arm-authorization
    "microsoft.authorization": ["2022-04-01"],
};

/** The api-version AKS puts into its operation status URLs. */
const AKS_OPERATION_API_VERSION = "2016-03-30";

const SEGMENT = "([^/]+)";
const CLUSTER_PATH = new RegExp(
    `^/subscriptions/${SEGMENT}/resourceGroups/${SEGMENT}/providers/Microsoft\\.ContainerService/managedClusters/${SEGMENT}$`,
    "i",
);

export interface ClusterSeed {
    readonly resourceGroupName: string;
    readonly name: string;
    readonly subscriptionId?: string;
    readonly location?: string;
    readonly oidcIssuerEnabled: boolean;
    readonly workloadIdentityEnabled: boolean;
    /** Issuer URL when the issuer is on; default AKS's format for this cluster and tenant. */
    readonly issuerUrl?: string;
    /** Microsoft Entra ID integration (AKS-managed); the quickstart's cluster has it. */
    readonly entraEnabled?: boolean;
}

export interface FederatedCredentialSeed {
    readonly resourceGroupName: string;
    readonly identityName: string;
    readonly name: string;
    readonly issuer: string;
    readonly subject: string;
    readonly audiences?: readonly string[];
    readonly subscriptionId?: string;
}

export interface RoleAssignmentSeed {
    readonly scope: string;
    /** Full role definition id, or a role GUID (expanded with the subscription of the scope). */
    readonly roleDefinitionId: string;
    readonly principalId: string;
    readonly principalType?: "ServicePrincipal" | "User" | "Group" | "ForeignGroup" | "Device";
    /** Assignment name (a GUID); default derived from scope, role and principal. */
    readonly name?: string;
}

export class ArmStandin {
    readonly requests: ArmRequestRecord[] = [];
    /** Managed clusters by lowercase ARM id. */
    readonly clusters = new Map<string, ArmResource>();
    /** Model deployments by lowercase account id; an account exists when it has an entry. */
    readonly deployments = new Map<string, ArmResource[]>();
    /** Federated identity credentials by lowercase identity id; an identity exists when it has an entry. */
    readonly federatedCredentials = new Map<string, ArmResource[]>();
    readonly roleAssignments: ArmResource[] = [];
    /** User-assigned identities written through ARM (armResources.ts), by lowercase id. */
    readonly identities = new Map<string, ArmResource>();
    /** How many times each identity id was created: a re-created identity gets new client and principal ids. */
    readonly identityGenerations = new Map<string, number>();
    /** Cognitive Services accounts as a GET returns them, by lowercase id (armResources.ts). */
    readonly accounts = new Map<string, ArmResource>();
    /** The user kubeconfig `listClusterUserCredential` returns, by lowercase cluster id (armResources.ts). */
    readonly userKubeconfigs = new Map<string, string>();
    /** Issuer URL a cluster gets when its issuer is turned on, by lowercase cluster id; default AKS's format. */
    readonly issuerUrls = new Map<string, string>();
    readonly operations = new Map<string, Operation>();
    /** Accepted api-versions per lowercase provider namespace. */
    readonly apiVersions: Record<string, string[]> = Object.fromEntries(
        Object.entries(DEFAULT_API_VERSIONS).map(([namespace, versions]) => [namespace, [...versions]]),
    );
    /** How long-running operations behave from now on. */
    lro: LroBehaviour = { inProgressPolls: 0, retryAfterSeconds: 1, outcome: { status: "Succeeded" } };
    /** Items per page of list answers (ARM pages with nextLink). */
    pageSize = 100;

    private readonly middleware: ArmMiddleware[] = [];
    private readonly routes: Route[] = [];

    private constructor(
        private readonly server: RunningServer,
        private readonly entra: EntraStandin,
        readonly subscriptionId: string,
    ) {
        this.addBuiltInRoutes();
        addResourceRoutes(this);
    }

    static async start(options: {
        readonly tls: TestTls;
        readonly entra: EntraStandin;
        readonly subscriptionId?: string;
    }): Promise<ArmStandin> {
        // The server starts first (its port is part of the stand-in's URL); requests find the stand-in through this.
        const holder: { standin?: ArmStandin } = {};
        const server = await startHttpsServer(options.tls, (request, response) => {
            void holder.standin?.handle(request, response);
        });
        const standin = new ArmStandin(server, options.entra, options.subscriptionId ?? TEST_SUBSCRIPTION_ID);
        holder.standin = standin;
        return standin;
    }

    /** The tenant of the Entra stand-in that signs this ARM's tokens. */
    get tenantId(): string {
        return this.entra.tenantId;
    }

    /** `https://127.0.0.1:<port>/`: the ARM endpoint (trailing slash) and the audience of its tokens. */
    get url(): string {
        return this.server.url;
    }

    close(): Promise<void> {
        return this.server.close();
    }

    // ---- extension -------------------------------------------------------------------------------------------------

    /** Adds middleware; it runs after authentication, in the order added, before the routes. */
    use(middleware: ArmMiddleware): void {
        this.middleware.push(middleware);
    }

    /** Adds a route; it takes precedence over the built-in ones. `namespace` enables the api-version check. */
    route(method: string, pattern: RegExp, handler: ArmRouteHandler, namespace?: string): void {
        this.routes.unshift({ method, pattern, namespace: namespace?.toLowerCase(), handler });
    }

    /** Answers the next `times` requests that match with `reply` instead of handling them. */
    fail(match: RequestMatch, reply: StandinResponse, times = 1): void {
        let remaining = times;
        this.use((request, next) => {
            if (remaining > 0 && matches(request, match)) {
                remaining--;
                return reply;
            }
            return next();
        });
    }

    /** Requests that match, in order. */
    requestsTo(match: RequestMatch): ArmRequestRecord[] {
        return this.requests.filter((request) => matches(request, match));
    }

    // ---- state -----------------------------------------------------------------------------------------------------

    clusterId(resourceGroupName: string, name: string, subscriptionId = this.subscriptionId): string {
        // AKS returns its ids with a lowercase "resourcegroups" segment.
        return `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/${name}`;
    }

    /** The ARM path of a cluster, as clients address it. */
    clusterPath(resourceGroupName: string, name: string, subscriptionId = this.subscriptionId): string {
        return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/${name}`;
    }

    /** Adds a cluster as `az aks create` leaves it (the aks-store-demo quickstart's), with the features as given. */
    seedCluster(seed: ClusterSeed): ArmResource {
        const cluster = quickstartCluster({
            ...seed,
            subscriptionId: seed.subscriptionId ?? this.subscriptionId,
            location: seed.location ?? "eastus",
            tenantId: this.entra.tenantId,
            id: this.clusterId(seed.resourceGroupName, seed.name, seed.subscriptionId),
        });
        this.clusters.set(cluster.id.toLowerCase(), cluster);
        return structuredClone(cluster);
    }

    /** The cluster as a GET returns it now (a copy). */
    cluster(resourceGroupName: string, name: string, subscriptionId = this.subscriptionId): ArmResource {
        const cluster = this.clusters.get(this.clusterId(resourceGroupName, name, subscriptionId).toLowerCase());
        if (cluster === undefined) {
            throw new Error(`the ARM stand-in has no cluster ${resourceGroupName}/${name}`);
        }
        return structuredClone(cluster);
    }

    /** Changes a cluster out of band (someone else's `az aks update`): the ETag changes as it does in ARM. */
    updateCluster(resourceGroupName: string, name: string, change: (cluster: ArmResource) => void): ArmResource {
        const key = this.clusterId(resourceGroupName, name).toLowerCase();
        const cluster = this.clusters.get(key);
        if (cluster === undefined) {
            throw new Error(`the ARM stand-in has no cluster ${resourceGroupName}/${name}`);
        }
        change(cluster);
        cluster.eTag = randomUUID();
        return structuredClone(cluster);
    }

    accountId(resourceGroupName: string, accountName: string, subscriptionId = this.subscriptionId): string {
        return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.CognitiveServices/accounts/${accountName}`;
    }

    /** Creates the account (if new) with these model deployments, in this order. */
    seedDeployments(
        resourceGroupName: string,
        accountName: string,
        deployments: readonly (DeploymentSeed | string)[],
    ): ArmResource[] {
        const accountId = this.accountId(resourceGroupName, accountName);
        const resources = deployments.map((seed) =>
            deploymentResource(accountId, typeof seed === "string" ? { name: seed } : seed),
        );
        this.deployments.set(accountId.toLowerCase(), resources);
        return structuredClone(resources);
    }

    identityId(resourceGroupName: string, identityName: string, subscriptionId = this.subscriptionId): string {
        return `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${identityName}`;
    }

    /** Creates a user-assigned identity with no federated credentials (if new). */
    seedIdentity(resourceGroupName: string, identityName: string, subscriptionId = this.subscriptionId): void {
        const key = this.identityId(resourceGroupName, identityName, subscriptionId).toLowerCase();
        if (!this.federatedCredentials.has(key)) {
            this.federatedCredentials.set(key, []);
        }
    }

    seedFederatedCredential(seed: FederatedCredentialSeed): ArmResource {
        const subscriptionId = seed.subscriptionId ?? this.subscriptionId;
        this.seedIdentity(seed.resourceGroupName, seed.identityName, subscriptionId);
        const identityId = this.identityId(seed.resourceGroupName, seed.identityName, subscriptionId);
        const credential: ArmResource = {
            id: `${identityId}/federatedIdentityCredentials/${seed.name}`,
            name: seed.name,
            type: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
            properties: {
                issuer: seed.issuer,
                subject: seed.subject,
                audiences: [...(seed.audiences ?? ["api://AzureADTokenExchange"])],
            },
        };
        const list = this.federatedCredentials.get(identityId.toLowerCase())!;
        const index = list.findIndex((existing) => existing.name.toLowerCase() === seed.name.toLowerCase());
        if (index >= 0) {
            list[index] = credential;
        } else {
            list.push(credential);
        }
        return structuredClone(credential);
    }

    seedRoleAssignment(seed: RoleAssignmentSeed): ArmResource {
        const subscription = /^\/subscriptions\/([^/]+)/i.exec(seed.scope)?.[1] ?? this.subscriptionId;
        const roleDefinitionId = seed.roleDefinitionId.startsWith("/")
            ? seed.roleDefinitionId
            : `/subscriptions/${subscription}/providers/Microsoft.Authorization/roleDefinitions/${seed.roleDefinitionId}`;
        const name =
            seed.name ?? mockGuid("role-assignment", seed.scope.toLowerCase(), roleDefinitionId, seed.principalId);
        const now = new Date().toISOString();
        const assignment: ArmResource = {
            id: `${seed.scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
            name,
            type: "Microsoft.Authorization/roleAssignments",
            properties: {
                roleDefinitionId,
                principalId: seed.principalId,
                principalType: seed.principalType ?? "ServicePrincipal",
                scope: seed.scope,
                condition: null,
                conditionVersion: null,
                createdOn: now,
                updatedOn: now,
                createdBy: null,
                updatedBy: null,
                delegatedManagedIdentityResourceId: null,
                description: null,
            },
        };
        this.roleAssignments.push(assignment);
        return structuredClone(assignment);
    }

    // ---- request handling ------------------------------------------------------------------------------------------

    private async handle(message: IncomingMessage, response: ServerResponse): Promise<void> {
        const url = new URL(message.url ?? "/", this.url);
        const request: ArmRequest = {
            method: message.method ?? "GET",
            path: url.pathname,
            query: Object.fromEntries(url.searchParams),
            headers: headerRecord(message),
            body: parseJson(await readBody(message)),
        };
        let reply: StandinResponse;
        let principal: ArmRequestRecord["principal"];
        try {
            const auth = await this.authenticate(request);
            if ("reply" in auth) {
                reply = auth.reply;
            } else {
                principal = auth.principal;
                reply = await this.dispatch(request, 0);
            }
        } catch (error) {
            reply = armError(500, "InternalServerError", `ARM stand-in failure: ${String(error)}`);
        }
        this.requests.push({ ...request, status: reply.status, principal });
        send(response, reply);
    }

    private async authenticate(
        request: ArmRequest,
    ): Promise<{ principal: NonNullable<ArmRequestRecord["principal"]> } | { reply: StandinResponse }> {
        const challenge = {
            "www-authenticate": `Bearer authorization_uri="${this.entra.url}${this.entra.tenantId}", error="invalid_token", error_description="The authentication failed because of missing 'Authorization' header."`,
        };
        const token = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
        if (token === undefined) {
            return {
                reply: armError(
                    401,
                    "AuthenticationFailed",
                    "Authentication failed. The 'Authorization' header is missing.",
                    challenge,
                ),
            };
        }
        try {
            const claims = await this.entra.verifyAccessToken(token, this.url);
            return { principal: { oid: String(claims.oid), appid: String(claims.appid), aud: String(claims.aud) } };
        } catch (error) {
            const code = (error as { code?: string }).code;
            if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED" && (error as { claim?: string }).claim === "aud") {
                return {
                    reply: armError(
                        401,
                        "InvalidAuthenticationTokenAudience",
                        `The access token has been obtained for wrong audience or resource. It should exactly match with one of ` +
                            `the allowed audiences '${this.url}'.`,
                        challenge,
                    ),
                };
            }
            if (code === "ERR_JWT_EXPIRED") {
                return {
                    reply: armError(
                        401,
                        "ExpiredAuthenticationToken",
                        "The access token expiry UTC time is in the past.",
                        challenge,
                    ),
                };
            }
            return { reply: armError(401, "InvalidAuthenticationToken", "The access token is invalid.", challenge) };
        }
    }

    private async dispatch(request: ArmRequest, index: number): Promise<StandinResponse> {
        if (index < this.middleware.length) {
            return this.middleware[index](request, () => this.dispatch(request, index + 1));
        }
        for (const route of this.routes) {
            const match = route.method === request.method ? route.pattern.exec(request.path) : null;
            if (match) {
                return this.checkApiVersion(request, route.namespace) ?? route.handler(request, match);
            }
        }
        return armError(404, "NotFound", `The ARM stand-in has no route for ${request.method} ${request.path}.`);
    }

    private checkApiVersion(request: ArmRequest, namespace: string | undefined): StandinResponse | undefined {
        const version = request.query["api-version"];
        if (version === undefined) {
            return armError(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            );
        }
        if (namespace === undefined) {
            return undefined;
        }
        const supported = this.apiVersions[namespace] ?? [];
        if (!supported.includes(version)) {
            return armError(
                400,
                "NoRegisteredProviderFound",
                `No registered resource provider found for location 'eastus' and API version '${version}' for type in namespace ` +
                    `'${namespace}'. The supported api-versions are '${supported.join(", ")}'.`,
            );
        }
        return undefined;
    }

    private addBuiltInRoutes(): void {
        this.route("GET", CLUSTER_PATH, (_request, match) => this.getCluster(match), "Microsoft.ContainerService");
        this.route(
            "PUT",
            CLUSTER_PATH,
            (request, match) => this.putCluster(request, match),
            "Microsoft.ContainerService",
        );
        this.route(
            "GET",
            new RegExp(
                `^/subscriptions/${SEGMENT}/providers/Microsoft\\.ContainerService/locations/${SEGMENT}/operations/${SEGMENT}$`,
                "i",
            ),
            (_request, match) => this.operationStatus(match[3]),
        );
        this.route(
            "GET",
            new RegExp(
                `^/subscriptions/${SEGMENT}/providers/Microsoft\\.ContainerService/locations/${SEGMENT}/operationresults/${SEGMENT}$`,
                "i",
            ),
            (_request, match) => this.operationResult(match[3]),
        );
        this.route(
            "GET",
            new RegExp(
                `^/subscriptions/${SEGMENT}/resourceGroups/${SEGMENT}/providers/Microsoft\\.CognitiveServices/accounts/${SEGMENT}/deployments$`,
                "i",
            ),
            (request, match) => this.listDeployments(request, match),
            "Microsoft.CognitiveServices",
        );
        const identityPath = `^/subscriptions/${SEGMENT}/resourceGroups/${SEGMENT}/providers/Microsoft\\.ManagedIdentity/userAssignedIdentities/${SEGMENT}/federatedIdentityCredentials`;
        this.route(
            "GET",
            new RegExp(`${identityPath}$`, "i"),
            (request, match) => this.listFederatedCredentials(request, match),
            "Microsoft.ManagedIdentity",
        );
        this.route(
            "GET",
            new RegExp(`${identityPath}/${SEGMENT}$`, "i"),
            (_request, match) => this.getFederatedCredential(match),
            "Microsoft.ManagedIdentity",
        );
        this.route(
            "GET",
            /^(\/.*)\/providers\/Microsoft\.Authorization\/roleAssignments$/i,
            (request, match) => this.listRoleAssignments(request, match[1]),
            "Microsoft.Authorization",
        );
    }

    private getCluster(match: RegExpExecArray): StandinResponse {
        const [, subscriptionId, resourceGroupName, name] = match;
        const cluster = this.clusters.get(this.clusterId(resourceGroupName, name, subscriptionId).toLowerCase());
        if (cluster === undefined) {
            return armErrors.notFound("Microsoft.ContainerService/managedClusters", name, resourceGroupName);
        }
        return { status: 200, body: structuredClone(cluster) };
    }

    private putCluster(request: ArmRequest, match: RegExpExecArray): StandinResponse {
        const [, subscriptionId, resourceGroupName, name] = match;
        const key = this.clusterId(resourceGroupName, name, subscriptionId).toLowerCase();
        const existing = this.clusters.get(key);
        const ifMatch = request.headers["if-match"];
        if (ifMatch !== undefined && ifMatch !== "*" && ifMatch !== existing?.eTag) {
            return armError(
                412,
                "PreconditionFailed",
                `Operation is not allowed: the eTag '${ifMatch}' in the If-Match header does not match the current eTag of managed cluster '${name}'. ` +
                    `Get the managed cluster again and retry with its current eTag.`,
            );
        }
        const body = request.body as Partial<ArmResource> | undefined;
        if (typeof body !== "object" || body === null || typeof body.location !== "string") {
            return armError(
                400,
                "InvalidRequestContent",
                "The request content was invalid and could not be deserialized: 'location' is required.",
            );
        }
        if (existing !== undefined && isBusy(existing)) {
            return armErrors.operationInProgress(name, String((existing.properties as JsonObject).provisioningState));
        }

        const properties = structuredClone((body.properties ?? {}) as JsonObject);
        const next: ArmResource = {
            ...structuredClone(body as JsonObject),
            id: existing?.id ?? this.clusterId(resourceGroupName, name, subscriptionId),
            name,
            type: "Microsoft.ContainerService/ManagedClusters",
            eTag: randomUUID(),
            properties,
        };
        if (existing !== undefined) {
            copyReadOnly(existing, next);
        }
        properties.provisioningState = existing === undefined ? "Creating" : "Updating";
        this.clusters.set(key, next);

        const base = `${this.url}subscriptions/${subscriptionId}/providers/Microsoft.ContainerService/locations/${body.location}`;
        const operation = this.startOperation(key, base);
        return {
            status: existing === undefined ? 201 : 200,
            body: structuredClone(next),
            headers: {
                "azure-asyncoperation": `${base}/operations/${operation.id}?api-version=${AKS_OPERATION_API_VERSION}`,
                location: operation.resultUrl,
                "retry-after": "0",
            },
        };
    }

    private startOperation(resourceKey: string, base: string): Operation {
        const id = randomUUID();
        const operation: Operation = {
            id,
            resultUrl: `${base}/operationresults/${id}?api-version=${AKS_OPERATION_API_VERSION}`,
            resourceKey,
            startTime: new Date().toISOString(),
            remainingPolls: this.lro.inProgressPolls,
            status: "InProgress",
        };
        this.operations.set(operation.id.toLowerCase(), operation);
        return operation;
    }

    /** Advances an operation by one poll, and applies its end to the resource. */
    private poll(id: string): Operation | undefined {
        const operation = this.operations.get(id.toLowerCase());
        if (operation === undefined || operation.status !== "InProgress") {
            return operation;
        }
        if (operation.remainingPolls > 0) {
            operation.remainingPolls--;
            return operation;
        }
        const outcome = this.lro.outcome;
        operation.status = outcome.status;
        operation.endTime = new Date().toISOString();
        if (outcome.status !== "Succeeded") {
            operation.error = { code: outcome.code, message: outcome.message };
        }
        const cluster = this.clusters.get(operation.resourceKey);
        if (cluster !== undefined) {
            const properties = cluster.properties as JsonObject;
            properties.provisioningState = outcome.status;
            const issuer = properties.oidcIssuerProfile as JsonObject | undefined;
            if (outcome.status === "Succeeded" && issuer?.enabled === true && issuer.issuerURL === undefined) {
                const tenantId = this.entra.tenantId;
                issuer.issuerURL =
                    this.issuerUrls.get(operation.resourceKey) ??
                    aksIssuerUrl(String(cluster.location), cluster.name, tenantId);
            }
            cluster.eTag = randomUUID();
        }
        return operation;
    }

    private operationStatus(id: string): StandinResponse {
        const operation = this.poll(id);
        if (operation === undefined) {
            return armError(404, "NotFound", `Operation ${id} was not found.`);
        }
        return {
            status: 200,
            body: {
                name: operation.id,
                status: operation.status,
                startTime: operation.startTime,
                ...(operation.endTime === undefined ? {} : { endTime: operation.endTime }),
                ...(operation.error === undefined ? {} : { error: operation.error }),
            },
            headers: operation.status === "InProgress" ? { "retry-after": String(this.lro.retryAfterSeconds) } : {},
        };
    }

    private operationResult(id: string): StandinResponse {
        const operation = this.poll(id);
        if (operation === undefined) {
            return armError(404, "NotFound", `Operation ${id} was not found.`);
        }
        if (operation.status === "InProgress") {
            return {
                status: 202,
                headers: { location: operation.resultUrl, "retry-after": String(this.lro.retryAfterSeconds) },
            };
        }
        if (operation.error !== undefined) {
            return armError(400, operation.error.code, operation.error.message);
        }
        return { status: 204 };
    }

    private listDeployments(request: ArmRequest, match: RegExpExecArray): StandinResponse {
        const [, subscriptionId, resourceGroupName, accountName] = match;
        const deployments = this.deployments.get(
            this.accountId(resourceGroupName, accountName, subscriptionId).toLowerCase(),
        );
        if (deployments === undefined) {
            return armErrors.notFound("Microsoft.CognitiveServices/accounts", accountName, resourceGroupName);
        }
        return this.page(request, deployments);
    }

    private listFederatedCredentials(request: ArmRequest, match: RegExpExecArray): StandinResponse {
        const [, subscriptionId, resourceGroupName, identityName] = match;
        const credentials = this.federatedCredentials.get(
            this.identityId(resourceGroupName, identityName, subscriptionId).toLowerCase(),
        );
        if (credentials === undefined) {
            return armErrors.notFound(
                "Microsoft.ManagedIdentity/userAssignedIdentities",
                identityName,
                resourceGroupName,
            );
        }
        return this.page(request, credentials);
    }

    private getFederatedCredential(match: RegExpExecArray): StandinResponse {
        const [, subscriptionId, resourceGroupName, identityName, name] = match;
        const credentials = this.federatedCredentials.get(
            this.identityId(resourceGroupName, identityName, subscriptionId).toLowerCase(),
        );
        if (credentials === undefined) {
            return armErrors.notFound(
                "Microsoft.ManagedIdentity/userAssignedIdentities",
                identityName,
                resourceGroupName,
            );
        }
        const credential = credentials.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
        if (credential === undefined) {
            return armErrors.notFound(
                "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
                `${identityName}/${name}`,
                resourceGroupName,
            );
        }
        return { status: 200, body: structuredClone(credential) };
    }

    private listRoleAssignments(request: ArmRequest, scope: string): StandinResponse {
        const filter = parseRoleAssignmentFilter(request.query.$filter);
        if (filter === undefined) {
            return armError(
                400,
                "InvalidFilter",
                `The ARM stand-in supports $filter atScope(), principalId eq '<id>', assignedTo('<id>') and their ' and ' combinations; got '${request.query.$filter}'.`,
            );
        }
        const matching = this.roleAssignments.filter((assignment) => {
            const assignmentScope = String((assignment.properties as JsonObject).scope);
            const principalId = String((assignment.properties as JsonObject).principalId);
            // atScope() and assignedTo() return assignments at or above the scope; otherwise those below count too.
            const inScope =
                isSameOrAncestor(assignmentScope, scope) ||
                (!filter.atScope && !filter.assignedTo && isSameOrAncestor(scope, assignmentScope));
            const forPrincipal =
                filter.principalId === undefined || filter.principalId.toLowerCase() === principalId.toLowerCase();
            return inScope && forPrincipal;
        });
        return this.page(request, matching);
    }

    private page(request: ArmRequest, items: readonly ArmResource[]): StandinResponse {
        const start = Number(request.query.$skipToken ?? "0");
        const value = structuredClone(items.slice(start, start + this.pageSize));
        const rest = start + this.pageSize < items.length;
        const query = new URLSearchParams({ ...request.query, $skipToken: String(start + this.pageSize) });
        return {
            status: 200,
            body: rest ? { value, nextLink: `${this.url}${request.path.slice(1)}?${query.toString()}` } : { value },
        };
    }
}

function matches(request: ArmRequest, match: RequestMatch): boolean {
    if (match.method !== undefined && match.method !== request.method) {
        return false;
    }
    if (match.path === undefined) {
        return true;
    }
    return typeof match.path === "string"
        ? request.path.toLowerCase().includes(match.path.toLowerCase())
        : match.path.test(request.path);
}

function isBusy(cluster: ArmResource): boolean {
    const state = (cluster.properties as JsonObject).provisioningState;
    return state !== "Succeeded" && state !== "Failed" && state !== "Canceled";
}

function isSameOrAncestor(ancestor: string, scope: string): boolean {
    const a = ancestor.toLowerCase().replace(/\/$/, "");
    const s = scope.toLowerCase().replace(/\/$/, "");
    return a === s || s.startsWith(`${a}/`);
}

function parseRoleAssignmentFilter(
    filter: string | undefined,
): { atScope: boolean; principalId?: string; assignedTo: boolean } | undefined {
    const result: { atScope: boolean; principalId?: string; assignedTo: boolean } = {
        atScope: false,
        assignedTo: false,
    };
    if (filter === undefined || filter.trim() === "") {
        return result;
    }
    for (const term of filter.split(/\s+and\s+/i)) {
        const principal = /^principalId\s+eq\s+'([^']+)'$/i.exec(term.trim());
        const assigned = /^assignedTo\('([^']+)'\)$/i.exec(term.trim());
        if (/^atScope\(\)$/i.test(term.trim())) {
            result.atScope = true;
        } else if (principal) {
            result.principalId = principal[1];
        } else if (assigned) {
            result.principalId = assigned[1];
            result.assignedTo = true;
        } else {
            return undefined;
        }
    }
    return result;
}
