import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { PolicyResource } from "@pulumi/policy";

import { envOf, kubernetesKind, podTemplateOf } from "../policy/kubernetes";
import {
    buildStackGraph,
    identityOfServiceAccount,
    linkedBy,
    nodeOf,
    serviceAccountOfPod,
    type StackGraph,
} from "../policy/stackGraph";
import { UNKNOWN } from "../policy/values";
import { policyResourceFactory } from "./support/policyResourceFactory";

/**
 * The stack graph and pod-template helpers, called directly: how each link is found (by dependency, then by value),
 * and the defaults and labels the policies' messages rely on.
 */

const IDENTITY = "azure-native:managedidentity:UserAssignedIdentity";
const CREDENTIAL = "azure-native:managedidentity:FederatedIdentityCredential";
const ACCOUNT = "azure-native:cognitiveservices:Account";
const ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment";
const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

const { resource, urnOf } = policyResourceFactory("graph");

function identity(name: string, props: Record<string, unknown>): PolicyResource {
    return resource(IDENTITY, name, props);
}

function credential(props: Record<string, unknown>, dependsOn: Record<string, string[]> = {}): PolicyResource {
    return resource(CREDENTIAL, "fic", { subject: "system:serviceaccount:store:chat", ...props }, dependsOn);
}

/** The name of the identity a credential is linked to, or undefined. */
function credentialIdentity(resources: PolicyResource[]): string | undefined {
    const graph = buildStackGraph(resources);
    assert.equal(graph.credentials.length, 1);
    return graph.credentials[0].identity?.node.name;
}

function deployment(metadata: Record<string, unknown>, spec: Record<string, unknown>): PolicyResource {
    return resource(DEPLOYMENT, "app", {
        metadata,
        spec: {
            template: { metadata: { labels: { "azure.workload.identity/use": "true" } }, spec },
        },
    });
}

describe("linkedBy", () => {
    it("links nothing when the property depends on several candidates", () => {
        const node = nodeOf(
            resource(ROLE_ASSIGNMENT, "ra", {}, { principalId: [urnOf(IDENTITY, "a"), urnOf(IDENTITY, "b")] }),
        );
        const candidates = [identity("a", {}), identity("b", {})].map((r) => ({ node: nodeOf(r) }));
        assert.equal(linkedBy(node, "principalId", candidates), undefined);
    });

    it("links the one candidate the property depends on", () => {
        const node = nodeOf(resource(ROLE_ASSIGNMENT, "ra", {}, { principalId: [urnOf(IDENTITY, "b")] }));
        const candidates = [identity("a", {}), identity("b", {})].map((r) => ({ node: nodeOf(r) }));
        assert.equal(linkedBy(node, "principalId", candidates)?.node.name, "b");
    });
});

describe("buildStackGraph", () => {
    it("takes an account's name from `name` (outputs) before `accountName` (inputs)", () => {
        const graph = buildStackGraph([resource(ACCOUNT, "acct", { name: "from-name" })]);
        assert.equal(graph.accounts[0].accountName, "from-name");
        const inputsOnly = buildStackGraph([resource(ACCOUNT, "acct", { accountName: "from-inputs" })]);
        assert.equal(inputsOnly.accounts[0].accountName, "from-inputs");
    });

    it("records a role assignment's principal id", () => {
        const graph = buildStackGraph([resource(ROLE_ASSIGNMENT, "ra", { principalId: "p-1" })]);
        assert.equal(graph.roleAssignments[0].principalId, "p-1");
    });

    it("gives a credential a ServiceAccount only when its subject is well formed", () => {
        const malformed = buildStackGraph([credential({ subject: "system:serviceaccount:Store" })]).credentials[0];
        assert.equal("serviceAccount" in malformed, false);
        const wellFormed = buildStackGraph([credential({})]).credentials[0];
        assert.deepEqual(wellFormed.serviceAccount, { namespace: "store", name: "chat" });
    });

    it("puts a ServiceAccount without a namespace in `default`", () => {
        const graph = buildStackGraph([resource(SERVICE_ACCOUNT, "sa", { metadata: { name: "chat" } })]);
        assert.equal(graph.serviceAccounts[0].namespace, "default");
        assert.equal(graph.serviceAccounts[0].name, "chat");
    });

    it("collects only `*OPENAI*ENDPOINT` variables as endpoints", () => {
        const graph = buildStackGraph([
            deployment(
                { name: "app", namespace: "store" },
                {
                    containers: [
                        {
                            name: "app",
                            env: [
                                { name: "AZURE_OPENAI_CHAT_ENDPOINT", value: "https://a.openai.azure.com/" },
                                { name: "AZURE_OPENAI_ENDPOINT_SUFFIX", value: "https://b.openai.azure.com/" },
                                { name: "OTHER", value: "https://c.openai.azure.com/" },
                            ],
                        },
                    ],
                },
            ),
        ]);
        assert.deepEqual(graph.pods[0].openAiEndpoints, ["https://a.openai.azure.com/"]);
    });

    it("collects no endpoints when the containers are unknown", () => {
        const graph = buildStackGraph([deployment({ name: "app", namespace: "store" }, { containers: UNKNOWN })]);
        assert.equal(graph.pods.length, 1);
        assert.deepEqual(graph.pods[0].openAiEndpoints, []);
    });
});

describe("the identity of a federated credential", () => {
    it("is the one `resourceName` depends on, whatever the names say", () => {
        const resources = [
            identity("linked", { name: "id-linked" }),
            identity("named", { name: "id-named" }),
            credential({ resourceName: "id-named" }, { resourceName: [urnOf(IDENTITY, "linked")] }),
        ];
        assert.equal(credentialIdentity(resources), "linked");
    });

    it("is found by name when nothing links it: `name`, else `resourceName`", () => {
        assert.equal(
            credentialIdentity([identity("i", { name: "id-chat" }), credential({ resourceName: "id-chat" })]),
            "i",
        );
        assert.equal(
            credentialIdentity([identity("i", { resourceName: "id-chat" }), credential({ resourceName: "id-chat" })]),
            "i",
        );
        assert.equal(
            credentialIdentity([
                identity("i", { name: "id-chat", resourceName: "other" }),
                credential({ resourceName: "id-chat" }),
            ]),
            "i",
        );
    });

    it("is not an identity of another name, even in the same resource group", () => {
        const resources = [
            identity("i", { name: "id-other", resourceGroupName: "rg-app" }),
            credential({ resourceName: "id-chat", resourceGroupName: "rg-app" }),
        ];
        assert.equal(credentialIdentity(resources), undefined);
        assert.equal(
            credentialIdentity([identity("i", { name: "id-other" }), credential({ resourceName: "id-chat" })]),
            undefined,
        );
    });

    it("is not an identity of the same name in another resource group", () => {
        const resources = [
            identity("i", { name: "id-chat", resourceGroupName: "rg-other" }),
            credential({ resourceName: "id-chat", resourceGroupName: "rg-app" }),
        ];
        assert.equal(credentialIdentity(resources), undefined);
    });

    it("matches the resource group case-insensitively, and any group when the credential names none", () => {
        assert.equal(
            credentialIdentity([
                identity("i", { name: "id-chat", resourceGroupName: "RG-App" }),
                credential({ resourceName: "id-chat", resourceGroupName: "rg-app" }),
            ]),
            "i",
        );
        assert.equal(
            credentialIdentity([
                identity("i", { name: "id-chat", resourceGroupName: "rg-app" }),
                credential({ resourceName: "id-chat" }),
            ]),
            "i",
        );
    });
});

describe("links from pods and ServiceAccounts", () => {
    function graphOf(
        serviceAccountMetadata: Record<string, unknown>,
        podMetadata: Record<string, unknown>,
        serviceAccountName: unknown,
    ): StackGraph {
        return buildStackGraph([
            resource(SERVICE_ACCOUNT, "sa", { metadata: serviceAccountMetadata }),
            deployment(podMetadata, { serviceAccountName, containers: [] }),
        ]);
    }

    function accountOf(graph: StackGraph): string | undefined {
        return serviceAccountOfPod(graph, graph.pods[0])?.node.name;
    }

    it("links a pod to the ServiceAccount of its namespace and name", () => {
        assert.equal(accountOf(graphOf({ name: "chat", namespace: "store" }, { namespace: "store" }, "chat")), "sa");
    });

    it("needs both the namespace and the name to match, exactly", () => {
        assert.equal(
            accountOf(graphOf({ name: "chat", namespace: "store" }, { namespace: "store" }, "other")),
            undefined,
        );
        assert.equal(
            accountOf(graphOf({ name: "chat", namespace: "store" }, { namespace: "shop" }, "chat")),
            undefined,
        );
        assert.equal(
            accountOf(graphOf({ name: "chat", namespace: "store" }, { namespace: "store" }, "Chat")),
            undefined,
        );
    });

    it("does not link names that are not known", () => {
        assert.equal(
            accountOf(graphOf({ name: "chat", namespace: UNKNOWN }, { namespace: UNKNOWN }, "chat")),
            undefined,
        );
        assert.equal(accountOf(graphOf({ namespace: "store" }, { namespace: "store" }, undefined)), undefined);
    });

    it("finds a ServiceAccount's identity by its client-id annotation", () => {
        const graph = buildStackGraph([
            identity("other", { clientId: "c-2" }),
            identity("i", { clientId: "C-1" }),
            resource(SERVICE_ACCOUNT, "sa", {
                metadata: { name: "chat", annotations: { "azure.workload.identity/client-id": "c-1" } },
            }),
        ]);
        assert.equal(identityOfServiceAccount(graph, graph.serviceAccounts[0])?.node.name, "i");
    });
});

describe("podTemplateOf", () => {
    it("reads a ReplicationController's pod from spec.template", () => {
        const pod = podTemplateOf("kubernetes:core/v1:ReplicationController", {
            metadata: { name: "rc", namespace: "store" },
            spec: { template: { metadata: { labels: { app: "rc" } }, spec: { containers: [] } } },
        });
        assert.equal(pod?.path, "spec.template");
        assert.deepEqual(pod?.spec, { containers: [] });
        assert.deepEqual(pod?.podLabels, { app: "rc" });
    });

    it("labels a workload by kind, namespace (default when unset) and name", () => {
        const pod = podTemplateOf("kubernetes:core/v1:Pod", { metadata: { name: "p" } });
        assert.equal(pod?.namespace, "default");
        assert.equal(pod?.label, "Pod default/p");
        assert.equal(podTemplateOf("kubernetes:core/v1:Pod", { metadata: {} })?.label, "Pod default/(name unknown)");
        assert.equal(
            podTemplateOf("kubernetes:core/v1:Pod", { metadata: { name: "p", namespace: UNKNOWN } })?.label,
            "Pod (namespace unknown)/p",
        );
    });
});

describe("kubernetesKind", () => {
    it("reads the kind of a whole Kubernetes type token only", () => {
        assert.equal(kubernetesKind("kubernetes:apps/v1:Deployment"), "Deployment");
        assert.equal(kubernetesKind("xkubernetes:apps/v1:Deployment"), undefined);
        assert.equal(kubernetesKind("kubernetes:apps/v1:Deployment-x"), undefined);
    });
});

describe("envOf", () => {
    it("has no entries for a container without env", () => {
        assert.deepEqual(envOf({ name: "app" }), []);
    });

    it("names the first source of a valueFrom that is set", () => {
        const [nullFirst, undefinedFirst] = envOf({
            env: [
                { name: "A", valueFrom: { secretKeyRef: null, configMapKeyRef: { name: "cm", key: "a" } } },
                { name: "B", valueFrom: { secretKeyRef: undefined, fieldRef: { fieldPath: "metadata.name" } } },
            ],
        }) as unknown as readonly { source: unknown }[];
        assert.equal(nullFirst.source, "configMapKeyRef");
        assert.equal(undefinedFirst.source, "fieldRef");
    });
});
