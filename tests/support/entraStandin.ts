import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from "jose";

import { ENTRA } from "../../tools/plan/azureErrors";
import { headerRecord, readBody, send, type StandinResponse } from "./standinHttp";
import { startHttpsServer, type RunningServer, type TestTls } from "./tls";

/**
 * A local stand-in for Microsoft Entra ID (the authority at AZURE_AUTHORITY_HOST) that the REAL @azure/identity
 * credentials (MSAL underneath) accept: it serves the tenant's OpenID configuration and signing keys, and the v2.0 token
 * endpoint for the client-credentials grant with a client secret or a client assertion (jwt-bearer, what
 * WorkloadIdentityCredential and ClientAssertionCredential send). Whether a client gets a token is decided by a callback
 * the test supplies, which returns the principal or an Entra-style error (AADSTS code), so a test can plug in its own
 * rules: fixed client secrets (`clientSecrets`), or the validation of a federated credential.
 *
 * Access tokens are RS256 JWTs signed with a key made at start-up, `aud` = the requested resource (the scope without
 * `.default`), with `tid`, `oid`, `appid`/`azp`; other stand-ins (ARM) check them with `verifyAccessToken`.
 *
 * Every request is logged (`requests`), so a test can assert exactly what MSAL asked for. MSAL asks the AUTHORITY host
 * for the OpenID configuration; its instance discovery goes to login.microsoftonline.com, never to the authority, so a
 * client must run with instance discovery disabled (the child processes' loopback guard catches it if not).
 */

export interface EntraRequestRecord {
    readonly method: string;
    readonly path: string;
    readonly query: Readonly<Record<string, string>>;
    readonly headers: Readonly<Record<string, string>>;
    /** Form fields of a POST (the token request), as sent. */
    readonly form: Readonly<Record<string, string>>;
    readonly status: number;
}

/** How the client authenticated in a token request. */
export type ClientCredential =
    | { readonly type: "client_secret"; readonly secret: string }
    | {
          readonly type: "client_assertion";
          /** The assertion as sent (for workload identity: the projected service-account token). */
          readonly assertion: string;
          readonly assertionType: string;
          /** The assertion's claims and header, decoded WITHOUT verification (the authenticator decides trust). */
          readonly claims: Readonly<Record<string, unknown>> | undefined;
          readonly header: Readonly<Record<string, unknown>> | undefined;
      };

export interface ClientAuthentication {
    readonly tenantId: string;
    readonly clientId: string;
    /** The requested scope, e.g. `https://management.azure.com/.default`. */
    readonly scope: string;
    /** The resource the token is for (`aud`): the scope without `.default` (without `/.default` for an application id). */
    readonly resource: string;
    readonly credential: ClientCredential;
    readonly form: Readonly<Record<string, string>>;
}

/** The identity a token is issued to. */
export interface Principal {
    /** Object id of the service principal (`oid`, `sub`). */
    readonly objectId: string;
    /** Application (client) id (`appid`, `azp`); defaults to the requesting client id. */
    readonly appId?: string;
    /** More claims for the access token (e.g. `roles`, `xms_mirid`). */
    readonly claims?: Readonly<Record<string, unknown>>;
}

/** An error as Entra ID returns it from the token endpoint. */
export interface EntraError {
    readonly error: string;
    /** Starts with the AADSTS code, e.g. `AADSTS70021: No matching federated identity record found ...`. */
    readonly error_description: string;
    /** HTTP status; default 401 for invalid_client, else 400. */
    readonly status?: number;
}

export type ClientAuthenticator = (
    request: ClientAuthentication,
) => Principal | EntraError | Promise<Principal | EntraError>;

export interface EntraStandinOptions {
    readonly tls: TestTls;
    readonly tenantId: string;
    readonly authenticate: ClientAuthenticator;
    /** Access token lifetime in seconds (Entra: about an hour). */
    readonly tokenLifetimeSeconds?: number;
    /**
     * Entra's clock for judging client assertions, in seconds since the epoch; the real time by default. Tests of
     * long runs inject a simulated clock, so no test waits for a token to expire. (Access tokens are stamped with the
     * real time: the ARM stand-in checks them with the real clock.)
     */
    readonly assertionClock?: () => number;
    /** Called after each token request is answered, e.g. to move a simulated clock on by one step of a run. */
    readonly afterTokenRequest?: (request: EntraRequestRecord) => void;
    /**
     * Loopback port to listen on (default: any free one). A Kubernetes API server that trusts this stand-in as a JWT
     * issuer must name its issuer URL, port included, before the stand-in starts.
     */
    readonly port?: number;
}

/** Issued access token, for assertions on what was handed out. */
export interface IssuedToken {
    readonly clientId: string;
    readonly scope: string;
    readonly claims: Readonly<Record<string, unknown>>;
}

/** `<application id>/`: a scope that names an application by its client id rather than by an application id URI. */
const APPLICATION_ID_SCOPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/$/i;

/** Scopes MSAL adds on its own; they ask for an ID or refresh token, which the client credentials grant never gives. */
const OPENID_CONNECT_SCOPES = new Set(["openid", "offline_access", "profile"]);

export const JWT_BEARER_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export function entraError(error: string, description: string, status?: number): EntraError {
    return status === undefined
        ? { error, error_description: description }
        : { error, error_description: description, status };
}

export function isEntraError(decision: Principal | EntraError): decision is EntraError {
    return "error" in decision;
}

/** Authenticator for fixed client secrets, with the errors Entra gives for an unknown app or a wrong secret. */
export function clientSecrets(
    applications: Readonly<Record<string, { readonly secret: string; readonly objectId: string }>>,
): ClientAuthenticator {
    return ({ tenantId, clientId, credential }) => {
        const application = applications[clientId];
        if (application === undefined) {
            return entraError(
                "unauthorized_client",
                `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${tenantId}'. ` +
                    `This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
                400,
            );
        }
        if (credential.type !== "client_secret" || credential.secret !== application.secret) {
            return entraError(
                "invalid_client",
                `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, ` +
                    `not the client secret ID, for a secret added to app '${clientId}'.`,
            );
        }
        return { objectId: application.objectId };
    };
}

type SigningKeys = Awaited<ReturnType<typeof generateKeyPair>> & { readonly jwk: JWK };

export class EntraStandin {
    readonly requests: EntraRequestRecord[] = [];
    readonly issued: IssuedToken[] = [];

    private constructor(
        private readonly server: RunningServer,
        readonly tenantId: string,
        private readonly options: EntraStandinOptions,
        private readonly keys: SigningKeys,
    ) {}

    static async start(options: EntraStandinOptions): Promise<EntraStandin> {
        const { privateKey, publicKey } = await generateKeyPair("RS256");
        const jwk = { ...(await exportJWK(publicKey)), kid: randomUUID(), use: "sig", alg: "RS256" };
        // The server starts first (its port is part of the stand-in's URL); requests find the stand-in through this.
        const holder: { standin?: EntraStandin } = {};
        const server = await startHttpsServer(
            options.tls,
            (request, response) => {
                void holder.standin?.handle(request, response);
            },
            options.port,
        );
        const standin = new EntraStandin(server, options.tenantId, options, { privateKey, publicKey, jwk });
        holder.standin = standin;
        return standin;
    }

    /** `https://127.0.0.1:<port>/`: the value for AZURE_AUTHORITY_HOST. */
    get url(): string {
        return this.server.url;
    }

    /** The token issuer (`iss`), as Entra's v2.0 endpoint names it. */
    issuer(tenantId = this.tenantId): string {
        return `${this.url}${tenantId}/v2.0`;
    }

    /** The token requests, in order. */
    tokenRequests(): EntraRequestRecord[] {
        return this.requests.filter((request) => /\/oauth2\/v2\.0\/token$/.test(request.path));
    }

    /** Mints an access token as the token endpoint would, for tests that hand a token to a client directly. */
    async mintAccessToken(args: {
        readonly audience: string;
        readonly principal: Principal;
        readonly clientId?: string;
    }): Promise<string> {
        const now = Math.floor(Date.now() / 1000);
        const appId = args.principal.appId ?? args.clientId ?? args.principal.objectId;
        return new SignJWT({
            tid: this.tenantId,
            oid: args.principal.objectId,
            appid: appId,
            azp: appId,
            idtyp: "app",
            ver: "2.0",
            uti: randomUUID(),
            ...args.principal.claims,
        })
            .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: this.keys.jwk.kid })
            .setIssuer(this.issuer())
            .setAudience(args.audience)
            .setSubject(args.principal.objectId)
            .setIssuedAt(now)
            .setNotBefore(now)
            .setExpirationTime(now + (this.options.tokenLifetimeSeconds ?? 3599))
            .sign(this.keys.privateKey);
    }

    /** Verifies a token this stand-in issued for `audience`; throws with the reason otherwise. */
    async verifyAccessToken(token: string, audience: string): Promise<Record<string, unknown>> {
        const { payload } = await jwtVerify(token, this.keys.publicKey, { issuer: this.issuer(), audience });
        return payload as Record<string, unknown>;
    }

    close(): Promise<void> {
        return this.server.close();
    }

    private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
        const url = new URL(request.url ?? "/", this.url);
        const text = await readBody(request);
        const form =
            request.method === "POST" ? Object.fromEntries(new URLSearchParams(text)) : ({} as Record<string, string>);
        let reply: StandinResponse;
        try {
            reply = await this.route(request.method ?? "GET", url.pathname, form);
        } catch (error) {
            reply = { status: 500, body: { error: "server_error", error_description: String(error) } };
        }
        const record: EntraRequestRecord = {
            method: request.method ?? "GET",
            path: url.pathname,
            query: Object.fromEntries(url.searchParams),
            headers: headerRecord(request),
            form,
            status: reply.status,
        };
        this.requests.push(record);
        send(response, reply);
        if (/\/oauth2\/v2\.0\/token$/.test(record.path)) {
            this.options.afterTokenRequest?.(record);
        }
    }

    private async route(method: string, path: string, form: Record<string, string>): Promise<StandinResponse> {
        const openId = /^\/([^/]+)(?:\/v2\.0)?\/\.well-known\/openid-configuration$/.exec(path);
        if (method === "GET" && openId) {
            return this.knownTenant(openId[1]) ?? { status: 200, body: this.openIdConfiguration(openId[1]) };
        }
        const keys = /^\/([^/]+)\/discovery(?:\/v2\.0)?\/keys$/.exec(path);
        if (method === "GET" && keys) {
            return this.knownTenant(keys[1]) ?? { status: 200, body: { keys: [this.keys.jwk] } };
        }
        const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
        if (method === "POST" && token) {
            return this.knownTenant(token[1]) ?? this.token(token[1], form);
        }
        return {
            status: 404,
            body: { error: "not_found", error_description: `the Entra stand-in has no ${method} ${path}` },
        };
    }

    private knownTenant(tenantId: string): StandinResponse | undefined {
        if (tenantId === this.tenantId) {
            return undefined;
        }
        return this.errorReply(
            entraError(
                "invalid_request",
                `AADSTS90002: Tenant '${tenantId}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
                400,
            ),
        );
    }

    private openIdConfiguration(tenantId: string) {
        const base = `${this.url}${tenantId}`;
        return {
            token_endpoint: `${base}/oauth2/v2.0/token`,
            token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            jwks_uri: `${base}/discovery/v2.0/keys`,
            response_modes_supported: ["query", "fragment", "form_post"],
            subject_types_supported: ["pairwise"],
            id_token_signing_alg_values_supported: ["RS256"],
            response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
            scopes_supported: ["openid", "profile", "email", "offline_access"],
            issuer: this.issuer(tenantId),
            request_uri_parameter_supported: false,
            userinfo_endpoint: `${this.url}oidc/userinfo`,
            authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
            device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
            http_logout_supported: true,
            frontchannel_logout_supported: true,
            end_session_endpoint: `${base}/oauth2/v2.0/logout`,
            claims_supported: ["sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid"],
            kerberos_endpoint: `${base}/kerberos`,
            tenant_region_scope: "NA",
            cloud_instance_name: new URL(this.url).host,
            cloud_graph_host_name: "graph.windows.net",
            msgraph_host: "graph.microsoft.com",
            rbac_url: "https://pas.windows.net",
        };
    }

    private async token(tenantId: string, form: Record<string, string>): Promise<StandinResponse> {
        if (form.grant_type !== "client_credentials") {
            return this.errorReply(
                entraError(
                    "unsupported_grant_type",
                    `AADSTS70003: The app requested an unsupported grant type '${form.grant_type ?? ""}'.`,
                    400,
                ),
            );
        }
        const clientId = form.client_id;
        if (!clientId) {
            return this.errorReply(
                entraError(
                    "invalid_request",
                    "AADSTS900144: The request body must contain the following parameter: 'client_id'.",
                    400,
                ),
            );
        }
        // MSAL for Go (kubelogin, the Go azidentity) adds the OpenID Connect scopes to every request, the client
        // credentials grant included ("<resource>/.default openid offline_access profile"); Entra ignores them there.
        const scope = (form.scope ?? "")
            .split(" ")
            .filter((value) => value !== "" && !OPENID_CONNECT_SCOPES.has(value))
            .join(" ");
        if (!/^\S+\/\.default$/.test(scope)) {
            return this.errorReply(
                entraError(
                    "invalid_scope",
                    `AADSTS1002012: The provided value for scope ${scope} is not valid. Client credential flows must have a ` +
                        `scope value with /.default suffixed to the resource identifier (application ID URI).`,
                    400,
                ),
            );
        }
        let credential: ClientCredential;
        if (form.client_secret !== undefined && form.client_assertion === undefined) {
            credential = { type: "client_secret", secret: form.client_secret };
        } else if (form.client_assertion !== undefined && form.client_secret === undefined) {
            if (form.client_assertion_type !== JWT_BEARER_ASSERTION_TYPE) {
                return this.errorReply(
                    entraError(
                        "invalid_request",
                        `AADSTS7000219: 'client_assertion_type' must be '${JWT_BEARER_ASSERTION_TYPE}'.`,
                        400,
                    ),
                );
            }
            credential = {
                type: "client_assertion",
                assertion: form.client_assertion,
                assertionType: form.client_assertion_type,
                claims: decodeOrUndefined(() => decodeJwt(form.client_assertion)),
                header: decodeOrUndefined(() => decodeProtectedHeader(form.client_assertion)),
            };
        } else {
            return this.errorReply(
                entraError(
                    "invalid_client",
                    "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
                ),
            );
        }

        const outsideLifetime = credential.type === "client_assertion" ? this.outsideLifetime(credential) : undefined;
        if (outsideLifetime !== undefined) {
            return this.errorReply(outsideLifetime);
        }

        // A scope named by application id (`<guid>/.default`, e.g. the AKS server application's) gets that id as `aud`,
        // without the slash, as Entra issues it; a scope named by URI keeps the URI (`https://management.azure.com/`).
        const named = scope.slice(0, -".default".length);
        const resource = APPLICATION_ID_SCOPE.test(named) ? named.slice(0, -1) : named;
        const decision = await this.options.authenticate({ tenantId, clientId, scope, resource, credential, form });
        if (isEntraError(decision)) {
            return this.errorReply(decision);
        }
        const accessToken = await this.mintAccessToken({ audience: resource, principal: decision, clientId });
        this.issued.push({ clientId, scope, claims: decodeJwt(accessToken) });
        const lifetime = this.options.tokenLifetimeSeconds ?? 3599;
        return {
            status: 200,
            body: { token_type: "Bearer", expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken },
        };
    }

    /**
     * Entra refuses an assertion outside its lifetime before it looks for a federated credential: AADSTS700024, as
     * ENTRA.assertionExpired words it (an unsigned or undecodable assertion is the authenticator's to judge).
     */
    private outsideLifetime(credential: ClientCredential & { type: "client_assertion" }): EntraError | undefined {
        const exp = credential.claims?.exp;
        if (typeof exp !== "number") {
            return undefined;
        }
        const nbf = typeof credential.claims?.nbf === "number" ? credential.claims.nbf : undefined;
        const now = this.options.assertionClock?.() ?? Date.now() / 1000;
        if (now < exp && (nbf === undefined || now >= nbf)) {
            return undefined;
        }
        const expired = ENTRA.assertionExpired(now, nbf, exp);
        return entraError(expired.error, expired.description, expired.status);
    }

    private errorReply(error: EntraError): StandinResponse {
        const code = /^AADSTS(\d+)/.exec(error.error_description)?.[1];
        const traceId = randomUUID();
        const correlationId = randomUUID();
        const timestamp = new Date()
            .toISOString()
            .replace("T", " ")
            .replace(/\.\d+Z$/, "Z");
        return {
            status: error.status ?? (error.error === "invalid_client" ? 401 : 400),
            body: {
                error: error.error,
                error_description: `${error.error_description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
                error_codes: code === undefined ? [] : [Number(code)],
                timestamp,
                trace_id: traceId,
                correlation_id: correlationId,
                ...(code === undefined ? {} : { error_uri: `${this.url}error?code=${code}` }),
            },
        };
    }
}

function decodeOrUndefined<T>(decode: () => T): T | undefined {
    try {
        return decode();
    } catch {
        return undefined;
    }
}
