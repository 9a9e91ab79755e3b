import { OPENAI } from "../azureErrors";
import { USE_WORKLOAD_IDENTITY_LABEL } from "../facts";
import { containsPlaceholder } from "../placeholders";
import type { Account, AccessPathInput, AnalysedResource, Resolved } from "./model";

/**
 * Lookups every hop shares: resource types, where a pod template lives, how two registered values are linked, and
 * plain accessors over the untyped inputs and state the engine records.
 */

export const T = {
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    identity: "azure-native:managedidentity:UserAssignedIdentity",
    credential: "azure-native:managedidentity:FederatedIdentityCredential",
    roleAssignment: "azure-native:authorization:RoleAssignment",
    account: "azure-native:cognitiveservices:Account",
    modelDeployment: "azure-native:cognitiveservices:Deployment",
    features: "pulumi-nodejs:dynamic/aks:WorkloadIdentityFeatures",
    managedCluster: "azure-native:containerservice:ManagedCluster",
    stackReference: "pulumi:pulumi:StackReference",
};

/** Pod-template location of each kind of workload. */
const POD_TEMPLATES: Readonly<Record<string, string>> = {
    "kubernetes:apps/v1:Deployment": "spec.template",
    "kubernetes:apps/v1:StatefulSet": "spec.template",
    "kubernetes:apps/v1:DaemonSet": "spec.template",
    "kubernetes:apps/v1:ReplicaSet": "spec.template",
    "kubernetes:batch/v1:Job": "spec.template",
    "kubernetes:batch/v1:CronJob": "spec.jobTemplate.spec.template",
    "kubernetes:core/v1:Pod": "",
};

/** Env variables that show a container calls Azure OpenAI (ai-service's contract). */
export const OPENAI_ENV = ["AZURE_OPENAI_ENDPOINT", "USE_AZURE_AD"];

export function isOpenAiWorkload(resource: AnalysedResource): boolean {
    if (!(resource.type in POD_TEMPLATES)) {
        return false;
    }
    const template = podTemplate(resource);
    const env = containerEnv(template);
    return (
        at(template, "metadata.labels")?.[USE_WORKLOAD_IDENTITY_LABEL] !== undefined ||
        OPENAI_ENV.some((name) => env.has(name))
    );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function podTemplate(resource: AnalysedResource): any {
    const path = POD_TEMPLATES[resource.type];
    return path === "" ? resource.inputs : at(resource.inputs, path);
}

/** Env of the container that calls Azure OpenAI (the first that has its variables, else the first). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function containerEnv(template: any): Map<string, string> {
    const containers = arr(at(template, "spec.containers"));
    const envOf = (container: unknown) =>
        new Map(
            arr(at(container, "env")).map((entry) => [
                String(at(entry, "name")),
                at(entry, "value") === undefined ? "(from a reference)" : String(at(entry, "value")),
            ]),
        );
    const chosen = containers.map(envOf).find((env) => OPENAI_ENV.some((name) => env.has(name)));
    return chosen ?? (containers.length > 0 ? envOf(containers[0]) : new Map());
}

/** The account whose endpoint the workload calls (or the only account in the plan). */
export function targetAccount(input: AccessPathInput, endpoint: string | undefined): Account | undefined {
    const accounts: Account[] = [
        ...ofType(input.resources, T.account).map((account) => ({
            name: str(account.inputs.accountName) ?? account.name,
            id: account.id ?? "",
            endpoint: str(at(account.state, "properties.endpoint")) ?? "",
            ref: account.urn,
            source: `Azure OpenAI account ${str(account.inputs.accountName)} (created by this stack)`,
            owner: account,
        })),
        ...input.reads
            .filter((read) => read.token === "azure-native:cognitiveservices:getAccount")
            .map((read) => ({
                name: String(read.args.accountName),
                id: String(read.answer.id),
                endpoint: readEndpoint(read.answer),
                ref: `read:${String(read.args.accountName)}`,
                source: `Azure OpenAI account ${String(read.args.accountName)} (read from Azure)`,
            })),
    ];
    return (
        accounts.find((account) => account.endpoint === endpoint) ?? (accounts.length === 1 ? accounts[0] : undefined)
    );
}

function readEndpoint(answer: Readonly<Record<string, unknown>>): string {
    const endpoints = (at(answer, "properties.endpoints") ?? {}) as Record<string, string>;
    return (
        endpoints["OpenAI Language Model Instance API"] ??
        endpoints.OpenAI ??
        str(at(answer, "properties.endpoint")) ??
        ""
    );
}

/** The message Azure OpenAI answers a principal that holds no role on the account (401 PermissionDenied). */
export function permissionDenied(resolved: Resolved): string {
    const principalId = resolved.identity ? str(resolved.identity.state.principalId) : undefined;
    return OPENAI.permissionDenied(principalId ?? "<principal id>").body.error.message;
}

/**
 * Why two values are equal. The same placeholder on both sides is the same Output: linked by construction, with the
 * dependency that carried it named when the engine recorded one.
 */
export function linkBasis(
    value: string | undefined,
    consumer: AnalysedResource | undefined,
    property: string,
    producer: AnalysedResource | undefined,
    source: string,
): string {
    if (value !== undefined && containsPlaceholder(value)) {
        const edge =
            consumer && producer && dependsOn(consumer, property, producer)
                ? ` (${consumer.name}.${property} depends on ${producer.name})`
                : "";
        return `linked by construction: the same value as ${source}${edge}`;
    }
    return `equals ${source}`;
}

export function dependsOn(
    consumer: AnalysedResource,
    property: string,
    producer: AnalysedResource | undefined,
): boolean {
    if (producer === undefined) {
        return false;
    }
    // Only a property dependency shows that the value flowed from the producer; dependsOn orders without linking.
    return (consumer.propertyDependencies[property] ?? []).includes(producer.urn);
}

/** True when `scope` is the account id or an ARM ancestor of it (case-insensitive, as ARM compares). */
export function covers(scope: string | undefined, accountId: string | undefined): boolean {
    if (scope === undefined || accountId === undefined) {
        return false;
    }
    const s = scope.toLowerCase().replace(/\/+$/, "");
    const a = accountId.toLowerCase();
    return a === s || a.startsWith(`${s}/`);
}

export function roleGuid(assignment: AnalysedResource): string | undefined {
    return str(assignment.inputs.roleDefinitionId)?.split("/").pop()?.toLowerCase();
}

export function identityName(identity: AnalysedResource | undefined): string {
    return identity ? (str(identity.inputs.resourceName) ?? str(identity.state.name) ?? identity.name) : "?";
}

export function namespaceOf(resource: AnalysedResource): string {
    return str(at(resource.inputs, "metadata.namespace")) ?? "default";
}

export function ofType(resources: readonly AnalysedResource[], type: string): AnalysedResource[] {
    return resources.filter((resource) => resource.type === type);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function at(value: unknown, dottedPath: string): any {
    return dottedPath.split(".").reduce<unknown>((current, key) => {
        if (current === null || current === undefined || typeof current !== "object") {
            return undefined;
        }
        return (current as Record<string, unknown>)[key];
    }, value);
}

export function str(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

export function arr(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}
