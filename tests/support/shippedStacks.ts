import { evaluateStack, type Evaluation } from "../../tools/plan/evaluate";
import { buildPlan, type Plan } from "../../tools/plan/plan";
import { withBootstrapOutputs } from "./configs";
import { runProgram, stackConfig, type ProgramRun } from "./program";

/**
 * The program run, the plan and the evaluation of each stack file as shipped (Pulumi.dev.yaml, Pulumi.prod.yaml), built once per test
 * process: several test files read them, and npm test runs a few files per process (tests/support/runTests.cjs).
 * Readers must not change them; both are deeply readonly in their types. A test about how a plan is built (the order
 * of two evaluations in one process, say) builds its own.
 */

type ShippedStack = "dev" | "prod";

const runs = new Map<string, Promise<ProgramRun>>();
const plans = new Map<ShippedStack, Promise<Plan>>();
const evaluations = new Map<ShippedStack, Promise<Evaluation>>();

export function shippedPlan(stack: ShippedStack): Promise<Plan> {
    return once(plans, stack, () => buildPlan({ stack, config: stackConfig(stack) }));
}

export function shippedEvaluation(stack: ShippedStack): Promise<Evaluation> {
    return once(evaluations, stack, () => evaluateStack({ stack, config: stackConfig(stack) }));
}

/**
 * A run of the program under the test mocks (the quickstart's world) with the stack file as shipped: `pulumi up` by
 * default, `pulumi preview` with `preview`. For `pulumi up` of prod, with the bootstrap outputs the stack file marks
 * to copy in (tests/support/configs.ts), as a real deployment would have them.
 */
export function shippedRun(stack: ShippedStack, options: { readonly preview?: boolean } = {}): Promise<ProgramRun> {
    const preview = options.preview ?? false;
    return once(runs, `${stack}:${preview ? "preview" : "up"}`, () => {
        const config = stack === "prod" && !preview ? withBootstrapOutputs(stackConfig(stack)) : stackConfig(stack);
        return runProgram({ config, stack, preview }).then(frozen);
    });
}

/** The value `make` gives for `key`, made on the first call only. */
function once<K, V>(cache: Map<K, Promise<V>>, key: K, make: () => Promise<V>): Promise<V> {
    let value = cache.get(key);
    if (value === undefined) {
        value = make();
        cache.set(key, value);
    }
    return value;
}

/**
 * The shared run, with what its readers see frozen: its registrations, its outputs and the record of the reads the
 * mocks answered. A test that changes them (or calls the mocks again, which records another read) fails where it does
 * so, instead of a test in another file failing later, depending on the order files run in.
 */
function frozen(run: ProgramRun): ProgramRun {
    deepFreeze(run.resources);
    deepFreeze(run.outputs);
    Object.freeze(run.mocks.calls);
    return run;
}

function deepFreeze(value: unknown): void {
    if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const child of Object.values(value)) {
            deepFreeze(child);
        }
    }
}
