import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";

import {
    affectedStacks,
    deploymentOrder,
    kubeloginAdvice,
    projectStacks,
    secretsProviderCheck,
    stacksForChange,
    type ChangeHistory,
} from "../tools/ci/stacks";

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

describe("deploy.yml's previous commit, when the change cannot be computed", () => {
    const BEFORE = "1f0c2b3a4d5e6f708192a3b4c5d6e7f8091a2b3c";
    const HEAD = "9e8d7c6b5a49382716051f2e3d4c5b6a79881726";
    /** A clone that has `known` commits and whose diff of BEFORE...HEAD is `changed` (or throws). */
    function history(known: readonly string[], changed: string[] | Error): ChangeHistory {
        return {
            hasCommit: (sha) => known.includes(sha),
            changedFiles: () => {
                if (changed instanceof Error) {
                    throw changed;
                }
                return changed;
            },
        };
    }
    const EVERY = "deploying every stack (dev, staging, prod).";

    it("an ordinary push: the stacks its files affect, no notice", () => {
        assert.deepEqual(stacksForChange(BEFORE, HEAD, STACKS, history([BEFORE, HEAD], ["Pulumi.staging.yaml"])), {
            stacks: ["staging"],
        });
    });

    it("the branch's first push (before is all zeros, or empty): every stack, saying why", () => {
        for (const before of ["0000000000000000000000000000000000000000", "", undefined]) {
            assert.deepEqual(stacksForChange(before, HEAD, STACKS, history([HEAD], [])), {
                stacks: ["dev", "staging", "prod"],
                notice: `no previous commit for this change (the branch's first push): ${EVERY}`,
            });
        }
    });

    it("a force-push (before is not in the clone): every stack, never none", () => {
        assert.deepEqual(stacksForChange(BEFORE, HEAD, STACKS, history([HEAD], ["README.md"])), {
            stacks: ["dev", "staging", "prod"],
            notice:
                `the previous commit ${BEFORE} is not in the clone (a force-push rewrote it, or the checkout is ` +
                `shallow: actions/checkout needs fetch-depth: 0): ${EVERY}`,
        });
    });

    it("unrelated histories (git cannot diff): every stack", () => {
        const failure = new Error("fatal: no merge base\nmore");
        assert.deepEqual(stacksForChange(BEFORE, HEAD, STACKS, history([BEFORE, HEAD], failure)), {
            stacks: ["dev", "staging", "prod"],
            notice: `git could not compare ${BEFORE} with ${HEAD} (fatal: no merge base): ${EVERY}`,
        });
    });

    it("a previous commit that is not a commit id (an option to git, say): every stack, and git is not asked", () => {
        const asked: string[] = [];
        const spy: ChangeHistory = {
            hasCommit: (sha) => (asked.push(sha), true),
            changedFiles: () => (asked.push("diff"), []),
        };
        assert.deepEqual(stacksForChange("--output=/tmp/x", HEAD, STACKS, spy).stacks, ["dev", "staging", "prod"]);
        assert.deepEqual(asked, []);
    });

    it("the script, run as deploy.yml runs it with a commit the clone lacks: every stack on stdout, the notice on stderr", () => {
        const result = spawnSync(
            process.execPath,
            ["--import", "tsx", path.join(__dirname, "..", "tools", "ci", "stacks.ts"), "affected", BEFORE, "HEAD"],
            { encoding: "utf8" },
        );
        assert.equal(result.status, 0, result.stderr);
        assert.deepEqual(JSON.parse(result.stdout), deploymentOrder(projectStacks()));
        assert.match(result.stderr, new RegExp(`^::notice::the previous commit ${BEFORE} is not in the clone`, "m"));
    });
});

describe("the secrets provider on a self-managed backend", () => {
    const BACKEND = "azblob://state?storage_account=contosostate";
    const base = { stack: "prod", backendUrl: BACKEND, secretsProvider: undefined, passphraseSet: false };

    it("Pulumi Cloud: nothing to check", () => {
        assert.deepEqual(secretsProviderCheck({ ...base, backendUrl: "" }), { ok: true });
    });

    it("the passphrase provider without PULUMI_CONFIG_PASSPHRASE: fails, naming the stack, the backend and both fixes", () => {
        assert.deepEqual(secretsProviderCheck(base), {
            ok: false,
            annotation:
                `::error file=Pulumi.prod.yaml::stack prod is on the self-managed backend ${BACKEND} with the passphrase ` +
                "secrets provider, and PULUMI_CONFIG_PASSPHRASE is not set, so Pulumi cannot decrypt its secrets. Fix " +
                '(keyless): pulumi stack change-secrets-provider --stack prod "azurekeyvault://<vault>.vault.azure.net/' +
                'keys/<key>", commit Pulumi.prod.yaml, and grant the deploy and preview identities "Key Vault Crypto ' +
                "User\" on the key. Or set PULUMI_CONFIG_PASSPHRASE in the job's env from a secret of the GitHub " +
                "environment prod. See docs/ci.md.",
        });
        assert.equal(secretsProviderCheck({ ...base, secretsProvider: "passphrase" }).ok, false);
    });

    it("the passphrase provider with PULUMI_CONFIG_PASSPHRASE (or _FILE) set: passes", () => {
        assert.equal(secretsProviderCheck({ ...base, passphraseSet: true }).ok, true);
    });

    it("an Azure Key Vault key: passes, keyless, and says which role the job's identity needs", () => {
        const provider = "azurekeyvault://contoso-kv.vault.azure.net/keys/pulumi";
        assert.deepEqual(secretsProviderCheck({ ...base, secretsProvider: provider }), {
            ok: true,
            annotation:
                `::notice file=Pulumi.prod.yaml::stack prod encrypts its secrets with ${provider}, signed in as the ` +
                `job's Azure identity (it needs "Key Vault Crypto User" on that key).`,
        });
    });

    it("another cloud's key service: passes with a warning that the workflows sign in to Azure only", () => {
        const check = secretsProviderCheck({ ...base, secretsProvider: "awskms://alias/pulumi" });
        assert.equal(check.ok, true);
        assert.match(check.annotation ?? "", /^::warning file=Pulumi\.prod\.yaml::.*awskms:\/\/alias\/pulumi/);
    });

    it("the script exits 1 with the ::error when the job has no passphrase for a passphrase stack", () => {
        const env: NodeJS.ProcessEnv = { ...process.env, PULUMI_BACKEND_URL: BACKEND, PULUMI_CONFIG_PASSPHRASE: "" };
        delete env.PULUMI_CONFIG_PASSPHRASE_FILE;
        const result = spawnSync(
            process.execPath,
            ["--import", "tsx", path.join(__dirname, "..", "tools", "ci", "stacks.ts"), "secrets-provider", "prod"],
            { encoding: "utf8", env },
        );
        assert.equal(result.status, 1, result.stderr);
        assert.match(result.stdout, /^::error file=Pulumi\.prod\.yaml::stack prod is on the self-managed backend/);
    });
});
