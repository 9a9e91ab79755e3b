/**
 * Every fixed value the workload-identity wiring depends on, each with the reason it is what it is.
 * See docs/workload-identity-rules.md for the failure each one prevents.
 */

/** The project name; config keys live under this namespace and component type tokens start with it. */
export const PROJECT = "aks-openai-wi";

/** "Cognitive Services OpenAI User": inference only. "Cognitive Services User" is broader and must not be used. */
export const OPENAI_USER_ROLE_ID = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd";

/** The only audience the AKS webhook projects into the token and Entra accepts for the exchange. */
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/** Pod-template LABEL the webhook selects on (since webhook v1.0 a label on the ServiceAccount does nothing). */
export const USE_WORKLOAD_IDENTITY_LABEL = "azure.workload.identity/use";

/** ServiceAccount annotation the webhook reads to set AZURE_CLIENT_ID: the identity's CLIENT id, not its principal id. */
export const CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id";

/** ServiceAccount annotation the webhook reads to set AZURE_TENANT_ID (defaults to the cluster's tenant otherwise). */
export const TENANT_ID_ANNOTATION = "azure.workload.identity/tenant-id";

/**
 * Pod-template annotation carrying a hash of the identity's client id. The webhook injects AZURE_CLIENT_ID only when a
 * pod is created, so a changed identity must change the template to roll the pods.
 */
export const IDENTITY_HASH_ANNOTATION = `${PROJECT}/identity-hash`;

/** Azure's hard limit of federated identity credentials on one user-assigned identity. */
export const MAX_FEDERATED_CREDENTIALS_PER_IDENTITY = 20;

/** Port ai-service listens on, and the port product-service calls (`http://ai-service:5001/`). */
export const AI_SERVICE_PORT = 5001;

/** Service name product-service resolves; it is hard-coded in the store's product-service. */
export const AI_SERVICE_NAME = "ai-service";

/**
 * Environment variables that carry a credential for OpenAI or Azure. None may be present on a workload that uses
 * workload identity: ai-service prefers a key when it finds one, and a leftover key keeps the old access path alive.
 */
export const CREDENTIAL_ENV_NAMES: readonly string[] = [
    "OPENAI_API_KEY",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_KEY",
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD",
];

/** Public-cloud Azure Resource Manager; override with the `armEndpoint` config key for sovereign clouds. */
export const DEFAULT_ARM_ENDPOINT = "https://management.azure.com/";

/** Labels of aks-store-demo's product-service pods: the one caller of ai-service (`http://ai-service:5001/`). */
export const PRODUCT_SERVICE_LABELS: Readonly<Record<string, string>> = { app: "product-service" };

/**
 * Labels of the smoke-test pods: the other caller of ai-service, admitted by its NetworkPolicy while the smoke test is
 * on. Deliberately not `app: ai-service`, so the ai-service Service never routes to them.
 */
export const SMOKE_TEST_LABELS: Readonly<Record<string, string>> = { app: "ai-service-smoke-test" };

/**
 * Rollout of ai-service: start one new pod before stopping an old one, so a rollout (a new identity hash, a new
 * image) never drops the ready pods below `replicas`, and a new pod that cannot start leaves the old ones serving.
 */
export const ROLLING_UPDATE = { maxUnavailable: 0, maxSurge: 1 } as const;

/**
 * Major version of the stack's outputs contract (docs/outputs.md "Outputs contract v1"), exported as `outputsContractVersion`
 * so a consuming stack can refuse a producer whose outputs it was not written for. Within a version, outputs are only
 * added; removing, renaming or changing one makes the next version.
 */
export const OUTPUTS_CONTRACT_VERSION = 1;

/**
 * Numeric user of the smoke test container: `curl_user` in the curlimages/curl image. The image names its USER, and
 * the kubelet can enforce runAsNonRoot only on a numeric one.
 */
export const SMOKE_TEST_RUN_AS_USER = 100;

/**
 * How long a finished smoke-test Job (and its pod's log) stays: a day to read it after a failed `pulumi up`. Pulumi
 * itself deletes a superseded Job when the name changes; the TTL removes the last one.
 */
export const SMOKE_TEST_TTL_SECONDS = 86400;

/** One description request may take this long: a cold ai-service plus a model call is seconds, rarely tens. */
export const SMOKE_TEST_REQUEST_TIMEOUT_SECONDS = 60;

/** First pause between attempts; it doubles up to the maximum below. */
export const SMOKE_TEST_BACKOFF_INITIAL_SECONDS = 5;

/** Longest pause between attempts: a role assignment that becomes effective is noticed within a minute. */
export const SMOKE_TEST_BACKOFF_MAX_SECONDS = 60;

/** Consecutive attempts with a failure waiting cannot fix before giving up (a rollout can still route to old pods). */
export const SMOKE_TEST_GIVE_UP_AFTER = 3;

/** Added to the Job's deadline for scheduling and pulling the image, which count against activeDeadlineSeconds. */
export const SMOKE_TEST_START_ALLOWANCE_SECONDS = 180;

/** Pulumi waits this much longer than the Job's deadline, so a failure is the Job's own diagnosis, not a timeout. */
export const SMOKE_TEST_AWAIT_MARGIN_SECONDS = 120;

/**
 * The output of bootstrap/github-oidc holding, per stack, the object id of the Entra group whose member is that stack's
 * deploy identity: `cluster.adminGroupObjectIds` is copied from it (docs/entra-cluster-access.md).
 */
export const CLUSTER_ADMIN_GROUPS_OUTPUT = "adminGroupObjectIds";

/**
 * The private DNS zone an Azure OpenAI endpoint (`<sub>.openai.azure.com`) resolves through behind a private endpoint.
 * Not `privatelink.cognitiveservices.azure.com`: that zone serves `*.cognitiveservices.azure.com` names only, so the
 * OpenAI name would still resolve to the public address.
 * https://learn.microsoft.com/azure/private-link/private-endpoint-dns#ai-services
 */
export const OPENAI_PRIVATE_DNS_ZONE = "privatelink.openai.azure.com";

/** The private-link sub-resource (group id) of a Cognitive Services account: its one endpoint kind. */
export const OPENAI_PRIVATE_LINK_GROUP = "account";

/**
 * "Network Contributor": what a cluster's control-plane identity needs on a subnet the cluster does not create
 * (Microsoft.Network/virtualNetworks/subnets/join/action and .../read are the narrower custom-role alternative).
 * https://learn.microsoft.com/azure/aks/use-managed-identity ("bring your own control plane managed identity"),
 * https://learn.microsoft.com/azure/aks/aks-service-permissions#cluster-identity-permissions
 */
export const NETWORK_CONTRIBUTOR_ROLE_ID = "4d97b98b-1d4f-4787-a291-c67834d212e7";
