"use strict";
/**
 * Produces the text Pulumi stores as a dynamic resource's `__provider`, the way `pulumi up` produces it: the program's
 * TypeScript compiled by ts-node with the options Pulumi's Node.js host uses (@pulumi/pulumi/cmd/run/run.js: its
 * typescript/ts-node lookup, the project's tsconfig over Pulumi's defaults), then the resource constructed, so that
 * `pulumi.dynamic.Resource` itself serializes the provider (`runtime.serializeFunction(() => provider,
 * {allowSecrets: true})`). Mocks stand in for the engine and capture the registered `__provider` input.
 *
 * This matters because tsx (which runs the tests) compiles `await import("x")` differently from ts-node; only the
 * ts-node output is what real Pulumi serializes and later runs in its dynamic provider host.
 *
 * Usage (cwd = project root):
 *   node ./tests/support/serializeDynamicProvider.cjs <resource.ts> <ExportedClass> <args as JSON> <out.js>
 */
const fs = require("node:fs");
const path = require("node:path");

async function main() {
    const [componentFile, className, argsJson, outFile] = process.argv.slice(2);
    const tsutils = require("@pulumi/pulumi/tsutils");
    const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
    const compilerOptions = tsutils.loadTypeScriptCompilerOptions("tsconfig.json");
    require(tsnodeRequire).register({
        compiler: typescriptRequire,
        // Pulumi type-checks by default; the emitted JavaScript is the same, and `tsc --noEmit` checks types in CI.
        transpileOnly: true,
        project: "tsconfig.json",
        skipProject: false,
        compilerOptions: {
            target: "ES2020",
            module: "nodenext",
            moduleResolution: "nodenext",
            sourceMap: "true",
            ...compilerOptions,
        },
    });

    const pulumi = require("@pulumi/pulumi");
    let captured;
    const registered = new Promise((resolve) => {
        captured = resolve;
    });
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                captured(args.inputs.__provider);
                return { id: "serialized", state: args.inputs };
            },
            call(args) {
                throw new Error(`serializeDynamicProvider: unexpected invoke ${args.token}`);
            },
        },
        "aks-openai-wi",
        "serialize",
        false,
    );
    const Component = require(path.resolve(componentFile))[className];
    const resource = new Component("serialized", JSON.parse(argsJson));
    const text = await registered;
    // Let the registration finish, so the runtime does not report leaked promises at exit.
    await new Promise((resolve) => resource.urn.apply(resolve));
    if (typeof text !== "string" || !text.includes("exports.handler")) {
        throw new Error(`no serialized provider was registered (got ${typeof text})`);
    }
    fs.writeFileSync(outFile, text);
}

main().then(
    () => process.exit(0),
    (error) => {
        process.stderr.write(`serializeDynamicProvider: ${error && error.stack}\n`);
        process.exit(2);
    },
);
