import * as pulumi from "@pulumi/pulumi";

import { parseSettings } from "./parse";
import type { Settings } from "./settings";

/** The one place the program reads config: through Pulumi, into `parseSettings`. */

/** Reads the stack's configuration through Pulumi and validates it. The only place the program reads config. */
export function loadSettings(): Settings {
    const project = pulumi.getProject();
    const prefix = `${project}:`;
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) {
            values[key.slice(prefix.length)] = parseConfigValue(value);
        }
    }
    return parseSettings(
        { project: values, location: new pulumi.Config("azure-native").get("location") },
        { project, stack: pulumi.getStack() },
    );
}

/** Structured values arrive as JSON text; plain strings stay strings. */
function parseConfigValue(value: string): unknown {
    const trimmed = value.trim();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
        try {
            return JSON.parse(trimmed) as unknown;
        } catch {
            return value;
        }
    }
    return value;
}
