"use strict";
/**
 * Preloaded (NODE_OPTIONS=--require) into every Node process of a test run started by `npm run mutation`'s test runner
 * (tools/mutation/nodeTestFilesRunner.mjs). Three jobs (the third, Stryker's namespace for serialized code, below):
 *
 * 1. With AKS_OPENAI_WI_MUTATION_COVERAGE set (the dry run), write the mutants this process reached to a file in that
 *    folder when it exits. Stryker's instrumented code counts them in globalThis.__stryker__.mutantCoverage; without
 *    this, only the process Stryker itself starts could report them, and every test here runs in children.
 * 2. Carry Stryker's variables into children started with an environment of their own (tests that pass
 *    `env: { NODE_OPTIONS: "--require guard" }` or a filtered copy of process.env): a test that runs the program in a
 *    child must run it with the active mutant, and report what it reached, like one that runs it in-process.
 */
const fs = require("node:fs");
const path = require("node:path");
const { ChildProcess } = require("node:child_process");

const COVERAGE_DIR = "AKS_OPENAI_WI_MUTATION_COVERAGE";
const ACTIVE_MUTANT = "__STRYKER_ACTIVE_MUTANT__";
const PRELOAD = `--require ${JSON.stringify(__filename)}`;

const coverageDir = process.env[COVERAGE_DIR];

// Pulumi's closure serializer stores the instrumented code's reference to Stryker's namespace as `global.__stryker__`
// in a dynamic provider's serialized text. In the process that runs that text (tests/support/dynamicProviderHost.cjs)
// no instrumented module defines it, so define it here, with the active mutant: the provider runs as in the program.
// The counts the instrumented code keeps are captured too, by value unless they are a global's value: Pulumi's serializer
// writes an object it finds among the globals as a reference to that global. So the counts are created here and also
// made a global, and the serialized provider counts into the process that runs it, which writes them at exit.
if (coverageDir !== undefined || process.env[ACTIVE_MUTANT] !== undefined) {
    const namespace = (globalThis.__stryker__ ??= {});
    namespace.mutantCoverage ??= { static: {}, perTest: {} };
    globalThis.__strykerMutantCoverage__ = namespace.mutantCoverage;
    if (process.env[ACTIVE_MUTANT] !== undefined) {
        namespace.activeMutant ??= process.env[ACTIVE_MUTANT];
    }
}
if (coverageDir) {
    process.on("exit", () => {
        const coverage = globalThis.__stryker__?.mutantCoverage;
        if (coverage !== undefined) {
            const name = `${process.pid}-${Date.now()}-${Math.random().toString(16).slice(2)}.json`;
            fs.writeFileSync(path.join(coverageDir, name), JSON.stringify(coverage));
        }
    });
}

/** `envPairs` ("KEY=value", as Node hands them to the new process) with Stryker's variables and this preload added. */
function withStrykerEnvironment(envPairs) {
    const forwarded = [COVERAGE_DIR, ACTIVE_MUTANT].filter((key) => process.env[key] !== undefined);
    if (forwarded.length === 0) {
        return envPairs;
    }
    const keyOf = (pair) => pair.slice(0, pair.indexOf("="));
    const pairs = envPairs.filter((pair) => !forwarded.includes(keyOf(pair)));
    pairs.push(...forwarded.map((key) => `${key}=${process.env[key]}`));
    const nodeOptions = pairs.findIndex((pair) => keyOf(pair) === "NODE_OPTIONS");
    if (nodeOptions === -1) {
        pairs.push(`NODE_OPTIONS=${PRELOAD}`);
    } else if (!pairs[nodeOptions].includes(__filename)) {
        pairs[nodeOptions] = `${pairs[nodeOptions]} ${PRELOAD}`;
    }
    return pairs;
}

// Every asynchronous child_process function (spawn, execFile, exec, fork) ends in ChildProcess#spawn, which receives the
// child's environment as envPairs.
const spawn = ChildProcess.prototype.spawn;
ChildProcess.prototype.spawn = function spawnWithStrykerEnvironment(options) {
    if (options !== null && typeof options === "object" && Array.isArray(options.envPairs)) {
        options.envPairs = withStrykerEnvironment(options.envPairs);
    }
    return spawn.call(this, options);
};

module.exports = { withStrykerEnvironment };
