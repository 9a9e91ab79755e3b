import { DEFAULT_ARM_ENDPOINT } from "../constants";
import { defaultIdentityName } from "../naming";
import { readAiService } from "./aiService";
import { readAudit } from "./audit";
import { readCluster } from "./cluster";
import { checkFederationLimits, readAdditionalServiceAccounts } from "./federation";
import { readNetwork } from "./network";
import { readOpenAi } from "./openai";
import { checkString, ConfigObject, fixCommand, fullKey, Problems, show } from "./reader";
import { IDENTITY_KEYS, isProductionStack, RULES, TOP_LEVEL_KEYS } from "./schema";
import type { RawConfig, Settings } from "./settings";
import { readSmokeTest } from "./smokeTest";

/**
 * Raw stack config in, a typed and frozen `Settings` out, or one ConfigError listing every problem. Nothing here
 * touches the cloud, so it runs before any resource is registered. Each section has its reader in its own file.
 */

/**
 * Validates raw stack configuration into Settings. Throws one ConfigError listing every problem; returns a deeply
 * frozen object otherwise. `preview` (default false, the strict answer of `pulumi up`) lets a value the stack file marks
 * as still to be copied in through to a preview (components/config/clusterAccess.ts).
 */
export function parseSettings(
    raw: RawConfig,
    context: { readonly project: string; readonly stack: string; readonly preview?: boolean },
): Settings {
    const problems = new Problems();
    const root = new ConfigObject(problems, "", raw.project, TOP_LEVEL_KEYS);

    checkNamespaces(problems, raw.otherKeys ?? []);
    const location = readLocation(problems, raw.location);
    const resourceGroupName = requiredTopLevel(problems, root, "resourceGroupName", RULES.resourceGroupName);
    const armEndpointRaw = root.has("armEndpoint")
        ? checkString(problems, "armEndpoint", root.raw("armEndpoint"), RULES.armEndpoint)
        : undefined;
    const armEndpoint = withTrailingSlash(armEndpointRaw ?? DEFAULT_ARM_ENDPOINT);

    const cluster = readCluster(problems, root.raw("cluster"), context);
    const openai = readOpenAi(problems, root.raw("openai"));
    const identity = new ConfigObject(problems, "identity", root.raw("identity"), IDENTITY_KEYS);
    const identityName = identity.string(
        "name",
        RULES.identityName,
        defaultIdentityName(context.project, context.stack),
    );
    const aiService = readAiService(problems, root.raw("aiService"), cluster.mode);
    const additionalServiceAccounts = readAdditionalServiceAccounts(problems, root.raw("additionalServiceAccounts"));

    const protect = readProtect(problems, root.raw("protect"), context.stack);

    checkFederationLimits(problems, aiService.serviceAccount, additionalServiceAccounts, identityName);
    const smokeTest = readSmokeTest(problems, root.raw("smokeTest"), context.stack);
    const audit = readAudit(problems, root.raw("audit"), context);
    const network = readNetwork(problems, root.raw("openai"), root.raw("cluster"), cluster.mode, openai.mode);
    problems.throwIfAny();

    return deepFreeze({
        project: context.project,
        stack: context.stack,
        location,
        resourceGroupName,
        armEndpoint,
        cluster,
        openai,
        identityName,
        aiService,
        additionalServiceAccounts,
        protect,
        smokeTest,
        audit,
        network,
    });
}

/** Top-level `protect`: true/false (or the strings `pulumi config set` stores); default from the stack name. */
function readProtect(problems: Problems, raw: unknown, stack: string): boolean {
    const fallback = isProductionStack(stack);
    if (raw === undefined || raw === null) {
        return fallback;
    }
    if (raw === true || raw === "true") {
        return true;
    }
    if (raw === false || raw === "false") {
        return false;
    }
    problems.add(
        `${fullKey("protect")} = ${show(raw)}: must be true or false (default for stack "${stack}": ${fallback}). ` +
            `Fix: ${fixCommand("protect", "true")}`,
    );
    return fallback;
}

function readLocation(problems: Problems, location: string | undefined): string {
    if (location === undefined || location === "") {
        problems.add(
            `azure-native:location is required: the stack always creates the workload's managed identity, and Azure needs a region for it. ` +
                `Fix: ${fixCommand("azure-native:location", "eastus")}`,
        );
        return "";
    }
    return checkString(problems, "azure-native:location", location, RULES.location) ?? "";
}

function requiredTopLevel(
    problems: Problems,
    root: ConfigObject,
    key: string,
    rule: { pattern: RegExp; rule: string; example: string; maxLength?: number },
): string {
    const value = root.raw(key);
    if (value === undefined || value === null || value === "") {
        problems.add(`${fullKey(key)} is required: ${rule.rule}. Fix: ${fixCommand(key, rule.example)}`);
        return "";
    }
    return checkString(problems, key, value, rule) ?? "";
}

function withTrailingSlash(url: string): string {
    return url.endsWith("/") ? url : `${url}/`;
}

function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const child of Object.values(value as Record<string, unknown>)) {
            deepFreeze(child);
        }
    }
    return value;
}

/**
 * A key this project reads, set outside its namespace: `resourceGroupName` or `aks-openai:resourceGroupName` in a
 * stack file instead of `aks-openai-wi:resourceGroupName`. Pulumi passes it on, the program never reads it, and the
 * user would only be told the key is missing.
 */
function checkNamespaces(problems: Problems, otherKeys: readonly string[]): void {
    for (const key of otherKeys) {
        const colon = key.indexOf(":");
        const name = colon === -1 ? key : key.slice(colon + 1);
        const meant = name === "location" ? "azure-native:location" : fullKey(name);
        if (key === meant || !(name === "location" || (TOP_LEVEL_KEYS as readonly string[]).includes(name))) {
            continue;
        }
        problems.add(
            `${JSON.stringify(key)} is not a key this project reads (did you mean ${meant}?): in a stack file every ` +
                `key carries its namespace. Fix: rename it to ${meant} in Pulumi.<stack>.yaml`,
        );
    }
}
