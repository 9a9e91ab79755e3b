import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import { PROJECT_ROOT } from "./support/program";
import { readme } from "./support/readme";

/**
 * README is what a newcomer reads first (issue 13): what the project is and the two commands on the first screen, the
 * Microsoft Learn page the dev stack reproduces and the quickstart it builds on, short enough to read in minutes, and
 * no hand-written counts or times (they went stale and contradicted each other; `npm run bench` writes those).
 */

const text = readme();

describe("README", () => {
    it("stays under 20,000 characters", () => {
        assert.ok(text.length <= 20_000, `README.md has ${text.length} characters; move reference material to docs/`);
    });

    it("shows what the project is and the two commands on its first screen (the first 25 lines)", () => {
        const firstScreen = text.split("\n").slice(0, 25).join("\n");
        assert.match(
            firstScreen,
            /^# aks-openai-wi\n\nKeyless, least-privilege access from an AKS workload to Azure OpenAI/,
        );
        assert.ok(firstScreen.includes("```bash\nnpm ci\nnpm run plan -- --stack dev\n```"), firstScreen);
    });

    it("names and links the Microsoft Learn page the dev stack reproduces, and the aks-store-demo quickstart", () => {
        assert.ok(
            text.includes(
                "[Secure access to Azure OpenAI from Azure Kubernetes Service (AKS)](https://learn.microsoft.com/azure/aks/open-ai-secure-access-quickstart)",
            ),
        );
        assert.ok(
            text.includes("[aks-store-demo quickstart](https://learn.microsoft.com/azure/aks/open-ai-quickstart)"),
        );
        assert.ok(text.includes("(https://github.com/Azure-Samples/aks-store-demo)"));
    });

    it("holds no hand-written test counts or durations", () => {
        const stale = [
            /\b\d[\d,]* (?:tests|specifications)\b/,
            /\b\d+ min(?:utes?)? \d+ s\b/,
            /\babout (?:\d+|one|two|three|five) (?:minutes?|seconds?)\b/,
            /\b\d+(?:\.\d+)? ?s (?:on|from) (?:a |the )?\d-core\b/,
        ];
        for (const pattern of stale) {
            assert.doesNotMatch(text, pattern);
        }
    });

    it("links only to files that exist", () => {
        const targets = [...text.matchAll(/\]\(((?!https?:|#)[^)#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]);
        assert.ok(targets.length > 5);
        assert.deepEqual(
            targets.filter((target) => !existsSync(path.join(PROJECT_ROOT, target))),
            [],
        );
    });
});
