"use strict";
/**
 * Asks a REAL @azure/identity credential for a token, in a child process that trusts the test CA, and reports what
 * happened: the token (or the error) and the connections the loopback guard refused. The credential reads its settings
 * from the environment as it does in real life (AZURE_AUTHORITY_HOST, AZURE_TENANT_ID, AZURE_CLIENT_ID,
 * AZURE_CLIENT_SECRET, AZURE_FEDERATED_TOKEN_FILE...); the request names the credential class, its options, and for
 * ClientAssertionCredential the assertion to present.
 *
 * Usage: node --require ./tests/support/loopbackOnly.cjs ./tests/support/getToken.cjs <request.json> <result.json>
 * request: { credential: "ClientSecretCredential" | "ClientAssertionCredential" | "WorkloadIdentityCredential"
 *            | "EnvironmentCredential" | "DefaultAzureCredential", scope: string, options?: object, assertion?: string }
 * result:  { ok: true, token, expiresOnTimestamp } | { ok: false, error: { name, message } }, plus blockedConnections
 */
const fs = require("node:fs");
const identity = require("@azure/identity");

function credentialFor(request) {
    const env = process.env;
    const options = request.options ?? {};
    switch (request.credential) {
        case "ClientSecretCredential":
            return new identity.ClientSecretCredential(
                env.AZURE_TENANT_ID,
                env.AZURE_CLIENT_ID,
                env.AZURE_CLIENT_SECRET,
                options,
            );
        case "ClientAssertionCredential":
            return new identity.ClientAssertionCredential(
                env.AZURE_TENANT_ID,
                env.AZURE_CLIENT_ID,
                async () => request.assertion,
                options,
            );
        case "WorkloadIdentityCredential":
            return new identity.WorkloadIdentityCredential(options);
        case "EnvironmentCredential":
            return new identity.EnvironmentCredential(options);
        case "DefaultAzureCredential":
            return new identity.DefaultAzureCredential(options);
        default:
            throw new Error(`getToken.cjs: unknown credential ${request.credential}`);
    }
}

async function main() {
    const [requestFile, resultFile] = process.argv.slice(2);
    const request = JSON.parse(fs.readFileSync(requestFile, "utf8"));
    let result;
    try {
        const token = await credentialFor(request).getToken(request.scope);
        result = { ok: true, token: token.token, expiresOnTimestamp: token.expiresOnTimestamp };
    } catch (error) {
        result = { ok: false, error: { name: error && error.name, message: String(error && error.message) } };
    }
    fs.writeFileSync(
        resultFile,
        JSON.stringify({ ...result, blockedConnections: globalThis.__loopbackGuardBlocked ?? null }, null, 2),
    );
}

main().then(
    () => process.exit(0),
    (error) => {
        process.stderr.write(`getToken.cjs: ${error && error.stack}\n`);
        process.exit(2);
    },
);
