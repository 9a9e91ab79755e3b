import type { Policies } from "@pulumi/policy";

import { auditPolicies } from "./auditPolicies";
import { clusterAccessPolicies } from "./clusterAccessPolicies";
import { networkPolicies } from "./networkPolicies";
import { resourcePolicies } from "./resourcePolicies";
import { stackPolicies } from "./stackPolicies";

/**
 * The guardrails of keyless workload identity to Azure OpenAI, as data: `index.ts` serves them to the Pulumi engine
 * (`pulumi preview --policy-pack policy`), and tests and tools run them directly on recorded resources
 * (tools/engine/policyHarness.ts). See docs/policy.md for each policy, its enforcement level and why.
 */
export const policies: Policies = [
    ...resourcePolicies,
    ...clusterAccessPolicies,
    ...stackPolicies,
    ...auditPolicies,
    ...networkPolicies,
];
