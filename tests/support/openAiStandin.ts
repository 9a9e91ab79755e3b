import { randomUUID } from "node:crypto";

import { covers } from "../../tools/plan/accessPath";
import {
    CHAT_COMPLETIONS_DATA_ACTION,
    grants,
    OPENAI,
    ROLE_DATA_ACTIONS,
    type OpenAiError,
} from "../../tools/plan/azureErrors";
import { startHttpsServer, type RunningServer, type TestTls } from "./tls";

/**
 * A local stand-in for one Azure OpenAI account's data plane: `POST /openai/deployments/{deployment}/chat/completions
 * ?api-version=...` with a bearer token. It answers as Azure does: 401 without a valid Entra token for Cognitive
 * Services; 401 PermissionDenied unless the token's principal (`oid`) holds, on a scope that covers the account, a role
 * whose data actions include chat completions (Azure RBAC: "Cognitive Services OpenAI User" does; "Cognitive Services
 * User" does too, which is why it is a least-privilege mistake rather than an outage); 404 DeploymentNotFound for a
 * deployment the account does not have; otherwise a chat completion.
 */

export interface RoleAssignmentGrant {
    readonly principalId: string;
    /** Full form: /subscriptions/<sub>/providers/Microsoft.Authorization/roleDefinitions/<guid>. */
    readonly roleDefinitionId: string;
    readonly scope: string;
}

/** The account as Azure knows it. */
export interface OpenAiAccount {
    /** ARM id of the account. */
    readonly id: string;
    readonly deployments: readonly string[];
    readonly roleAssignments: readonly RoleAssignmentGrant[];
}

export interface OpenAiStandinOptions {
    readonly tls: TestTls;
    /** Read per request: tests change it between cases. */
    readonly account: () => OpenAiAccount;
    /** Verifies an access token (signature, issuer, audience, lifetime) and returns its claims; throws if invalid. */
    readonly verifyToken: (token: string) => Promise<Record<string, unknown>>;
}

export interface OpenAiRequestRecord {
    readonly path: string;
    readonly apiVersion: string | null;
    readonly status: number;
    readonly principal?: string;
}

export class OpenAiStandin {
    readonly requests: OpenAiRequestRecord[] = [];

    private constructor(
        private readonly server: RunningServer,
        private readonly options: OpenAiStandinOptions,
    ) {}

    static async start(options: OpenAiStandinOptions): Promise<OpenAiStandin> {
        const standin: { current?: OpenAiStandin } = {};
        const server = await startHttpsServer(options.tls, (request, response) => {
            const chunks: Buffer[] = [];
            request.on("data", (chunk: Buffer) => chunks.push(chunk));
            request.on("end", () => {
                void standin.current
                    ?.answer(request.method ?? "GET", request.url ?? "/", request.headers.authorization)
                    .then(({ status, body }) => {
                        response.writeHead(status, { "content-type": "application/json" });
                        response.end(JSON.stringify(body));
                    });
            });
        });
        standin.current = new OpenAiStandin(server, options);
        return standin.current;
    }

    /** The loopback port, for a route from the account's endpoint host. */
    get port(): number {
        return Number(new URL(this.server.url).port);
    }

    close(): Promise<void> {
        return this.server.close();
    }

    private async answer(
        method: string,
        rawUrl: string,
        authorization: string | undefined,
    ): Promise<{ status: number; body: unknown }> {
        const url = new URL(rawUrl, "https://account");
        const record = (status: number, principal?: string) =>
            this.requests.push({
                path: url.pathname,
                apiVersion: url.searchParams.get("api-version"),
                status,
                principal,
            });
        const reply = (error: OpenAiError, principal?: string) => {
            record(error.status, principal);
            return { status: error.status, body: error.body };
        };

        const route = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(url.pathname);
        if (method !== "POST" || !route) {
            record(404);
            return { status: 404, body: { error: { code: "404", message: "Resource not found" } } };
        }
        let claims: Record<string, unknown>;
        try {
            const token = /^Bearer (.+)$/.exec(authorization ?? "")?.[1];
            if (token === undefined) {
                throw new Error("no bearer token");
            }
            claims = await this.options.verifyToken(token);
        } catch {
            return reply(OPENAI.invalidToken());
        }
        const principal = String(claims.oid ?? "");
        const account = this.options.account();
        const dataActions = account.roleAssignments
            .filter((ra) => ra.principalId.toLowerCase() === principal.toLowerCase() && covers(ra.scope, account.id))
            .flatMap((ra) => ROLE_DATA_ACTIONS[ra.roleDefinitionId.split("/").pop()?.toLowerCase() ?? ""] ?? []);
        if (!grants(dataActions, CHAT_COMPLETIONS_DATA_ACTION)) {
            return reply(OPENAI.permissionDenied(principal), principal);
        }
        const deployment = decodeURIComponent(route[1]);
        if (!account.deployments.includes(deployment)) {
            return reply(OPENAI.deploymentNotFound(), principal);
        }
        record(200, principal);
        return {
            status: 200,
            body: {
                id: `chatcmpl-${randomUUID()}`,
                object: "chat.completion",
                created: Math.floor(Date.now() / 1000),
                model: deployment,
                choices: [
                    {
                        index: 0,
                        finish_reason: "stop",
                        message: { role: "assistant", content: "A squeaky toy your dog will carry everywhere." },
                    },
                ],
                usage: { prompt_tokens: 14, completion_tokens: 9, total_tokens: 23 },
            },
        };
    }
}
