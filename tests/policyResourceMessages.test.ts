import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { resourcePolicies } from "../policy/resourcePolicies";
import { evaluatePolicies } from "../tools/engine/policyHarness";
import {
    federatedCredential,
    ISSUER,
    openAiAccount,
    RESOURCE_GROUP,
    roleAssignment,
    serviceAccount,
    UNKNOWN,
    withInput,
    workload,
} from "./support/policyFixtures";
import type { RegisteredResource } from "./support/program";
import { TEST_SUBSCRIPTION_ID } from "./support/world";
import { assertMatchesSnapshot, type TextSnapshot } from "./support/textSnapshot";

/**
 * What people read when a resource policy stops `pulumi preview --policy-pack`: the violation message is the whole
 * explanation (what is wrong, why it breaks keyless access, how to fix it). tests/policyResources.test.ts checks which
 * violations each rule reports; here every branch that writes a message has one fixture, and the full text of every
 * message is pinned in tests/snapshots/resourceViolations.txt, one `fixture -> policy: message` line each
 * (UPDATE_RESOURCE_VIOLATIONS_SNAPSHOT=1 rewrites it; read the diff before committing it). The edges of each rule
 * (anchors, empty values, unknowns, which resources a rule judges) are then asserted outcome by outcome.
 */

const SNAPSHOT: TextSnapshot = {
    file: "resourceViolations.txt",
    updateVariable: "UPDATE_RESOURCE_VIOLATIONS_SNAPSHOT",
    testFile: "tests/policyResourceMessages.test.ts",
    changed: "A resource policy's violation message changed",
};

const OPENAI_USER_GUID = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd";
const CONTRIBUTOR_GUID = "b24988ac-6180-42a0-ab88-20f7382dd24c";
/** Reader: no data-plane or broad role, so only the role-definition form is judged. */
const READER_GUID = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id";
const TENANT_ID_ANNOTATION = "azure.workload.identity/tenant-id";
const WI_LABEL = "azure.workload.identity/use";
const TEMPLATE = "spec.template";
const ENV = `${TEMPLATE}.spec.containers.0.env`;
const RESOURCES = `${TEMPLATE}.spec.containers.0.resources`;

/** Every violation of the resource policies on one resource, as `policy: message`, in the order they are reported. */
async function violations(resource: RegisteredResource): Promise<string[]> {
    const report = await evaluatePolicies([resource], [...resourcePolicies]);
    assert.deepEqual(report.gaveUp, [], "no resource policy may give up on an unknown value");
    return report.violations.map((violation) => `${violation.policyName}: ${violation.message}`);
}

/** A Deployment whose first container has exactly these env entries. */
function deploymentWithEnv(env: readonly Record<string, unknown>[]): RegisteredResource {
    return withInput(workload("Deployment"), ENV, env);
}

/** A ServiceAccount recorded under another type token (same body as the compliant fixture). */
function asType(resource: RegisteredResource, type: string): RegisteredResource {
    return { ...resource, type, urn: resource.urn.replace(resource.type, type) };
}

const ROLE_IN_SUBSCRIPTION = (guid: string) =>
    `/subscriptions/${TEST_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

/** One fixture per message branch; each name says what is wrong with it. */
const CASES: readonly { readonly name: string; readonly resource: RegisteredResource }[] = [
    // role-assignment-well-formed
    {
        name: "role assignment without principalType",
        resource: withInput(roleAssignment(), "principalType", undefined),
    },
    {
        name: "role assignment with a bare role GUID on an account scope",
        resource: withInput(roleAssignment(), "roleDefinitionId", OPENAI_USER_GUID),
    },
    {
        name: "role assignment naming its role instead of its id",
        resource: withInput(roleAssignment(), "roleDefinitionId", "Cognitive Services OpenAI User"),
    },
    {
        name: "role assignment with a bare role GUID on a management-group scope",
        resource: withInput(
            withInput(roleAssignment(), "scope", "/providers/Microsoft.Management/managementGroups/platform"),
            "roleDefinitionId",
            READER_GUID,
        ),
    },
    // openai-role-scoped-to-account
    {
        name: "OpenAI User on a resource group",
        resource: withInput(
            roleAssignment(),
            "scope",
            `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}`,
        ),
    },
    // no-privileged-role-to-service-principal
    {
        name: "Contributor to a service principal",
        resource: withInput(roleAssignment(), "roleDefinitionId", ROLE_IN_SUBSCRIPTION(CONTRIBUTOR_GUID)),
    },
    // federated-credential-kubernetes-form
    { name: "credential without audiences", resource: withInput(federatedCredential(), "audiences", undefined) },
    {
        name: "credential with a namespace/name subject",
        resource: withInput(federatedCredential(), "subject", "system:serviceaccount:store/chat"),
    },
    {
        name: "credential without subject, AKS issuer",
        resource: withInput(federatedCredential(), "subject", undefined),
    },
    {
        name: "credential with an http issuer",
        resource: withInput(federatedCredential(), "issuer", ISSUER.replace("https:", "http:")),
    },
    { name: "credential without issuer", resource: withInput(federatedCredential(), "issuer", undefined) },
    {
        name: "credential with an AKS issuer without its trailing '/'",
        resource: withInput(federatedCredential(), "issuer", ISSUER.replace(/\/$/, "")),
    },
    // pod-no-credential-env
    {
        name: "Deployment with OPENAI_API_KEY as a literal",
        resource: deploymentWithEnv([{ name: "OPENAI_API_KEY", value: "sk-123" }]),
    },
    {
        name: "Pod with AZURE_CLIENT_SECRET as a literal",
        resource: withInput(workload("Pod"), "spec.containers.0.env", [{ name: "AZURE_CLIENT_SECRET", value: "x" }]),
    },
    {
        name: "Deployment with AZURE_OPENAI_KEY from a Secret",
        resource: deploymentWithEnv([
            { name: "AZURE_OPENAI_KEY", valueFrom: { secretKeyRef: { name: "k", key: "k" } } },
        ]),
    },
    {
        name: "Deployment with AZURE_OPENAI_API_KEY from a source unknown in preview",
        resource: deploymentWithEnv([{ name: "AZURE_OPENAI_API_KEY", valueFrom: UNKNOWN }]),
    },
    {
        name: "Deployment with OPENAI_API_KEY declared without value or source",
        resource: deploymentWithEnv([{ name: "OPENAI_API_KEY" }]),
    },
    {
        name: "Deployment with DB_PASSWORD as a literal",
        resource: deploymentWithEnv([{ name: "DB_PASSWORD", value: "hunter2" }]),
    },
    // pod-resources-set
    {
        name: "Deployment whose container has no limits",
        resource: withInput(workload("Deployment"), `${RESOURCES}.limits`, undefined),
    },
    // pod-workload-identity-opt-in
    {
        name: 'Deployment labelled "True"',
        resource: withInput(workload("Deployment"), `${TEMPLATE}.metadata.labels`, { [WI_LABEL]: "True" }),
    },
    {
        name: 'Pod labelled "True"',
        resource: withInput(workload("Pod"), "metadata.labels", { [WI_LABEL]: "True" }),
    },
    {
        name: "Deployment labelled on its own metadata only",
        resource: withInput(
            withInput(workload("Deployment"), `${TEMPLATE}.metadata.labels`, { app: "chat" }),
            "metadata.labels",
            { [WI_LABEL]: "true" },
        ),
    },
    {
        name: "Deployment with the pre-1.0 annotation instead of the label",
        resource: withInput(
            withInput(workload("Deployment"), `${TEMPLATE}.metadata.labels`, { app: "chat" }),
            `${TEMPLATE}.metadata.annotations`,
            { [WI_LABEL]: "true" },
        ),
    },
    {
        name: "Deployment using workload identity without serviceAccountName",
        resource: withInput(workload("Deployment"), `${TEMPLATE}.spec.serviceAccountName`, undefined),
    },
    {
        name: "Deployment naming its ServiceAccount only in the deprecated serviceAccount field",
        resource: withInput(
            withInput(workload("Deployment"), `${TEMPLATE}.spec.serviceAccountName`, undefined),
            `${TEMPLATE}.spec.serviceAccount`,
            "chat",
        ),
    },
    {
        name: "Pod using workload identity without serviceAccountName",
        resource: withInput(workload("Pod"), "spec.serviceAccountName", undefined),
    },
    // serviceaccount-workload-identity-annotations
    {
        name: "ServiceAccount with a client-id that is not a GUID",
        resource: serviceAccount({ [CLIENT_ID_ANNOTATION]: "id-chat" }),
    },
    {
        name: "ServiceAccount with a tenant-id that is not a GUID",
        resource: serviceAccount({ [TENANT_ID_ANNOTATION]: "contoso.onmicrosoft.com" }),
    },
    {
        name: "ServiceAccount without a name, with a client-id that is not a GUID",
        resource: withInput(serviceAccount({ [CLIENT_ID_ANNOTATION]: "id-chat" }), "metadata.name", undefined),
    },
    // openai-account-custom-subdomain, openai-account-local-auth-disabled
    { name: "OpenAI account without customSubDomainName", resource: openAiAccount({ customSubDomainName: undefined }) },
    { name: "OpenAI account with keys on", resource: openAiAccount({ disableLocalAuth: false }) },
    { name: "OpenAI account with disableLocalAuth unset", resource: openAiAccount({ disableLocalAuth: undefined }) },
];

async function snapshotText(): Promise<string> {
    const lines: string[] = [];
    for (const { name, resource } of CASES) {
        const found = await violations(resource);
        lines.push(...(found.length === 0 ? [`${name} -> (no violation)`] : found.map((v) => `${name} -> ${v}`)));
    }
    return `${lines.join("\n")}\n`;
}

describe("the resource policies' violation messages", () => {
    it("match tests/snapshots/resourceViolations.txt word for word: what users read changes only on purpose", async () => {
        const text = await snapshotText();
        assertMatchesSnapshot(SNAPSHOT, text);
    });

    it("give every fixture exactly one violation, so each line of the snapshot is one branch's message", async () => {
        for (const { name, resource } of CASES) {
            assert.equal((await violations(resource)).length, 1, name);
        }
    });
});

describe("role-assignment-well-formed: the fix it suggests", () => {
    it("takes the subscription only from a scope that is an ARM id, not from a pasted management URL", async () => {
        const pasted = withInput(
            withInput(
                roleAssignment(),
                "scope",
                `https://management.azure.com/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}`,
            ),
            "roleDefinitionId",
            READER_GUID,
        );
        assert.deepEqual(await violations(pasted), [
            `role-assignment-well-formed: Role assignment chat-openai-user has roleDefinitionId "${READER_GUID}", ` +
                "not the form Azure returns, so every pulumi up shows a diff (pulumi-azure-native#771). Fix: use " +
                `/subscriptions/<subscription-id>/providers/Microsoft.Authorization/roleDefinitions/${READER_GUID}, ` +
                "with the subscription from authorization.getClientConfigOutput().",
        ]);
    });

    it("shows placeholders for what it cannot know: a role given by name has no GUID to repeat", async () => {
        const byName = withInput(roleAssignment(), "roleDefinitionId", "Cognitive Services OpenAI User");
        assert.deepEqual(await violations(byName), [
            'role-assignment-well-formed: Role assignment chat-openai-user has roleDefinitionId "Cognitive Services ' +
                'OpenAI User", not the form Azure returns, so every pulumi up shows a diff (pulumi-azure-native#771). ' +
                `Fix: use /subscriptions/${TEST_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/` +
                "<role-guid>, with the subscription from authorization.getClientConfigOutput().",
        ]);
    });
});

describe("federated-credential-kubernetes-form: edges", () => {
    it("reports no audiences as an empty list (what the user wrote), not as some invented audience", async () => {
        const [message] = await violations(withInput(federatedCredential(), "audiences", undefined));
        assert.ok(
            message.startsWith("federated-credential-kubernetes-form: Federated credential chat-fic has audiences []."),
            message,
        );
    });

    it("refuses an issuer with a leading space: the https must start the value Entra ID compares", async () => {
        const padded = ` ${ISSUER}`;
        assert.deepEqual(await violations(withInput(federatedCredential(), "issuer", padded)), [
            `federated-credential-kubernetes-form: Federated credential chat-fic has issuer ${JSON.stringify(padded)}, ` +
                "not an https URL: Entra ID fetches the issuer's OIDC discovery document over https. Fix: use the " +
                "cluster's oidcIssuerProfile.issuerURL verbatim.",
        ]);
    });
});

describe("pod-no-credential-env: which variables and values", () => {
    const literal = (name: string, value: string) => deploymentWithEnv([{ name, value }]);
    const literalMessage = (name: string) =>
        `pod-no-credential-env: Deployment store/chat: container "chat" sets ${name} as a literal value: a key, ` +
        "secret, token or password in plain text in the manifest and the stack state. Fix: use workload identity " +
        "where the service accepts Entra ID tokens; otherwise read it from a Secret (valueFrom.secretKeyRef).";

    it("reports a variable named exactly TOKEN or PASSWORD (no prefix before the secret word)", async () => {
        for (const name of ["TOKEN", "PASSWORD"]) {
            assert.deepEqual(await violations(literal(name, "plain")), [literalMessage(name)], name);
        }
    });

    it("leaves names where the secret word is not the last part alone (KEY_VAULT_NAME, TOKEN_URL)", async () => {
        for (const name of ["KEY_VAULT_NAME", "TOKEN_URL"]) {
            assert.deepEqual(await violations(literal(name, "kv-chat")), [], name);
        }
    });

    it("leaves an empty literal alone: an empty DB_PASSWORD puts no secret in the state", async () => {
        assert.deepEqual(await violations(literal("DB_PASSWORD", "")), []);
    });

    it('says "(empty)" for a credential variable declared with neither value nor source', async () => {
        const [message] = await violations(deploymentWithEnv([{ name: "OPENAI_API_KEY" }]));
        assert.match(
            message,
            /^pod-no-credential-env: Deployment store\/chat: container "chat" sets OPENAI_API_KEY \(empty\)\. /,
        );
    });
});

describe("pod-resources-set: what counts as set", () => {
    const message = (missing: string) =>
        `pod-resources-set: Deployment store/chat: container "chat" sets no resources ${missing}. Without requests ` +
        "the scheduler overcommits the node; without limits one pod can starve the others. Fix: set " +
        "resources.requests and resources.limits (cpu and memory) on every container.";

    it("reports a quantity set to null as missing", async () => {
        const nullCpu = withInput(workload("Deployment"), `${RESOURCES}.requests.cpu`, null);
        assert.deepEqual(await violations(nullCpu), [message("requests.cpu")]);
    });

    it("reports a quantity set to the empty string as missing", async () => {
        const emptyMemory = withInput(workload("Deployment"), `${RESOURCES}.limits.memory`, "");
        assert.deepEqual(await violations(emptyMemory), [message("limits.memory")]);
    });

    it("judges nothing of a container whose resources are unknown in preview", async () => {
        assert.deepEqual(await violations(withInput(workload("Deployment"), RESOURCES, UNKNOWN)), []);
    });
});

describe("pod-workload-identity-opt-in: edges", () => {
    it("accepts the label on the Deployment's own metadata as well as on its pod template", async () => {
        const both = withInput(workload("Deployment"), "metadata.labels", { [WI_LABEL]: "true" });
        assert.deepEqual(await violations(both), []);
    });

    it("accepts a leftover pre-1.0 annotation next to the label", async () => {
        const both = withInput(workload("Deployment"), `${TEMPLATE}.metadata.annotations`, { [WI_LABEL]: "true" });
        assert.deepEqual(await violations(both), []);
    });

    it("does not mention the deprecated serviceAccount field when it is not set", async () => {
        const unnamed = withInput(workload("Deployment"), `${TEMPLATE}.spec.serviceAccountName`, undefined);
        assert.deepEqual(await violations(unnamed), [
            "pod-workload-identity-opt-in: Deployment store/chat uses workload identity but sets no " +
                'serviceAccountName, so its pods run as the namespace\'s "default" ServiceAccount, which has no ' +
                "federated credential. Fix: set spec.template.spec.serviceAccountName to the federated ServiceAccount.",
        ]);
    });

    it("does not judge a serviceAccountName unknown in preview", async () => {
        const later = withInput(workload("Deployment"), `${TEMPLATE}.spec.serviceAccountName`, UNKNOWN);
        assert.deepEqual(await violations(later), []);
    });
});

describe("serviceaccount-workload-identity-annotations: which resources are ServiceAccounts", () => {
    const notGuid = { [CLIENT_ID_ANNOTATION]: "id-chat" };

    it("leaves other core kinds carrying the annotation alone (a ConfigMap is not read by the webhook)", async () => {
        const configMap = asType(serviceAccount(notGuid), "kubernetes:core/v1:ConfigMap");
        assert.deepEqual(await violations(configMap), []);
    });

    it("leaves a custom resource kind named ServiceAccount in another API group alone", async () => {
        const custom = asType(serviceAccount(notGuid), "kubernetes:example.com/v1:ServiceAccount");
        assert.deepEqual(await violations(custom), []);
    });

    it("names the managed identity's tenantId, not its clientId, as the fix for tenant-id", async () => {
        const [message] = await violations(serviceAccount({ [TENANT_ID_ANNOTATION]: "contoso.onmicrosoft.com" }));
        assert.ok(
            message.endsWith(
                "the pods' AZURE_TENANT_ID, and the token exchange fails. Fix: set it to the managed identity's tenantId.",
            ),
            message,
        );
    });
});

describe("openai-account policies on inputs unknown in preview", () => {
    /** The account with one more top-level input, unknown in preview. */
    const withUnknownInput = (resource: RegisteredResource, key: string): RegisteredResource => {
        const inputs = { ...resource.inputs, [key]: UNKNOWN };
        return { ...resource, inputs, state: inputs };
    };

    it("still judge the account's own properties whatever other input is unknown (e.g. a new resource group)", async () => {
        const bare = openAiAccount({ customSubDomainName: undefined, disableLocalAuth: false });
        const expected = await violations(bare);
        assert.deepEqual(
            expected.map((message) => message.split(":")[0]),
            ["openai-account-custom-subdomain", "openai-account-local-auth-disabled"],
        );
        // "" too: a rule that looked up the wrong key could be silenced by any unknown input.
        for (const key of ["resourceGroupName", "location", "tags", ""]) {
            assert.deepEqual(await violations(withUnknownInput(bare, key)), expected, `unknown input "${key}"`);
        }
    });

    it("judge nothing while the account's properties are unknown", async () => {
        const later = withInput(openAiAccount(), "properties", UNKNOWN);
        assert.deepEqual(await violations(later), []);
    });
});
