import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
    cognitiveServicesAccountOf,
    isAksIssuer,
    isAzureNativeType,
    isFullRoleDefinitionId,
    isKubernetesCredential,
    openAiSubdomainOf,
    parseServiceAccountSubject,
    subscriptionOf,
} from "../policy/azure";
import { at, GUID, isBlank, plainProps, recordAt, show, UNKNOWN, UNKNOWN_SENTINELS } from "../policy/values";

/**
 * The pack's small helpers on their own, with exact return values: the policy tests reach them only through
 * fixtures that are well-formed, so the edges (anchors, optional parts, non-objects, unknowns) are pinned here.
 */

const SUB = "00000000-0000-0000-0000-000000000001";
const ROLE = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd";
const FULL_ROLE = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ROLE}`;
const TENANT_ROLE = `/providers/Microsoft.Authorization/roleDefinitions/${ROLE}`;
const ACCOUNT_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/acct";

describe("isAzureNativeType", () => {
    it("matches the type token with or without a pinned API-version module", () => {
        assert.equal(
            isAzureNativeType("azure-native:authorization:RoleAssignment", "authorization", "RoleAssignment"),
            true,
        );
        assert.equal(
            isAzureNativeType("azure-native:authorization/v20220401:RoleAssignment", "authorization", "RoleAssignment"),
            true,
        );
    });
    it("rejects a token with anything before or after it", () => {
        assert.equal(
            isAzureNativeType("xazure-native:authorization:RoleAssignment", "authorization", "RoleAssignment"),
            false,
        );
        assert.equal(
            isAzureNativeType("azure-native:authorization:RoleAssignment2", "authorization", "RoleAssignment"),
            false,
        );
    });
});

describe("ARM ids", () => {
    it("reads the subscription only at the start, with or without a rest", () => {
        assert.equal(subscriptionOf("/subscriptions/ABC"), "abc");
        assert.equal(subscriptionOf("/subscriptions/ABC/resourceGroups/rg"), "abc");
        assert.equal(subscriptionOf("/x/subscriptions/abc"), undefined);
    });
    it("accepts exactly the two full role-definition forms when the scope has no subscription", () => {
        assert.equal(isFullRoleDefinitionId(FULL_ROLE, undefined), true);
        assert.equal(isFullRoleDefinitionId(TENANT_ROLE, undefined), true);
        assert.equal(isFullRoleDefinitionId(`/x${FULL_ROLE}`, undefined), false);
        assert.equal(isFullRoleDefinitionId(`${FULL_ROLE}/x`, undefined), false);
        assert.equal(isFullRoleDefinitionId(`/x${TENANT_ROLE}`, undefined), false);
        assert.equal(isFullRoleDefinitionId(`${TENANT_ROLE}/x`, undefined), false);
    });
    it("wants the scope's own subscription when the scope is in one", () => {
        assert.equal(isFullRoleDefinitionId(FULL_ROLE, `/subscriptions/${SUB.toUpperCase()}/resourceGroups/rg`), true);
        assert.equal(isFullRoleDefinitionId(TENANT_ROLE, `/subscriptions/${SUB}`), false);
    });
    it("finds a Cognitive Services account only at the start of an id, itself or something inside it", () => {
        assert.equal(cognitiveServicesAccountOf(ACCOUNT_ID), "acct");
        assert.equal(cognitiveServicesAccountOf(`${ACCOUNT_ID}/deployments/gpt`), "acct");
        assert.equal(cognitiveServicesAccountOf(`/x${ACCOUNT_ID}`), undefined);
        assert.equal(cognitiveServicesAccountOf(`${ACCOUNT_ID}/deployments/gpt\nmore`), undefined);
    });
});

describe("hosts", () => {
    it("recognises an AKS issuer only by the end of its host name, and never a non-URL", () => {
        assert.equal(isAksIssuer("https://eastus.oic.prod-aks.azure.com/tenant/guid/"), true);
        assert.equal(isAksIssuer("https://eastus.oic.prod-aks.azure.com.evil.example/"), false);
        assert.equal(isAksIssuer("not a url"), false);
    });
    it("reads an Azure OpenAI subdomain only from a host that is exactly <sub>.openai.azure.<tld>", () => {
        assert.equal(openAiSubdomainOf("https://My-Sub.openai.azure.com/"), "my-sub");
        assert.equal(openAiSubdomainOf("https://a.b.openai.azure.com/"), undefined);
        assert.equal(openAiSubdomainOf("https://sub.openai.azure.com.evil.example/"), undefined);
        assert.equal(openAiSubdomainOf("not a url"), undefined);
    });
});

describe("parseServiceAccountSubject", () => {
    const parse = (namespace: string, name: string) =>
        parseServiceAccountSubject(`system:serviceaccount:${namespace}:${name}`);

    it("takes one-character and dotted, hyphenated names", () => {
        assert.deepEqual(parse("a", "b"), { namespace: "a", name: "b" });
        assert.deepEqual(parse("ns", "a.b"), { namespace: "ns", name: "a.b" });
        assert.deepEqual(parse("ns", "web.server"), { namespace: "ns", name: "web.server" });
        assert.deepEqual(parse("ns", "app.my-svc"), { namespace: "ns", name: "app.my-svc" });
    });
    it("rejects anything before or after the subject", () => {
        assert.equal(parseServiceAccountSubject("x-system:serviceaccount:ns:name"), undefined);
        assert.equal(parseServiceAccountSubject("system:serviceaccount:ns:name:extra"), undefined);
    });
    it("allows a name of 253 characters and no more", () => {
        assert.deepEqual(parse("ns", "a".repeat(253)), { namespace: "ns", name: "a".repeat(253) });
        assert.equal(parse("ns", "a".repeat(254)), undefined);
    });
});

describe("isKubernetesCredential", () => {
    it("recognises a credential by its AKS issuer alone", () => {
        assert.equal(
            isKubernetesCredential({ issuer: "https://eastus.oic.prod-aks.azure.com/t/g/", subject: "repo:o/r:ref" }),
            true,
        );
        assert.equal(
            isKubernetesCredential({ issuer: "https://token.actions.githubusercontent.com", subject: "repo:o/r" }),
            false,
        );
        assert.equal(isKubernetesCredential({ subject: UNKNOWN }), UNKNOWN);
    });
});

describe("plainProps", () => {
    it("gives an empty record for anything that is not a plain object", () => {
        assert.deepEqual(plainProps(null), {});
        assert.deepEqual(plainProps(undefined), {});
        assert.deepEqual(plainProps("text"), {});
        assert.deepEqual(plainProps(7), {});
        assert.deepEqual(plainProps([1, 2]), {});
        assert.deepEqual(plainProps(UNKNOWN_SENTINELS.object), {});
    });
    it("copies nested values, arrays and null, turning every sentinel into UNKNOWN", () => {
        assert.deepEqual(
            plainProps({
                a: { b: [1, UNKNOWN_SENTINELS.string, { c: null }] },
                d: UNKNOWN_SENTINELS.boolean,
            }),
            { a: { b: [1, UNKNOWN, { c: null }] }, d: UNKNOWN },
        );
    });
});

describe("at and recordAt", () => {
    it("stops at null, a non-object or an unknown", () => {
        assert.equal(at({ a: null }, "a", "b"), undefined);
        assert.equal(at({ a: "s" }, "a", "b"), undefined);
        assert.equal(at({ a: UNKNOWN }, "a", "b"), UNKNOWN);
        assert.equal(at({ a: [{ b: 1 }] }, "a", 0, "b"), 1);
    });
    it("gives a record only for a plain object", () => {
        assert.equal(recordAt({ a: null }, "a"), undefined);
        assert.equal(recordAt({ a: "s" }, "a"), undefined);
        assert.equal(recordAt({ a: 1 }, "a"), undefined);
        assert.equal(recordAt({ a: [1] }, "a"), undefined);
        assert.equal(recordAt({ a: UNKNOWN }, "a"), UNKNOWN);
        assert.deepEqual(recordAt({ a: { b: 1 } }, "a"), { b: 1 });
    });
});

describe("isBlank, show and GUID", () => {
    it("treats whitespace as blank and an unknown as not blank", () => {
        assert.equal(isBlank("  "), true);
        assert.equal(isBlank(""), true);
        assert.equal(isBlank(undefined), true);
        assert.equal(isBlank(" x "), false);
        assert.equal(isBlank(UNKNOWN), false);
    });
    it("shows unknown, missing and set values", () => {
        assert.equal(show(UNKNOWN), "(unknown until created)");
        assert.equal(show(undefined), "(not set)");
        assert.equal(show(null), "null");
        assert.equal(show("x"), '"x"');
    });
    it("matches a whole GUID only", () => {
        assert.equal(GUID.test(ROLE.toUpperCase()), true);
        assert.equal(GUID.test(`x${ROLE}`), false);
        assert.equal(GUID.test(`${ROLE}x`), false);
    });
});
