import { readFileSync } from "node:fs";

/**
 * What the harness hands the plugin, from the environment the engine passes on. The real provider signs in to Entra
 * and talks to management.azure.com; this one is given its ARM endpoint (a loopback stand-in), a CA to trust for it,
 * and a bearer token already issued for that endpoint, so it constructs no Azure credential and probes nothing.
 */

export const ENV = {
    armEndpoint: "AKS_OPENAI_WI_E2E_ARM_ENDPOINT",
    armToken: "AKS_OPENAI_WI_E2E_ARM_TOKEN",
    armCaFile: "AKS_OPENAI_WI_E2E_ARM_CA_FILE",
    subscriptionId: "AKS_OPENAI_WI_E2E_SUBSCRIPTION_ID",
} as const;

export interface Settings {
    /** `https://127.0.0.1:<port>/`, trailing slash. */
    readonly armEndpoint: string;
    readonly token: string;
    /** Claims of the token: the identity the plugin acts as (what getClientConfig reports). */
    readonly claims: { readonly tid: string; readonly oid: string; readonly appid: string };
    readonly ca: string;
    readonly subscriptionId: string;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

export function readSettings(env: NodeJS.ProcessEnv): Settings {
    const required = (name: string, what: string) => {
        const value = env[name];
        if (value === undefined || value === "") {
            throw new Error(
                `${name} is not set: the azure-native stand-in needs ${what}. Fix: the e2e harness sets it.`,
            );
        }
        return value;
    };
    const armEndpoint = required(ENV.armEndpoint, "the ARM stand-in's URL (https://127.0.0.1:<port>/)");
    assertLoopback(armEndpoint, ENV.armEndpoint);
    const token = required(ENV.armToken, "a bearer token the Entra stand-in issued for the ARM endpoint");
    const caFile = required(ENV.armCaFile, "the PEM file of the CA that signed the ARM stand-in's certificate");
    let ca: string;
    try {
        ca = readFileSync(caFile, "utf8");
    } catch (error) {
        throw new Error(`${ENV.armCaFile} = "${caFile}" cannot be read (${(error as Error).message}).`);
    }
    return {
        armEndpoint: armEndpoint.endsWith("/") ? armEndpoint : `${armEndpoint}/`,
        token,
        claims: tokenClaims(token),
        ca,
        subscriptionId: required(ENV.subscriptionId, "the subscription id the stack deploys to"),
    };
}

/** Every URL the plugin calls must be loopback: the stand-in's, or one ARM handed back (an operation to poll). */
export function assertLoopback(url: string, source: string): void {
    let host: string;
    try {
        host = new URL(url).host.replace(/:\d+$/, "");
    } catch {
        throw new Error(`${source} = "${url}" is not a URL.`);
    }
    if (!url.startsWith("https://") || !LOOPBACK_HOSTS.has(host)) {
        throw new Error(
            `${source} = "${url}" is not an https URL on loopback; the azure-native stand-in talks to nothing else.`,
        );
    }
}

function tokenClaims(token: string): Settings["claims"] {
    const payload = token.split(".")[1];
    let claims: Record<string, unknown>;
    try {
        claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
    } catch {
        throw new Error(`${ENV.armToken} is not a JWT: it must be an access token the Entra stand-in issued.`);
    }
    for (const claim of ["tid", "oid", "appid"]) {
        if (typeof claims[claim] !== "string") {
            throw new Error(`${ENV.armToken} has no '${claim}' claim: it must be an Entra access token.`);
        }
    }
    return { tid: String(claims.tid), oid: String(claims.oid), appid: String(claims.appid) };
}
