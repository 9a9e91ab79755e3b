// Base configuration of `npm run mutation` (tools/mutation/main.ts), which runs Stryker once per file of components/
// and policy/ with `mutate` set to that file and the command runner on the tests that exercise it
// (tools/mutation/targets.ts). Run bare (`npx stryker run`), it mutates everything against `npm test`: correct, but
// hours on two cores. See docs/mutation.md.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
    packageManager: "npm",
    testRunner: "command",
    commandRunner: {
        command: "npm test",
    },
    mutate: ["components/**/*.ts", "policy/**/*.ts"],
    checkers: ["typescript"],
    tsconfigFile: "tsconfig.json",
    typescriptChecker: {
        prioritizePerformanceOverAccuracy: true,
    },
    coverageAnalysis: "off",
    concurrency: 1,
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
