import type { GraphResource } from "./child/protocol";
import type { Dependency, Task } from "./criticalPath";
import { AI_SERVICE_ROLLOUT, SMOKE_TEST_START, secondsOf, type LatencyKey } from "./latencies";

/**
 * The deployment as a graph of timed tasks, built from what the program registers (tools/engine/runProgram.ts records
 * each resource's dependencies). Every custom resource is a task weighted by its typical latency; a role assignment, a
 * federated credential and a model deployment also get an "effect" task: the time until Azure honours them, which
 * the engine does not wait for but the first keyless request does. The sink is that first request.
 *
 * Every edge says why it exists: `data` (an input of the dependent is an output of the dependency), `provider` (the
 * dependent is created through that provider), `ordering` (dependsOn with a documented need), `await` (the provider's
 * readiness check waits for it), `effect` (the first request needs it to have taken effect), or `neither`: a
 * dependency with no known need, which lengthens the deployment for nothing.
 */

export type EdgeKind = "data" | "provider" | "ordering" | "await" | "effect" | "neither";

export interface GraphTask extends Task {
    /** Resource name, or a description for effect and request tasks. */
    readonly label: string;
    /** Pulumi type token, or "effect" / "request". */
    readonly type: string;
    readonly latency: readonly LatencyKey[];
}

export interface GraphEdge extends Dependency {
    readonly kind: EdgeKind;
    readonly reason: string;
}

export interface DeploymentGraph {
    readonly tasks: readonly GraphTask[];
    readonly edges: readonly GraphEdge[];
    /** The first keyless request from the cluster to Azure OpenAI. */
    readonly sink: string;
    /** Tasks `pulumi up` waits for: every resource, and the sink when a smoke-test Job makes the request. */
    readonly pulumiWaitsFor: readonly string[];
}

/** What each resource type waits for while it is created. */
const RESOURCE_LATENCY: Readonly<Record<string, readonly LatencyKey[]>> = {
    "azure-native:containerservice:ManagedCluster": ["aksCreate"],
    "pulumi-nodejs:dynamic/aks:WorkloadIdentityFeatures": ["aksEnableWorkloadIdentity"],
    "azure-native:managedidentity:UserAssignedIdentity": ["identityCreate"],
    "azure-native:authorization:RoleAssignment": ["roleAssignmentCreate"],
    "azure-native:managedidentity:FederatedIdentityCredential": ["federatedCredentialCreate"],
    "azure-native:cognitiveservices:Account": ["openAiAccountCreate"],
    "azure-native:cognitiveservices:Deployment": ["modelDeploymentCreate"],
    "azure-native:operationalinsights:Workspace": ["logAnalyticsWorkspaceCreate"],
    "azure-native:monitor:DiagnosticSetting": ["diagnosticSettingCreate"],
    "pulumi:providers:kubernetes": ["kubernetesProvider"],
    "pulumi:pulumi:StackReference": [],
    "kubernetes:core/v1:Namespace": ["kubernetesApply"],
    "kubernetes:core/v1:ServiceAccount": ["kubernetesApply"],
    "kubernetes:networking/v1:NetworkPolicy": ["kubernetesApply"],
    "kubernetes:policy/v1:PodDisruptionBudget": ["kubernetesApply"],
    "kubernetes:core/v1:Service": ["kubernetesApply", "serviceEndpoints"],
    "kubernetes:apps/v1:Deployment": AI_SERVICE_ROLLOUT,
    "kubernetes:batch/v1:Job": SMOKE_TEST_START,
    "azure-native:network:VirtualNetwork": ["virtualNetworkCreate"],
    "azure-native:network:Subnet": ["virtualNetworkCreate"],
    "azure-native:network:PrivateEndpoint": ["privateEndpointCreate"],
    "azure-native:network:PrivateDnsZoneGroup": ["privateDnsCreate"],
    "azure-native:privatedns:PrivateZone": ["privateDnsCreate"],
    "azure-native:privatedns:VirtualNetworkLink": ["privateDnsCreate"],
};

/** Resources Azure honours some time after they are created. */
const EFFECT_LATENCY: Readonly<Record<string, { key: LatencyKey; label: string }>> = {
    "azure-native:authorization:RoleAssignment": { key: "roleAssignmentEffect", label: "takes effect" },
    "azure-native:managedidentity:FederatedIdentityCredential": {
        key: "federatedCredentialEffect",
        label: "accepted by Entra",
    },
    "azure-native:cognitiveservices:Deployment": { key: "modelDeploymentEffect", label: "serves requests" },
};

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const JOB = "kubernetes:batch/v1:Job";
const SERVICE = "kubernetes:core/v1:Service";
const FEDERATED_CREDENTIAL = "azure-native:managedidentity:FederatedIdentityCredential";

/**
 * Why a dependsOn-only edge is needed, by (dependent type, dependency type). An edge without an entry here and without
 * a data flow is reported as `neither`.
 */
export const ORDERING_NEEDS: Readonly<Record<string, string>> = {
    [`${DEPLOYMENT} -> ${FEDERATED_CREDENTIAL}`]:
        "credential before pods: a token request before the credential exists fails with AADSTS70021",
    [`${DEPLOYMENT} -> azure-native:authorization:RoleAssignment`]:
        "role before pods: pods start once their identity holds its role (index.ts startAfter)",
    [`${DEPLOYMENT} -> pulumi-nodejs:dynamic/aks:WorkloadIdentityFeatures`]:
        "webhook before pods: the workload identity webhook mutates pods only when they are created",
    [`${DEPLOYMENT} -> azure-native:containerservice:ManagedCluster`]:
        "webhook before pods: the workload identity webhook mutates pods only when they are created",
    [`${DEPLOYMENT} -> kubernetes:core/v1:ServiceAccount`]:
        "ServiceAccount before pods: the webhook (failurePolicy Fail) rejects pods whose ServiceAccount is missing",
    [`${FEDERATED_CREDENTIAL} -> ${FEDERATED_CREDENTIAL}`]:
        "one credential write at a time per identity: concurrent writes fail with 409 (pulumi-azure-native#4343)",
    "kubernetes:core/v1:ServiceAccount -> kubernetes:core/v1:Namespace": "namespace before the objects in it",
    [`${JOB} -> ${DEPLOYMENT}`]: "the smoke test calls ai-service: its pods must be ready",
    [`${JOB} -> ${SERVICE}`]: "the smoke test calls ai-service through its Service",
    [`${JOB} -> kubernetes:networking/v1:NetworkPolicy`]: "ai-service's NetworkPolicy must admit the smoke test first",
    "azure-native:network:Subnet -> azure-native:network:Subnet":
        "one subnet write at a time per network: concurrent writes fail with AnotherOperationInProgress",
    "azure-native:containerservice:ManagedCluster -> azure-native:authorization:RoleAssignment":
        "the control-plane identity's role on the node subnet before AKS joins the subnet (components/clusterControlPlaneIdentity.ts)",
    [`${DEPLOYMENT} -> azure-native:network:PrivateDnsZoneGroup`]:
        "private mode: the account answers only through the endpoint, once its name resolves to it",
    [`${DEPLOYMENT} -> azure-native:privatedns:VirtualNetworkLink`]:
        "private mode: the pods' resolver reads the zone only once it is linked to the cluster's network",
};

export function deploymentGraph(resources: readonly GraphResource[]): DeploymentGraph {
    const custom = resources.filter((r) => r.custom);
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const names = new Map<string, number>();
    for (const r of custom) {
        names.set(r.name, (names.get(r.name) ?? 0) + 1);
    }
    const idOf = (r: GraphResource) => (names.get(r.name)! > 1 ? `${r.name} (${r.type})` : r.name);

    const tasks: GraphTask[] = [];
    const edges: GraphEdge[] = [];
    const addEdge = (edge: GraphEdge) => {
        if (!edges.some((e) => e.from === edge.from && e.to === edge.to)) {
            edges.push(edge);
        }
    };

    for (const r of custom) {
        const latency = RESOURCE_LATENCY[r.type];
        if (latency === undefined) {
            throw new Error(
                `bench: no latency known for ${r.type} (${r.name}); add it to RESOURCE_LATENCY in bench/deploymentGraph.ts ` +
                    `with a cited figure in bench/latencies.ts`,
            );
        }
        tasks.push({ id: idOf(r), label: r.name, type: r.type, latency, seconds: secondsOf(latency) });
    }

    for (const r of custom) {
        for (const dependency of customTargets(r.dependencies, resources, byUrn)) {
            const keys = Object.entries(r.propertyDependencies)
                .filter(([, urns]) => customTargets(urns, resources, byUrn).includes(dependency))
                .map(([key]) => key)
                .sort();
            const need = ORDERING_NEEDS[`${r.type} -> ${dependency.type}`];
            addEdge({
                from: idOf(r),
                to: idOf(dependency),
                ...(keys.length > 0
                    ? { kind: "data", reason: `input ${keys.join(", ")} comes from it` }
                    : need !== undefined
                      ? { kind: "ordering", reason: need }
                      : { kind: "neither", reason: "no input comes from it and no ordering need is known" }),
            });
        }
        const provider = byUrn.get(r.provider.split("::").slice(0, -1).join("::"));
        if (provider !== undefined && provider.custom) {
            addEdge({
                from: idOf(r),
                to: idOf(provider),
                kind: "provider",
                reason: "created through this provider (its kubeconfig)",
            });
        }
        if (r.type === SERVICE) {
            // Pulumi's Service await waits for ready endpoints: the pods of the Deployments beside it.
            for (const deployment of custom.filter((d) => d.type === DEPLOYMENT && d.parent === r.parent)) {
                addEdge({
                    from: idOf(r),
                    to: idOf(deployment),
                    kind: "await",
                    reason: "Pulumi's Service await waits for ready endpoints: these pods",
                });
            }
        }
    }

    // Effects and the first keyless request.
    const sink = "first keyless request";
    const deployments = custom.filter((r) => r.type === DEPLOYMENT);
    const jobs = custom.filter((r) => r.type === JOB);
    const sinkEdges: GraphEdge[] = [];
    for (const d of deployments) {
        sinkEdges.push({ from: sink, to: idOf(d), kind: "effect", reason: "the request goes to ai-service" });
    }
    for (const j of jobs) {
        sinkEdges.push({ from: sink, to: idOf(j), kind: "effect", reason: "the smoke test makes the request" });
    }
    const credentialsOfApp = new Set(
        deployments.flatMap((d) =>
            customTargets(d.dependencies, resources, byUrn)
                .filter((t) => t.type === FEDERATED_CREDENTIAL)
                .map(idOf),
        ),
    );
    for (const r of custom) {
        const effect = EFFECT_LATENCY[r.type];
        if (effect === undefined) {
            continue;
        }
        const id = `${idOf(r)} ${effect.label}`;
        tasks.push({
            id,
            label: id,
            type: "effect",
            latency: [effect.key],
            seconds: secondsOf([effect.key]),
        });
        addEdge({ from: id, to: idOf(r), kind: "effect", reason: "starts when it is created" });
        // Only the credential of the ServiceAccount ai-service runs as matters to its first request.
        if (r.type !== FEDERATED_CREDENTIAL || credentialsOfApp.size === 0 || credentialsOfApp.has(idOf(r))) {
            sinkEdges.push({ from: sink, to: id, kind: "effect", reason: "the request needs it" });
        }
    }
    tasks.push({
        id: sink,
        label: "first keyless request (ai-service to Azure OpenAI)",
        type: "request",
        latency: ["firstRequest"],
        seconds: secondsOf(["firstRequest"]),
    });
    sinkEdges.forEach(addEdge);

    const pulumiWaitsFor = [...custom.map(idOf), ...(jobs.length > 0 ? [sink] : [])];
    return { tasks, edges, sink, pulumiWaitsFor };
}

/** The custom resources behind a list of URNs; a component stands for every custom resource under it. */
function customTargets(
    urns: readonly string[],
    resources: readonly GraphResource[],
    byUrn: ReadonlyMap<string, GraphResource>,
): GraphResource[] {
    const out: GraphResource[] = [];
    const visit = (urn: string) => {
        const r = byUrn.get(urn);
        if (r === undefined) {
            return;
        }
        if (r.custom) {
            if (!out.includes(r)) {
                out.push(r);
            }
            return;
        }
        resources.filter((child) => child.parent === urn).forEach((child) => visit(child.urn));
    };
    urns.forEach(visit);
    return out;
}
