import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";

import ts from "typescript";

/** An import of a policy-pack file that the pack, shipped on its own, could not satisfy. */
export interface StrayImport {
    /** File path relative to the pack folder. */
    readonly file: string;
    readonly specifier: string;
    readonly reason: string;
}

/** Every .ts file under `dir`, recursively, relative to it. */
export function typeScriptFiles(dir: string, prefix = ""): string[] {
    return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
        const relative = path.join(prefix, entry.name);
        if (entry.isDirectory()) {
            return entry.name === "node_modules" ? [] : typeScriptFiles(dir, relative);
        }
        return entry.name.endsWith(".ts") ? [relative] : [];
    });
}

/** The package a bare specifier names: `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
export function packageOf(specifier: string): string {
    const parts = specifier.split("/");
    return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/**
 * The imports (static, dynamic, `require`, `import type`, re-exports) of the given pack sources that reach outside the
 * pack: a relative path that leaves its folder, or a package its package.json does not declare. `pulumi policy publish`
 * ships the folder and installs only those packages, so either would fail where the pack is enforced.
 */
export function strayImports(
    sources: Readonly<Record<string, string>>,
    declaredPackages: ReadonlySet<string>,
): StrayImport[] {
    const stray: StrayImport[] = [];
    for (const [file, source] of Object.entries(sources)) {
        const { importedFiles } = ts.preProcessFile(source, true, true);
        for (const { fileName: specifier } of importedFiles) {
            if (specifier.startsWith(".") || specifier.startsWith("/")) {
                const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
                if (specifier.startsWith("/") || target === ".." || target.startsWith("../")) {
                    stray.push({ file, specifier, reason: "leaves the pack folder" });
                }
            } else if (specifier.startsWith("node:") || builtinModules.includes(specifier)) {
                continue;
            } else if (!declaredPackages.has(packageOf(specifier))) {
                stray.push({ file, specifier, reason: `${packageOf(specifier)} is not declared in package.json` });
            }
        }
    }
    return stray;
}

/** The sources of a pack folder and the packages its package.json declares (dependencies and devDependencies). */
export function readPack(dir: string): { sources: Record<string, string>; declared: Set<string> } {
    const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
    };
    const sources = Object.fromEntries(
        typeScriptFiles(dir).map((file) => [
            file.split(path.sep).join("/"),
            readFileSync(path.join(dir, file), "utf8"),
        ]),
    );
    return {
        sources,
        declared: new Set([
            ...Object.keys(manifest.dependencies ?? {}),
            ...Object.keys(manifest.devDependencies ?? {}),
        ]),
    };
}
