import { readFileSync, writeFileSync } from "node:fs";

import { ClientAssertionCredential, type TokenCredential } from "@azure/identity";

import { azureCredential } from "../../components/azureCredential";

/**
 * A run of the project's Azure sign-ins, as a long `pulumi up` or `npm run verify` makes them: each step asks Entra for
 * a token for its scope. With `credential: "per-step"` each step makes its own credential, as each operation of the
 * dynamic provider does (components/aksWorkloadIdentityProvider.ts); with "shared" one credential serves the whole run,
 * as in verify, and each step's scope is new to it, so every step is a token request at Entra. The stand-ins'
 * simulated clock moves on between steps.
 *
 * signIn "project": components/azureCredential.ts, from this process's environment.
 * signIn "assertion-fetched-at-start": what the run had before issue 11: after azure/login the Azure CLI holds the
 *   ONE GitHub token fetched at the start of the job and presents it for every token it needs later. Built here from
 *   its own GitHub request (not the project's code), so a fault in the project's code cannot make both behave alike.
 *
 * Usage: node --require ./tests/support/typescript.cjs --require ./tests/support/loopbackOnly.cjs ./tests/support/credentialRun.ts <request.json> <result.json>
 * request: { signIn: "project" | "assertion-fetched-at-start", credential: "per-step" | "shared", scopes: string[] }
 * result:  { steps: [{ ok: true } | { ok: false, error: { name, message } }], blockedConnections }; stops at the first failure.
 */

interface Request {
    readonly signIn: "project" | "assertion-fetched-at-start";
    readonly credential: "per-step" | "shared";
    /** One scope per step. */
    readonly scopes: readonly string[];
}

async function gitHubTokenOnce(): Promise<string> {
    const url = `${process.env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=${encodeURIComponent("api://AzureADTokenExchange")}`;
    const response = await fetch(url, {
        headers: { authorization: `bearer ${process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` },
    });
    return ((await response.json()) as { value: string }).value;
}

async function main(): Promise<void> {
    const [requestFile, resultFile] = process.argv.slice(2);
    const request = JSON.parse(readFileSync(requestFile, "utf8")) as Request;
    const heldAssertion = request.signIn === "assertion-fetched-at-start" ? await gitHubTokenOnce() : undefined;
    const makeCredential = async (): Promise<TokenCredential> =>
        heldAssertion === undefined
            ? azureCredential(process.env)
            : new ClientAssertionCredential(
                  process.env.AZURE_TENANT_ID ?? "",
                  process.env.AZURE_CLIENT_ID ?? "",
                  async () => heldAssertion,
                  { disableInstanceDiscovery: true },
              );
    const shared = request.credential === "shared" ? await makeCredential() : undefined;
    const steps: unknown[] = [];
    for (const scope of request.scopes) {
        try {
            await (shared ?? (await makeCredential())).getToken(scope);
            steps.push({ ok: true });
        } catch (error) {
            steps.push({
                ok: false,
                error: { name: (error as Error).name, message: error instanceof Error ? error.message : String(error) },
            });
            break;
        }
    }
    const blockedConnections = (globalThis as { __loopbackGuardBlocked?: string[] }).__loopbackGuardBlocked ?? null;
    writeFileSync(resultFile, JSON.stringify({ steps, blockedConnections }, null, 2));
}

main().then(
    () => process.exit(0),
    (error: unknown) => {
        process.stderr.write(`credentialRun: ${error instanceof Error ? error.stack : String(error)}\n`);
        process.exit(2);
    },
);
