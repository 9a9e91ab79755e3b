import { UnknownValueError } from "./engineInternals";

/**
 * Reading resource properties the way the policy engine hands them over, without ever guessing about a value that is
 * not known yet.
 *
 * During `pulumi preview` the engine sends a value that depends on something not created yet as a sentinel string
 * (`plugin.MarshalProperties` with KeepUnknowns), and @pulumi/policy wraps the properties in a proxy that THROWS
 * `UnknownValueError` when a policy touches such a value. Left alone, that throw aborts the whole validation and the
 * engine downgrades it to an advisory "can't run policy during preview": every other rule of that validation is lost.
 * So each policy first copies its properties into plain data here, turning every unknown into `UNKNOWN`, and each rule
 * then decides explicitly what it can still judge.
 */

/** A value the engine does not know yet (preview). A rule never reports a violation on it. */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");
export type Unknown = typeof UNKNOWN;

/**
 * The sentinels the engine uses for unknown values, one per value kind (pulumi sdk/go/common/resource/plugin/rpc.go;
 * the same strings @pulumi/policy checks in proxy.js). A program written with the Node.js SDK only produces the string
 * one; other SDKs and providers can send the others.
 */
export const UNKNOWN_SENTINELS = {
    boolean: "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    number: "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    string: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    array: "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    asset: "030794c1-ac77-496b-92df-f27374a8bd58",
    archive: "e48ece36-62e2-4504-bad9-02848725956a",
    object: "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
} as const;

const SENTINELS: ReadonlySet<unknown> = new Set(Object.values(UNKNOWN_SENTINELS));

export function isUnknown(value: unknown): value is Unknown {
    return value === UNKNOWN;
}

/** A deep plain copy of resource properties (proxied or not) with every unknown replaced by `UNKNOWN`. */
export function plainProps(props: unknown): Record<string, unknown> {
    const copy = plain(props);
    return copy !== null && typeof copy === "object" && !Array.isArray(copy) ? (copy as Record<string, unknown>) : {};
}

function plain(value: unknown): unknown {
    if (SENTINELS.has(value)) {
        return UNKNOWN;
    }
    if (Array.isArray(value)) {
        const items: unknown[] = [];
        for (let index = 0; index < value.length; index++) {
            items.push(plain(read(value, index)));
        }
        return items;
    }
    if (value !== null && typeof value === "object") {
        const copy: Record<string, unknown> = {};
        for (const key of Object.keys(value)) {
            copy[key] = plain(read(value, key));
        }
        return copy;
    }
    return value;
}

/** One property read; the engine's proxy throws on an unknown, which is exactly what we want to record. */
function read(container: object, key: string | number): unknown {
    try {
        return (container as Record<string | number, unknown>)[key];
    } catch (error) {
        if (error instanceof UnknownValueError) {
            return UNKNOWN;
        }
        throw error;
    }
}

/** The value at a path; `UNKNOWN` as soon as a step is unknown, `undefined` when a step is missing. */
export function at(value: unknown, ...path: readonly (string | number)[]): unknown {
    let current = value;
    for (const key of path) {
        if (isUnknown(current)) {
            return UNKNOWN;
        }
        if (current === null || typeof current !== "object") {
            return undefined;
        }
        current = (current as Record<string | number, unknown>)[key];
    }
    return current;
}

/** A string, `UNKNOWN`, or `undefined` for anything else (missing, null, another type). */
export function stringAt(value: unknown, ...path: readonly (string | number)[]): string | Unknown | undefined {
    const found = at(value, ...path);
    return typeof found === "string" || isUnknown(found) ? found : undefined;
}

/** An object's entries as a record, `UNKNOWN`, or `undefined` when it is not an object. */
export function recordAt(
    value: unknown,
    ...path: readonly (string | number)[]
): Readonly<Record<string, unknown>> | Unknown | undefined {
    const found = at(value, ...path);
    if (isUnknown(found)) {
        return UNKNOWN;
    }
    return found !== null && typeof found === "object" && !Array.isArray(found)
        ? (found as Record<string, unknown>)
        : undefined;
}

/** An array, `UNKNOWN`, or `undefined` when it is not an array. */
export function listAt(
    value: unknown,
    ...path: readonly (string | number)[]
): readonly unknown[] | Unknown | undefined {
    const found = at(value, ...path);
    if (isUnknown(found)) {
        return UNKNOWN;
    }
    return Array.isArray(found) ? found : undefined;
}

/** True when the string is missing or blank (an unknown is not missing). */
export function isBlank(value: string | Unknown | undefined): boolean {
    return value === undefined || (typeof value === "string" && value.trim() === "");
}

/** Renders a value for a message. */
export function show(value: unknown): string {
    if (isUnknown(value)) {
        return "(unknown until created)";
    }
    return value === undefined ? "(not set)" : JSON.stringify(value);
}

/** Case-insensitive GUID in its 8-4-4-4-12 form. */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
