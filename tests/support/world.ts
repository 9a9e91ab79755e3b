import { createHash } from "node:crypto";

/**
 * What exists in Azure (and in other Pulumi stacks) before the program runs, for the mocks to answer invokes from.
 * `seedWorld()` is the state the aks-store-demo quickstart leaves: a cluster without the OIDC issuer, an OpenAI account
 * with a custom subdomain and one deployment, ai-service running with a key.
 */

export const TEST_TENANT_ID = "72f988bf-0000-4000-8000-00000000a001";
export const TEST_SUBSCRIPTION_ID = "0b1f6471-0000-4000-8000-00000000a002";
/** The identity azure-native signs in as (the operator or CI), not the workload's identity. */
export const TEST_DEPLOYER_OBJECT_ID = "5d3f1a2b-0000-4000-8000-00000000a003";
/** The Entra group bootstrap/github-oidc makes the deployer a member of: cluster-admin on Entra-only clusters. */
export const TEST_ADMIN_GROUP_ID = "9c2e4b7d-0000-4000-8000-00000000a004";

export interface ExistingCluster {
    readonly location: string;
    readonly oidcIssuerEnabled: boolean;
    readonly workloadIdentityEnabled: boolean;
    /** The issuer URL the cluster reports (AKS's format, trailing '/' included). */
    readonly issuerUrl: string;
    /** Entra ID integration: the user kubeconfig runs kubelogin (devicecode) instead of carrying client certificates. */
    readonly entraEnabled: boolean;
    /** `disableLocalAccounts`; AKS keeps local accounts unless told otherwise (default false). */
    readonly localAccountsDisabled?: boolean;
}

export interface ExistingAccount {
    readonly kind: "OpenAI" | "AIServices";
    readonly location: string;
    readonly customSubDomainName?: string;
    readonly disableLocalAuth: boolean;
    readonly deployments: readonly string[];
    /** Default "Enabled", as Azure creates accounts. */
    readonly publicNetworkAccess?: "Enabled" | "Disabled";
}

export interface World {
    readonly subscriptionId: string;
    readonly tenantId: string;
    /** Keyed `<resourceGroup>/<name>`. */
    readonly clusters: Readonly<Record<string, ExistingCluster>>;
    /** Keyed `<resourceGroup>/<name>`. */
    readonly accounts: Readonly<Record<string, ExistingAccount>>;
    /** Outputs of other stacks, keyed by fully qualified stack name. */
    readonly stacks: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
    /** Output names the other stacks export as secrets. */
    readonly secretStackOutputs?: Readonly<Record<string, readonly string[]>>;
}

/** A deterministic GUID for a mock value, so every run of the mocks returns the same ids. */
export function mockGuid(...parts: string[]): string {
    const hex = createHash("sha256").update(parts.join("/")).digest("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** An issuer URL in AKS's exact shape: https://<region>.oic.prod-aks.azure.com/<tenant>/<guid>/ */
export function aksIssuerUrl(location: string, clusterName: string, tenantId = TEST_TENANT_ID): string {
    return `https://${location}.oic.prod-aks.azure.com/${tenantId}/${mockGuid("issuer", clusterName)}/`;
}

export const SEED_RESOURCE_GROUP = "myResourceGroup";

export function seedWorld(): World {
    return {
        subscriptionId: TEST_SUBSCRIPTION_ID,
        tenantId: TEST_TENANT_ID,
        clusters: {
            [`${SEED_RESOURCE_GROUP}/myAKSCluster`]: {
                location: "eastus",
                oidcIssuerEnabled: false,
                workloadIdentityEnabled: false,
                issuerUrl: aksIssuerUrl("eastus", "myAKSCluster"),
                entraEnabled: true,
            },
        },
        accounts: {
            [`${SEED_RESOURCE_GROUP}/myOpenAI`]: {
                kind: "OpenAI",
                location: "eastus",
                customSubDomainName: "myopenai",
                disableLocalAuth: false,
                deployments: ["gpt-4o-mini"],
            },
        },
        stacks: {},
    };
}

/** The producer stack of the `cluster.mode: stack` tests: a platform stack exporting its cluster. */
export const PLATFORM_STACK = "contoso/aks-platform/dev";
export const PLATFORM_ISSUER_URL = aksIssuerUrl("westeurope", "platform-aks");

export function worldWithPlatformStack(outputs?: Record<string, unknown>): World {
    const seed = seedWorld();
    return {
        ...seed,
        stacks: {
            [PLATFORM_STACK]: outputs ?? {
                oidcIssuerUrl: PLATFORM_ISSUER_URL,
                kubeconfig: certificateKubeconfig("platform-aks"),
            },
        },
        secretStackOutputs: { [PLATFORM_STACK]: ["kubeconfig"] },
    };
}

/** A user kubeconfig as AKS returns it for an Entra-enabled cluster with format=exec (kubelogin, devicecode). */
export function entraKubeconfig(clusterName: string, tenantId = TEST_TENANT_ID): string {
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "  - name: " + clusterName,
        "    cluster:",
        "      certificate-authority-data: TFMwdExTMUNSVWRKVGlCRFJWSlVTVVpKUTBGVVJTMHRMUzB0Q2c9PQ==",
        `      server: https://${clusterName.toLowerCase()}-dns-12345678.hcp.eastus.azmk8s.io:443`,
        "contexts:",
        "  - name: " + clusterName,
        "    context:",
        "      cluster: " + clusterName,
        `      user: clusterUser_${SEED_RESOURCE_GROUP}_${clusterName}`,
        "current-context: " + clusterName,
        "users:",
        `  - name: clusterUser_${SEED_RESOURCE_GROUP}_${clusterName}`,
        "    user:",
        "      exec:",
        "        apiVersion: client.authentication.k8s.io/v1beta1",
        "        command: kubelogin",
        "        args:",
        "          - get-token",
        "          - --environment",
        "          - AzurePublicCloud",
        "          - --server-id",
        "          - 6dae42f8-4368-4678-94ff-3960e28e3630",
        "          - --client-id",
        "          - 80faf920-1908-4b52-b5ef-a8e7bedfc67a",
        "          - --tenant-id",
        `          - ${tenantId}`,
        "          - --login",
        "          - devicecode",
        "        interactiveMode: IfAvailable",
        "        provideClusterInfo: false",
        "",
    ].join("\n");
}

/**
 * The user kubeconfig AKS returns for an Entra-enabled cluster without format=exec: the legacy `azure` auth provider,
 * which kubectl and client-go no longer support (1.26 on).
 */
export function legacyAzureAuthProviderKubeconfig(clusterName: string, tenantId = TEST_TENANT_ID): string {
    const [clustersAndContexts] = entraKubeconfig(clusterName, tenantId).split("users:\n");
    return [
        clustersAndContexts + "users:",
        `  - name: clusterUser_${SEED_RESOURCE_GROUP}_${clusterName}`,
        "    user:",
        "      auth-provider:",
        "        name: azure",
        "        config:",
        "          apiserver-id: 6dae42f8-4368-4678-94ff-3960e28e3630",
        "          client-id: 80faf920-1908-4b52-b5ef-a8e7bedfc67a",
        "          config-mode: '1'",
        "          environment: AzurePublicCloud",
        `          tenant-id: ${tenantId}`,
        "",
    ].join("\n");
}

/** A user kubeconfig of a cluster with local accounts: client certificates, no exec. */
export function certificateKubeconfig(clusterName: string): string {
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "  - name: " + clusterName,
        "    cluster:",
        "      certificate-authority-data: TFMwdExTMUNSVWRKVGlCRFJWSlVTVVpKUTBGVVJTMHRMUzB0Q2c9PQ==",
        `      server: https://${clusterName}-dns-87654321.hcp.westeurope.azmk8s.io:443`,
        "contexts:",
        "  - name: " + clusterName,
        "    context:",
        "      cluster: " + clusterName,
        "      user: clusterUser",
        "current-context: " + clusterName,
        "users:",
        "  - name: clusterUser",
        "    user:",
        "      client-certificate-data: Y2VydA==",
        "      client-key-data: a2V5",
        "",
    ].join("\n");
}
