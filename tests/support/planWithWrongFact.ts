import * as path from "node:path";

/**
 * Builds the dev stack's plan with one fact of the program (components/) wrong, in a process of its own so that the
 * program is loaded with the wrong value from the start. Prints `{ broken, failing, exitCode }` as JSON: the plan's
 * broken access-path checks and the policies that report a violation.
 *
 * Usage: node --import tsx tests/support/planWithWrongFact.ts <case>   (cases: see WRONG_FACTS)
 */

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

async function main(caseName: string): Promise<void> {
    const wrong = WRONG_FACTS[caseName];
    if (wrong === undefined) {
        throw new Error(`unknown case "${caseName}"; one of: ${Object.keys(WRONG_FACTS).join(", ")}`);
    }
    // Before anything else loads the program's modules: every later require of this module gets the wrong exports.
    const file = require.resolve(path.join(__dirname, "..", "..", "components", wrong.module));
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
    process.stdout.write(JSON.stringify({ broken, failing, exitCode: plan.summary.exitCode }) + "\n");
}

if (require.main === module) {
    main(process.argv[2] ?? "").catch((error: unknown) => {
        console.error(error);
        process.exit(2);
    });
}
