import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";

import { affectedStacks, deploymentOrder, kubeloginAdvice, projectStacks } from "../tools/ci/stacks";

/** Which stacks a change previews and deploys (tools/ci/stacks.ts, run by both workflows). */

const STACKS = ["dev", "prod", "staging"];

describe("the stacks a change affects", () => {
    it("is the stack whose stack file changed", () => {
        assert.deepEqual(affectedStacks(["Pulumi.staging.yaml"], STACKS), ["staging"]);
        assert.deepEqual(affectedStacks(["Pulumi.prod.yaml", "Pulumi.dev.yaml"], STACKS), ["dev", "prod"]);
    });

    it("is every stack when the program changes", () => {
        for (const file of [
            "index.ts",
            "components/config/schema.ts",
            "Pulumi.yaml",
            "package-lock.json",
            "policy/index.ts",
        ]) {
            assert.deepEqual(affectedStacks([file], STACKS), ["dev", "staging", "prod"], file);
        }
    });

    it("is every stack when a workflow changes, so the changed workflow is exercised", () => {
        assert.deepEqual(affectedStacks([".github/workflows/preview.yml"], STACKS), ["dev", "staging", "prod"]);
    });

    it("is every stack for a path it does not know (a preview too many is cheap, one too few is not)", () => {
        assert.deepEqual(affectedStacks(["something/new.ts"], STACKS), ["dev", "staging", "prod"]);
    });

    it("is no stack for documentation, tests and the separate projects", () => {
        const files = ["README.md", "docs/architecture.md", "tests/program.test.ts", "examples/consumer/index.ts"];
        assert.deepEqual(affectedStacks([...files, "bootstrap/github-oidc/index.ts", ".ci/run"], STACKS), []);
    });

    it("ignores a stack file of a stack that no longer exists", () => {
        assert.deepEqual(affectedStacks(["Pulumi.old.yaml"], STACKS), []);
    });

    it("never takes a file name with shell syntax for a stack (names reach workflow matrices)", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "stacks-"));
        for (const file of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.$(curl x).yaml", "Pulumi.a;b.yaml"]) {
            writeFileSync(path.join(dir, file), "config: {}\n");
        }
        assert.deepEqual(projectStacks(dir), ["dev"]);
        assert.deepEqual(affectedStacks(["Pulumi.$(curl x).yaml"], ["dev"]), ["dev"], "an odd file counts as code");
        rmSync(dir, { recursive: true, force: true });
    });
});

describe("deployment order", () => {
    it("puts production stacks last", () => {
        assert.deepEqual(deploymentOrder(["prod", "dev", "team-a-prod", "staging"]), [
            "dev",
            "staging",
            "prod",
            "team-a-prod",
        ]);
    });
});

describe("this project's stacks", () => {
    it("are the Pulumi.<stack>.yaml files beside Pulumi.yaml", () => {
        assert.ok(projectStacks().includes("dev"));
    });
});

describe("kubelogin advice for CI", () => {
    it("warns, as a GitHub annotation on the stack file, when the stack logs in through the Azure CLI", () => {
        assert.match(
            kubeloginAdvice("dev", "azurecli") ?? "",
            /^::warning file=Pulumi\.dev\.yaml::stack dev uses cluster\.kubeloginMode "azurecli"/,
        );
    });

    it("is silent for workloadidentity, which kubelogin serves from GitHub's OIDC token endpoint", () => {
        assert.equal(kubeloginAdvice("prod", "workloadidentity"), undefined);
    });
});
