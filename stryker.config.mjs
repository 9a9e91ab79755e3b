import { readdirSync } from "node:fs";
import { availableParallelism } from "node:os";

// Base configuration of `npm run mutation` (tools/mutation/main.ts), which runs Stryker once per group of files of
// components/ and policy/ that the same tests exercise (tools/mutation/targets.ts), with `mutate` set to those files
// and nodeTestFiles.tests to those tests. The test runner is the project's own (tools/mutation/nodeTestFilesRunner.mjs):
// each mutant runs only the test files that reach it. See docs/mutation.md.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
    packageManager: "npm",
    plugins: ["@stryker-mutator/*", "./tools/mutation/nodeTestFilesRunner.mjs"],
    testRunner: "node-test-files",
    mutate: ["components/**/*.ts", "policy/**/*.ts"],
    // Run bare (`npx stryker run`): every test file is a candidate, and each mutant still runs only those reaching it.
    nodeTestFiles: {
        tests: readdirSync("tests")
            .filter((name) => name.endsWith(".test.ts"))
            .sort()
            .map((name) => `tests/${name}`),
    },
    // No TypeScript checker: on this project it cost more CPU per mutant than the tests. tools/mutation/main.ts
    // type-checks the survivors instead (tools/mutation/compileCheck.ts).
    coverageAnalysis: "perTest",
    // A mutant's tests run one file at a time, in one process: a test runner per core.
    concurrency: availableParallelism(),
    timeoutMS: 60000,
    timeoutFactor: 2,
    dryRunTimeoutMinutes: 10,
    reporters: ["json", "clear-text", "progress"],
    jsonReporter: {
        fileName: "reports/mutation/all.json",
    },
    tempDirName: ".stryker-tmp",
    ignorePatterns: ["reports", "out", ".tls"],
    cleanTempDir: true,
};
