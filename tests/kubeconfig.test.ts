import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parse } from "yaml";

import { decodeKubeconfig, kubeloginEnvironment, withNonInteractiveLogin } from "../components/kubeconfig";
import { firstUserKubeconfig } from "../components/userKubeconfig";
import { certificateKubeconfig, entraKubeconfig, TEST_TENANT_ID } from "./support/world";

type Kubeconfig = { users: { user: { exec?: { command: string; args: string[] } } }[] };

function execArgs(kubeconfig: string): string[] | undefined {
    return (parse(kubeconfig) as Kubeconfig).users[0].user.exec?.args;
}

describe("kubeconfig", () => {
    it("decodes the base64 kubeconfig AKS returns", () => {
        const text = entraKubeconfig("myAKSCluster");
        assert.equal(decodeKubeconfig(Buffer.from(text).toString("base64")), text);
    });

    it("refuses a value that does not decode to a kubeconfig", () => {
        assert.throws(() => decodeKubeconfig(Buffer.from("hello").toString("base64")), /not a kubeconfig/);
    });

    it("replaces devicecode with azurecli, keeping only the server id, as kubelogin convert-kubeconfig does", () => {
        const converted = withNonInteractiveLogin(entraKubeconfig("myAKSCluster"), "azurecli");
        assert.deepEqual(execArgs(converted), [
            "get-token",
            "--login",
            "azurecli",
            "--server-id",
            "6dae42f8-4368-4678-94ff-3960e28e3630",
        ]);
    });

    it("uses workloadidentity for CI, which reads its client and tenant from the environment", () => {
        assert.deepEqual(execArgs(withNonInteractiveLogin(entraKubeconfig("c"), "workloadidentity")), [
            "get-token",
            "--login",
            "workloadidentity",
            "--server-id",
            "6dae42f8-4368-4678-94ff-3960e28e3630",
        ]);
    });

    it("keeps tenant and environment for spn, and drops the Azure CLI's public client id", () => {
        assert.deepEqual(execArgs(withNonInteractiveLogin(entraKubeconfig("c"), "spn")), [
            "get-token",
            "--login",
            "spn",
            "--server-id",
            "6dae42f8-4368-4678-94ff-3960e28e3630",
            "--tenant-id",
            TEST_TENANT_ID,
            "--environment",
            "AzurePublicCloud",
        ]);
    });

    it("leaves a kubeconfig with client certificates exactly as it is", () => {
        const text = certificateKubeconfig("platform-aks");
        assert.equal(withNonInteractiveLogin(text, "azurecli"), text);
    });

    it("leaves a kubelogin user that already logs in non-interactively as it is", () => {
        const text = withNonInteractiveLogin(entraKubeconfig("c"), "workloadidentity");
        assert.equal(withNonInteractiveLogin(text, "azurecli"), text);
    });

    describe("national clouds: --environment from the configured ARM endpoint", () => {
        const SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

        it("names kubelogin's environment for each cloud's ARM endpoint (stated here: go-autorest's names)", () => {
            assert.deepEqual(
                [
                    "https://management.azure.com/",
                    "https://management.usgovcloudapi.net/",
                    "https://management.chinacloudapi.cn/",
                    "https://management.local.azurestack.external/",
                    "not a url",
                ].map(kubeloginEnvironment),
                ["AzurePublicCloud", "AzureUSGovernmentCloud", "AzureChinaCloud", undefined, undefined],
            );
        });

        it("workloadidentity in US Government: --environment AzureUSGovernmentCloud (kubelogin's authority for GitHub)", () => {
            assert.deepEqual(
                execArgs(
                    withNonInteractiveLogin(
                        entraKubeconfig("c"),
                        "workloadidentity",
                        "https://management.usgovcloudapi.net/",
                    ),
                ),
                [
                    "get-token",
                    "--login",
                    "workloadidentity",
                    "--server-id",
                    SERVER_ID,
                    "--environment",
                    "AzureUSGovernmentCloud",
                ],
            );
        });

        it("azurecli in China: --environment AzureChinaCloud", () => {
            assert.deepEqual(
                execArgs(
                    withNonInteractiveLogin(entraKubeconfig("c"), "azurecli", "https://management.chinacloudapi.cn/"),
                ),
                ["get-token", "--login", "azurecli", "--server-id", SERVER_ID, "--environment", "AzureChinaCloud"],
            );
        });

        it("spn: the configured cloud replaces the public cloud AKS wrote", () => {
            assert.deepEqual(
                execArgs(withNonInteractiveLogin(entraKubeconfig("c"), "spn", "https://management.usgovcloudapi.net/")),
                [
                    "get-token",
                    "--login",
                    "spn",
                    "--server-id",
                    SERVER_ID,
                    "--tenant-id",
                    TEST_TENANT_ID,
                    "--environment",
                    "AzureUSGovernmentCloud",
                ],
            );
        });

        it("the public cloud's endpoint changes nothing (kubelogin's default)", () => {
            assert.equal(
                withNonInteractiveLogin(entraKubeconfig("c"), "workloadidentity", "https://management.azure.com/"),
                withNonInteractiveLogin(entraKubeconfig("c"), "workloadidentity"),
            );
        });
    });
});

describe("the user kubeconfig AKS returns", () => {
    it("is the first one listed, decoded and made non-interactive", () => {
        const listed = [certificateKubeconfig("first"), certificateKubeconfig("second")].map((text) => ({
            value: Buffer.from(text).toString("base64"),
        }));
        assert.equal(firstUserKubeconfig(listed, "azurecli"), certificateKubeconfig("first"));
    });

    it("is refused when AKS returns none, with how to check the permission", () => {
        assert.throws(
            () => firstUserKubeconfig([], "azurecli"),
            /^Error: The cluster returned no user kubeconfig; check that you may list its user credentials \(az aks get-credentials\)\.$/,
        );
    });
});
