import * as path from "node:path";

/**
 * Builds the dev stack's plan with one fact of the program (components/) wrong, once per case, each time on a fresh
 * load of the program so that it starts with the wrong value. Prints `{ <case>: { broken, failing, exitCode } }` as
 * JSON: per case, the plan's broken access-path checks and the policies that report a violation.
 *
 * Usage: node --require ./tests/support/typescript.cjs tests/support/planWithWrongFact.ts <case>...
 * (cases: see WRONG_FACTS). One process for all cases: a process start-up and the load of the SDKs cost more than
 * a plan.
 */

const ROOT = path.join(__dirname, "..", "..");

/** Forgets every module of this project (not node_modules), so the next require loads the program afresh. */
function forgetProjectModules(): void {
    for (const file of Object.keys(require.cache)) {
        if (file.startsWith(ROOT + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`)) {
            delete require.cache[file];
        }
    }
}

/** Each case: the module under components/, the exports it gets instead of the true ones, and the stack (default dev). */
export const WRONG_FACTS: Readonly<
    Record<string, { module: string; exports: Record<string, unknown>; stack?: string }>
> = {
    none: { module: "constants", exports: {} },
    audience: { module: "constants", exports: { TOKEN_EXCHANGE_AUDIENCE: "api://AzureADTokenExchang" } },
    "role guid": { module: "constants", exports: { OPENAI_USER_ROLE_ID: "5e0bd9bd-7b93-4f28-af87-19fc36ad61be" } },
    "subject form": {
        module: "naming",
        exports: {
            serviceAccountSubject: (namespace: string, name: string) => `system:serviceaccounts:${namespace}:${name}`,
        },
    },
    // The private stack: the zone the program names for the account's OpenAI endpoint.
    "private DNS zone": {
        module: "constants",
        exports: { OPENAI_PRIVATE_DNS_ZONE: "privatelink.cognitiveservices.azure.com" },
        stack: "prod",
    },
};

async function planWith(caseName: string): Promise<unknown> {
    const wrong = WRONG_FACTS[caseName];
    if (wrong === undefined) {
        throw new Error(`unknown case "${caseName}"; one of: ${Object.keys(WRONG_FACTS).join(", ")}`);
    }
    forgetProjectModules();
    // Before anything else loads the program's modules: every later require of this module gets the wrong exports.
    const file = require.resolve(path.join(ROOT, "components", wrong.module));
    await import(file);
    const cached = require.cache[file]!;
    cached.exports = { ...(cached.exports as Record<string, unknown>), ...wrong.exports };

    const { buildPlan } = await import("../../tools/plan/plan");
    const { stackConfig } = await import("../../tools/engine/runProgram");
    const stack = wrong.stack ?? "dev";
    const plan = await buildPlan({ stack, config: stackConfig(stack) });
    const broken = plan.accessPath.paths.flatMap((p) =>
        p.checks.filter((check) => check.verdict === "broken").map((check) => `${check.hop}: ${check.check}`),
    );
    const failing = plan.policies.results.filter((r) => r.violations.length > 0).map((r) => r.policy);
    return { broken, failing, exitCode: plan.summary.exitCode };
}

async function main(caseNames: readonly string[]): Promise<void> {
    const verdicts: Record<string, unknown> = {};
    for (const caseName of caseNames) {
        verdicts[caseName] = await planWith(caseName);
    }
    process.stdout.write(JSON.stringify(verdicts) + "\n");
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((error: unknown) => {
        console.error(error);
        process.exit(2);
    });
}
