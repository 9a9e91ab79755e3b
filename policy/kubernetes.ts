import { USE_WORKLOAD_IDENTITY_LABEL } from "./facts";
import { at, isUnknown, listAt, recordAt, stringAt, UNKNOWN, type Unknown } from "./values";

/**
 * Where each workload kind keeps the pod it runs, so every pod rule is written once against a `PodTemplate`.
 * Patch and List variants (`DeploymentPatch`, `DeploymentList`) are not matched: their fields are partial.
 */

const POD_TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
    Pod: [],
    Deployment: ["spec", "template"],
    StatefulSet: ["spec", "template"],
    DaemonSet: ["spec", "template"],
    ReplicaSet: ["spec", "template"],
    ReplicationController: ["spec", "template"],
    Job: ["spec", "template"],
    CronJob: ["spec", "jobTemplate", "spec", "template"],
};

/** `kubernetes:apps/v1:Deployment` -> `Deployment`; undefined for other packages. */
export function kubernetesKind(type: string): string | undefined {
    return /^kubernetes:[\w.-]+\/\w+:(\w+)$/.exec(type)?.[1];
}

/** True for the Kubernetes kinds that run pods. */
export function runsPods(type: string): boolean {
    const kind = kubernetesKind(type);
    return kind !== undefined && kind in POD_TEMPLATE_PATHS;
}

export interface PodTemplate {
    /** `Deployment default/ai-service`, for messages. */
    readonly label: string;
    readonly kind: string;
    /** Namespace of the workload; "default" when not set (what the API server assigns). */
    readonly namespace: string | Unknown;
    /** Labels of the workload object itself (not of its pods). */
    readonly workloadLabels: Readonly<Record<string, unknown>> | Unknown | undefined;
    /** Labels and annotations of the pods (`spec.template.metadata` for controllers). */
    readonly podLabels: Readonly<Record<string, unknown>> | Unknown | undefined;
    readonly podAnnotations: Readonly<Record<string, unknown>> | Unknown | undefined;
    /** The pod spec, or UNKNOWN. */
    readonly spec: unknown;
    /** Dotted path of the pod template in the resource, for fix hints (`spec.template`). */
    readonly path: string;
}

/** The pod template of a pod-running resource; undefined for other types. */
export function podTemplateOf(type: string, props: Readonly<Record<string, unknown>>): PodTemplate | undefined {
    const kind = kubernetesKind(type);
    const templatePath = kind === undefined ? undefined : POD_TEMPLATE_PATHS[kind];
    if (kind === undefined || templatePath === undefined) {
        return undefined;
    }
    const namespace = stringAt(props, "metadata", "namespace") ?? "default";
    const name = stringAt(props, "metadata", "name");
    const shownName = typeof name === "string" ? name : "(name unknown)";
    return {
        label: `${kind} ${isUnknown(namespace) ? "(namespace unknown)" : namespace}/${shownName}`,
        kind,
        namespace,
        workloadLabels: recordAt(props, "metadata", "labels"),
        podLabels: recordAt(props, ...templatePath, "metadata", "labels"),
        podAnnotations: recordAt(props, ...templatePath, "metadata", "annotations"),
        spec: at(props, ...templatePath, "spec"),
        path: templatePath.join("."),
    };
}

export interface ContainerRef {
    /** `container "ai-service"` or `init container "setup"`. */
    readonly label: string;
    readonly container: unknown;
}

/**
 * Every container and init container of a pod spec; `UNKNOWN` when a whole list is unknown (nothing can be judged
 * about containers that are not known yet).
 */
export function containersOf(spec: unknown): readonly ContainerRef[] | Unknown {
    const refs: ContainerRef[] = [];
    for (const [field, kind] of [
        ["initContainers", "init container"],
        ["containers", "container"],
    ] as const) {
        const list = listAt(spec, field);
        if (isUnknown(list)) {
            return UNKNOWN;
        }
        for (const [index, container] of (list ?? []).entries()) {
            const name = stringAt(container, "name");
            refs.push({ label: `${kind} ${typeof name === "string" ? `"${name}"` : `#${index}`}`, container });
        }
    }
    return refs;
}

/** One `env` entry of a container. */
export interface EnvVar {
    readonly name: string | Unknown | undefined;
    /** True when the entry has a literal `value` (known or not: a literal is a literal). */
    readonly hasLiteral: boolean;
    readonly value: unknown;
    /** `secretKeyRef`, `configMapKeyRef`, `fieldRef`, `resourceFieldRef`, or undefined. */
    readonly source: string | Unknown | undefined;
}

/** The env entries of a container; `UNKNOWN` when the list itself is unknown. */
export function envOf(container: unknown): readonly EnvVar[] | Unknown {
    const env = listAt(container, "env");
    if (isUnknown(env)) {
        return UNKNOWN;
    }
    return (env ?? []).map((entry) => {
        const valueFrom = recordAt(entry, "valueFrom");
        const entryRecord = recordAt(entry);
        return {
            name: stringAt(entry, "name"),
            hasLiteral: entryRecord !== undefined && !isUnknown(entryRecord) && entryRecord.value !== undefined,
            value: at(entry, "value"),
            source: isUnknown(valueFrom)
                ? UNKNOWN
                : valueFrom === undefined
                  ? undefined
                  : Object.keys(valueFrom).find((key) => valueFrom[key] !== undefined && valueFrom[key] !== null),
        };
    });
}

/** True when the pod template opts in to workload identity (the webhook matches the string "true" only). */
export function usesWorkloadIdentity(pod: PodTemplate): boolean {
    return !isUnknown(pod.podLabels) && pod.podLabels?.[USE_WORKLOAD_IDENTITY_LABEL] === "true";
}
