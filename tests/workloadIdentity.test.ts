import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";

import { ProgramFailed, runProgram, single } from "./support/program";

/** The WorkloadIdentity component on its own, for inputs the full program never gives it. */

const PROGRAM = { entry: path.join(__dirname, "support", "workloadIdentityProgram"), project: "aks-openai-wi" };

describe("WorkloadIdentity", () => {
    it("refuses an empty OIDC issuer URL with the reason and the command that shows the cluster's issuer", async () => {
        const failure = await runProgram({ program: PROGRAM, config: { "aks-openai-wi:issuerUrl": "" } }).then(
            () => assert.fail("the program must fail on an empty issuer URL"),
            (error: unknown) => error,
        );
        assert.ok(failure instanceof ProgramFailed, String(failure));
        // The SDK prefixes the property whose value failed; the rest is the component's own message.
        assert.equal(
            failure.message,
            'error serializing property "issuer": ' +
                "The cluster's OIDC issuer URL is empty, so no federated credential can match its tokens. Check that the " +
                "OIDC issuer is enabled: az aks show --query oidcIssuerProfile",
        );
        // Nothing federated with an empty issuer reached the engine.
        assert.deepEqual(
            failure.resources.filter((r) => r.type === "azure-native:managedidentity:FederatedIdentityCredential"),
            [],
        );
    });

    it("federates with a given issuer URL verbatim, and creates no namespace it was not asked to", async () => {
        const issuer = "https://eastus.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/1111/";
        const { resources } = await runProgram({ program: PROGRAM, config: { "aks-openai-wi:issuerUrl": issuer } });
        const credential = single(resources, "azure-native:managedidentity:FederatedIdentityCredential");
        assert.equal(credential.inputs.issuer, issuer);
        assert.equal(credential.inputs.subject, "system:serviceaccount:store:ai-service-account");
        // No namespacesToCreate: the ServiceAccount's namespace must already exist, and none is created.
        assert.deepEqual(
            resources.filter((r) => r.type === "kubernetes:core/v1:Namespace"),
            [],
        );
    });
});
