import { defaultClusterName } from "../naming";
import { readClusterAccess } from "./clusterAccess";
import { ConfigObject, modeOf, Problems } from "./reader";
import { CLUSTER_KEYS, CLUSTER_MODES, DEFAULTS, KUBELOGIN_MODES, RULES } from "./schema";
import type { ClusterSettings } from "./settings";

/** `cluster`: the AKS cluster the workload runs on (existing, managed by this stack, or owned by another stack). */

export function readCluster(
    problems: Problems,
    raw: unknown,
    context: { project: string; stack: string; preview?: boolean },
): ClusterSettings {
    const mode = modeOf(problems, "cluster", raw, CLUSTER_MODES, "existing");
    const cluster = new ConfigObject(problems, "cluster", raw, CLUSTER_KEYS[mode], ` when cluster.mode is "${mode}"`);
    const kubeloginMode = cluster.oneOf("kubeloginMode", KUBELOGIN_MODES, DEFAULTS.kubeloginMode);
    switch (mode) {
        case "existing":
            return { mode, name: cluster.requiredString("name", RULES.clusterName), kubeloginMode };
        case "managed":
            return {
                mode,
                name: cluster.string("name", RULES.clusterName, defaultClusterName(context.project, context.stack)),
                kubeloginMode,
                kubernetesVersion: cluster.string("kubernetesVersion", RULES.kubernetesVersion),
                nodeCount: cluster.integer("nodeCount", { min: 1, max: 100, example: "2" }, DEFAULTS.nodeCount),
                nodeVmSize: cluster.string("nodeVmSize", RULES.nodeVmSize, DEFAULTS.nodeVmSize),
                ...readClusterAccess(problems, cluster, { stack: context.stack, preview: context.preview ?? false }),
            };
        case "stack":
            return {
                mode,
                stackReference: cluster.requiredString("stackReference", RULES.stackReference),
                issuerUrlOutput: cluster.string("issuerUrlOutput", RULES.outputName, DEFAULTS.issuerUrlOutput),
                kubeconfigOutput: cluster.string("kubeconfigOutput", RULES.outputName, DEFAULTS.kubeconfigOutput),
                kubeloginMode,
            };
    }
}
