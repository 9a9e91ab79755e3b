import { setTimeout as sleep } from "node:timers/promises";

import { KubeApiError, type KubeApi } from "./kubeApi";

/**
 * STAND-IN for what kube-scheduler and the kubelet do for pods on one node; everything else in the cluster is real.
 * No container runs: the API server, controller-manager and webhook are real, so a pod reaches this stand-in exactly as
 * the real controllers and the real webhook made it, and the stand-in answers with the status a kubelet would report:
 * it binds the pod to its node, then marks it Running and Ready (long-running pods), or Succeeded / Failed with a
 * termination message (a Job's pods) as the test decides, and completes the deletion of terminating pods (which on a
 * real node waits for the kubelet). Pod IPs are strings from the pod CIDR; nothing listens on them.
 */
export type PodOutcome =
    | { readonly kind: "ready" }
    | { readonly kind: "succeeded" }
    | { readonly kind: "failed"; readonly message: string; readonly exitCode?: number }
    /** Leave the pod Pending (e.g. to hold a rollout). */
    | { readonly kind: "pending" };

export interface PodView {
    readonly namespace: string;
    readonly name: string;
    readonly labels: Readonly<Record<string, string>>;
    /** Kind of the controller that owns the pod (ReplicaSet, Job), if any. */
    readonly ownerKind?: string;
}

/** What the stand-in does with a new pod; by default a Job's pods succeed and every other pod becomes Ready. */
export type PodDecider = (pod: PodView) => PodOutcome;

export const defaultDecider: PodDecider = (pod) =>
    pod.ownerKind === "Job" ? { kind: "succeeded" } : { kind: "ready" };

export const NODE_NAME = "aks-nodepool1-e2e-standin";

export class NodeStandin {
    /** Pods this stand-in gave a final status, as `namespace/name: outcome`, in order. */
    readonly handled: string[] = [];
    private decide: PodDecider = defaultDecider;
    private readonly done = new Set<string>();
    private nextIp = 10;
    private stopped = false;
    private loop: Promise<void> | undefined;
    private lastError: string | undefined;

    constructor(private readonly api: KubeApi) {}

    /** Changes how pods created from now on end. */
    setDecider(decider: PodDecider): void {
        this.decide = decider;
    }

    async start(): Promise<void> {
        await this.registerNode();
        this.loop = this.run();
    }

    async stop(): Promise<void> {
        this.stopped = true;
        await this.loop;
    }

    /** The last error a reconcile pass hit, if the stand-in is failing (shown by the harness when a wait times out). */
    get error(): string | undefined {
        return this.lastError;
    }

    private async run(): Promise<void> {
        while (!this.stopped) {
            try {
                await this.reconcile();
                this.lastError = undefined;
            } catch (error) {
                this.lastError = error instanceof Error ? error.message : String(error);
            }
            await sleep(200);
        }
    }

    private async registerNode(): Promise<void> {
        const node = {
            apiVersion: "v1",
            kind: "Node",
            metadata: {
                name: NODE_NAME,
                labels: { "kubernetes.io/os": "linux", "kubernetes.io/hostname": NODE_NAME, agentpool: "nodepool1" },
            },
        };
        if ((await this.api.find(`/api/v1/nodes/${NODE_NAME}`)) === undefined) {
            await this.api.post("/api/v1/nodes", node);
        }
        const now = new Date().toISOString();
        await this.api.patch(`/api/v1/nodes/${NODE_NAME}/status`, {
            status: {
                conditions: [
                    {
                        type: "Ready",
                        status: "True",
                        reason: "KubeletReady",
                        message: "e2e node stand-in",
                        lastHeartbeatTime: now,
                        lastTransitionTime: now,
                    },
                ],
                addresses: [
                    { type: "InternalIP", address: "10.224.0.4" },
                    { type: "Hostname", address: NODE_NAME },
                ],
                allocatable: { cpu: "8", memory: "32Gi", pods: "110" },
                capacity: { cpu: "8", memory: "32Gi", pods: "110" },
            },
        });
    }

    private async reconcile(): Promise<void> {
        const pods = await this.api.get<{ items: any[] }>("/api/v1/pods");
        for (const pod of pods.items) {
            const { namespace, name, uid } = pod.metadata;
            const path = `/api/v1/namespaces/${namespace}/pods/${name}`;
            if (pod.metadata.deletionTimestamp) {
                // The kubelet confirms a graceful deletion once the containers have stopped.
                await this.api.delete(`${path}?gracePeriodSeconds=0`).catch(ignoreNotFound);
                continue;
            }
            if (this.done.has(uid)) continue;
            const view: PodView = {
                namespace,
                name,
                labels: pod.metadata.labels ?? {},
                ...(pod.metadata.ownerReferences?.[0]?.kind ? { ownerKind: pod.metadata.ownerReferences[0].kind } : {}),
            };
            const outcome = this.decide(view);
            if (outcome.kind === "pending") continue;
            if (!pod.spec.nodeName) {
                await this.api
                    .post(`${path}/binding`, {
                        apiVersion: "v1",
                        kind: "Binding",
                        metadata: { name, namespace },
                        target: { apiVersion: "v1", kind: "Node", name: NODE_NAME },
                    })
                    .catch(ignoreNotFound);
            }
            // A merge patch of the status: binding just changed the pod, so a PUT of the listed object would conflict.
            await this.api.patch(`${path}/status`, { status: this.statusFor(pod, outcome) }).catch(ignoreNotFound);
            this.done.add(uid);
            this.handled.push(`${namespace}/${name}: ${outcome.kind}`);
        }
    }

    private statusFor(pod: any, outcome: Exclude<PodOutcome, { kind: "pending" }>) {
        const now = new Date().toISOString();
        const ready = outcome.kind === "ready";
        const condition = (type: string, status: boolean, reason?: string) => ({
            type,
            status: status ? "True" : "False",
            lastTransitionTime: now,
            ...(reason ? { reason } : {}),
        });
        const ip = `10.244.0.${this.nextIp++}`;
        const containerState = (container: { name: string; image: string }) => {
            const base = {
                name: container.name,
                image: container.image,
                imageID: `${container.image}@sha256:${"0".repeat(64)}`,
                containerID: `containerd://${pod.metadata.uid.replace(/-/g, "")}${container.name}`,
                restartCount: 0,
            };
            switch (outcome.kind) {
                case "ready":
                    return { ...base, ready: true, started: true, state: { running: { startedAt: now } } };
                case "succeeded":
                    return {
                        ...base,
                        ready: false,
                        started: false,
                        state: { terminated: { exitCode: 0, reason: "Completed", startedAt: now, finishedAt: now } },
                    };
                case "failed":
                    return {
                        ...base,
                        ready: false,
                        started: false,
                        state: {
                            terminated: {
                                exitCode: outcome.exitCode ?? 1,
                                reason: "Error",
                                message: outcome.message,
                                startedAt: now,
                                finishedAt: now,
                            },
                        },
                    };
            }
        };
        return {
            phase: ready ? "Running" : outcome.kind === "succeeded" ? "Succeeded" : "Failed",
            conditions: [
                condition("PodScheduled", true),
                condition("Initialized", true),
                condition("ContainersReady", ready, ready ? undefined : "PodCompleted"),
                condition("Ready", ready, ready ? undefined : "PodCompleted"),
            ],
            hostIP: "10.224.0.4",
            hostIPs: [{ ip: "10.224.0.4" }],
            podIP: ip,
            podIPs: [{ ip }],
            startTime: now,
            containerStatuses: pod.spec.containers.map(containerState),
        };
    }
}

function ignoreNotFound(error: unknown): void {
    // The pod was deleted meanwhile (404), or bound by an earlier pass (409 on the binding).
    if (error instanceof KubeApiError && (error.status === 404 || error.status === 409)) return;
    throw error;
}
