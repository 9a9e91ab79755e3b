"use strict";
/**
 * The TypeScript loader of `npm test` (tests/support/runTests.cjs), `npm run plan` and `npm run verify`, in place of tsx
 * (which cost a second or more of CPU at every start of those commands).
 *
 * Why not tsx: under `--import tsx` every require of a JavaScript file in node_modules passes through tsx's ESM hook
 * thread and its CommonJS transform, which doubled the time to load @pulumi/pulumi (~1 s of CPU more per process; the
 * suite starts a process per test file and more for its children). This hook compiles only the project's own .ts
 * files, leaves every .js file to Node, and keeps each compiled file in node_modules/.cache, keyed by its text, so a
 * process compiles nothing it has seen before. TypeScript itself is loaded only on a cache miss.
 *
 * The output is what tsc emits for this project (CommonJS, ES2022, esModuleInterop), one file at a time like tsx;
 * the type-check stays `npm run build`. An inline source map goes with each file: run with --enable-source-maps for
 * .ts line numbers in stack traces (off by default: Pulumi takes a stack trace per resource, and mapping them is slow).
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..");
const CACHE = path.join(ROOT, "node_modules", ".cache", "aks-openai-wi-typescript");
/** Part of every cache key: a change of options or of TypeScript's version compiles everything again. */
const COMPILER_OPTIONS = {
    module: "commonjs",
    target: "es2022",
    esModuleInterop: true,
    inlineSourceMap: true,
    inlineSources: false,
};
const KEY_PREFIX = `${require("typescript/package.json").version}\0${JSON.stringify(COMPILER_OPTIONS)}\0`;

let typescript;

function compile(source, filename) {
    const key = crypto.createHash("sha256").update(KEY_PREFIX).update(filename).update("\0").update(source);
    const cached = path.join(CACHE, `${key.digest("hex")}.js`);
    try {
        return fs.readFileSync(cached, "utf8");
    } catch {
        // not compiled yet
    }
    typescript ??= require("typescript");
    const { outputText, diagnostics } = typescript.transpileModule(source, {
        fileName: filename,
        compilerOptions: COMPILER_OPTIONS,
        reportDiagnostics: true,
    });
    const errors = (diagnostics ?? []).filter((d) => d.category === typescript.DiagnosticCategory.Error);
    if (errors.length > 0) {
        throw new SyntaxError(typescript.formatDiagnostics(errors, FORMAT_HOST));
    }
    const output = withNativeImports(outputText, filename);
    // Written under a unique name, then renamed: test files compile in parallel processes.
    fs.mkdirSync(CACHE, { recursive: true });
    const partial = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(partial, output);
    fs.renameSync(partial, cached);
    return output;
}

/**
 * CommonJS output turns `await import("pkg")` into require("pkg"), which fails for a package that exports only an
 * `import` condition (@actions/workflow-parser). Such a package is loaded with Node's own import(), as tsx does; every
 * other dynamic import stays a require, so the project's .ts files still go through this hook.
 */
function withNativeImports(output, filename) {
    return output.replace(
        /Promise\.resolve\(\)\.then\(\(\) => __importStar\(require\(("[^"./][^"]*")\)\)\)/g,
        (call, specifier) =>
            requirable(JSON.parse(specifier), filename)
                ? call
                : `require(${JSON.stringify(module.filename)}).importAsModule(${specifier})`,
    );
}

let jsonHookRegistered = false;

/** Node's own import() of an ESM-only package, with the JSON-attribute hook (jsonImports.mjs) registered first. */
function importAsModule(specifier) {
    if (!jsonHookRegistered) {
        Module.register("./jsonImports.mjs", require("node:url").pathToFileURL(module.filename));
        jsonHookRegistered = true;
    }
    return import(specifier);
}

module.exports = { importAsModule };

function requirable(specifier, filename) {
    try {
        require.resolve(specifier, { paths: [path.dirname(filename)] });
        return true;
    } catch (error) {
        return error.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED";
    }
}

const FORMAT_HOST = {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => "\n",
};

Module._extensions[".ts"] = function loadTypeScript(module, filename) {
    if (filename.split(path.sep).includes("node_modules")) {
        throw new Error(`${filename}: TypeScript inside node_modules is not compiled by tests/support/typescript.cjs`);
    }
    module._compile(compile(fs.readFileSync(filename, "utf8"), filename), filename);
};
