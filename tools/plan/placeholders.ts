/**
 * Placeholders: how the plan shows a value only Azure (or another stack) knows. Every placeholder is text in angle
 * brackets saying what the value is and when it becomes known, e.g. `<client id of managed identity myIdentity: known
 * after apply>`. No real Azure, Kubernetes or URL value contains '<' or '>', so a placeholder can never be mistaken for
 * a real value, and a value that merely embeds one (an ARM id under a placeholder subscription) stays visibly marked.
 */

/** When a placeholder's value becomes known. */
export type Known =
    /** An output of a resource this stack creates or updates. */
    | "known after apply"
    /** Read from Azure (or another stack) when `pulumi preview`/`up` runs with credentials. */
    | "read at deploy time";

/** Where a placeholder's value comes from; decides what policies may be shown in its place (see `policyValueOf`). */
export type PlaceholderKind =
    /** The subscription, tenant or signed-in principal azure-native uses: a real `pulumi preview` knows these. */
    | "account"
    /** An output of a resource this stack creates or updates: unknown in a real `pulumi preview` too. */
    | "output"
    /** A property of something the stack reads (existing cluster, account, other stack). */
    | "read"
    /** A value the program computed from other placeholders (a hash, an encoding); see tools/plan/evaluate.ts. */
    | "computed"
    /** A value the stack file itself marks, still to be copied in by hand; `pulumi up` refuses it until it is. */
    | "stack file";

export interface PlaceholderInfo {
    readonly text: string;
    readonly kind: PlaceholderKind;
}

/** Matches one placeholder inside a string. */
export const PLACEHOLDER_PATTERN = /<[^<>]+>/g;

/** A value the program derived from values known after apply (it would be unknown in a real preview). */
export const COMPUTED_PLACEHOLDER = "<computed from values known after apply>";

/**
 * Builds a placeholder. `variant` 1 spells the same placeholder differently: the plan evaluates the program twice,
 * and whatever changes between the two spellings without containing a placeholder was computed from one.
 */
export function placeholder(what: string, known: Known, variant = 0): string {
    return `<${what}: ${known}${variant === 0 ? "" : " (second evaluation)"}>`;
}

/**
 * A placeholder that still parses as an https URL ending with '/' (no spaces), for values the program checks for that
 * shape before it uses them, such as the issuer URL another stack exports.
 */
export function urlPlaceholder(what: string, variant = 0): string {
    const slug = what.replace(/\s+/g, "-");
    return `https://<${slug}:read-at-deploy-time${variant === 0 ? "" : "-second-evaluation"}>/`;
}

/** True when a string is or contains a placeholder; recurses into arrays and objects. */
export function containsPlaceholder(value: unknown): boolean {
    if (typeof value === "string") {
        return new RegExp(PLACEHOLDER_PATTERN.source).test(value);
    }
    if (Array.isArray(value)) {
        return value.some(containsPlaceholder);
    }
    if (value !== null && typeof value === "object") {
        return Object.values(value).some(containsPlaceholder);
    }
    return false;
}

/** True when the whole string is one placeholder. */
export function isPlaceholder(value: unknown): value is string {
    return typeof value === "string" && /^<[^<>]+>$/.test(value);
}

/** Every distinct placeholder in a value, in order of appearance. */
export function placeholdersIn(value: unknown, found: Set<string> = new Set()): Set<string> {
    if (typeof value === "string") {
        for (const match of value.matchAll(PLACEHOLDER_PATTERN)) {
            found.add(match[0]);
        }
    } else if (Array.isArray(value)) {
        value.forEach((item) => placeholdersIn(item, found));
    } else if (value !== null && typeof value === "object") {
        Object.values(value).forEach((item) => placeholdersIn(item, found));
    }
    return found;
}
