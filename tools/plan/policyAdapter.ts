import { existsSync } from "node:fs";
import * as path from "node:path";

import * as pulumi from "@pulumi/pulumi";

import { PROJECT_ROOT, type RegisteredResource } from "../engine/runProgram";
import { PLACEHOLDER_PATTERN, type PlaceholderKind } from "./placeholders";

/**
 * Runs a CrossGuard policy pack (`policy/policies.ts`, export `policies`) on the plan's registrations, the way
 * `pulumi preview --policy-pack policy` would, without the policy engine: resource policies get each resource's inputs,
 * stack policies get every resource's outputs with parents and dependencies, and values a preview cannot know are the
 * engine's unknown sentinel behind CrossGuard's unknown-checking proxy. A policy that touches one is "not judged in
 * preview" (CrossGuard reports that as an advisory note), never a violation.
 *
 * What a real preview knows, the policies see: the subscription and tenant of the deploying account become the nil
 * GUID (their shape only; the plan never shows it), everything else behind a placeholder becomes unknown.
 */

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

type Report = (message: string, urn?: string) => void;
type ResourceValidation = (args: PolicyResourceArgs, reportViolation: Report) => void | Promise<void>;
type StackValidation = (
    args: { resources: StackResource[]; getConfig: () => object },
    report: Report,
) => void | Promise<void>;

/** The shape of a @pulumi/policy ResourceValidationPolicy or StackValidationPolicy, as far as the plan needs it. */
export interface PolicyLike {
    readonly name: string;
    readonly description: string;
    readonly enforcementLevel?: EnforcementLevel;
    readonly configSchema?: { readonly properties?: Readonly<Record<string, { readonly default?: unknown }>> };
    readonly validateResource?: ResourceValidation | readonly ResourceValidation[];
    readonly validateStack?: StackValidation;
}

interface PolicyResourceOptions {
    protect: boolean;
    ignoreChanges: string[];
    deleteBeforeReplace?: boolean;
    aliases: string[];
    customTimeouts: { createSeconds: number; updateSeconds: number; deleteSeconds: number };
    additionalSecretOutputs: string[];
    parent?: string;
    provider?: string;
}

interface PolicyResourceArgs {
    type: string;
    props: Record<string, unknown>;
    urn: string;
    name: string;
    opts: PolicyResourceOptions;
    provider?: { type: string; props: Record<string, unknown>; urn: string; name: string };
    isType(resourceClass: unknown): boolean;
    asType(resourceClass: unknown): Record<string, unknown> | undefined;
    getConfig<T extends object>(): T;
}

interface StackResource extends Omit<PolicyResourceArgs, "getConfig"> {
    parent?: StackResource;
    dependencies: StackResource[];
    propertyDependencies: Record<string, StackResource[]>;
}

export interface PolicyViolation {
    /** Resource name, or undefined for the stack as a whole. */
    readonly resource?: string;
    readonly urn?: string;
    readonly message: string;
}

export interface PolicyResult {
    readonly policy: string;
    readonly description: string;
    readonly enforcementLevel: EnforcementLevel;
    /** "pass": judged, no violation; "fail": violations; "not judged": a value it needs is unknown in preview. */
    readonly status: "pass" | "fail" | "not judged";
    readonly violations: readonly PolicyViolation[];
    /** Why a policy could not judge a resource, e.g. "string value at .issuer can't be known during preview". */
    readonly notJudged: readonly PolicyViolation[];
}

export interface PolicyReport {
    /** Where the policies came from, e.g. "policy/policies.ts". */
    readonly source: string;
    /** False when the pack is not in this checkout. */
    readonly available: boolean;
    readonly results: readonly PolicyResult[];
    /** Violations of mandatory policies; any makes the plan exit non-zero. */
    readonly mandatoryFailures: number;
}

/** Policy pack location, relative to the project root. */
export const POLICY_MODULE = "policy/policies.ts";

/** Loads `policies` from the pack in this checkout, or undefined when there is none. */
export async function loadPolicyPack(root = PROJECT_ROOT): Promise<readonly PolicyLike[] | undefined> {
    const file = path.join(root, POLICY_MODULE);
    if (!existsSync(file)) {
        return undefined;
    }
    const module = (await import(file)) as { policies?: readonly PolicyLike[] };
    if (!Array.isArray(module.policies)) {
        throw new Error(`${POLICY_MODULE} does not export an array named "policies"`);
    }
    return module.policies;
}

/** The report when the pack is not in this checkout. */
export function missingPolicyPack(): PolicyReport {
    return { source: POLICY_MODULE, available: false, results: [], mandatoryFailures: 0 };
}

/** The nil GUID: what policies see for the deploying account's subscription and tenant (shape only). */
export const ACCOUNT_VALUE_FOR_POLICIES = "00000000-0000-0000-0000-000000000000";

export async function runPolicies(
    policies: readonly PolicyLike[],
    resources: readonly RegisteredResource[],
    placeholders: ReadonlyMap<string, PlaceholderKind>,
    source = POLICY_MODULE,
): Promise<PolicyReport> {
    const proxy = await unknownCheckingProxy();
    const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
    const props = (value: Record<string, unknown>) =>
        proxy(asPreviewSees(value, placeholders) as Record<string, unknown>) as Record<string, unknown>;

    const common = (resource: RegisteredResource, values: Record<string, unknown>) => {
        const providerUrn = resource.provider ? resource.provider.split("::").slice(0, -1).join("::") : "";
        const provider = byUrn.get(providerUrn);
        return {
            type: resource.type,
            props: values,
            urn: resource.urn,
            name: resource.name,
            opts: {
                protect: resource.protect,
                ignoreChanges: [...resource.ignoreChanges],
                deleteBeforeReplace: resource.deleteBeforeReplace,
                aliases: [],
                customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
                additionalSecretOutputs: [],
                parent: resource.parent || undefined,
                provider: resource.provider || undefined,
            },
            provider: provider
                ? { type: provider.type, props: props(provider.inputs), urn: provider.urn, name: provider.name }
                : undefined,
            isType: (resourceClass: unknown) => typeOf(resourceClass) === resource.type,
            asType: (resourceClass: unknown) => (typeOf(resourceClass) === resource.type ? values : undefined),
        };
    };

    // Stack policies see outputs, with parents and dependencies as objects.
    const stackResources = new Map<string, StackResource>(
        resources.map((resource) => [
            resource.urn,
            { ...common(resource, props(resource.state)), dependencies: [], propertyDependencies: {} },
        ]),
    );
    for (const resource of resources) {
        const entry = stackResources.get(resource.urn) as StackResource;
        entry.parent = stackResources.get(resource.parent);
        entry.dependencies = resource.dependencies.flatMap((urn) => stackResources.get(urn) ?? []);
        entry.propertyDependencies = Object.fromEntries(
            Object.entries(resource.propertyDependencies).map(([key, urns]) => [
                key,
                urns.flatMap((urn) => stackResources.get(urn) ?? []),
            ]),
        );
    }

    const results: PolicyResult[] = [];
    for (const policy of policies) {
        const level = policy.enforcementLevel ?? "advisory";
        const violations: PolicyViolation[] = [];
        const notJudged: PolicyViolation[] = [];
        const getConfig = <T extends object>() => configDefaults(policy) as T;
        if (level !== "disabled") {
            const validations = policy.validateResource
                ? Array.isArray(policy.validateResource)
                    ? policy.validateResource
                    : [policy.validateResource as ResourceValidation]
                : [];
            for (const resource of resources) {
                for (const validate of validations) {
                    const report: Report = (message) =>
                        violations.push({ resource: resource.name, urn: resource.urn, message });
                    await judged(
                        () => validate({ ...common(resource, props(resource.inputs)), getConfig }, report),
                        (message) => notJudged.push({ resource: resource.name, urn: resource.urn, message }),
                        policy.name,
                    );
                }
            }
            if (policy.validateStack) {
                const validateStack = policy.validateStack;
                const report: Report = (message, urn) =>
                    violations.push({ resource: urn ? byUrn.get(urn)?.name : undefined, urn, message });
                await judged(
                    () => validateStack({ resources: [...stackResources.values()], getConfig }, report),
                    (message) => notJudged.push({ message }),
                    policy.name,
                );
            }
        }
        results.push({
            policy: policy.name,
            description: policy.description,
            enforcementLevel: level,
            status: violations.length > 0 ? "fail" : notJudged.length > 0 ? "not judged" : "pass",
            violations,
            notJudged,
        });
    }
    return {
        source,
        available: true,
        results,
        mandatoryFailures: results
            .filter((result) => result.enforcementLevel === "mandatory")
            .reduce((sum, result) => sum + result.violations.length, 0),
    };
}

/**
 * A value as a real `pulumi preview` would show it to a policy: account placeholders become the nil GUID, and any
 * string that still holds a placeholder becomes the engine's unknown sentinel.
 */
export function asPreviewSees(value: unknown, placeholders: ReadonlyMap<string, PlaceholderKind>): unknown {
    if (typeof value === "string") {
        const replaced = value.replace(PLACEHOLDER_PATTERN, (text) =>
            placeholders.get(text) === "account" ? ACCOUNT_VALUE_FOR_POLICIES : text,
        );
        return new RegExp(PLACEHOLDER_PATTERN.source).test(replaced) ? pulumi.runtime.unknownValue : replaced;
    }
    if (Array.isArray(value)) {
        return value.map((item) => asPreviewSees(item, placeholders));
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asPreviewSees(v, placeholders)]));
    }
    return value;
}

async function judged(
    run: () => void | Promise<void>,
    notJudged: (message: string) => void,
    policy: string,
): Promise<void> {
    try {
        await run();
    } catch (error) {
        if (error instanceof Error && error.name === "UnknownValueError") {
            notJudged(error.message);
            return;
        }
        if (error instanceof Error && error.constructor.name === "UnknownValueError") {
            notJudged(error.message);
            return;
        }
        throw new Error(`policy ${policy} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
}

function typeOf(resourceClass: unknown): string | undefined {
    return (resourceClass as { __pulumiType?: string } | undefined)?.__pulumiType;
}

function configDefaults(policy: PolicyLike): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(policy.configSchema?.properties ?? {})
            .filter(([, schema]) => schema.default !== undefined)
            .map(([key, schema]) => [key, schema.default]),
    );
}

/** CrossGuard's own proxy when @pulumi/policy is installed (policies may test `instanceof UnknownValueError`). */
async function unknownCheckingProxy(): Promise<(value: Record<string, unknown>) => Record<string, unknown>> {
    try {
        const module = (await import("@pulumi/policy/proxy" as string)) as {
            unknownCheckingProxy: (value: unknown) => Record<string, unknown>;
        };
        return module.unknownCheckingProxy;
    } catch {
        return fallbackProxy;
    }
}

class UnknownValueError extends Error {
    constructor(propertyPath: string) {
        super(`value at .${propertyPath} can't be known during preview`);
        this.name = "UnknownValueError";
    }
}

function fallbackProxy(value: Record<string, unknown>): Record<string, unknown> {
    const wrap = (target: object, trail: string[]): object =>
        new Proxy(target, {
            get: (object, key) => {
                const field = (object as Record<string | symbol, unknown>)[key];
                const next = [...trail, String(key)];
                if (field === pulumi.runtime.unknownValue) {
                    throw new UnknownValueError(next.join("."));
                }
                return field !== null && typeof field === "object" ? wrap(field, next) : field;
            },
        });
    return wrap(value, []) as Record<string, unknown>;
}
