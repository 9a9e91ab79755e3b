import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { isPinnedImage, unpinnedKind } from "../components/config/image";

/**
 * Which image references the config readers accept for aiService.image and smokeTest.image: a version tag or a digest,
 * never a reference that moves ('latest', or no tag, which means 'latest').
 */
const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

describe("a pinned image reference", () => {
    it("is a version tag or a digest", () => {
        assert.equal(isPinnedImage("ghcr.io/azure-samples/aks-store-demo/ai-service:2.1.0"), true);
        assert.equal(isPinnedImage("myregistry.azurecr.io:5000/store/ai-service:v2"), true);
        assert.equal(isPinnedImage(`ghcr.io/azure-samples/aks-store-demo/ai-service@${DIGEST}`), true);
        assert.equal(isPinnedImage(`ghcr.io/azure-samples/aks-store-demo/ai-service:latest@${DIGEST}`), true);
    });

    // Only well-formed references reach it: the readers check RULES.image (a malformed digest is refused there).
    it("is not 'latest', no tag, a registry port alone, or a tag that is no tag", () => {
        assert.equal(isPinnedImage("ghcr.io/azure-samples/aks-store-demo/ai-service:latest"), false);
        assert.equal(isPinnedImage("ghcr.io/azure-samples/aks-store-demo/ai-service"), false);
        assert.equal(isPinnedImage("myregistry.azurecr.io:5000/store/ai-service"), false);
        assert.equal(isPinnedImage("ghcr.io/azure-samples/aks-store-demo/ai-service:.hidden"), false);
    });

    it("names what moves, for the error message", () => {
        assert.equal(unpinnedKind("ghcr.io/azure-samples/aks-store-demo/ai-service:latest"), "':latest'");
        assert.equal(unpinnedKind("ghcr.io/azure-samples/aks-store-demo/ai-service"), "an untagged image");
    });
});
