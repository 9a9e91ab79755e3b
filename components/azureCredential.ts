import type { TokenCredential } from "@azure/identity";

import { TOKEN_EXCHANGE_AUDIENCE } from "./constants";

/**
 * The one credential for the project's own Azure SDK calls (the existing-cluster dynamic provider and `npm run verify`).
 *
 * In GitHub Actions it is a client-assertion credential whose callback fetches a FRESH GitHub OIDC token for every
 * Entra token request. The Azure CLI credential that DefaultAzureCredential falls through to after azure/login holds
 * the one GitHub token azure/login presented, and Entra accepts that assertion only until it expires (about five
 * minutes): a slower run fails with AADSTS700024 (issue 11; Azure/login#180). azure-native (ARM_USE_OIDC) and
 * kubelogin (workloadidentity mode) already fetch a token per request; this makes the project's own calls do the same.
 * Elsewhere it is DefaultAzureCredential (az login, environment variables, workload identity, managed identity).
 *
 * The environment is read at the moment the credential is made, by the caller's runtime code, never by a component:
 * the dynamic provider runs in Pulumi's provider host, a child of the `pulumi` CLI that inherits the job's environment,
 * so it reads ACTIONS_ID_TOKEN_REQUEST_* there. Passing them as resource inputs instead would store the per-run
 * request token in the stack state and change the inputs on every run.
 *
 * Pulumi serializes the dynamic provider with everything it reaches by value, this module included, and runs the text
 * without this file next to it: so the Azure SDK is loaded inside the function bodies (a `require` of a package, which
 * the provider host resolves from the project's node_modules), never through a relative import.
 */

/** How the project's Azure SDK calls sign in, decided from the environment alone. */
export type AzureSignIn =
    | {
          readonly kind: "github-actions-oidc";
          /** ACTIONS_ID_TOKEN_REQUEST_URL: GitHub's token endpoint for this job (set only with `id-token: write`). */
          readonly requestUrl: string;
          /** ACTIONS_ID_TOKEN_REQUEST_TOKEN: the bearer token that endpoint requires. */
          readonly requestToken: string;
          readonly clientId: string;
          readonly tenantId: string;
      }
    | { readonly kind: "default-azure-credential" };

/**
 * Decides the sign-in from environment variables. Throws, naming the missing variables and the fix, when the job is
 * half set up for GitHub OIDC (in Actions with an Azure client id but no token endpoint, or the reverse).
 */
export function azureSignInFromEnvironment(env: Readonly<Record<string, string | undefined>>): AzureSignIn {
    const value = (name: string) => (env[name] === undefined || env[name] === "" ? undefined : env[name]);
    const requestUrl = value("ACTIONS_ID_TOKEN_REQUEST_URL");
    const requestToken = value("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
    const clientId = value("AZURE_CLIENT_ID");
    const tenantId = value("AZURE_TENANT_ID");

    if (requestUrl !== undefined || requestToken !== undefined) {
        const missing = [
            ...(requestUrl === undefined ? ["ACTIONS_ID_TOKEN_REQUEST_URL"] : []),
            ...(requestToken === undefined ? ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] : []),
        ];
        if (missing.length > 0) {
            throw new Error(
                `GitHub Actions OIDC sign-in: ${missing.join(" and ")} is not set while the other ACTIONS_ID_TOKEN_REQUEST_* ` +
                    `variable is. GitHub sets both for a job with \`permissions: id-token: write\`; do not set or clear ` +
                    `them by hand in the workflow.`,
            );
        }
        const missingAzure = [
            ...(clientId === undefined ? ["AZURE_CLIENT_ID"] : []),
            ...(tenantId === undefined ? ["AZURE_TENANT_ID"] : []),
        ];
        if (missingAzure.length > 0) {
            throw new Error(
                `GitHub Actions OIDC sign-in: ${missingAzure.join(" and ")} ${missingAzure.length > 1 ? "are" : "is"} not ` +
                    `set. azure/login takes its client-id and tenant-id as inputs and does not export them, so set them in ` +
                    `the job's env (AZURE_CLIENT_ID: \${{ vars.AZURE_CLIENT_ID }}, AZURE_TENANT_ID: \${{ vars.AZURE_TENANT_ID }}), ` +
                    `as .github/workflows/deploy.yml does.`,
            );
        }
        return {
            kind: "github-actions-oidc",
            requestUrl: requestUrl as string,
            requestToken: requestToken as string,
            clientId: clientId as string,
            tenantId: tenantId as string,
        };
    }

    const federatedElsewhere = value("AZURE_CLIENT_SECRET") ?? value("AZURE_FEDERATED_TOKEN_FILE");
    if (value("GITHUB_ACTIONS") === "true" && clientId !== undefined && federatedElsewhere === undefined) {
        throw new Error(
            `GitHub Actions OIDC sign-in: AZURE_CLIENT_ID is set but ACTIONS_ID_TOKEN_REQUEST_URL and ` +
                `ACTIONS_ID_TOKEN_REQUEST_TOKEN are not, so no GitHub OIDC token can be requested. Fix: give the job ` +
                `\`permissions: id-token: write\` (GitHub sets both variables only then; pull requests from forks never get ` +
                `them). Without a fresh token per request the Azure CLI's sign-in from azure/login expires after about ` +
                `five minutes (AADSTS700024).`,
        );
    }
    return { kind: "default-azure-credential" };
}

/**
 * Requests a GitHub OIDC token for `audience` from the job's token endpoint: GET <ACTIONS_ID_TOKEN_REQUEST_URL>&audience=...
 * with `Authorization: bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>`, answered with JSON `{ "value": "<jwt>" }` (what
 * @actions/core's getIDToken does).
 */
export async function fetchGitHubOidcToken(
    signIn: { readonly requestUrl: string; readonly requestToken: string },
    // The audience the federated credentials of bootstrap/github-oidc list, as for every token Entra exchanges.
    audience: string = TOKEN_EXCHANGE_AUDIENCE,
): Promise<string> {
    // The URL GitHub hands out already carries a query (api-version); the audience is appended to it.
    const url = new URL(signIn.requestUrl);
    url.searchParams.set("audience", audience);
    let response: Response;
    try {
        response = await fetch(url, {
            headers: { authorization: `bearer ${signIn.requestToken}`, accept: "application/json" },
        });
    } catch (error) {
        throw new Error(
            `GitHub Actions OIDC sign-in: requesting a token from ACTIONS_ID_TOKEN_REQUEST_URL (${url.origin}) failed: ` +
                `${error instanceof Error ? error.message : String(error)}`,
        );
    }
    const text = await response.text();
    if (!response.ok) {
        throw new Error(
            `GitHub Actions OIDC sign-in: ACTIONS_ID_TOKEN_REQUEST_URL answered HTTP ${response.status}: ${text.slice(0, 300)}. ` +
                `Fix: the job needs \`permissions: id-token: write\`, and the request token is valid only while the job runs.`,
        );
    }
    let body: unknown;
    try {
        body = JSON.parse(text);
    } catch {
        body = undefined;
    }
    const token = (body as { value?: unknown } | undefined)?.value;
    if (typeof token !== "string" || token === "") {
        throw new Error(
            `GitHub Actions OIDC sign-in: ACTIONS_ID_TOKEN_REQUEST_URL answered without a token ({"value": "<jwt>"} ` +
                `expected): ${text.slice(0, 300)}`,
        );
    }
    return token;
}

/**
 * The credential for the project's own Azure SDK calls: in GitHub Actions (see `azureSignInFromEnvironment`) a
 * ClientAssertionCredential that fetches a fresh GitHub OIDC token each time Entra is asked for a token; elsewhere
 * DefaultAzureCredential. Instance discovery is off in both: MSAL knows the public and national clouds' authorities
 * without it, and with it MSAL asks login.microsoftonline.com to vouch for any other AZURE_AUTHORITY_HOST.
 */
export async function azureCredential(
    env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<TokenCredential> {
    const signIn = azureSignInFromEnvironment(env);
    const identity = await import("@azure/identity");
    if (signIn.kind === "github-actions-oidc") {
        return new identity.ClientAssertionCredential(
            signIn.tenantId,
            signIn.clientId,
            () => fetchGitHubOidcToken(signIn),
            { disableInstanceDiscovery: true },
        );
    }
    return new identity.DefaultAzureCredential({ disableInstanceDiscovery: true });
}
