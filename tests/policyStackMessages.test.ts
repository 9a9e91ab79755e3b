import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { evaluatePolicies } from "../tools/engine/policyHarness";
import { policies } from "../policy/policies";
import {
    ACCOUNT_ID,
    chain,
    CLIENT_ID,
    federatedCredential,
    identity,
    openAiAccount,
    PRINCIPAL_ID,
    replaced,
    roleAssignment,
    serviceAccount,
    UNKNOWN,
    withDependencies,
    withInput,
} from "./support/policyFixtures";
import type { RegisteredResource } from "./support/program";
import { TEST_SUBSCRIPTION_ID } from "./support/world";

/**
 * What the stack policies say, word for word, and the cases where a link of the workload-identity chain is found (or
 * deliberately not judged) only by one exact condition. `pulumi preview --policy-pack` prints these messages to the
 * person who has to fix the stack, on the resource named here: each one must name the broken link and the fix.
 * Every case starts from the compliant chain of tests/support/policyFixtures.ts and changes one thing.
 */

const CHAIN = "workload-identity-chain";
const LEAST_PRIVILEGE = "workload-identity-least-privilege";
const UNUSED = "workload-identity-unused-credential";

const ENDPOINT = "https://contoso-openai.openai.azure.com/";
const CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";

/** Client and principal ids with letters in them, so that letter case can differ between two spellings. */
const LETTERED_CLIENT_ID = "abcdef12-3456-4789-8abc-def012345678";
const LETTERED_PRINCIPAL_ID = "fedcba98-7654-4321-8fed-cba987654321";

interface Violation {
    /** The name of the resource the violation is reported on. */
    readonly on: string;
    readonly message: string;
}

/** The violations of one policy, with the resource each is reported on; fails if the policy gave up on an unknown. */
async function violations(resources: readonly RegisteredResource[], policyName: string): Promise<Violation[]> {
    const policy = policies.find((candidate) => candidate.name === policyName);
    assert.ok(policy, `no policy named ${policyName}`);
    const report = await evaluatePolicies(resources, [policy]);
    assert.deepEqual(report.gaveUp, []);
    return report.violations.map((violation) => ({
        on: resources.find((resource) => resource.urn === violation.urn)?.name ?? `(${String(violation.urn)})`,
        message: violation.message,
    }));
}

function role(guid: string): string {
    return `/subscriptions/${TEST_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}

/** A copy of a fixture under another name (and URN), so that a stack can hold two of a kind. */
function renamed(resource: RegisteredResource, name: string): RegisteredResource {
    return { ...resource, name, urn: resource.urn.replace(/::[^:]+$/, `::${name}`) };
}

function without(resources: readonly RegisteredResource[], ...names: string[]): RegisteredResource[] {
    return resources.filter((resource) => !names.includes(resource.name));
}

const IDENTITY_URN = identity().urn;
const ACCOUNT_URN = openAiAccount().urn;

/** The chain as a first preview shows it: ids, client and principal ids unknown; links only by dependency. */
function previewChain(): RegisteredResource[] {
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

/** Another Azure OpenAI account of the stack, `batch-openai`, which the pod does not call. */
function otherAccount(): RegisteredResource {
    return renamed(
        withInput(
            withInput(openAiAccount(), "accountName", "batch-openai"),
            "properties.customSubDomainName",
            "batch-openai",
        ),
        "batch-openai",
    );
}

/** The chain's OpenAI role assignment changed by `change`, its property dependencies replaced by `dependsOn`. */
function withRole(
    resources: readonly RegisteredResource[],
    dependsOn: Record<string, string[]>,
    change: (assignment: RegisteredResource) => RegisteredResource = (assignment) => assignment,
): RegisteredResource[] {
    return replaced(resources, "chat-openai-user", (assignment) => withDependencies(change(assignment), dependsOn));
}

/** A Contributor assignment to the principal id, linked to the identity `dependsOn` names (if any). */
function contributor(principalId: unknown, dependsOn: string[] = []): RegisteredResource {
    return withDependencies(
        renamed(roleAssignment({ roleDefinitionId: role(CONTRIBUTOR), principalId }), "chat-contributor"),
        dependsOn.length > 0 ? { principalId: dependsOn } : {},
    );
}

const MISSING_ROLE_ON_ACCOUNT: Violation = {
    on: "chat-identity",
    message:
        "Identity chat-identity, used by Deployment store/chat, has no Azure OpenAI data role on account " +
        `chat-openai, which its endpoint "${ENDPOINT}" points at: every call fails with 401/403. Fix: assign ` +
        `"Cognitive Services OpenAI User" to the identity's principalId, scoped to that account's id.`,
};

function missingRoleOnAnyAccount(endpoint: string): Violation {
    return {
        on: "chat-identity",
        message:
            `Identity chat-identity, used by Deployment store/chat to call Azure OpenAI at "${endpoint}", has no ` +
            "Azure OpenAI data role on any Cognitive Services account in this stack: every call fails with 401/403. " +
            `Fix: assign "Cognitive Services OpenAI User" to the identity's principalId, scoped to the account the ` +
            "endpoint belongs to.",
    };
}

const CONTRIBUTOR_TO_WORKLOAD: Violation = {
    on: "chat-contributor",
    message:
        'Role assignment chat-contributor grants "Contributor" to chat-identity, an identity Kubernetes pods act ' +
        "as: any pod of that ServiceAccount could manage resources or grant access. Fix: grant only " +
        '"Cognitive Services OpenAI User" on the one account the workload calls.',
};

describe("workload-identity-chain: a pod whose ServiceAccount no credential names", () => {
    it("is told which pod, ServiceAccount, identity and subject are involved, the error it will get, and the fix", async () => {
        assert.deepEqual(await violations(without(chain(), "chat-fic"), CHAIN), [
            {
                on: "chat-deployment",
                message:
                    "Deployment store/chat runs as ServiceAccount chat, annotated with identity chat-identity, but " +
                    'no federated credential in this stack has subject "system:serviceaccount:store:chat": the ' +
                    "token exchange fails with AADSTS70021. Fix: add a federated credential on chat-identity with " +
                    "that subject, built from the ServiceAccount object.",
            },
        ]);
    });

    it("is not judged in preview while any credential's subject is unknown, even if another one's is known", async () => {
        // The unknown subject may well turn out to name the pod's ServiceAccount.
        const resources = [
            ...replaced(chain(), "chat-fic", (credential) =>
                withInput(credential, "subject", "system:serviceaccount:store:chat-v2"),
            ),
            withDependencies(renamed(federatedCredential({ subject: UNKNOWN }), "pending-fic"), {
                resourceName: [IDENTITY_URN],
            }),
        ];
        assert.deepEqual(await violations(resources, CHAIN), []);
    });
});

describe("workload-identity-chain: the ServiceAccount a credential names", () => {
    it("is told when it lacks the client-id annotation, naming the identity whose clientId it needs", async () => {
        const resources = replaced(chain(), "chat-sa", (account) => withInput(account, "metadata.annotations", {}));
        assert.deepEqual(await violations(resources, CHAIN), [
            {
                on: "chat-sa",
                message:
                    "ServiceAccount store/chat is federated with identity chat-identity (credential chat-fic) but " +
                    "has no azure.workload.identity/client-id annotation: the webhook cannot tell its pods which " +
                    "identity to use. Fix: annotate it with chat-identity's clientId.",
            },
        ]);
    });

    it("is told when its annotation holds another client id, with both ids side by side", async () => {
        const resources = replaced(chain(), "chat-sa", (account) =>
            withInput(account, "metadata.annotations", {
                "azure.workload.identity/client-id": "22222222-3333-4444-8555-666666666666",
            }),
        );
        assert.deepEqual(await violations(resources, CHAIN), [
            {
                on: "chat-sa",
                message:
                    "ServiceAccount store/chat has azure.workload.identity/client-id = " +
                    '"22222222-3333-4444-8555-666666666666", which is not the client id of identity chat-identity ' +
                    `that its credential chat-fic is on (client id ${CLIENT_ID}): pods request tokens for the ` +
                    "wrong application. Fix: annotate it with the identity's clientId.",
            },
        ]);
    });

    it("is told it holds the principal id, whatever the letter case of either spelling", async () => {
        const resources = replaced(
            replaced(chain(), "chat-identity", (id) => ({
                ...id,
                state: { ...id.state, principalId: LETTERED_PRINCIPAL_ID },
            })),
            "chat-sa",
            (account) =>
                withInput(account, "metadata.annotations", {
                    "azure.workload.identity/client-id": LETTERED_PRINCIPAL_ID.toUpperCase(),
                }),
        );
        assert.deepEqual(await violations(resources, CHAIN), [
            {
                on: "chat-sa",
                message:
                    "ServiceAccount store/chat has azure.workload.identity/client-id = " +
                    `"${LETTERED_PRINCIPAL_ID.toUpperCase()}", which is the principal id of identity chat-identity ` +
                    `that its credential chat-fic is on (client id ${CLIENT_ID}): pods request tokens for the ` +
                    "wrong application. Fix: annotate it with the identity's clientId.",
            },
        ]);
    });

    it("passes when its annotation is the identity's client id in another letter case (GUIDs are case-insensitive)", async () => {
        for (const [annotated, actual] of [
            [LETTERED_CLIENT_ID.toUpperCase(), LETTERED_CLIENT_ID],
            [LETTERED_CLIENT_ID, LETTERED_CLIENT_ID.toUpperCase()],
        ]) {
            const resources = replaced(
                replaced(chain(), "chat-identity", (id) => ({ ...id, state: { ...id.state, clientId: actual } })),
                "chat-sa",
                (account) =>
                    withInput(account, "metadata.annotations", { "azure.workload.identity/client-id": annotated }),
            );
            assert.deepEqual(await violations(resources, CHAIN), [], `annotated ${annotated}, identity ${actual}`);
        }
    });

    it("is found by namespace and name together: a namesake in another namespace, or a neighbour, is not it", async () => {
        // Neither unannotated ServiceAccount is the credential's store/chat, even though they come first.
        const namesake = renamed(withInput(serviceAccount(), "metadata", { name: "chat", namespace: "batch" }), "sa-2");
        const neighbour = renamed(
            withInput(serviceAccount(), "metadata", { name: "batch", namespace: "store" }),
            "sa-3",
        );
        assert.deepEqual(await violations([namesake, neighbour, ...chain()], CHAIN), []);
    });

    it("is told, in preview, that its annotation comes from another identity than its credential's", async () => {
        const other = renamed(identity({ clientId: UNKNOWN, principalId: UNKNOWN }), "batch-identity");
        const resources = [
            ...replaced(previewChain(), "chat-sa", (account) => withDependencies(account, { metadata: [other.urn] })),
            other,
        ];
        assert.deepEqual(await violations(resources, CHAIN), [
            {
                on: "chat-sa",
                message:
                    "ServiceAccount store/chat is annotated with the client id of identity batch-identity, but its " +
                    "federated credential chat-fic is on identity chat-identity: the token exchange fails. Fix: " +
                    "annotate it with chat-identity's clientId, or federate it with batch-identity.",
            },
        ]);
    });
});

describe("workload-identity-chain: the OpenAI role of a pod's identity, on an account of this stack", () => {
    it("is told missing with the account, the endpoint that points at it, and the role to assign", async () => {
        assert.deepEqual(await violations(without(chain(), "chat-openai-user"), CHAIN), [MISSING_ROLE_ON_ACCOUNT]);
    });

    it("is not another principal's role on that account", async () => {
        const resources = withRole(chain(), { scope: [ACCOUNT_URN] }, (assignment) =>
            withInput(assignment, "principalId", "33333333-4444-4555-8666-777777777777"),
        );
        assert.deepEqual(await violations(resources, CHAIN), [MISSING_ROLE_ON_ACCOUNT]);
    });

    it("is not judged in preview while some role assignment's principal is unknown and linked to no identity", async () => {
        // That assignment may turn out to be the identity's.
        const resources = withRole(previewChain(), { scope: [ACCOUNT_URN] });
        assert.deepEqual(await violations(resources, CHAIN), []);
    });

    it("is judged in preview when the assignments' principals are unknown but linked: one on another account is not it", async () => {
        const elsewhere = otherAccount();
        const resources = [
            ...withRole(previewChain(), { principalId: [IDENTITY_URN], scope: [elsewhere.urn] }, (assignment) =>
                withInput(assignment, "scope", ACCOUNT_ID.replace(/contoso-openai$/, "batch-openai")),
            ),
            elsewhere,
        ];
        assert.deepEqual(await violations(resources, CHAIN), [MISSING_ROLE_ON_ACCOUNT]);
    });

    it("is not judged in preview while the identity's OpenAI role has an unknown scope linked to no account", async () => {
        const resources = withRole(previewChain(), { principalId: [IDENTITY_URN] });
        assert.deepEqual(await violations(resources, CHAIN), []);
    });

    it("is judged when the role's scope is unknown but linked to another account of the stack", async () => {
        const elsewhere = otherAccount();
        const resources = [
            ...withRole(previewChain(), { principalId: [IDENTITY_URN], scope: [elsewhere.urn] }),
            elsewhere,
        ];
        assert.deepEqual(await violations(resources, CHAIN), [MISSING_ROLE_ON_ACCOUNT]);
    });

    it("is not a role on an account outside this stack, known by its id", async () => {
        const resources = withRole(chain(), { principalId: [IDENTITY_URN] }, (assignment) =>
            withInput(assignment, "scope", ACCOUNT_ID.replace(/contoso-openai$/, "elsewhere-openai")),
        );
        assert.deepEqual(await violations(resources, CHAIN), [MISSING_ROLE_ON_ACCOUNT]);
    });
});

describe("workload-identity-chain: the OpenAI role of a pod's identity, when the called account is not this stack's", () => {
    const ELSEWHERE = "https://elsewhere-openai.openai.azure.com/";
    const RESOURCE_GROUP_ID = ACCOUNT_ID.replace(/\/providers\/.*$/, "");

    /** The chain with the pod calling an account this stack does not hold. */
    function callingElsewhere(): RegisteredResource[] {
        return replaced(chain(), "chat-deployment", (deployment) =>
            withInput(deployment, "spec.template.spec.containers.0.env.0.value", ELSEWHERE),
        );
    }

    it("is told missing with the endpoint called and the role to assign", async () => {
        const resources = without(chain(), "chat-openai-user", "chat-openai");
        assert.deepEqual(await violations(resources, CHAIN), [missingRoleOnAnyAccount(ENDPOINT)]);
    });

    it("is not a role on a resource group, which is no Cognitive Services account", async () => {
        const resources = withRole(callingElsewhere(), { principalId: [IDENTITY_URN] }, (assignment) =>
            withInput(assignment, "scope", RESOURCE_GROUP_ID),
        );
        assert.deepEqual(await violations(resources, CHAIN), [missingRoleOnAnyAccount(ELSEWHERE)]);
    });

    it("is a role whose scope depends on an account of this stack, whatever its scope's text", async () => {
        const resources = withRole(
            callingElsewhere(),
            { principalId: [IDENTITY_URN], scope: [ACCOUNT_URN] },
            (assignment) => withInput(assignment, "scope", RESOURCE_GROUP_ID),
        );
        assert.deepEqual(await violations(resources, CHAIN), []);
    });

    it("is, in preview, a role whose scope is not known yet", async () => {
        const resources = withRole(without(chain(), "chat-openai"), { principalId: [IDENTITY_URN] }, (assignment) =>
            withInput(assignment, "scope", UNKNOWN),
        );
        assert.deepEqual(await violations(resources, CHAIN), []);
    });
});

describe("workload-identity-least-privilege", () => {
    it("tells what a broad role lets a pod do, and what to grant instead", async () => {
        assert.deepEqual(await violations([...chain(), contributor(PRINCIPAL_ID)], LEAST_PRIVILEGE), [
            CONTRIBUTOR_TO_WORKLOAD,
        ]);
    });

    it("says a broad Cognitive Services role lets a pod manage the account or list its keys", async () => {
        const resources = replaced(chain(), "chat-openai-user", (assignment) =>
            withInput(assignment, "roleDefinitionId", role("25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68")),
        );
        assert.deepEqual(await violations(resources, LEAST_PRIVILEGE), [
            {
                on: "chat-openai-user",
                message:
                    'Role assignment chat-openai-user grants "Cognitive Services Contributor" to chat-identity, an ' +
                    "identity Kubernetes pods act as: any pod of that ServiceAccount could manage the account or " +
                    'list its keys. Fix: grant only "Cognitive Services OpenAI User" on the one account the ' +
                    "workload calls.",
            },
        ]);
    });

    it("judges an identity pods act as through a Kubernetes credential alone (its ServiceAccount is not in the stack)", async () => {
        const resources = [...without(chain(), "chat-sa"), contributor(PRINCIPAL_ID)];
        assert.deepEqual(await violations(resources, LEAST_PRIVILEGE), [CONTRIBUTOR_TO_WORKLOAD]);
    });

    it("judges an identity pods act as through a ServiceAccount's client-id annotation alone (no credential here)", async () => {
        const resources = [...without(chain(), "chat-fic"), contributor(PRINCIPAL_ID)];
        assert.deepEqual(await violations(resources, LEAST_PRIVILEGE), [CONTRIBUTOR_TO_WORKLOAD]);
    });

    it("leaves alone a deployer identity federated with GitHub Actions, not with Kubernetes", async () => {
        const deployerPrincipal = "44444444-5555-4666-8777-888888888888";
        const deployer = renamed(
            identity({
                name: "id-deployer",
                clientId: "55555555-6666-4777-8888-999999999999",
                principalId: deployerPrincipal,
            }),
            "deployer-identity",
        );
        const github = withDependencies(
            renamed(
                federatedCredential({
                    resourceName: "id-deployer",
                    issuer: "https://token.actions.githubusercontent.com",
                    subject: "repo:contoso/aks-openai-wi:environment:prod",
                }),
                "deployer-fic",
            ),
            { resourceName: [deployer.urn] },
        );
        const resources = [...chain(), deployer, github, contributor(deployerPrincipal, [deployer.urn])];
        assert.deepEqual(await violations(resources, LEAST_PRIVILEGE), []);
    });

    it("leaves alone an identity a ServiceAccount's metadata depends on without naming its client id", async () => {
        // No client-id annotation: the webhook gives its pods no identity, whatever else the metadata takes from it.
        const resources = [
            ...replaced(without(chain(), "chat-fic"), "chat-sa", (account) =>
                withInput(account, "metadata.annotations", { "contoso.com/owner": "id-chat" }),
            ),
            contributor(PRINCIPAL_ID),
        ];
        assert.deepEqual(await violations(resources, LEAST_PRIVILEGE), []);
    });
});

describe("workload-identity-unused-credential (advisory)", () => {
    it("names the credential and its ServiceAccount, and when the warning can be ignored", async () => {
        const spare = renamed(federatedCredential({ subject: "system:serviceaccount:store:batch" }), "batch-fic");
        assert.deepEqual(await violations([...chain(), spare], UNUSED), [
            {
                on: "batch-fic",
                message:
                    "Federated credential batch-fic trusts ServiceAccount store/batch, but no pod in this stack uses " +
                    "workload identity as it: a trust nobody needs is one more way in. Fix: remove it, or ignore " +
                    "this if the pods are deployed by other tooling (config additionalServiceAccounts).",
            },
        ]);
    });
});
