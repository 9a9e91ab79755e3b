import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";

import { closest } from "../../components/didYouMean";
import type { Plan } from "./plan";

/**
 * `npm run plan -- --stack <name> [--json] [--json-out FILE] [--out DIR] [--stack-dir DIR]`
 *
 * Shows what `pulumi up` would do for a stack, and who could then call what, with no cloud, no Pulumi CLI and no
 * credentials. Exit status: 0 when the access path is whole and no mandatory policy fails; 1 when either is not so;
 * 2 when the plan could not be made (bad configuration, unknown stack, bad arguments).
 */

export const USAGE = `Usage: npm run plan -- --stack <name> [--json] [--json-out FILE] [--out DIR] [--stack-dir DIR]

  --stack <name>     the stack whose Pulumi.<name>.yaml to plan (required)
  --json             print the plan as JSON instead of text; pipe it with npm run -s (npm's banner is not JSON)
  --json-out FILE    also write the plan as JSON to FILE (its folder is created)
  --out DIR          also write DIR/plan.md, DIR/plan.mmd (Mermaid) and DIR/plan.json
  --stack-dir DIR    where Pulumi.<name>.yaml is (default: the project root)

Exit status: 0 access path whole and no mandatory policy violation; 1 otherwise; 2 no plan (bad configuration,
unknown stack, bad arguments).`;

/** Exit status when no plan could be made. */
export const EXIT_NO_PLAN = 2;

/** The project root (where Pulumi.yaml is); tools/plan/main.ts is two levels below it. */
const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

async function main(argv: string[]): Promise<number> {
    let args;
    try {
        args = parseArgs({
            args: argv,
            options: {
                stack: { type: "string" },
                json: { type: "boolean", default: false },
                "json-out": { type: "string" },
                out: { type: "string" },
                "stack-dir": { type: "string" },
                help: { type: "boolean", short: "h", default: false },
            },
            strict: true,
            allowPositionals: false,
        }).values;
    } catch (error) {
        process.stderr.write(`error: ${argumentError(error)}\n\n${USAGE}\n`);
        return EXIT_NO_PLAN;
    }
    if (args.help) {
        process.stdout.write(`${USAGE}\n`);
        return 0;
    }
    const stackDir = path.resolve(args["stack-dir"] ?? PROJECT_ROOT);
    const stacks = stacksIn(stackDir);
    if (args.stack === undefined || args.stack === "") {
        process.stderr.write(
            `error: --stack is required; stacks in ${stackDir}: ${stacks.join(", ") || "none"}\n\n${USAGE}\n`,
        );
        return EXIT_NO_PLAN;
    }
    const stack = args.stack;
    if (!existsSync(path.join(stackDir, `Pulumi.${stack}.yaml`))) {
        process.stderr.write(`error: ${unknownStack(stack, stackDir, stacks)}\n`);
        return EXIT_NO_PLAN;
    }

    // Loaded only now: the Pulumi runtime and the program take seconds to load, argument errors should not wait.
    const { stackConfig } = await import("../engine/runProgram");
    const { buildPlan } = await import("./plan");
    const { renderMarkdown, renderMermaid } = await import("./mermaid");
    const { renderText } = await import("./render");
    let plan: Plan;
    try {
        plan = await buildPlan({ stack, config: stackConfig(stack, PROJECT_ROOT, stackDir) });
    } catch (error) {
        // The program's own error, word for word, as `pulumi preview` prints a RunError (a ConfigError is one).
        process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
        return EXIT_NO_PLAN;
    }

    process.stdout.write(args.json ? `${JSON.stringify(plan, null, 2)}\n` : renderText(plan));
    if (args["json-out"] !== undefined) {
        const file = path.resolve(args["json-out"]);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, `${JSON.stringify(plan, null, 2)}\n`);
        process.stderr.write(`wrote ${file}\n`);
    }
    if (args.out !== undefined) {
        const out = path.resolve(args.out);
        mkdirSync(out, { recursive: true });
        writeFileSync(path.join(out, "plan.md"), renderMarkdown(plan));
        writeFileSync(path.join(out, "plan.mmd"), renderMermaid(plan));
        writeFileSync(path.join(out, "plan.json"), `${JSON.stringify(plan, null, 2)}\n`);
        process.stderr.write(
            `wrote ${["plan.md", "plan.mmd", "plan.json"].map((f) => path.join(out, f)).join(", ")}\n`,
        );
    }
    return plan.summary.exitCode;
}

/** The flags main() accepts, for "did you mean" on a typo. */
const FLAGS = ["--stack", "--json", "--json-out", "--out", "--stack-dir", "--help"];

/** node:util's message for a bad argument, with the flag that was probably meant. */
export function argumentError(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    const flag = /^Unknown option '(-[^']*)'/.exec(message)?.[1];
    const meant = flag === undefined ? undefined : closest(flag, FLAGS);
    return meant === undefined ? message : `unknown option ${flag} (did you mean ${meant}?)`;
}

/** Why a stack cannot be planned when it has no stack file, and how to make one. */
export function unknownStack(stack: string, stackDir: string, stacks: readonly string[]): string {
    const meant = closest(stack, stacks);
    return (
        `no stack file Pulumi.${stack}.yaml in ${stackDir}` +
        (meant === undefined ? "" : ` (did you mean --stack ${meant}?)`) +
        `; stacks there: ${stacks.join(", ") || "none"}.\n` +
        `To create stack "${stack}": pulumi stack init ${stack}, then set its keys (docs/configuration.md), or ` +
        `start from a copy: cp Pulumi.${stacks.includes("dev") ? "dev" : (stacks[0] ?? "dev")}.yaml Pulumi.${stack}.yaml`
    );
}

/** Stack names with a Pulumi.<name>.yaml in `dir`. */
export function stacksIn(dir: string): string[] {
    if (!existsSync(dir)) {
        return [];
    }
    return readdirSync(dir)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((name): name is string => name !== undefined)
        .sort();
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        // Exit explicitly once output is flushed: the Pulumi runtime may keep handles open after the mocked run.
        (code) => process.stdout.write("", () => process.exit(code)),
        (error: unknown) => {
            process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
            process.exit(EXIT_NO_PLAN);
        },
    );
}
