import { TEST_ADMIN_GROUP_ID } from "./world";

/** Stack configurations the tests share, as fully qualified config keys. */

/** A new environment built from scratch: managed cluster and managed account, in a namespace the stack creates. */
export const GREENFIELD_CONFIG: Readonly<Record<string, unknown>> = {
    "azure-native:location": "swedencentral",
    "aks-openai-wi:resourceGroupName": "rg-store-greenfield",
    "aks-openai-wi:cluster": {
        mode: "managed",
        name: "aks-store",
        nodeCount: 2,
        kubernetesVersion: "1.33",
        adminGroupObjectIds: [TEST_ADMIN_GROUP_ID],
    },
    "aks-openai-wi:openai": {
        mode: "managed",
        accountName: "store-openai-7f3a",
        model: { name: "gpt-4o-mini", version: "2024-07-18" },
        sku: { name: "GlobalStandard", capacity: 20 },
    },
    "aks-openai-wi:aiService": { namespace: "pets", createNamespace: true },
};

/**
 * A stack file's config after the copy step it asks for: every admin group id marked `<...>` (still to be copied from
 * bootstrap/github-oidc's output) replaced by the test's group, as an operator would before the first `pulumi up`.
 */
export function withBootstrapOutputs(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const cluster = config["aks-openai-wi:cluster"] as Record<string, unknown> | undefined;
    const ids = cluster?.adminGroupObjectIds;
    if (!Array.isArray(ids)) {
        return { ...config };
    }
    return {
        ...config,
        "aks-openai-wi:cluster": {
            ...cluster,
            adminGroupObjectIds: ids.map((id: unknown) =>
                typeof id === "string" && /^<[^<>]+>$/.test(id) ? TEST_ADMIN_GROUP_ID : id,
            ),
        },
    };
}
