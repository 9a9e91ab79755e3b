import * as appsv1 from "@pulumi/kubernetes/apps/v1";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import * as policyv1 from "@pulumi/kubernetes/policy/v1";
import type * as k8sInput from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";

import type { ContainerResources } from "./config";
import {
    AI_SERVICE_NAME,
    AI_SERVICE_PORT,
    IDENTITY_HASH_ANNOTATION,
    ROLLING_UPDATE,
    USE_WORKLOAD_IDENTITY_LABEL,
} from "./constants";
import { identityHash } from "./naming";

/** Pods allowed to call ai-service when the NetworkPolicy is on. */
export interface NetworkPeer {
    /** Labels the calling pods carry (all must match). */
    readonly podLabels: Readonly<Record<string, string>>;
    /** Namespace of the calling pods; default: ai-service's own namespace. */
    readonly namespace?: string;
}

export interface AiServiceArgs {
    /** Namespace of the store (product-service calls `http://ai-service:5001/` in its own namespace). */
    readonly namespace: string;
    /** ServiceAccount the pods run as: pass the created ServiceAccount's `metadata.name`, not a second copy of it. */
    readonly serviceAccountName: pulumi.Input<string>;
    /** Client id of the identity the ServiceAccount is annotated with; hashed onto the pod template. */
    readonly identityClientId: pulumi.Input<string>;
    /** Container image, pinned. */
    readonly image: string;
    /** Pod replicas. */
    readonly replicas: number;
    /** Container requests and limits. */
    readonly resources: ContainerResources;
    /** Azure OpenAI custom-subdomain endpoint. */
    readonly openAiEndpoint: pulumi.Input<string>;
    /** Model deployment name. */
    readonly openAiDeploymentName: pulumi.Input<string>;
    /** Azure OpenAI API version (the image's default differs across tags, so it is always set). */
    readonly openAiApiVersion: string;
    /**
     * Adopt the `ai-service` Deployment and Service the quickstart created with kubectl (default false). The objects
     * are imported and then updated in the same `pulumi up`, so every field kubectl set and this program does not
     * (the API key variables) is removed; see docs/adopting-kubectl-objects.md.
     */
    readonly adoptExisting: boolean;
    /** Run the container as this non-root UID, with runAsNonRoot (default: the image's user, root). */
    readonly runAsUser?: number;
    /**
     * Admit ingress to ai-service only from these callers (default: no NetworkPolicy). Takes effect only on clusters
     * with a network policy engine (AKS --network-policy azure|calico|cilium).
     */
    readonly networkPolicy?: { readonly allowedPeers: readonly NetworkPeer[] };
    /**
     * What the pods need before they start: the ServiceAccount, its federated credential, the role assignment, and the
     * cluster's workload identity (the webhook). Put on the Deployment itself: a component's dependsOn does not reach
     * its children.
     */
    readonly startAfter: readonly pulumi.Resource[];
}

/** Environment variables that make ai-service call Azure OpenAI with a token from its workload identity. */
export function aiServiceEnvironment<T>(args: {
    readonly endpoint: T;
    readonly deploymentName: T;
    readonly apiVersion: string;
}): { name: string; value: T | string }[] {
    return [
        { name: "USE_AZURE_OPENAI", value: "True" },
        // DefaultAzureCredential with the webhook-injected AZURE_CLIENT_ID / AZURE_FEDERATED_TOKEN_FILE.
        { name: "USE_AZURE_AD", value: "True" },
        { name: "AZURE_OPENAI_DEPLOYMENT_NAME", value: args.deploymentName },
        { name: "AZURE_OPENAI_ENDPOINT", value: args.endpoint },
        { name: "AZURE_OPENAI_API_VERSION", value: args.apiVersion },
    ];
}

/**
 * Pod-level security context: the runtime's default seccomp profile always; a non-root UID only when configured
 * (the upstream image declares no USER, so runAsNonRoot without a UID stops the pod from starting).
 */
export function podSecurityContext(runAsUser?: number): k8sInput.core.v1.PodSecurityContext {
    return {
        seccompProfile: { type: "RuntimeDefault" },
        ...(runAsUser === undefined ? {} : { runAsNonRoot: true, runAsUser }),
    };
}

/** Container-level hardening that a Python web server on an unprivileged port never needs to undo. */
export function containerSecurityContext(): k8sInput.core.v1.SecurityContext {
    return { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
}

/** NetworkPolicy `from` entries: a bare podSelector means "in the policy's namespace"; others name their namespace. */
export function ingressPeers(peers: readonly NetworkPeer[]): k8sInput.networking.v1.NetworkPolicyPeer[] {
    return peers.map((peer) => ({
        podSelector: { matchLabels: { ...peer.podLabels } },
        ...(peer.namespace === undefined
            ? {}
            : { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": peer.namespace } } }),
    }));
}

/**
 * The aks-store-demo `ai-service` Deployment and its `ai-service` Service, running keyless: the pod template carries
 * the workload-identity label (the webhook injects the token only into pods that have it, at creation), runs as the
 * federated ServiceAccount, and has no key variable at all. The Deployment starts after everything in `startAfter`: a
 * pod that starts before its credential and role exist fails its first calls.
 */
export class AiService extends pulumi.ComponentResource {
    public readonly deployment: appsv1.Deployment;
    public readonly service: corev1.Service;
    /** Present when replicas > 1: voluntary disruptions (node drains, upgrades) keep at least one pod serving. */
    public readonly disruptionBudget?: policyv1.PodDisruptionBudget;
    /** Present when `networkPolicy` is given. */
    public readonly networkPolicy?: networkingv1.NetworkPolicy;
    /** In-cluster URL product-service calls. */
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: AiServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aks-openai-wi:app:AiService", name, {}, opts);

        const labels = { app: AI_SERVICE_NAME };
        const healthProbe = { httpGet: { path: "/health", port: AI_SERVICE_PORT } };
        // `import` is a no-op once the objects are in the state, so it stays set after the first `pulumi up`.
        // Adopted objects were created by kubectl, not by this stack: `pulumi destroy` leaves them in place.
        const adoption = args.adoptExisting
            ? { import: `${args.namespace}/${AI_SERVICE_NAME}`, retainOnDelete: true }
            : {};

        this.deployment = new appsv1.Deployment(
            `${name}-deployment`,
            {
                metadata: {
                    name: AI_SERVICE_NAME,
                    namespace: args.namespace,
                    labels,
                    // Take over fields another field manager (kubectl) set, instead of failing on the conflict.
                    annotations: { "pulumi.com/patchForce": "true" },
                },
                spec: {
                    replicas: args.replicas,
                    // Same selector as the quickstart's Deployment: a selector is immutable, so adoption needs it.
                    selector: { matchLabels: labels },
                    strategy: { type: "RollingUpdate", rollingUpdate: { ...ROLLING_UPDATE } },
                    template: {
                        metadata: {
                            labels: { ...labels, [USE_WORKLOAD_IDENTITY_LABEL]: "true" },
                            annotations: {
                                [IDENTITY_HASH_ANNOTATION]: pulumi.output(args.identityClientId).apply(identityHash),
                            },
                        },
                        spec: {
                            serviceAccountName: args.serviceAccountName,
                            // The API token is not needed: ai-service never calls Kubernetes. Workload identity does
                            // not depend on it either: the azure-workload-identity webhook adds its own projected
                            // token volume (audience api://AzureADTokenExchange) to every pod it mutates, whatever
                            // this flag says (pkg/webhook/webhook.go, addProjectedVolume); the flag only drops the
                            // kube-api-access volume the ServiceAccount admission plugin would add.
                            automountServiceAccountToken: false,
                            securityContext: podSecurityContext(args.runAsUser),
                            nodeSelector: { "kubernetes.io/os": "linux" },
                            containers: [
                                {
                                    name: AI_SERVICE_NAME,
                                    image: args.image,
                                    ports: [{ name: "http", containerPort: AI_SERVICE_PORT }],
                                    securityContext: containerSecurityContext(),
                                    env: aiServiceEnvironment({
                                        endpoint: args.openAiEndpoint,
                                        deploymentName: args.openAiDeploymentName,
                                        apiVersion: args.openAiApiVersion,
                                    }),
                                    resources: {
                                        requests: {
                                            cpu: args.resources.requests.cpu,
                                            memory: args.resources.requests.memory,
                                        },
                                        limits: {
                                            cpu: args.resources.limits.cpu,
                                            memory: args.resources.limits.memory,
                                        },
                                    },
                                    // /health never touches Azure: these probes prove the process is up, not that
                                    // identity works (the smoke test does that). Python start-up under a 50m CPU
                                    // limit is slow, hence the generous start-up budget (20 s + 30 x 10 s).
                                    startupProbe: {
                                        ...healthProbe,
                                        initialDelaySeconds: 20,
                                        periodSeconds: 10,
                                        failureThreshold: 30,
                                    },
                                    readinessProbe: { ...healthProbe, periodSeconds: 10, failureThreshold: 3 },
                                    livenessProbe: { ...healthProbe, periodSeconds: 20, failureThreshold: 3 },
                                },
                            ],
                        },
                    },
                },
            },
            { parent: this, dependsOn: [...args.startAfter], ...adoption },
        );

        this.service = new corev1.Service(
            `${name}-service`,
            {
                metadata: { name: AI_SERVICE_NAME, namespace: args.namespace, labels },
                spec: {
                    type: "ClusterIP",
                    selector: labels,
                    ports: [{ name: "http", port: AI_SERVICE_PORT, targetPort: AI_SERVICE_PORT }],
                },
            },
            // The API server assigned the adopted Service's clusterIP, and pulumi-kubernetes replaces a Service whose
            // spec.clusterIP changes (provider/pkg/provider/diff.go). An import takes the live clusterIP as the old
            // input and this program sends none, so without this the import plans a replace, which Pulumi refuses
            // for an imported resource ("previously-imported resources ... may not be replaced"): found by the e2e
            // seed scenario under the real engine (docs/e2e.md).
            { parent: this, ...adoption, ...(args.adoptExisting ? { ignoreChanges: ["spec.clusterIP"] } : {}) },
        );

        if (args.replicas > 1) {
            // Only with more than one replica: minAvailable 1 of 1 would block every node drain.
            this.disruptionBudget = new policyv1.PodDisruptionBudget(
                `${name}-pdb`,
                {
                    metadata: { name: AI_SERVICE_NAME, namespace: args.namespace, labels },
                    spec: { minAvailable: 1, selector: { matchLabels: labels } },
                },
                { parent: this },
            );
        }

        if (args.networkPolicy !== undefined) {
            this.networkPolicy = new networkingv1.NetworkPolicy(
                `${name}-ingress`,
                {
                    metadata: { name: AI_SERVICE_NAME, namespace: args.namespace, labels },
                    spec: {
                        podSelector: { matchLabels: labels },
                        // Ingress only: ai-service must still reach DNS, Entra ID and Azure OpenAI.
                        policyTypes: ["Ingress"],
                        ingress: [
                            {
                                from: ingressPeers(args.networkPolicy.allowedPeers),
                                ports: [{ protocol: "TCP", port: AI_SERVICE_PORT }],
                            },
                        ],
                    },
                },
                { parent: this },
            );
        }

        this.url = pulumi.interpolate`http://${this.service.metadata.name}.${this.service.metadata.namespace}:${AI_SERVICE_PORT}/`;

        this.registerOutputs({ url: this.url });
    }
}
