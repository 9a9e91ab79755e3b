import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
    ACCOUNT_ID,
    allViolations,
    chain,
    CLIENT_ID,
    federatedCredential,
    identity,
    openAiAccount,
    PRINCIPAL_ID,
    recorded,
    replaced,
    roleAssignment,
    UNKNOWN,
    violationsOf,
    withDependencies,
    withInput,
} from "./support/policyFixtures";
import { TEST_SUBSCRIPTION_ID } from "./support/world";

/**
 * The stack policies follow pod -> ServiceAccount -> credential -> identity -> role -> account across resources.
 * Each case starts from a complete, compliant chain and breaks one link.
 */

const CHAIN = "workload-identity-chain";
const LEAST_PRIVILEGE = "workload-identity-least-privilege";
const UNUSED = "workload-identity-unused-credential";

function role(guid: string): string {
    return `/subscriptions/${TEST_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}

/** The chain without property dependencies: links must then be found by value (ids, names, client ids). */
function chainWithoutDependencies() {
    return chain().map((resource) => ({ ...resource, propertyDependencies: {}, dependencies: [] }));
}

/** The chain as a first preview shows it: ids, client and principal ids unknown; links only by dependency. */
function previewChain() {
    return chain().map((resource) => {
        switch (resource.name) {
            case "chat-identity":
                return { ...resource, state: { ...resource.state, clientId: UNKNOWN, principalId: UNKNOWN } };
            case "chat-sa":
                return withInput(resource, "metadata.annotations", { "azure.workload.identity/client-id": UNKNOWN });
            case "chat-openai-user":
                return withInput(withInput(resource, "principalId", UNKNOWN), "scope", UNKNOWN);
            default:
                return resource;
        }
    });
}

describe("a complete chain", () => {
    it("passes every policy of the pack, mandatory and advisory", async () => {
        assert.deepEqual(await allViolations(chain()), []);
    });

    it("passes when the links are found by value (another stack, no dependency information)", async () => {
        assert.deepEqual(await allViolations(chainWithoutDependencies()), []);
    });

    it("passes in preview, when ids are unknown and only dependencies link the resources", async () => {
        assert.deepEqual(await allViolations(previewChain()), []);
    });

    it("passes when the account is not this stack's (read, not created) and the role is scoped to its id", async () => {
        const withoutAccount = chain().filter((resource) => resource.name !== "chat-openai");
        assert.deepEqual(await allViolations(withoutAccount), []);
    });
});

describe("workload-identity-chain", () => {
    it("reports a pod whose ServiceAccount no federated credential names", async () => {
        const resources = replaced(chain(), "chat-fic", (credential) =>
            withInput(credential, "subject", "system:serviceaccount:store:chat-v2"),
        );
        const violations = await violationsOf(resources, CHAIN);
        assert.equal(violations.length, 1, violations.join("\n"));
        assert.match(
            violations[0],
            /Deployment store\/chat runs as ServiceAccount chat, annotated with identity chat-identity, but no federated credential in this stack has subject "system:serviceaccount:store:chat"/,
        );
        assert.match(violations[0], /AADSTS70021/);
    });

    it("reports a ServiceAccount annotated with another client id than its credential's identity", async () => {
        const resources = replaced(chainWithoutDependencies(), "chat-sa", (account) =>
            withInput(account, "metadata.annotations", {
                "azure.workload.identity/client-id": "22222222-3333-4444-8555-666666666666",
            }),
        );
        const violations = await violationsOf(resources, CHAIN);
        assert.equal(violations.length, 1, violations.join("\n"));
        assert.match(violations[0], /ServiceAccount store\/chat has azure\.workload\.identity\/client-id = "22222222/);
        assert.match(violations[0], /not the client id of identity chat-identity/);
    });

    it("says so when the annotation holds the principal id instead of the client id", async () => {
        const resources = replaced(chain(), "chat-sa", (account) =>
            withInput(account, "metadata.annotations", { "azure.workload.identity/client-id": PRINCIPAL_ID }),
        );
        const [violation] = await violationsOf(resources, CHAIN);
        assert.match(violation, /which is the principal id of identity chat-identity/);
    });

    it("reports a federated ServiceAccount without the client-id annotation", async () => {
        const resources = replaced(chain(), "chat-sa", (account) => withInput(account, "metadata.annotations", {}));
        const violations = await violationsOf(resources, CHAIN);
        assert.equal(violations.length, 1, violations.join("\n"));
        assert.match(violations[0], /has no azure\.workload\.identity\/client-id annotation/);
    });

    it("reports, in preview, a ServiceAccount whose annotation comes from another identity", async () => {
        const other = {
            ...identity({ clientId: UNKNOWN, principalId: UNKNOWN }),
            name: "batch-identity",
            urn: "urn:pulumi:test::other-project::azure-native:managedidentity:UserAssignedIdentity::batch-identity",
        };
        const resources = [
            ...replaced(previewChain(), "chat-sa", (account) => withDependencies(account, { metadata: [other.urn] })),
            other,
        ];
        const violations = await violationsOf(resources, CHAIN);
        assert.equal(violations.length, 1, violations.join("\n"));
        assert.match(
            violations[0],
            /annotated with the client id of identity batch-identity, but its federated credential chat-fic is on identity chat-identity/,
        );
    });

    it("reports an identity without a role on the account the pod's endpoint points at", async () => {
        const resources = chain().filter((resource) => resource.name !== "chat-openai-user");
        const violations = await violationsOf(resources, CHAIN);
        assert.equal(violations.length, 1, violations.join("\n"));
        assert.match(
            violations[0],
            /Identity chat-identity, used by Deployment store\/chat, has no Azure OpenAI data role on account chat-openai/,
        );
    });

    it("reports a role on another account than the one the pod calls", async () => {
        const elsewhere = recorded("azure-native:cognitiveservices:Account", "batch-openai", {
            ...openAiAccount().inputs,
            accountName: "batch-openai",
            properties: { customSubDomainName: "batch-openai", disableLocalAuth: true },
        });
        const resources = [
            ...replaced(chain(), "chat-openai-user", (assignment) =>
                withDependencies(
                    withInput(assignment, "scope", ACCOUNT_ID.replace(/contoso-openai$/, "batch-openai")),
                    {
                        principalId: [chain()[0].urn],
                        scope: [elsewhere.urn],
                    },
                ),
            ),
            elsewhere,
        ];
        const [violation] = await violationsOf(resources, CHAIN);
        assert.match(violation, /has no Azure OpenAI data role on account chat-openai/);
    });

    it("reports a role that does not open the OpenAI data plane (Reader)", async () => {
        const resources = replaced(chain(), "chat-openai-user", (assignment) =>
            withInput(assignment, "roleDefinitionId", role("acdd72a7-3385-48ef-bd42-f606fba81ae7")),
        );
        assert.equal((await violationsOf(resources, CHAIN)).length, 1);
    });

    it("reports a missing role when the account is not this stack's either", async () => {
        const resources = chain().filter((r) => r.name !== "chat-openai-user" && r.name !== "chat-openai");
        const [violation] = await violationsOf(resources, CHAIN);
        assert.match(violation, /has no Azure OpenAI data role on any Cognitive Services account in this stack/);
    });

    it("does not judge a pod whose ServiceAccount and identity live in another stack", async () => {
        const resources = chain().filter((r) => r.name === "chat-deployment");
        assert.deepEqual(await violationsOf(resources, CHAIN), []);
    });

    it("does not require an OpenAI role of a pod that does not call Azure OpenAI", async () => {
        const resources = replaced(
            chain().filter((r) => r.name !== "chat-openai-user"),
            "chat-deployment",
            (deployment) => withInput(deployment, "spec.template.spec.containers.0.env", []),
        );
        assert.deepEqual(await violationsOf(resources, CHAIN), []);
    });
});

describe("workload-identity-least-privilege", () => {
    const contributor = (principalId: unknown, dependsOn: string[]) =>
        withDependencies(
            {
                ...roleAssignment({ roleDefinitionId: role("b24988ac-6180-42a0-ab88-20f7382dd24c"), principalId }),
                name: "chat-contributor",
                urn: "urn:pulumi:test::other-project::azure-native:authorization:RoleAssignment::chat-contributor",
            },
            dependsOn.length > 0 ? { principalId: dependsOn } : {},
        );

    it("reports Contributor for an identity pods act as", async () => {
        const resources = [...chain(), contributor(PRINCIPAL_ID, [])];
        const violations = await violationsOf(resources, LEAST_PRIVILEGE);
        assert.equal(violations.length, 1, violations.join("\n"));
        assert.match(
            violations[0],
            /Role assignment chat-contributor grants "Contributor" to chat-identity, an identity Kubernetes pods act as/,
        );
    });

    it("reports it in preview too, linked by dependency while the principal id is unknown", async () => {
        const resources = [...previewChain(), contributor(UNKNOWN, [chain()[0].urn])];
        assert.equal((await violationsOf(resources, LEAST_PRIVILEGE)).length, 1);
    });

    it("reports Cognitive Services User (it can list the account's keys)", async () => {
        const resources = replaced(chain(), "chat-openai-user", (assignment) =>
            withInput(assignment, "roleDefinitionId", role("a97b65f3-24c7-4388-baec-2e87135dc908")),
        );
        const [violation] = await violationsOf(resources, LEAST_PRIVILEGE);
        assert.match(violation, /grants "Cognitive Services User".*manage the account or list its keys/);
    });

    it("leaves broad roles of identities no pod acts as to other policies", async () => {
        const deployer = identity({ clientId: CLIENT_ID.replace("1111", "7777"), principalId: "deployer-principal" });
        const resources = [
            { ...deployer, name: "deployer", urn: `${deployer.urn}-deployer` },
            contributor("deployer-principal", []),
        ];
        assert.deepEqual(await violationsOf(resources, LEAST_PRIVILEGE), []);
    });
});

describe("workload-identity-unused-credential (advisory)", () => {
    it("reports a credential for a ServiceAccount no pod of the stack runs as", async () => {
        const spare = {
            ...federatedCredential({ subject: "system:serviceaccount:store:batch" }),
            name: "batch-fic",
            urn: "urn:pulumi:test::other-project::azure-native:managedidentity:FederatedIdentityCredential::batch-fic",
        };
        const violations = await violationsOf([...chain(), spare], UNUSED);
        assert.equal(violations.length, 1, violations.join("\n"));
        assert.match(violations[0], /Federated credential batch-fic trusts ServiceAccount store\/batch, but no pod/);
        assert.match(violations[0], /additionalServiceAccounts/);
    });
});
