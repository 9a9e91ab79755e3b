import type { Policies } from "@pulumi/policy";

import { PROJECT_NAME, type RegisteredResource } from "../engine/runProgram";
import { analyzeAccessPath, type AccessAnalysis } from "./accessPath";
import { analyzeAudit, type AuditPlan } from "./audit";
import { analyzeDeployerAccess, type DeployerAccess } from "./deployerAccess";
import { evaluateStack, type Evaluation } from "./evaluate";
import { type PlaceholderKind, placeholdersIn } from "./placeholders";
import { POLICY_PACK, runPolicies, type PolicyReport } from "./policyAdapter";

/**
 * The plan of one stack: what `pulumi up` would register (the resource tree with the inputs that matter for security
 * and the options that matter for safety), the dependency edges, what the program reads and assumes, the access path
 * analysis and the policy pack's results. Everything the text, Mermaid and JSON renderings show comes from here.
 */

export const PLAN_SCHEMA_VERSION = 1;

export interface PlanResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** URN of the parent; null for the stack itself. */
    readonly parent: string | null;
    /** A component groups other resources; it has no cloud counterpart. */
    readonly component: boolean;
    readonly id: string | null;
    /** Resource options that decide what a replacement or a destroy does. */
    readonly options: {
        readonly import: string | null;
        readonly deleteBeforeReplace: boolean;
        readonly retainOnDelete: boolean;
        readonly protect: boolean;
        readonly ignoreChanges: readonly string[];
    };
    /** The inputs that matter for security, by dotted path. */
    readonly inputs: Readonly<Record<string, unknown>>;
    /** Outputs the access path uses (ids, issuer URL, endpoint), by dotted path. */
    readonly outputs: Readonly<Record<string, unknown>>;
}

/** `from` depends on `to`: the engine creates `to` first. */
export interface PlanEdge {
    readonly from: string;
    readonly to: string;
}

export interface PlanRead {
    readonly token: string;
    readonly args: Readonly<Record<string, unknown>>;
}

export interface Plan {
    readonly schemaVersion: number;
    readonly project: string;
    readonly stack: string;
    readonly summary: {
        readonly resources: number;
        readonly accessPathWhole: boolean;
        readonly mandatoryPolicyFailures: number;
        readonly exitCode: 0 | 1;
    };
    readonly resources: readonly PlanResource[];
    readonly edges: readonly PlanEdge[];
    readonly reads: readonly PlanRead[];
    readonly assumptions: readonly string[];
    readonly warnings: readonly string[];
    /** Every placeholder shown in the plan, and where its value will come from. */
    readonly placeholders: readonly { readonly text: string; readonly kind: PlaceholderKind }[];
    readonly accessPath: AccessAnalysis;
    /** How `pulumi up` signs in to Kubernetes, and with what rights. */
    readonly deployerAccess: DeployerAccess;
    readonly policies: PolicyReport;
    /** The stack outputs `pulumi up` would export; secrets are shown as "[secret]". */
    readonly outputs: Readonly<Record<string, unknown>>;
    /** Whether the calls to Azure OpenAI are recorded, and where (tools/plan/audit.ts). */
    readonly audit: AuditPlan;
}

export interface BuildPlanOptions {
    readonly stack: string;
    readonly config: Readonly<Record<string, unknown>>;
    /** Policies to run; default: the policy pack (policy/policies.ts). */
    readonly policies?: Policies;
}

export async function buildPlan(options: BuildPlanOptions): Promise<Plan> {
    const evaluation = await evaluateStack({ stack: options.stack, config: options.config });
    const report = await runPolicies(options.policies ?? POLICY_PACK, evaluation.resources, evaluation.placeholders);
    return assemblePlan(evaluation, report);
}

/** Builds the plan from an evaluation and a policy report (pure). */
export function assemblePlan(evaluation: Evaluation, policies: PolicyReport): Plan {
    const accessPath = analyzeAccessPath({ resources: evaluation.resources, reads: evaluation.reads });
    const resources = evaluation.resources.map(planResource);
    const known = new Set(resources.map((resource) => resource.urn));
    const edges = evaluation.resources.flatMap((resource) =>
        [...new Set(resource.dependencies)]
            .filter((urn) => known.has(urn))
            .map((urn) => ({ from: resource.urn, to: urn })),
    );
    const outputs = Object.fromEntries(
        Object.entries(evaluation.outputs).map(([key, value]) => [key, key === "kubeconfig" ? "[secret]" : value]),
    );
    const shown = placeholdersIn([
        resources,
        outputs,
        accessPath.paths.map((path) => path.checks.map((c) => c.planned)),
    ]);
    const summary = {
        resources: resources.filter((resource) => !resource.component).length,
        accessPathWhole: accessPath.whole,
        mandatoryPolicyFailures: policies.mandatoryFailures,
    };
    return {
        schemaVersion: PLAN_SCHEMA_VERSION,
        project: PROJECT_NAME,
        stack: evaluation.stack,
        summary: { ...summary, exitCode: exitCodeFor(summary) },
        resources,
        edges,
        reads: evaluation.reads.map((read) => ({ token: read.token, args: read.args })),
        assumptions: [...new Set(evaluation.reads.flatMap((read) => read.assumptions))],
        warnings: evaluation.warnings,
        placeholders: [...shown].map((text) => ({ text, kind: evaluation.placeholders.get(text) ?? kindOf(text) })),
        accessPath,
        deployerAccess: analyzeDeployerAccess({ resources: evaluation.resources, reads: evaluation.reads }),
        policies,
        outputs,
        audit: analyzeAudit(evaluation.resources, evaluation.reads),
    };
}

/** 0 when the access path is whole and no mandatory policy fails; 1 otherwise. */
export function exitCodeFor(summary: { accessPathWhole: boolean; mandatoryPolicyFailures: number }): 0 | 1 {
    return summary.accessPathWhole && summary.mandatoryPolicyFailures === 0 ? 0 : 1;
}

function kindOf(text: string): PlaceholderKind {
    // Placeholders embedded in URLs (another stack's outputs) are catalogued without their URL around them.
    return text.includes("read-at-deploy-time") ? "read" : "output";
}

function planResource(resource: RegisteredResource): PlanResource {
    return {
        urn: resource.urn,
        type: resource.type,
        name: resource.name,
        parent: resource.parent === "" ? null : resource.parent,
        component: !resource.custom,
        id: resource.id ?? null,
        options: {
            import: resource.importId === "" ? null : resource.importId,
            deleteBeforeReplace: resource.deleteBeforeReplace,
            retainOnDelete: resource.retainOnDelete,
            protect: resource.protect,
            ignoreChanges: resource.ignoreChanges,
        },
        inputs: securityInputs(resource),
        outputs: securityOutputs(resource),
    };
}

// ------------------------------------------------------------------------------------------------------------------
// Which inputs and outputs a reviewer needs, per type. Kubernetes objects not listed show their namespace and name.
// ------------------------------------------------------------------------------------------------------------------

const INPUTS: Readonly<Record<string, readonly string[]>> = {
    "azure-native:managedidentity:UserAssignedIdentity": ["resourceGroupName", "resourceName", "location"],
    "azure-native:managedidentity:FederatedIdentityCredential": [
        "resourceName",
        "federatedIdentityCredentialResourceName",
        "issuer",
        "subject",
        "audiences",
    ],
    "azure-native:authorization:RoleAssignment": [
        "principalId",
        "principalType",
        "roleDefinitionId",
        "scope",
        "roleAssignmentName",
    ],
    "azure-native:cognitiveservices:Account": [
        "resourceGroupName",
        "accountName",
        "kind",
        "properties.customSubDomainName",
        "properties.disableLocalAuth",
        "properties.publicNetworkAccess",
        "properties.networkAcls",
    ],
    "azure-native:cognitiveservices:Deployment": ["accountName", "deploymentName", "properties.model", "sku"],
    "azure-native:operationalinsights:Workspace": ["resourceGroupName", "workspaceName", "sku", "retentionInDays"],
    "azure-native:monitor:DiagnosticSetting": ["name", "resourceUri", "workspaceId", "logs", "metrics"],
    "azure-native:containerservice:ManagedCluster": [
        "resourceGroupName",
        "resourceName",
        "oidcIssuerProfile.enabled",
        "securityProfile.workloadIdentity.enabled",
        "identity.type",
        // Who may sign in (issue 11).
        "aadProfile.managed",
        "aadProfile.enableAzureRBAC",
        "aadProfile.adminGroupObjectIDs",
        "disableLocalAccounts",
    ],
    "pulumi-nodejs:dynamic/aks:WorkloadIdentityFeatures": ["subscriptionId", "resourceGroupName", "clusterName"],
    // Private networking (openai.network "private"): where the endpoint is, and how the account's name resolves to it.
    "azure-native:network:VirtualNetwork": ["resourceGroupName", "virtualNetworkName", "addressSpace.addressPrefixes"],
    "azure-native:network:Subnet": ["virtualNetworkName", "subnetName", "addressPrefix"],
    "azure-native:network:PrivateEndpoint": ["privateEndpointName", "subnet.id", "privateLinkServiceConnections"],
    "azure-native:network:PrivateDnsZoneGroup": ["privateEndpointName", "privateDnsZoneConfigs"],
    "azure-native:privatedns:PrivateZone": ["privateZoneName"],
    "azure-native:privatedns:VirtualNetworkLink": ["privateZoneName", "virtualNetwork.id", "registrationEnabled"],
    "pulumi:providers:kubernetes": [
        "clusterIdentifier",
        "enableServerSideApply",
        "upsertExistingObjects",
        "kubeconfig",
    ],
    "pulumi:pulumi:StackReference": ["name"],
    "kubernetes:core/v1:ServiceAccount": ["metadata.namespace", "metadata.name", "metadata.annotations"],
};

const OUTPUTS: Readonly<Record<string, readonly string[]>> = {
    "azure-native:managedidentity:UserAssignedIdentity": ["clientId", "principalId"],
    "azure-native:cognitiveservices:Account": ["properties.endpoint"],
    "azure-native:containerservice:ManagedCluster": ["oidcIssuerProfile.issuerURL"],
    "pulumi-nodejs:dynamic/aks:WorkloadIdentityFeatures": ["issuerUrl", "oidcIssuerEnabled", "workloadIdentityEnabled"],
};

/** Secret inputs: shown as "[secret]" (the kubeconfig is wrapped in pulumi.secret by the program). */
const SECRET_INPUTS = new Set(["pulumi:providers:kubernetes/kubeconfig"]);

const POD_TEMPLATE_PATHS: Readonly<Record<string, string>> = {
    "kubernetes:apps/v1:Deployment": "spec.template",
    "kubernetes:apps/v1:StatefulSet": "spec.template",
    "kubernetes:apps/v1:DaemonSet": "spec.template",
    "kubernetes:batch/v1:Job": "spec.template",
    "kubernetes:batch/v1:CronJob": "spec.jobTemplate.spec.template",
    "kubernetes:core/v1:Pod": "",
};

function securityInputs(resource: RegisteredResource): Record<string, unknown> {
    const view: Record<string, unknown> = {};
    const put = (key: string, value: unknown) => {
        if (value !== undefined) {
            view[key] = SECRET_INPUTS.has(`${resource.type}/${key}`) ? "[secret]" : value;
        }
    };
    const listed = INPUTS[resource.type];
    if (listed) {
        listed.forEach((key) => put(key, at(resource.inputs, key)));
        return view;
    }
    if (!resource.type.startsWith("kubernetes:")) {
        return view;
    }
    put("metadata.namespace", at(resource.inputs, "metadata.namespace"));
    put("metadata.name", at(resource.inputs, "metadata.name"));
    const templatePath = POD_TEMPLATE_PATHS[resource.type];
    if (templatePath === undefined) {
        // Other Kubernetes objects: the spec decides what they do (selectors, ports, policies).
        put("spec", at(resource.inputs, "spec"));
        return view;
    }
    put("metadata.annotations", at(resource.inputs, "metadata.annotations"));
    put("spec.replicas", at(resource.inputs, "spec.replicas"));
    const template = templatePath === "" ? resource.inputs : at(resource.inputs, templatePath);
    const prefix = templatePath === "" ? "" : `${templatePath}.`;
    put(`${prefix}metadata.labels`, at(template, "metadata.labels"));
    put(`${prefix}metadata.annotations`, at(template, "metadata.annotations"));
    for (const key of ["serviceAccountName", "automountServiceAccountToken", "securityContext"]) {
        put(`${prefix}spec.${key}`, at(template, `spec.${key}`));
    }
    const containers = at(template, "spec.containers");
    for (const container of Array.isArray(containers) ? containers : []) {
        const name = String(at(container, "name"));
        put(`containers[${name}].image`, at(container, "image"));
        const env = at(container, "env");
        if (Array.isArray(env)) {
            put(
                `containers[${name}].env`,
                env.map((entry) =>
                    at(entry, "value") !== undefined
                        ? `${at(entry, "name")}=${at(entry, "value")}`
                        : `${at(entry, "name")} from ${JSON.stringify(at(entry, "valueFrom"))}`,
                ),
            );
        }
        put(`containers[${name}].envFrom`, at(container, "envFrom"));
        put(`containers[${name}].securityContext`, at(container, "securityContext"));
        put(`containers[${name}].resources`, at(container, "resources"));
    }
    return view;
}

function securityOutputs(resource: RegisteredResource): Record<string, unknown> {
    const view: Record<string, unknown> = {};
    for (const key of OUTPUTS[resource.type] ?? []) {
        const value = at(resource.state, key);
        if (value !== undefined) {
            view[key] = value;
        }
    }
    return view;
}

function at(value: unknown, dottedPath: string): unknown {
    return dottedPath.split(".").reduce<unknown>((current, key) => {
        if (current === null || current === undefined || typeof current !== "object") {
            return undefined;
        }
        return (current as Record<string, unknown>)[key];
    }, value);
}
