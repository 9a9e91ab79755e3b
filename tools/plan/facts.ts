/**
 * The facts the plan judges the access path against, stated here rather than imported from components/constants.ts:
 * a check that borrowed them from the code it checks would call a wrong constant "ok" (issue 14). They agree with
 * policy/facts.ts and components/constants.ts by value, not by import; tests/independentFacts.test.ts shows a wrong
 * constant in components/ turns the plan's verdict to "broken".
 */

/** The audience the AKS webhook projects into the pod's token; Entra refuses any other (AADSTS700212). */
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/** The subject the API server writes into a ServiceAccount token, and so the one a federated credential must name. */
export function serviceAccountSubject(namespace: string, name: string): string {
    return `system:serviceaccount:${namespace}:${name}`;
}

/** "Cognitive Services OpenAI User": inference only, the role the access path must use. */
export const OPENAI_USER_ROLE_ID = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd";

/** "Cognitive Services OpenAI Contributor": works, but also manages deployments. */
export const OPENAI_CONTRIBUTOR_ROLE_ID = "a001fd3d-188f-4b5d-821b-7da978bf7442";

/** "Cognitive Services User": works, but lists the account's keys. */
export const COGNITIVE_SERVICES_USER_ROLE_ID = "a97b65f3-24c7-4388-baec-2e87135dc908";

/** Pod-template label the workload-identity webhook selects on. */
export const USE_WORKLOAD_IDENTITY_LABEL = "azure.workload.identity/use";

/** ServiceAccount annotation the webhook turns into AZURE_CLIENT_ID. */
export const CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id";

/** ServiceAccount annotation the webhook turns into AZURE_TENANT_ID. */
export const TENANT_ID_ANNOTATION = "azure.workload.identity/tenant-id";

/** Variables that carry a key or secret; ai-service prefers a key when it finds one. */
export const CREDENTIAL_ENV_NAMES: readonly string[] = [
    "OPENAI_API_KEY",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_KEY",
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD",
];

/** The private DNS zone `<sub>.openai.azure.com` resolves through behind a private endpoint. */
export const OPENAI_PRIVATE_DNS_ZONE = "privatelink.openai.azure.com";

/** The one private-link group (sub-resource) of a Cognitive Services account. */
export const OPENAI_PRIVATE_LINK_GROUP = "account";
