import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import { parse } from "yaml";

import { readPack, strayImports } from "./support/packImports";
import { PACK_DIR } from "./support/policyEngine";
import { PROJECT_ROOT } from "./support/program";

/**
 * The policy pack stands on its own (issue 10, "Guardrails, for real"): the Pulumi CLI loads it from its own folder and
 * package.json, and `pulumi policy publish` ships that folder alone, installing only the packages it declares. That the
 * copied folder alone loads and serves every policy is shown by tests/policyPack.test.ts, which runs from such a copy.
 */

const manifestOf = (dir: string) =>
    JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
        main?: string;
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
    };

describe("the policy pack is self-contained", () => {
    it("imports no path outside policy/ and only packages its own package.json declares", () => {
        const { sources, declared } = readPack(PACK_DIR);
        assert.ok(Object.keys(sources).includes("index.ts"), "the scan must see the pack's entry");
        assert.deepEqual(strayImports(sources, declared), []);
    });

    it("the check reports a relative import leaving the folder, a require of one, and an undeclared package", () => {
        const stray = strayImports(
            {
                "azure.ts": 'import { BROAD_ROLES } from "../components/constants";\nimport { ok } from "./values";',
                "sub/deep.ts":
                    'import type { X } from "../facts";\nconst y = require("../../tools/engine/runProgram");\n' +
                    'export * from "@pulumi/kubernetes/core/v1";\nimport { readFileSync } from "node:fs";',
            },
            new Set(["@pulumi/policy"]),
        );
        assert.deepEqual(stray, [
            { file: "azure.ts", specifier: "../components/constants", reason: "leaves the pack folder" },
            { file: "sub/deep.ts", specifier: "../../tools/engine/runProgram", reason: "leaves the pack folder" },
            {
                file: "sub/deep.ts",
                specifier: "@pulumi/kubernetes/core/v1",
                reason: "@pulumi/kubernetes is not declared in package.json",
            },
        ]);
    });

    it("declares its packages at the project's own ranges, so the project's npm ci installs what the pack runs with", () => {
        const pack = manifestOf(PACK_DIR);
        const root = manifestOf(PROJECT_ROOT);
        const rootRanges = { ...root.dependencies, ...root.devDependencies };
        assert.deepEqual(Object.keys(pack.dependencies ?? {}).sort(), ["@pulumi/policy", "@pulumi/pulumi"]);
        for (const [name, range] of Object.entries({ ...pack.dependencies, ...pack.devDependencies })) {
            assert.equal(range, rootRanges[name], `policy/package.json ${name}`);
        }
    });

    it("is a Node.js pack whose package.json main is its entry", () => {
        const project = parse(readFileSync(path.join(PACK_DIR, "PulumiPolicy.yaml"), "utf8")) as { runtime: string };
        assert.equal(project.runtime, "nodejs");
        assert.equal(manifestOf(PACK_DIR).main, "index.ts");
    });
});
