import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import { importsOf, packageName, programImports } from "../bench/sdkModules";

/**
 * `npm run bench`, section 1: the floor loads exactly the SDK modules the program imports, read from its own import
 * statements. The same reading keeps the program's startup to the Pulumi SDKs and its own files.
 */

const ROOT = path.resolve(__dirname, "..");

describe("importsOf", () => {
    it("counts the imports that load something at run time", () => {
        const source = [
            'import * as pulumi from "@pulumi/pulumi";',
            'import { Provider } from "@pulumi/kubernetes/provider";',
            'import "./sideEffect";',
            'export { helper } from "./helper";',
            'import legacy = require("legacy");',
            'const early = require("early");',
        ].join("\n");
        assert.deepEqual(importsOf(source), {
            eager: ["@pulumi/pulumi", "@pulumi/kubernetes/provider", "./sideEffect", "./helper", "legacy", "early"],
            lazy: [],
        });
    });

    it("skips imports the compiler erases", () => {
        const source = [
            'import type { ManagedCluster } from "@azure/arm-containerservice";',
            'import type * as dynamic from "@pulumi/pulumi/dynamic";',
            'import { type Settings, type KubeloginMode } from "./config";',
            'export type { Phase } from "./protocol";',
        ].join("\n");
        assert.deepEqual(importsOf(source), { eager: [], lazy: [] });
    });

    it("keeps a named import with at least one value binding", () => {
        assert.deepEqual(importsOf('import { loadSettings, type Settings } from "./config";').eager, ["./config"]);
    });

    it("lists import() and require() inside functions as lazy", () => {
        const source = [
            "async function client() {",
            '    const { DefaultAzureCredential } = await import("@azure/identity");',
            '    const yaml = require("yaml");',
            "}",
        ].join("\n");
        assert.deepEqual(importsOf(source), { eager: [], lazy: ["@azure/identity", "yaml"] });
    });
});

describe("programImports", () => {
    const files: Record<string, string> = {
        "/p/index.ts": [
            'import * as pulumi from "@pulumi/pulumi";',
            'import { Thing } from "./components/thing";',
            'import type { Shape } from "./components/shape";',
        ].join("\n"),
        "/p/components/thing.ts": [
            'import * as corev1 from "@pulumi/kubernetes/core/v1";',
            'import * as authorization from "@pulumi/azure-native/authorization";',
            'import { createHash } from "node:crypto";',
            'import { helper } from "./util";',
            'export async function load() { return import("yaml"); }',
        ].join("\n"),
        "/p/components/util/index.ts": 'import { parse } from "some-lib/sub/path";',
        "/p/components/shape.ts": 'import "@pulumi/never-loaded";',
    };
    const read = (file: string) => files[file];

    it("follows the program's relative imports and collects the SDK modules, @pulumi/pulumi first", () => {
        assert.deepEqual(programImports("/p/index.ts", read), {
            sdk: ["@pulumi/pulumi", "@pulumi/azure-native/authorization", "@pulumi/kubernetes/core/v1"],
            otherPackages: ["some-lib"],
            lazy: ["yaml"],
            files: ["index.ts", "components/thing.ts", "components/util/index.ts"],
        });
    });

    it("fails on a relative import that is no .ts file", () => {
        assert.throws(
            () => programImports("/p/index.ts", (file) => (file === "/p/index.ts" ? 'import "./gone";' : undefined)),
            /\/p\/index.ts imports .\/gone, which is no .ts file/,
        );
    });

    it("names packages without their subpaths", () => {
        assert.equal(packageName("@pulumi/kubernetes/core/v1"), "@pulumi/kubernetes");
        assert.equal(packageName("yaml/util"), "yaml");
    });
});

describe("the program's startup", () => {
    const imports = programImports(path.join(ROOT, "index.ts"), (file) =>
        existsSync(file) ? readFileSync(file, "utf8") : undefined,
    );

    it("imports the provider SDKs by submodule", () => {
        assert.deepEqual(imports.sdk, [
            "@pulumi/pulumi",
            "@pulumi/azure-native/authorization",
            "@pulumi/azure-native/cognitiveservices",
            "@pulumi/azure-native/containerservice",
            "@pulumi/azure-native/managedidentity",
            "@pulumi/azure-native/monitor",
            "@pulumi/azure-native/network",
            "@pulumi/azure-native/operationalinsights",
            "@pulumi/azure-native/privatedns",
            "@pulumi/kubernetes/apps/v1",
            "@pulumi/kubernetes/batch/v1",
            "@pulumi/kubernetes/core/v1",
            "@pulumi/kubernetes/networking/v1",
            "@pulumi/kubernetes/policy/v1",
            "@pulumi/kubernetes/provider",
        ]);
    });

    it("loads no other package: the Azure SDK clients and yaml load only when used", () => {
        assert.deepEqual(imports.otherPackages, []);
        assert.deepEqual(imports.lazy, ["@azure/arm-containerservice", "@azure/identity", "yaml"]);
    });

    it("loads only index.ts and components, never tools, policy or bench code", () => {
        assert.deepEqual(
            imports.files.filter((file) => file !== "index.ts" && !file.startsWith(`components${path.sep}`)),
            [],
        );
    });
});
