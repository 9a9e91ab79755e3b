// @ts-check
import eslint from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/**", "**/node_modules/**", "**/*.js", "**/*.mjs", "coverage/**", ".tls/**", "out/**"] },
    eslint.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        // The Pulumi rules need type information to know which values are Outputs.
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        plugins: { "@pulumi": pulumi },
        rules: {
            // Template literals on Outputs stringify to "Calling [toString] on an [Output<T>] is not supported".
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            eqeqeq: ["error", "always"],
            "no-console": "off",
        },
    },
    {
        // The end-to-end scenarios read raw Kubernetes objects, ARM bodies and `pulumi stack export` JSON, and assert on
        // them field by field; typing every one of those documents would add nothing a failed assertion does not say.
        files: ["e2e/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
    {
        // Plain CommonJS scripts the tests start with `node` alone: the loopback guard, and the processes that mimic
        // Pulumi's own (dynamic provider host, serializer), which must run without a TypeScript loader.
        files: ["**/*.cjs"],
        languageOptions: {
            sourceType: "commonjs",
            globals: {
                require: "readonly",
                module: "writable",
                process: "readonly",
                console: "readonly",
                __dirname: "readonly",
                __filename: "readonly",
            },
        },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
);
