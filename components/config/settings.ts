/**
 * The settings the program and its components consume: what `parseSettings` returns, typed and frozen. Components
 * take these (or parts of them) as typed args; none of them reads config itself.
 */

export type KubeloginMode = "azurecli" | "workloadidentity" | "spn" | "msi";

/** Local (certificate) accounts on a cluster the stack creates: "disabled" (Entra ID only) unless a throwaway says so. */
export type LocalAccounts = "disabled" | "enabled";

export type ClusterSettings =
    | {
          /** The cluster exists and is not this stack's: the stack only turns on the OIDC issuer and workload identity. */
          readonly mode: "existing";
          readonly name: string;
          readonly kubeloginMode: KubeloginMode;
      }
    | {
          /** The stack creates and owns the cluster. */
          readonly mode: "managed";
          readonly name: string;
          readonly kubeloginMode: KubeloginMode;
          readonly kubernetesVersion?: string;
          readonly nodeCount: number;
          readonly nodeVmSize: string;
          /** "disabled": Microsoft Entra integration with Azure RBAC, no local accounts. */
          readonly localAccounts: LocalAccounts;
          /** Entra groups with cluster-admin; the deploying identity signs in as a member (bootstrap/github-oidc). */
          readonly adminGroupObjectIds: readonly string[];
      }
    | {
          /** Another Pulumi stack owns the cluster and exports its issuer URL and kubeconfig. */
          readonly mode: "stack";
          readonly stackReference: string;
          readonly issuerUrlOutput: string;
          readonly kubeconfigOutput: string;
          readonly kubeloginMode: KubeloginMode;
      };

export interface ModelSettings {
    readonly name: string;
    readonly version: string;
}

export interface DeploymentSkuSettings {
    readonly name: string;
    readonly capacity: number;
}

export type OpenAiSettings =
    | {
          readonly mode: "existing";
          readonly accountName: string;
          readonly deploymentName: string;
          readonly apiVersion: string;
      }
    | {
          readonly mode: "managed";
          readonly accountName: string;
          readonly deploymentName: string;
          readonly apiVersion: string;
          readonly customSubDomainName: string;
          readonly disableLocalAuth: boolean;
          readonly model: ModelSettings;
          readonly sku: DeploymentSkuSettings;
      };

/**
 * The address ranges of a managed cluster in private mode (`cluster.network`): the virtual network the stack creates,
 * its two subnets, and AKS's overlay ranges, which must overlap none of them nor each other.
 */
export interface ClusterNetworkSettings {
    /** Address space of the virtual network. */
    readonly addressSpace: string;
    /** Subnet of the nodes (Azure CNI Overlay: nodes only, pods get overlay addresses). */
    readonly nodeSubnet: string;
    /** Subnet of the Azure OpenAI private endpoint. */
    readonly endpointSubnet: string;
    /** Overlay range of the pods. */
    readonly podCidr: string;
    /** Range of Kubernetes Services. */
    readonly serviceCidr: string;
    /** Cluster DNS Service address, inside serviceCidr. */
    readonly dnsServiceIp: string;
}

/**
 * How ai-service reaches Azure OpenAI (`openai.network`): over the public endpoint (optionally restricted to
 * `allowedIpRanges`), or through a private endpoint in the cluster's network, which the stack creates when it owns the
 * cluster and otherwise places in an existing subnet.
 */
export type NetworkSettings =
    | {
          readonly access: "public";
          /** Public ranges the account admits (network rules, default action Deny); empty: no rules. */
          readonly allowedIpRanges: readonly string[];
      }
    | {
          readonly access: "private";
          /** The stack creates the cluster, so it creates its virtual network too. */
          readonly placement: "stack";
          readonly clusterNetwork: ClusterNetworkSettings;
      }
    | {
          readonly access: "private";
          /** The cluster is not the stack's: the endpoint goes into an existing subnet. */
          readonly placement: "existing";
          /** ARM id of the subnet the private endpoint is placed in. */
          readonly subnetId: string;
          /** ARM id of the cluster's virtual network, which the private DNS zone is linked to. */
          readonly vnetId: string;
      };

export interface ResourceQuantities {
    readonly cpu: string;
    readonly memory: string;
}

export interface ContainerResources {
    readonly requests: ResourceQuantities;
    readonly limits: ResourceQuantities;
}

/** A Kubernetes ServiceAccount federated with the identity. */
export interface FederatedServiceAccount {
    readonly namespace: string;
    readonly name: string;
    readonly federatedCredentialName: string;
}

/** The optional NetworkPolicy in front of ai-service. */
export interface NetworkPolicySettings {
    /** Admit ingress to ai-service only from the allowed callers (default false: needs a network policy engine). */
    readonly enabled: boolean;
}

export interface AiServiceSettings {
    readonly serviceAccount: FederatedServiceAccount;
    readonly createNamespace: boolean;
    readonly image: string;
    readonly replicas: number;
    readonly resources: ContainerResources;
    /** Import the quickstart's kubectl-created `ai-service` Deployment and Service instead of creating them. */
    readonly adoptExisting: boolean;
    /** Run the container as this non-root UID (with runAsNonRoot); undefined keeps the image's user (root). */
    readonly runAsUser?: number;
    readonly networkPolicy: NetworkPolicySettings;
}

/** The in-cluster smoke test `pulumi up` runs after ai-service rolls out (components/smokeTest.ts). */
export interface SmokeTestSettings {
    /** Default: on, except on production stacks (see `isProductionStack`). */
    readonly enabled: boolean;
    /** Image with /bin/sh and curl that runs components/smokeTest.sh, pinned. */
    readonly image: string;
    /** How long the check keeps retrying before it fails: role assignments can take ~10 minutes to take effect. */
    readonly retryForSeconds: number;
}

/** Where the audit logs go: a Log Analytics workspace the stack creates, or one that exists. */
export type AuditWorkspaceSettings =
    | {
          /** The stack creates the workspace (sku PerGB2018) and owns it. */
          readonly mode: "managed";
          readonly name: string;
          /** Days the workspace keeps the logs, 30 to 730 (PerGB2018). */
          readonly retentionInDays: number;
      }
    | {
          /** An existing workspace, by ARM id: the stack only sends logs to it. */
          readonly mode: "existing";
          readonly id: string;
      };

/** `audit` (components/openAiAuditLog.ts): a record of every call to the account, and who made it. */
export interface AuditSettings {
    /** Default: on for production stack names (see `isProductionStack`), off otherwise. */
    readonly enabled: boolean;
    readonly workspace: AuditWorkspaceSettings;
}

export interface Settings {
    readonly project: string;
    readonly stack: string;
    /** `azure-native:location`: where the identity (and, when managed, the cluster and account) are created. */
    readonly location: string;
    readonly resourceGroupName: string;
    /** Azure Resource Manager endpoint for the SDK calls azure-native cannot express (sovereign clouds override it). */
    readonly armEndpoint: string;
    readonly cluster: ClusterSettings;
    readonly openai: OpenAiSettings;
    readonly identityName: string;
    readonly aiService: AiServiceSettings;
    readonly additionalServiceAccounts: readonly FederatedServiceAccount[];
    /**
     * `protect` on the resources whose loss is an outage and that the stack owns (a managed cluster, a managed
     * account): `pulumi destroy` and replacements stop at them. Default: on for production-like stack names.
     */
    readonly protect: boolean;
    readonly smokeTest: SmokeTestSettings;
    readonly audit: AuditSettings;
    /** How ai-service reaches Azure OpenAI: public (default) or through a private endpoint. */
    readonly network: NetworkSettings;
}

/** Raw values as read from the stack: top-level keys of the project namespace, plus `azure-native:location`. */
export interface RawConfig {
    /** Every key set in the project namespace, without the `aks-openai-wi:` prefix; objects already parsed. */
    readonly project: Readonly<Record<string, unknown>>;
    readonly location?: string;
    /**
     * Every other key of the stack's config, fully qualified as Pulumi passes it (`azure-native:location`), or bare
     * when a stack file left out the namespace: a key meant for this project but outside its namespace is reported.
     */
    readonly otherKeys?: readonly string[];
}
