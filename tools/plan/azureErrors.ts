import { COGNITIVE_SERVICES_USER_ROLE_ID, OPENAI_CONTRIBUTOR_ROLE_ID, OPENAI_USER_ROLE_ID } from "./facts";

/**
 * The errors Microsoft Entra ID and Azure OpenAI answer when a hop of the access path is broken, in one place: the plan
 * names them for each hop, and the test stand-ins of Entra and Azure OpenAI (tests/support) answer with them, so what
 * the plan predicts is what the real client then reports. Texts follow the ones Azure returns (codes and wording as
 * seen in Azure/azure-workload-identity#340, #616, #1200); trace ids and timestamps are left out. The federation codes
 * are as Microsoft's Azure Identity troubleshooting guide lists them (Azure/azure-sdk-for-js,
 * sdk/identity/identity/TROUBLESHOOTING.md): 700211 issuer, 700212 audience, 700213 subject. Microsoft's AADSTS
 * reference (learn.microsoft.com/entra/identity-platform/reference-error-codes) lists 700016 but none of those, and
 * points to https://login.microsoftonline.com/error?code=<n> for current wording (docs/troubleshooting.md).
 */

const FEDERATION_DOC = "https://learn.microsoft.com/entra/workload-id/workload-identity-federation";

/** An OAuth error from Entra's token endpoint. */
export interface EntraError {
    readonly status: number;
    readonly error: string;
    readonly code: number;
    readonly description: string;
}

/** A time as Entra writes it in error descriptions: .NET's round-trip format, seven fractional digits. */
function entraTime(secondsSinceEpoch: number): string {
    return new Date(secondsSinceEpoch * 1000).toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");
}

function entra(status: number, error: string, code: number, text: string): EntraError {
    return { status, error, code, description: `AADSTS${code}: ${text}` };
}

export const ENTRA = {
    /** No federated credential of the identity has the token's issuer (e.g. the trailing '/' was dropped). */
    issuerMismatch: (issuer: string) =>
        entra(
            401,
            "invalid_client",
            700211,
            `No matching federated identity record found for presented assertion issuer '${issuer}'. Please check your ` +
                `federated identity credential Subject, Audience and Issuer against the presented assertion. ${FEDERATION_DOC}`,
        ),
    /** A credential has the issuer, but none has the token's subject (namespace or ServiceAccount name differ). */
    subjectMismatch: (subject: string) =>
        entra(
            401,
            "invalid_client",
            700213,
            `No matching federated identity record found for presented assertion subject '${subject}'. Check your ` +
                `federated identity credential Subject, Audience and Issuer against the presented assertion. ${FEDERATION_DOC}`,
        ),
    /** Issuer and subject match, but the credential does not list the token's audience. */
    audienceMismatch: (audience: string) =>
        entra(
            401,
            "invalid_client",
            700212,
            `No matching federated identity record found for presented assertion audience '${audience}'. Please check ` +
                `your federated identity credential Subject, Audience and Issuer against the presented assertion. ${FEDERATION_DOC}`,
        ),
    /** The identity has no federated credential at all. */
    noFederatedRecord: (issuer: string, subject: string, audience: string) =>
        entra(
            400,
            "invalid_request",
            70021,
            `No matching federated identity record found for presented assertion. Assertion Issuer: '${issuer}'. ` +
                `Assertion Subject: '${subject}'. Assertion Audience: '${audience}'. ${FEDERATION_DOC}`,
        ),
    /** AZURE_CLIENT_ID names no application in the tenant (e.g. it is the identity's principal id). */
    unknownClient: (clientId: string, tenantId: string) =>
        entra(
            400,
            "unauthorized_client",
            700016,
            `Application with identifier '${clientId}' was not found in the directory '${tenantId}'. This can happen if ` +
                `the application has not been installed by the administrator of the tenant or consented to by any user in ` +
                `the tenant. You may have sent your authentication request to the wrong tenant.`,
        ),
    /**
     * The client assertion is outside its lifetime: a projected token the app kept instead of re-reading the file, or a
     * GitHub OIDC token presented after it expired (the Azure CLI after azure/login). Times in seconds since the epoch,
     * printed as Entra prints them (seen in AzureAD/microsoft-authentication-library-for-java#984 and
     * AzureAD/microsoft-authentication-library-for-dotnet#4951); "valid from" is the Unix epoch when the token has no nbf.
     */
    assertionExpired: (now: number, validFrom: number | undefined, expiry: number) =>
        entra(
            401,
            "invalid_client",
            700024,
            `Client assertion is not within its valid time range. Current time: ${entraTime(now)}, assertion valid from ` +
                `${entraTime(validFrom ?? 0)}, expiry time of assertion ${entraTime(expiry)}. Review the documentation at ` +
                `https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`,
        ),
    /** The token's signature does not verify against the issuer's published keys. */
    assertionSignatureInvalid: () =>
        entra(401, "invalid_client", 700027, "Client assertion failed signature validation."),
} as const;

/** An error from the Azure OpenAI data plane. */
export interface OpenAiError {
    readonly status: number;
    readonly body: { readonly error: { readonly code: string; readonly message: string } };
}

/** The data action a chat completion needs; "Cognitive Services OpenAI User" grants it. */
export const CHAT_COMPLETIONS_DATA_ACTION =
    "Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action";

export const OPENAI = {
    /** The token's principal holds no role with the data action on a scope covering the account. */
    permissionDenied: (principalId: string): OpenAiError => ({
        status: 401,
        body: {
            error: {
                code: "PermissionDenied",
                message:
                    `The principal \`${principalId}\` lacks the required data action \`${CHAT_COMPLETIONS_DATA_ACTION}\` ` +
                    "to perform `POST /openai/deployments/{deployment-id}/chat/completions` operation.",
            },
        },
    }),
    /** No bearer token, or one that is not for Cognitive Services, or expired. */
    invalidToken: (): OpenAiError => ({
        status: 401,
        body: {
            error: {
                code: "401",
                message:
                    "Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or have expired.",
            },
        },
    }),
    /** The deployment name is not a deployment of the account. */
    deploymentNotFound: (): OpenAiError => ({
        status: 404,
        body: {
            error: {
                code: "DeploymentNotFound",
                message:
                    "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.",
            },
        },
    }),
    /** The call arrived over the internet at an account whose public network access is off. */
    publicAccessDisabled: (): OpenAiError => ({
        status: 403,
        body: { error: { code: "403", message: "Public access is disabled. Please configure private endpoint." } },
    }),
    /** The call arrived from an address the account's network rules (default action Deny) do not admit. */
    firewallDenied: (): OpenAiError => ({
        status: 403,
        body: { error: { code: "403", message: "Access denied due to Virtual Network/Firewall rules." } },
    }),
    /** A regional endpoint: Entra tokens need the account's custom subdomain. */
    customSubdomainRequired: (): OpenAiError => ({
        status: 401,
        body: {
            error: {
                code: "401",
                message: "Please provide a custom subdomain for token authentication, otherwise API key is required.",
            },
        },
    }),
} as const;

/**
 * What a pod without the webhook's injection gets: no AZURE_CLIENT_ID, AZURE_TENANT_ID or AZURE_FEDERATED_TOKEN_FILE,
 * so DefaultAzureCredential skips workload identity and falls through to the node's IMDS (wording of @azure/identity,
 * as tests/realClientProof.test.ts observes it).
 */
export const NO_INJECTION =
    "no webhook injection: the pod gets no AZURE_CLIENT_ID, AZURE_TENANT_ID or AZURE_FEDERATED_TOKEN_FILE, so " +
    "DefaultAzureCredential skips workload identity and finds no credential (CredentialUnavailableError: " +
    "EnvironmentCredential is unavailable... ManagedIdentityCredential: ...), or gets a token for the node's own " +
    "identity from IMDS, which Azure OpenAI refuses (401 PermissionDenied)";

/** The role the access path must use, by name, for messages. */
export const ROLE_NAMES: Readonly<Record<string, string>> = {
    [OPENAI_USER_ROLE_ID]: "Cognitive Services OpenAI User",
    [OPENAI_CONTRIBUTOR_ROLE_ID]: "Cognitive Services OpenAI Contributor",
    [COGNITIVE_SERVICES_USER_ROLE_ID]: "Cognitive Services User",
    "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68": "Cognitive Services Contributor",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
};

/**
 * Data actions of the roles above that matter for a chat completion, as Azure defines them: only these grant the call.
 * "Cognitive Services User" grants `Microsoft.CognitiveServices/*`, so Azure accepts the call with it; it is still a
 * broken hop for this stack because it also lists the account's keys (least privilege).
 */
export const ROLE_DATA_ACTIONS: Readonly<Record<string, readonly string[]>> = {
    [OPENAI_USER_ROLE_ID]: ["Microsoft.CognitiveServices/accounts/OpenAI/*"],
    [OPENAI_CONTRIBUTOR_ROLE_ID]: ["Microsoft.CognitiveServices/accounts/OpenAI/*"],
    [COGNITIVE_SERVICES_USER_ROLE_ID]: ["Microsoft.CognitiveServices/*"],
};

/** True when one of `dataActions` (with Azure's trailing-`*` wildcards) covers `action`. */
export function grants(dataActions: readonly string[], action: string): boolean {
    const lower = action.toLowerCase();
    return dataActions.some((pattern) => {
        const p = pattern.toLowerCase();
        return p.endsWith("*") ? lower.startsWith(p.slice(0, -1)) : lower === p;
    });
}
