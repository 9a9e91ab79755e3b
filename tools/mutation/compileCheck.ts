import * as path from "node:path";

import type * as ts from "typescript";

/**
 * Type-checks mutants one at a time: TypeScript's language service over the program and the policy pack
 * (tsconfig.mutation.json), kept warm between mutants, with one file's text replaced. The mutated file is checked, so a
 * mutant whose only error would be in another file (a changed exported type breaking a caller) is not caught here and
 * stays a survivor: the check never hides a real gap, at worst it lists a mutant no one could ship.
 *
 * Why not Stryker's TypeScript checker: measured on this project it spent about 4.5 s of CPU per mutant (every mutant
 * re-checks the program against @pulumi/azure-native's declarations), more than the tests a mutant runs; tsgo on the
 * whole program took about 3 s per mutant. So every mutant runs its tests, and only the survivors, a small share, are
 * checked here, in well under a second each once the service is warm. A killed mutant counts as killed whether or not
 * it compiles.
 */
export class CompileCheck {
    private readonly ts: typeof ts;
    private readonly service: ts.LanguageService;
    private readonly texts = new Map<string, string>();
    private readonly versions = new Map<string, number>();

    constructor(private readonly root: string) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        this.ts = require("typescript") as typeof ts;
        const typescript = this.ts;
        const configFile = path.join(root, "tsconfig.mutation.json");
        const config = typescript.getParsedCommandLineOfConfigFile(
            configFile,
            {},
            {
                ...typescript.sys,
                onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
                    throw new Error(typescript.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
                },
            },
        );
        if (config === undefined || config.errors.length > 0) {
            throw new Error(`${configFile} does not parse: ${config?.errors.map((e) => e.messageText).join("; ")}`);
        }
        const host: ts.LanguageServiceHost = {
            getScriptFileNames: () => config.fileNames,
            getScriptVersion: (file) => String(this.versions.get(file) ?? 0),
            getScriptSnapshot: (file) => {
                const text = this.texts.get(file) ?? typescript.sys.readFile(file);
                return text === undefined ? undefined : typescript.ScriptSnapshot.fromString(text);
            },
            getCurrentDirectory: () => root,
            getCompilationSettings: () => config.options,
            getDefaultLibFileName: (options) => typescript.getDefaultLibFilePath(options),
            fileExists: typescript.sys.fileExists,
            readFile: typescript.sys.readFile,
            readDirectory: typescript.sys.readDirectory,
            directoryExists: typescript.sys.directoryExists,
            getDirectories: typescript.sys.getDirectories,
        };
        this.service = typescript.createLanguageService(host, typescript.createDocumentRegistry());
    }

    /** The type errors of `file` (relative to the project) holding `text`, one per line; empty when it compiles. */
    async errors(file: string, text: string): Promise<string> {
        const absolute = path.join(this.root, file);
        this.setText(absolute, text);
        try {
            const diagnostics = [
                ...this.service.getSyntacticDiagnostics(absolute),
                ...this.service.getSemanticDiagnostics(absolute),
            ].filter((diagnostic) => diagnostic.category === this.ts.DiagnosticCategory.Error);
            return diagnostics.map((diagnostic) => this.format(diagnostic)).join("\n");
        } finally {
            this.texts.delete(absolute);
            this.versions.set(absolute, (this.versions.get(absolute) ?? 0) + 1);
        }
    }

    dispose(): void {
        this.service.dispose();
    }

    private setText(file: string, text: string): void {
        this.texts.set(file, text);
        this.versions.set(file, (this.versions.get(file) ?? 0) + 1);
    }

    /** `file(line,column): error TSnnnn: message`, as tsc prints it. */
    private format(diagnostic: ts.Diagnostic): string {
        const message = this.ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
        if (diagnostic.file === undefined || diagnostic.start === undefined) {
            return `error TS${diagnostic.code}: ${message}`;
        }
        const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
        const where = path.relative(this.root, diagnostic.file.fileName);
        return `${where}(${line + 1},${character + 1}): error TS${diagnostic.code}: ${message}`;
    }
}
