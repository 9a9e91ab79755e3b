import type { IncomingMessage, ServerResponse } from "node:http";

/** Small HTTP helpers shared by the local stand-ins of Azure endpoints. */

export async function readBody(request: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
        chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString("utf8");
}

/** Request headers as a plain record with lowercase names (repeated headers joined with ", "). */
export function headerRecord(request: IncomingMessage): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
        if (value !== undefined) {
            headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
        }
    }
    return headers;
}

export interface StandinResponse {
    readonly status: number;
    readonly body?: unknown;
    readonly headers?: Readonly<Record<string, string>>;
}

export function send(response: ServerResponse, reply: StandinResponse): void {
    const text = reply.body === undefined ? "" : JSON.stringify(reply.body);
    response.writeHead(reply.status, {
        ...(reply.body === undefined ? {} : { "content-type": "application/json; charset=utf-8" }),
        "content-length": Buffer.byteLength(text),
        ...reply.headers,
    });
    response.end(text);
}

/** Parses a JSON request body; undefined when empty or not JSON (the log keeps the raw text then). */
export function parseJson(text: string): unknown {
    if (text === "") {
        return undefined;
    }
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return text;
    }
}
