import * as path from "node:path";

import * as ts from "typescript";

/**
 * Which packages the program loads, read from its own import statements: the floor of the evaluation benchmark loads
 * exactly the `@pulumi/*` modules found here, so the list follows the program instead of being kept by hand.
 *
 * Only imports that exist at run time count. `import type`, and named imports whose every binding is `type`, are
 * erased by the TypeScript compiler and by tsx (esbuild), so they load nothing. Dynamic `import()` and `require()`
 * calls load only when that code runs (the dynamic provider's Azure SDK clients): they are listed apart, as lazy.
 */

/** What one source file imports. */
export interface FileImports {
    /** Specifiers loaded when the file is loaded. */
    readonly eager: readonly string[];
    /** Specifiers loaded only when the code calling `import()`/`require()` runs. */
    readonly lazy: readonly string[];
}

/** What the program loads, from its entry file through every relative module it loads eagerly. */
export interface ProgramImports {
    /** `@pulumi/*` modules loaded when the program is loaded, sorted; `@pulumi/pulumi` first. */
    readonly sdk: readonly string[];
    /** Other packages loaded when the program is loaded (not `node:` built-ins), sorted. */
    readonly otherPackages: readonly string[];
    /** Packages loaded only inside functions (dynamic `import()`), sorted. */
    readonly lazy: readonly string[];
    /** The program's own files loaded eagerly, relative to the entry's directory, in the order first reached. */
    readonly files: readonly string[];
}

/** The run-time imports of one TypeScript source text. */
export function importsOf(source: string, fileName = "source.ts"): FileImports {
    const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const eager: string[] = [];
    const lazy: string[] = [];
    const add = (list: string[], specifier: string) => {
        if (!list.includes(specifier)) {
            list.push(specifier);
        }
    };
    for (const statement of file.statements) {
        if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
            if (!isTypeOnlyImport(statement)) {
                add(eager, statement.moduleSpecifier.text);
            }
        } else if (
            ts.isExportDeclaration(statement) &&
            statement.moduleSpecifier !== undefined &&
            ts.isStringLiteral(statement.moduleSpecifier) &&
            !statement.isTypeOnly
        ) {
            add(eager, statement.moduleSpecifier.text);
        } else if (
            ts.isImportEqualsDeclaration(statement) &&
            !statement.isTypeOnly &&
            ts.isExternalModuleReference(statement.moduleReference) &&
            ts.isStringLiteral(statement.moduleReference.expression)
        ) {
            add(eager, statement.moduleReference.expression.text);
        }
    }
    const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])) {
            const isDynamicImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
            const isRequire = ts.isIdentifier(node.expression) && node.expression.text === "require";
            if (isDynamicImport || isRequire) {
                // A require() at the top level of a module runs when the module loads.
                add(isRequire && isTopLevel(node) ? eager : lazy, node.arguments[0].text);
            }
        }
        ts.forEachChild(node, visit);
    };
    visit(file);
    return { eager, lazy };
}

/**
 * Follows the program's relative imports from `entry` (an absolute path to a .ts file) and collects what they load.
 * `read` returns a file's text, or undefined when it does not exist.
 */
export function programImports(entry: string, read: (file: string) => string | undefined): ProgramImports {
    const root = path.dirname(entry);
    const files: string[] = [];
    const sdk = new Set<string>();
    const other = new Set<string>();
    const lazy = new Set<string>();
    const queue = [entry];
    const seen = new Set<string>();
    while (queue.length > 0) {
        const file = queue.shift()!;
        if (seen.has(file)) {
            continue;
        }
        seen.add(file);
        const source = read(file);
        if (source === undefined) {
            throw new Error(`programImports: cannot read ${file}`);
        }
        files.push(path.relative(root, file));
        const imports = importsOf(source, file);
        for (const specifier of imports.eager) {
            if (specifier.startsWith(".")) {
                queue.push(resolveRelative(file, specifier, read));
            } else if (specifier.startsWith("@pulumi/")) {
                sdk.add(specifier);
            } else if (!specifier.startsWith("node:")) {
                other.add(packageName(specifier));
            }
        }
        for (const specifier of imports.lazy) {
            if (!specifier.startsWith(".") && !specifier.startsWith("node:")) {
                lazy.add(packageName(specifier));
            }
        }
    }
    const sortedSdk = [...sdk].sort((a, b) =>
        a === "@pulumi/pulumi" ? -1 : b === "@pulumi/pulumi" ? 1 : a.localeCompare(b),
    );
    return {
        sdk: sortedSdk,
        otherPackages: [...other].sort(),
        lazy: [...lazy].filter((name) => !other.has(name)).sort(),
        files,
    };
}

/** `@scope/name/sub/path` -> `@scope/name`; `name/sub` -> `name`. */
export function packageName(specifier: string): string {
    const parts = specifier.split("/");
    return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

function isTypeOnlyImport(statement: ts.ImportDeclaration): boolean {
    const clause = statement.importClause;
    if (clause === undefined) {
        return false; // `import "x"`: loaded for its side effects
    }
    if (clause.isTypeOnly) {
        return true;
    }
    if (clause.name !== undefined) {
        return false;
    }
    const bindings = clause.namedBindings;
    if (bindings === undefined || ts.isNamespaceImport(bindings)) {
        return false;
    }
    // `import { type A, type B } from "x"` is erased; `import {} from "x"` is kept, like the compiler does.
    return bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
}

function isTopLevel(node: ts.Node): boolean {
    for (let parent = node.parent; parent !== undefined; parent = parent.parent) {
        if (ts.isFunctionLike(parent) || ts.isClassLike(parent)) {
            return false;
        }
    }
    return true;
}

function resolveRelative(from: string, specifier: string, read: (file: string) => string | undefined): string {
    const base = path.resolve(path.dirname(from), specifier);
    for (const candidate of [base, `${base}.ts`, path.join(base, "index.ts")]) {
        if (candidate.endsWith(".ts") && read(candidate) !== undefined) {
            return candidate;
        }
    }
    throw new Error(`programImports: ${from} imports ${specifier}, which is no .ts file`);
}
