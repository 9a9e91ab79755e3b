"use strict";
/**
 * What ai-service does with its identity, in a process of its own: take a token for Azure OpenAI from a REAL
 * @azure/identity credential configured by nothing but the environment (what the webhook injected, what the Deployment
 * sets), then call the chat completions API of AZURE_OPENAI_ENDPOINT with it. Run with podNetwork.cjs preloaded.
 *
 * Usage: node --require ./podNetwork.cjs ./podClient.cjs <WorkloadIdentityCredential|DefaultAzureCredential> <result.json>
 * result: { env: [AZURE_* names], token: {ok, claims} | {ok: false, error: {name, message}},
 *           call?: {status, body}, network: {routed, blocked} }
 */
const { Buffer } = require("node:buffer");
const fs = require("node:fs");
const https = require("node:https");
const { URL } = require("node:url");
const identity = require("@azure/identity");

/** The scope ai-service requests when USE_AZURE_AD=True. */
const SCOPE = "https://cognitiveservices.azure.com/.default";

function credential(kind) {
    switch (kind) {
        case "WorkloadIdentityCredential":
            return new identity.WorkloadIdentityCredential();
        case "DefaultAzureCredential":
            // No options: as the app constructs it.
            return new identity.DefaultAzureCredential();
        default:
            throw new Error(`podClient.cjs: unknown credential ${kind}`);
    }
}

function claimsOf(token) {
    return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));
}

function chatCompletion(token) {
    const env = process.env;
    const url = new URL(
        `openai/deployments/${encodeURIComponent(env.AZURE_OPENAI_DEPLOYMENT_NAME)}/chat/completions` +
            `?api-version=${encodeURIComponent(env.AZURE_OPENAI_API_VERSION)}`,
        env.AZURE_OPENAI_ENDPOINT,
    );
    const body = JSON.stringify({
        messages: [{ role: "user", content: "Describe a squeaky dog toy in one sentence." }],
        max_tokens: 50,
    });
    return new Promise((resolve, reject) => {
        const request = https.request(
            url,
            {
                method: "POST",
                headers: {
                    authorization: `Bearer ${token}`,
                    "content-type": "application/json",
                    "content-length": Buffer.byteLength(body),
                },
            },
            (response) => {
                let text = "";
                response.setEncoding("utf8");
                response.on("data", (chunk) => (text += chunk));
                response.on("end", () => {
                    let parsed;
                    try {
                        parsed = JSON.parse(text);
                    } catch {
                        parsed = text;
                    }
                    resolve({ status: response.statusCode, body: parsed });
                });
            },
        );
        request.on("error", reject);
        request.end(body);
    });
}

async function main() {
    const [kind, resultFile] = process.argv.slice(2);
    const result = {
        env: Object.keys(process.env)
            .filter((name) => name.startsWith("AZURE_"))
            .sort(),
    };
    try {
        const accessToken = await credential(kind).getToken(SCOPE);
        result.token = { ok: true, claims: claimsOf(accessToken.token) };
        result.call = await chatCompletion(accessToken.token);
    } catch (error) {
        if (result.token === undefined) {
            result.token = { ok: false, error: { name: error && error.name, message: String(error && error.message) } };
        } else {
            result.call = { error: String(error && error.message) };
        }
    }
    result.network = globalThis.__podNetwork;
    fs.writeFileSync(resultFile, JSON.stringify(result, null, 2));
}

main().then(
    () => process.exit(0),
    (error) => {
        process.stderr.write(`podClient.cjs: ${error && error.stack}\n`);
        process.exit(2);
    },
);
