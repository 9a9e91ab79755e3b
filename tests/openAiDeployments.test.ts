import assert from "node:assert/strict";
import { after, before, test, type TestContext } from "node:test";

import { ArmStandin } from "./support/armStandin";
import { callFunctionInChild, type CallResult } from "./support/children";
import { clientSecrets, EntraStandin } from "./support/entraStandin";
import { createTestTls, trustingEnv, type TestTls } from "./support/tls";
import { SEED_RESOURCE_GROUP, TEST_DEPLOYER_OBJECT_ID, TEST_SUBSCRIPTION_ID, TEST_TENANT_ID } from "./support/world";

/**
 * components/openAiDeployments.ts (`listDeploymentNames`) against the ARM stand-in, run in a child process that trusts
 * the test CA, with a token the Entra stand-in minted for the ARM stand-in (as azure-native's getClientToken hands one).
 */

const ACCOUNT = "myOpenAI";
const API = "api-version=2024-10-01";

let tls: TestTls;
let entra: EntraStandin;

before(async () => {
    tls = createTestTls();
    entra = await EntraStandin.start({ tls, tenantId: TEST_TENANT_ID, authenticate: clientSecrets({}) });
});

after(() => entra.close());

async function armWith(t: TestContext, deployments?: readonly string[]): Promise<ArmStandin> {
    const arm = await ArmStandin.start({ tls, entra });
    t.after(() => arm.close());
    if (deployments !== undefined) {
        arm.seedDeployments(SEED_RESOURCE_GROUP, ACCOUNT, deployments);
    }
    return arm;
}

async function tokenFor(arm: ArmStandin): Promise<string> {
    return entra.mintAccessToken({ audience: arm.url, principal: { objectId: TEST_DEPLOYER_OBJECT_ID } });
}

async function listDeploymentNames(arm: ArmStandin, token?: string): Promise<CallResult> {
    return callFunctionInChild({
        module: "components/openAiDeployments.ts",
        export: "listDeploymentNames",
        args: [
            {
                armEndpoint: arm.url,
                subscriptionId: TEST_SUBSCRIPTION_ID,
                resourceGroupName: SEED_RESOURCE_GROUP,
                accountName: ACCOUNT,
                token: token ?? (await tokenFor(arm)),
            },
        ],
        env: trustingEnv(tls),
        dir: tls.dir,
    });
}

function deploymentsPath(arm: ArmStandin): string {
    return `${new URL(arm.accountId(SEED_RESOURCE_GROUP, ACCOUNT), arm.url).pathname}/deployments`;
}

test("lists the account's deployment names, sorted", async (t) => {
    const arm = await armWith(t, ["text-embedding-3-small", "gpt-4o-mini", "dall-e-3"]);
    assert.deepEqual(await listDeploymentNames(arm), {
        ok: true,
        value: ["dall-e-3", "gpt-4o-mini", "text-embedding-3-small"],
    });
});

test("follows nextLink through every page", async (t) => {
    const arm = await armWith(t, ["e", "d", "c", "b", "a"]);
    arm.pageSize = 2;
    assert.deepEqual(await listDeploymentNames(arm), { ok: true, value: ["a", "b", "c", "d", "e"] });
    assert.deepEqual(
        arm.requests.map((request) => `${request.method} ${request.path}?${new URLSearchParams(request.query)}`),
        [
            `GET ${deploymentsPath(arm)}?${API}`,
            `GET ${deploymentsPath(arm)}?${API}&%24skipToken=2`,
            `GET ${deploymentsPath(arm)}?${API}&%24skipToken=4`,
        ],
    );
});

test("sends the token it was given as the bearer token", async (t) => {
    const arm = await armWith(t, ["gpt-4o-mini"]);
    const token = await tokenFor(arm);
    await listDeploymentNames(arm, token);
    assert.deepEqual(
        arm.requests.map((request) => request.headers.authorization),
        [`Bearer ${token}`],
    );
});

test("an account without deployments gives an empty list", async (t) => {
    const arm = await armWith(t, []);
    assert.deepEqual(await listDeploymentNames(arm), { ok: true, value: [] });
});

test("stops after 50 pages, so an endpoint whose nextLink never ends cannot hold pulumi up forever", async (t) => {
    const names = Array.from({ length: 60 }, (_, i) => `deployment-${String(i).padStart(2, "0")}`);
    const arm = await armWith(t, names);
    arm.pageSize = 1;
    const listed = await listDeploymentNames(arm);
    assert.deepEqual(listed, { ok: true, value: names.slice(0, 50) });
    assert.equal(arm.requests.length, 50);
});

test("leaves out deployments ARM lists without a name", async (t) => {
    const arm = await armWith(t, ["gpt-4o-mini"]);
    arm.fail({ method: "GET" }, { status: 200, body: { value: [{ name: "gpt-4o-mini" }, {}, { name: "" }] } });
    assert.deepEqual(await listDeploymentNames(arm), { ok: true, value: ["gpt-4o-mini"] });
});

test("an HTTP error quotes the first 300 characters of ARM's answer, not all of it", async (t) => {
    const arm = await armWith(t, ["gpt-4o-mini"]);
    const message = "x".repeat(400);
    arm.fail({ method: "GET" }, { status: 500, body: { error: { code: "InternalServerError", message } } });
    const answer = JSON.stringify({ error: { code: "InternalServerError", message } });
    assert.deepEqual(await listDeploymentNames(arm), {
        ok: false,
        error: { name: "Error", message: `listing deployments answered HTTP 500: ${answer.slice(0, 300)}` },
    });
});

test("an HTTP error fails with the status and ARM's answer", async (t) => {
    const arm = await armWith(t);
    assert.deepEqual(await listDeploymentNames(arm), {
        ok: false,
        error: {
            name: "Error",
            message:
                `listing deployments answered HTTP 404: {"error":{"code":"ResourceNotFound","message":"The Resource ` +
                `'Microsoft.CognitiveServices/accounts/${ACCOUNT}' under resource group '${SEED_RESOURCE_GROUP}' was not ` +
                `found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"}}`,
        },
    });
});

test("a token for another audience fails with ARM's 401", async (t) => {
    const arm = await armWith(t, ["gpt-4o-mini"]);
    const token = await entra.mintAccessToken({
        audience: "https://management.azure.com/",
        principal: { objectId: TEST_DEPLOYER_OBJECT_ID },
    });
    assert.deepEqual(await listDeploymentNames(arm, token), {
        ok: false,
        error: {
            name: "Error",
            message:
                `listing deployments answered HTTP 401: {"error":{"code":"InvalidAuthenticationTokenAudience","message":` +
                `"The access token has been obtained for wrong audience or resource. It should exactly match with one of ` +
                `the allowed audiences '${arm.url}'."}}`,
        },
    });
});
