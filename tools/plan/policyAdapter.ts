import type { EnforcementLevel, Policies } from "@pulumi/policy";

import { evaluatePolicies } from "../../tools/engine/policyHarness";
import { policies as guardrails } from "../../policy/policies";
import { UNKNOWN, type RegisteredResource } from "../engine/runProgram";
import { PLACEHOLDER_PATTERN, type PlaceholderKind } from "./placeholders";

/**
 * Runs the policy pack (policy/policies.ts) on the plan's registrations through the engine stand-in
 * (tools/engine/policyHarness.ts), which presents recorded resources exactly as `pulumi preview --policy-pack policy` does:
 * resource policies get inputs, stack policies outputs with parents and dependencies, unknown values as the engine's
 * sentinel behind CrossGuard's unknown-checking proxy. This module only decides what a real preview would know of a
 * placeholder: the subscription and tenant of the deploying account are known then (policies see the nil GUID, i.e.
 * their shape); everything else behind a placeholder is unknown. A policy that needs an unknown is "not judged"
 * (CrossGuard's "can't run policy during preview"), never violated.
 */

export interface PolicyViolation {
    /** Resource name, or undefined for the stack as a whole. */
    readonly resource?: string;
    readonly urn?: string;
    readonly message: string;
}

export interface PolicyResult {
    readonly policy: string;
    readonly description: string;
    /** As the engine applies it: the policy's own level (default "advisory"; "remediate" counts as "mandatory"). */
    readonly enforcementLevel: EnforcementLevel;
    /** "pass": judged, no violation; "fail": violations; "not judged": a value it needs is unknown in preview. */
    readonly status: "pass" | "fail" | "not judged";
    readonly violations: readonly PolicyViolation[];
    /** Why a policy could not judge a resource ("can't run policy ... during preview: ..."). */
    readonly notJudged: readonly PolicyViolation[];
}

export interface PolicyReport {
    /** Where the policies came from: "policy/policies.ts" for the pack. */
    readonly source: string;
    readonly results: readonly PolicyResult[];
    /** Violations of mandatory policies; any makes the plan exit non-zero. */
    readonly mandatoryFailures: number;
}

/** The pack's module, relative to the project root. */
export const POLICY_PACK_SOURCE = "policy/policies.ts";

/** The pack's policies. */
export const POLICY_PACK: Policies = guardrails;

/** The nil GUID: what policies see for the deploying account's subscription and tenant (shape only). */
export const ACCOUNT_VALUE_FOR_POLICIES = "00000000-0000-0000-0000-000000000000";

/** A report with no policy run (for callers that judge the access path alone). */
export function noPolicies(): PolicyReport {
    return { source: "none", results: [], mandatoryFailures: 0 };
}

export async function runPolicies(
    policies: Policies,
    resources: readonly RegisteredResource[],
    placeholders: ReadonlyMap<string, PlaceholderKind>,
    source = POLICY_PACK_SOURCE,
): Promise<PolicyReport> {
    const presented = resources.map((resource) => ({
        ...resource,
        inputs: asPreviewSees(resource.inputs, placeholders) as Record<string, unknown>,
        state: asPreviewSees(resource.state, placeholders) as Record<string, unknown>,
    }));
    const names = new Map(resources.map((resource) => [resource.urn, resource.name]));
    const about = (urn: string | undefined, message: string): PolicyViolation =>
        urn === undefined ? { message } : { resource: names.get(urn), urn, message };

    const results: PolicyResult[] = [];
    for (const policy of policies) {
        const level = policy.enforcementLevel ?? "advisory";
        // One policy at a time, so a policy that throws is named.
        let report;
        try {
            report = await evaluatePolicies(presented, [policy]);
        } catch (error) {
            throw new Error(`policy ${policy.name} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
        const violations = report.violations.map((v) => about(v.urn, v.message));
        const notJudged = report.gaveUp.map((v) => about(v.urn, v.message));
        results.push({
            policy: policy.name,
            description: policy.description,
            enforcementLevel: level === "remediate" ? "mandatory" : level,
            status: violations.length > 0 ? "fail" : notJudged.length > 0 ? "not judged" : "pass",
            violations,
            notJudged,
        });
    }
    return {
        source,
        results,
        mandatoryFailures: results
            .filter((result) => result.enforcementLevel === "mandatory")
            .reduce((sum, result) => sum + result.violations.length, 0),
    };
}

/**
 * A value as a real `pulumi preview` would show it to a policy: account placeholders become the nil GUID, and any
 * string that still holds a placeholder becomes unknown (the harness turns UNKNOWN into the engine's sentinel).
 */
export function asPreviewSees(value: unknown, placeholders: ReadonlyMap<string, PlaceholderKind>): unknown {
    if (typeof value === "string") {
        if (value === UNKNOWN) {
            return value;
        }
        const replaced = value.replace(PLACEHOLDER_PATTERN, (text) =>
            placeholders.get(text) === "account" ? ACCOUNT_VALUE_FOR_POLICIES : text,
        );
        return new RegExp(PLACEHOLDER_PATTERN.source).test(replaced) ? UNKNOWN : replaced;
    }
    if (Array.isArray(value)) {
        return value.map((item) => asPreviewSees(item, placeholders));
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asPreviewSees(v, placeholders)]));
    }
    return value;
}
