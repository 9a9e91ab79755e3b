import * as pulumi from "@pulumi/pulumi";

import { parseSettings } from "./parse";
import type { Settings } from "./settings";

/** The one place the program reads config: through Pulumi, into `parseSettings`. */

/** Reads the stack's configuration through Pulumi and validates it. The only place the program reads config. */
export function loadSettings(): Settings {
    const project = pulumi.getProject();
    const prefix = `${project}:`;
    const values: Record<string, unknown> = {};
    const otherKeys: string[] = [];
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) {
            values[key.slice(prefix.length)] = parseConfigValue(value);
        } else {
            otherKeys.push(key);
        }
    }
    return parseSettings(
        { project: values, location: new pulumi.Config("azure-native").get("location"), otherKeys },
        { project, stack: pulumi.getStack(), preview: pulumi.runtime.isDryRun() },
    );
}

/** Structured values arrive as JSON text; plain strings stay strings. */
export function parseConfigValue(value: string): unknown {
    const trimmed = value.trim();
    // A key left empty in a stack file (`name:`) arrives as JSON null: the key is not set.
    if (trimmed === "null") {
        return null;
    }
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
        try {
            return JSON.parse(trimmed) as unknown;
        } catch {
            return value;
        }
    }
    return value;
}
