import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it, type TestContext } from "node:test";

import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";

import { DEFAULTS } from "../components/config";
import { openAiEndpointOf, publicAccessAdvice, readExistingOpenAiAccount } from "../components/existingOpenAiAccount";
import { runProgram as runWithMocks } from "../tools/engine/runProgram";
import { GREENFIELD_CONFIG } from "./support/configs";
import { CloudMocks } from "./support/mocks";
import {
    at,
    isSecret,
    ofType,
    PROJECT_NAME,
    ProgramFailed,
    runProgram,
    single,
    stackConfig,
    UNKNOWN,
} from "./support/program";
import {
    certificateKubeconfig,
    entraKubeconfig,
    PLATFORM_ISSUER_URL,
    PLATFORM_STACK,
    SEED_RESOURCE_GROUP,
    seedWorld,
    TEST_SUBSCRIPTION_ID,
    worldWithPlatformStack,
    type ExistingAccount,
    type World,
} from "./support/world";
import { shippedRun } from "./support/shippedStacks";
import { withWarnings } from "./support/warnings";

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

const GET_ACCOUNT = "azure-native:cognitiveservices:getAccount";
const GET_DEPLOYMENT = "azure-native:cognitiveservices:getDeployment";
const GET_CLUSTER = "azure-native:containerservice:getManagedCluster";
const ACCOUNT_ID = `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/${SEED_RESOURCE_GROUP}/providers/Microsoft.CognitiveServices/accounts/myOpenAI`;
const REGIONAL = "https://eastus.api.cognitive.microsoft.com/";

/** What Azure answers about the account where the world cannot say it. */
interface AccountAnswers {
    /** Merged over the `properties` getAccount returns; an undefined value removes the property. */
    readonly properties?: Readonly<Record<string, unknown>>;
    /** getAccount fails with this message. */
    readonly accountError?: string;
    /** getDeployment fails with this message, whether or not the deployment exists. */
    readonly deploymentError?: string;
    /** getManagedCluster fails with this message. */
    readonly clusterError?: string;
    /** Merged over what getManagedCluster returns; an undefined value removes the field. */
    readonly cluster?: Readonly<Record<string, unknown>>;
}

/**
 * The world's mocks, with the account's reads answered as `answers` say. A failed invoke reaches the program the way
 * the engine delivers it, with the provider's message as the gRPC status details (Pulumi's invoke rethrows
 * `new Error(err.details)`, which a plain Error thrown by a mock would leave empty).
 */
class AccountMocks extends CloudMocks {
    constructor(
        world: World,
        private readonly answers: AccountAnswers,
    ) {
        super(world, false);
    }

    override call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const error =
            args.token === GET_ACCOUNT
                ? this.answers.accountError
                : args.token === GET_DEPLOYMENT
                  ? this.answers.deploymentError
                  : args.token === GET_CLUSTER
                    ? this.answers.clusterError
                    : undefined;
        if (error !== undefined) {
            this.calls.push(args);
            throw Object.assign(new Error(error), { details: error });
        }
        let result: Record<string, unknown>;
        try {
            result = super.call(args);
        } catch (thrown) {
            throw Object.assign(thrown as Error, { details: (thrown as Error).message });
        }
        if (args.token === GET_CLUSTER) {
            return { ...result, ...this.answers.cluster };
        }
        if (args.token !== GET_ACCOUNT) {
            return result;
        }
        return { ...result, properties: { ...(result.properties as object), ...this.answers.properties } };
    }
}

/** The dev stack (existing account myOpenAI), with these openai keys and armEndpoint over the stack's. */
function devConfig(openai: Record<string, unknown> = {}, armEndpoint?: string): Record<string, unknown> {
    const config = stackConfig("dev");
    return {
        ...config,
        "aks-openai-wi:openai": { ...(config["aks-openai-wi:openai"] as object), ...openai },
        ...(armEndpoint === undefined ? {} : { "aks-openai-wi:armEndpoint": armEndpoint }),
    };
}

function runExisting(config: Record<string, unknown>, answers: AccountAnswers = {}, world = seedWorld()) {
    return runWithMocks({ config, stack: "dev", mocks: new AccountMocks(world, answers) });
}

async function existingFailure(
    config: Record<string, unknown>,
    answers: AccountAnswers = {},
    world = seedWorld(),
): Promise<ProgramFailed> {
    try {
        await runExisting(config, answers, world);
    } catch (error) {
        assert.ok(error instanceof ProgramFailed, String(error));
        assertNothingCreated(error);
        return error;
    }
    assert.fail("the program succeeded");
}

/**
 * A loopback Azure Resource Manager answering every request with `status` and `body` (plain HTTP, which this
 * process's fetch reaches without trusting a test CA); its URL, with the trailing slash, is the armEndpoint.
 */
async function armAnswering(t: TestContext, status: number, body: string): Promise<string> {
    const server = createServer((_request, response) => {
        response.writeHead(status, { "content-type": "application/json" });
        response.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    t.after(() => {
        server.closeAllConnections();
        server.close();
    });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

function armListing(t: TestContext, deployments: readonly string[]): Promise<string> {
    return armAnswering(t, 200, JSON.stringify({ value: deployments.map((name) => ({ name })) }));
}

/**
 * The message readExistingOpenAiAccount fails with for the dev stack's account, called on its own as discovery calls
 * it: the program accepts only an https armEndpoint, and this process's fetch trusts no test CA, so the listing goes
 * to a plain-HTTP loopback ARM this way.
 */
async function readFailure(
    args: { readonly deploymentName: string; readonly armEndpoint: string },
    answers: AccountAnswers = {},
): Promise<string> {
    await pulumi.runtime.setMocks(new AccountMocks(seedWorld(), answers), PROJECT_NAME, "dev", false);
    try {
        await readExistingOpenAiAccount({
            subscriptionId: TEST_SUBSCRIPTION_ID,
            resourceGroupName: SEED_RESOURCE_GROUP,
            accountName: "myOpenAI",
            ...args,
        });
    } catch (error) {
        assert.ok(error instanceof pulumi.RunError, String(error));
        return error.message;
    }
    assert.fail("the account and its deployment were read");
}

function noSubdomainMessage(endpoint: string): string {
    return (
        'aks-openai-wi:openai.accountName = "myOpenAI": the account has no custom subdomain (its endpoint is ' +
        `${endpoint}). Microsoft Entra ID tokens are accepted only on a custom subdomain endpoint ` +
        '(https://<subdomain>.openai.azure.com/); a regional endpoint answers "Please provide a custom subdomain for ' +
        'token authentication, otherwise API key is required". Fix: az cognitiveservices account update ' +
        "-g myResourceGroup -n myOpenAI --custom-domain <globally-unique-lowercase-name> " +
        "(it cannot be changed later), then run pulumi up again."
    );
}

/** getAccount answering with this endpoint, both as the account's own and as its OpenAI endpoint. */
function endpointAnswers(endpoint: string | undefined): AccountAnswers {
    return {
        properties: {
            endpoint,
            endpoints: endpoint === undefined ? undefined : { "OpenAI Language Model Instance API": endpoint },
        },
    };
}

describe("an existing OpenAI account", () => {
    it("that does not exist fails with the key, the value, Azure's error and the fix, before anything is created", async () => {
        const config = devConfig({ accountName: "myOpenAl" });
        const error = await existingFailure(config);
        assert.equal(
            error.message,
            'aks-openai-wi:openai.accountName = "myOpenAl": could not read this Azure OpenAI account in resource group ' +
                "\"myResourceGroup\" (ResourceNotFound: The Resource 'Microsoft.CognitiveServices/accounts/myOpenAl' under " +
                "resource group 'myResourceGroup' was not found. (Status Code: 404)). Fix: check the name and resource " +
                'group (az cognitiveservices account list -g myResourceGroup -o table), or set openai.mode to "managed".',
        );
    });

    it("quotes only the first line of a multi-line error, trimmed", async () => {
        const error = await existingFailure(devConfig(), {
            accountError: "AuthorizationFailed: no read access  \nCode: AuthorizationFailed\nRequest id: 1234",
        });
        assert.equal(
            error.message,
            'aks-openai-wi:openai.accountName = "myOpenAI": could not read this Azure OpenAI account in resource group ' +
                '"myResourceGroup" (AuthorizationFailed: no read access). Fix: check the name and resource ' +
                'group (az cognitiveservices account list -g myResourceGroup -o table), or set openai.mode to "managed".',
        );
    });

    it("without a custom subdomain fails, explaining that Entra auth needs one, before anything is created", async () => {
        const error = await existingFailure(
            devConfig(),
            {},
            withAccount(seedWorld(), { customSubDomainName: undefined }),
        );
        assert.equal(error.message, noSubdomainMessage(REGIONAL));
    });

    it("without a custom subdomain fails even when its endpoint does not look regional, or is missing", async () => {
        const world = withAccount(seedWorld(), { customSubDomainName: undefined });
        const custom = await existingFailure(devConfig(), endpointAnswers("https://myopenai.openai.azure.com/"), world);
        assert.equal(custom.message, noSubdomainMessage("https://myopenai.openai.azure.com/"));
        const none = await existingFailure(devConfig(), endpointAnswers(undefined), world);
        assert.equal(none.message, noSubdomainMessage("empty"));
    });

    it("with a custom subdomain name but a regional endpoint fails the same way", async () => {
        for (const endpoint of [
            REGIONAL,
            "https://eastus.api.cognitive.microsoft.com",
            "https://EastUS2.api.cognitive.microsoft.com/",
            "https://usgovvirginia.api.cognitive.microsoft.us/",
        ]) {
            const error = await existingFailure(devConfig(), endpointAnswers(endpoint));
            assert.equal(error.message, noSubdomainMessage(endpoint), endpoint);
        }
    });

    it("is called on any endpoint that is not a regional one, even when it contains a regional host name", async () => {
        for (const endpoint of [
            "https://my-openai.openai.azure.com/",
            "https://contoso.eastus.api.cognitive.microsoft.com/",
            "https://eastus.api.cognitive.microsoft.com.contoso.net/",
            `https://gateway.contoso.net/${REGIONAL}`,
        ]) {
            const run = await runExisting(devConfig(), endpointAnswers(endpoint));
            assert.equal(run.outputs.openAiEndpoint, endpoint);
        }
    });

    it("of kind AIServices is called on its OpenAI endpoint", async () => {
        const run = await runProgram({
            config: stackConfig("dev"),
            stack: "dev",
            world: withAccount(seedWorld(), { kind: "AIServices", customSubDomainName: "contoso-ai" }),
        });
        assert.equal(run.outputs.openAiEndpoint, "https://contoso-ai.openai.azure.com/");
    });

    it("whose deployment is missing and which has none says so, with the fix to create one", async (t) => {
        const arm = await armListing(t, []);
        assert.equal(
            await readFailure({ deploymentName: "gpt-4o", armEndpoint: arm }),
            'aks-openai-wi:openai.deploymentName = "gpt-4o" is not a deployment on Azure OpenAI account "myOpenAI"; the ' +
                "account has no deployments. Fix: pulumi config set --path 'aks-openai-wi:openai.deploymentName' <name> " +
                "after creating a deployment (az cognitiveservices account deployment create)",
        );
    });

    it("whose deployment is missing names the ones that exist and suggests the first", async (t) => {
        const arm = await armListing(t, ["text-embedding-3-small", "gpt-4o-mini"]);
        assert.equal(
            await readFailure({ deploymentName: "gpt-4o", armEndpoint: arm }),
            'aks-openai-wi:openai.deploymentName = "gpt-4o" is not a deployment on Azure OpenAI account "myOpenAI"; the ' +
                "deployments that exist are: gpt-4o-mini, text-embedding-3-small. Fix: pulumi config set --path " +
                "'aks-openai-wi:openai.deploymentName' gpt-4o-mini",
        );
    });

    it("whose deployment exists but cannot be read says so, quoting the first line of the error", async (t) => {
        const arm = await armListing(t, ["gpt-4o-mini"]);
        const answers = {
            deploymentError: " AuthorizationFailed: no read access on the deployment \nCode: AuthorizationFailed",
        };
        assert.equal(
            await readFailure({ deploymentName: "gpt-4o-mini", armEndpoint: arm }, answers),
            'aks-openai-wi:openai.deploymentName = "gpt-4o-mini": the deployment exists but could not be read ' +
                "(AuthorizationFailed: no read access on the deployment). Fix: check your permissions on the account.",
        );
    });

    it("whose deployments cannot be listed either quotes both errors", async (t) => {
        const arm = await armAnswering(t, 503, "upstream unavailable  \nretry later");
        assert.equal(
            await readFailure({ deploymentName: "gpt-4o", armEndpoint: arm }),
            'aks-openai-wi:openai.deploymentName = "gpt-4o": could not read this deployment on account "myOpenAI" ' +
                "(DeploymentNotFound: The API deployment gpt-4o doesn't exist. (Status Code: 404)), and listing the " +
                "account's deployments failed too (listing deployments answered HTTP 503: upstream unavailable). Fix: " +
                "see them with az cognitiveservices account deployment list -g myResourceGroup -n myOpenAI --query " +
                "[].name -o tsv",
        );
    });

    it("that still accepts API keys is warned about, with the command that turns them off", async () => {
        const { warnings } = await withWarnings(() => runExisting(devConfig()));
        assert.deepEqual(
            warnings.filter((warning) => warning.startsWith("Azure OpenAI account")),
            [
                "Azure OpenAI account myOpenAI still accepts API keys (disableLocalAuth is false). This stack does not " +
                    "change an account it does not own; once ai-service runs keyless, turn keys off with: az resource " +
                    `update --ids ${ACCOUNT_ID} --set properties.disableLocalAuth=true`,
            ],
        );
    });

    it("that accepts Entra tokens only, with public access as the network wants it, gets no warning", async () => {
        const { warnings } = await withWarnings(() =>
            runExisting(devConfig(), {}, withAccount(seedWorld(), { disableLocalAuth: true })),
        );
        assert.deepEqual(
            warnings.filter((warning) => warning.startsWith("Azure OpenAI account")),
            [],
        );
    });

    it("with public access off while openai.network is public is warned about", async () => {
        const world = withAccount(seedWorld(), { disableLocalAuth: true, publicNetworkAccess: "Disabled" });
        const { warnings } = await withWarnings(() => runExisting(devConfig(), {}, world));
        assert.deepEqual(
            warnings.filter((warning) => warning.startsWith("Azure OpenAI account")),
            [
                'Azure OpenAI account myOpenAI has public network access disabled, and openai.network is "public": ' +
                    "unless a private endpoint made outside this stack serves the cluster's network, ai-service's calls " +
                    'fail with 403 "Public access is disabled. Please configure private endpoint.". Fix: pulumi config ' +
                    "set --path 'aks-openai-wi:openai.network' private, with openai.privateEndpoint.subnetId and .vnetId",
            ],
        );
    });
});

describe("an existing account's advice and endpoint, on their own", () => {
    const id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/myOpenAI";

    it("private mode with public access not set: it is on, and the warning says so", () => {
        assert.equal(
            publicAccessAdvice({ accountName: "myOpenAI", network: "private" }, { id, properties: {} as never }),
            "Azure OpenAI account myOpenAI still accepts calls from the internet (publicNetworkAccess is not set, so " +
                "Enabled). This stack adds a private endpoint but does not change an account it does not own; once " +
                "ai-service answers through the endpoint, turn public access off with: az resource update --ids " +
                `${id} --set properties.publicNetworkAccess=Disabled`,
        );
    });

    it("public mode (the default) with public access off: the whole warning", () => {
        const advice =
            'Azure OpenAI account myOpenAI has public network access disabled, and openai.network is "public": ' +
            "unless a private endpoint made outside this stack serves the cluster's network, ai-service's calls fail " +
            'with 403 "Public access is disabled. Please configure private endpoint.". Fix: pulumi config set --path ' +
            "'aks-openai-wi:openai.network' private, with openai.privateEndpoint.subnetId and .vnetId";
        const properties = { publicNetworkAccess: "Disabled" } as never;
        assert.equal(publicAccessAdvice({ accountName: "myOpenAI", network: "public" }, { id, properties }), advice);
        assert.equal(publicAccessAdvice({ accountName: "myOpenAI" }, { id, properties }), advice);
    });

    const endpointOf = (properties: Record<string, unknown>) => openAiEndpointOf({ properties: properties as never });

    it("an AIServices account is called on its OpenAI Language Model Instance API endpoint first", () => {
        assert.equal(
            endpointOf({
                endpoint: "https://contoso-ai.cognitiveservices.azure.com/",
                endpoints: {
                    OpenAI: "https://contoso-ai.openai.azure.com/openai/",
                    "OpenAI Language Model Instance API": "https://contoso-ai.openai.azure.com/",
                },
            }),
            "https://contoso-ai.openai.azure.com/",
        );
    });

    it("then on its OpenAI endpoint, skipping an empty one", () => {
        assert.equal(
            endpointOf({
                endpoint: "https://contoso-ai.cognitiveservices.azure.com/",
                endpoints: { "OpenAI Language Model Instance API": "", OpenAI: "https://contoso-ai.openai.azure.com/" },
            }),
            "https://contoso-ai.openai.azure.com/",
        );
    });

    it("and otherwise on the account's own endpoint, or none", () => {
        const own = "https://myopenai.openai.azure.com/";
        assert.equal(endpointOf({ endpoint: own, endpoints: { "Speech Services API": "https://x/" } }), own);
        assert.equal(endpointOf({ endpoint: own }), own);
        assert.equal(endpointOf({ endpoints: {} }), "");
    });
});

describe("an existing cluster", () => {
    it("warns, in full, before turning the OIDC issuer on, and not once it is on", async () => {
        const oidcWarnings = async (oidcIssuerEnabled: boolean) => {
            const seed = seedWorld();
            const key = "myResourceGroup/myAKSCluster";
            const world = {
                ...seed,
                clusters: { ...seed.clusters, [key]: { ...seed.clusters[key], oidcIssuerEnabled } },
            };
            const { warnings } = await withWarnings(() =>
                runProgram({ config: stackConfig("dev"), stack: "dev", world }),
            );
            return warnings.filter((warning) => warning.startsWith("AKS cluster myAKSCluster has no OIDC issuer"));
        };
        assert.deepEqual(await oidcWarnings(false), [
            "AKS cluster myAKSCluster has no OIDC issuer yet; this update turns it on (it cannot be turned off again). " +
                "AKS restarts the API server and changes the service-account token issuer: restart existing pods afterwards.",
        ]);
        assert.deepEqual(await oidcWarnings(true), []);
    });

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

    it("that cannot be read quotes only the first line of Azure's error, in full", async () => {
        const error = await existingFailure(devConfig(), {
            clusterError: "AuthorizationFailed: no read access\nCode: AuthorizationFailed\nRequest id: 1234",
        });
        assert.equal(
            error.message,
            'aks-openai-wi:cluster.name = "myAKSCluster": could not read this AKS cluster in resource group ' +
                '"myResourceGroup" (AuthorizationFailed: no read access). Fix: check the name and resource group ' +
                '(az aks list -o table), or set cluster.mode to "managed" to create one.',
        );
    });

    it("created before the OIDC issuer existed (no oidcIssuerProfile at all) is warned about, not a crash", async () => {
        const { warnings } = await withWarnings(() =>
            runExisting(devConfig(), { cluster: { oidcIssuerProfile: undefined } }),
        );
        assert.deepEqual(
            warnings.filter((warning) => warning.startsWith("AKS cluster myAKSCluster has no OIDC issuer")),
            [
                "AKS cluster myAKSCluster has no OIDC issuer yet; this update turns it on (it cannot be turned off again). " +
                    "AKS restarts the API server and changes the service-account token issuer: restart existing pods afterwards.",
            ],
        );
    });

    it("with its OIDC issuer on and Entra-only sign-in gets no warning from discovery", async () => {
        const { warnings } = await withWarnings(() =>
            runExisting(devConfig(), {
                cluster: {
                    oidcIssuerProfile: {
                        enabled: true,
                        issuerURL: seedWorld().clusters["myResourceGroup/myAKSCluster"].issuerUrl,
                    },
                    disableLocalAccounts: true,
                    aadProfile: { managed: true, enableAzureRBAC: true },
                },
            }),
        );
        const fromDiscovery = warnings.filter((warning) => !warning.startsWith("Azure OpenAI account"));
        assert.deepEqual(fromDiscovery, []);
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

describe("a stack that creates its cluster and its account", () => {
    it("reads no existing resource and no stack reference", async () => {
        const run = await runProgram({ config: GREENFIELD_CONFIG, stack: "green", world: seedWorld() });
        assert.deepEqual(
            run.resources.filter((resource) => resource.type === "pulumi:pulumi:StackReference"),
            [],
        );
        assert.equal(
            single(run.resources, "azure-native:containerservice:ManagedCluster").inputs.resourceName,
            "aks-store",
        );
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
                    "a kubeconfig document (no top-level 'clusters' list). Fix: export the kubeconfig document as text " +
                    "(YAML or JSON) from the producer stack.",
            );
            assertNothingCreated(error);
        }
    });

    it("accepts a kubeconfig the producer exported as JSON (kubectl reads it), and passes it on unchanged", async () => {
        const json = JSON.stringify(parse(certificateKubeconfig("platform-aks")));
        const world = worldWithPlatformStack({ oidcIssuerUrl: PLATFORM_ISSUER_URL, kubeconfig: json });
        const run = await runProgram({ config: STACK_MODE_CONFIG, stack: "dev", world });
        assert.equal(single(run.resources, "pulumi:providers:kubernetes").inputs.kubeconfig, json);
    });

    it("refuses a kubeconfig output that only mentions a clusters key", async () => {
        const kubeconfig = "# export the platform's clusters: see the README\n";
        const error = await failure(
            STACK_MODE_CONFIG,
            worldWithPlatformStack({ oidcIssuerUrl: PLATFORM_ISSUER_URL, kubeconfig }),
        );
        assert.match(
            error.message,
            /^aks-openai-wi:cluster\.kubeconfigOutput = "kubeconfig": output of stack .* is not a kubeconfig document/,
        );
        assertNothingCreated(error);
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
