import { Struct } from "google-protobuf/google/protobuf/struct_pb";

/**
 * Pulumi's property values on the gRPC wire (google.protobuf.Struct), as the engine sends them to a provider that did
 * not ask for secrets: plain JSON, with an unknown value (a preview's "known after apply") as a sentinel string.
 * Secrets still decode, in case an engine sends them anyway. Nulls are dropped, as azure-native's UnmarshalProperties
 * with SkipNulls does.
 */

/** The engine's marker for an unknown value (sdk/go/common/resource/plugin/rpc.go, UnknownStringValue). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SPECIAL_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Props = Record<string, Json>;

export function isUnknown(value: unknown): boolean {
    return value === UNKNOWN;
}

/** Whether the value is, or contains, an unknown. */
export function containsUnknown(value: unknown): boolean {
    if (isUnknown(value)) {
        return true;
    }
    if (Array.isArray(value)) {
        return value.some(containsUnknown);
    }
    if (typeof value === "object" && value !== null) {
        return Object.values(value).some(containsUnknown);
    }
    return false;
}

export function fromStruct(struct: Struct | undefined): Props {
    if (struct === undefined) {
        return {};
    }
    return clean(struct.toJavaScript() as Json) as Props;
}

export function toStruct(props: Props): Struct {
    return Struct.fromJavaScript(clean(props) as Record<string, never>);
}

/** Drops null properties and unwraps secrets, recursively. */
function clean(value: Json): Json {
    if (Array.isArray(value)) {
        // Nulls inside arrays stay: dropping them would shift the indices a diff reports.
        return value.map(clean);
    }
    if (typeof value === "object" && value !== null) {
        if (value[SPECIAL_SIG] === SECRET_SIG) {
            return clean(value.value);
        }
        const result: Record<string, Json> = {};
        for (const [key, item] of Object.entries(value)) {
            if (item !== null && item !== undefined) {
                result[key] = clean(item);
            }
        }
        return result;
    }
    return value;
}

export function deepEqual(a: unknown, b: unknown): boolean {
    return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(sortKeys);
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(
            Object.keys(value)
                .sort()
                .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
        );
    }
    return value;
}

export function isObject(value: unknown): value is Record<string, Json> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
