import type { ResourceType } from "./resourceTypes";
import { isObject, UNKNOWN, type Json, type Props } from "./wire";

/**
 * Conversions between the SDK shape (what the program and the engine see) and ARM's REST shape, as azure-native's
 * SdkShapeConverter does them for the few types here: path parameters go into the id, `properties` is flattened for
 * types whose spec says `x-ms-client-flatten`, and output-only properties are unknown in a preview.
 */

/** The ARM id of the resource the inputs name; fails naming a missing or unknown path parameter. */
export function armIdOf(type: ResourceType, inputs: Props, subscriptionId: string): string {
    return type.idTemplate.replace(/\{(\w+)\}/g, (_match, name: string) => {
        if (name === "subscriptionId") {
            return subscriptionId;
        }
        const value = inputs[name];
        if (typeof value !== "string" || value === "" || value === UNKNOWN) {
            throw new Error(
                `${type.token}: input '${name}' is ${value === UNKNOWN ? "unknown" : JSON.stringify(value ?? null)}; ` +
                    `it is part of the ARM id (${type.idTemplate}) and must be a known, non-empty string.`,
            );
        }
        // The scope of a role assignment is itself an id: it keeps its slashes.
        return name === "scope" ? value.replace(/\/$/, "") : encodeURIComponent(value);
    });
}

/** The path parameters an ARM id holds, for a Read without inputs (an import). */
export function pathParamsOf(type: ResourceType, id: string): Props {
    const pattern = new RegExp(
        `^${type.idTemplate
            .replace(/[.*+?^$()|[\]\\]/g, "\\$&")
            .replace("{scope}", "(.+)")
            .replace(/\{\w+\}/g, "([^/]+)")}$`,
        "i",
    );
    const names = [...type.idTemplate.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
    const match = pattern.exec(id);
    if (match === null) {
        throw new Error(`${type.token}: the id ${id} does not have the form ${type.idTemplate}.`);
    }
    const params: Props = {};
    names.forEach((name, index) => {
        if (name !== "subscriptionId") {
            params[name] = decodeURIComponent(match[index + 1]);
        }
    });
    return params;
}

/** The PUT body for these inputs. */
export function requestBodyOf(type: ResourceType, inputs: Props): Props {
    const body: Props = {};
    const properties: Props = {};
    for (const [key, value] of Object.entries(inputs)) {
        if (type.pathParams.includes(key) || key.startsWith("__")) {
            continue;
        }
        if (!type.bodyInputs.includes(key)) {
            throw new Error(
                `${type.token}: input '${key}' is not an input of this resource (the SDK's Args interface has: ` +
                    `${[...type.pathParams, ...type.bodyInputs].join(", ")}).`,
            );
        }
        if (type.flatten && !type.topLevel.includes(key)) {
            properties[key] = value;
        } else {
            body[key] = value;
        }
    }
    if (type.flatten && Object.keys(properties).length > 0) {
        body.properties = properties;
    }
    return body;
}

/** A response body in the SDK's output shape. Resources drop `id` (the engine holds it); invokes keep it. */
export function outputsOf(type: ResourceType, response: Props, options: { keepId: boolean }): Props {
    const outputs: Props = {};
    for (const [key, value] of Object.entries(response)) {
        if (key === "id" && !options.keepId) {
            continue;
        }
        if (key === "properties" && type.flatten && isObject(value)) {
            Object.assign(outputs, value);
        } else {
            outputs[key] = value;
        }
    }
    outputs.azureApiVersion = type.apiVersion;
    return outputs;
}

/**
 * Outputs during a preview (azure-native's `PreviewOutputs`): every input as given, every output-only property this
 * table knows UNKNOWN (nested ones only where the program set their parent object), and on an update `name` and
 * `location` kept from the current state, the only outputs azure-native calls stable.
 */
export function previewOutputsOf(type: ResourceType, inputs: Props, oldOutputs?: Props): Props {
    const outputs: Props = {};
    for (const [key, value] of Object.entries(inputs)) {
        if (!type.pathParams.includes(key) || key === "scope") {
            outputs[key] = structuredClone(value);
        }
    }
    for (const path of type.outputOnly) {
        markUnknown(outputs, path.split("."));
    }
    if (oldOutputs !== undefined) {
        for (const key of ["name", "location"]) {
            if (oldOutputs[key] !== undefined) {
                outputs[key] = oldOutputs[key];
            }
        }
    }
    return outputs;
}

/** Calls `leaf` with the object holding the last key of `path`, through objects and every element of `a[]` arrays. */
function atPath(target: Props, path: readonly string[], leaf: (holder: Props, key: string) => void): void {
    const [head, ...rest] = path;
    const isArray = head.endsWith("[]");
    const key = isArray ? head.slice(0, -2) : head;
    if (rest.length === 0) {
        leaf(target, key);
        return;
    }
    const child: Json | undefined = target[key];
    if (isArray && Array.isArray(child)) {
        child.filter(isObject).forEach((item) => atPath(item, rest, leaf));
    } else if (isObject(child)) {
        atPath(child, rest, leaf);
    }
}

function markUnknown(target: Props, path: readonly string[]): void {
    atPath(target, path, (holder, key) => {
        holder[key] = UNKNOWN;
    });
}

function removePath(target: Props, path: readonly string[]): void {
    atPath(target, path, (holder, key) => {
        delete holder[key];
    });
}

/** The inputs a response implies (azure-native's `ResponseToSdkInputs`, for an import): path parameters and writable properties. */
export function inputsFromResponse(type: ResourceType, id: string, response: Props): Props {
    return { ...pathParamsOf(type, id), ...inputProjectionOf(type, outputsOf(type, response, { keepId: false })) };
}

/** Output-only properties removed: what of a resource's outputs the program could have set. */
export function inputProjectionOf(type: ResourceType, outputs: Props): Props {
    const projection: Props = {};
    for (const key of type.bodyInputs) {
        if (outputs[key] !== undefined) {
            projection[key] = structuredClone(outputs[key]);
        }
    }
    for (const path of type.outputOnly) {
        removePath(projection, path.split("."));
    }
    return projection;
}
