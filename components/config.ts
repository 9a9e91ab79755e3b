import * as pulumi from "@pulumi/pulumi";

import { ConfigObject, Problems, checkString, fixCommand, fullKey, show } from "./configReader";
import { DEFAULT_ARM_ENDPOINT, MAX_FEDERATED_CREDENTIALS_PER_IDENTITY, PROJECT } from "./constants";
import {
    defaultClusterName,
    defaultFederatedCredentialName,
    defaultIdentityName,
    serviceAccountSubject,
} from "./naming";

/**
 * The configuration contract, in one place: raw stack config in, a typed and frozen `Settings` out, or one ConfigError
 * listing every problem. Nothing here touches the cloud, so it runs before any resource is registered.
 */

// ---------------------------------------------------------------------------------------------------------------
// Settings: what the program and its components consume.
// ---------------------------------------------------------------------------------------------------------------

export type KubeloginMode = "azurecli" | "workloadidentity" | "spn" | "msi";

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
}

/** Raw values as read from the stack: top-level keys of the project namespace, plus `azure-native:location`. */
export interface RawConfig {
    /** Every key set in the project namespace, without the `aks-openai-wi:` prefix; objects already parsed. */
    readonly project: Readonly<Record<string, unknown>>;
    readonly location?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Defaults and rules.
// ---------------------------------------------------------------------------------------------------------------

export const DEFAULTS = {
    kubeloginMode: "azurecli",
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
    smokeTest: {
        // ~10 MB, curl + BusyBox sh on Alpine, runs as the unprivileged curl_user (uid 100); tag seen on Docker Hub.
        image: "curlimages/curl:8.12.1",
        // Role assignments take effect "within minutes, up to ~10"; federated credentials within a minute or two.
        retryForSeconds: 720,
    },
} as const;

const TOP_LEVEL_KEYS = [
    "resourceGroupName",
    "armEndpoint",
    "cluster",
    "openai",
    "identity",
    "aiService",
    "additionalServiceAccounts",
    "protect",
    "smokeTest",
] as const;

const SMOKE_TEST_KEYS = ["enabled", "image", "retryForSeconds"] as const;

const CLUSTER_MODES = ["existing", "managed", "stack"] as const;
const OPENAI_MODES = ["existing", "managed"] as const;
const KUBELOGIN_MODES: readonly KubeloginMode[] = ["azurecli", "workloadidentity", "spn", "msi"];
const DEPLOYMENT_SKUS = [
    "Standard",
    "GlobalStandard",
    "DataZoneStandard",
    "ProvisionedManaged",
    "GlobalProvisionedManaged",
    "DataZoneProvisionedManaged",
] as const;

const CLUSTER_KEYS: Record<ClusterSettings["mode"], readonly string[]> = {
    existing: ["mode", "name", "kubeloginMode"],
    managed: ["mode", "name", "kubeloginMode", "kubernetesVersion", "nodeCount", "nodeVmSize"],
    stack: ["mode", "stackReference", "issuerUrlOutput", "kubeconfigOutput", "kubeloginMode"],
};

const OPENAI_KEYS: Record<OpenAiSettings["mode"], readonly string[]> = {
    existing: ["mode", "accountName", "deploymentName", "apiVersion"],
    managed: [
        "mode",
        "accountName",
        "deploymentName",
        "apiVersion",
        "customSubDomainName",
        "disableLocalAuth",
        "model",
        "sku",
    ],
};

const AI_SERVICE_KEYS = [
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

const NETWORK_POLICY_KEYS = ["enabled"] as const;

/** Linux UIDs Kubernetes accepts for runAsUser, without 0 (root, which runAsNonRoot refuses). */
const RUN_AS_USER = { min: 1, max: 2147483647, example: "10001" } as const;

/**
 * Stack names treated as production: `protect` defaults to true for them, so a `pulumi destroy` or a replacement
 * cannot take the cluster or the account down by accident; and the smoke test defaults to off, so a production
 * `pulumi up` never waits on, or fails because of, a test call to the model.
 */
const PRODUCTION_STACK = /^(?:prod|production|prd|live)$|-(?:prod|production)$/i;

const IDENTITY_KEYS = ["name"] as const;
const MODEL_KEYS = ["name", "version"] as const;
const SKU_KEYS = ["name", "capacity"] as const;
const RESOURCES_KEYS = ["requests", "limits"] as const;
const QUANTITY_KEYS = ["cpu", "memory"] as const;
const SERVICE_ACCOUNT_ENTRY_KEYS = ["namespace", "name", "federatedCredentialName"] as const;

/** The keys one configuration object accepts: a list, or (for an object with a `mode` key) a list per mode. */
export type ObjectKeys = readonly string[] | Readonly<Record<string, readonly string[]>>;

/**
 * Every key the program accepts, by the dotted path of the object that holds it: `""` is the project namespace and
 * `[]` stands for each item of a list. The parser takes each object's allowed keys from these same lists, and a test
 * checks README's Configuration table against this map, so the documented keys cannot drift from the validated ones.
 */
export const CONFIG_SCHEMA: Readonly<Record<string, ObjectKeys>> = {
    "": TOP_LEVEL_KEYS,
    cluster: CLUSTER_KEYS,
    openai: OPENAI_KEYS,
    "openai.model": MODEL_KEYS,
    "openai.sku": SKU_KEYS,
    identity: IDENTITY_KEYS,
    aiService: AI_SERVICE_KEYS,
    "aiService.resources": RESOURCES_KEYS,
    "aiService.resources.requests": QUANTITY_KEYS,
    "aiService.resources.limits": QUANTITY_KEYS,
    "aiService.networkPolicy": NETWORK_POLICY_KEYS,
    smokeTest: SMOKE_TEST_KEYS,
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

// ---------------------------------------------------------------------------------------------------------------
// Parsing.
// ---------------------------------------------------------------------------------------------------------------

/**
 * Validates raw stack configuration into Settings. Throws one ConfigError listing every problem; returns a deeply
 * frozen object otherwise.
 */
export function parseSettings(raw: RawConfig, context: { readonly project: string; readonly stack: string }): Settings {
    const problems = new Problems();
    const root = new ConfigObject(problems, "", raw.project, TOP_LEVEL_KEYS);

    const location = readLocation(problems, raw.location);
    const resourceGroupName = requiredTopLevel(problems, root, "resourceGroupName", RULES.resourceGroupName);
    const armEndpointRaw = root.has("armEndpoint")
        ? checkString(problems, "armEndpoint", root.raw("armEndpoint"), RULES.armEndpoint)
        : undefined;
    const armEndpoint = withTrailingSlash(armEndpointRaw ?? DEFAULT_ARM_ENDPOINT);

    const cluster = readCluster(problems, root.raw("cluster"), context);
    const openai = readOpenAi(problems, root.raw("openai"));
    const identity = new ConfigObject(problems, "identity", root.raw("identity"), IDENTITY_KEYS);
    const identityName = identity.string(
        "name",
        RULES.identityName,
        defaultIdentityName(context.project, context.stack),
    );
    const aiService = readAiService(problems, root.raw("aiService"), cluster.mode);
    const additionalServiceAccounts = readAdditionalServiceAccounts(problems, root.raw("additionalServiceAccounts"));

    const protect = readProtect(problems, root.raw("protect"), context.stack);

    checkFederationLimits(problems, aiService.serviceAccount, additionalServiceAccounts, identityName);
    const smokeTest = readSmokeTest(problems, root.raw("smokeTest"), context.stack);
    problems.throwIfAny();

    return deepFreeze({
        project: context.project,
        stack: context.stack,
        location,
        resourceGroupName,
        armEndpoint,
        cluster,
        openai,
        identityName,
        aiService,
        additionalServiceAccounts,
        protect,
        smokeTest,
    });
}

/** Top-level `protect`: true/false (or the strings `pulumi config set` stores); default from the stack name. */
function readProtect(problems: Problems, raw: unknown, stack: string): boolean {
    const fallback = isProductionStack(stack);
    if (raw === undefined || raw === null) {
        return fallback;
    }
    if (raw === true || raw === "true") {
        return true;
    }
    if (raw === false || raw === "false") {
        return false;
    }
    problems.add(
        `${fullKey("protect")} = ${show(raw)}: must be true or false (default for stack "${stack}": ${fallback}). ` +
            `Fix: ${fixCommand("protect", "true")}`,
    );
    return fallback;
}

/** Whether a stack name reads as production (`prod`, `production`, `prd`, `live`, `*-prod`, `*-production`). */
export function isProductionStack(stack: string): boolean {
    return PRODUCTION_STACK.test(stack);
}

/** Reads the stack's configuration through Pulumi and validates it. The only place the program reads config. */
export function loadSettings(): Settings {
    const project = pulumi.getProject();
    const prefix = `${project}:`;
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) {
            values[key.slice(prefix.length)] = parseConfigValue(value);
        }
    }
    return parseSettings(
        { project: values, location: new pulumi.Config("azure-native").get("location") },
        { project, stack: pulumi.getStack() },
    );
}

/** Structured values arrive as JSON text; plain strings stay strings. */
function parseConfigValue(value: string): unknown {
    const trimmed = value.trim();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
        try {
            return JSON.parse(trimmed) as unknown;
        } catch {
            return value;
        }
    }
    return value;
}

function readLocation(problems: Problems, location: string | undefined): string {
    if (location === undefined || location === "") {
        problems.add(
            `azure-native:location is required: the stack always creates the workload's managed identity, and Azure needs a region for it. ` +
                `Fix: ${fixCommand("azure-native:location", "eastus")}`,
        );
        return "";
    }
    return checkString(problems, "azure-native:location", location, RULES.location) ?? "";
}

function requiredTopLevel(
    problems: Problems,
    root: ConfigObject,
    key: string,
    rule: { pattern: RegExp; rule: string; example: string; maxLength?: number },
): string {
    const value = root.raw(key);
    if (value === undefined || value === null || value === "") {
        problems.add(`${fullKey(key)} is required: ${rule.rule}. Fix: ${fixCommand(key, rule.example)}`);
        return "";
    }
    return checkString(problems, key, value, rule) ?? "";
}

function readCluster(problems: Problems, raw: unknown, context: { project: string; stack: string }): ClusterSettings {
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

function readOpenAi(problems: Problems, raw: unknown): OpenAiSettings {
    const mode = modeOf(problems, "openai", raw, OPENAI_MODES, "existing");
    const openai = new ConfigObject(problems, "openai", raw, OPENAI_KEYS[mode], ` when openai.mode is "${mode}"`);
    const accountName = openai.requiredString("accountName", RULES.openAiAccountName);
    const apiVersion = openai.string("apiVersion", RULES.apiVersion, DEFAULTS.apiVersion);
    if (mode === "existing") {
        return {
            mode,
            accountName,
            deploymentName: openai.requiredString("deploymentName", RULES.deploymentName),
            apiVersion,
        };
    }

    const modelObject = openai.object("model", MODEL_KEYS);
    const model = {
        name: modelObject.string("name", RULES.modelName, DEFAULTS.model.name),
        version: modelObject.string("version", RULES.modelVersion, DEFAULTS.model.version),
    };
    if (modelObject.has("name") && !modelObject.has("version")) {
        problems.add(
            `${fullKey("openai.model.version")} is required when openai.model.name is set: pin the model version, or ` +
                `the deployment changes when Azure retires a default. Fix: ${fixCommand("openai.model.version", "<version>")}`,
        );
    }
    const skuObject = openai.object("sku", SKU_KEYS);
    const sku = {
        name: skuObject.oneOf("name", DEPLOYMENT_SKUS, DEFAULTS.sku.name),
        capacity: skuObject.integer("capacity", { min: 1, max: 10000, example: "10" }, DEFAULTS.sku.capacity),
    };

    const derivedSubdomain = accountName.toLowerCase();
    const customSubDomainName = openai.has("customSubDomainName")
        ? (openai.string("customSubDomainName", RULES.customSubDomainName) ?? "")
        : derivedSubdomain;
    if (
        !openai.has("customSubDomainName") &&
        accountName !== "" &&
        !RULES.customSubDomainName.pattern.test(derivedSubdomain)
    ) {
        problems.add(
            `${fullKey("openai.accountName")} = ${show(accountName)} cannot be used as the custom subdomain ` +
                `("${derivedSubdomain}"): ${RULES.customSubDomainName.rule}. Entra ID auth needs a custom subdomain. ` +
                `Fix: ${fixCommand("openai.customSubDomainName", "<subdomain>")}`,
        );
    }
    return {
        mode,
        accountName,
        deploymentName: openai.string("deploymentName", RULES.deploymentName, model.name),
        apiVersion,
        customSubDomainName,
        disableLocalAuth: openai.boolean("disableLocalAuth", true),
        model,
        sku,
    };
}

function readAiService(problems: Problems, raw: unknown, clusterMode: ClusterSettings["mode"]): AiServiceSettings {
    const aiService = new ConfigObject(problems, "aiService", raw, AI_SERVICE_KEYS);
    const namespace = aiService.string("namespace", RULES.namespace, DEFAULTS.namespace);
    const serviceAccountName = aiService.string(
        "serviceAccountName",
        RULES.serviceAccountName,
        DEFAULTS.serviceAccountName,
    );
    const federatedCredentialName = aiService.string(
        "federatedCredentialName",
        RULES.federatedCredentialName,
        defaultFederatedCredentialName(namespace, serviceAccountName),
    );
    const image = readImage(problems, aiService);
    return {
        serviceAccount: { namespace, name: serviceAccountName, federatedCredentialName },
        createNamespace: aiService.boolean("createNamespace", false),
        image,
        replicas: aiService.integer("replicas", { min: 1, max: 50, example: "2" }, DEFAULTS.replicas),
        resources: readResources(problems, aiService),
        // On an existing cluster the quickstart's kubectl-created ai-service is the usual starting point.
        adoptExisting: aiService.boolean("adoptExisting", clusterMode === "existing"),
        runAsUser: readRunAsUser(problems, aiService),
        networkPolicy: readNetworkPolicy(aiService),
    };
}

/**
 * Opt-in: the upstream image declares no USER, so it runs as root; `runAsNonRoot` alone would make the kubelet
 * refuse to start it ("image will run as root"). A UID makes it run, but whether every code path of the image works
 * without root (it writes nothing today that we know of) is for the operator to verify, hence not the default.
 */
function readRunAsUser(problems: Problems, aiService: ConfigObject): number | undefined {
    if (!aiService.has("runAsUser")) {
        return undefined;
    }
    const raw = aiService.raw("runAsUser");
    if (raw === 0 || raw === "0") {
        problems.add(
            `${fullKey("aiService.runAsUser")} = ${show(raw)}: UID 0 is root, and the pod also sets runAsNonRoot, so the ` +
                `kubelet would refuse to start it. Fix: ${fixCommand("aiService.runAsUser", RUN_AS_USER.example)} ` +
                `(any non-root UID), or remove the key to keep the image's own user`,
        );
        return undefined;
    }
    const uid = aiService.integer("runAsUser", RUN_AS_USER, -1);
    return uid === -1 ? undefined : uid;
}

function readNetworkPolicy(aiService: ConfigObject): NetworkPolicySettings {
    const networkPolicy = aiService.object("networkPolicy", NETWORK_POLICY_KEYS);
    return { enabled: networkPolicy.boolean("enabled", false) };
}

function readImage(problems: Problems, aiService: ConfigObject): string {
    const image = aiService.string("image", RULES.image, DEFAULTS.image);
    if (aiService.has("image") && image !== DEFAULTS.image && !isPinnedImage(image)) {
        problems.add(
            `${fullKey("aiService.image")} = ${show(image)}: pin a version tag or digest; ` +
                `${unpinnedKind(image)} moves on every push to the sample's main branch, ` +
                `so two rollouts can run different code. Fix: ${fixCommand("aiService.image", DEFAULTS.image)}`,
        );
    }
    return image;
}

function readSmokeTest(problems: Problems, raw: unknown, stack: string): SmokeTestSettings {
    const smokeTest = new ConfigObject(problems, "smokeTest", raw, SMOKE_TEST_KEYS);
    const image = smokeTest.string("image", RULES.smokeTestImage, DEFAULTS.smokeTest.image);
    if (smokeTest.has("image") && image !== DEFAULTS.smokeTest.image && !isPinnedImage(image)) {
        problems.add(
            `${fullKey("smokeTest.image")} = ${show(image)}: pin a version tag or digest; ${unpinnedKind(image)} ` +
                `changes under the same name, and the smoke test's Job name (which decides when it runs again) would not. ` +
                `Fix: ${fixCommand("smokeTest.image", DEFAULTS.smokeTest.image)}`,
        );
    }
    return {
        enabled: smokeTest.boolean("enabled", !isProductionStack(stack)),
        image,
        retryForSeconds: smokeTest.integer(
            "retryForSeconds",
            { min: 60, max: 3600, example: String(DEFAULTS.smokeTest.retryForSeconds) },
            DEFAULTS.smokeTest.retryForSeconds,
        ),
    };
}

/** A digest, or a tag other than `latest`. */
function isPinnedImage(image: string): boolean {
    const tag = imageTag(image);
    return /@sha256:[a-f0-9]{64}$/.test(image) || (tag !== undefined && tag !== "latest");
}

function imageTag(image: string): string | undefined {
    return /:([\w][\w.-]*)$/.exec(image.replace(/@sha256:[a-f0-9]{64}$/, ""))?.[1];
}

function unpinnedKind(image: string): string {
    return imageTag(image) === "latest" ? "':latest'" : "an untagged image";
}

function readResources(problems: Problems, aiService: ConfigObject): ContainerResources {
    const resources = aiService.object("resources", RESOURCES_KEYS);
    const read = (kind: "requests" | "limits"): ResourceQuantities => {
        const quantities = resources.object(kind, QUANTITY_KEYS);
        return {
            cpu: quantities.string("cpu", RULES.cpu, DEFAULTS.resources[kind].cpu),
            memory: quantities.string("memory", RULES.memory, DEFAULTS.resources[kind].memory),
        };
    };
    const requests = read("requests");
    const limits = read("limits");
    for (const resource of ["cpu", "memory"] as const) {
        const request = parseQuantity(requests[resource]);
        const limit = parseQuantity(limits[resource]);
        if (request !== undefined && limit !== undefined && request > limit) {
            problems.add(
                `${fullKey(`aiService.resources.requests.${resource}`)} = ${show(requests[resource])} is more than ` +
                    `${fullKey(`aiService.resources.limits.${resource}`)} = ${show(limits[resource])}: Kubernetes rejects a request above its limit. ` +
                    `Fix: ${fixCommand(`aiService.resources.limits.${resource}`, requests[resource])}`,
            );
        }
    }
    return { requests, limits };
}

function readAdditionalServiceAccounts(problems: Problems, raw: unknown): FederatedServiceAccount[] {
    if (raw === undefined || raw === null) {
        return [];
    }
    if (!Array.isArray(raw)) {
        problems.add(
            `${fullKey("additionalServiceAccounts")} = ${show(raw)}: must be a list of {namespace, name, federatedCredentialName?}. ` +
                `Fix: ${fixCommand("additionalServiceAccounts[0].name", "<serviceaccount>")}`,
        );
        return [];
    }
    return raw.map((entry: unknown, index) => {
        const item = new ConfigObject(
            problems,
            `additionalServiceAccounts[${index}]`,
            entry,
            SERVICE_ACCOUNT_ENTRY_KEYS,
        );
        const namespace = item.requiredString("namespace", RULES.namespace);
        const name = item.requiredString("name", RULES.serviceAccountName);
        return {
            namespace,
            name,
            federatedCredentialName: item.string(
                "federatedCredentialName",
                RULES.federatedCredentialName,
                defaultFederatedCredentialName(namespace, name),
            ),
        };
    });
}

/** One identity holds at most 20 credentials, and (issuer, subject) and credential names must be unique on it. */
function checkFederationLimits(
    problems: Problems,
    aiService: FederatedServiceAccount,
    additional: readonly FederatedServiceAccount[],
    identityName: string,
): void {
    const all = [
        { path: "aiService", account: aiService },
        ...additional.map((account, i) => ({ path: `additionalServiceAccounts[${i}]`, account })),
    ];
    if (all.length > MAX_FEDERATED_CREDENTIALS_PER_IDENTITY) {
        problems.add(
            `${fullKey("additionalServiceAccounts")} lists ${additional.length} ServiceAccounts; with ai-service's that makes ` +
                `${all.length} federated credentials on identity "${identityName}", and Azure allows at most ` +
                `${MAX_FEDERATED_CREDENTIALS_PER_IDENTITY} per identity. Fix: remove ${all.length - MAX_FEDERATED_CREDENTIALS_PER_IDENTITY} ` +
                `entries, or give those workloads a stack (and identity) of their own`,
        );
    }
    const bySubject = new Map<string, string>();
    const byCredentialName = new Map<string, string>();
    for (const { path, account } of all) {
        if (account.namespace === "" || account.name === "") {
            continue;
        }
        const subject = serviceAccountSubject(account.namespace, account.name);
        const firstWithSubject = bySubject.get(subject);
        if (firstWithSubject !== undefined) {
            problems.add(
                `${fullKey(path)} repeats ServiceAccount ${account.namespace}/${account.name} of ${fullKey(firstWithSubject)}: ` +
                    `subject "${subject}" can be federated only once per identity. Fix: remove the duplicate entry`,
            );
        } else {
            bySubject.set(subject, path);
        }
        const credentialName = account.federatedCredentialName;
        const firstWithName = byCredentialName.get(credentialName.toLowerCase());
        if (firstWithName !== undefined) {
            problems.add(
                `${fullKey(`${path}.federatedCredentialName`)} = ${show(credentialName)} is already used by ${fullKey(firstWithName)}: ` +
                    `credential names are unique per identity. Fix: ${fixCommand(`${path}.federatedCredentialName`, "<unique-name>")}`,
            );
        } else {
            byCredentialName.set(credentialName.toLowerCase(), path);
        }
    }
}

function modeOf<T extends string>(problems: Problems, path: string, raw: unknown, modes: readonly T[], fallback: T): T {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
        return fallback;
    }
    const value = (raw as Record<string, unknown>).mode;
    if (value === undefined || value === null) {
        return fallback;
    }
    if (typeof value === "string" && (modes as readonly string[]).includes(value)) {
        return value as T;
    }
    problems.add(
        `${fullKey(`${path}.mode`)} = ${show(value)}: must be one of ${modes.map((m) => `"${m}"`).join(", ")}. ` +
            `Fix: ${fixCommand(`${path}.mode`, fallback)}`,
    );
    return fallback;
}

/** Parses a Kubernetes quantity into a number (cores or bytes), for comparing a request with its limit. */
export function parseQuantity(quantity: string): number | undefined {
    const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
    if (!match) {
        return undefined;
    }
    const factors: Record<string, number> = {
        "": 1,
        m: 1e-3,
        k: 1e3,
        M: 1e6,
        G: 1e9,
        T: 1e12,
        Ki: 2 ** 10,
        Mi: 2 ** 20,
        Gi: 2 ** 30,
        Ti: 2 ** 40,
    };
    return Number(match[1]) * factors[match[2] ?? ""];
}

function withTrailingSlash(url: string): string {
    return url.endsWith("/") ? url : `${url}/`;
}

function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const child of Object.values(value as Record<string, unknown>)) {
            deepFreeze(child);
        }
    }
    return value;
}

/** The project namespace, exported for tests and tools that build raw config. */
export const CONFIG_NAMESPACE = PROJECT;
