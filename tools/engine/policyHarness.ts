import type {
    EnforcementLevel,
    Policies,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";

import { UNKNOWN as RECORDED_UNKNOWN, type RegisteredResource } from "./runProgram";
import { unknownCheckingProxy, UnknownValueError } from "../../policy/engineInternals";
import { policies as guardrails } from "../../policy/policies";
import { UNKNOWN_SENTINELS } from "../../policy/values";

/**
 * Runs policies on the resources tools/engine/runProgram.ts records, presenting them the way the Pulumi engine and
 * @pulumi/policy's analyzer server do, so that what passes here passes under `pulumi preview --policy-pack`:
 *
 * - resource policies get each resource's INPUTS (the engine's Analyze call), stack policies every resource's
 *   OUTPUTS with parent, dependencies and property dependencies resolved to resources (AnalyzeStack);
 * - an unknown value (recorded as "<unknown>") becomes the engine's unknown sentinel, and the properties are wrapped
 *   in @pulumi/policy's own `unknownCheckingProxy`, which throws `UnknownValueError` when a policy touches one;
 * - keys starting with "__" are dropped (the engine marshals with SkipInternalKeys, e.g. a dynamic `__provider`);
 * - a policy that throws `UnknownValueError` is reported the way the engine reports it: an advisory
 *   "can't run policy during preview", never a violation (kept apart here, in `gaveUp`, so tests can forbid it);
 * - enforcement levels: the policy's own, else the pack default ("advisory"); "disabled" policies do not run.
 */

export interface PolicyDiagnostic {
    readonly policyName: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly message: string;
    /** The resource the diagnostic is about; undefined for a stack-wide one. */
    readonly urn?: string;
}

export interface PolicyReport {
    /** Violations, mandatory and advisory. */
    readonly violations: readonly PolicyDiagnostic[];
    /** Policies that aborted on an unknown value (the engine would print them as advisory). */
    readonly gaveUp: readonly PolicyDiagnostic[];
}

/** The pack's default enforcement level (@pulumi/policy PolicyPack). */
const PACK_DEFAULT_LEVEL: EnforcementLevel = "advisory";

/** Runs `policies` (default: this pack's) on recorded resources: Analyze for each resource, then AnalyzeStack. */
export async function evaluatePolicies(
    resources: readonly RegisteredResource[],
    policies: Policies = guardrails,
): Promise<PolicyReport> {
    const violations: PolicyDiagnostic[] = [];
    const gaveUp: PolicyDiagnostic[] = [];
    const active = policies.filter((policy) => levelOf(policy) !== "disabled");

    for (const resource of resources) {
        for (const policy of active.filter(isResourcePolicy)) {
            const validations = [policy.validateResource ?? []].flat();
            for (const validate of validations) {
                const args = resourceArgs(resource, resources);
                await run(policy, gaveUp, resource.urn, () =>
                    validate(args, reporter(policy, violations, resource.urn)),
                );
            }
        }
    }
    for (const policy of active.filter(isStackPolicy)) {
        const args = stackArgs(resources);
        await run(policy, gaveUp, undefined, () => policy.validateStack(args, reporter(policy, violations)));
    }
    return { violations, gaveUp };
}

/** The args the analyzer server builds for one Analyze request (a resource's inputs). */
export function resourceArgs(
    resource: RegisteredResource,
    all: readonly RegisteredResource[] = [],
): ResourceValidationArgs {
    const props = enginePresented(resource.inputs);
    const provider = providerOf(resource, all);
    return {
        type: resource.type,
        props,
        urn: resource.urn,
        name: resource.name,
        opts: optionsOf(resource),
        ...(provider === undefined ? {} : { provider }),
        stackTags: new Map<string, string>(),
        isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
        asType: ((resourceClass: unknown) =>
            isTypeOf(resource.type, resourceClass) ? props : undefined) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => ({}) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
}

/** The args the analyzer server builds for AnalyzeStack (every resource's outputs, linked to each other). */
export function stackArgs(resources: readonly RegisteredResource[]): StackValidationArgs {
    const byUrn = new Map<string, PolicyResource>();
    const built = resources.map((resource) => {
        const props = enginePresented(resource.state);
        const provider = providerOf(resource, resources);
        const policyResource: PolicyResource = {
            type: resource.type,
            props,
            urn: resource.urn,
            name: resource.name,
            opts: optionsOf(resource),
            ...(provider === undefined ? {} : { provider }),
            dependencies: [],
            propertyDependencies: {},
            isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
            asType: ((resourceClass: unknown) =>
                isTypeOf(resource.type, resourceClass) ? props : undefined) as PolicyResource["asType"],
        };
        byUrn.set(resource.urn, policyResource);
        return { resource, policyResource };
    });
    const resolve = (urns: readonly string[]) =>
        urns.map((urn) => byUrn.get(urn)).filter((found): found is PolicyResource => found !== undefined);
    for (const { resource, policyResource } of built) {
        const parent = byUrn.get(resource.parent);
        if (parent !== undefined) {
            policyResource.parent = parent;
        }
        policyResource.dependencies = resolve(resource.dependencies);
        for (const [property, urns] of Object.entries(resource.propertyDependencies)) {
            policyResource.propertyDependencies[property] = resolve(urns);
        }
    }
    return {
        resources: built.map(({ policyResource }) => policyResource),
        stackTags: new Map<string, string>(),
        getConfig: <T extends object>() => ({}) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
}

/** Recorded properties as the engine marshals them (unknowns as sentinels, no "__" keys), behind the policy proxy. */
export function enginePresented(properties: Readonly<Record<string, unknown>>): Record<string, unknown> {
    return unknownCheckingProxy(engineMarshalled(properties));
}

/** Recorded properties as the engine marshals them for an analyzer: unknowns as sentinels, no "__" keys. */
export function engineMarshalled(properties: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const marshalled: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(properties)) {
        if (!key.startsWith("__") && value !== undefined) {
            marshalled[key] = withSentinels(value);
        }
    }
    return marshalled;
}

function withSentinels(value: unknown): unknown {
    if (value === RECORDED_UNKNOWN) {
        // The Node.js SDK sends every unknown as the string sentinel, whatever the property's type.
        return UNKNOWN_SENTINELS.string;
    }
    if (Array.isArray(value)) {
        return value.map(withSentinels);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(
            Object.entries(value)
                .filter(([, item]) => item !== undefined)
                .map(([key, item]) => [key, withSentinels(item)]),
        );
    }
    return value;
}

function optionsOf(resource: RegisteredResource): PolicyResourceOptions {
    return {
        protect: resource.protect,
        ignoreChanges: [...resource.ignoreChanges],
        // The engine sets it only when the program did; the recording keeps the flag, so "true" is "defined".
        ...(resource.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(resource.parent ? { parent: resource.parent } : {}),
    };
}

/** The provider reference (`<urn>::<id>`) resolved to the recorded provider resource and its inputs. */
function providerOf(
    resource: RegisteredResource,
    all: readonly RegisteredResource[],
): PolicyProviderResource | undefined {
    const urn = resource.provider ? resource.provider.split("::").slice(0, -1).join("::") : "";
    const provider = all.find((candidate) => candidate.urn === urn);
    return provider === undefined
        ? undefined
        : { type: provider.type, urn: provider.urn, name: provider.name, props: enginePresented(provider.inputs) };
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
    const pulumiType = (resourceClass as { __pulumiType?: unknown } | undefined)?.__pulumiType;
    return typeof pulumiType === "string" && pulumiType === type;
}

class NotApplicable extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "Policy does not apply");
    }
}

function levelOf(policy: Policies[number]): EnforcementLevel {
    const level = policy.enforcementLevel ?? PACK_DEFAULT_LEVEL;
    // Remediations are not run here; a violation of a "remediate" policy is reported as mandatory, as the engine does.
    return level === "remediate" ? "mandatory" : level;
}

function isResourcePolicy(policy: Policies[number]): policy is ResourceValidationPolicy {
    return !("validateStack" in policy);
}

function isStackPolicy(policy: Policies[number]): policy is StackValidationPolicy {
    return "validateStack" in policy;
}

function reporter(policy: Policies[number], into: PolicyDiagnostic[], resourceUrn?: string): ReportViolation {
    return (message: string, urn?: string) => {
        const about = resourceUrn ?? urn;
        into.push({
            policyName: policy.name,
            enforcementLevel: levelOf(policy),
            message,
            ...(about === undefined ? {} : { urn: about }),
        });
    };
}

async function run(
    policy: Policies[number],
    gaveUp: PolicyDiagnostic[],
    urn: string | undefined,
    validation: () => void | Promise<void>,
): Promise<void> {
    try {
        await validation();
    } catch (error) {
        if (error instanceof UnknownValueError) {
            gaveUp.push({
                policyName: policy.name,
                enforcementLevel: "advisory",
                message: `can't run policy '${policy.name}' during preview: ${error.message}`,
                ...(urn === undefined ? {} : { urn }),
            });
        } else if (!(error instanceof NotApplicable)) {
            throw error;
        }
    }
}
