import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";

import { headerRecord, send, type StandinResponse } from "./standinHttp";
import { startHttpsServer, type RunningServer, type TestTls } from "./tls";

/**
 * A local stand-in for GitHub Actions' OIDC token endpoint (the job's ACTIONS_ID_TOKEN_REQUEST_URL), on 127.0.0.1 only.
 * Like GitHub's: GET <request URL>&audience=<aud> with `Authorization: bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>` answers
 * `{"count": ..., "value": "<jwt>"}`; a missing or wrong bearer token answers 401. The JWT is signed with a key made at
 * start-up and published at the issuer's discovery document and JWKS (served here too, so the Entra stand-in's
 * federation rule can verify it); `iss`, `sub` and `aud` as GitHub sets them, `iat`/`nbf` = the injected clock's now and
 * `exp` = now + `lifetimeSeconds`: the assertion expires after N simulated seconds, never after real ones.
 */

export interface ActionsTokenStandinOptions {
    readonly tls: TestTls;
    /** Seconds since the epoch; the time each token is stamped with. */
    readonly clock: () => number;
    /** How long a token is valid, in seconds (GitHub's are short-lived: minutes). */
    readonly lifetimeSeconds: number;
    /** The job's `sub`, e.g. `repo:contoso/aks-openai-wi:environment:prod`. */
    readonly subject: string;
    /** ACTIONS_ID_TOKEN_REQUEST_TOKEN: the bearer token requests must carry. */
    readonly requestToken: string;
}

export interface ActionsTokenRequest {
    readonly path: string;
    readonly query: Readonly<Record<string, string>>;
    readonly authorization: string | undefined;
    readonly status: number;
    /** The issued token's claims, when one was issued. */
    readonly claims?: { readonly iat: number; readonly nbf: number; readonly exp: number; readonly aud: string };
}

/** The path part of GitHub's request URL (a job's token endpoint on its pipelines host). */
const TOKEN_PATH =
    "/00000000-0000-0000-0000-000000000000/_apis/distributedtask/hubs/Actions/plans/plan/jobs/job/idtoken";

export class ActionsTokenStandin {
    readonly requests: ActionsTokenRequest[] = [];

    private constructor(
        private readonly server: RunningServer,
        private readonly options: ActionsTokenStandinOptions,
        private readonly privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"],
        private readonly jwk: JWK,
    ) {}

    static async start(options: ActionsTokenStandinOptions): Promise<ActionsTokenStandin> {
        const { privateKey, publicKey } = await generateKeyPair("RS256");
        const jwk = { ...(await exportJWK(publicKey)), kid: randomUUID(), use: "sig", alg: "RS256" };
        const holder: { standin?: ActionsTokenStandin } = {};
        const server = await startHttpsServer(options.tls, (request, response) => {
            void holder.standin?.handle(request, response);
        });
        const standin = new ActionsTokenStandin(server, options, privateKey, jwk);
        holder.standin = standin;
        return standin;
    }

    /** The requests for a token (not the issuer's discovery and keys, which Entra reads), in order. */
    tokenRequests(): ActionsTokenRequest[] {
        return this.requests.filter((request) => request.path === TOKEN_PATH);
    }

    /** ACTIONS_ID_TOKEN_REQUEST_URL: like GitHub's, it already has a query, so clients append `&audience=`. */
    get requestUrl(): string {
        return `${this.server.url.replace(/\/$/, "")}${TOKEN_PATH}?api-version=2.0`;
    }

    /** The tokens' `iss` (GitHub's is https://token.actions.githubusercontent.com); its discovery is served here. */
    get issuer(): string {
        return `${this.server.url}issuer`;
    }

    close(): Promise<void> {
        return this.server.close();
    }

    private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
        const url = new URL(request.url ?? "/", this.server.url);
        const headers = headerRecord(request);
        let reply: StandinResponse;
        let claims: ActionsTokenRequest["claims"];
        if (request.method === "GET" && url.pathname === "/issuer/.well-known/openid-configuration") {
            reply = { status: 200, body: { issuer: this.issuer, jwks_uri: `${this.issuer}/.well-known/jwks` } };
        } else if (request.method === "GET" && url.pathname === "/issuer/.well-known/jwks") {
            reply = { status: 200, body: { keys: [this.jwk] } };
        } else if (request.method === "GET" && url.pathname === TOKEN_PATH) {
            if (headers.authorization?.toLowerCase() !== `bearer ${this.options.requestToken}`.toLowerCase()) {
                reply = { status: 401, body: { message: "Unauthorized: the request token is missing or invalid" } };
            } else {
                // Without an audience GitHub uses the repository owner's URL; the exchange needs api://AzureADTokenExchange.
                const audience = url.searchParams.get("audience") ?? "https://github.com/contoso";
                const now = this.options.clock();
                claims = { iat: now, nbf: now, exp: now + this.options.lifetimeSeconds, aud: audience };
                const token = await new SignJWT({
                    ref: "refs/heads/main",
                    repository: "contoso/aks-openai-wi",
                    environment: "prod",
                    jti: randomUUID(),
                })
                    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: this.jwk.kid })
                    .setIssuer(this.issuer)
                    .setSubject(this.options.subject)
                    .setAudience(audience)
                    .setIssuedAt(claims.iat)
                    .setNotBefore(claims.nbf)
                    .setExpirationTime(claims.exp)
                    .sign(this.privateKey);
                reply = { status: 200, body: { count: 1, value: token } };
            }
        } else {
            reply = {
                status: 404,
                body: { message: `the Actions token stand-in has no ${request.method} ${url.pathname}` },
            };
        }
        this.requests.push({
            path: url.pathname,
            query: Object.fromEntries(url.searchParams),
            authorization: headers.authorization,
            status: reply.status,
            ...(claims === undefined ? {} : { claims }),
        });
        send(response, reply);
    }
}
