import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parse } from "yaml";

import { AKS_ENTRA_SERVER_APP_ID, entraExecKubeconfig } from "../components/entraKubeconfig";
import { GREENFIELD_CONFIG } from "./support/configs";
import { at, runProgram, single, UNKNOWN, type ProgramRun, type RegisteredResource } from "./support/program";
import { withWarnings } from "./support/warnings";
import { certificateKubeconfig, TEST_ADMIN_GROUP_ID, TEST_TENANT_ID } from "./support/world";

/**
 * A cluster the stack creates accepts Microsoft Entra ID sign-ins only (issue 11): AKS-managed Entra integration with
 * Azure RBAC, local accounts disabled, the deploying identity in through the admin group, and a kubeconfig that signs
 * in through kubelogin. And the order the engine follows: nothing on Kubernetes before that cluster exists.
 */

type Kubeconfig = { users: { name: string; user: Record<string, unknown> }[] };

const CLUSTER_TYPE = "azure-native:containerservice:ManagedCluster";

function kubeconfigOf(run: ProgramRun): Kubeconfig {
    const provider = single(run.resources, "pulumi:providers:kubernetes");
    return parse(String(provider.inputs.kubeconfig)) as Kubeconfig;
}

/** The provider a resource was registered with (`<urn>::<id>`), as its URN. */
function providerUrn(resource: RegisteredResource): string {
    return resource.provider.split("::").slice(0, -1).join("::");
}

describe("a managed cluster, by default", () => {
    for (const preview of [false, true]) {
        const mode = preview ? "pulumi preview" : "pulumi up";

        it(`has AKS-managed Entra integration with Azure RBAC, the admin group, and no local accounts (${mode})`, async () => {
            const run = await runProgram({ config: GREENFIELD_CONFIG, stack: "green", preview });
            const cluster = single(run.resources, CLUSTER_TYPE);
            assert.deepEqual(cluster.inputs.aadProfile, {
                managed: true,
                enableAzureRBAC: true,
                tenantID: TEST_TENANT_ID,
                adminGroupObjectIDs: [TEST_ADMIN_GROUP_ID],
            });
            assert.equal(cluster.inputs.disableLocalAccounts, true);
        });

        it(`registers no Kubernetes object the deployer could not authenticate for (${mode})`, async () => {
            const run = await runProgram({ config: GREENFIELD_CONFIG, stack: "green", preview });
            const cluster = single(run.resources, CLUSTER_TYPE);
            const provider = single(run.resources, "pulumi:providers:kubernetes");
            // The provider's kubeconfig is derived from the cluster resource that carries the admin group: the engine
            // creates the provider (and so every object it manages) only after that cluster exists.
            assert.ok(
                provider.propertyDependencies.kubeconfig?.includes(cluster.urn),
                `kubeconfig depends on ${JSON.stringify(provider.propertyDependencies.kubeconfig)}`,
            );
            assert.deepEqual(at(cluster.inputs, "aadProfile.adminGroupObjectIDs"), [TEST_ADMIN_GROUP_ID]);
            const objects = run.resources.filter((resource) => resource.type.startsWith("kubernetes:"));
            assert.ok(objects.length >= 5, `only ${objects.length} Kubernetes objects`);
            for (const object of objects) {
                assert.equal(providerUrn(object), provider.urn, `${object.type} ${object.name} uses another provider`);
            }
            const order = run.resources.map((resource) => resource.urn);
            assert.ok(order.indexOf(cluster.urn) < order.indexOf(provider.urn));
        });
    }

    it("gives the Kubernetes provider a kubelogin kubeconfig in the configured non-interactive mode", async () => {
        const config = {
            ...GREENFIELD_CONFIG,
            "aks-openai-wi:cluster": {
                ...(GREENFIELD_CONFIG["aks-openai-wi:cluster"] as object),
                kubeloginMode: "workloadidentity",
            },
        };
        const run = await runProgram({ config, stack: "green" });
        const [entry] = kubeconfigOf(run).users;
        const exec = entry.user.exec as { command: string; args: string[] };
        assert.equal(exec.command, "kubelogin");
        assert.deepEqual(exec.args, [
            "get-token",
            "--login",
            "workloadidentity",
            "--server-id",
            AKS_ENTRA_SERVER_APP_ID,
        ]);
        assert.equal(entry.user["client-certificate-data"], undefined);
    });

    it("leaves the kubeconfig unknown in a first preview, as the cluster does not exist yet", async () => {
        const run = await runProgram({ config: GREENFIELD_CONFIG, stack: "green", preview: true });
        assert.equal(single(run.resources, "pulumi:providers:kubernetes").inputs.kubeconfig, UNKNOWN);
    });

    it("logs no access warning", async () => {
        const { warnings } = await withWarnings(() => runProgram({ config: GREENFIELD_CONFIG, stack: "green" }));
        assert.deepEqual(
            warnings.filter((w) => /localAccounts|adminGroupObjectIds/.test(w)),
            [],
        );
    });
});

describe("a managed cluster with cluster.localAccounts enabled (a throwaway)", () => {
    const config = {
        ...GREENFIELD_CONFIG,
        "aks-openai-wi:cluster": { mode: "managed", name: "aks-throwaway", localAccounts: "enabled" },
    };

    it("keeps local accounts and has no Entra profile", async () => {
        const run = await runProgram({ config, stack: "green" });
        const cluster = single(run.resources, CLUSTER_TYPE);
        assert.equal(cluster.inputs.aadProfile, undefined);
        assert.equal(cluster.inputs.disableLocalAccounts, false);
    });

    it("uses the client-certificate kubeconfig AKS returns, unchanged", async () => {
        const run = await runProgram({ config, stack: "green" });
        assert.equal(
            single(run.resources, "pulumi:providers:kubernetes").inputs.kubeconfig,
            certificateKubeconfig("aks-throwaway"),
        );
    });

    it("warns that the user credential is then a cluster-admin certificate", async () => {
        const { warnings } = await withWarnings(() => runProgram({ config, stack: "green" }));
        const found = warnings.filter((w) => w.startsWith('cluster.localAccounts is "enabled"'));
        assert.equal(found.length, 1, warnings.join("\n"));
        assert.match(found[0], /AKS cluster aks-throwaway is created without Microsoft Entra integration/);
        assert.match(found[0], /returns a client certificate with cluster-admin rights/);
    });
});

describe("the Entra-only kubeconfig", () => {
    it("replaces a user that does not run kubelogin with the AKS kubelogin user, in the configured mode", () => {
        const converted = parse(entraExecKubeconfig(certificateKubeconfig("c"), "spn", TEST_TENANT_ID)) as Kubeconfig;
        assert.deepEqual(converted.users, [
            {
                name: "clusterUser",
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "kubelogin",
                        args: [
                            "get-token",
                            "--login",
                            "spn",
                            "--server-id",
                            AKS_ENTRA_SERVER_APP_ID,
                            "--tenant-id",
                            TEST_TENANT_ID,
                        ],
                        env: null,
                        provideClusterInfo: false,
                        interactiveMode: "IfAvailable",
                    },
                },
            },
        ]);
    });

    it("names a national cloud to kubelogin when the ARM endpoint is one, and no environment for the public cloud", () => {
        const argsFor = (armEndpoint?: string) =>
            (
                parse(
                    entraExecKubeconfig(certificateKubeconfig("c"), "workloadidentity", TEST_TENANT_ID, armEndpoint),
                ) as Kubeconfig
            ).users.map((entry) => (entry.user as { exec: { args: string[] } }).exec.args.join(" "));
        assert.deepEqual(argsFor("https://management.usgovcloudapi.net/"), [
            // workloadidentity reads the tenant from AZURE_TENANT_ID, as `kubelogin convert-kubeconfig` writes it.
            `get-token --login workloadidentity --server-id ${AKS_ENTRA_SERVER_APP_ID} --environment AzureUSGovernmentCloud`,
        ]);
        assert.deepEqual(argsFor("https://management.azure.com/"), argsFor(undefined));
        assert.doesNotMatch(argsFor(undefined)[0], /--environment/);
    });

    it("leaves a kubeconfig whose users already run kubelogin non-interactively exactly as it is", () => {
        const converted = entraExecKubeconfig(certificateKubeconfig("c"), "azurecli", TEST_TENANT_ID);
        // A comment survives only if the text is passed through, not parsed and written again.
        const text = `# kubeconfig of cluster c\n${converted}`;
        assert.equal(entraExecKubeconfig(text, "azurecli", TEST_TENANT_ID), text);
    });

    it("refuses a kubeconfig without users", () => {
        const text = "apiVersion: v1\nkind: Config\nclusters: []\nusers: []\n";
        assert.throws(() => entraExecKubeconfig(text, "azurecli", TEST_TENANT_ID), /without users/);
    });
});
