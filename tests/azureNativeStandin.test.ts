import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";

import * as grpc from "@grpc/grpc-js";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

import { federationOf, openAiAccountOf, seedAccount, setIssuerUrl, setUserKubeconfig } from "./support/armResources";
import { ArmStandin, type ArmRequestRecord } from "./support/armStandin";
import { clientSecrets, EntraStandin } from "./support/entraStandin";
import { createTestTls, trustingEnv, type TestTls } from "./support/tls";
import { TEST_DEPLOYER_OBJECT_ID, TEST_SUBSCRIPTION_ID, TEST_TENANT_ID } from "./support/world";

/**
 * The azure-native provider stand-in (e2e/azure-native) as the Pulumi engine drives it: spawned from its bin script,
 * its port read from stdout, every call over gRPC with Pulumi's generated protobuf clients, against the ARM stand-in.
 * Each test states the ARM requests azure-native 3.28 makes (method, path, api-version) and the exact outputs.
 * Tests run in order and share one plugin and one ARM: names differ per test so none depends on another's leftovers,
 * except the lifecycle steps, which say so.
 */

const ROOT = path.join(__dirname, "..");
const PLUGIN = path.join(ROOT, "e2e", "azure-native", "bin", "pulumi-resource-azure-native");
const LOOPBACK_GUARD = path.join(__dirname, "support", "loopbackOnly.cjs");
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const DEPLOYER_CLIENT_ID = "0c6f3ea1-0000-4000-8000-00000000a004";
const GROUP = "rg-e2e";
const GROUP_PATH = `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/${GROUP}`;
const OPENAI_USER_ROLE = `/subscriptions/${TEST_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/5e0bd9bd-7b93-4f28-af87-19fc36ad61bd`;
const LOCAL_ISSUER = "https://127.0.0.1:6443/";
const LOCAL_KUBECONFIG =
    "apiVersion: v1\nkind: Config\nclusters:\n  - name: local\n    cluster: { server: https://127.0.0.1:6443 }\n";

const urn = (token: string, name: string) => `urn:pulumi:e2e::aks-openai-wi::${token}::${name}`;
const TOKENS = {
    identity: "azure-native:managedidentity:UserAssignedIdentity",
    credential: "azure-native:managedidentity:FederatedIdentityCredential",
    roleAssignment: "azure-native:authorization:RoleAssignment",
    cluster: "azure-native:containerservice:ManagedCluster",
    account: "azure-native:cognitiveservices:Account",
    deployment: "azure-native:cognitiveservices:Deployment",
};

let tls: TestTls;
let entra: EntraStandin;
let arm: ArmStandin;
let token: string;
let plugin: ChildProcessWithoutNullStreams;
let pluginStderr = "";
let client: provrpc.ResourceProviderClient;

before(async () => {
    tls = createTestTls();
    entra = await EntraStandin.start({ tls, tenantId: TEST_TENANT_ID, authenticate: clientSecrets({}) });
    arm = await ArmStandin.start({ tls, entra });
    // No poll waits: the PUT says Retry-After 0, and so does every InProgress status.
    arm.lro = { inProgressPolls: 1, retryAfterSeconds: 0, outcome: { status: "Succeeded" } };
    token = await entra.mintAccessToken({
        audience: arm.url,
        principal: { objectId: TEST_DEPLOYER_OBJECT_ID },
        clientId: DEPLOYER_CLIENT_ID,
    });
    plugin = spawn(PLUGIN, ["127.0.0.1:0"], {
        cwd: tls.dir,
        env: trustingEnv(tls, {
            NODE_OPTIONS: `--require ${LOOPBACK_GUARD}`,
            AKS_OPENAI_WI_E2E_ARM_ENDPOINT: arm.url,
            AKS_OPENAI_WI_E2E_ARM_TOKEN: token,
            AKS_OPENAI_WI_E2E_ARM_CA_FILE: tls.caPath,
            AKS_OPENAI_WI_E2E_SUBSCRIPTION_ID: TEST_SUBSCRIPTION_ID,
        }),
    });
    plugin.stderr.on("data", (chunk: Buffer) => (pluginStderr += chunk.toString()));
    const port = await new Promise<string>((resolve, reject) => {
        let out = "";
        plugin.stdout.on("data", (chunk: Buffer) => {
            out += chunk.toString();
            if (out.includes("\n")) {
                resolve(out.split("\n")[0]);
            }
        });
        plugin.on("exit", (code) =>
            reject(new Error(`the plugin exited (${code}) before printing a port: ${pluginStderr}`)),
        );
    });
    assert.match(port, /^\d+$/);
    client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    await configure(true);
});

after(async () => {
    client?.close();
    plugin?.kill();
    await arm?.close();
    await entra?.close();
    assert.doesNotMatch(pluginStderr, /loopback-guard: blocked/);
});

// ---- gRPC helpers ----------------------------------------------------------------------------------------------------

function rpc<Req, Res>(method: string, request: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
        const fn = (
            client as unknown as Record<string, (r: Req, cb: (e: grpc.ServiceError | null, r: Res) => void) => void>
        )[method];
        fn.call(client, request, (error, response) => (error ? reject(error) : resolve(response)));
    });
}

const struct = (value: Record<string, unknown>) => Struct.fromJavaScript(value as Record<string, never>);
const plain = (value: Struct | undefined) => value?.toJavaScript() ?? {};

function configure(sendsOldInputs: boolean): Promise<provproto.ConfigureResponse> {
    const request = new provproto.ConfigureRequest()
        .setAcceptsecrets(true)
        .setAcceptresources(true)
        .setSendsOldInputs(sendsOldInputs)
        .setSendsOldInputsToDelete(sendsOldInputs);
    request.getVariablesMap().set("azure-native:config:location", "eastus");
    return rpc("configure", request);
}

function check(token: string, name: string, news: Record<string, unknown>, olds: Record<string, unknown> = {}) {
    return rpc<provproto.CheckRequest, provproto.CheckResponse>(
        "check",
        new provproto.CheckRequest().setUrn(urn(token, name)).setOlds(struct(olds)).setNews(struct(news)),
    );
}

function diff(token: string, oldInputs: Record<string, unknown>, news: Record<string, unknown>) {
    return rpc<provproto.DiffRequest, provproto.DiffResponse>(
        "diff",
        new provproto.DiffRequest()
            .setUrn(urn(token, "x"))
            .setId("/some/id")
            .setOldInputs(struct(oldInputs))
            .setOlds(struct(oldInputs))
            .setNews(struct(news)),
    );
}

interface DiffView {
    changes: string;
    diffs: string[];
    replaces: string[];
    deleteBeforeReplace: boolean;
    detailedDiff: Record<string, string>;
}

function view(response: provproto.DiffResponse): DiffView {
    const kinds = Object.fromEntries(Object.entries(provproto.PropertyDiff.Kind).map(([k, v]) => [v, k]));
    const changes = Object.fromEntries(Object.entries(provproto.DiffResponse.DiffChanges).map(([k, v]) => [v, k]));
    const detailedDiff: Record<string, string> = {};
    response.getDetaileddiffMap().forEach((value, key) => {
        assert.equal(value.getInputdiff(), true, `${key} is an input diff`);
        detailedDiff[key] = String(kinds[value.getKind()]);
    });
    return {
        changes: String(changes[response.getChanges()]),
        diffs: response.getDiffsList(),
        replaces: response.getReplacesList(),
        deleteBeforeReplace: response.getDeletebeforereplace(),
        detailedDiff,
    };
}

function create(token: string, name: string, inputs: Record<string, unknown>, preview = false) {
    return rpc<provproto.CreateRequest, provproto.CreateResponse>(
        "create",
        new provproto.CreateRequest().setUrn(urn(token, name)).setProperties(struct(inputs)).setPreview(preview),
    );
}

function read(token: string, id: string, state: Record<string, unknown>, inputs: Record<string, unknown>) {
    return rpc<provproto.ReadRequest, provproto.ReadResponse>(
        "read",
        new provproto.ReadRequest()
            .setUrn(urn(token, "x"))
            .setId(id)
            .setProperties(struct(state))
            .setInputs(struct(inputs)),
    );
}

function update(
    token: string,
    id: string,
    olds: Record<string, unknown>,
    oldInputs: Record<string, unknown>,
    news: Record<string, unknown>,
    preview = false,
) {
    return rpc<provproto.UpdateRequest, provproto.UpdateResponse>(
        "update",
        new provproto.UpdateRequest()
            .setUrn(urn(token, "x"))
            .setId(id)
            .setOlds(struct(olds))
            .setOldInputs(struct(oldInputs))
            .setNews(struct(news))
            .setPreview(preview),
    );
}

function remove(token: string, id: string, state: Record<string, unknown>) {
    return rpc<provproto.DeleteRequest, Empty>(
        "delete",
        new provproto.DeleteRequest().setUrn(urn(token, "x")).setId(id).setProperties(struct(state)),
    );
}

function invoke(tok: string, args: Record<string, unknown>) {
    return rpc<provproto.InvokeRequest, provproto.InvokeResponse>(
        "invoke",
        new provproto.InvokeRequest().setTok(tok).setArgs(struct(args)),
    );
}

/** The ARM requests made while `action` ran, as "METHOD path api-version status". */
async function armRequestsDuring(action: () => Promise<unknown>): Promise<string[]> {
    const start = arm.requests.length;
    await action();
    return arm.requests.slice(start).map(describeRequest);
}

function describeRequest(request: ArmRequestRecord): string {
    const version = request.query["api-version"];
    const format = request.query.format === undefined ? "" : ` format=${request.query.format}`;
    return `${request.method} ${request.path} ${version}${format} ${request.status}`;
}

// ---- protocol ----------------------------------------------------------------------------------------------------------

describe("protocol", () => {
    test("GetPluginInfo reports the pinned @pulumi/azure-native version", async () => {
        const info = await rpc<Empty, plugproto.PluginInfo>("getPluginInfo", new Empty());
        assert.equal(info.getVersion(), "3.28.0");
    });

    test("Configure answers as azure-native: previews supported, secrets not accepted", async () => {
        const response = await configure(true);
        assert.deepEqual(
            {
                supportsPreview: response.getSupportspreview(),
                acceptSecrets: response.getAcceptsecrets(),
                acceptResources: response.getAcceptresources(),
                autonaming: response.getSupportsAutonamingConfiguration(),
            },
            { supportsPreview: true, acceptSecrets: false, acceptResources: false, autonaming: true },
        );
    });

    test("Configure refuses an engine that does not send old inputs, as azure-native 3 does", async () => {
        await assert.rejects(configure(false), /Azure Native provider requires Pulumi CLI v3\.74\.0 or later/);
        await configure(true);
    });

    test("Check fills location from the azure-native:location config", async () => {
        const response = await check(TOKENS.identity, "id", { resourceGroupName: GROUP, resourceName: "id-check" });
        assert.deepEqual(plain(response.getInputs()), {
            resourceGroupName: GROUP,
            resourceName: "id-check",
            location: "eastus",
        });
        assert.deepEqual(response.getFailuresList(), []);
    });

    test("Check reports a missing name: the stand-in does not auto-name", async () => {
        const response = await check(TOKENS.credential, "fic", {
            resourceGroupName: GROUP,
            resourceName: "id-check",
            issuer: LOCAL_ISSUER,
            subject: "system:serviceaccount:a:b",
            audiences: ["api://AzureADTokenExchange"],
        });
        assert.deepEqual(
            response.getFailuresList().map((failure) => [failure.getProperty(), failure.getReason()]),
            [
                [
                    "federatedIdentityCredentialResourceName",
                    "missing required property 'federatedIdentityCredentialResourceName'",
                ],
            ],
        );
    });

    test("a resource type the program does not use is an error naming the token", async () => {
        await assert.rejects(
            check("azure-native:storage:StorageAccount", "sa", { resourceGroupName: GROUP }),
            /resource type azure-native:storage:StorageAccount is not implemented/,
        );
    });

    test("a function the program does not call is an error naming the token", async () => {
        await assert.rejects(
            invoke("azure-native:storage:listStorageAccountKeys", {}),
            /function azure-native:storage:listStorageAccountKeys is not implemented/,
        );
    });
});

// ---- diff ------------------------------------------------------------------------------------------------------------

describe("diff", () => {
    const credential = {
        resourceGroupName: GROUP,
        resourceName: "id-app",
        federatedIdentityCredentialResourceName: "fic-ai-service",
        issuer: LOCAL_ISSUER,
        subject: "system:serviceaccount:pets:ai-service",
        audiences: ["api://AzureADTokenExchange"],
    };

    test("no change is DIFF_NONE", async () => {
        assert.deepEqual(view(await diff(TOKENS.credential, credential, credential)), {
            changes: "DIFF_NONE",
            diffs: [],
            replaces: [],
            deleteBeforeReplace: false,
            detailedDiff: {},
        });
    });

    test("a federated credential's subject updates in place", async () => {
        const news = { ...credential, subject: "system:serviceaccount:pets:other" };
        assert.deepEqual(view(await diff(TOKENS.credential, credential, news)), {
            changes: "DIFF_SOME",
            diffs: ["subject"],
            replaces: [],
            deleteBeforeReplace: false,
            detailedDiff: { subject: "UPDATE" },
        });
    });

    test("a federated credential's name replaces it, delete first", async () => {
        const news = {
            ...credential,
            federatedIdentityCredentialResourceName: "fic-other",
            subject: "system:serviceaccount:other:ai-service",
        };
        assert.deepEqual(view(await diff(TOKENS.credential, credential, news)), {
            changes: "DIFF_SOME",
            diffs: ["federatedIdentityCredentialResourceName", "subject"],
            replaces: ["federatedIdentityCredentialResourceName"],
            deleteBeforeReplace: true,
            detailedDiff: { federatedIdentityCredentialResourceName: "UPDATE_REPLACE", subject: "UPDATE" },
        });
    });

    test("a role assignment's principal replaces it, delete first", async () => {
        const old = {
            scope: `${GROUP_PATH}/providers/Microsoft.CognitiveServices/accounts/oai`,
            roleAssignmentName: "a8d1e6a4-0000-4000-8000-000000000001",
            principalId: "11111111-0000-4000-8000-000000000001",
            principalType: "ServicePrincipal",
            roleDefinitionId: OPENAI_USER_ROLE,
        };
        const news = { ...old, principalId: "11111111-0000-4000-8000-000000000002", description: "why" };
        assert.deepEqual(view(await diff(TOKENS.roleAssignment, old, news)), {
            changes: "DIFF_SOME",
            diffs: ["description", "principalId"],
            replaces: ["principalId"],
            deleteBeforeReplace: true,
            detailedDiff: { principalId: "UPDATE_REPLACE", description: "ADD" },
        });
    });

    test("an identity's location ignores case and spaces; another region replaces it", async () => {
        const old = { resourceGroupName: GROUP, resourceName: "id-app", location: "eastus", tags: { team: "ai" } };
        assert.equal(view(await diff(TOKENS.identity, old, { ...old, location: "East US" })).changes, "DIFF_NONE");
        assert.deepEqual(
            view(await diff(TOKENS.identity, old, { ...old, location: "westeurope", tags: { team: "ml" } })),
            {
                changes: "DIFF_SOME",
                diffs: ["location", "tags"],
                replaces: ["location"],
                deleteBeforeReplace: true,
                detailedDiff: { location: "UPDATE_REPLACE", "tags.team": "UPDATE" },
            },
        );
    });

    test("a cluster's Kubernetes version updates in place; a change inside networkProfile replaces it", async () => {
        const old = {
            resourceGroupName: GROUP,
            resourceName: "aks",
            location: "eastus",
            dnsPrefix: "aks",
            kubernetesVersion: "1.32",
            networkProfile: { podCidr: "10.244.0.0/16" },
            agentPoolProfiles: [{ name: "system", count: 1, vmSize: "Standard_D2s_v5" }],
        };
        assert.deepEqual(view(await diff(TOKENS.cluster, old, { ...old, kubernetesVersion: "1.33" })).detailedDiff, {
            kubernetesVersion: "UPDATE",
        });
        const news = {
            ...old,
            networkProfile: { podCidr: "10.245.0.0/16" },
            agentPoolProfiles: [{ name: "system", count: 1, vmSize: "Standard_D4s_v5" }],
        };
        assert.deepEqual(view(await diff(TOKENS.cluster, old, news)), {
            changes: "DIFF_SOME",
            diffs: ["agentPoolProfiles", "networkProfile"],
            replaces: ["networkProfile.podCidr"],
            deleteBeforeReplace: true,
            detailedDiff: { "networkProfile.podCidr": "UPDATE_REPLACE", "agentPoolProfiles[0].vmSize": "UPDATE" },
        });
    });

    test("an account's properties and a deployment's capacity update in place; an account's region replaces it", async () => {
        const account = {
            resourceGroupName: GROUP,
            accountName: "oai",
            location: "eastus",
            kind: "OpenAI",
            sku: { name: "S0" },
            properties: { customSubDomainName: "oai", disableLocalAuth: false },
        };
        const keyless = { ...account, properties: { customSubDomainName: "oai", disableLocalAuth: true } };
        assert.deepEqual(view(await diff(TOKENS.account, account, keyless)).detailedDiff, {
            "properties.disableLocalAuth": "UPDATE",
        });
        assert.deepEqual(
            view(await diff(TOKENS.account, account, { ...account, location: "swedencentral" })).replaces,
            ["location"],
        );
        const deployment = {
            resourceGroupName: GROUP,
            accountName: "oai",
            deploymentName: "chat",
            sku: { name: "GlobalStandard", capacity: 10 },
            properties: { model: { format: "OpenAI", name: "gpt-4o-mini", version: "2024-07-18" } },
        };
        const bigger = { ...deployment, sku: { name: "GlobalStandard", capacity: 20 } };
        assert.deepEqual(view(await diff(TOKENS.deployment, deployment, bigger)), {
            changes: "DIFF_SOME",
            diffs: ["sku"],
            replaces: [],
            deleteBeforeReplace: false,
            detailedDiff: { "sku.capacity": "UPDATE" },
        });
    });

    test("an unknown new value is an update of that property (a preview with an unknown issuer)", async () => {
        assert.deepEqual(
            view(await diff(TOKENS.credential, credential, { ...credential, issuer: UNKNOWN })).detailedDiff,
            {
                issuer: "UPDATE",
            },
        );
    });
});

// ---- lifecycle ---------------------------------------------------------------------------------------------------------

describe("identity lifecycle (steps share one identity)", () => {
    const inputs = { resourceGroupName: GROUP, resourceName: "id-life", location: "eastus", tags: { team: "ai" } };
    const id = `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourcegroups/${GROUP}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-life`;
    const requestPath = `${GROUP_PATH}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-life`;
    let state: Record<string, unknown>;

    test("a preview of the create knows the inputs and nothing ARM assigns", async () => {
        const requests = await armRequestsDuring(async () => {
            const response = await create(TOKENS.identity, "id", inputs, true);
            assert.equal(response.getId(), "");
            // Path parameters are not outputs: only the response's properties are.
            assert.deepEqual(plain(response.getProperties()), {
                location: "eastus",
                tags: { team: "ai" },
                name: UNKNOWN,
                type: UNKNOWN,
                systemData: UNKNOWN,
                clientId: UNKNOWN,
                principalId: UNKNOWN,
                tenantId: UNKNOWN,
                azureApiVersion: UNKNOWN,
            });
        });
        assert.deepEqual(requests, []);
    });

    test("Create looks, PUTs and reads back; its outputs are what ARM returns", async () => {
        let response: provproto.CreateResponse | undefined;
        const requests = await armRequestsDuring(async () => {
            response = await create(TOKENS.identity, "id", inputs);
        });
        assert.deepEqual(requests, [
            `GET ${requestPath} 2023-01-31 404`,
            `PUT ${requestPath} 2023-01-31 201`,
            `GET ${id} 2023-01-31 200`,
        ]);
        const created = arm.identities.get(id.toLowerCase())!;
        assert.equal(response!.getId(), id);
        state = plain(response!.getProperties());
        assert.deepEqual(state, {
            name: "id-life",
            type: "Microsoft.ManagedIdentity/userAssignedIdentities",
            location: "eastus",
            tags: { team: "ai" },
            tenantId: TEST_TENANT_ID,
            principalId: created.properties.principalId,
            clientId: created.properties.clientId,
            azureApiVersion: "2023-01-31",
        });
        assert.match(String(state.clientId), /^[0-9a-f-]{36}$/);
    });

    test("Create refuses a resource that already exists", async () => {
        await assert.rejects(create(TOKENS.identity, "id", inputs), /cannot create already existing resource/);
    });

    test("Read returns the live state and keeps the inputs when nothing changed in Azure", async () => {
        const response = await read(TOKENS.identity, id, state, inputs);
        assert.equal(response.getId(), id);
        assert.deepEqual(plain(response.getProperties()), state);
        assert.deepEqual(plain(response.getInputs()), inputs);
    });

    test("Read after a change in Azure carries the change into the inputs", async () => {
        arm.identities.get(id.toLowerCase())!.tags = { team: "platform" };
        const response = await read(TOKENS.identity, id, state, inputs);
        assert.deepEqual(plain(response.getInputs()), { ...inputs, tags: { team: "platform" } });
    });

    test("Read without inputs (an import) derives them from the id and the body", async () => {
        const response = await read(TOKENS.identity, id, {}, {});
        assert.deepEqual(plain(response.getInputs()), {
            resourceGroupName: GROUP,
            resourceName: "id-life",
            location: "eastus",
            tags: { team: "platform" },
        });
    });

    test("a preview of an update keeps name and location, and leaves ARM-assigned outputs unknown", async () => {
        const news = { ...inputs, tags: { team: "ml" } };
        const response = await update(TOKENS.identity, id, state, inputs, news, true);
        assert.deepEqual(plain(response.getProperties()), {
            location: "eastus",
            tags: { team: "ml" },
            name: "id-life",
            type: UNKNOWN,
            systemData: UNKNOWN,
            clientId: UNKNOWN,
            principalId: UNKNOWN,
            tenantId: UNKNOWN,
            azureApiVersion: UNKNOWN,
        });
    });

    test("Update PUTs the full new inputs and reads back", async () => {
        const news = { ...inputs, tags: { team: "ml" } };
        const requests = await armRequestsDuring(async () => {
            const response = await update(TOKENS.identity, id, state, inputs, news);
            assert.deepEqual(plain(response.getProperties()), { ...state, tags: { team: "ml" } });
        });
        assert.deepEqual(requests, [`PUT ${requestPath} 2023-01-31 200`, `GET ${requestPath} 2023-01-31 200`]);
        assert.deepEqual(arm.requests.at(-2)!.body, { location: "eastus", tags: { team: "ml" } });
    });

    test("Delete DELETEs the id; a Read afterwards finds it gone", async () => {
        const requests = await armRequestsDuring(() => remove(TOKENS.identity, id, state));
        assert.deepEqual(requests, [`DELETE ${id} 2023-01-31 200`]);
        assert.equal((await read(TOKENS.identity, id, state, inputs)).getId(), "");
    });
});

describe("federated credential and role assignment: the world the Entra and OpenAI stand-ins read", () => {
    const identityInputs = { resourceGroupName: GROUP, resourceName: "id-wi", location: "eastus" };
    const credentialInputs = {
        resourceGroupName: GROUP,
        resourceName: "id-wi",
        federatedIdentityCredentialResourceName: "fic-pets-ai-service",
        issuer: LOCAL_ISSUER,
        subject: "system:serviceaccount:pets:ai-service",
        audiences: ["api://AzureADTokenExchange"],
    };
    const identityPath = `${GROUP_PATH}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-wi`;
    const accountId = `${GROUP_PATH}/providers/Microsoft.CognitiveServices/accounts/oai-wi`;
    let principalId: string;
    let credentialId: string;

    before(async () => {
        seedAccount(arm, { resourceGroupName: GROUP, name: "oai-wi", customSubDomainName: "oai-wi" });
        const identity = await create(TOKENS.identity, "id", identityInputs);
        principalId = String(plain(identity.getProperties()).principalId);
    });

    test("a federated credential created through the plugin is what Entra matches tokens against", async () => {
        const requests = await armRequestsDuring(async () => {
            const response = await create(TOKENS.credential, "fic", credentialInputs);
            credentialId = response.getId();
            assert.deepEqual(plain(response.getProperties()), {
                name: "fic-pets-ai-service",
                type: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
                issuer: LOCAL_ISSUER,
                subject: "system:serviceaccount:pets:ai-service",
                audiences: ["api://AzureADTokenExchange"],
                azureApiVersion: "2023-01-31",
            });
        });
        const credentialPath = `${identityPath}/federatedIdentityCredentials/fic-pets-ai-service`;
        assert.deepEqual(requests, [
            `GET ${credentialPath} 2023-01-31 404`,
            `PUT ${credentialPath} 2023-01-31 201`,
            `GET ${credentialId} 2023-01-31 200`,
        ]);
        const federation = federationOf(arm);
        const identity = federation.identities.find((candidate) => candidate.name === "id-wi");
        assert.deepEqual(identity?.principalId, principalId);
        assert.deepEqual(
            federation.credentials.filter((candidate) => candidate.identityName === "id-wi"),
            [
                {
                    identityName: "id-wi",
                    issuer: LOCAL_ISSUER,
                    subject: "system:serviceaccount:pets:ai-service",
                    audiences: ["api://AzureADTokenExchange"],
                },
            ],
        );
    });

    test("Entra sees an identity's name and its credentials' identity name as written, case included", async () => {
        await create(TOKENS.identity, "id", { resourceGroupName: GROUP, resourceName: "Id-Mixed", location: "eastus" });
        await create(TOKENS.credential, "fic", {
            ...credentialInputs,
            resourceName: "Id-Mixed",
            federatedIdentityCredentialResourceName: "fic-mixed",
        });
        const federation = federationOf(arm);
        assert.deepEqual(federation.identities.filter((identity) => identity.name === "Id-Mixed").length, 1);
        assert.deepEqual(
            federation.credentials.filter((credential) => credential.identityName === "Id-Mixed").map((c) => c.subject),
            ["system:serviceaccount:pets:ai-service"],
        );
    });

    test("a role assignment created through the plugin is what the OpenAI stand-in authorizes", async () => {
        const inputs = {
            scope: accountId,
            roleAssignmentName: "3f2b7c1e-0000-4000-8000-000000000001",
            principalId,
            principalType: "ServicePrincipal",
            roleDefinitionId: OPENAI_USER_ROLE,
        };
        const assignmentPath = `${accountId}/providers/Microsoft.Authorization/roleAssignments/${inputs.roleAssignmentName}`;
        const requests = await armRequestsDuring(() => create(TOKENS.roleAssignment, "ra", inputs));
        assert.deepEqual(requests, [
            `GET ${assignmentPath} 2022-04-01 404`,
            `PUT ${assignmentPath} 2022-04-01 201`,
            `GET ${assignmentPath} 2022-04-01 200`,
        ]);
        assert.deepEqual(arm.requests.at(-2)!.body, {
            properties: { principalId, principalType: "ServicePrincipal", roleDefinitionId: OPENAI_USER_ROLE },
        });
        assert.deepEqual(openAiAccountOf(arm, GROUP, "oai-wi").roleAssignments, [
            { principalId, roleDefinitionId: OPENAI_USER_ROLE, scope: accountId },
        ]);
    });

    test("a second assignment of the same role to the same principal fails as Azure does (RoleAssignmentExists)", async () => {
        await assert.rejects(
            create(TOKENS.roleAssignment, "ra2", {
                scope: accountId,
                roleAssignmentName: "3f2b7c1e-0000-4000-8000-000000000002",
                principalId,
                principalType: "ServicePrincipal",
                roleDefinitionId: OPENAI_USER_ROLE,
            }),
            /Status=409 Code="RoleAssignmentExists"/,
        );
    });

    test("a subject update is a PUT the Entra stand-in sees at once", async () => {
        const news = { ...credentialInputs, subject: "system:serviceaccount:store:ai-service" };
        await update(TOKENS.credential, credentialId, {}, credentialInputs, news);
        assert.deepEqual(
            federationOf(arm)
                .credentials.filter((candidate) => candidate.identityName === "id-wi")
                .map((candidate) => candidate.subject),
            ["system:serviceaccount:store:ai-service"],
        );
    });

    test("deleting the credential removes it from what Entra matches", async () => {
        const requests = await armRequestsDuring(() => remove(TOKENS.credential, credentialId, {}));
        assert.deepEqual(requests, [`DELETE ${credentialId} 2023-01-31 200`]);
        assert.deepEqual(
            federationOf(arm).credentials.filter((candidate) => candidate.identityName === "id-wi"),
            [],
        );
    });
});

describe("managed cluster and account, from scratch", () => {
    const clusterInputs = {
        resourceGroupName: GROUP,
        resourceName: "aks-new",
        location: "eastus",
        dnsPrefix: "aks-new",
        identity: { type: "SystemAssigned" },
        agentPoolProfiles: [{ name: "system", mode: "System", count: 1, vmSize: "Standard_D2s_v5" }],
        oidcIssuerProfile: { enabled: true },
        securityProfile: { workloadIdentity: { enabled: true } },
    };
    const clusterPath = `${GROUP_PATH}/providers/Microsoft.ContainerService/managedClusters/aks-new`;

    test("a preview of the cluster leaves its issuer URL unknown", async () => {
        const outputs = plain((await create(TOKENS.cluster, "aks", clusterInputs, true)).getProperties());
        assert.deepEqual(outputs.oidcIssuerProfile, { enabled: true, issuerURL: UNKNOWN });
        assert.deepEqual(outputs.identity, { type: "SystemAssigned", principalId: UNKNOWN, tenantId: UNKNOWN });
    });

    test("the cluster's PUT runs ARM's long-running operation; the issuer is the one the harness seeded", async () => {
        setIssuerUrl(arm, GROUP, "aks-new", LOCAL_ISSUER);
        let outputs: Record<string, unknown> = {};
        const requests = await armRequestsDuring(async () => {
            outputs = plain((await create(TOKENS.cluster, "aks", clusterInputs)).getProperties());
        });
        const operations = `/subscriptions/${TEST_SUBSCRIPTION_ID}/providers/Microsoft.ContainerService/locations/eastus/operations/`;
        assert.deepEqual(
            requests.map((request) =>
                request.includes(operations) ? request.replace(/operations\/\S+/, "operations/<id>") : request,
            ),
            [
                `GET ${clusterPath} 2025-09-01 404`,
                `PUT ${clusterPath} 2025-09-01 201`,
                `GET ${operations}<id> 2016-03-30 200`,
                `GET ${operations}<id> 2016-03-30 200`,
                `GET /subscriptions/${TEST_SUBSCRIPTION_ID}/resourcegroups/${GROUP}/providers/Microsoft.ContainerService/managedClusters/aks-new 2025-09-01 200`,
            ],
        );
        assert.deepEqual(
            arm.requests.find((request) => request.method === "PUT" && request.path === clusterPath)?.body,
            {
                location: "eastus",
                identity: { type: "SystemAssigned" },
                properties: {
                    dnsPrefix: "aks-new",
                    agentPoolProfiles: [{ name: "system", mode: "System", count: 1, vmSize: "Standard_D2s_v5" }],
                    oidcIssuerProfile: { enabled: true },
                    securityProfile: { workloadIdentity: { enabled: true } },
                },
            },
        );
        assert.deepEqual(outputs.oidcIssuerProfile, { enabled: true, issuerURL: LOCAL_ISSUER });
        assert.equal(outputs.provisioningState, "Succeeded");
        assert.equal(outputs.azureApiVersion, "2025-09-01");
    });

    test("an update of the cluster follows AKS's operation (200 + Azure-AsyncOperation) before reading it back", async () => {
        const id = `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourcegroups/${GROUP}/providers/Microsoft.ContainerService/managedClusters/aks-new`;
        const news = { ...clusterInputs, kubernetesVersion: "1.33" };
        let outputs: Record<string, unknown> = {};
        const requests = await armRequestsDuring(async () => {
            outputs = plain((await update(TOKENS.cluster, id, {}, clusterInputs, news)).getProperties());
        });
        const operations = `/subscriptions/${TEST_SUBSCRIPTION_ID}/providers/Microsoft.ContainerService/locations/eastus/operations/`;
        assert.deepEqual(
            requests.map((request) => request.replace(/operations\/\S+/, "operations/<id>")),
            [
                `PUT ${clusterPath} 2025-09-01 200`,
                `GET ${operations}<id> 2016-03-30 200`,
                `GET ${operations}<id> 2016-03-30 200`,
                `GET ${clusterPath} 2025-09-01 200`,
            ],
        );
        assert.equal(outputs.provisioningState, "Succeeded");
        assert.equal(outputs.kubernetesVersion, "1.33");
        assert.deepEqual(outputs.oidcIssuerProfile, { enabled: true, issuerURL: LOCAL_ISSUER });
    });

    test("listManagedClusterUserCredentials POSTs for the seeded kubeconfig and returns it plain, base64", async () => {
        setUserKubeconfig(arm, GROUP, "aks-new", LOCAL_KUBECONFIG);
        let result: Record<string, unknown> = {};
        const requests = await armRequestsDuring(async () => {
            result = plain(
                (
                    await invoke("azure-native:containerservice:listManagedClusterUserCredentials", {
                        resourceGroupName: GROUP,
                        resourceName: "aks-new",
                        format: "exec",
                    })
                ).getReturn(),
            );
        });
        assert.deepEqual(requests, [`POST ${clusterPath}/listClusterUserCredential 2025-09-01 format=exec 200`]);
        assert.deepEqual(result, {
            kubeconfigs: [{ name: "clusterUser", value: Buffer.from(LOCAL_KUBECONFIG).toString("base64") }],
        });
    });

    test("getManagedCluster GETs the cluster and answers in the SDK's shape, id included", async () => {
        const result = plain(
            (
                await invoke("azure-native:containerservice:getManagedCluster", {
                    resourceGroupName: GROUP,
                    resourceName: "aks-new",
                })
            ).getReturn(),
        );
        assert.equal(
            result.id,
            `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourcegroups/${GROUP}/providers/Microsoft.ContainerService/managedClusters/aks-new`,
        );
        assert.deepEqual(result.oidcIssuerProfile, { enabled: true, issuerURL: LOCAL_ISSUER });
        assert.deepEqual(result.securityProfile, { workloadIdentity: { enabled: true } });
        assert.equal(arm.requests.at(-1)!.query["api-version"], "2025-09-01");
    });

    test("the account's endpoint is ARM's custom-subdomain endpoint; the deployment is PUT under it", async () => {
        const accountInputs = {
            resourceGroupName: GROUP,
            accountName: "oai-new",
            location: "eastus",
            kind: "OpenAI",
            sku: { name: "S0" },
            properties: { customSubDomainName: "oai-new", disableLocalAuth: true, publicNetworkAccess: "Enabled" },
        };
        const account = await create(TOKENS.account, "oai", accountInputs);
        const outputs = plain(account.getProperties()) as { properties: Record<string, unknown> };
        assert.equal(account.getId(), `${GROUP_PATH}/providers/Microsoft.CognitiveServices/accounts/oai-new`);
        assert.equal(outputs.properties.endpoint, "https://oai-new.openai.azure.com/");
        assert.equal(outputs.properties.disableLocalAuth, true);
        const deploymentPath = `${account.getId()}/deployments/chat`;
        const requests = await armRequestsDuring(() =>
            create(TOKENS.deployment, "chat", {
                resourceGroupName: GROUP,
                accountName: "oai-new",
                deploymentName: "chat",
                sku: { name: "GlobalStandard", capacity: 10 },
                properties: {
                    model: { format: "OpenAI", name: "gpt-4o-mini", version: "2024-07-18" },
                    versionUpgradeOption: "NoAutoUpgrade",
                },
            }),
        );
        assert.deepEqual(requests, [
            `GET ${deploymentPath} 2025-06-01 404`,
            `PUT ${deploymentPath} 2025-06-01 201`,
            `GET ${deploymentPath} 2025-06-01 200`,
        ]);
        assert.deepEqual(openAiAccountOf(arm, GROUP, "oai-new").deployments, ["chat"]);
    });

    test("getAccount and getDeployment read what exists, at 2025-06-01", async () => {
        const account = plain(
            (
                await invoke("azure-native:cognitiveservices:getAccount", {
                    resourceGroupName: GROUP,
                    accountName: "oai-new",
                })
            ).getReturn(),
        ) as { id: string; properties: Record<string, unknown>; azureApiVersion: string };
        assert.equal(account.id, `${GROUP_PATH}/providers/Microsoft.CognitiveServices/accounts/oai-new`);
        assert.equal(account.properties.customSubDomainName, "oai-new");
        assert.equal(account.azureApiVersion, "2025-06-01");
        const deployment = plain(
            (
                await invoke("azure-native:cognitiveservices:getDeployment", {
                    resourceGroupName: GROUP,
                    accountName: "oai-new",
                    deploymentName: "chat",
                })
            ).getReturn(),
        );
        assert.equal(deployment.name, "chat");
        await assert.rejects(
            invoke("azure-native:cognitiveservices:getDeployment", {
                resourceGroupName: GROUP,
                accountName: "oai-new",
                deploymentName: "missing",
            }),
            /Status=404 Code="DeploymentNotFound"/,
        );
    });

    test("deleting the cluster DELETEs it", async () => {
        const id = `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourcegroups/${GROUP}/providers/Microsoft.ContainerService/managedClusters/aks-new`;
        const requests = await armRequestsDuring(() => remove(TOKENS.cluster, id, {}));
        assert.deepEqual(requests, [`DELETE ${id} 2025-09-01 200`]);
    });
});

describe("client invokes", () => {
    test("getClientConfig reports the identity of the harness's token and the configured subscription", async () => {
        const result = plain((await invoke("azure-native:authorization:getClientConfig", {})).getReturn());
        assert.deepEqual(result, {
            clientId: DEPLOYER_CLIENT_ID,
            objectId: TEST_DEPLOYER_OBJECT_ID,
            subscriptionId: TEST_SUBSCRIPTION_ID,
            tenantId: TEST_TENANT_ID,
        });
    });

    test("getClientToken returns the harness's ARM token, and refuses another audience", async () => {
        const result = plain(
            (await invoke("azure-native:authorization:getClientToken", { endpoint: arm.url })).getReturn(),
        );
        assert.deepEqual(result, { token });
        await assert.rejects(
            invoke("azure-native:authorization:getClientToken", { endpoint: "https://vault.azure.net/" }),
            /endpoint "https:\/\/vault\.azure\.net\/" is not the ARM endpoint/,
        );
    });
});
