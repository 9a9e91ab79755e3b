import type { ManagedCluster } from "@azure/arm-containerservice";
import type * as dynamic from "@pulumi/pulumi/dynamic";

import { CONTAINER_SERVICE_API_VERSION } from "./armApiVersions";
import { azureCredential } from "./azureCredential";

/**
 * What `az aks update --enable-oidc-issuer --enable-workload-identity` does, as a Pulumi dynamic provider for a cluster
 * this stack does not own: GET the managed cluster; only if either feature is off, PUT it back with both on, guarded by
 * its ETag (If-Match) so a concurrent change is never overwritten; wait for the long-running operation.
 *
 * Why not `containerservice.ManagedCluster` with `import`: azure-native has no PATCH, so every update is a full PUT of
 * the program's inputs, and since Pulumi 3.174 `import` also pushes the program's inputs onto the live cluster.
 * A read-modify-write of two fields is the only safe update of a cluster someone else owns.
 *
 * Pulumi serializes this provider into the stack state and runs it in its own process, so this file imports no
 * `@pulumi/pulumi` values and loads the Azure SDK inside the methods. The project modules it imports (the credential,
 * the api-version) are serialized with it by value.
 */

export interface ClusterFeatureInputs {
    readonly subscriptionId: string;
    readonly resourceGroupName: string;
    readonly clusterName: string;
    /** Azure Resource Manager endpoint with a trailing slash; sovereign clouds and tests override it. */
    readonly armEndpoint: string;
}

export interface ClusterFeatureState extends ClusterFeatureInputs {
    readonly clusterId: string;
    readonly location: string;
    /** The cluster's OIDC issuer URL, verbatim (trailing '/' included): federated credentials must match it exactly. */
    readonly issuerUrl: string;
    readonly oidcIssuerEnabled: boolean;
    readonly workloadIdentityEnabled: boolean;
    /** True when this stack's update turned a feature on; false when both were already on. */
    readonly enabledByStack: boolean;
}

/** Inputs that identify the cluster; changing one points the resource at another cluster. */
const IDENTITY_KEYS = ["subscriptionId", "resourceGroupName", "clusterName"] as const;

/**
 * Reads the cluster's current feature state, keeping `enabledByStack` (what the state recorded: a read cannot tell who
 * turned a feature on); undefined when the cluster does not exist.
 */
async function readClusterFeatures(
    inputs: ClusterFeatureInputs,
    enabledByStack: boolean,
): Promise<ClusterFeatureState | undefined> {
    const client = await armClient(inputs);
    try {
        const cluster = await client.managedClusters.get(inputs.resourceGroupName, inputs.clusterName);
        return stateOf(inputs, cluster, enabledByStack);
    } catch (error) {
        if (statusOf(error) === 404) {
            return undefined;
        }
        throw explain("read", inputs, error);
    }
}

/** Turns on the OIDC issuer and workload identity if either is off; never touches any other field. */
async function enableClusterFeatures(inputs: ClusterFeatureInputs): Promise<ClusterFeatureState> {
    const client = await armClient(inputs);
    let cluster: ManagedCluster;
    try {
        cluster = await client.managedClusters.get(inputs.resourceGroupName, inputs.clusterName);
    } catch (error) {
        throw explain("read", inputs, error);
    }
    if (cluster.oidcIssuerProfile?.enabled === true && cluster.securityProfile?.workloadIdentity?.enabled === true) {
        return requireIssuer(stateOf(inputs, cluster, false));
    }

    const desired: ManagedCluster = {
        ...cluster,
        oidcIssuerProfile: { ...cluster.oidcIssuerProfile, enabled: true },
        securityProfile: { ...cluster.securityProfile, workloadIdentity: { enabled: true } },
    };
    let updated: ManagedCluster;
    try {
        // If-Match: if anyone changed the cluster since our GET, ARM answers 412 and nothing is overwritten.
        updated = await client.managedClusters.createOrUpdate(inputs.resourceGroupName, inputs.clusterName, desired, {
            ifMatch: cluster.eTag,
        });
    } catch (error) {
        throw explain("update", inputs, error);
    }
    return requireIssuer(stateOf(inputs, updated, true));
}

export const clusterFeaturesProvider: dynamic.ResourceProvider<ClusterFeatureInputs, ClusterFeatureState> = {
    async check(_olds, news) {
        const failures = [...IDENTITY_KEYS, "armEndpoint"]
            .filter(
                (key) =>
                    typeof (news as unknown as Record<string, unknown>)[key] !== "string" ||
                    (news as unknown as Record<string, string>)[key] === "",
            )
            .map((key) => ({ property: key, reason: `${key} must be a non-empty string` }));
        return { inputs: news, failures };
    },

    async create(inputs) {
        const state = await enableClusterFeatures(inputs);
        return { id: state.clusterId, outs: state };
    },

    async read(id, props) {
        if (props === undefined) {
            return { id, props };
        }
        const current = await readClusterFeatures(props, props.enabledByStack);
        if (current === undefined) {
            // The cluster is gone: report the resource as deleted so a refresh drops it from the state.
            return {};
        }
        return { id, props: current };
    },

    async diff(_id, olds, news) {
        const replaces = IDENTITY_KEYS.filter((key) => olds[key] !== news[key]);
        // After a refresh, olds hold the live state: a feature turned off out of band is drift to repair.
        const drifted = olds.oidcIssuerEnabled !== true || olds.workloadIdentityEnabled !== true;
        return {
            changes: replaces.length > 0 || drifted || olds.armEndpoint !== news.armEndpoint,
            replaces,
            deleteBeforeReplace: false,
        };
    },

    async update(_id, olds, news) {
        const state = await enableClusterFeatures(news);
        return { outs: { ...state, enabledByStack: state.enabledByStack || olds.enabledByStack } };
    },

    async delete() {
        // The cluster is not this stack's, and AKS cannot turn the OIDC issuer off once it is on: leave it as it is.
    },
};

async function armClient(inputs: ClusterFeatureInputs) {
    const { ContainerServiceClient } = await import("@azure/arm-containerservice");
    // Read here, in the provider host (a child of the pulumi CLI, with the job's environment), on every operation: in
    // GitHub Actions each operation's credential fetches its own fresh GitHub token (see azureCredential.ts).
    const credential = await azureCredential(process.env);
    return new ContainerServiceClient(credential, inputs.subscriptionId, {
        endpoint: inputs.armEndpoint,
        apiVersion: CONTAINER_SERVICE_API_VERSION,
        credentials: { scopes: [`${inputs.armEndpoint}.default`] },
    });
}

function stateOf(inputs: ClusterFeatureInputs, cluster: ManagedCluster, changed: boolean): ClusterFeatureState {
    return {
        subscriptionId: inputs.subscriptionId,
        resourceGroupName: inputs.resourceGroupName,
        clusterName: inputs.clusterName,
        armEndpoint: inputs.armEndpoint,
        clusterId: cluster.id ?? "",
        location: cluster.location,
        issuerUrl: cluster.oidcIssuerProfile?.issuerURL ?? "",
        oidcIssuerEnabled: cluster.oidcIssuerProfile?.enabled === true,
        workloadIdentityEnabled: cluster.securityProfile?.workloadIdentity?.enabled === true,
        enabledByStack: changed,
    };
}

function requireIssuer(state: ClusterFeatureState): ClusterFeatureState {
    if (state.issuerUrl === "") {
        throw new Error(
            `AKS cluster ${state.clusterName} reports the OIDC issuer as enabled but returned no issuer URL. ` +
                `Federated credentials need the exact URL, so nothing was created from it. ` +
                `Check with: az aks show -g ${state.resourceGroupName} -n ${state.clusterName} --query oidcIssuerProfile`,
        );
    }
    return state;
}

function statusOf(error: unknown): number | undefined {
    return typeof error === "object" && error !== null && "statusCode" in error
        ? (error as { statusCode?: number }).statusCode
        : undefined;
}

/** Turns an ARM failure into a message that says what failed and what to do. */
function explain(action: "read" | "update", inputs: ClusterFeatureInputs, error: unknown): Error {
    const status = statusOf(error);
    const code =
        typeof error === "object" && error !== null && "code" in error
            ? String((error as { code?: unknown }).code)
            : "";
    const detail = error instanceof Error ? error.message : String(error);
    const cluster = `AKS cluster "${inputs.clusterName}" in resource group "${inputs.resourceGroupName}" (subscription ${inputs.subscriptionId})`;
    const doing = action === "read" ? "reading" : "enabling the OIDC issuer and workload identity on";
    let advice: string;
    if (status === 404) {
        advice =
            `it was not found. Fix: check aks-openai-wi:cluster.name and aks-openai-wi:resourceGroupName ` +
            `(az aks list -o table), or set cluster.mode to "managed" to let the stack create one.`;
    } else if (status === 401 || status === 403) {
        advice =
            `the signed-in identity may not ${action} it. Fix: grant it "Azure Kubernetes Service Contributor Role" ` +
            `on the cluster (Microsoft.ContainerService/managedClusters/read and /write), or sign in as one that has it (az login).`;
    } else if (status === 412) {
        advice =
            `the cluster changed between our read and our write (ETag mismatch), so nothing was overwritten. ` +
            `Fix: run pulumi up again; it re-reads the cluster and applies only the two features.`;
    } else if (status === 409) {
        advice = `another operation is in progress on the cluster. Fix: wait for it (az aks show --query provisioningState) and run pulumi up again.`;
    } else if (status === 429) {
        advice = `Azure Resource Manager kept throttling the requests after retries. Fix: wait a few minutes and run pulumi up again.`;
    } else if (/^The long-running operation has failed/.test(detail)) {
        // Raised by the SDK's poller when AKS accepted the PUT but its operation ended Failed.
        advice =
            `AKS accepted the update but the operation failed (its error is below); the cluster may now be in ` +
            `provisioningState Failed. Fix: remove the cause, then run pulumi up again; if the cluster stays Failed, ` +
            `az aks update -g ${inputs.resourceGroupName} -n ${inputs.clusterName} with no other arguments reconciles it first.`;
    } else {
        advice = `Fix: see the Azure error below; az aks update --enable-oidc-issuer --enable-workload-identity runs the same operation.`;
    }
    return new Error(
        `Failed ${doing} ${cluster}${code ? ` (${code}${status ? `, HTTP ${status}` : ""})` : ""}: ${advice}\n${detail}`,
    );
}
