import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { OPENAI_USER_ROLE_ID } from "../components/constants";
import {
    defaultClusterName,
    defaultFederatedCredentialName,
    defaultIdentityName,
    identityHash,
    roleAssignmentName,
    roleDefinitionId,
    serviceAccountSubject,
} from "../components/naming";

describe("naming", () => {
    it("builds the subject the kubelet projects, with ':' between every part", () => {
        assert.equal(
            serviceAccountSubject("default", "ai-service-account"),
            "system:serviceaccount:default:ai-service-account",
        );
    });

    it("builds the full role-definition id Azure returns, so plans show no perpetual diff", () => {
        assert.equal(
            roleDefinitionId("0b1f6471-0000-4000-8000-00000000a002", OPENAI_USER_ROLE_ID),
            "/subscriptions/0b1f6471-0000-4000-8000-00000000a002/providers/Microsoft.Authorization/roleDefinitions/5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
        );
    });

    it("names a role assignment with a stable RFC 4122 version-5 GUID", () => {
        const scope = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/myOpenAI";
        const role = roleDefinitionId("s", OPENAI_USER_ROLE_ID);
        const name = roleAssignmentName(scope, "eb885909-0b8c-4ded-aa66-01039a6a4505", role);
        assert.match(name, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.equal(roleAssignmentName(scope.toUpperCase(), "EB885909-0B8C-4DED-AA66-01039A6A4505", role), name);
        assert.notEqual(roleAssignmentName(scope, "another-principal", role), name);
        // Worked out apart from the code (Python: sha1 of the lower-cased parts joined by "|", version and variant
        // bits set): the name an existing stack's assignment already has, so the scheme must not drift.
        assert.equal(name, "302b34be-0407-505f-9106-0ada37538fbe");
    });

    it("derives identity and cluster names from the stack, replacing characters Azure refuses", () => {
        assert.equal(defaultIdentityName("aks-openai-wi", "team.dev"), "id-aks-openai-wi-team-dev");
        assert.equal(defaultClusterName("aks-openai-wi", "dev"), "aks-aks-openai-wi-dev");
        assert.equal(defaultClusterName("my.project", "dev"), "aks-my-project-dev");
    });

    it("keeps default names within Azure's lengths: 128 for an identity, 63 for a cluster, no trailing '-' or '_'", () => {
        assert.equal(defaultIdentityName("p".repeat(200), "dev"), `id-${"p".repeat(125)}`);
        // Cut at 63 characters, the name would end in "---": every trailing '-' goes, as AKS refuses them.
        assert.equal(defaultClusterName(`${"a".repeat(56)}..`, "dev"), `aks-${"a".repeat(56)}`);
        assert.equal(defaultClusterName("c".repeat(70), "dev"), `aks-${"c".repeat(59)}`);
    });

    it("derives credential names from namespace and ServiceAccount, hashing only when too long", () => {
        assert.equal(defaultFederatedCredentialName("default", "ai-service-account"), "default-ai-service-account");
        assert.equal(defaultFederatedCredentialName("batch", "worker.v2"), "batch-worker-v2");
        // Exactly 120 characters is still within the limit, so it stays readable.
        assert.equal(
            defaultFederatedCredentialName("n".repeat(59), "s".repeat(60)),
            `${"n".repeat(59)}-${"s".repeat(60)}`,
        );
        const long = defaultFederatedCredentialName("n".repeat(63), "s".repeat(100));
        assert.equal(long.length, 120);
        assert.notEqual(long, defaultFederatedCredentialName("n".repeat(63), `${"s".repeat(99)}t`));
    });

    it("hashes a client id case-insensitively into 16 hex characters", () => {
        const hash = identityHash("F6D4C22E-B055-4B3D-AE0F-4C7A7EAF94A6");
        assert.match(hash, /^[0-9a-f]{16}$/);
        assert.equal(hash, identityHash("f6d4c22e-b055-4b3d-ae0f-4c7a7eaf94a6"));
        assert.notEqual(hash, identityHash("00000000-b055-4b3d-ae0f-4c7a7eaf94a6"));
        // sha256 of the lower-cased id, first 16 hex characters (worked out in Python): the annotation on every
        // existing pod template, so a change would roll every pod.
        assert.equal(hash, "3b4bcf07eb0c313c");
    });
});
