import assert from "node:assert/strict";
import { describe, it } from "node:test";

import * as pulumi from "@pulumi/pulumi";

import { OUTPUTS_CONTRACT_VERSION } from "../components/constants";
import { GREENFIELD_CONFIG } from "./support/configs";
import { isSecret, runProgram, stackConfig, type ProgramRun } from "./support/program";
import { doc, firstCellName, section, tableRows } from "./support/readme";
import { PLATFORM_STACK, worldWithPlatformStack } from "./support/world";
import { shippedRun } from "./support/shippedStacks";

/**
 * The outputs are a contract other stacks build on (StackReference.requireOutput): docs/outputs.md's "Outputs contract" table
 * and what the program returns must match exactly, in every way the program can run.
 */

const outputsSection = section(doc("docs/outputs.md"), "Outputs");
const contract = tableRows(outputsSection).map((row) => ({
    name: firstCellName(row),
    type: row[1],
    optional: /\boptional\b/i.test(row[1]),
    secret: /\bsecret\b/i.test(row[1]),
}));

const RUNS: Record<string, () => Promise<ProgramRun>> = {
    "existing cluster and account (Pulumi.dev.yaml)": () => shippedRun("dev"),
    "existing cluster and account, previewed": () => shippedRun("dev", { preview: true }),
    "managed cluster and account": () => runProgram({ config: GREENFIELD_CONFIG, stack: "greenfield" }),
    "production stack with audit (Pulumi.prod.yaml)": () => shippedRun("prod"),
    "cluster from another stack": () =>
        runProgram({
            config: {
                ...stackConfig("dev"),
                "aks-openai-wi:cluster": { mode: "stack", stackReference: PLATFORM_STACK },
            },
            stack: "dev",
            world: worldWithPlatformStack(),
        }),
};

describe("the outputs contract in docs/outputs.md", () => {
    it("is versioned, and the version is the one the stack exports", async () => {
        const heading = /^### Outputs contract v(\d+)$/m.exec(outputsSection);
        assert.ok(heading, 'docs/outputs.md\'s Outputs section needs a "### Outputs contract v<N>" heading');
        assert.equal(Number(heading[1]), OUTPUTS_CONTRACT_VERSION);
        const run = await shippedRun("dev");
        assert.equal(run.outputs.outputsContractVersion, OUTPUTS_CONTRACT_VERSION);
    });

    it("states the compatibility rule", () => {
        assert.match(outputsSection, /Compatibility rule: within v\d+, outputs are only added/);
    });

    for (const [name, run] of Object.entries(RUNS)) {
        it(`matches what the program returns: ${name}`, async () => {
            const { outputs } = await run();
            const returned = Object.keys(outputs);
            const missing = contract.filter((o) => !o.optional && !returned.includes(o.name)).map((o) => o.name);
            assert.deepEqual(missing, [], "outputs docs/outputs.md promises but the program does not return");
            const undocumented = returned.filter((key) => !contract.some((o) => o.name === key));
            assert.deepEqual(
                undocumented,
                [],
                "outputs the program returns but docs/outputs.md's contract does not list",
            );
        });
    }

    it("gives each output the type it documents, and keeps exactly the documented ones secret", async () => {
        const run = await shippedRun("dev");
        for (const output of contract.filter((o) => o.name in run.outputs)) {
            const value = run.outputs[output.name];
            const expected = output.type.startsWith("list") ? "array" : output.type.split(" ")[0];
            assert.equal(Array.isArray(value) ? "array" : typeof value, expected, `${output.name}: ${output.type}`);
            assert.equal(await isSecret(pulumi.output(run.raw[output.name])), output.secret, output.name);
        }
    });
});
