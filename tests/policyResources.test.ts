import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { policies } from "../policy/policies";
import {
    federatedCredential,
    openAiAccount,
    POD_KINDS,
    POD_TEMPLATE_PATH,
    podSpec,
    RESOURCE_GROUP,
    roleAssignment,
    serviceAccount,
    violationsOf,
    withInput,
    workload,
} from "./support/policyFixtures";
import { TEST_SUBSCRIPTION_ID } from "./support/world";

/**
 * Each resource policy on a compliant fixture (no violation), then one field changed per rule (exactly that
 * violation). The fixtures are not this program's resources: the pack must judge any stack.
 */

async function single(resource: Parameters<typeof violationsOf>[0][number], policy: string): Promise<string> {
    const violations = await violationsOf([resource], policy);
    assert.equal(violations.length, 1, `expected one violation of ${policy}, got:\n${violations.join("\n")}`);
    return violations[0];
}

const levels = Object.fromEntries(policies.map((policy) => [policy.name, policy.enforcementLevel]));

describe("every policy says why, how to fix it, and how hard it is enforced", () => {
    it("has a name, a description with a reason, remediation steps and an explicit enforcement level", () => {
        for (const policy of policies) {
            assert.match(policy.name, /^[a-z0-9-]+$/);
            assert.ok(policy.description.length > 60, `${policy.name}: description too short to say why`);
            assert.ok((policy.remediationSteps ?? "").length > 20, `${policy.name}: no remediation steps`);
            assert.ok(["mandatory", "advisory"].includes(policy.enforcementLevel ?? ""), policy.name);
        }
    });

    it("is mandatory unless a legitimate setup can violate it (then advisory, and the description says so)", () => {
        assert.deepEqual(levels, {
            "role-assignment-well-formed": "mandatory",
            "openai-role-scoped-to-account": "mandatory",
            "no-privileged-role-to-service-principal": "advisory",
            "federated-credential-kubernetes-form": "mandatory",
            "pod-no-credential-env": "mandatory",
            "pod-resources-set": "mandatory",
            "pod-workload-identity-opt-in": "mandatory",
            "serviceaccount-workload-identity-annotations": "mandatory",
            "openai-account-custom-subdomain": "mandatory",
            "openai-account-local-auth-disabled": "advisory",
            "aks-entra-only-access": "advisory",
            "aks-entra-only-access-production": "mandatory",
            "workload-identity-chain": "mandatory",
            "workload-identity-least-privilege": "mandatory",
            "workload-identity-unused-credential": "advisory",
            "openai-account-audit-logs-production": "mandatory",
            "openai-account-audit-logs": "advisory",
            "openai-private-dns-zone-name": "mandatory",
            "openai-private-dns-zone-linked": "mandatory",
            "openai-public-access-needs-endpoint": "mandatory",
            "openai-endpoint-in-cluster-network": "mandatory",
            "openai-network-rules-admit-cluster": "mandatory",
        });
        for (const policy of policies.filter((p) => p.enforcementLevel === "advisory")) {
            assert.match(policy.description, /Advisory: /, policy.name);
        }
    });
});

describe("role-assignment-well-formed", () => {
    const policy = "role-assignment-well-formed";

    it("accepts a role assignment with principalType and the full role-definition id", async () => {
        assert.deepEqual(await violationsOf([roleAssignment()], policy), []);
    });

    it("reports a missing principalType (PrincipalNotFound on a new identity)", async () => {
        const message = await single(withInput(roleAssignment(), "principalType", undefined), policy);
        assert.match(message, /does not set principalType/);
        assert.match(message, /PrincipalNotFound/);
        assert.match(message, /Fix: set principalType, e\.g\. "ServicePrincipal"/);
    });

    it("reports a bare role GUID and shows the full form with the scope's subscription", async () => {
        const message = await single(
            withInput(roleAssignment(), "roleDefinitionId", "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"),
            policy,
        );
        assert.ok(
            message.includes(
                `/subscriptions/${TEST_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/5e0bd9bd-7b93-4f28-af87-19fc36ad61bd`,
            ),
            message,
        );
        assert.match(message, /pulumi-azure-native#771/);
    });

    it("reports the tenant-level form on a scope inside a subscription", async () => {
        await single(
            withInput(
                roleAssignment(),
                "roleDefinitionId",
                "/providers/Microsoft.Authorization/roleDefinitions/5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
            ),
            policy,
        );
    });

    it("reports a role definition of another subscription than the scope's", async () => {
        await single(
            withInput(
                roleAssignment(),
                "roleDefinitionId",
                "/subscriptions/00000000-0000-4000-8000-000000000000/providers/Microsoft.Authorization/roleDefinitions/5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
            ),
            policy,
        );
    });

    it("accepts the tenant-level form on a management-group scope", async () => {
        const managementGroup = withInput(
            withInput(roleAssignment(), "scope", "/providers/Microsoft.Management/managementGroups/platform"),
            "roleDefinitionId",
            "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
        );
        assert.deepEqual(await violationsOf([managementGroup], policy), []);
    });

    it("judges azure-native role assignments of any API version module", async () => {
        const pinned = { ...withInput(roleAssignment(), "principalType", undefined) };
        const versioned = { ...pinned, type: "azure-native:authorization/v20220401:RoleAssignment" };
        await single(versioned, policy);
    });
});

describe("openai-role-scoped-to-account", () => {
    const policy = "openai-role-scoped-to-account";
    const resourceGroup = `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}`;

    it("accepts the OpenAI role on one Cognitive Services account", async () => {
        assert.deepEqual(await violationsOf([roleAssignment()], policy), []);
    });

    it("reports the OpenAI role on a resource group", async () => {
        const message = await single(withInput(roleAssignment(), "scope", resourceGroup), policy);
        assert.match(message, /grants "Cognitive Services OpenAI User" on/);
        assert.match(message, /Fix: scope it to the one account/);
    });

    it("reports the OpenAI role on a subscription", async () => {
        await single(withInput(roleAssignment(), "scope", `/subscriptions/${TEST_SUBSCRIPTION_ID}`), policy);
    });

    it("reports Cognitive Services User on a resource group too (it opens the OpenAI data plane)", async () => {
        const cognitiveServicesUser = withInput(
            withInput(roleAssignment(), "scope", resourceGroup),
            "roleDefinitionId",
            `/subscriptions/${TEST_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/a97b65f3-24c7-4388-baec-2e87135dc908`,
        );
        assert.match(await single(cognitiveServicesUser, policy), /"Cognitive Services User"/);
    });

    it("leaves roles that do not touch Azure OpenAI alone (Reader on a resource group)", async () => {
        const reader = withInput(
            withInput(roleAssignment(), "scope", resourceGroup),
            "roleDefinitionId",
            `/subscriptions/${TEST_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
        );
        assert.deepEqual(await violationsOf([reader], policy), []);
    });
});

describe("no-privileged-role-to-service-principal (advisory)", () => {
    const policy = "no-privileged-role-to-service-principal";
    const role = (guid: string) =>
        `/subscriptions/${TEST_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

    it("accepts a data role for a service principal", async () => {
        assert.deepEqual(await violationsOf([roleAssignment()], policy), []);
    });

    it("reports Contributor for a service principal", async () => {
        const contributor = withInput(
            roleAssignment(),
            "roleDefinitionId",
            role("b24988ac-6180-42a0-ab88-20f7382dd24c"),
        );
        assert.match(await single(contributor, policy), /grants "Contributor" to a service principal/);
    });

    it("reports Cognitive Services Contributor for a service principal", async () => {
        const cognitive = withInput(roleAssignment(), "roleDefinitionId", role("25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68"));
        assert.match(await single(cognitive, policy), /"Cognitive Services Contributor"/);
    });

    it("leaves Owner for a user alone (people are not workloads)", async () => {
        const owner = withInput(
            withInput(roleAssignment(), "roleDefinitionId", role("8e3af657-a8ff-443c-a75c-2fe8c4bcb635")),
            "principalType",
            "User",
        );
        assert.deepEqual(await violationsOf([owner], policy), []);
    });
});

describe("federated-credential-kubernetes-form", () => {
    const policy = "federated-credential-kubernetes-form";

    it("accepts exact audience, ServiceAccount subject and the AKS issuer with its trailing '/'", async () => {
        assert.deepEqual(await violationsOf([federatedCredential()], policy), []);
    });

    it("reports a second audience", async () => {
        const message = await single(
            withInput(federatedCredential(), "audiences", ["api://AzureADTokenExchange", "api://other"]),
            policy,
        );
        assert.match(message, /exactly "api:\/\/AzureADTokenExchange"/);
    });

    it("reports another audience, with the audience-mismatch code AADSTS700212", async () => {
        const message = await single(
            withInput(federatedCredential(), "audiences", ["api://AzureADTokenExchangeUSGov"]),
            policy,
        );
        assert.match(message, /Entra ID rejects the exchange \(AADSTS700212, audience\)/);
    });

    it("reports no audience at all", async () => {
        await single(withInput(federatedCredential(), "audiences", []), policy);
    });

    it("reports a subject with a dropped ':' (the published how-to's typo)", async () => {
        const message = await single(
            withInput(federatedCredential(), "subject", "system:serviceaccountstore:chat"),
            policy,
        );
        assert.match(message, /fails with AADSTS700213 \(subject\)/);
    });

    it("reports a subject written namespace/name", async () => {
        await single(withInput(federatedCredential(), "subject", "system:serviceaccount:store/chat"), policy);
    });

    it("reports a subject that is not a valid Kubernetes name (upper case)", async () => {
        await single(withInput(federatedCredential(), "subject", "system:serviceaccount:Store:chat"), policy);
    });

    it("reports an AKS issuer without its trailing '/'", async () => {
        const issuer = String(federatedCredential().inputs.issuer).replace(/\/$/, "");
        const message = await single(withInput(federatedCredential(), "issuer", issuer), policy);
        assert.match(message, /without the trailing '\/'/);
        assert.match(message, /azure-workload-identity#1700/);
    });

    it("reports an issuer that is not https", async () => {
        await single(
            withInput(federatedCredential(), "issuer", "http://eastus.oic.prod-aks.azure.com/tenant/cluster/"),
            policy,
        );
    });

    it("leaves credentials of other platforms alone (GitHub Actions: no trailing '/', repo subject)", async () => {
        const github = withInput(
            withInput(federatedCredential(), "issuer", "https://token.actions.githubusercontent.com"),
            "subject",
            "repo:contoso/store:environment:prod",
        );
        assert.deepEqual(await violationsOf([github], policy), []);
    });
});

describe("pod-no-credential-env", () => {
    const policy = "pod-no-credential-env";
    const env = "spec.template.spec.containers.0.env";

    it("accepts a pod without Azure credentials and with other secrets read from a Secret", async () => {
        assert.deepEqual(await violationsOf([workload("Deployment")], policy), []);
    });

    it("reports OPENAI_API_KEY as a literal value", async () => {
        const deployment = withInput(workload("Deployment"), env, [{ name: "OPENAI_API_KEY", value: "sk-123" }]);
        const message = await single(deployment, policy);
        assert.match(message, /Deployment store\/chat: container "chat" sets OPENAI_API_KEY as a literal value/);
        assert.match(message, /Fix: remove OPENAI_API_KEY/);
    });

    it("reports AZURE_OPENAI_API_KEY even when it comes from a Secret", async () => {
        const fromSecret = [{ name: "AZURE_OPENAI_API_KEY", valueFrom: { secretKeyRef: { name: "k", key: "k" } } }];
        const message = await single(withInput(workload("Deployment"), env, fromSecret), policy);
        assert.match(message, /sets AZURE_OPENAI_API_KEY from a secretKeyRef/);
    });

    it("reports AZURE_CLIENT_SECRET in an init container", async () => {
        const spec = {
            ...podSpec(),
            initContainers: [{ name: "setup", env: [{ name: "AZURE_CLIENT_SECRET", value: "x" }] }],
        };
        assert.match(
            await single(workload("Deployment", spec), policy),
            /init container "setup" sets AZURE_CLIENT_SECRET/,
        );
    });

    it("reports any *_PASSWORD, *_TOKEN, *_SECRET or *_KEY as a literal value", async () => {
        for (const name of ["DB_PASSWORD", "GITHUB_TOKEN", "WEBHOOK_SECRET", "STRIPE_KEY"]) {
            const message = await single(withInput(workload("Deployment"), env, [{ name, value: "plain" }]), policy);
            assert.match(message, new RegExp(`sets ${name} as a literal value`));
        }
    });

    for (const kind of POD_KINDS) {
        it(`finds the pod of a ${kind}`, async () => {
            const path = [POD_TEMPLATE_PATH[kind], "spec.containers.0.env"].filter(Boolean).join(".");
            const resource = withInput(workload(kind), path, [{ name: "OPENAI_API_KEY", value: "sk-123" }]);
            assert.match(await single(resource, policy), new RegExp(`^${kind} store/chat: container "chat"`));
        });
    }
});

describe("pod-resources-set", () => {
    const policy = "pod-resources-set";
    const resources = "spec.template.spec.containers.0.resources";

    it("accepts containers with cpu and memory requests and limits", async () => {
        assert.deepEqual(await violationsOf([workload("Deployment")], policy), []);
    });

    it("reports a container without limits, naming what is missing", async () => {
        const message = await single(withInput(workload("Deployment"), `${resources}.limits`, undefined), policy);
        assert.match(message, /container "chat" sets no resources limits\.cpu, limits\.memory/);
    });

    it("reports a container without a memory request", async () => {
        const message = await single(
            withInput(workload("Deployment"), `${resources}.requests.memory`, undefined),
            policy,
        );
        assert.match(message, /sets no resources requests\.memory\./);
    });

    it("reports an init container without resources", async () => {
        const spec = { ...podSpec(), initContainers: [{ name: "setup", image: "busybox" }] };
        const message = await single(workload("Job", spec), policy);
        assert.match(message, /Job store\/chat: init container "setup" sets no resources requests\.cpu/);
    });

    for (const kind of POD_KINDS) {
        it(`checks the containers of a ${kind}`, async () => {
            const path = [POD_TEMPLATE_PATH[kind], "spec.containers.0.resources"].filter(Boolean).join(".");
            await single(withInput(workload(kind), path, undefined), policy);
        });
    }
});

describe("pod-workload-identity-opt-in", () => {
    const policy = "pod-workload-identity-opt-in";
    const label = "azure.workload.identity/use";

    it('accepts the label as the string "true" on the pod template and an explicit ServiceAccount', async () => {
        for (const kind of POD_KINDS) {
            assert.deepEqual(await violationsOf([workload(kind)], policy), [], kind);
        }
    });

    it('reports a label value other than "true" (the webhook matches the exact string)', async () => {
        const deployment = withInput(workload("Deployment"), "spec.template.metadata.labels", { [label]: "True" });
        const message = await single(deployment, policy);
        assert.match(message, /is "True"; the webhook selects pods whose label is exactly the string "true"/);
    });

    it("reports the label on the Deployment's own metadata instead of its pod template", async () => {
        const moved = withInput(
            withInput(workload("Deployment"), "spec.template.metadata.labels", { app: "chat" }),
            "metadata.labels",
            { [label]: "true" },
        );
        const message = await single(moved, policy);
        assert.match(message, /on the Deployment's own metadata, not on its pod template/);
        assert.match(message, /spec\.template\.metadata\.labels\["azure\.workload\.identity\/use"\] = "true"/);
    });

    it("reports the pre-1.0 annotation instead of the label", async () => {
        const annotated = withInput(
            withInput(workload("CronJob"), "spec.jobTemplate.spec.template.metadata.labels", { app: "chat" }),
            "spec.jobTemplate.spec.template.metadata.annotations",
            { [label]: "true" },
        );
        assert.match(await single(annotated, policy), /is an annotation; since azure-workload-identity v1\.0/);
    });

    it('reports a workload-identity pod without serviceAccountName (it would run as "default")', async () => {
        const deployment = withInput(workload("StatefulSet"), "spec.template.spec.serviceAccountName", undefined);
        const message = await single(deployment, policy);
        assert.match(message, /StatefulSet store\/chat uses workload identity but sets no serviceAccountName/);
        assert.match(message, /Fix: set spec\.template\.spec\.serviceAccountName/);
    });

    it('leaves pods that opt out ("false") or do not use workload identity alone', async () => {
        const optOut = withInput(
            withInput(workload("Deployment"), "spec.template.metadata.labels", { [label]: "false" }),
            "spec.template.spec.serviceAccountName",
            undefined,
        );
        const plain = withInput(optOut, "spec.template.metadata.labels", { app: "chat" });
        assert.deepEqual(await violationsOf([optOut, plain], policy), []);
    });
});

describe("serviceaccount-workload-identity-annotations", () => {
    const policy = "serviceaccount-workload-identity-annotations";

    it("accepts GUIDs in client-id and tenant-id", async () => {
        assert.deepEqual(await violationsOf([serviceAccount()], policy), []);
    });

    it("reports a client-id that is not a GUID", async () => {
        const message = await single(serviceAccount({ "azure.workload.identity/client-id": "id-chat" }), policy);
        assert.match(message, /azure\.workload\.identity\/client-id = "id-chat", not a GUID/);
        assert.match(message, /clientId \(not its principalId\)/);
    });

    it("reports an empty client-id", async () => {
        await single(serviceAccount({ "azure.workload.identity/client-id": "" }), policy);
    });

    it("reports a tenant-id that is not a GUID", async () => {
        await single(serviceAccount({ "azure.workload.identity/tenant-id": "contoso.onmicrosoft.com" }), policy);
    });

    it("leaves ServiceAccounts without workload identity alone", async () => {
        const plain = withInput(serviceAccount(), "metadata.annotations", undefined);
        assert.deepEqual(await violationsOf([plain], policy), []);
    });
});

describe("openai-account-custom-subdomain", () => {
    const policy = "openai-account-custom-subdomain";

    it("accepts an OpenAI account with a custom subdomain", async () => {
        assert.deepEqual(await violationsOf([openAiAccount()], policy), []);
    });

    it("reports an OpenAI account without one", async () => {
        const message = await single(openAiAccount({ customSubDomainName: undefined }), policy);
        assert.match(message, /has no customSubDomainName/);
    });

    it("reports an AIServices account without one (it serves OpenAI models too)", async () => {
        await single(withInput(openAiAccount({ customSubDomainName: "" }), "kind", "AIServices"), policy);
    });

    it("leaves other kinds of Cognitive Services accounts alone", async () => {
        const speech = withInput(openAiAccount({ customSubDomainName: undefined }), "kind", "SpeechServices");
        assert.deepEqual(await violationsOf([speech], policy), []);
    });
});

describe("openai-account-local-auth-disabled (advisory)", () => {
    const policy = "openai-account-local-auth-disabled";

    it("accepts an account with keys turned off", async () => {
        assert.deepEqual(await violationsOf([openAiAccount()], policy), []);
    });

    it("reports an account that still accepts keys", async () => {
        const message = await single(openAiAccount({ disableLocalAuth: false }), policy);
        assert.match(message, /still accepts API keys \(properties\.disableLocalAuth is false\)/);
    });

    it("reports an account that leaves disableLocalAuth unset (Azure's default is keys on)", async () => {
        await single(openAiAccount({ disableLocalAuth: undefined }), policy);
    });
});

/**
 * Every role and variable the pack knows, stated again here: a blank or wrong entry in policy/facts.ts must fail a
 * test, not silently let that one role or variable through (mutation testing found six such entries unchecked).
 */
describe("the pack's facts, entry by entry", () => {
    const role = (guid: string) =>
        `/subscriptions/${TEST_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
    const BROAD: readonly [string, string][] = [
        ["8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner"],
        ["b24988ac-6180-42a0-ab88-20f7382dd24c", "Contributor"],
        ["18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", "User Access Administrator"],
        ["f58310d9-a9f6-439a-9e8d-f62e7b41a168", "Role Based Access Control Administrator"],
        ["25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68", "Cognitive Services Contributor"],
        ["a97b65f3-24c7-4388-baec-2e87135dc908", "Cognitive Services User"],
        ["a001fd3d-188f-4b5d-821b-7da978bf7442", "Cognitive Services OpenAI Contributor"],
    ];
    const DATA: readonly [string, string][] = [
        ["5e0bd9bd-7b93-4f28-af87-19fc36ad61bd", "Cognitive Services OpenAI User"],
        ["a001fd3d-188f-4b5d-821b-7da978bf7442", "Cognitive Services OpenAI Contributor"],
        ["a97b65f3-24c7-4388-baec-2e87135dc908", "Cognitive Services User"],
    ];
    const CREDENTIAL_VARIABLES = [
        "OPENAI_API_KEY",
        "AZURE_OPENAI_API_KEY",
        "AZURE_OPENAI_KEY",
        "AZURE_CLIENT_SECRET",
        "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    ];

    it("names each broad built-in role it refuses to a service principal", async () => {
        for (const [guid, name] of BROAD) {
            const assignment = withInput(roleAssignment(), "roleDefinitionId", role(guid));
            const message = await single(assignment, "no-privileged-role-to-service-principal");
            assert.match(message, new RegExp(`grants "${name}" to a service principal`), name);
        }
    });

    it("names each Azure OpenAI data role it refuses on a resource group", async () => {
        const resourceGroup = `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}`;
        for (const [guid, name] of DATA) {
            const assignment = withInput(
                withInput(roleAssignment(), "roleDefinitionId", role(guid)),
                "scope",
                resourceGroup,
            );
            const messages = await violationsOf([assignment], "openai-role-scoped-to-account");
            assert.deepEqual(messages.length, 1, name);
            assert.match(messages[0], new RegExp(`grants "${name}" on`), name);
        }
    });

    it("refuses each credential variable in a pod, even read from a Secret (any other *_KEY may be)", async () => {
        for (const variable of CREDENTIAL_VARIABLES) {
            const deployment = withInput(workload("Deployment"), "spec.template.spec.containers.0.env", [
                { name: variable, valueFrom: { secretKeyRef: { name: "k", key: "k" } } },
            ]);
            const message = await single(deployment, "pod-no-credential-env");
            assert.match(message, new RegExp(`sets ${variable} from a `), variable);
        }
    });
});
