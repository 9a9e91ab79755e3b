import { readFileSync } from "node:fs";
import * as https from "node:https";

/**
 * A small client for the local API server: JSON over HTTPS with a client certificate, nothing cached, every
 * non-2xx answer an error carrying the API server's Status message. The harness uses it for what kubectl cannot do
 * conveniently from a test (watching pods for the kubelet stand-in, TokenRequest, status updates); assertions on
 * state go through the real kubectl (see kubectl.ts).
 */
export interface KubeCredentials {
    readonly server: string;
    readonly caPath: string;
    readonly certPath: string;
    readonly keyPath: string;
}

export class KubeApiError extends Error {
    constructor(
        readonly status: number,
        readonly reason: string,
        message: string,
    ) {
        super(message);
    }
}

export class KubeApi {
    private readonly agent: https.Agent;
    private readonly base: URL;

    constructor(credentials: KubeCredentials) {
        this.base = new URL(credentials.server);
        if (this.base.hostname !== "127.0.0.1") {
            throw new Error(`the e2e API server must be on 127.0.0.1, not ${credentials.server}`);
        }
        this.agent = new https.Agent({
            ca: readFileSync(credentials.caPath),
            cert: readFileSync(credentials.certPath),
            key: readFileSync(credentials.keyPath),
            keepAlive: true,
        });
    }

    /** GET; `accept` names the representation when the API server offers one besides JSON (the JWKS). */
    get<T = any>(path: string, accept = "application/json"): Promise<T> {
        return this.request("GET", path, undefined, undefined, accept);
    }

    post<T = any>(path: string, body: unknown): Promise<T> {
        return this.request("POST", path, body);
    }

    put<T = any>(path: string, body: unknown): Promise<T> {
        return this.request("PUT", path, body);
    }

    /** A JSON merge patch (RFC 7386). */
    patch<T = any>(path: string, body: unknown): Promise<T> {
        return this.request("PATCH", path, body, "application/merge-patch+json");
    }

    delete<T = any>(path: string): Promise<T> {
        return this.request("DELETE", path);
    }

    /** GET that answers undefined for 404. */
    async find<T = any>(path: string): Promise<T | undefined> {
        try {
            return await this.get<T>(path);
        } catch (error) {
            if (error instanceof KubeApiError && error.status === 404) return undefined;
            throw error;
        }
    }

    close(): void {
        this.agent.destroy();
    }

    private request<T>(
        method: string,
        path: string,
        body?: unknown,
        contentType = "application/json",
        accept = "application/json",
    ): Promise<T> {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const url = new URL(path, this.base);
        return new Promise<T>((resolve, reject) => {
            const req = https.request(
                url,
                {
                    method,
                    agent: this.agent,
                    headers: {
                        accept,
                        ...(payload === undefined
                            ? {}
                            : { "content-type": contentType, "content-length": Buffer.byteLength(payload) }),
                    },
                },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (chunk: Buffer) => chunks.push(chunk));
                    res.on("end", () => {
                        const text = Buffer.concat(chunks).toString("utf8");
                        const status = res.statusCode ?? 0;
                        const json = text ? safeJson(text) : undefined;
                        if (status >= 200 && status < 300) {
                            resolve(json as T);
                        } else {
                            const reason = json?.reason ?? String(status);
                            reject(
                                new KubeApiError(
                                    status,
                                    reason,
                                    `${method} ${path}: ${status} ${json?.message ?? text}`,
                                ),
                            );
                        }
                    });
                    res.on("error", reject);
                },
            );
            req.on("error", reject);
            if (payload !== undefined) req.write(payload);
            req.end();
        });
    }
}

function safeJson(text: string): any {
    try {
        return JSON.parse(text);
    } catch {
        return { message: text };
    }
}
