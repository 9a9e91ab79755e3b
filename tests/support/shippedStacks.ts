import { evaluateStack, type Evaluation } from "../../tools/plan/evaluate";
import { buildPlan, type Plan } from "../../tools/plan/plan";
import { stackConfig } from "./program";

/**
 * The plan and the evaluation of each stack file as shipped (Pulumi.dev.yaml, Pulumi.prod.yaml), built once per test
 * process: several test files read them, and npm test runs a few files per process (tests/support/runTests.cjs).
 * Readers must not change them; both are deeply readonly in their types. A test about how a plan is built (the order
 * of two evaluations in one process, say) builds its own.
 */

type ShippedStack = "dev" | "prod";

const plans = new Map<ShippedStack, Promise<Plan>>();
const evaluations = new Map<ShippedStack, Promise<Evaluation>>();

export function shippedPlan(stack: ShippedStack): Promise<Plan> {
    let plan = plans.get(stack);
    if (plan === undefined) {
        plan = buildPlan({ stack, config: stackConfig(stack) });
        plans.set(stack, plan);
    }
    return plan;
}

export function shippedEvaluation(stack: ShippedStack): Promise<Evaluation> {
    let evaluation = evaluations.get(stack);
    if (evaluation === undefined) {
        evaluation = evaluateStack({ stack, config: stackConfig(stack) });
        evaluations.set(stack, evaluation);
    }
    return evaluation;
}
