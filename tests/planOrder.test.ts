import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { RegisteredResource } from "../tools/engine/runProgram";
import { evaluateStack } from "../tools/plan/evaluate";
import { canonicalOrder } from "../tools/plan/order";
import { stackConfig } from "./support/program";

const STACK = "urn:pulumi:dev::aks-openai-wi::pulumi:pulumi:Stack::aks-openai-wi-dev";
const urn = (type: string, name: string) => `urn:pulumi:dev::aks-openai-wi::${type}::${name}`;

function registered(
    name: string,
    type: string,
    options: { parent?: string; provider?: string; dependencies?: string[] } = {},
): RegisteredResource {
    return {
        urn: urn(type, name),
        type,
        name,
        custom: true,
        parent: options.parent ?? STACK,
        inputs: {},
        state: {},
        id: undefined,
        importId: "",
        dependencies: options.dependencies ?? [],
        propertyDependencies: {},
        provider: options.provider ?? "",
        deleteBeforeReplace: false,
        retainOnDelete: false,
        protect: false,
        ignoreChanges: [],
        aliases: [],
    };
}

const stack = { ...registered("aks-openai-wi-dev", "pulumi:pulumi:Stack"), urn: STACK, parent: "" };
const identity = registered("workload-identity", "azure-native:managedidentity:UserAssignedIdentity");
const provider = registered("aks", "pulumi:providers:kubernetes");
// A provider reference is the provider's URN, "::", and its id.
const serviceAccount = registered("sa", "kubernetes:core/v1:ServiceAccount", {
    provider: `${provider.urn}::04da6b54-80e4-46f7-96ec-b56ff0331ba9`,
    dependencies: [identity.urn],
});
const credential = registered("fic", "azure-native:managedidentity:FederatedIdentityCredential", {
    dependencies: [identity.urn, serviceAccount.urn],
});
const names = (resources: readonly RegisteredResource[]) => resources.map((resource) => resource.name);

describe("the plan's order of resources", () => {
    it("is the same whatever order the program registered them in", () => {
        const expected = ["aks-openai-wi-dev", "workload-identity", "aks", "sa", "fic"];
        assert.deepEqual(names(canonicalOrder([stack, identity, provider, serviceAccount, credential])), expected);
        assert.deepEqual(names(canonicalOrder([credential, serviceAccount, provider, identity, stack])), expected);
        assert.deepEqual(names(canonicalOrder([provider, credential, stack, identity, serviceAccount])), expected);
    });

    it("puts a resource after its parent, its provider and its dependencies, even when its URN sorts first", () => {
        // "a-..." sorts before every other URN here; it still waits for all three.
        const child = registered("a-child", "kubernetes:core/v1:ConfigMap", {
            parent: identity.urn,
            provider: `${provider.urn}::id`,
            dependencies: [credential.urn],
        });
        const order = names(canonicalOrder([child, credential, serviceAccount, provider, identity, stack]));
        assert.equal(order.at(-1), "a-child");
    });

    it("keeps every resource once, even with a dependency cycle the engine would never finish", () => {
        const a = registered("a", "test:index:A", { dependencies: [urn("test:index:B", "b")] });
        const b = registered("b", "test:index:B", { dependencies: [a.urn] });
        assert.deepEqual(names(canonicalOrder([b, a, stack])).sort(), ["a", "aks-openai-wi-dev", "b"]);
    });

    it("of the dev stack does not change with what the process did before (the first run waits for the serializer)", async () => {
        // In a fresh process the first registration of the dynamic provider waits for Pulumi's closure serializer, so
        // the program registers cluster-workload-identity later than in the runs after it: the order used to differ.
        const first = await evaluateStack({ stack: "dev", config: stackConfig("dev") });
        const second = await evaluateStack({ stack: "dev", config: stackConfig("dev") });
        assert.deepEqual(names(first.resources), names(second.resources));
        assert.deepEqual(names(first.resources), [
            "aks-openai-wi-dev",
            "ai-service",
            "smoke-test",
            "cluster",
            "cluster-workload-identity",
            "workload",
            "workload-identity",
            "workload-openai-user",
            "aks",
            "ai-service-service",
            "workload-default-ai-service-account-sa",
            "workload-primary-fic",
            "ai-service-deployment",
            "smoke-test-job",
        ]);
    });
});
