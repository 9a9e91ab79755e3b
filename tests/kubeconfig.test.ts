import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parse } from "yaml";

import {
    decodeKubeconfig,
    isKubeconfigDocument,
    kubeloginEnvironment,
    withNonInteractiveLogin,
} from "../components/kubeconfig";
import { firstUserKubeconfig } from "../components/userKubeconfig";
import { certificateKubeconfig, entraKubeconfig, TEST_TENANT_ID } from "./support/world";

type Kubeconfig = { users: { user: { exec?: { command: string; args: string[] } } }[] };

function execArgs(kubeconfig: string): string[] | undefined {
    return (parse(kubeconfig) as Kubeconfig).users[0].user.exec?.args;
}

const SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

/** The args of a converted user whose mode keeps only `--server-id` from AKS's. */
const serverIdOnly = (mode: string) => ["get-token", "--login", mode, "--server-id", SERVER_ID];

/**
 * A user kubeconfig as AKS and kubectl write it (Go's YAML: sorted keys, sequences not indented, unlike the `yaml`
 * package's output), whose one user runs `command` with `args`; without `exec`, a local account's client certificate.
 */
function goStyleKubeconfig(exec?: { command: string; args: readonly string[] }): string {
    const user =
        exec === undefined
            ? [
                  "    client-certificate-data: TFMwdExTMUNSVWRKVGlCRFJWSlVTVVpKUTBGVVJTMHRMUzB0Q2c9PQ==",
                  "    token: abc123",
              ]
            : [
                  "    exec:",
                  "      apiVersion: client.authentication.k8s.io/v1beta1",
                  "      args:",
                  ...exec.args.map((arg) => `      - ${arg}`),
                  `      command: ${exec.command}`,
                  "      env: null",
                  "      interactiveMode: IfAvailable",
                  "      provideClusterInfo: false",
              ];
    return [
        "apiVersion: v1",
        "clusters:",
        "- cluster:",
        "    certificate-authority-data: TFMwdExTMUNSVWRKVGlCRFJWSlVTVVpKUTBGVVJTMHRMUzB0Q2c9PQ==",
        "    server: https://c-dns-12345678.hcp.eastus.azmk8s.io:443",
        "  name: c",
        "contexts:",
        "- context:",
        "    cluster: c",
        "    user: clusterUser_myResourceGroup_c",
        "  name: c",
        "current-context: c",
        "kind: Config",
        "preferences: {}",
        "users:",
        "- name: clusterUser_myResourceGroup_c",
        "  user:",
        ...user,
        "",
    ].join("\n");
}

describe("kubeconfig", () => {
    it("decodes the base64 kubeconfig AKS returns", () => {
        const text = entraKubeconfig("myAKSCluster");
        assert.equal(decodeKubeconfig(Buffer.from(text).toString("base64")), text);
    });

    it("refuses a value that does not decode to a kubeconfig", () => {
        assert.throws(() => decodeKubeconfig(Buffer.from("hello").toString("base64")), /not a kubeconfig/);
    });

    it("finds the clusters section by its key, a space before the colon allowed, not by a longer key", () => {
        const spaced = "apiVersion: v1\nclusters :\n- name: c\nkind: Config\n";
        assert.equal(decodeKubeconfig(Buffer.from(spaced).toString("base64")), spaced);
        assert.throws(
            () => decodeKubeconfig(Buffer.from("kind: Status\nclusters-found: 0\n").toString("base64")),
            /not a kubeconfig/,
        );
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

    it("msi keeps the server id, its only flag from AKS", () => {
        assert.deepEqual(execArgs(withNonInteractiveLogin(entraKubeconfig("c"), "msi")), serverIdOnly("msi"));
    });

    it("replaces the interactive (browser) login too", () => {
        const text = goStyleKubeconfig({
            command: "kubelogin",
            args: ["get-token", "--server-id", SERVER_ID, "--login", "interactive"],
        });
        assert.deepEqual(execArgs(withNonInteractiveLogin(text, "azurecli")), serverIdOnly("azurecli"));
    });

    it("replaces a kubelogin user without --login: kubelogin's default login is devicecode", () => {
        const text = goStyleKubeconfig({ command: "kubelogin", args: ["get-token", "--server-id", SERVER_ID] });
        assert.deepEqual(execArgs(withNonInteractiveLogin(text, "workloadidentity")), serverIdOnly("workloadidentity"));
    });

    it("reads the --flag=value forms kubelogin accepts: --login=devicecode replaced, --server-id=<id> kept", () => {
        const text = goStyleKubeconfig({
            command: "kubelogin",
            args: ["get-token", `--server-id=${SERVER_ID}`, "--login=devicecode"],
        });
        assert.deepEqual(execArgs(withNonInteractiveLogin(text, "azurecli")), serverIdOnly("azurecli"));
    });

    it("reads the login mode from -l <mode> and --login=<mode>: devicecode replaced, azurecli left byte for byte", () => {
        const shortDevicecode = goStyleKubeconfig({
            command: "kubelogin",
            args: ["get-token", "--server-id", SERVER_ID, "-l", "devicecode"],
        });
        assert.deepEqual(execArgs(withNonInteractiveLogin(shortDevicecode, "azurecli")), serverIdOnly("azurecli"));
        for (const login of [["-l", "azurecli"], ["--login=azurecli"]]) {
            const text = goStyleKubeconfig({
                command: "kubelogin",
                args: ["get-token", "--server-id", SERVER_ID, ...login],
            });
            assert.equal(withNonInteractiveLogin(text, "workloadidentity"), text, login.join(" "));
        }
    });

    it("returns a kubeconfig with no kubelogin user byte for byte, not re-serialized", () => {
        const text = goStyleKubeconfig();
        assert.equal(withNonInteractiveLogin(text, "azurecli"), text);
    });

    it("recognizes kubelogin by its file name, with any directory and .exe; other commands are left byte for byte", () => {
        const devicecode = ["get-token", "--server-id", SERVER_ID, "--login", "devicecode"];
        for (const command of ["/usr/local/bin/kubelogin", "C:\\Program Files\\kubelogin\\kubelogin.exe"]) {
            assert.deepEqual(
                execArgs(withNonInteractiveLogin(goStyleKubeconfig({ command, args: devicecode }), "azurecli")),
                ["get-token", "--login", "azurecli", "--server-id", SERVER_ID],
                command,
            );
        }
        for (const command of ["/usr/local/bin/kubelogin-wrapper", "notkubelogin"]) {
            const text = goStyleKubeconfig({ command, args: devicecode });
            assert.equal(withNonInteractiveLogin(text, "azurecli"), text, command);
        }
    });

    describe("national clouds: --environment from the configured ARM endpoint", () => {
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

describe("isKubeconfigDocument", () => {
    it("accepts YAML and JSON (kubectl reads both) whose top level has a clusters list", () => {
        assert.equal(isKubeconfigDocument(entraKubeconfig("myAKSCluster")), true);
        assert.equal(isKubeconfigDocument(JSON.stringify(parse(entraKubeconfig("myAKSCluster")))), true);
        assert.equal(isKubeconfigDocument('{"apiVersion":"v1","clusters":[]}'), true);
    });

    it("refuses text that only mentions clusters, a clusters key that is not a list or not at the top, and bad YAML", () => {
        for (const text of [
            "clusters: see the producer stack",
            "clusters: {}",
            "clusters:",
            "config:\n  clusters: []\n",
            "- clusters: []\n",
            '"clusters: []"',
            "clusters: [\n",
            "clusters: []\nclusters: []\n",
            '{"clusters": [}',
            "",
        ]) {
            assert.equal(isKubeconfigDocument(text), false, text);
        }
    });
});
