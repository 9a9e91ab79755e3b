import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import {
    reasonFor,
    renderReport,
    replaceBetween,
    scoreOf,
    sourceBetween,
    summarize,
    unusedReasons,
    type FileRun,
} from "../tools/mutation/report";
import { groupByTests, mutatedFiles, testsFor } from "../tools/mutation/targets";

/** docs/mutation.md is generated from Stryker's JSON reports; these pin how scores and survivors are read. */

const SOURCE = ['const labels = { app: "ai-service" };', "if (!url) {", "    throw new Error('empty');", "}"].join(
    "\n",
);

function mutant(
    id: string,
    status: string,
    line: number,
    from: number,
    to: number,
    mutatorName: string,
    replacement: string,
) {
    return {
        id,
        status,
        mutatorName,
        replacement,
        location: { start: { line, column: from }, end: { line, column: to } },
    };
}

const RUN: FileRun = {
    file: "components/x.ts",
    tests: ["tests/program.test.ts"],
    finishedAt: "2026-11-29T03:00:00.000Z",
    wallSeconds: 61.4,
    report: {
        files: {
            "components/x.ts": {
                source: SOURCE,
                mutants: [
                    mutant("1", "Killed", 1, 16, 37, "ObjectLiteral", "{}"),
                    mutant("2", "Timeout", 2, 5, 9, "BooleanLiteral", "url"),
                    mutant("3", "Survived", 2, 5, 9, "ConditionalExpression", "false"),
                    mutant("4", "CompileError", 1, 23, 35, "StringLiteral", '""'),
                    mutant("5", "NoCoverage", 3, 21, 28, "StringLiteral", '""'),
                ],
            },
        },
    },
};

describe("the mutation report", () => {
    it("reads the mutated source text between Stryker's 1-based positions", () => {
        assert.equal(sourceBetween(SOURCE, { line: 1, column: 16 }, { line: 1, column: 37 }), '{ app: "ai-service" }');
        assert.equal(
            sourceBetween(SOURCE, { line: 2, column: 1 }, { line: 4, column: 2 }),
            "if (!url) { throw new Error('empty'); }",
        );
    });

    it("rebuilds a mutant's program text from its positions and replacement", () => {
        assert.equal(
            replaceBetween(SOURCE, { line: 2, column: 5 }, { line: 2, column: 9 }, "false"),
            SOURCE.replace("!url", "false"),
        );
        assert.equal(
            replaceBetween(SOURCE, { line: 2, column: 1 }, { line: 4, column: 2 }, ""),
            'const labels = { app: "ai-service" };\n',
        );
    });

    it("scores killed and timed-out over every compiling mutant, and leaves out those that do not compile", () => {
        const summary = summarize(RUN);
        assert.deepEqual(
            [summary.killed, summary.timedOut, summary.survived, summary.noCoverage, summary.compileErrors],
            [1, 1, 1, 1, 1],
        );
        assert.equal(scoreOf(summary), 50);
    });

    it("gives a survivor the reason whose file, mutator and texts match it, and none otherwise", () => {
        const explained = [
            {
                file: "components/x.ts",
                mutator: "ConditionalExpression",
                original: "!url",
                replacement: "false",
                reason: "R1",
            },
            { file: "components/x.ts", mutator: "StringLiteral", original: "'nope'", reason: "R2" },
        ];
        const survivors = summarize(RUN).survivors;
        assert.deepEqual(
            survivors.map((s) => [s.line, s.mutator, s.original, s.replacement, reasonFor(s, explained)]),
            [
                [2, "ConditionalExpression", "!url", "false", "R1"],
                [3, "StringLiteral", "'empty'", '""', undefined],
            ],
        );
    });

    it("writes each file's score and marks survivors without a reason and files not measured", () => {
        const text = renderReport([summarize(RUN)], ["policy/y.ts"], [], 90);
        assert.match(
            text,
            /Files measured: 1; below target: 1; survivors without a reason: 2; not measured yet: 1; reasons no survivor takes: 0\./,
        );
        assert.match(
            text,
            /\| components\/x\.ts \| 50\.0 % \| 1 \| 1 \| 1 \| 1 \| 1 \| 61 s \| 2026-11-29T03:00Z \| program \|/,
        );
        assert.match(text, /\| policy\/y\.ts \| not measured \|/);
        assert.match(text, /- line 2, ConditionalExpression: `!url` -> `false`\. \*\*Not explained\*\*/);
    });

    it("lists the reasons no survivor takes, so a killed mutant's reason is deleted instead of kept", () => {
        const killedNow = { file: "components/x.ts", mutator: "StringLiteral", original: "'nope'", reason: "R2" };
        const shadowed = { file: "components/x.ts", mutator: "ConditionalExpression", original: "url", reason: "R3" };
        const otherFile = { file: "components/y.ts", mutator: "ConditionalExpression", original: "!url", reason: "R4" };
        const explained = [
            { file: "components/x.ts", mutator: "ConditionalExpression", original: "!url", reason: "R1" },
            killedNow,
            shadowed,
            otherFile,
        ];
        assert.deepEqual(unusedReasons([summarize(RUN)], explained), [killedNow, shadowed, otherFile]);
        const text = renderReport([summarize(RUN)], [], explained, 90);
        assert.match(text, /survivors without a reason: 1; not measured yet: 0; reasons no survivor takes: 3\./);
        assert.match(
            text,
            /## Reasons no survivor takes\n\n[^\n]+\n[^\n]+\n\n- components\/x\.ts, StringLiteral: `'nope'`\n- components\/x\.ts, ConditionalExpression: `url`\n- components\/y\.ts, ConditionalExpression: `!url`\n$/,
        );
        assert.doesNotMatch(renderReport([summarize(RUN)], [], explained.slice(0, 1), 90), /Reasons no survivor takes/);
    });

    it("has a rule for every file it mutates, and every test file a rule names exists", () => {
        const root = path.join(__dirname, "..");
        const files = mutatedFiles(root);
        assert.ok(files.includes("components/config/schema.ts") && files.includes("policy/facts.ts"));
        const problems: string[] = [];
        for (const file of files) {
            try {
                for (const test of testsFor(file)) {
                    if (!existsSync(path.join(root, test))) {
                        problems.push(`${file}: ${test} does not exist`);
                    }
                }
            } catch (error) {
                problems.push((error as Error).message);
            }
        }
        assert.deepEqual(problems, []);
    });

    it("finds the tests of every file, including a module split into a folder, and names the fix for a file with none", () => {
        assert.deepEqual(testsFor("components/config/aiService.ts"), testsFor("components/config.ts"));
        assert.throws(
            () => testsFor("components/brandNew.ts"),
            /components\/brandNew\.ts has no rule in tools\/mutation\/targets\.ts: add \{ prefix: "components\/brandNew"/,
        );
    });

    it("measures files exercised by the same tests in one Stryker run, in the order given", () => {
        const groups = groupByTests([
            "components/config/cidr.ts",
            "policy/azure.ts",
            "components/config/audit.ts",
            "components/config/schema.ts",
            "policy/values.ts",
        ]);
        assert.deepEqual(
            groups.map((group) => group.files),
            [
                ["components/config/cidr.ts", "components/config/schema.ts"],
                ["policy/azure.ts", "policy/values.ts"],
                ["components/config/audit.ts"],
            ],
        );
        assert.deepEqual(groups[2].tests, ["tests/configAudit.test.ts"]);
    });

    it("says when a row's wall time was shared with the other files of its run", () => {
        const shared = summarize({ ...RUN, measuredWith: ["components/y.ts", "components/z.ts"] });
        assert.deepEqual(shared.measuredWith, ["components/y.ts", "components/z.ts"]);
        assert.match(renderReport([shared], [], [], 90), /\| 61 s \(3 files\) \| 2026-11-29T03:00Z \|/);
        assert.equal(summarize(RUN).measuredWith, undefined);
    });
});
