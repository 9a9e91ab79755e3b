import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as https from "node:https";
import { after, before, describe, test } from "node:test";

import { ArmStandin, armError } from "./support/armStandin";
import { clientSecrets, EntraStandin } from "./support/entraStandin";
import { createTestTls, type TestTls } from "./support/tls";
import {
    aksIssuerUrl,
    mockGuid,
    SEED_RESOURCE_GROUP,
    TEST_DEPLOYER_OBJECT_ID,
    TEST_SUBSCRIPTION_ID,
    TEST_TENANT_ID,
} from "./support/world";

/**
 * The ARM stand-in's own contract for the routes the provider tests do not exercise (federated identity credentials and
 * role assignments, for the `verify` command) and its ARM behaviours (authentication, api-versions, extension points).
 * Plain HTTPS from the test process, trusting the test CA explicitly; the SDK clients are exercised in other files.
 */

const IDENTITY = "myIdentity";
const PRINCIPAL = mockGuid("principal-id", IDENTITY);
const OPENAI_USER_ROLE = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd";
const SUBSCRIPTION = `/subscriptions/${TEST_SUBSCRIPTION_ID}`;
const GROUP = `${SUBSCRIPTION}/resourceGroups/${SEED_RESOURCE_GROUP}`;
const ACCOUNT = `${GROUP}/providers/Microsoft.CognitiveServices/accounts/myOpenAI`;
const IDENTITY_PATH = `${GROUP}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${IDENTITY}`;

let tls: TestTls;
let ca: Buffer;
let entra: EntraStandin;
let arm: ArmStandin;
let token: string;

before(async () => {
    tls = createTestTls();
    ca = readFileSync(tls.caPath);
    entra = await EntraStandin.start({ tls, tenantId: TEST_TENANT_ID, authenticate: clientSecrets({}) });
    arm = await ArmStandin.start({ tls, entra });
    token = await entra.mintAccessToken({ audience: arm.url, principal: { objectId: TEST_DEPLOYER_OBJECT_ID } });

    arm.seedFederatedCredential({
        resourceGroupName: SEED_RESOURCE_GROUP,
        identityName: IDENTITY,
        name: "myFederatedCredential",
        issuer: aksIssuerUrl("eastus", "myAKSCluster"),
        subject: "system:serviceaccount:default:ai-service-account",
    });
    arm.seedIdentity(SEED_RESOURCE_GROUP, "emptyIdentity");
    arm.seedRoleAssignment({ scope: ACCOUNT, roleDefinitionId: OPENAI_USER_ROLE, principalId: PRINCIPAL });
    arm.seedRoleAssignment({
        scope: GROUP,
        roleDefinitionId: "a97b65f3-24c7-4388-baec-2e87135dc908",
        principalId: PRINCIPAL,
    });
    arm.seedRoleAssignment({
        scope: ACCOUNT,
        roleDefinitionId: "a001fd3d-188f-4b5d-821b-7da978bf7442",
        principalId: mockGuid("someone-else"),
        principalType: "User",
    });
});

after(async () => {
    await arm.close();
    await entra.close();
});

interface Reply {
    readonly status: number;
    readonly body: unknown;
}

function get(path: string, options: { token?: string | null } = {}): Promise<Reply> {
    const bearer = options.token === undefined ? token : options.token;
    return new Promise((resolve, reject) => {
        const request = https.request(
            new URL(path.replace(/^\//, ""), arm.url),
            { method: "GET", ca, headers: bearer === null ? {} : { authorization: `Bearer ${bearer}` } },
            (response) => {
                let text = "";
                response.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
                response.on("end", () =>
                    resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }),
                );
            },
        );
        request.on("error", reject).end();
    });
}

function names(reply: Reply): string[] {
    return (reply.body as { value: { name: string }[] }).value.map((item) => item.name);
}

function roles(reply: Reply): string[] {
    return (reply.body as { value: { properties: { roleDefinitionId: string; scope: string } }[] }).value.map(
        (item) => `${item.properties.roleDefinitionId.split("/").pop()} @ ${item.properties.scope}`,
    );
}

describe("federated identity credentials", () => {
    test("are listed on their identity in ARM's shape", async () => {
        const reply = await get(`${IDENTITY_PATH}/federatedIdentityCredentials?api-version=2023-01-31`);
        assert.deepEqual(reply, {
            status: 200,
            body: {
                value: [
                    {
                        id: `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourcegroups/${SEED_RESOURCE_GROUP}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${IDENTITY}/federatedIdentityCredentials/myFederatedCredential`,
                        name: "myFederatedCredential",
                        type: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
                        properties: {
                            issuer: aksIssuerUrl("eastus", "myAKSCluster"),
                            subject: "system:serviceaccount:default:ai-service-account",
                            audiences: ["api://AzureADTokenExchange"],
                        },
                    },
                ],
            },
        });
    });

    test("are read by name, case-insensitively as ARM does", async () => {
        const reply = await get(
            `${IDENTITY_PATH}/federatedIdentityCredentials/MYFEDERATEDCREDENTIAL?api-version=2024-11-30`,
        );
        assert.equal(reply.status, 200);
        assert.equal((reply.body as { name: string }).name, "myFederatedCredential");
    });

    test("an identity without credentials lists none", async () => {
        const reply = await get(
            `${GROUP}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/emptyIdentity/federatedIdentityCredentials?api-version=2023-01-31`,
        );
        assert.deepEqual(reply, { status: 200, body: { value: [] } });
    });

    test("a missing credential is ARM's 404 ResourceNotFound", async () => {
        const reply = await get(`${IDENTITY_PATH}/federatedIdentityCredentials/other?api-version=2023-01-31`);
        assert.equal(reply.status, 404);
        assert.equal((reply.body as { error: { code: string } }).error.code, "ResourceNotFound");
    });
});

describe("role assignments", () => {
    test("atScope() lists the assignments at the scope and above it", async () => {
        const reply = await get(
            `${ACCOUNT}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=${encodeURIComponent("atScope()")}`,
        );
        assert.deepEqual(roles(reply), [
            `${OPENAI_USER_ROLE} @ ${ACCOUNT}`,
            `a97b65f3-24c7-4388-baec-2e87135dc908 @ ${GROUP}`,
            `a001fd3d-188f-4b5d-821b-7da978bf7442 @ ${ACCOUNT}`,
        ]);
    });

    test("principalId eq filters to one principal, including assignments below the scope", async () => {
        const filter = encodeURIComponent(`principalId eq '${PRINCIPAL}'`);
        const reply = await get(
            `${SUBSCRIPTION}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=${filter}`,
        );
        assert.deepEqual(roles(reply), [
            `${OPENAI_USER_ROLE} @ ${ACCOUNT}`,
            `a97b65f3-24c7-4388-baec-2e87135dc908 @ ${GROUP}`,
        ]);
    });

    test("carry the full role definition id and the principal type", async () => {
        const filter = encodeURIComponent(`atScope() and principalId eq '${PRINCIPAL}'`);
        const reply = await get(
            `${ACCOUNT}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=${filter}`,
        );
        const [first] = (reply.body as { value: { properties: Record<string, unknown> }[] }).value;
        assert.equal(
            first.properties.roleDefinitionId,
            `${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${OPENAI_USER_ROLE}`,
        );
        assert.equal(first.properties.principalType, "ServicePrincipal");
    });
});

describe("ARM behaviour", () => {
    test("a request without a bearer token is 401 AuthenticationFailed", async () => {
        const reply = await get(`${IDENTITY_PATH}/federatedIdentityCredentials?api-version=2023-01-31`, {
            token: null,
        });
        assert.deepEqual(reply, {
            status: 401,
            body: {
                error: {
                    code: "AuthenticationFailed",
                    message: "Authentication failed. The 'Authorization' header is missing.",
                },
            },
        });
    });

    test("a request without api-version is 400 MissingApiVersionParameter", async () => {
        const reply = await get(`${IDENTITY_PATH}/federatedIdentityCredentials`);
        assert.equal(reply.status, 400);
        assert.equal((reply.body as { error: { code: string } }).error.code, "MissingApiVersionParameter");
    });

    test("an api-version the stand-in does not serve is 400 NoRegisteredProviderFound", async () => {
        const reply = await get(`${IDENTITY_PATH}/federatedIdentityCredentials?api-version=2099-01-01`);
        assert.equal(reply.status, 400);
        assert.equal((reply.body as { error: { code: string } }).error.code, "NoRegisteredProviderFound");
    });

    test("lists page with nextLink by pageSize", async () => {
        for (const name of ["b", "c"]) {
            arm.seedFederatedCredential({
                resourceGroupName: SEED_RESOURCE_GROUP,
                identityName: "pagedIdentity",
                name,
                issuer: aksIssuerUrl("eastus", "myAKSCluster"),
                subject: `system:serviceaccount:default:${name}`,
            });
        }
        arm.pageSize = 1;
        const path = `${GROUP}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/pagedIdentity/federatedIdentityCredentials`;
        const first = await get(`${path}?api-version=2023-01-31`);
        arm.pageSize = 100;
        assert.deepEqual(names(first), ["b"]);
        assert.equal(
            (first.body as { nextLink: string }).nextLink,
            `${arm.url}${path.slice(1)}?api-version=2023-01-31&%24skipToken=1`,
        );
    });

    test("route() adds a path and fail() answers the next matching requests", async () => {
        arm.route("GET", /^\/hello$/, () => ({ status: 200, body: { hello: "world" } }));
        arm.fail({ path: "/hello" }, armError(503, "ServiceUnavailable", "try later"));
        assert.deepEqual((await get("/hello?api-version=1")).status, 503);
        assert.deepEqual(await get("/hello?api-version=1"), { status: 200, body: { hello: "world" } });
    });
});
