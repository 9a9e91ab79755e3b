"use strict";
/**
 * Runs calls on a Pulumi dynamic provider the way Pulumi's dynamic provider host does
 * (@pulumi/pulumi/cmd/dynamic-provider): in a process of its own, started in the project directory, with the provider
 * rebuilt from its serialized text by `requireFromString(text).handler()`, and every property bag it receives carrying
 * that text under `__provider`. Plain Node, no TypeScript loader: the serialized text must run as it is.
 *
 * With `module` instead of `serializedFile` it loads the provider from its TypeScript module (run with tests/support/typescript.cjs then).
 *
 * Usage: node --require ./tests/support/loopbackOnly.cjs ./tests/support/dynamicProviderHost.cjs <request.json> <result.json>
 * request: { serializedFile?: string, module?: { path: string, export: string }, calls: [{ method, args }] }
 * result:  { results: [{ ok: true, value } | { ok: false, error: { name, message } }], blockedConnections: string[] }
 * A failed call ends the run, as it ends a Pulumi operation.
 */
const fs = require("node:fs");
const path = require("node:path");

const PROVIDER_KEY = "__provider";

async function main() {
    const [requestFile, resultFile] = process.argv.slice(2);
    const request = JSON.parse(fs.readFileSync(requestFile, "utf8"));
    let provider;
    let providerText;
    if (request.serializedFile !== undefined) {
        providerText = fs.readFileSync(request.serializedFile, "utf8");
        // The same require-from-string the dynamic provider host uses, resolved from @pulumi/pulumi.
        const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [process.cwd()] }));
        const requireFromString = require(require.resolve("require-from-string", { paths: [pulumiDir] }));
        provider = requireFromString(providerText).handler();
    } else {
        provider = require(path.resolve(request.module.path))[request.module.export];
    }

    const results = [];
    for (const call of request.calls) {
        const args = call.args.map((arg) =>
            providerText !== undefined && arg !== null && typeof arg === "object" && !Array.isArray(arg)
                ? { ...arg, [PROVIDER_KEY]: providerText }
                : arg,
        );
        try {
            results.push({ ok: true, value: await provider[call.method](...args) });
        } catch (error) {
            results.push({
                ok: false,
                error: { name: error && error.name, message: error instanceof Error ? error.message : String(error) },
            });
            break;
        }
    }
    fs.writeFileSync(
        resultFile,
        JSON.stringify({ results, blockedConnections: globalThis.__loopbackGuardBlocked ?? null }, null, 2),
    );
}

main().then(
    () => process.exit(0),
    (error) => {
        process.stderr.write(`dynamicProviderHost (${__dirname}): ${error && error.stack}\n`);
        process.exit(2);
    },
);
