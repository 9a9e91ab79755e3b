import { DEFAULT_ARM_ENDPOINT, PROJECT } from "../constants";
import type { ClusterSettings, KubeloginMode, LocalAccounts, OpenAiSettings } from "./settings";

/**
 * The key schema: every key the program accepts, its default, and the rule its value must follow. The readers take
 * each object's allowed keys from these lists, and docs/configuration.md's table is checked against them.
 */

export const DEFAULTS = {
    kubeloginMode: "azurecli",
    // Issue 11: a cluster the stack creates accepts Microsoft Entra ID sign-ins only.
    localAccounts: "disabled",
    nodeCount: 2,
    nodeVmSize: "Standard_D2s_v5",
    issuerUrlOutput: "oidcIssuerUrl",
    kubeconfigOutput: "kubeconfig",
    apiVersion: "2024-12-01-preview",
    model: { name: "gpt-4o-mini", version: "2024-07-18" },
    sku: { name: "GlobalStandard", capacity: 10 },
    namespace: "default",
    serviceAccountName: "ai-service-account",
    image: "ghcr.io/azure-samples/aks-store-demo/ai-service:2.2.0",
    replicas: 1,
    resources: { requests: { cpu: "20m", memory: "50Mi" }, limits: { cpu: "50m", memory: "128Mi" } },
    // AKS's own defaults for the overlay ranges (podCidr, serviceCidr, dnsServiceIP), and a /16 beside them for the
    // virtual network: https://learn.microsoft.com/azure/aks/azure-cni-overlay
    clusterNetwork: {
        addressSpace: "10.224.0.0/16",
        nodeSubnet: "10.224.0.0/20",
        endpointSubnet: "10.224.16.0/24",
        podCidr: "10.244.0.0/16",
        serviceCidr: "10.0.0.0/16",
        dnsServiceIp: "10.0.0.10",
    },
    smokeTest: {
        // ~10 MB, curl + BusyBox sh on Alpine, runs as the unprivileged curl_user (uid 100); tag seen on Docker Hub.
        image: "curlimages/curl:8.12.1",
        // Role assignments take effect "within minutes, up to ~10"; federated credentials within a minute or two.
        retryForSeconds: 720,
    },
} as const;

export const TOP_LEVEL_KEYS = [
    "resourceGroupName",
    "armEndpoint",
    "cluster",
    "openai",
    "identity",
    "aiService",
    "additionalServiceAccounts",
    "protect",
    "smokeTest",
    "audit",
] as const;

export const SMOKE_TEST_KEYS = ["enabled", "image", "retryForSeconds"] as const;

export const CLUSTER_MODES = ["existing", "managed", "stack"] as const;
export const OPENAI_MODES = ["existing", "managed"] as const;
export const KUBELOGIN_MODES: readonly KubeloginMode[] = ["azurecli", "workloadidentity", "spn", "msi"];
export const LOCAL_ACCOUNTS: readonly LocalAccounts[] = ["disabled", "enabled"];
export const DEPLOYMENT_SKUS = [
    "Standard",
    "GlobalStandard",
    "DataZoneStandard",
    "ProvisionedManaged",
    "GlobalProvisionedManaged",
    "DataZoneProvisionedManaged",
] as const;

export const CLUSTER_KEYS: Record<ClusterSettings["mode"], readonly string[]> = {
    existing: ["mode", "name", "kubeloginMode"],
    managed: [
        "mode",
        "name",
        "kubeloginMode",
        "kubernetesVersion",
        "nodeCount",
        "nodeVmSize",
        "adminGroupObjectIds",
        "localAccounts",
        "network",
    ],
    stack: ["mode", "stackReference", "issuerUrlOutput", "kubeconfigOutput", "kubeloginMode"],
};

export const OPENAI_KEYS: Record<OpenAiSettings["mode"], readonly string[]> = {
    existing: ["mode", "accountName", "deploymentName", "apiVersion", "network", "privateEndpoint"],
    managed: [
        "mode",
        "accountName",
        "deploymentName",
        "apiVersion",
        "customSubDomainName",
        "disableLocalAuth",
        "model",
        "sku",
        "network",
        "privateEndpoint",
        "allowedIpRanges",
    ],
};

/** `openai.network`: how ai-service reaches the account (docs/configuration.md "Private network"). */
export const NETWORK_ACCESS_MODES = ["public", "private"] as const;

/** `cluster.network`: the address ranges of a managed cluster in private mode. */
export const CLUSTER_NETWORK_KEYS = [
    "addressSpace",
    "nodeSubnet",
    "endpointSubnet",
    "podCidr",
    "serviceCidr",
    "dnsServiceIp",
] as const;

/** `openai.privateEndpoint`: where the endpoint goes when the stack does not own the cluster. */
export const PRIVATE_ENDPOINT_KEYS = ["subnetId", "vnetId"] as const;

export const AI_SERVICE_KEYS = [
    "namespace",
    "serviceAccountName",
    "federatedCredentialName",
    "createNamespace",
    "image",
    "replicas",
    "resources",
    "adoptExisting",
    "runAsUser",
    "networkPolicy",
] as const;

export const NETWORK_POLICY_KEYS = ["enabled"] as const;

/** `audit` (components/config/audit.ts): the diagnostic setting on the account and where it sends the logs. */
export const AUDIT_KEYS = ["enabled", "workspace"] as const;
export const AUDIT_WORKSPACE_MODES = ["managed", "existing"] as const;
export const AUDIT_WORKSPACE_KEYS: Record<(typeof AUDIT_WORKSPACE_MODES)[number], readonly string[]> = {
    managed: ["mode", "name", "retentionInDays"],
    existing: ["mode", "id"],
};

/** Linux UIDs Kubernetes accepts for runAsUser, without 0 (root, which runAsNonRoot refuses). */
export const RUN_AS_USER = { min: 1, max: 2147483647, example: "10001" } as const;

/**
 * Stack names treated as production: `protect` defaults to true for them, so a `pulumi destroy` or a replacement
 * cannot take the cluster or the account down by accident; and the smoke test defaults to off, so a production
 * `pulumi up` never waits on, or fails because of, a test call to the model.
 */
const PRODUCTION_STACK = /^(?:prod|production|prd|live)$|-(?:prod|production)$/i;

export const IDENTITY_KEYS = ["name"] as const;
export const MODEL_KEYS = ["name", "version"] as const;
export const SKU_KEYS = ["name", "capacity"] as const;
export const RESOURCES_KEYS = ["requests", "limits"] as const;
export const QUANTITY_KEYS = ["cpu", "memory"] as const;
export const SERVICE_ACCOUNT_ENTRY_KEYS = ["namespace", "name", "federatedCredentialName"] as const;

/** The keys one configuration object accepts: a list, or (for an object with a `mode` key) a list per mode. */
export type ObjectKeys = readonly string[] | Readonly<Record<string, readonly string[]>>;

/**
 * Every key the program accepts, by the dotted path of the object that holds it: `""` is the project namespace and
 * `[]` stands for each item of a list. The parser takes each object's allowed keys from these same lists, and a test
 * checks docs/configuration.md's Keys table against this map, so the documented keys cannot drift from the validated ones.
 */
export const CONFIG_SCHEMA: Readonly<Record<string, ObjectKeys>> = {
    "": TOP_LEVEL_KEYS,
    cluster: CLUSTER_KEYS,
    openai: OPENAI_KEYS,
    "openai.model": MODEL_KEYS,
    "openai.sku": SKU_KEYS,
    "openai.privateEndpoint": PRIVATE_ENDPOINT_KEYS,
    "cluster.network": CLUSTER_NETWORK_KEYS,
    identity: IDENTITY_KEYS,
    aiService: AI_SERVICE_KEYS,
    "aiService.resources": RESOURCES_KEYS,
    "aiService.resources.requests": QUANTITY_KEYS,
    "aiService.resources.limits": QUANTITY_KEYS,
    "aiService.networkPolicy": NETWORK_POLICY_KEYS,
    smokeTest: SMOKE_TEST_KEYS,
    audit: AUDIT_KEYS,
    "audit.workspace": AUDIT_WORKSPACE_KEYS,
    "additionalServiceAccounts[]": SERVICE_ACCOUNT_ENTRY_KEYS,
};

/** Keys the program reads from other namespaces than its own. */
export const OTHER_NAMESPACE_KEYS = ["azure-native:location"] as const;

/** One key a user can set, as `pulumi config set --path` names it (without the project namespace). */
export interface ConfigKey {
    readonly path: string;
    /** The modes of the enclosing object that accept the key; undefined when every mode does. */
    readonly modes?: readonly string[];
    /** For a list of objects: the keys each item accepts. */
    readonly itemKeys?: readonly string[];
}

/**
 * Flattens a schema to the keys a user sets: objects are expanded into their keys, lists of objects stay one key (with
 * their item keys), and a key only some modes accept records which (as do the keys nested under it).
 */
export function configKeys(schema: Readonly<Record<string, ObjectKeys>> = CONFIG_SCHEMA): ConfigKey[] {
    const keys: ConfigKey[] = [];
    const walk = (objectPath: string, inheritedModes: readonly string[] | undefined): void => {
        const entry = schema[objectPath];
        const byMode: Readonly<Record<string, readonly string[]>> = Array.isArray(entry)
            ? { "": entry }
            : (entry as Readonly<Record<string, readonly string[]>>);
        const allModes = Object.keys(byMode);
        const names = [...new Set(Object.values(byMode).flat())];
        for (const name of names) {
            const path = objectPath === "" ? name : `${objectPath}.${name}`;
            const accepting = allModes.filter((mode) => byMode[mode].includes(name));
            const modes = accepting.length < allModes.length ? accepting : inheritedModes;
            if (schema[path] !== undefined) {
                walk(path, modes);
            } else if (schema[`${path}[]`] !== undefined) {
                keys.push({ path, modes, itemKeys: schema[`${path}[]`] as readonly string[] });
            } else {
                keys.push({ path, modes });
            }
        }
    };
    walk("", undefined);
    return keys;
}
/** registry/repository[:tag][@sha256:digest], lowercase repository path, per the OCI distribution spec. */
const IMAGE_REFERENCE =
    /^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** Rules for names Azure and Kubernetes accept; each says what is allowed, for the error message. */
export const RULES = {
    resourceGroupName: {
        pattern: /^[-\w.()]{0,89}[-\w()]$/,
        maxLength: 90,
        rule: "use 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending with '.'",
        example: "myResourceGroup",
    },
    clusterName: {
        pattern: /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$/,
        maxLength: 63,
        rule: "use 1-63 letters, digits, '-' or '_', starting and ending with a letter or digit",
        example: "myAKSCluster",
    },
    kubernetesVersion: {
        pattern: /^\d+\.\d+(?:\.\d+)?$/,
        rule: "use a version AKS offers, as MAJOR.MINOR or MAJOR.MINOR.PATCH (az aks get-versions)",
        example: "1.33",
    },
    groupObjectId: {
        pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
        rule: "must be the object id (a GUID) of a Microsoft Entra group, not its name or a user's id",
        example: "<object id>",
    },
    nodeVmSize: {
        pattern: /^Standard_[A-Za-z0-9_]+$/,
        rule: "use an Azure VM size such as Standard_D2s_v5",
        example: "Standard_D2s_v5",
    },
    stackReference: {
        pattern: /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/,
        rule: "use the fully qualified stack name <organization>/<project>/<stack>",
        example: "myorg/aks-platform/dev",
    },
    outputName: {
        pattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
        rule: "use the name of an output of the referenced stack",
        example: "oidcIssuerUrl",
    },
    openAiAccountName: {
        pattern: /^[A-Za-z0-9][A-Za-z0-9-]{1,63}$/,
        rule: "use 2-64 letters, digits or '-', starting with a letter or digit",
        example: "myOpenAI",
    },
    customSubDomainName: {
        pattern: /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])$/,
        rule: "use 2-64 lowercase letters, digits or '-', starting and ending with a letter or digit (globally unique, and immutable once set)",
        example: "myopenai-dev",
    },
    deploymentName: {
        pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
        rule: "use 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit",
        example: "gpt-4o-mini",
    },
    apiVersion: {
        pattern: /^\d{4}-\d{2}-\d{2}(?:-preview)?$/,
        rule: "use an Azure OpenAI data-plane API version such as 2024-12-01-preview",
        example: "2024-12-01-preview",
    },
    modelName: {
        pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
        rule: "use a model name such as gpt-4o-mini",
        example: "gpt-4o-mini",
    },
    modelVersion: {
        pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
        rule: "pin a model version such as 2024-07-18 (an unpinned model changes under you)",
        example: "2024-07-18",
    },
    identityName: {
        pattern: /^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/,
        rule: "use 3-128 letters, digits, '-' or '_', starting with a letter or digit",
        example: "myIdentity",
    },
    federatedCredentialName: {
        pattern: /^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/,
        rule: "use 3-120 letters, digits, '-' or '_', starting with a letter or digit",
        example: "myFederatedCredential",
    },
    namespace: {
        pattern: /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/,
        maxLength: 63,
        rule: "use a Kubernetes namespace name: 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit",
        example: "default",
    },
    serviceAccountName: {
        pattern: /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/,
        maxLength: 253,
        rule: "use a Kubernetes ServiceAccount name: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters",
        example: "ai-service-account",
    },
    image: {
        pattern: IMAGE_REFERENCE,
        rule: "use an image reference registry/repository:tag or registry/repository@sha256:<digest>, lowercase",
        example: DEFAULTS.image,
    },
    smokeTestImage: {
        pattern: IMAGE_REFERENCE,
        rule: "use an image with /bin/sh and curl, as registry/repository:tag or registry/repository@sha256:<digest>, lowercase",
        example: DEFAULTS.smokeTest.image,
    },
    armEndpoint: {
        pattern: /^https:\/\/[A-Za-z0-9.-]+(?::\d+)?\/?$/,
        rule: "use the https URL of Azure Resource Manager for your cloud, e.g. https://management.azure.com/ or https://management.usgovcloudapi.net/",
        example: DEFAULT_ARM_ENDPOINT,
    },
    location: {
        pattern: /^[a-z0-9]+$/,
        rule: "use an Azure region name such as eastus (az account list-locations -o table)",
        example: "eastus",
    },
    cpu: {
        pattern: /^(?:\d+(?:\.\d+)?|\d+m)$/,
        rule: "use a CPU quantity such as 50m or 0.5",
        example: "50m",
    },
    memory: {
        pattern: /^\d+(?:\.\d+)?(?:Ki|Mi|Gi|Ti|k|M|G|T)?$/,
        rule: "use a memory quantity such as 128Mi or 1Gi",
        example: "128Mi",
    },
} as const;

/** Whether a stack name reads as production (`prod`, `production`, `prd`, `live`, `*-prod`, `*-production`). */
export function isProductionStack(stack: string): boolean {
    return PRODUCTION_STACK.test(stack);
}

/** The project namespace, exported for tests and tools that build raw config. */
export const CONFIG_NAMESPACE = PROJECT;
