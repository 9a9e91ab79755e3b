import type { ResourceType } from "./resourceTypes";
import { deepEqual, isObject, type Json, type Props } from "./wire";

/**
 * azure-native's Diff (provider/pkg/provider/diff.go and provider.go, pulumi/pulumi-azure-native v2/v3): old INPUTS
 * against new inputs (never against the live state), each changed leaf reported under its path ("a.b", "a[0].b"), its
 * kind a replace when the path or an ancestor object is in the type's replace table. `location` ignores case and
 * spaces, `resourceGroupName` ignores case. Every replacement is delete-before-replace.
 */

export type DiffKind = "ADD" | "ADD_REPLACE" | "DELETE" | "DELETE_REPLACE" | "UPDATE" | "UPDATE_REPLACE";

export interface DiffResult {
    /** Top-level input names that changed (DiffResponse.diffs). */
    readonly changes: readonly string[];
    /** Paths whose change replaces the resource (DiffResponse.replaces). */
    readonly replaces: readonly string[];
    readonly deleteBeforeReplace: boolean;
    readonly detailedDiff: Readonly<Record<string, DiffKind>>;
}

export function diffInputs(type: ResourceType, oldInputs: Props, newInputs: Props, oldOutputs: Props = {}): DiffResult {
    const replaceKeys = new Set(Object.keys(type.replaces));
    const detailed: Record<string, DiffKind> = {};
    diffObject(replaceKeys, stripInternal(oldInputs), stripInternal(newInputs), "", "", detailed, true);
    for (const [path, kind] of Object.entries(detailed)) {
        // provider.go `calculateChangesAndReplacements`: setting an input to the value the resource already has is
        // no replacement (pulumi-azure-nextgen#238).
        if (kind === "ADD_REPLACE" && path in oldOutputs && deepEqual(newInputs[path], oldOutputs[path])) {
            detailed[path] = "ADD";
        }
    }
    const replaces = Object.entries(detailed)
        .filter(([, kind]) => kind.endsWith("_REPLACE"))
        .map(([path]) => path)
        .sort();
    const changes = [...new Set(Object.keys(detailed).map((path) => path.split(/[.[]/)[0]))].sort();
    return { changes, replaces, deleteBeforeReplace: replaces.length > 0, detailedDiff: detailed };
}

function stripInternal(props: Props): Props {
    return Object.fromEntries(Object.entries(props).filter(([key]) => !key.startsWith("__")));
}

function diffObject(
    replaceKeys: ReadonlySet<string>,
    olds: Record<string, Json>,
    news: Record<string, Json>,
    diffBase: string,
    replaceBase: string,
    out: Record<string, DiffKind>,
    topLevel: boolean,
    parentReplaces = false,
): void {
    for (const key of new Set([...Object.keys(olds), ...Object.keys(news)])) {
        const diffKey = diffBase + key;
        const replaceKey = replaceBase + key;
        const replacing = replaceKeys.has(replaceKey);
        const inOld = key in olds;
        const inNew = key in news;
        if (inOld && !inNew) {
            out[diffKey] = replacing ? "DELETE_REPLACE" : "DELETE";
        } else if (!inOld && inNew) {
            out[diffKey] = replacing ? "ADD_REPLACE" : "ADD";
        } else if (!sameValue(key, olds[key], news[key], topLevel)) {
            diffValue(replaceKeys, olds[key], news[key], diffKey, replaceKey, out, replacing || parentReplaces);
        }
    }
}

function diffValue(
    replaceKeys: ReadonlySet<string>,
    old: Json,
    value: Json,
    diffKey: string,
    replaceKey: string,
    out: Record<string, DiffKind>,
    replacing: boolean,
): void {
    if (isObject(old) && isObject(value)) {
        // A change inside an object whose path replaces replaces too (diff.go: "If the parent property causes a
        // replacement, all child properties cause a replacement"); adds and deletes inside keep their own kind.
        const nested: Record<string, DiffKind> = {};
        diffObject(replaceKeys, old, value, `${diffKey}.`, `${replaceKey}.`, nested, false);
        for (const [path, kind] of Object.entries(nested)) {
            out[path] = kind === "UPDATE" && replacing ? "UPDATE_REPLACE" : kind;
        }
        return;
    }
    if (Array.isArray(old) && Array.isArray(value)) {
        for (let index = 0; index < Math.max(old.length, value.length); index++) {
            const key = `${diffKey}[${index}]`;
            if (index >= old.length) {
                out[key] = "ADD";
            } else if (index >= value.length) {
                out[key] = "DELETE";
            } else if (!deepEqual(old[index], value[index])) {
                diffValue(replaceKeys, old[index], value[index], key, `${replaceKey}[]`, out, false);
            }
        }
        return;
    }
    out[diffKey] = replacing || replaceKeys.has(replaceKey) ? "UPDATE_REPLACE" : "UPDATE";
}

/** diff.go `applyAzureSpecificDiff`: top-level properties Azure treats as the same although they differ. */
function sameValue(key: string, old: Json, value: Json, topLevel: boolean): boolean {
    if (topLevel && typeof old === "string" && typeof value === "string") {
        if (key === "location") {
            const normalize = (location: string) => location.replace(/ /g, "").toLowerCase();
            return normalize(old) === normalize(value);
        }
        if (key === "resourceGroupName") {
            return old.toLowerCase() === value.toLowerCase();
        }
    }
    return deepEqual(old, value);
}
