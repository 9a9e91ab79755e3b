import * as pulumi from "@pulumi/pulumi";

import { WorkloadIdentity } from "../../components/workloadIdentity";
import { TEST_SUBSCRIPTION_ID, TEST_TENANT_ID } from "./world";

/**
 * A program of one WorkloadIdentity component, for tests of what the component itself refuses (the full program never
 * hands it some inputs, such as an empty issuer URL). Config `aks-openai-wi:issuerUrl` is the cluster's issuer URL.
 */
export = async () => {
    const identity = new WorkloadIdentity("workload", {
        resourceGroupName: "rg-store",
        location: "eastus",
        identityName: "id-ai-service",
        subscriptionId: TEST_SUBSCRIPTION_ID,
        tenantId: TEST_TENANT_ID,
        openAiAccountId: `/subscriptions/${TEST_SUBSCRIPTION_ID}/resourceGroups/rg-store/providers/Microsoft.CognitiveServices/accounts/store-openai`,
        oidcIssuerUrl: new pulumi.Config().get("issuerUrl") ?? "",
        serviceAccounts: [{ namespace: "store", name: "ai-service-account", federatedCredentialName: "ai-service" }],
    });
    return { clientId: identity.clientId };
};
