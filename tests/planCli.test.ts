import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

import { parseSettings } from "../components/config";
import { stackConfig } from "../tools/engine/runProgram";
import { stacksIn } from "../tools/plan/main";
import { PROJECT_ROOT } from "./support/program";

/**
 * `npm run plan` as a user runs it: a separate process, its output and its exit status. 0: the access path is whole
 * and no mandatory policy fails; 2: no plan (bad configuration, unknown stack, bad arguments), with the stack's own
 * error text.
 */

interface Result {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

function plan(...args: string[]): Promise<Result> {
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            // The suite's TypeScript loader (tests/support/typescript.cjs): the CLI's behaviour, not tsx's start-up;
            // npmRunPlan runs the command exactly as a user types it.
            [
                "--require",
                path.join(PROJECT_ROOT, "tests/support/typescript.cjs"),
                path.join(PROJECT_ROOT, "tools/plan/main.ts"),
                ...args,
            ],
            { cwd: PROJECT_ROOT, maxBuffer: 16 * 1024 * 1024 },
            (error, stdout, stderr) =>
                resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
    });
}

function npmRunPlan(...args: string[]): Promise<Result> {
    return new Promise((resolve) => {
        execFile(
            "npm",
            ["run", "--silent", "plan", "--", ...args],
            { cwd: PROJECT_ROOT, maxBuffer: 16 * 1024 * 1024 },
            (error, stdout, stderr) =>
                resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
    });
}

const BROKEN_STACK = `config:
  azure-native:location: eastus
  aks-openai-wi:resourceGroupName: myResourceGroup
  aks-openai-wi:cluster:
    mode: existing
  aks-openai-wi:openai:
    mode: existing
    accountName: myOpenAI
    deploymentName: gpt-4o-mini
  aks-openai-wi:aiService:
    image: ghcr.io/azure-samples/aks-store-demo/ai-service:latest
  protect: "true"
`;

let dir: string;
let text: Result;
let json: Result;
let broken: Result;
let unknown: Result;
let noStack: Result;
let typo: Result;

before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "aks-openai-wi-plan-"));
    writeFileSync(path.join(dir, "Pulumi.broken.yaml"), BROKEN_STACK);
    [text, json, broken, unknown, noStack, typo] = await Promise.all([
        npmRunPlan("--stack", "dev", "--json-out", path.join(dir, "json-out", "plan.json")),
        plan("--stack", "dev", "--json", "--out", path.join(dir, "out")),
        plan("--stack", "broken", "--stack-dir", dir),
        plan("--stack", "nope"),
        plan(),
        plan("--stak", "dev"),
    ]);
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe("npm run plan -- --stack dev", () => {
    it("prints the tree, the access path and the verdict, and exits 0", () => {
        assert.equal(text.code, 0, text.stderr);
        assert.equal(text.stderr, `wrote ${path.join(dir, "json-out", "plan.json")}\n`);
        assert.ok(text.stdout.startsWith("Plan for stack dev (project aks-openai-wi)\n"));
        assert.ok(text.stdout.includes("\nRESOURCES (9, plus 5 components)\n"));
        assert.ok(text.stdout.includes("\nACCESS PATH: Deployment default/ai-service -> Azure OpenAI: WHOLE\n"));
        assert.ok(text.stdout.includes("\nPOLICIES"));
        assert.ok(text.stdout.endsWith("\nRESULT: access path whole, 0 mandatory policy violation(s) -> exit 0\n"));
    });
});

describe("--json-out FILE", () => {
    it("writes the plan's JSON to FILE, creating its folder: JSON for CI even through npm's banner", () => {
        assert.equal(readFileSync(path.join(dir, "json-out", "plan.json"), "utf8"), json.stdout);
    });
});

describe("--json --out DIR", () => {
    it("prints the plan as JSON only, and exits 0", () => {
        assert.equal(json.code, 0, json.stderr);
        const parsed = JSON.parse(json.stdout) as { stack: string; summary: unknown };
        assert.equal(parsed.stack, "dev");
        assert.deepEqual(parsed.summary, {
            resources: 9,
            accessPathWhole: true,
            mandatoryPolicyFailures: 0,
            exitCode: 0,
        });
    });

    it("writes plan.json (the same JSON), plan.mmd and plan.md, and says so on stderr", () => {
        const out = path.join(dir, "out");
        assert.equal(readFileSync(path.join(out, "plan.json"), "utf8"), json.stdout);
        const mermaid = readFileSync(path.join(out, "plan.mmd"), "utf8");
        assert.ok(mermaid.startsWith("flowchart LR\n"));
        assert.ok(mermaid.includes('    r_workload_openai_user ==>|"6. scope: ok"| read_myOpenAI\n'));
        const markdown = readFileSync(path.join(out, "plan.md"), "utf8");
        assert.ok(markdown.includes(`\`\`\`mermaid\n${mermaid.trimEnd()}\n\`\`\``));
        assert.equal(
            json.stderr,
            `wrote ${["plan.md", "plan.mmd", "plan.json"].map((f) => path.join(out, f)).join(", ")}\n`,
        );
    });
});

describe("no plan", () => {
    it("bad configuration: the stack's own ConfigError, word for word, and exit 2", () => {
        let expected = "";
        try {
            parseSettings(
                {
                    project: {
                        resourceGroupName: "myResourceGroup",
                        armEndpoint: "https://management.azure.com/",
                        cluster: { mode: "existing" },
                        openai: { mode: "existing", accountName: "myOpenAI", deploymentName: "gpt-4o-mini" },
                        aiService: { image: "ghcr.io/azure-samples/aks-store-demo/ai-service:latest" },
                    },
                    location: "eastus",
                    otherKeys: Object.keys(stackConfig("broken", PROJECT_ROOT, dir)).filter(
                        (key) => !key.startsWith("aks-openai-wi:"),
                    ),
                },
                { project: "aks-openai-wi", stack: "broken" },
            );
        } catch (error) {
            expected = (error as Error).message;
        }
        assert.match(
            expected,
            /^Invalid configuration \(3 problems\):\n {2}- "protect" is not a key this project reads \(did you mean aks-openai-wi:protect\?\)/,
        );
        assert.match(expected, /\n {2}- aks-openai-wi:cluster\.name is required/);
        assert.equal(broken.code, 2);
        assert.equal(broken.stdout, "");
        assert.equal(broken.stderr, `error: ${expected}\n`);
    });

    it("an unknown stack: names the stack files there, says how to create it, and exits 2", () => {
        assert.equal(unknown.code, 2);
        assert.equal(
            unknown.stderr,
            `error: no stack file Pulumi.nope.yaml in ${PROJECT_ROOT}; stacks there: ${stacksIn(PROJECT_ROOT).join(", ")}.\n` +
                `To create stack "nope": pulumi stack init nope, then set its keys (docs/configuration.md), or start ` +
                `from a copy: cp Pulumi.dev.yaml Pulumi.nope.yaml\n`,
        );
        assert.equal(existsSync(path.join(PROJECT_ROOT, "Pulumi.nope.yaml")), false);
    });

    it("a misspelt flag: did you mean, then usage, and exits 2", () => {
        assert.equal(typo.code, 2);
        assert.ok(
            typo.stderr.startsWith("error: unknown option --stak (did you mean --stack?)\n\nUsage: "),
            typo.stderr,
        );
    });

    it("a stack file that is not YAML: the error names the file and the line", () => {
        writeFileSync(
            path.join(dir, "Pulumi.badyaml.yaml"),
            "config:\n  aks-openai-wi:cluster:\n    mode: existing\n   name: x\n",
        );
        assert.throws(
            () => stackConfig("badyaml", PROJECT_ROOT, dir),
            (error: Error) => {
                assert.ok(
                    error.message.startsWith(`${path.join(dir, "Pulumi.badyaml.yaml")} is not valid YAML: `),
                    error.message,
                );
                assert.match(error.message, /at line 4, column 1:/);
                return true;
            },
        );
    });

    it("no --stack: usage, and exits 2", () => {
        assert.equal(noStack.code, 2);
        assert.ok(
            noStack.stderr.startsWith(
                `error: --stack is required; stacks in ${PROJECT_ROOT}: ${stacksIn(PROJECT_ROOT).join(", ")}\n\nUsage: npm run plan -- --stack <name>`,
            ),
        );
    });
});
