import type { Step } from "./criticalPath";
import { LATENCIES, secondsOf, type LatencyKey } from "./latencies";

/**
 * The procedures this stack replaces, run by hand one command after the other, with the same latency figures as the
 * stack's graph. The seed procedure is the Microsoft Learn how-to "Secure access to Azure OpenAI from Azure Kubernetes
 * Service (AKS)" (https://learn.microsoft.com/azure/aks/open-ai-secure-access-quickstart, mirrored by Pulumi.dev.yaml):
 * it starts from the quickstart's cluster and account. For a greenfield deployment the cluster and
 * the account are created first, as the quickstart does (its `az aks create` has no workload identity flags, so the
 * seed's update still follows). No typing or reading time is counted: only what the commands wait for, and the wait
 * before the final test until the role and the credential have taken effect.
 */

export interface SeedStep extends Step {
    readonly command: string;
    readonly latency: readonly LatencyKey[];
    readonly propagation?: LatencyKey;
}

function step(id: string, command: string, latency: readonly LatencyKey[], extra: Partial<SeedStep> = {}): SeedStep {
    const propagationSeconds = extra.propagation === undefined ? undefined : LATENCIES[extra.propagation].seconds;
    return { id, command, latency, seconds: secondsOf(latency), propagationSeconds, ...extra };
}

/** The seed how-to's commands, in its order (the quickstart's cluster and Azure OpenAI account exist). */
export function seedProcedure(options: { createNamespace?: boolean } = {}): SeedStep[] {
    return [
        step("find the cluster", "az resource list --resource-type Microsoft.ContainerService/managedClusters", [
            "azCliCall",
        ]),
        step("enable workload identity", "az aks update --enable-workload-identity --enable-oidc-issuer", [
            "aksEnableWorkloadIdentity",
        ]),
        step("read the issuer", "az aks show --query oidcIssuerProfile.issuerUrl", ["azCliCall"]),
        step("create the identity", "az identity create", ["identityCreate"]),
        step("read its client id", "az identity show --query clientId", ["azCliCall"]),
        step("read its object id", "az identity show --query principalId", ["azCliCall"]),
        step("find the account", "az resource list --resource-type Microsoft.CognitiveServices/accounts", [
            "azCliCall",
        ]),
        step(
            "assign the role",
            "az role assignment create --role 'Cognitive Services OpenAI User'",
            ["roleAssignmentCreate"],
            { propagation: "roleAssignmentEffect" },
        ),
        step(
            "create the federated credential",
            "az identity federated-credential create",
            ["federatedCredentialCreate"],
            { propagation: "federatedCredentialEffect" },
        ),
        step("get a kubeconfig", "az aks get-credentials", ["azCliCall"]),
        ...(options.createNamespace
            ? [step("create the namespace", "kubectl create namespace", ["kubernetesApply"])]
            : []),
        step("create the ServiceAccount", "kubectl apply (ServiceAccount)", ["kubernetesApply"]),
        step("read the account name", "az resource list --query [0].name", ["azCliCall"]),
        step("read the endpoint", "az cognitiveservices account show --query properties.endpoint", ["azCliCall"]),
        step("read the deployment name", "az cognitiveservices account deployment list", ["azCliCall"]),
        // The how-to's manifest has no probes: the pod counts as up once it runs.
        step("redeploy ai-service and watch its pod", "kubectl apply (Deployment); kubectl get pods -w", [
            "kubernetesApply",
            "podStart",
            "aiServiceImagePull",
        ]),
        step(
            "test: ask for a product description",
            "store-admin -> product-service -> ai-service -> Azure OpenAI",
            ["firstRequest"],
            { needsEffect: true },
        ),
    ];
}

/** A new cluster and account as the quickstart creates them, then the seed procedure. */
export function greenfieldProcedure(): SeedStep[] {
    return [
        step("create the cluster", "az aks create", ["aksCreate"]),
        step("create the Azure OpenAI account", "az cognitiveservices account create --kind OpenAI", [
            "openAiAccountCreate",
        ]),
        step("deploy the model", "az cognitiveservices account deployment create", ["modelDeploymentCreate"], {
            propagation: "modelDeploymentEffect",
        }),
        ...seedProcedure({ createNamespace: true }),
    ];
}
