import assert from "node:assert/strict";
import { before, describe, it } from "node:test";

import * as appsv1 from "@pulumi/kubernetes/apps/v1";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import type { Policies } from "@pulumi/policy";

import { OPENAI_USER_ROLE_ID } from "../components/constants";
import type { Evaluation } from "../tools/plan/evaluate";
import { assemblePlan } from "../tools/plan/plan";
import { ACCOUNT_VALUE_FOR_POLICIES, POLICY_PACK, runPolicies } from "../tools/plan/policyAdapter";
import { shippedEvaluation } from "./support/shippedStacks";

/** "Cognitive Services User" (it can list the account's keys), stated here rather than borrowed from the program. */
const COGNITIVE_SERVICES_USER_ROLE_ID = "a97b65f3-24c7-4388-baec-2e87135dc908";

/**
 * The plan runs a CrossGuard policy pack on the same registrations, as `pulumi preview --policy-pack` would: resource
 * policies see inputs, stack policies see outputs with parents and dependencies, values a preview cannot know are
 * unknown (a policy touching one is "not judged", never violated), and the deploying account's subscription has its
 * shape. These tests drive the adapter with small policies written for them.
 */

let evaluation: Evaluation;

before(async () => {
    evaluation = await shippedEvaluation("dev");
});

const run = (policies: Policies) => runPolicies(policies, evaluation.resources, evaluation.placeholders, "test");

describe("the policy pack on the dev plan", () => {
    it("passes every policy, and judges every one despite the placeholders", async () => {
        const report = await runPolicies(POLICY_PACK, evaluation.resources, evaluation.placeholders);
        assert.equal(report.source, "policy/policies.ts");
        assert.equal(report.results.length, POLICY_PACK.length);
        assert.deepEqual(
            report.results.filter((result) => result.status !== "pass"),
            [],
        );
        assert.equal(report.mandatoryFailures, 0);
    });

    it("fails the mandatory least-privilege policy for a Cognitive Services User role, and the plan exits 1", async () => {
        const resources = structuredClone(evaluation.resources) as unknown as {
            type: string;
            inputs: Record<string, unknown>;
            state: Record<string, unknown>;
        }[];
        const role = resources.find((r) => r.type === "azure-native:authorization:RoleAssignment");
        assert.ok(role);
        role.inputs.roleDefinitionId = role.state.roleDefinitionId = String(role.inputs.roleDefinitionId).replace(
            OPENAI_USER_ROLE_ID,
            COGNITIVE_SERVICES_USER_ROLE_ID,
        );
        const mutated = { ...evaluation, resources: resources as unknown as Evaluation["resources"] };
        const report = await runPolicies(POLICY_PACK, mutated.resources, evaluation.placeholders);
        const failed = report.results.filter((result) => result.status === "fail");
        assert.deepEqual(
            failed.map((result) => [result.policy, result.enforcementLevel]),
            [
                ["no-privileged-role-to-service-principal", "advisory"],
                ["workload-identity-least-privilege", "mandatory"],
            ],
        );
        assert.equal(report.mandatoryFailures, 1);
        assert.deepEqual(assemblePlan(mutated, report).summary, {
            resources: 9,
            accessPathWhole: false,
            mandatoryPolicyFailures: 1,
            exitCode: 1,
        });
    });
});

describe("the policy adapter", () => {
    it("counts a mandatory violation, and the plan then exits 1", async () => {
        const report = await run([
            {
                name: "no-role-assignments",
                description: "test double",
                enforcementLevel: "mandatory",
                validateResource: (args, reportViolation) => {
                    if (args.type === "azure-native:authorization:RoleAssignment") {
                        reportViolation("role assignments are not allowed here");
                    }
                },
            },
        ]);
        assert.equal(report.mandatoryFailures, 1);
        assert.deepEqual(report.results[0].violations, [
            {
                resource: "workload-openai-user",
                urn: "urn:pulumi:dev::aks-openai-wi::aks-openai-wi:identity:WorkloadIdentity$azure-native:authorization:RoleAssignment::workload-openai-user",
                message: "role assignments are not allowed here",
            },
        ]);
        const plan = assemblePlan(evaluation, report);
        assert.equal(plan.summary.accessPathWhole, true);
        assert.equal(plan.summary.exitCode, 1);
    });

    it("does not count advisory violations against the exit status", async () => {
        const report = await run([
            {
                name: "advice",
                description: "test double",
                enforcementLevel: "advisory",
                validateResource: (args, reportViolation) => {
                    if (args.type === "kubernetes:apps/v1:Deployment") {
                        reportViolation("consider two replicas");
                    }
                },
            },
        ]);
        assert.equal(report.results[0].status, "fail");
        assert.equal(report.mandatoryFailures, 0);
        assert.equal(assemblePlan(evaluation, report).summary.exitCode, 0);
    });

    it("shows a value known only after apply as unknown: the policy is not judged, never violated", async () => {
        const report = await run([
            {
                name: "client-id-is-a-guid",
                description: "test double",
                enforcementLevel: "mandatory",
                validateResource: (args, reportViolation) => {
                    const sa = args.asType(corev1.ServiceAccount) as
                        { metadata: { annotations: Record<string, string> } } | undefined;
                    const clientId = sa?.metadata.annotations["azure.workload.identity/client-id"];
                    if (clientId !== undefined && !/^[0-9a-f-]{36}$/.test(clientId)) {
                        reportViolation(`not a GUID: ${clientId}`);
                    }
                },
            },
        ]);
        assert.equal(report.mandatoryFailures, 0);
        assert.equal(report.results[0].status, "not judged");
        assert.equal(report.results[0].notJudged.length, 1);
        assert.match(
            report.results[0].notJudged[0].message,
            /metadata\.annotations\.azure\.workload\.identity\/client-id can't be known during preview$/,
        );
    });

    it("shows the deploying account's subscription with its shape, as a real preview knows it", async () => {
        const scopes: string[] = [];
        await run([
            {
                name: "collect-scopes",
                description: "test double",
                enforcementLevel: "advisory",
                validateResource: (args) => {
                    if (args.type === "azure-native:authorization:RoleAssignment") {
                        scopes.push(String(args.props.scope));
                    }
                },
            },
        ]);
        assert.deepEqual(scopes, [
            `/subscriptions/${ACCOUNT_VALUE_FOR_POLICIES}/resourceGroups/myResourceGroup/providers/Microsoft.CognitiveServices/accounts/myOpenAI`,
        ]);
    });

    it("gives stack policies every resource with its outputs, parent and dependencies", async () => {
        const seen: string[] = [];
        await run([
            {
                name: "follow-the-deployment",
                description: "test double",
                enforcementLevel: "mandatory",
                validateStack: (args) => {
                    const deployment = args.resources.find((r) => r.isType(appsv1.Deployment));
                    assert.ok(deployment);
                    seen.push(`parent ${deployment.parent?.name}`);
                    seen.push(...deployment.dependencies.map((d) => `depends on ${d.name}`));
                },
            },
        ]);
        assert.deepEqual(seen, [
            "parent ai-service",
            "depends on workload-default-ai-service-account-sa",
            "depends on workload-primary-fic",
            "depends on workload-openai-user",
            "depends on cluster-workload-identity",
            "depends on workload-identity",
        ]);
    });

    it("skips disabled policies and reports a policy that throws", async () => {
        const report = await run([
            {
                name: "off",
                description: "test double",
                enforcementLevel: "disabled",
                validateResource: (_args, reportViolation) => reportViolation("never"),
            },
        ]);
        assert.equal(report.results[0].status, "pass");
        await assert.rejects(
            run([
                {
                    name: "crashes",
                    description: "test double",
                    validateResource: () => {
                        throw new Error("boom");
                    },
                },
            ]),
            /policy crashes failed: boom/,
        );
    });
});
