import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parse } from "yaml";

import { DEFAULTS } from "../components/config";
import { at, isSecret, ofType, ProgramFailed, runProgram, single, stackConfig, UNKNOWN } from "./support/program";
import {
    certificateKubeconfig,
    entraKubeconfig,
    PLATFORM_ISSUER_URL,
    PLATFORM_STACK,
    seedWorld,
    worldWithPlatformStack,
    type ExistingAccount,
    type World,
} from "./support/world";
import { shippedRun } from "./support/shippedStacks";

/**
 * What the stack reads before it creates anything: the existing cluster, the existing account, another stack's
 * outputs. Every failure names the key, the value and the fix, and nothing is registered before it.
 */

function withAccount(world: World, account: Partial<ExistingAccount>): World {
    const key = "myResourceGroup/myOpenAI";
    return { ...world, accounts: { ...world.accounts, [key]: { ...world.accounts[key], ...account } } };
}

async function failure(config: Record<string, unknown>, world: World): Promise<ProgramFailed> {
    try {
        await runProgram({ config, stack: "dev", world });
    } catch (error) {
        assert.ok(error instanceof ProgramFailed, String(error));
        return error;
    }
    assert.fail("the program succeeded");
}

/** Only the stack itself (and, for stack mode, the reads of the referenced stack) may exist when discovery fails. */
function assertNothingCreated(error: ProgramFailed): void {
    const created = error.resources.filter(
        (resource) => resource.type !== "pulumi:pulumi:Stack" && resource.type !== "pulumi:pulumi:StackReference",
    );
    assert.deepEqual(
        created.map((resource) => resource.type),
        [],
    );
}

const STACK_MODE_CONFIG = {
    ...stackConfig("dev"),
    "aks-openai-wi:cluster": { mode: "stack", stackReference: PLATFORM_STACK },
};

describe("an existing OpenAI account", () => {
    it("without a custom subdomain fails, explaining that Entra auth needs one, before anything is created", async () => {
        const error = await failure(stackConfig("dev"), withAccount(seedWorld(), { customSubDomainName: undefined }));
        assert.match(
            error.message,
            /aks-openai-wi:openai\.accountName = "myOpenAI": the account has no custom subdomain/,
        );
        assert.match(error.message, /its endpoint is https:\/\/eastus\.api\.cognitive\.microsoft\.com\//);
        assert.match(error.message, /Please provide a custom subdomain for token authentication/);
        assert.match(
            error.message,
            /Fix: az cognitiveservices account update -g myResourceGroup -n myOpenAI --custom-domain/,
        );
        assertNothingCreated(error);
    });

    it("that does not exist fails with the key, the value and the fix", async () => {
        const config = {
            ...stackConfig("dev"),
            "aks-openai-wi:openai": { accountName: "myOpenAl", deploymentName: "gpt-4o-mini" },
        };
        const error = await failure(config, seedWorld());
        assert.match(
            error.message,
            /aks-openai-wi:openai\.accountName = "myOpenAl": could not read this Azure OpenAI account/,
        );
        assert.match(
            error.message,
            /Fix: check the name and resource group \(az cognitiveservices account list -g myResourceGroup/,
        );
        assertNothingCreated(error);
    });

    it("of kind AIServices is called on its OpenAI endpoint", async () => {
        const run = await runProgram({
            config: stackConfig("dev"),
            stack: "dev",
            world: withAccount(seedWorld(), { kind: "AIServices", customSubDomainName: "contoso-ai" }),
        });
        assert.equal(run.outputs.openAiEndpoint, "https://contoso-ai.openai.azure.com/");
    });
});

describe("an existing cluster", () => {
    it("that does not exist fails before the identity is created", async () => {
        const config = { ...stackConfig("dev"), "aks-openai-wi:cluster": { mode: "existing", name: "myAKSClustr" } };
        const error = await failure(config, seedWorld());
        assert.match(
            error.message,
            /aks-openai-wi:cluster\.name = "myAKSClustr": could not read this AKS cluster in resource group "myResourceGroup"/,
        );
        assert.match(error.message, /Fix: check the name and resource group \(az aks list -o table\)/);
        assertNothingCreated(error);
    });

    it("and a missing account are reported together", async () => {
        const config = {
            ...stackConfig("dev"),
            "aks-openai-wi:cluster": { name: "nope" },
            "aks-openai-wi:openai": { accountName: "nope", deploymentName: "gpt-4o-mini" },
        };
        const error = await failure(config, seedWorld());
        assert.match(error.message, /cluster\.name = "nope"/);
        assert.match(error.message, /openai\.accountName = "nope"/);
        // One paragraph each, so neither hides in the other's fix.
        assert.match(error.message, /to create one\.\n\naks-openai-wi:openai\.accountName = "nope"/);
    });

    it("with an account this stack creates reads no account: a name no account has yet is fine", async () => {
        const config = {
            ...stackConfig("dev"),
            "aks-openai-wi:openai": {
                mode: "managed",
                accountName: "store-openai-new",
                customSubDomainName: "contoso-store-openai-new",
            },
        };
        const run = await runProgram({ config, stack: "dev", world: seedWorld() });
        const account = single(run.resources, "azure-native:cognitiveservices:Account");
        assert.equal(account.inputs.accountName, "store-openai-new");
    });
});

describe("a cluster owned by another stack (cluster.mode stack)", () => {
    it("federates with the producer's issuer URL and reaches the cluster with the producer's kubeconfig", async () => {
        const run = await runProgram({ config: STACK_MODE_CONFIG, stack: "dev", world: worldWithPlatformStack() });
        const credential = single(run.resources, "azure-native:managedidentity:FederatedIdentityCredential");
        assert.equal(credential.inputs.issuer, PLATFORM_ISSUER_URL);
        const provider = single(run.resources, "pulumi:providers:kubernetes");
        assert.equal(provider.inputs.kubeconfig, certificateKubeconfig("platform-aks"));
        assert.equal(provider.inputs.clusterIdentifier, `stack:${PLATFORM_STACK}`);
        assert.equal(at(single(run.resources, "pulumi:pulumi:StackReference").inputs, "name"), PLATFORM_STACK);
        assert.equal(run.outputs.oidcIssuerUrl, PLATFORM_ISSUER_URL);
        assert.equal(await isSecret(run.raw.kubeconfig), true);
    });

    it("changes nothing on the producer's cluster", async () => {
        const run = await runProgram({ config: STACK_MODE_CONFIG, stack: "dev", world: worldWithPlatformStack() });
        assert.equal(ofType(run.resources, "pulumi-nodejs:dynamic/aks:WorkloadIdentityFeatures").length, 0);
        assert.equal(ofType(run.resources, "azure-native:containerservice:ManagedCluster").length, 0);
    });

    it("reads outputs under the names configured", async () => {
        const config = {
            ...stackConfig("dev"),
            "aks-openai-wi:cluster": {
                mode: "stack",
                stackReference: PLATFORM_STACK,
                issuerUrlOutput: "issuer",
                kubeconfigOutput: "adminKubeconfig",
            },
        };
        const world = worldWithPlatformStack({
            issuer: PLATFORM_ISSUER_URL,
            adminKubeconfig: certificateKubeconfig("platform-aks"),
        });
        const run = await runProgram({ config, stack: "dev", world });
        assert.equal(run.outputs.oidcIssuerUrl, PLATFORM_ISSUER_URL);
    });

    it("fails clearly when the producer has no such outputs, before anything is created", async () => {
        const error = await failure(STACK_MODE_CONFIG, worldWithPlatformStack({ clusterName: "platform-aks" }));
        assert.match(
            error.message,
            /aks-openai-wi:cluster\.issuerUrlOutput = "oidcIssuerUrl": stack contoso\/aks-platform\/dev has no output named "oidcIssuerUrl"/,
        );
        assert.match(
            error.message,
            /aks-openai-wi:cluster\.kubeconfigOutput = "kubeconfig": stack contoso\/aks-platform\/dev has no output named "kubeconfig"/,
        );
        assert.equal(
            error.message,
            [
                'aks-openai-wi:cluster.issuerUrlOutput = "oidcIssuerUrl": stack contoso/aks-platform/dev has no output named ' +
                    '"oidcIssuerUrl". Fix: export cluster.oidcIssuerProfile.issuerURL from that stack under this name, or set ' +
                    "issuerUrlOutput to the name it uses (pulumi stack output -s contoso/aks-platform/dev).",
                'aks-openai-wi:cluster.kubeconfigOutput = "kubeconfig": stack contoso/aks-platform/dev has no output named ' +
                    '"kubeconfig". Fix: export a kubeconfig (as a secret) from that stack under this name, or set ' +
                    "kubeconfigOutput to the name it uses (pulumi stack output -s contoso/aks-platform/dev).",
            ].join("\n"),
        );
        assertNothingCreated(error);
    });

    it("refuses an issuer URL that lost its trailing slash (AADSTS70021 at run time)", async () => {
        const normalised = PLATFORM_ISSUER_URL.slice(0, -1);
        const error = await failure(
            STACK_MODE_CONFIG,
            worldWithPlatformStack({ oidcIssuerUrl: normalised, kubeconfig: certificateKubeconfig("platform-aks") }),
        );
        assert.equal(
            error.message,
            'aks-openai-wi:cluster.issuerUrlOutput = "oidcIssuerUrl": output of stack contoso/aks-platform/dev is ' +
                `${JSON.stringify(normalised)}, not an https URL ending with '/'. AKS issuer URLs end with '/', and a ` +
                "federated credential with a normalised issuer is rejected (AADSTS70021). Fix: export " +
                "oidcIssuerProfile.issuerURL verbatim from the producer stack, or point cluster.issuerUrlOutput at the " +
                "output that does.",
        );
        assertNothingCreated(error);
    });

    it("refuses an issuer that only contains an https URL, or is not text at all", async () => {
        const kubeconfig = certificateKubeconfig("platform-aks");
        for (const oidcIssuerUrl of [`issuer=${PLATFORM_ISSUER_URL}`, [PLATFORM_ISSUER_URL]]) {
            const error = await failure(STACK_MODE_CONFIG, worldWithPlatformStack({ oidcIssuerUrl, kubeconfig }));
            assert.match(error.message, /^aks-openai-wi:cluster\.issuerUrlOutput = "oidcIssuerUrl": output of stack/);
            assertNothingCreated(error);
        }
    });

    it("refuses a kubeconfig output that is not a kubeconfig document", async () => {
        for (const kubeconfig of ["https://platform-aks.example/", ["clusters: []"]]) {
            const error = await failure(
                STACK_MODE_CONFIG,
                worldWithPlatformStack({ oidcIssuerUrl: PLATFORM_ISSUER_URL, kubeconfig }),
            );
            assert.equal(
                error.message,
                'aks-openai-wi:cluster.kubeconfigOutput = "kubeconfig": output of stack contoso/aks-platform/dev is not ' +
                    "a kubeconfig document (no 'clusters' section). Fix: export the kubeconfig as YAML text from the " +
                    "producer stack.",
            );
            assertNothingCreated(error);
        }
    });

    it("accepts a producer that exports the issuer URL as a secret as well as the kubeconfig", async () => {
        const world = {
            ...worldWithPlatformStack(),
            secretStackOutputs: { [PLATFORM_STACK]: ["oidcIssuerUrl", "kubeconfig"] },
        };
        const run = await runProgram({ config: STACK_MODE_CONFIG, stack: "dev", world });
        const credential = single(run.resources, "azure-native:managedidentity:FederatedIdentityCredential");
        assert.equal(credential.inputs.issuer, PLATFORM_ISSUER_URL);
        assert.equal(run.outputs.oidcIssuerUrl, PLATFORM_ISSUER_URL);
    });

    it("keeps the kubeconfig secret even when the producer exported it in plain text", async () => {
        const world = { ...worldWithPlatformStack(), secretStackOutputs: {} };
        const run = await runProgram({ config: STACK_MODE_CONFIG, stack: "dev", world });
        assert.equal(await isSecret(run.raw.kubeconfig), true);
        assert.equal(run.outputs.kubeconfig, certificateKubeconfig("platform-aks"));
    });

    it("replaces the producer kubeconfig's interactive kubelogin with cluster.kubeloginMode", async () => {
        const config = {
            ...stackConfig("dev"),
            "aks-openai-wi:cluster": {
                mode: "stack",
                stackReference: PLATFORM_STACK,
                kubeloginMode: "workloadidentity",
            },
        };
        const world = worldWithPlatformStack({
            oidcIssuerUrl: PLATFORM_ISSUER_URL,
            kubeconfig: entraKubeconfig("platform-aks"),
        });
        const run = await runProgram({ config, stack: "dev", world });
        const kubeconfig = parse(String(single(run.resources, "pulumi:providers:kubernetes").inputs.kubeconfig)) as {
            users: { user: { exec: { args: string[] } } }[];
        };
        assert.deepEqual(kubeconfig.users[0].user.exec.args, [
            "get-token",
            "--login",
            "workloadidentity",
            "--server-id",
            "6dae42f8-4368-4678-94ff-3960e28e3630",
        ]);
    });

    it("knows the producer's outputs in preview, so the federated credential's issuer is not unknown", async () => {
        const run = await runProgram({
            config: STACK_MODE_CONFIG,
            stack: "dev",
            preview: true,
            world: worldWithPlatformStack(),
        });
        const credential = single(run.resources, "azure-native:managedidentity:FederatedIdentityCredential");
        assert.equal(credential.inputs.issuer, PLATFORM_ISSUER_URL);
        assert.notEqual(credential.inputs.subject, UNKNOWN);
    });

    it("can use a stack of this very project as the producer: the default output names are in its contract", async () => {
        assert.equal(DEFAULTS.issuerUrlOutput, "oidcIssuerUrl");
        assert.equal(DEFAULTS.kubeconfigOutput, "kubeconfig");
        const producer = await shippedRun("dev");
        const run = await runProgram({
            config: STACK_MODE_CONFIG,
            stack: "dev",
            world: {
                ...seedWorld(),
                stacks: { [PLATFORM_STACK]: producer.outputs },
                secretStackOutputs: { [PLATFORM_STACK]: ["kubeconfig"] },
            },
        });
        const credential = single(run.resources, "azure-native:managedidentity:FederatedIdentityCredential");
        assert.equal(credential.inputs.issuer, producer.outputs.oidcIssuerUrl);
        assert.equal(
            single(run.resources, "pulumi:providers:kubernetes").inputs.kubeconfig,
            producer.outputs.kubeconfig,
        );
    });

    it("fails clearly when the referenced stack does not exist", async () => {
        const error = await failure(STACK_MODE_CONFIG, seedWorld());
        assert.match(error.message, /unknown stack "contoso\/aks-platform\/dev"/);
    });
});
