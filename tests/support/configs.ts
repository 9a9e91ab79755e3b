/** Stack configurations the tests share, as fully qualified config keys. */

/** A new environment built from scratch: managed cluster and managed account, in a namespace the stack creates. */
export const GREENFIELD_CONFIG: Readonly<Record<string, unknown>> = {
    "azure-native:location": "swedencentral",
    "aks-openai-wi:resourceGroupName": "rg-store-greenfield",
    "aks-openai-wi:cluster": { mode: "managed", name: "aks-store", nodeCount: 2, kubernetesVersion: "1.33" },
    "aks-openai-wi:openai": {
        mode: "managed",
        accountName: "store-openai-7f3a",
        model: { name: "gpt-4o-mini", version: "2024-07-18" },
        sku: { name: "GlobalStandard", capacity: 20 },
    },
    "aks-openai-wi:aiService": { namespace: "pets", createNamespace: true },
};
