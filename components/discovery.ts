import * as pulumi from "@pulumi/pulumi";

import type { ClusterConnection } from "./clusterConnection";
import type { Settings } from "./config";
import { checkExistingCluster } from "./existingCluster";
import { readExistingOpenAiAccount } from "./existingOpenAiAccount";
import type { OpenAiTarget } from "./openAiTarget";
import { readStackCluster } from "./stackCluster";

/** What the stack reads before it creates anything. */
export interface Discovery {
    /** The cluster another stack owns (cluster.mode "stack"). */
    readonly stackCluster?: ClusterConnection;
    /** The account this stack does not own (openai.mode "existing"). */
    readonly existingOpenAi?: OpenAiTarget;
}

/**
 * Reads and checks every resource the stack uses but does not own, all at once, before any resource is registered:
 * a missing cluster, a regional OpenAI endpoint, a missing deployment or a missing stack output fails the preview
 * with every problem listed, and nothing is left half-created.
 */
export async function discoverExisting(settings: Settings, subscriptionId: string): Promise<Discovery> {
    const { cluster, openai } = settings;
    const [clusterResult, openAiResult] = await Promise.allSettled([
        cluster.mode === "existing"
            ? checkExistingCluster({ resourceGroupName: settings.resourceGroupName, clusterName: cluster.name })
            : cluster.mode === "stack"
              ? readStackCluster(cluster)
              : Promise.resolve(undefined),
        openai.mode === "existing"
            ? readExistingOpenAiAccount({
                  subscriptionId,
                  resourceGroupName: settings.resourceGroupName,
                  accountName: openai.accountName,
                  deploymentName: openai.deploymentName,
                  armEndpoint: settings.armEndpoint,
                  network: settings.network.access,
              })
            : Promise.resolve(undefined),
    ]);

    if (clusterResult.status === "rejected" || openAiResult.status === "rejected") {
        const failures = [clusterResult, openAiResult]
            .filter((result): result is PromiseRejectedResult => result.status === "rejected")
            .map((result) => (result.reason instanceof Error ? result.reason.message : String(result.reason)));
        throw new pulumi.RunError(failures.join("\n\n"));
    }
    return { stackCluster: clusterResult.value ?? undefined, existingOpenAi: openAiResult.value };
}
