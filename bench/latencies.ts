/**
 * Typical latencies of the operations a deployment of this stack waits for, each with where the figure comes from.
 * Microsoft documents few of them as numbers; where it gives only a bound ("up to 10 minutes"), the bound is used and
 * said to be one; where nothing is published, the figure is an estimate and says why. Change a figure here and the
 * benchmark's critical paths follow.
 */

export type Basis =
    /** A figure stated in the cited documentation. */
    | "documented"
    /** The documentation states only a maximum ("up to ..."): the maximum is used. */
    | "documented bound"
    /** A value this program sets itself (a probe delay), with the Kubernetes rule that makes it a wait. */
    | "this program"
    /** No published figure found: a reasoned guess. */
    | "estimate";

export interface Latency {
    readonly seconds: number;
    readonly basis: Basis;
    /** The operation, as a person would recognise it. */
    readonly what: string;
    /** The citation (URL and the words), or for an estimate the reasoning. */
    readonly source: string;
}

const LEARN = "https://learn.microsoft.com";

export const LATENCIES = {
    aksCreate: {
        seconds: 600,
        basis: "documented bound",
        what: "AKS cluster create (az aks create / ManagedCluster PUT until Succeeded)",
        source:
            `${LEARN}/azure/aks/learn/quick-windows-container-deploy-cli: "After a few minutes, the command completes ... ` +
            `Occasionally, the cluster can take longer than a few minutes to provision. Allow up to 10 minutes for provisioning."`,
    },
    aksEnableWorkloadIdentity: {
        seconds: 300,
        basis: "estimate",
        what: "az aks update --enable-oidc-issuer --enable-workload-identity (the stack's feature update: GET + PUT)",
        source:
            `no figure in ${LEARN}/azure/aks/use-oidc-issuer or ${LEARN}/azure/aks/workload-identity-deploy-cluster. ` +
            `A managed-cluster PUT that restarts the API server and deploys the webhook: taken as half the create bound.`,
    },
    identityCreate: {
        seconds: 10,
        basis: "estimate",
        what: "user-assigned managed identity create (az identity create)",
        source: "no published figure; one ARM PUT, with Entra creating the service principal behind it: seconds.",
    },
    roleAssignmentCreate: {
        seconds: 5,
        basis: "estimate",
        what: "role assignment create (az role assignment create)",
        source: "no published figure; one ARM PUT, answered synchronously.",
    },
    roleAssignmentEffect: {
        seconds: 600,
        basis: "documented bound",
        what: "role assignment takes effect (until then: 401/403 PermissionDenied)",
        source:
            `${LEARN}/azure/role-based-access-control/troubleshooting#symptom---role-assignment-changes-are-not-being-detected: ` +
            `"When you assign roles or remove role assignments, it can take up to 10 minutes for changes to take effect."`,
    },
    federatedCredentialCreate: {
        seconds: 5,
        basis: "estimate",
        what: "federated identity credential create (az identity federated-credential create)",
        source: "no published figure; one ARM PUT on the identity.",
    },
    federatedCredentialEffect: {
        seconds: 120,
        basis: "documented bound",
        what: "federated credential accepted by Entra (until then: AADSTS70021)",
        source:
            `${LEARN}/azure/aks/workload-identity-deploy-cluster: "It takes a few seconds for the federated identity ` +
            `credential to propagate after it's initially added. If a token request is immediately available after adding ` +
            `the federated identity credential, you may experience failure for a couple minutes" (a couple of minutes: 120 s).`,
    },
    openAiAccountCreate: {
        seconds: 60,
        basis: "estimate",
        what: "Azure OpenAI account create (az cognitiveservices account create --kind OpenAI --custom-domain)",
        source: "no published figure; an asynchronous ARM PUT (202 Accepted, then polled): about a minute.",
    },
    modelDeploymentCreate: {
        seconds: 60,
        basis: "estimate",
        what: "model deployment create (az cognitiveservices account deployment create)",
        source: "no published figure; an asynchronous ARM PUT on the account: about a minute.",
    },
    modelDeploymentEffect: {
        seconds: 300,
        basis: "documented bound",
        what: "model deployment serves requests (until then: 404 DeploymentNotFound)",
        source:
            `the service's own DeploymentNotFound message, quoted at ${LEARN}/answers/questions/1299621: "If you created ` +
            `the deployment within the last 5 minutes, please wait a moment and try again."`,
    },
    logAnalyticsWorkspaceCreate: {
        seconds: 30,
        basis: "estimate",
        what: "Log Analytics workspace create (az monitor log-analytics workspace create), for audit",
        source: "no published figure; an ARM PUT the provider polls until Succeeded: tens of seconds.",
    },
    diagnosticSettingCreate: {
        seconds: 5,
        basis: "estimate",
        what: "diagnostic setting create on the account (az monitor diagnostic-settings create), for audit",
        source: "no published figure; one ARM PUT on Microsoft.Insights, answered synchronously.",
    },
    kubernetesProvider: {
        seconds: 2,
        basis: "estimate",
        what: "list the cluster's user kubeconfig and configure the Kubernetes provider",
        source: "no published figure; one ARM POST (listClusterUserCredential) and a connection to the API server.",
    },
    kubernetesApply: {
        seconds: 1,
        basis: "estimate",
        what: "apply one Kubernetes object that has no readiness to wait for (kubectl apply)",
        source: "no published figure; one request to the API server.",
    },
    serviceEndpoints: {
        seconds: 10,
        basis: "documented",
        what: "Service ready: Pulumi waits for ready endpoints, then for stragglers",
        source:
            `@pulumi/kubernetes core/v1 Service await logic (https://www.pulumi.com/registry/packages/kubernetes/api-docs/` +
            `core/v1/service/): "Related Endpoint objects are created. Each time we get an update, wait 10 seconds for ` +
            `any stragglers." The endpoints are ai-service's ready pods.`,
    },
    podStart: {
        seconds: 5,
        basis: "estimate",
        what: "schedule a pod on a running node and start its container",
        source: "no published figure; scheduling plus container creation on a warm node.",
    },
    aiServiceImagePull: {
        seconds: 30,
        basis: "estimate",
        what: "first pull of ghcr.io/azure-samples/aks-store-demo/ai-service on a node",
        source: "no published figure; a Python application image of a few hundred MB from ghcr.io.",
    },
    startupProbeDelay: {
        seconds: 20,
        basis: "this program",
        what: "ai-service startup probe initialDelaySeconds",
        source:
            'components/aiService.ts startupProbe.initialDelaySeconds: 20; Kubernetes: "All other probes are disabled ' +
            'if a startup probe is provided, until it succeeds" (https://kubernetes.io/docs/concepts/workloads/pods/' +
            "pod-lifecycle/#container-probes).",
    },
    readinessProbePeriod: {
        seconds: 10,
        basis: "this program",
        what: "first readiness probe after the startup probe passes (at most one period)",
        source:
            "components/aiService.ts readinessProbe.periodSeconds: 10; the Deployment is ready (Pulumi's await) when " +
            "its pods are Ready.",
    },
    smokeTestImagePull: {
        seconds: 5,
        basis: "estimate",
        what: "first pull of the smoke test image (curlimages/curl)",
        source: "no published figure; an image of a few MB.",
    },
    firstRequest: {
        seconds: 5,
        basis: "estimate",
        what: "one keyless request: token exchange with Entra plus one chat completion",
        source:
            "no published figure; seconds. The smoke test retries with backoff (5 s doubling to 60 s, " +
            "components/constants.ts), so it may notice the end of a propagation up to 60 s late: not included.",
    },
    virtualNetworkCreate: {
        seconds: 10,
        basis: "estimate",
        what: "virtual network create (az network vnet create), and each subnet (az network vnet subnet create)",
        source: "no published figure; one ARM PUT each, answered within seconds (the stack writes its subnets one at a time).",
    },
    privateEndpointCreate: {
        seconds: 60,
        basis: "estimate",
        what: "private endpoint create with its network interface and the account's auto-approved connection",
        source: "no published figure; an asynchronous ARM PUT (a NIC in the subnet, a connection on the account): about a minute.",
    },
    privateDnsCreate: {
        seconds: 30,
        basis: "estimate",
        what: "private DNS zone, virtual network link or zone group create (az network private-dns ...)",
        source: "no published figure; an asynchronous ARM PUT on a global resource: tens of seconds.",
    },
    azCliCall: {
        seconds: 3,
        basis: "estimate",
        what: "one read-only az CLI command (az aks show, az identity show, az resource list, ...)",
        source: "no published figure; the CLI's start-up, a cached token and one ARM request.",
    },
} as const satisfies Record<string, Latency>;

export type LatencyKey = keyof typeof LATENCIES;

/** Seconds of a task made of several operations in sequence. */
export function secondsOf(keys: readonly LatencyKey[]): number {
    return keys.reduce((sum, key) => sum + LATENCIES[key].seconds, 0);
}

/** A Deployment rollout of ai-service as this program specifies it: pull, start, startup probe, first readiness. */
export const AI_SERVICE_ROLLOUT: readonly LatencyKey[] = [
    "kubernetesApply",
    "podStart",
    "aiServiceImagePull",
    "startupProbeDelay",
    "readinessProbePeriod",
];

/** The smoke-test Job until its container runs (its request is the first keyless request). */
export const SMOKE_TEST_START: readonly LatencyKey[] = ["kubernetesApply", "podStart", "smokeTestImagePull"];

/** The Pulumi engine runs independent operations at once: the critical path is the deployment's duration. */
export const PULUMI_PARALLELISM_SOURCE =
    'https://www.pulumi.com/docs/iac/cli/commands/pulumi_up/: "-p, --parallel int  Allow P resource operations to ' +
    'run in parallel at once (1 for no parallelism). Defaults to unbounded."';
