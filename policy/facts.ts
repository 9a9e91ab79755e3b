/**
 * The facts the pack checks, stated here and nowhere else the pack can see. They repeat values of
 * components/constants.ts ON PURPOSE: a check that imported them from the code it checks would pass a wrong constant
 * (issue 14), and the pack must load from its own folder for `pulumi preview --policy-pack` and `pulumi policy publish`
 * (issue 10). tests/independentFacts.test.ts shows a wrong constant in components/ is caught by this pack.
 */

/** The only audience the AKS webhook projects into the token and Entra accepts for the exchange (AADSTS700212). */
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/** A federated credential's subject for a Kubernetes ServiceAccount, as the API server writes it into the token. */
export function serviceAccountSubject(namespace: string, name: string): string {
    return `system:serviceaccount:${namespace}:${name}`;
}

/** Pod-template label the webhook selects on (since webhook v1.0 a label on the ServiceAccount does nothing). */
export const USE_WORKLOAD_IDENTITY_LABEL = "azure.workload.identity/use";

/** ServiceAccount annotation the webhook turns into AZURE_CLIENT_ID: the identity's client id. */
export const CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id";

/** ServiceAccount annotation the webhook turns into AZURE_TENANT_ID. */
export const TENANT_ID_ANNOTATION = "azure.workload.identity/tenant-id";

/** "Cognitive Services OpenAI User": inference only, the one role a workload needs. */
const OPENAI_USER_ROLE_ID = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd";

/** "Cognitive Services OpenAI Contributor": also manages deployments. */
const OPENAI_CONTRIBUTOR_ROLE_ID = "a001fd3d-188f-4b5d-821b-7da978bf7442";

/** "Cognitive Services User": can list the account's keys, which defeats keyless access. */
const COGNITIVE_SERVICES_USER_ROLE_ID = "a97b65f3-24c7-4388-baec-2e87135dc908";

/** Built-in roles no workload identity may hold: each manages resources or access, or can list account keys. */
export const BROAD_ROLES: Readonly<Record<string, string>> = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
    "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68": "Cognitive Services Contributor",
    [COGNITIVE_SERVICES_USER_ROLE_ID]: "Cognitive Services User",
    [OPENAI_CONTRIBUTOR_ROLE_ID]: "Cognitive Services OpenAI Contributor",
};

/** Roles that open the Azure OpenAI data plane; they belong on one Cognitive Services account, never wider. */
export const OPENAI_DATA_ROLES: Readonly<Record<string, string>> = {
    [OPENAI_USER_ROLE_ID]: "Cognitive Services OpenAI User",
    [OPENAI_CONTRIBUTOR_ROLE_ID]: "Cognitive Services OpenAI Contributor",
    [COGNITIVE_SERVICES_USER_ROLE_ID]: "Cognitive Services User",
};

/** Environment variables that carry a credential for OpenAI or Azure; none belongs on a keyless workload. */
export const CREDENTIAL_ENV_NAMES: readonly string[] = [
    "OPENAI_API_KEY",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_KEY",
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD",
];

/**
 * Stack names treated as production, as the program's config reads them (components/config/schema.ts,
 * `isProductionStack`), restated here so the pack stands alone: `prod`, `production`, `prd`, `live`, `*-prod`,
 * `*-production`. Policies that are advisory elsewhere are mandatory on these.
 */
export const PRODUCTION_STACK = /^(?:prod|production|prd|live)$|-(?:prod|production)$/i;

/**
 * Log categories of a Cognitive Services account that record calls to it: `Audit` and `RequestResponse` (Microsoft
 * Learn, "Supported logs for Microsoft.CognitiveServices/accounts"). The category group `allLogs` includes both;
 * the group `audit` only `Audit`.
 */
export const CALL_LOG_CATEGORIES: readonly string[] = ["Audit", "RequestResponse"];

/** The private DNS zone `<sub>.openai.azure.com` resolves through behind a private endpoint. */
export const OPENAI_PRIVATE_DNS_ZONE = "privatelink.openai.azure.com";

/** The one private-link group (sub-resource) of a Cognitive Services account. */
export const OPENAI_PRIVATE_LINK_GROUP = "account";
