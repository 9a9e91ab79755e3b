import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import { after, before, test } from "node:test";

import { decodeJwt, generateKeyPair, SignJWT } from "jose";

import { getTokenInChild, type TokenRequest, type TokenResult } from "./support/children";
import {
    clientSecrets,
    EntraStandin,
    entraError,
    type ClientAuthentication,
    type ClientAuthenticator,
} from "./support/entraStandin";
import { createTestTls, trustingEnv, type TestTls } from "./support/tls";
import { aksIssuerUrl, mockGuid, TEST_DEPLOYER_OBJECT_ID, TEST_TENANT_ID } from "./support/world";

/**
 * The Entra ID stand-in as the REAL @azure/identity credentials see it (in child processes trusting the test CA), and
 * the loopback guard's negative control: a credential left with instance discovery on reaches for
 * login.microsoftonline.com, and the guard refuses and reports it.
 */

const CLIENT_ID = mockGuid("deployer-client");
const CLIENT_SECRET = "deployer-client-secret";
const WORKLOAD_CLIENT_ID = mockGuid("client-id", "myIdentity");
const WORKLOAD_OBJECT_ID = mockGuid("principal-id", "myIdentity");
const CLUSTER_ISSUER = aksIssuerUrl("eastus", "myAKSCluster");
const SUBJECT = "system:serviceaccount:default:ai-service-account";
const ARM_SCOPE = "https://management.azure.com/.default";

let tls: TestTls;
let entra: EntraStandin;
/** The client authentication rule of the current test; by default the deployer's client secret. */
let policy: ClientAuthenticator;
const secrets = clientSecrets({ [CLIENT_ID]: { secret: CLIENT_SECRET, objectId: TEST_DEPLOYER_OBJECT_ID } });

before(async () => {
    tls = createTestTls();
    entra = await EntraStandin.start({ tls, tenantId: TEST_TENANT_ID, authenticate: (request) => policy(request) });
});

after(() => entra.close());

function getToken(request: TokenRequest, env: Record<string, string> = {}): Promise<TokenResult> {
    return getTokenInChild({
        request,
        env: trustingEnv(tls, { AZURE_AUTHORITY_HOST: entra.url, AZURE_TENANT_ID: TEST_TENANT_ID, ...env }),
        dir: tls.dir,
    });
}

/** A service-account token as the AKS issuer signs it for workload identity (signed with a throwaway key). */
async function serviceAccountToken(subject = SUBJECT): Promise<string> {
    const { privateKey } = await generateKeyPair("RS256");
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ "kubernetes.io": { namespace: "default", serviceaccount: { name: "ai-service-account" } } })
        .setProtectedHeader({ alg: "RS256", kid: "aks-issuer-key" })
        .setIssuer(CLUSTER_ISSUER)
        .setSubject(subject)
        .setAudience("api://AzureADTokenExchange")
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .sign(privateKey);
}

test("a client secret gets an access token for the scope's resource, with the principal's ids", async () => {
    policy = secrets;
    const result = await getToken(
        { credential: "ClientSecretCredential", scope: ARM_SCOPE, options: { disableInstanceDiscovery: true } },
        { AZURE_CLIENT_ID: CLIENT_ID, AZURE_CLIENT_SECRET: CLIENT_SECRET },
    );
    assert.ok(result.ok, result.ok ? "" : result.error.message);
    const claims = decodeJwt(result.token);
    assert.deepEqual(
        {
            aud: claims.aud,
            iss: claims.iss,
            tid: claims.tid,
            oid: claims.oid,
            sub: claims.sub,
            appid: claims.appid,
            azp: claims.azp,
            idtyp: claims.idtyp,
        },
        {
            aud: "https://management.azure.com/",
            iss: `${entra.url}${TEST_TENANT_ID}/v2.0`,
            tid: TEST_TENANT_ID,
            oid: TEST_DEPLOYER_OBJECT_ID,
            sub: TEST_DEPLOYER_OBJECT_ID,
            appid: CLIENT_ID,
            azp: CLIENT_ID,
            idtyp: "app",
        },
    );
    assert.deepEqual(await entra.verifyAccessToken(result.token, "https://management.azure.com/"), claims);
});

test("MSAL for Go's scope form: an application id scope with the OpenID Connect scopes gets a token whose aud is the id", async () => {
    policy = secrets;
    // What kubelogin (MSAL for Go) posts for the AKS server application: `<app id>/.default` plus the OIDC scopes.
    const aksServerApplication = "6dae42f8-4368-4678-94ff-3960e28e3630";
    const reply = await postForm(`${entra.url}${TEST_TENANT_ID}/oauth2/v2.0/token`, {
        grant_type: "client_credentials",
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        scope: `${aksServerApplication}/.default openid offline_access profile`,
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(decodeJwt(String(reply.body.access_token)).aud, aksServerApplication);
    assert.equal(entra.issued.at(-1)?.scope, `${aksServerApplication}/.default`);

    // A resource named by URI keeps its trailing slash, as Entra issues it.
    const arm = await postForm(`${entra.url}${TEST_TENANT_ID}/oauth2/v2.0/token`, {
        grant_type: "client_credentials",
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        scope: `${ARM_SCOPE} openid`,
    });
    assert.equal(decodeJwt(String(arm.body.access_token)).aud, "https://management.azure.com/");
});

test("a wrong client secret is refused with AADSTS7000215", async () => {
    policy = secrets;
    const result = await getToken(
        { credential: "ClientSecretCredential", scope: ARM_SCOPE, options: { disableInstanceDiscovery: true } },
        { AZURE_CLIENT_ID: CLIENT_ID, AZURE_CLIENT_SECRET: "not-the-secret" },
    );
    assert.ok(!result.ok);
    assert.match(
        result.error.message,
        new RegExp(
            `AADSTS7000215: Invalid client secret provided\\. Ensure the secret being sent in the request is the client ` +
                `secret value, not the client secret ID, for a secret added to app '${CLIENT_ID}'\\.`,
        ),
    );
});

test("a client assertion reaches the test's authenticator with its claims", async () => {
    const seen: ClientAuthentication[] = [];
    policy = (request) => {
        seen.push(request);
        return { objectId: WORKLOAD_OBJECT_ID };
    };
    const assertion = await serviceAccountToken();
    const result = await getToken(
        {
            credential: "ClientAssertionCredential",
            scope: "https://cognitiveservices.azure.com/.default",
            assertion,
            options: { disableInstanceDiscovery: true },
        },
        { AZURE_CLIENT_ID: WORKLOAD_CLIENT_ID },
    );
    assert.ok(result.ok, result.ok ? "" : result.error.message);
    assert.equal(seen.length, 1);
    const [request] = seen;
    assert.deepEqual(
        {
            tenantId: request.tenantId,
            clientId: request.clientId,
            scope: request.scope,
            resource: request.resource,
            type: request.credential.type,
        },
        {
            tenantId: TEST_TENANT_ID,
            clientId: WORKLOAD_CLIENT_ID,
            scope: "https://cognitiveservices.azure.com/.default",
            resource: "https://cognitiveservices.azure.com/",
            type: "client_assertion",
        },
    );
    assert.ok(request.credential.type === "client_assertion");
    assert.equal(request.credential.assertion, assertion);
    assert.deepEqual(
        {
            iss: request.credential.claims?.iss,
            sub: request.credential.claims?.sub,
            aud: request.credential.claims?.aud,
        },
        { iss: CLUSTER_ISSUER, sub: SUBJECT, aud: "api://AzureADTokenExchange" },
    );
});

test("an authenticator's AADSTS70021 reaches the credential's caller", async () => {
    policy = () =>
        entraError(
            "invalid_client",
            `AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: ` +
                `'${CLUSTER_ISSUER}'. Assertion Subject: 'system:serviceaccount:default:other'. Assertion Audience: ` +
                `'api://AzureADTokenExchange'.`,
            400,
        );
    const result = await getToken(
        {
            credential: "ClientAssertionCredential",
            scope: "https://cognitiveservices.azure.com/.default",
            assertion: await serviceAccountToken("system:serviceaccount:default:other"),
            options: { disableInstanceDiscovery: true },
        },
        { AZURE_CLIENT_ID: WORKLOAD_CLIENT_ID },
    );
    assert.ok(!result.ok);
    assert.match(
        result.error.message,
        /AADSTS70021: No matching federated identity record found for presented assertion\./,
    );
});

test("WorkloadIdentityCredential presents the projected token file as the assertion", async () => {
    const assertion = await serviceAccountToken();
    const tokenFile = path.join(tls.dir, "azure-identity-token");
    writeFileSync(tokenFile, assertion);
    const seen: string[] = [];
    policy = ({ credential }) => {
        seen.push(credential.type === "client_assertion" ? credential.assertion : credential.type);
        return { objectId: WORKLOAD_OBJECT_ID };
    };
    const result = await getToken(
        {
            credential: "WorkloadIdentityCredential",
            scope: "https://cognitiveservices.azure.com/.default",
            options: { disableInstanceDiscovery: true },
        },
        { AZURE_CLIENT_ID: WORKLOAD_CLIENT_ID, AZURE_FEDERATED_TOKEN_FILE: tokenFile },
    );
    assert.ok(result.ok, result.ok ? "" : result.error.message);
    assert.deepEqual(seen, [assertion]);
    assert.equal(decodeJwt(result.token).oid, WORKLOAD_OBJECT_ID);
});

test("negative control: with instance discovery on, MSAL reaches for login.microsoftonline.com and the guard refuses", async () => {
    policy = secrets;
    const first = entra.requests.length;
    const result = await getToken(
        { credential: "ClientSecretCredential", scope: ARM_SCOPE, options: { retryOptions: { maxRetries: 0 } } },
        { AZURE_CLIENT_ID: CLIENT_ID, AZURE_CLIENT_SECRET: CLIENT_SECRET },
    );
    assert.deepEqual(result.blockedConnections, ["login.microsoftonline.com:443"]);
    assert.ok(!result.ok);
    assert.match(result.error.message, /endpoints_resolution_error/);
    assert.deepEqual(entra.requests.slice(first), []);
});

/** A form POST to the stand-in, trusting the test CA: a client other than @azure/identity (MSAL for Go). */
function postForm(
    url: string,
    form: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
        const request = https.request(
            url,
            {
                method: "POST",
                ca: readFileSync(tls.caPath),
                headers: { "content-type": "application/x-www-form-urlencoded" },
            },
            (response) => {
                let text = "";
                response.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
                response.once("end", () =>
                    resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }),
                );
            },
        );
        request.once("error", reject);
        request.end(new URLSearchParams(form).toString());
    });
}
