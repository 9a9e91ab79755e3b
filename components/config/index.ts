/**
 * The configuration contract, by concern: `settings` (what the program consumes), `schema` (every key, its default
 * and rule), `reader` (the validation toolkit and ConfigError), one reader per section (`cluster`, `openai`,
 * `aiService`, `federation`, `smokeTest`), `parse` (all of them in order) and `load` (the one place config is read
 * through Pulumi). Import from here: `import { loadSettings, type Settings } from "./config"`.
 */

export { loadSettings } from "./load";
export { parseSettings } from "./parse";
export { ConfigError } from "./reader";
export { clusterAccessWarnings } from "./clusterAccess";
export { parseQuantity } from "./aiService";
export {
    CONFIG_NAMESPACE,
    CONFIG_SCHEMA,
    configKeys,
    DEFAULTS,
    isProductionStack,
    OTHER_NAMESPACE_KEYS,
    RULES,
    type ConfigKey,
    type ObjectKeys,
} from "./schema";
export type * from "./settings";
