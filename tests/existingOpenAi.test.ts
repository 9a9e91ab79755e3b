import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { ArmStandin } from "./support/armStandin";
import { runProgramInChild, type ProgramResult } from "./support/children";
import { clientSecrets, EntraStandin } from "./support/entraStandin";
import { createTestTls, trustingEnv, type TestTls } from "./support/tls";
import { seedWorld, SEED_RESOURCE_GROUP, TEST_DEPLOYER_OBJECT_ID, TEST_TENANT_ID, type World } from "./support/world";

/**
 * The program in existing mode (the seed's `Pulumi.dev.yaml`) when the configured model deployment is not on the
 * account: it lists the deployments that exist through the ARM stand-in (the `armEndpoint` config points at it, and
 * azure-native's `getClientToken` hands over a token the Entra stand-in minted for it) and fails before registering
 * anything. The program runs under the mocks in a child process that trusts the test CA.
 */

const ACCOUNT = "myOpenAI";
/** On the account, in the order ARM lists them; one per page, so the error needs every page. */
const DEPLOYMENTS = ["text-embedding-3-small", "gpt-4o-mini"];

let tls: TestTls;
let entra: EntraStandin;
let arm: ArmStandin;
let result: ProgramResult;

before(async () => {
    tls = createTestTls();
    entra = await EntraStandin.start({ tls, tenantId: TEST_TENANT_ID, authenticate: clientSecrets({}) });
    arm = await ArmStandin.start({ tls, entra });
    arm.seedDeployments(SEED_RESOURCE_GROUP, ACCOUNT, DEPLOYMENTS);
    arm.pageSize = 1;

    const seed = seedWorld();
    const world: World = {
        ...seed,
        accounts: {
            ...seed.accounts,
            [`${SEED_RESOURCE_GROUP}/${ACCOUNT}`]: {
                ...seed.accounts[`${SEED_RESOURCE_GROUP}/${ACCOUNT}`],
                deployments: DEPLOYMENTS,
            },
        },
    };
    result = await runProgramInChild({
        request: {
            stackConfig: "dev",
            config: {
                "aks-openai-wi:openai": { deploymentName: "gpt-4o" },
                "aks-openai-wi:armEndpoint": arm.url,
            },
            world,
            armToken: await entra.mintAccessToken({
                audience: arm.url,
                principal: { objectId: TEST_DEPLOYER_OBJECT_ID },
            }),
        },
        env: trustingEnv(tls),
        dir: tls.dir,
    });
});

after(async () => {
    await arm.close();
    await entra.close();
});

test("a missing deployment fails with the key, the value and the deployments that exist", () => {
    assert.deepEqual(
        result.ok ? result.outputs : result.message,
        `aks-openai-wi:openai.deploymentName = "gpt-4o" is not a deployment on Azure OpenAI account "${ACCOUNT}"; the ` +
            `deployments that exist are: gpt-4o-mini, text-embedding-3-small. Fix: pulumi config set --path ` +
            `'aks-openai-wi:openai.deploymentName' gpt-4o-mini`,
    );
});

test("the deployments are listed through the configured armEndpoint with azure-native's token, every page", () => {
    assert.deepEqual(
        result.calls.filter((call) => call.token === "azure-native:authorization:getClientToken"),
        [{ token: "azure-native:authorization:getClientToken", inputs: { endpoint: arm.url } }],
    );
    const path = `${new URL(arm.accountId(SEED_RESOURCE_GROUP, ACCOUNT), arm.url).pathname}/deployments`;
    assert.deepEqual(
        arm.requests.map(
            (request) => `${request.method} ${request.path}?${new URLSearchParams(request.query)} -> ${request.status}`,
        ),
        [`GET ${path}?api-version=2024-10-01 -> 200`, `GET ${path}?api-version=2024-10-01&%24skipToken=1 -> 200`],
    );
    assert.deepEqual(
        arm.requests.map((request) => request.principal?.oid),
        [TEST_DEPLOYER_OBJECT_ID, TEST_DEPLOYER_OBJECT_ID],
    );
});

test("nothing but the stack itself is registered before the failure", () => {
    assert.deepEqual(
        result.resources.map((resource) => resource.type),
        ["pulumi:pulumi:Stack"],
    );
});
