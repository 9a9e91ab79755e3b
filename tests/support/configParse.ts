import assert from "node:assert/strict";

import { ConfigError, parseSettings, type Settings } from "../../components/config";

/** What a config test varies besides the project's keys; every field defaults to the dev stack in eastus. */
export interface ParseContext {
    /** `azure-native:location`; `undefined` leaves it unset. Default "eastus". */
    readonly location?: string | undefined;
    /** Keys set outside the project's namespace, as Pulumi passes them on. */
    readonly otherKeys?: readonly string[];
    /** Default "dev". */
    readonly stack?: string;
}

/** The settings of project `aks-openai-wi` with these keys (unqualified, as in the stack file's namespace). */
export function parseProject(project: Record<string, unknown>, context: ParseContext = {}): Settings {
    const location = "location" in context ? context.location : "eastus";
    return parseSettings(
        { project, location, otherKeys: context.otherKeys },
        { project: "aks-openai-wi", stack: context.stack ?? "dev" },
    );
}

/** The ConfigError parseSettings throws for these keys; fails the test when the configuration is accepted. */
export function configErrorOf(project: Record<string, unknown>, context: ParseContext = {}): ConfigError {
    try {
        parseProject(project, context);
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
        return error;
    }
    assert.fail("the configuration was accepted");
}

/** Every problem parseSettings reports for these keys, in the order it lists them. */
export function problemsOf(project: Record<string, unknown>, context: ParseContext = {}): readonly string[] {
    return configErrorOf(project, context).problems;
}
