import * as pulumi from "@pulumi/pulumi";

import { PROJECT } from "../constants";
import { closest } from "../didYouMean";

/**
 * A small, explicit validation toolkit for structured stack configuration. Every problem names the full key
 * (`aks-openai-wi:cluster.name`), the offending value, what is allowed, and the command that fixes it; all problems
 * are collected and reported together so a user fixes a stack file in one pass.
 */

/** Thrown before any resource is registered. A RunError, so Pulumi prints the message without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(readonly problems: readonly string[]) {
        super(
            `Invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** Collects problems; `throwIfAny` raises one ConfigError listing them all. */
export class Problems {
    private readonly list: string[] = [];

    add(problem: string): void {
        this.list.push(problem);
    }

    get count(): number {
        return this.list.length;
    }

    throwIfAny(): void {
        if (this.list.length > 0) {
            throw new ConfigError(this.list);
        }
    }
}

/** `aks-openai-wi:cluster.name` for a path inside the project namespace; other namespaces pass through. */
export function fullKey(path: string): string {
    return path.includes(":") ? path : `${PROJECT}:${path}`;
}

/** The dotted path of a child key: `cluster.name`, or `cluster` at the top level. */
export function childPath(parent: string, key: string): string {
    return parent === "" ? key : `${parent}.${key}`;
}

/** Renders a config value the way a user typed it; a key set to nothing says so rather than "null". */
export function show(value: unknown): string {
    if (value === null || value === undefined) {
        return "(no value)";
    }
    // JSON quotes a string and renders numbers, booleans, lists and objects as typed; String covers what JSON cannot.
    return JSON.stringify(value) ?? String(value);
}

/** The `pulumi config set` command that fixes a key, with `--path` for nested keys. */
export function fixCommand(path: string, example: string): string {
    const key = fullKey(path);
    const nested = key.slice(key.indexOf(":") + 1).includes(".") || key.includes("[");
    return `pulumi config set ${nested ? "--path " : ""}'${key}' ${example}`;
}

/**
 * The value the user most likely meant, when a small correction makes it valid: `MyStore` -> `mystore` for a
 * lowercase name, `ai_service` -> `ai-service`. The fix then shows their value corrected, not an unrelated example.
 */
export function corrected(value: unknown, rule: StringRule): string | undefined {
    if (typeof value !== "string") {
        return undefined;
    }
    const trimmed = value.trim();
    const candidates = [
        trimmed,
        trimmed.toLowerCase(),
        trimmed.toLowerCase().replace(/[_\s]+/g, "-"),
        trimmed.replace(/\s+/g, "-"),
    ];
    return candidates.find(
        (candidate) =>
            candidate !== value &&
            candidate !== "" &&
            (rule.pattern === undefined || rule.pattern.test(candidate)) &&
            (rule.maxLength === undefined || candidate.length <= rule.maxLength),
    );
}

function problem(path: string, value: unknown, rule: string, example: string): string {
    return `${fullKey(path)} = ${show(value)}: ${rule}. Fix: ${fixCommand(path, example)}`;
}

function missing(path: string, rule: string, example: string): string {
    return `${fullKey(path)} is required: ${rule}. Fix: ${fixCommand(path, example)}`;
}

export interface StringRule {
    /** Pattern the value must match in full. */
    readonly pattern?: RegExp;
    /** Human description of the allowed values, used in the message. */
    readonly rule: string;
    /** A valid example, used in the fix command. */
    readonly example: string;
    readonly maxLength?: number;
}

interface IntegerRule {
    readonly min: number;
    readonly max: number;
    readonly example: string;
}

/**
 * Reads one configuration object. The object's allowed keys are declared up front, so a typo (`serviceAcountName`)
 * is an error instead of a silently ignored key that leaves a default in place.
 */
export class ConfigObject {
    private readonly value: Readonly<Record<string, unknown>>;
    /** False when the value is not an object: its problem is reported once, and its keys are not required again. */
    private readonly valid: boolean = true;

    constructor(
        private readonly problems: Problems,
        readonly path: string,
        raw: unknown,
        allowedKeys: readonly string[],
        unknownKeyHint = "",
    ) {
        if (raw === undefined || raw === null) {
            this.value = {};
            return;
        }
        if (typeof raw !== "object" || Array.isArray(raw)) {
            problems.add(
                `${fullKey(path)} = ${show(raw)}: must be an object with keys ${allowedKeys.join(", ")}. ` +
                    `Fix: set it as a YAML mapping in Pulumi.<stack>.yaml, or use ${fixCommand(childPath(path, allowedKeys[0]), "<value>")}`,
            );
            this.value = {};
            this.valid = false;
            return;
        }
        this.value = raw as Record<string, unknown>;
        for (const key of Object.keys(this.value)) {
            if (!allowedKeys.includes(key)) {
                const suggestion = closest(key, allowedKeys);
                const keyPath = childPath(path, key);
                problems.add(
                    `${fullKey(keyPath)} is not a known key${unknownKeyHint}` +
                        `${suggestion ? ` (did you mean "${suggestion}"?)` : ""}; allowed keys: ${allowedKeys.join(", ")}. ` +
                        `Fix: pulumi config rm ${keyPath.includes(".") ? "--path " : ""}'${fullKey(keyPath)}'`,
                );
            }
        }
    }

    /** True when the key is present (even if invalid). */
    has(key: string): boolean {
        return this.value[key] !== undefined && this.value[key] !== null;
    }

    raw(key: string): unknown {
        return this.value[key];
    }

    /** An optional string; returns the default when absent, undefined when invalid (the problem is recorded). */
    string(key: string, rule: StringRule, defaultValue: string): string;
    string(key: string, rule: StringRule): string | undefined;
    string(key: string, rule: StringRule, defaultValue?: string): string | undefined {
        const path = childPath(this.path, key);
        const value = this.value[key];
        if (value === undefined || value === null) {
            return defaultValue;
        }
        return checkString(this.problems, path, value, rule) ?? defaultValue;
    }

    /** A required string; records a "required" problem when absent. Returns "" when missing or invalid. */
    requiredString(key: string, rule: StringRule): string {
        const path = childPath(this.path, key);
        const value = this.value[key];
        if (value === undefined || value === null || value === "") {
            if (this.valid) {
                this.problems.add(missing(path, rule.rule, rule.example));
            }
            return "";
        }
        return checkString(this.problems, path, value, rule) ?? "";
    }

    /** One of a fixed set of strings. */
    oneOf<T extends string>(key: string, choices: readonly T[], defaultValue: T): T {
        const path = childPath(this.path, key);
        const value = this.value[key];
        if (value === undefined || value === null) {
            return defaultValue;
        }
        if (typeof value === "string" && (choices as readonly string[]).includes(value)) {
            return value as T;
        }
        const meant = typeof value === "string" ? closest(value, choices) : undefined;
        this.problems.add(
            problem(path, value, `must be one of ${choices.map((c) => `"${c}"`).join(", ")}`, meant ?? defaultValue),
        );
        return defaultValue;
    }

    /** An integer within bounds; accepts numbers and numeric strings (`pulumi config set` stores strings). */
    integer(key: string, rule: IntegerRule, defaultValue: number): number {
        const path = childPath(this.path, key);
        const value = this.value[key];
        if (value === undefined || value === null) {
            return defaultValue;
        }
        const parsed =
            typeof value === "number"
                ? value
                : typeof value === "string" && /^-?\d+$/.test(value)
                  ? Number(value)
                  : NaN;
        if (!Number.isInteger(parsed) || parsed < rule.min || parsed > rule.max) {
            // Out of range: the nearest allowed number is what was meant; not a number: the example.
            const nearest = Number.isInteger(parsed)
                ? String(Math.min(rule.max, Math.max(rule.min, parsed)))
                : undefined;
            this.problems.add(
                problem(path, value, `must be a whole number from ${rule.min} to ${rule.max}`, nearest ?? rule.example),
            );
            return defaultValue;
        }
        return parsed;
    }

    /** A boolean; accepts true/false and "true"/"false". */
    boolean(key: string, defaultValue: boolean): boolean {
        const path = childPath(this.path, key);
        const value = this.value[key];
        if (value === undefined || value === null) {
            return defaultValue;
        }
        if (value === true || value === "true") {
            return true;
        }
        if (value === false || value === "false") {
            return false;
        }
        this.problems.add(problem(path, value, "must be true or false", String(defaultValue)));
        return defaultValue;
    }

    /** A nested object with its own allowed keys. */
    object(key: string, allowedKeys: readonly string[]): ConfigObject {
        return new ConfigObject(this.problems, childPath(this.path, key), this.value[key], allowedKeys);
    }
}

/** Validates a string against a rule; records the problem and returns undefined when it does not hold. */
export function checkString(problems: Problems, path: string, value: unknown, rule: StringRule): string | undefined {
    if (typeof value !== "string") {
        problems.add(problem(path, value, `must be a string: ${rule.rule}`, rule.example));
        return undefined;
    }
    if (rule.maxLength !== undefined && value.length > rule.maxLength) {
        problems.add(
            problem(
                path,
                value,
                `is ${value.length} characters long; at most ${rule.maxLength} are allowed (${rule.rule})`,
                corrected(value, rule) ?? rule.example,
            ),
        );
        return undefined;
    }
    if (rule.pattern && !rule.pattern.test(value)) {
        problems.add(problem(path, value, rule.rule, corrected(value, rule) ?? rule.example));
        return undefined;
    }
    return value;
}

/** The `mode` of an object with modes; a missing or unknown mode is reported and the fallback used. */
export function modeOf<T extends string>(
    problems: Problems,
    path: string,
    raw: unknown,
    modes: readonly T[],
    fallback: T,
): T {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
        return fallback;
    }
    const value = (raw as Record<string, unknown>).mode;
    if (value === undefined || value === null) {
        return fallback;
    }
    if (typeof value === "string" && (modes as readonly string[]).includes(value)) {
        return value as T;
    }
    problems.add(
        `${fullKey(`${path}.mode`)} = ${show(value)}: must be one of ${modes.map((m) => `"${m}"`).join(", ")}. ` +
            `Fix: ${fixCommand(`${path}.mode`, fallback)}`,
    );
    return fallback;
}
