import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { ArmReader, ClusterIssuer } from "../tools/verify/checks";
import { runChecks } from "../tools/verify/checks";
import { CLUSTER_ACCESS_TITLE, clusterAccessCheck } from "../tools/verify/clusterAccessCheck";
import { parseOutputs } from "../tools/verify/outputs";
import { formatReport } from "../tools/verify/report";
import { CLUSTER_ID, fakeArm, fakeKube, healthyScenario } from "./support/verifyFixtures";

/**
 * `npm run verify` on a cluster that keeps local accounts (issue 11): a warning, never a failure, with the command
 * that turns them off for this cluster and what it breaks.
 */

function armWith(cluster: Partial<ClusterIssuer>, reads: string[] = []): ArmReader {
    const base = fakeArm(healthyScenario());
    return {
        ...base,
        getCluster: (clusterId) => {
            reads.push(clusterId);
            return Promise.resolve({ oidcIssuerEnabled: true, issuerUrl: undefined, ...cluster });
        },
    };
}

describe("verify's cluster access check", () => {
    it("passes when local accounts are off", async () => {
        const result = await clusterAccessCheck(
            armWith({ disableLocalAccounts: true, entraManaged: true }),
            CLUSTER_ID,
        );
        assert.deepEqual(result, {
            title: CLUSTER_ACCESS_TITLE,
            status: "pass",
            details: ["cluster myAKSCluster: disableLocalAccounts true, AKS-managed Entra integration on"],
        });
    });

    it("warns while local accounts are on, with this cluster's command and what turning them off breaks", async () => {
        const result = await clusterAccessCheck(
            armWith({ disableLocalAccounts: false, entraManaged: true }),
            CLUSTER_ID,
        );
        assert.equal(result.status, "warn");
        assert.equal(result.fix, "az aks update -g myResourceGroup -n myAKSCluster --disable-local-accounts");
        assert.match(
            result.details[0],
            /^AKS cluster myAKSCluster keeps local accounts \(disableLocalAccounts is false\)/,
        );
        assert.match(result.details[0], /old CI jobs/);
        assert.match(result.details[0], /az aks rotate-certs -g myResourceGroup -n myAKSCluster/);
    });

    it("asks for Entra integration in the same command on a cluster without it", async () => {
        const result = await clusterAccessCheck(armWith({}), CLUSTER_ID);
        assert.equal(
            result.fix,
            "az aks update -g myResourceGroup -n myAKSCluster --enable-aad --enable-azure-rbac " +
                "--aad-admin-group-object-ids <group object id> --disable-local-accounts",
        );
        assert.match(result.details[0], /\(disableLocalAccounts is not set\)/);
    });

    it("skips, saying why, when the cluster is not known or cannot be read", async () => {
        assert.equal((await clusterAccessCheck(armWith({}), undefined)).status, "skip");
        const failing: ArmReader = {
            ...armWith({}),
            getCluster: () => Promise.reject(new Error("403 Forbidden\nmore")),
        };
        assert.deepEqual((await clusterAccessCheck(failing, CLUSTER_ID)).details, [
            "could not read the cluster: 403 Forbidden",
        ]);
    });

    it("never fails verify, and the summary counts the warning", async () => {
        const scenario = healthyScenario();
        const outputs = parseOutputs(scenario.outputs, "t");
        const reads: string[] = [];
        const results = await runChecks(outputs, fakeKube(scenario), armWith({ disableLocalAccounts: false }, reads), {
            call: false,
        });
        assert.deepEqual(
            results.filter((result) => result.status === "warn").map((result) => result.title),
            [CLUSTER_ACCESS_TITLE],
        );
        assert.equal(results.filter((result) => result.status === "fail").length, 1, "the issuer check (no URL)");
        assert.deepEqual(reads, [CLUSTER_ID], "the issuer check and this one share one read of the cluster");
        const report = formatReport("stack dev", outputs, results).split("\n");
        assert.equal(report.at(-1), "1 check failed: 6 passed, 1 failed, 1 skipped; 1 warning.");
        assert.ok(report.includes(`[WARN] ${CLUSTER_ACCESS_TITLE}`));
    });
});
