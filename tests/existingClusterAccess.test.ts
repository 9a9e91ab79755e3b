import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { disableLocalAccountsCommand, localAccountsWarning } from "../components/localAccountsAdvice";
import { runProgram, stackConfig } from "./support/program";
import { withWarnings } from "./support/warnings";
import { SEED_RESOURCE_GROUP, seedWorld, type ExistingCluster, type World } from "./support/world";

/**
 * An existing cluster that keeps local accounts (issue 11): the stack does not own who may sign in to it, so it
 * changes nothing there, but `pulumi preview`/`up` say so, with the command that turns them off for this cluster and
 * what that breaks. (`npm run plan` prints these same warnings; `npm run verify` has its own check.)
 */

function worldWith(change: Partial<ExistingCluster>): World {
    const world = seedWorld();
    const key = `${SEED_RESOURCE_GROUP}/myAKSCluster`;
    return { ...world, clusters: { ...world.clusters, [key]: { ...world.clusters[key], ...change } } };
}

async function warningsOf(world: World, preview: boolean): Promise<string[]> {
    const { value: run, warnings } = await withWarnings(() =>
        runProgram({ config: stackConfig("dev"), stack: "dev", world, preview }),
    );
    assert.ok(run.resources.length > 0);
    return warnings.filter((warning) => warning.includes("local accounts"));
}

describe("an existing cluster with local accounts", () => {
    for (const preview of [false, true]) {
        const mode = preview ? "pulumi preview" : "pulumi up";

        it(`is warned about with the command for this cluster, when Entra integration is on (${mode})`, async () => {
            const [warning, ...more] = await warningsOf(worldWith({ entraEnabled: true }), preview);
            assert.deepEqual(more, []);
            assert.match(warning, /^AKS cluster myAKSCluster keeps local accounts \(disableLocalAccounts is false\): /);
            assert.ok(
                warning.includes(
                    "Turn them off: az aks update -g myResourceGroup -n myAKSCluster --disable-local-accounts. It breaks",
                ),
                warning,
            );
            assert.ok(warning.includes("az aks rotate-certs -g myResourceGroup -n myAKSCluster"), warning);
            assert.ok(warning.includes("az aks get-credentials --admin and every kubeconfig holding"), warning);
            assert.ok(!warning.includes("--enable-aad"), warning);
        });

        it(`asks for Entra integration first on a cluster without it (${mode})`, async () => {
            const [warning] = await warningsOf(worldWith({ entraEnabled: false }), preview);
            assert.ok(
                warning.includes(
                    "Turn them off: az aks update -g myResourceGroup -n myAKSCluster --enable-aad --enable-azure-rbac " +
                        "--aad-admin-group-object-ids <group object id> --disable-local-accounts.",
                ),
                warning,
            );
            assert.ok(warning.includes("this one has none yet (aadProfile.managed is not set)"), warning);
        });

        it(`is not warned about once local accounts are off (${mode})`, async () => {
            assert.deepEqual(await warningsOf(worldWith({ localAccountsDisabled: true }), preview), []);
        });
    }
});

describe("the local-accounts advice", () => {
    it("names the cluster's own resource group and name", () => {
        assert.equal(
            disableLocalAccountsCommand({
                resourceGroupName: "rg-shop",
                clusterName: "aks-shop",
                disableLocalAccounts: false,
                entraManaged: true,
            }),
            "az aks update -g rg-shop -n aks-shop --disable-local-accounts",
        );
    });

    it("treats an unset disableLocalAccounts as on, as AKS does", () => {
        const warning = localAccountsWarning({
            resourceGroupName: "rg",
            clusterName: "c",
            disableLocalAccounts: undefined,
            entraManaged: true,
        });
        assert.match(warning ?? "", /^AKS cluster c keeps local accounts \(disableLocalAccounts is not set\)/);
    });

    it("for a cluster without Entra integration whose values ARM returned as null, reads in full as follows", () => {
        // The whole text, as `pulumi up`, the plan and verify print it: what the risk is, the command (Entra first),
        // what it breaks and the certificate rotation. ARM's JSON null is "not set", never "null".
        const warning = localAccountsWarning({
            resourceGroupName: "rg-shop",
            clusterName: "aks-shop",
            disableLocalAccounts: null,
            entraManaged: null,
        });
        assert.equal(
            warning,
            "AKS cluster aks-shop keeps local accounts (disableLocalAccounts is not set): whoever may list its " +
                "credentials gets a client certificate with cluster-admin rights (az aks get-credentials --admin; on a " +
                "cluster without Entra integration the user credential too), and what it does is not audited per " +
                "person. Turn them off: az aks update -g rg-shop -n aks-shop --enable-aad --enable-azure-rbac " +
                "--aad-admin-group-object-ids <group object id> --disable-local-accounts. Local accounts can be turned " +
                "off only on a cluster with Microsoft Entra integration, and this one has none yet (aadProfile.managed " +
                "is not set): --enable-aad turns it on in the same command, with an Entra group that gets " +
                "cluster-admin. It breaks whatever signs in with a certificate: az aks get-credentials --admin and " +
                "every kubeconfig holding the cluster's client certificate (old CI jobs, scripts) stop working; move " +
                "them to kubelogin and an Entra identity first. Afterwards rotate the cluster certificates, so the " +
                "ones already handed out stop working: az aks rotate-certs -g rg-shop -n aks-shop (plan for " +
                "downtime: https://learn.microsoft.com/azure/aks/certificate-rotation).",
        );
    });
});
