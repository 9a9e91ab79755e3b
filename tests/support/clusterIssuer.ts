import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import * as https from "node:https";

import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";

import { startHttpsServer, type RunningServer, type TestTls } from "./tls";

/**
 * A local stand-in for an AKS cluster's OIDC issuer: the discovery document and JWKS at the planned issuer URL (served
 * on 127.0.0.1; `route` maps the issuer's host to it), and the kubelet's side, which projects a service-account token
 * into a pod: signed with the issuer's key, `iss` = the issuer URL verbatim, `sub` = system:serviceaccount:<ns>:<sa>,
 * `aud` = the requested audience, and the `kubernetes.io` claims a real projected token carries.
 */

export interface ProjectedTokenRequest {
    readonly namespace: string;
    readonly serviceAccount: string;
    /** The audience the webhook requests: api://AzureADTokenExchange. */
    readonly audience: string;
    readonly podName?: string;
    /** Seconds; the webhook's default expiration is 3600. */
    readonly lifetimeSeconds?: number;
}

export class ClusterIssuer {
    readonly requests: string[] = [];

    private constructor(
        readonly issuerUrl: string,
        private readonly server: RunningServer,
        private readonly privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"],
        private readonly jwk: JWK,
    ) {}

    /** Serves the issuer at `issuerUrl` (e.g. https://eastus.oic.prod-aks.azure.com/<tenant>/<guid>/). */
    static async start(tls: TestTls, issuerUrl: string): Promise<ClusterIssuer> {
        const { privateKey, publicKey } = await generateKeyPair("RS256");
        const jwk = { ...(await exportJWK(publicKey)), kid: randomUUID(), use: "sig", alg: "RS256" };
        const base = new URL(issuerUrl).pathname.replace(/\/?$/, "/");
        const issuer: { current?: ClusterIssuer } = {};
        const server = await startHttpsServer(tls, (request, response) => {
            const path = new URL(request.url ?? "/", "https://issuer").pathname;
            issuer.current?.requests.push(`${request.method} ${path}`);
            const json = (status: number, body: unknown) => {
                response.writeHead(status, { "content-type": "application/json" });
                response.end(JSON.stringify(body));
            };
            if (request.method === "GET" && path === `${base}.well-known/openid-configuration`) {
                json(200, {
                    issuer: issuerUrl,
                    jwks_uri: `${issuerUrl.replace(/\/?$/, "/")}openid/v1/jwks`,
                    response_types_supported: ["id_token"],
                    subject_types_supported: ["public"],
                    id_token_signing_alg_values_supported: ["RS256"],
                });
            } else if (request.method === "GET" && path === `${base}openid/v1/jwks`) {
                json(200, { keys: [jwk] });
            } else {
                json(404, { error: `the cluster issuer stand-in has no ${request.method} ${path}` });
            }
        });
        issuer.current = new ClusterIssuer(issuerUrl, server, privateKey, jwk);
        return issuer.current;
    }

    /** `{"<issuer host>:443": <port>}`: where the issuer's host name leads on this machine. */
    get route(): Record<string, number> {
        const url = new URL(this.issuerUrl);
        return { [`${url.hostname}:${url.port || "443"}`]: Number(new URL(this.server.url).port) };
    }

    /** A projected service-account token, as the kubelet writes it to AZURE_FEDERATED_TOKEN_FILE. */
    async projectToken(request: ProjectedTokenRequest): Promise<string> {
        const now = Math.floor(Date.now() / 1000);
        const podName = request.podName ?? `${request.serviceAccount}-pod`;
        return new SignJWT({
            "kubernetes.io": {
                namespace: request.namespace,
                pod: { name: podName, uid: randomUUID() },
                serviceaccount: { name: request.serviceAccount, uid: randomUUID() },
            },
        })
            .setProtectedHeader({ alg: "RS256", kid: this.jwk.kid as string })
            .setIssuer(this.issuerUrl)
            .setSubject(`system:serviceaccount:${request.namespace}:${request.serviceAccount}`)
            .setAudience([request.audience])
            .setIssuedAt(now)
            .setNotBefore(now)
            .setExpirationTime(now + (request.lifetimeSeconds ?? 3600))
            .sign(this.privateKey);
    }

    close(): Promise<void> {
        return this.server.close();
    }
}

/**
 * GETs JSON over HTTPS the way a server on the internet would reach a host, with `routes` standing in for DNS
 * (`{"host:port": loopbackPort}`) and the test CA as the only trust anchor. Refuses any host without a route.
 */
export function fetchJsonVia(routes: Readonly<Record<string, number>>, tls: TestTls) {
    const ca = readFileSync(tls.caPath, "utf8");
    return (url: string): Promise<unknown> =>
        new Promise((resolve, reject) => {
            const target = new URL(url);
            const key = `${target.hostname}:${target.port || "443"}`;
            const port = routes[key];
            if (target.protocol !== "https:" || port === undefined) {
                reject(new Error(`no route to ${key} (only ${Object.keys(routes).join(", ")})`));
                return;
            }
            const request = https.get(
                {
                    host: "127.0.0.1",
                    port,
                    path: `${target.pathname}${target.search}`,
                    servername: target.hostname,
                    headers: { host: target.host },
                    ca,
                },
                (response) => {
                    let text = "";
                    response.setEncoding("utf8");
                    response.on("data", (chunk) => (text += chunk));
                    response.on("end", () => {
                        if (response.statusCode !== 200) {
                            reject(new Error(`GET ${url}: HTTP ${response.statusCode} ${text.slice(0, 200)}`));
                            return;
                        }
                        try {
                            resolve(JSON.parse(text));
                        } catch (error) {
                            reject(error);
                        }
                    });
                },
            );
            request.on("error", reject);
        });
}
