import * as https from "node:https";

import { assertLoopback, type Settings } from "./settings";
import type { Props } from "./wire";

/**
 * The ARM REST calls azure-native makes (its AzureClient): GET, PUT, POST and DELETE on a resource id with
 * `api-version`, and the long-running-operation polling ARM asks for: an answer with `Azure-AsyncOperation` is polled
 * until the operation reaches a terminal status; a 202 with only `Location` is polled until it stops answering 202.
 * Waits follow `Retry-After`, through an injected `sleep`, so tests decide how long a poll takes.
 */

export class ArmError extends Error {
    constructor(
        readonly status: number,
        readonly code: string,
        message: string,
        readonly method: string,
        readonly url: string,
    ) {
        super(`${method} ${url}: Status=${status} Code="${code}" Message="${message}"`);
    }
}

export interface ArmReply {
    readonly status: number;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: Props | undefined;
}

export type Sleep = (seconds: number) => Promise<void>;

const TERMINAL = new Set(["succeeded", "failed", "canceled"]);
/** Retry-After when ARM sends none (azure-native's default poll interval is longer; loopback needs no more). */
const DEFAULT_POLL_SECONDS = 1;

export class ArmClient {
    constructor(
        private readonly settings: Settings,
        private readonly sleep: Sleep,
    ) {}

    async get(id: string, apiVersion: string): Promise<Props> {
        return (await this.expectOk("GET", this.url(id, { "api-version": apiVersion }))).body ?? {};
    }

    /** GET that answers undefined on 404, for existence checks and refresh. */
    async find(id: string, apiVersion: string): Promise<Props | undefined> {
        const reply = await this.send("GET", this.url(id, { "api-version": apiVersion }));
        if (reply.status === 404) {
            return undefined;
        }
        return (this.check("GET", this.url(id, { "api-version": apiVersion }), reply).body ?? {}) as Props;
    }

    async post(id: string, query: Readonly<Record<string, string>>, body: Props = {}): Promise<Props> {
        return (await this.expectOk("POST", this.url(id, query), body)).body ?? {};
    }

    /** PUT, then the long-running operation if ARM started one. Returns the PUT's own body. */
    async put(id: string, apiVersion: string, body: Props): Promise<Props> {
        const url = this.url(id, { "api-version": apiVersion });
        const reply = await this.expectOk("PUT", url, body);
        await this.awaitOperation("PUT", url, reply);
        return reply.body ?? {};
    }

    /** DELETE; a resource already gone counts as deleted. */
    async delete(id: string, apiVersion: string): Promise<void> {
        const url = this.url(id, { "api-version": apiVersion });
        const reply = await this.send("DELETE", url);
        if (reply.status === 404 || reply.status === 204) {
            return;
        }
        await this.awaitOperation("DELETE", url, this.check("DELETE", url, reply));
    }

    private async awaitOperation(method: string, url: string, reply: ArmReply): Promise<void> {
        const asyncOperation = reply.headers["azure-asyncoperation"];
        const location = reply.headers.location;
        let retryAfter = retryAfterOf(reply);
        // Any 2xx with Azure-AsyncOperation is an operation to follow (azcore's async poller looks at the header only):
        // AKS answers an update with 200 and provisioningState "Updating".
        if (asyncOperation !== undefined) {
            assertLoopback(asyncOperation, `Azure-AsyncOperation of ${method} ${url}`);
            for (;;) {
                await this.sleep(retryAfter);
                const poll = await this.expectOk("GET", asyncOperation);
                const status = String(poll.body?.status ?? "");
                if (TERMINAL.has(status.toLowerCase())) {
                    if (status.toLowerCase() !== "succeeded") {
                        const error = (poll.body?.error ?? {}) as { code?: string; message?: string };
                        throw new ArmError(
                            200,
                            error.code ?? status,
                            error.message ?? `the operation ended ${status}`,
                            method,
                            url,
                        );
                    }
                    return;
                }
                retryAfter = retryAfterOf(poll);
            }
        }
        if (location !== undefined && reply.status === 202) {
            assertLoopback(location, `Location of ${method} ${url}`);
            for (;;) {
                await this.sleep(retryAfter);
                const poll = await this.expectOk("GET", location);
                if (poll.status !== 202) {
                    return;
                }
                retryAfter = retryAfterOf(poll);
            }
        }
    }

    private url(id: string, query: Readonly<Record<string, string>>): string {
        return `${this.settings.armEndpoint}${id.replace(/^\//, "")}?${new URLSearchParams(query).toString()}`;
    }

    private async expectOk(method: string, url: string, body?: Props): Promise<ArmReply> {
        return this.check(method, url, await this.send(method, url, body));
    }

    private check(method: string, url: string, reply: ArmReply): ArmReply {
        if (reply.status >= 200 && reply.status < 300) {
            return reply;
        }
        const error = (reply.body?.error ?? {}) as { code?: string; message?: string };
        throw new ArmError(
            reply.status,
            error.code ?? "Unknown",
            error.message ?? JSON.stringify(reply.body ?? ""),
            method,
            url,
        );
    }

    private send(method: string, url: string, body?: Props): Promise<ArmReply> {
        assertLoopback(url, `${method} target`);
        const payload = body === undefined ? undefined : JSON.stringify(body);
        return new Promise((resolve, reject) => {
            const request = https.request(
                url,
                {
                    method,
                    ca: this.settings.ca,
                    agent: false,
                    headers: {
                        authorization: `Bearer ${this.settings.token}`,
                        accept: "application/json",
                        ...(payload === undefined
                            ? {}
                            : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }),
                    },
                },
                (response) => {
                    const chunks: Buffer[] = [];
                    response.on("data", (chunk: Buffer) => chunks.push(chunk));
                    response.on("end", () => {
                        const text = Buffer.concat(chunks).toString("utf8");
                        const headers: Record<string, string> = {};
                        for (const [name, value] of Object.entries(response.headers)) {
                            if (typeof value === "string") {
                                headers[name.toLowerCase()] = value;
                            }
                        }
                        let parsed: Props | undefined;
                        try {
                            parsed = text === "" ? undefined : (JSON.parse(text) as Props);
                        } catch {
                            parsed = { error: { code: "InvalidResponse", message: text } };
                        }
                        resolve({ status: response.statusCode ?? 0, headers, body: parsed });
                    });
                },
            );
            request.on("error", reject);
            request.end(payload);
        });
    }
}

function retryAfterOf(reply: ArmReply): number {
    const value = Number(reply.headers["retry-after"]);
    return Number.isFinite(value) && value >= 0 ? value : DEFAULT_POLL_SECONDS;
}
