import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";

import { analyzeDeployerAccess } from "../tools/plan/deployerAccess";
import type { Evaluation } from "../tools/plan/evaluate";
import { buildPlan, type Plan } from "../tools/plan/plan";
import { renderText } from "../tools/plan/render";
import { PROJECT_ROOT, stackConfig } from "./support/program";
import { shippedPlan, shippedEvaluation } from "./support/shippedStacks";

/**
 * `npm run plan` shows, per stack, how the identity that runs `pulumi up` signs in to Kubernetes and with what rights
 * (issue 11), from what the program registers: the provider's kubeconfig and the cluster's Entra profile.
 */

const PROD_GROUP = "<object id of the prod cluster admin group: bootstrap/github-oidc output adminGroupObjectIds.prod>";

let prod: Plan;
let dev: Plan;

before(async () => {
    prod = await shippedPlan("prod");
    dev = await shippedPlan("dev");
});

describe("the prod plan's deployer access", () => {
    it("is Entra ID through kubelogin in CI's mode, cluster-admin through the admin group, no local accounts", () => {
        assert.deepEqual(prod.deployerAccess, {
            cluster: "AKS cluster aks-store-prod (created by this stack)",
            login: "Entra ID via kubelogin (workloadidentity) as the federated identity in AZURE_CLIENT_ID (GitHub Actions OIDC in CI)",
            rights: `admin group ${PROD_GROUP} (cluster-admin); Azure RBAC decides what other identities may do`,
            localAccounts: "disabled",
            summary:
                "Entra ID via kubelogin (workloadidentity) as the federated identity in AZURE_CLIENT_ID (GitHub Actions " +
                `OIDC in CI), admin group ${PROD_GROUP} (cluster-admin); Azure RBAC decides what other identities may ` +
                "do; local accounts disabled",
        });
    });

    it("is printed in its own section", () => {
        const text = renderText(prod).split("\n");
        const start = text.indexOf("DEPLOYER ACCESS (how `pulumi up` signs in to Kubernetes, and with what rights)");
        assert.ok(start > 0);
        assert.deepEqual(text.slice(start + 1, start + 5), [
            "  cluster:        AKS cluster aks-store-prod (created by this stack)",
            "  signs in with:  Entra ID via kubelogin (workloadidentity) as the federated identity in AZURE_CLIENT_ID (GitHub Actions OIDC in CI)",
            `  rights:         admin group ${PROD_GROUP} (cluster-admin); Azure RBAC decides what other identities may do`,
            "  local accounts: disabled",
        ]);
    });

    it("is what docs/entra-cluster-access.md shows, line for line", () => {
        const doc = readFileSync(path.join(PROJECT_ROOT, "docs", "entra-cluster-access.md"), "utf8");
        const block = /```text\n(DEPLOYER ACCESS[\s\S]*?)\n```/.exec(doc);
        assert.ok(block, "no DEPLOYER ACCESS block in docs/entra-cluster-access.md");
        const printed = renderText(prod).split("\n");
        const start = printed.findIndex((line) => line.startsWith("DEPLOYER ACCESS"));
        assert.deepEqual(block[1].split("\n"), printed.slice(start, start + 5));
    });

    it("lists the marked admin group as a value of the stack file", () => {
        assert.deepEqual(
            prod.placeholders.filter((p) => p.text === PROD_GROUP),
            [{ text: PROD_GROUP, kind: "stack file" }],
        );
    });

    it("passes the mandatory cluster-access policy, and exits 0", () => {
        const result = prod.policies.results.find((r) => r.policy === "aks-entra-only-access-production");
        assert.equal(result?.status, "pass");
        assert.equal(prod.summary.exitCode, 0);
    });
});

describe("the dev plan's deployer access (an existing cluster)", () => {
    it("is the Azure CLI's account through kubelogin, with rights and local accounts only Azure knows", () => {
        assert.deepEqual(
            { ...dev.deployerAccess, summary: undefined },
            {
                cluster: "AKS cluster myAKSCluster (existing; this stack does not change who may sign in)",
                login: "Entra ID via kubelogin (azurecli) as the account signed in to the Azure CLI",
                rights:
                    "whatever the signed-in identity holds on cluster myAKSCluster: Azure RBAC or Kubernetes RBAC roles, " +
                    "or cluster-admin through a certificate when local accounts are on (read at deploy time)",
                localAccounts:
                    "disabled only if <whether cluster myAKSCluster has local accounts disabled: read at deploy time> is true",
                summary: undefined,
            },
        );
    });

    it("carries the program's local-accounts warning with this cluster's command", () => {
        const warning = dev.warnings.find((w) => w.startsWith("AKS cluster myAKSCluster keeps local accounts"));
        assert.ok(warning, dev.warnings.join("\n"));
        assert.ok(warning.includes("az aks update -g myResourceGroup -n myAKSCluster --enable-aad"));
        assert.ok(warning.includes("az aks rotate-certs -g myResourceGroup -n myAKSCluster"));
    });
});

describe("a prod stack with local accounts turned on", () => {
    let plan: Plan;
    before(async () => {
        const config = stackConfig("prod");
        const { adminGroupObjectIds: _ids, ...cluster } = config["aks-openai-wi:cluster"] as Record<string, unknown>;
        plan = await buildPlan({
            stack: "prod",
            config: { ...config, "aks-openai-wi:cluster": { ...cluster, localAccounts: "enabled" } },
        });
    });

    it("shows the certificate and its cluster-admin rights", () => {
        assert.equal(plan.deployerAccess.login, "a local account's client certificate (no Entra ID)");
        assert.match(plan.deployerAccess.rights, /^cluster-admin through the local account's client certificate/);
        assert.equal(plan.deployerAccess.localAccounts, "enabled");
    });

    it("fails the mandatory policy and the plan's exit status", () => {
        const result = plan.policies.results.find((r) => r.policy === "aks-entra-only-access-production");
        assert.equal(result?.status, "fail");
        assert.equal(result?.enforcementLevel, "mandatory");
        assert.equal(plan.summary.exitCode, 1);
    });
});

describe("the judgement itself", () => {
    let evaluation: Evaluation;
    before(async () => {
        evaluation = await shippedEvaluation("prod");
    });

    it("reads the rights from the cluster's Entra profile: without an admin group the deployer has none", () => {
        const resources = evaluation.resources.map((resource) =>
            resource.type === "azure-native:containerservice:ManagedCluster"
                ? {
                      ...resource,
                      inputs: {
                          ...resource.inputs,
                          aadProfile: { ...(resource.inputs.aadProfile as object), adminGroupObjectIDs: [] },
                      },
                  }
                : resource,
        );
        const access = analyzeDeployerAccess({ resources, reads: evaluation.reads });
        assert.match(access.rights, /^none: the cluster has no admin group/);
    });

    it("reads the login from the provider's kubeconfig, not from the configuration", () => {
        const resources = evaluation.resources.map((resource) =>
            resource.type === "pulumi:providers:kubernetes"
                ? {
                      ...resource,
                      inputs: {
                          ...resource.inputs,
                          kubeconfig: String(resource.inputs.kubeconfig).replace("workloadidentity", "devicecode"),
                      },
                  }
                : resource,
        );
        assert.equal(
            analyzeDeployerAccess({ resources, reads: evaluation.reads }).login,
            "Entra ID via kubelogin (devicecode) as a person at a browser (interactive: hangs in CI)",
        );
    });
});
