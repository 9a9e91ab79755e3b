import { isDeepStrictEqual } from "node:util";

import { runProgram, type RegisteredResource } from "../engine/runProgram";
import { canonicalOrder } from "./order";
import { PlanMocks, type DiscoveryRead } from "./planMocks";
import { COMPUTED_PLACEHOLDER, containsPlaceholder, placeholdersIn, type PlaceholderKind } from "./placeholders";

/**
 * Evaluates index.ts under the plan's mocks, as `pulumi preview` would run it, with no cloud and no credentials.
 *
 * The program runs twice, with two spellings of every placeholder. A value that differs between the runs but holds no
 * placeholder was computed from one (a role-assignment name hashed from the principal id, a pod-template hash of the
 * client id): a real preview would not know it either, so it becomes COMPUTED_PLACEHOLDER instead of a real-looking
 * GUID. This holds for any future derivation without the plan knowing the program's functions.
 */

export interface Evaluation {
    readonly stack: string;
    /** Registrations of the first run, with computed values replaced, in the plan's order (see order.ts). */
    readonly resources: readonly RegisteredResource[];
    /** Stack outputs, resolved, with computed values replaced. */
    readonly outputs: Readonly<Record<string, unknown>>;
    /** What the program read, with the plan's answers and the assumptions behind them. */
    readonly reads: readonly DiscoveryRead[];
    /** Every placeholder in the plan and where its value comes from. */
    readonly placeholders: ReadonlyMap<string, PlaceholderKind>;
    /** Warnings the program logged (pulumi.log.warn), against the plan's placeholder answers. */
    readonly warnings: readonly string[];
}

export interface EvaluateOptions {
    readonly stack: string;
    /** Fully qualified config keys to values, as `stackConfig(stack)` returns them. */
    readonly config: Readonly<Record<string, unknown>>;
}

// Pulumi's mock engine is global to the process: evaluations must not overlap.
let queue: Promise<unknown> = Promise.resolve();

export function evaluateStack(options: EvaluateOptions): Promise<Evaluation> {
    const next = queue.then(() => evaluateNow(options));
    queue = next.catch(() => undefined);
    return next;
}

async function evaluateNow(options: EvaluateOptions): Promise<Evaluation> {
    const first = await captured(() => runProgram({ ...options, mocks: new PlanMocks(0), preview: true }));
    const second = await captured(() => runProgram({ ...options, mocks: new PlanMocks(1), preview: true }));

    const secondByUrn = new Map(second.value.resources.map((resource) => [resource.urn, resource]));
    const resources = first.value.resources.map((resource) => {
        const other = secondByUrn.get(resource.urn);
        if (other === undefined) {
            return resource;
        }
        return {
            ...resource,
            inputs: merge(resource.inputs, other.inputs) as Record<string, unknown>,
            state: merge(resource.state, other.state) as Record<string, unknown>,
            id: merge(resource.id, other.id) as string | undefined,
        };
    });
    const placeholders = new Map(first.value.mocks.catalog);
    placeholders.set(COMPUTED_PLACEHOLDER, "computed");
    // A value the stack file marks as still to be copied in (e.g. cluster.adminGroupObjectIds in Pulumi.prod.yaml).
    for (const text of placeholdersIn(options.config)) {
        placeholders.set(text, "stack file");
    }
    return {
        stack: options.stack,
        resources: canonicalOrder(resources),
        outputs: merge(first.value.outputs, second.value.outputs) as Record<string, unknown>,
        reads: first.value.mocks.reads,
        placeholders,
        warnings: first.warnings,
    };
}

/**
 * Leaf by leaf: equal values stay; a value that differs keeps its first spelling when it shows a placeholder, and is
 * replaced by COMPUTED_PLACEHOLDER when it does not (it was derived from one by code the plan cannot see through).
 */
export function merge(first: unknown, second: unknown): unknown {
    if (isDeepStrictEqual(first, second)) {
        return first;
    }
    if (Array.isArray(first) && Array.isArray(second) && first.length === second.length) {
        return first.map((item, index) => merge(item, second[index]));
    }
    if (isRecord(first) && isRecord(second) && isDeepStrictEqual(Object.keys(first), Object.keys(second))) {
        return Object.fromEntries(Object.entries(first).map(([key, value]) => [key, merge(value, second[key])]));
    }
    return containsPlaceholder(first) ? first : COMPUTED_PLACEHOLDER;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Runs `fn` with the console captured: under mocks, pulumi.log writes "warning: [runtime] ..." to the console, and the
 * plan prints those itself (and keeps stdout clean for --json).
 */
async function captured<T>(fn: () => Promise<T>): Promise<{ value: T; warnings: string[] }> {
    const warnings: string[] = [];
    const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error };
    const collect = (...args: unknown[]) => {
        const line = args.map(String).join(" ");
        const match = /^(?:warning|error|info|debug): \[runtime\] ([\s\S]*)$/.exec(line);
        if (match && line.startsWith("warning")) {
            warnings.push(match[1]);
        } else if (match && line.startsWith("error")) {
            warnings.push(`error: ${match[1]}`);
        } else if (!match) {
            saved.error(line);
        }
    };
    console.log = console.info = console.warn = console.error = collect;
    try {
        return { value: await fn(), warnings };
    } finally {
        Object.assign(console, saved);
    }
}
