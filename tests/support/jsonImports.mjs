/**
 * An ESM loader hook, registered by typescript.cjs only when a test imports a package that Node can load only as ESM:
 * such packages (@actions/workflow-parser) import their JSON without `with { type: "json" }`, which tsx allowed and
 * Node refuses. The hook adds the attribute to JSON imports; nothing else changes.
 */
export async function load(url, context, nextLoad) {
    if (url.startsWith("file:") && url.endsWith(".json") && context.importAttributes?.type === undefined) {
        return nextLoad(url, { ...context, importAttributes: { ...context.importAttributes, type: "json" } });
    }
    return nextLoad(url, context);
}
