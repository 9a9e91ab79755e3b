import { ConfigObject, fixCommand, fullKey, modeOf, Problems, show } from "./reader";
import { DEFAULTS, DEPLOYMENT_SKUS, MODEL_KEYS, OPENAI_KEYS, OPENAI_MODES, RULES, SKU_KEYS } from "./schema";
import type { OpenAiSettings } from "./settings";

/** `openai`: the Azure OpenAI account and model deployment the workload calls (existing, or managed here). */

export function readOpenAi(problems: Problems, raw: unknown): OpenAiSettings {
    const mode = modeOf(problems, "openai", raw, OPENAI_MODES, "existing");
    const openai = new ConfigObject(problems, "openai", raw, OPENAI_KEYS[mode], ` when openai.mode is "${mode}"`);
    const accountName = openai.requiredString("accountName", RULES.openAiAccountName);
    const apiVersion = openai.string("apiVersion", RULES.apiVersion, DEFAULTS.apiVersion);
    if (mode === "existing") {
        return {
            mode,
            accountName,
            deploymentName: openai.requiredString("deploymentName", RULES.deploymentName),
            apiVersion,
        };
    }

    const modelObject = openai.object("model", MODEL_KEYS);
    const model = {
        name: modelObject.string("name", RULES.modelName, DEFAULTS.model.name),
        version: modelObject.string("version", RULES.modelVersion, DEFAULTS.model.version),
    };
    if (modelObject.has("name") && !modelObject.has("version")) {
        problems.add(
            `${fullKey("openai.model.version")} is required when openai.model.name is set: pin the model version, or ` +
                `the deployment changes when Azure retires a default. Fix: ${fixCommand("openai.model.version", "<version>")}`,
        );
    }
    const skuObject = openai.object("sku", SKU_KEYS);
    const sku = {
        name: skuObject.oneOf("name", DEPLOYMENT_SKUS, DEFAULTS.sku.name),
        capacity: skuObject.integer("capacity", { min: 1, max: 10000, example: "10" }, DEFAULTS.sku.capacity),
    };

    const derivedSubdomain = accountName.toLowerCase();
    const customSubDomainName = openai.has("customSubDomainName")
        ? (openai.string("customSubDomainName", RULES.customSubDomainName) ?? "")
        : derivedSubdomain;
    if (
        !openai.has("customSubDomainName") &&
        accountName !== "" &&
        !RULES.customSubDomainName.pattern.test(derivedSubdomain)
    ) {
        problems.add(
            `${fullKey("openai.accountName")} = ${show(accountName)} cannot be used as the custom subdomain ` +
                `("${derivedSubdomain}"): ${RULES.customSubDomainName.rule}. Entra ID auth needs a custom subdomain. ` +
                `Fix: ${fixCommand("openai.customSubDomainName", "<subdomain>")}`,
        );
    }
    return {
        mode,
        accountName,
        deploymentName: openai.string("deploymentName", RULES.deploymentName, model.name),
        apiVersion,
        customSubDomainName,
        disableLocalAuth: openai.boolean("disableLocalAuth", true),
        model,
        sku,
    };
}
