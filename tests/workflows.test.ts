import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import { parse } from "yaml";

import { PROJECT_ROOT } from "./support/program";

/**
 * The GitHub Actions workflows, checked as far as a machine without GitHub can: each file against GitHub's own
 * workflow schema (the parser GitHub's Actions language service uses, from @actions/workflow-parser, offline), then
 * the fields that decide security and safety: least permissions, OIDC instead of secrets, one update per stack.
 */

const WORKFLOWS_DIR = path.join(PROJECT_ROOT, ".github", "workflows");
const files = readdirSync(WORKFLOWS_DIR).filter((file) => /\.ya?ml$/.test(file));

interface Step {
    readonly uses?: string;
    readonly run?: string;
    readonly id?: string;
    readonly if?: string;
    readonly with?: Record<string, unknown>;
    readonly env?: Record<string, unknown>;
}
interface Job {
    readonly permissions?: Record<string, string> | string;
    readonly concurrency?: { group: string; "cancel-in-progress": boolean };
    readonly environment?: string;
    readonly env?: Record<string, string>;
    readonly strategy?: { "max-parallel"?: number; "fail-fast"?: boolean; matrix?: Record<string, unknown> };
    readonly if?: string;
    readonly steps: readonly Step[];
}
interface Workflow {
    readonly on: Record<string, unknown>;
    readonly permissions?: Record<string, string>;
    readonly concurrency?: { group: string; "cancel-in-progress": boolean };
    readonly jobs: Record<string, Job>;
}

function text(file: string): string {
    return readFileSync(path.join(WORKFLOWS_DIR, file), "utf8");
}
function workflow(file: string): Workflow {
    return parse(text(file)) as Workflow;
}
function allJobs(): [string, string, Job][] {
    return files.flatMap((file) =>
        Object.entries(workflow(file).jobs).map(([name, job]) => [file, name, job] as [string, string, Job]),
    );
}
const uses = (job: Job, action: string): Step | undefined =>
    job.steps.find((step) => step.uses?.split("@")[0] === action);
const indexOf = (job: Job, action: string): number =>
    job.steps.findIndex((step) => step.uses?.split("@")[0] === action);

/** Errors GitHub's workflow parser reports for a workflow text (schema and expression checks). */
async function schemaErrors(name: string, content: string): Promise<string[]> {
    // ESM-only package: loaded with import() from this CommonJS test.
    const { parseWorkflow, NoOperationTraceWriter } = await import("@actions/workflow-parser");
    const result = parseWorkflow({ name, content }, new NoOperationTraceWriter());
    return result.context.errors.getErrors().map((error) => error.message);
}

describe("the GitHub Actions workflows", () => {
    it("are the pull-request preview and the main-branch deploy", () => {
        assert.deepEqual(files.sort(), ["deploy.yml", "preview.yml"]);
        assert.deepEqual(Object.keys(workflow("preview.yml").on), ["pull_request"]);
        assert.deepEqual(workflow("deploy.yml").on.push, { branches: ["main"] });
    });

    for (const file of files) {
        it(`${file} is valid against GitHub's workflow schema`, async () => {
            assert.deepEqual(await schemaErrors(file, text(file)), []);
        });
    }

    it("(the schema check catches mistakes: a misspelt permission value and an unknown step key fail it)", async () => {
        const broken = text("deploy.yml")
            .replace("id-token: write", "id-token: writ")
            .replace("- run: npm ci", "- rn: npm ci");
        const errors = await schemaErrors("broken.yml", broken);
        assert.ok(
            errors.some((e) => /Unexpected value 'writ'/.test(e)),
            errors.join("\n"),
        );
        assert.ok(
            errors.some((e) => /Unexpected value 'rn'/.test(e)),
            errors.join("\n"),
        );
    });
});

describe("workflow security", () => {
    it("grants nothing at the workflow level and only named, minimal scopes per job", () => {
        const allowed = new Set(["contents:read", "id-token:write", "pull-requests:write"]);
        for (const file of files) {
            assert.deepEqual(workflow(file).permissions, {}, `${file}: permissions: {} at the top`);
        }
        for (const [file, name, job] of allJobs()) {
            assert.equal(typeof job.permissions, "object", `${file} ${name}: declare permissions`);
            for (const [scope, level] of Object.entries(job.permissions as Record<string, string>)) {
                assert.ok(allowed.has(`${scope}:${level}`), `${file} ${name}: ${scope}: ${level}`);
            }
        }
        assert.equal(
            (workflow("deploy.yml").jobs.up.permissions as Record<string, string>)["pull-requests"],
            undefined,
            "deploy comments on nothing",
        );
    });

    it("asks for an OIDC token exactly in the jobs that sign in to Azure", () => {
        for (const [file, name, job] of allJobs()) {
            const signsIn = uses(job, "azure/login") !== undefined;
            const idToken = (job.permissions as Record<string, string>)["id-token"];
            assert.equal(idToken === "write", signsIn, `${file} ${name}`);
        }
    });

    it("signs in to Azure by OpenID Connect federation: client, tenant and subscription ids from variables, no secret", () => {
        for (const [file, name, job] of allJobs().filter(([, , j]) => uses(j, "azure/login"))) {
            const login = uses(job, "azure/login");
            assert.deepEqual(Object.keys(login?.with ?? {}).sort(), ["client-id", "subscription-id", "tenant-id"]);
            for (const value of Object.values(login?.with ?? {})) {
                assert.match(String(value), /^\$\{\{ vars\.AZURE_[A-Z_]+ \}\}$/, `${file} ${name}`);
            }
            assert.equal(job.env?.ARM_USE_OIDC, "true", `${file} ${name}: azure-native uses OIDC`);
            assert.equal(job.env?.ARM_CLIENT_ID, login?.with?.["client-id"], `${file} ${name}: same identity`);
            assert.equal(job.env?.AZURE_CLIENT_ID, login?.with?.["client-id"], `${file} ${name}: kubelogin's identity`);
            assert.ok(!Object.keys(job.env ?? {}).some((key) => /SECRET|PASSWORD|CERTIFICATE/.test(key)));
        }
    });

    it("uses no stored secret at all (no secrets.* anywhere, so none named *SECRET* for Azure)", () => {
        for (const file of files) {
            assert.doesNotMatch(text(file), /secrets\./, file);
            assert.doesNotMatch(text(file), /client-secret|creds:|AZURE_CREDENTIALS|PULUMI_ACCESS_TOKEN/, file);
        }
    });

    it("uses separate identities for previews and deployments; deployments use the stack's GitHub environment", () => {
        const preview = workflow("preview.yml").jobs.preview;
        const up = workflow("deploy.yml").jobs.up;
        assert.equal(uses(preview, "azure/login")?.with?.["client-id"], "${{ vars.AZURE_PREVIEW_CLIENT_ID }}");
        assert.equal(uses(up, "azure/login")?.with?.["client-id"], "${{ vars.AZURE_CLIENT_ID }}");
        assert.equal(up.environment, "${{ matrix.stack }}");
        assert.equal(preview.environment, undefined, "a preview's OIDC subject stays repo:<owner>/<repo>:pull_request");
    });

    it("previews pull requests from this repository only (pull_request, never pull_request_target)", () => {
        assert.equal(workflow("preview.yml").on.pull_request_target, undefined);
        assert.equal(
            workflow("preview.yml").jobs.stacks.if,
            "github.event.pull_request.head.repo.full_name == github.repository",
        );
    });

    it("puts no ${{ }} expression inside a shell script (values reach scripts through env)", () => {
        for (const [file, name, job] of allJobs()) {
            for (const step of job.steps.filter((s) => s.run !== undefined)) {
                assert.doesNotMatch(step.run ?? "", /\$\{\{/, `${file} ${name}: ${step.run}`);
            }
        }
    });

    it("pins every action to a major version tag or a commit", () => {
        for (const [file, name, job] of allJobs()) {
            for (const step of job.steps.filter((s) => s.uses !== undefined)) {
                assert.match(step.uses ?? "", /^[\w.-]+\/[\w./-]+@(v\d+|[0-9a-f]{40})$/, `${file} ${name}`);
            }
        }
    });

    it("never checks out with a persisted token", () => {
        for (const [file, name, job] of allJobs()) {
            assert.equal(uses(job, "actions/checkout")?.with?.["persist-credentials"], false, `${file} ${name}`);
        }
    });
});

describe("workflow safety", () => {
    it("never runs two updates of one stack at once, and never cancels one midway", () => {
        const up = workflow("deploy.yml").jobs.up;
        assert.deepEqual(up.concurrency, { group: "pulumi-up-${{ matrix.stack }}", "cancel-in-progress": false });
        assert.equal(workflow("deploy.yml").concurrency, undefined, "no workflow-level group that could cancel an up");
    });

    it("deploys one stack after the other, stopping at the first failure", () => {
        const strategy = workflow("deploy.yml").jobs.up.strategy;
        assert.equal(strategy?.["max-parallel"], 1);
        assert.equal(strategy?.["fail-fast"], true);
    });

    it("previews each stack in its own group per pull request, superseded by newer commits", () => {
        const preview = workflow("preview.yml").jobs.preview;
        assert.deepEqual(preview.concurrency, {
            group: "preview-${{ matrix.stack }}-pr-${{ github.event.pull_request.number }}",
            "cancel-in-progress": true,
        });
    });

    it("runs pulumi preview on pull requests, with the policy pack when there is one, commenting on the PR", () => {
        const preview = workflow("preview.yml").jobs.preview;
        const pulumi = uses(preview, "pulumi/actions");
        assert.equal(pulumi?.with?.command, "preview");
        assert.equal(pulumi?.with?.["comment-on-pr"], true);
        assert.equal(pulumi?.with?.policyPacks, "${{ steps.policy.outputs.packs }}");
        const policy = preview.steps.find((step) => step.id === "policy");
        assert.match(policy?.run ?? "", /if \[ -f policy\/PulumiPolicy\.yaml \]/);
        assert.match(policy?.run ?? "", /echo "packs=policy" >> "\$GITHUB_OUTPUT"/);
    });

    it("runs pulumi up on main with the policy pack", () => {
        const pulumi = uses(workflow("deploy.yml").jobs.up, "pulumi/actions");
        assert.equal(pulumi?.with?.command, "up");
        assert.equal(pulumi?.with?.policyPacks, "${{ steps.policy.outputs.packs }}");
    });

    it("takes the stacks from the change (tools/ci/stacks.ts), for previews and deployments", () => {
        assert.match(workflow("preview.yml").jobs.stacks.steps.at(-1)?.run ?? "", /tools\/ci\/stacks\.ts affected/);
        assert.match(workflow("deploy.yml").jobs.stacks.steps.at(-1)?.run ?? "", /tools\/ci\/stacks\.ts affected/);
        for (const job of [workflow("preview.yml").jobs.preview, workflow("deploy.yml").jobs.up]) {
            assert.deepEqual(job.strategy?.matrix, { stack: "${{ fromJSON(needs.stacks.outputs.stacks) }}" });
            assert.equal(job.if, "needs.stacks.outputs.stacks != '[]'");
        }
    });

    it("sets up kubelogin and signs in before running Pulumi", () => {
        for (const job of [workflow("preview.yml").jobs.preview, workflow("deploy.yml").jobs.up]) {
            const pulumi = indexOf(job, "pulumi/actions");
            assert.ok(indexOf(job, "azure/use-kubelogin") >= 0 && indexOf(job, "azure/use-kubelogin") < pulumi);
            assert.ok(indexOf(job, "azure/login") >= 0 && indexOf(job, "azure/login") < pulumi);
            assert.match(String(uses(job, "azure/use-kubelogin")?.with?.["kubelogin-version"]), /^v\d+\.\d+\.\d+$/);
        }
    });

    it("on a self-managed backend, checks the stack's secrets provider before Pulumi runs (Pulumi Cloud: skipped)", () => {
        for (const job of [workflow("preview.yml").jobs.preview, workflow("deploy.yml").jobs.up]) {
            const index = job.steps.findIndex((step) => /tools\/ci\/stacks\.ts secrets-provider/.test(step.run ?? ""));
            assert.ok(index >= 0 && index < indexOf(job, "pulumi/actions"));
            const step = job.steps[index];
            assert.deepEqual(
                { if: step.if, env: step.env, run: step.run },
                {
                    if: "vars.PULUMI_BACKEND_URL != ''",
                    env: { STACK: "${{ matrix.stack }}" },
                    run: 'node --import tsx tools/ci/stacks.ts secrets-provider "$STACK"',
                },
            );
            assert.equal(job.env?.PULUMI_BACKEND_URL, "${{ vars.PULUMI_BACKEND_URL }}");
        }
    });

    it("installs the Node version package.json's engines names, and dependencies from the lockfile", () => {
        for (const [file, name, job] of allJobs()) {
            const setup = uses(job, "actions/setup-node");
            assert.deepEqual(
                { file: setup?.with?.["node-version-file"], version: setup?.with?.["node-version"] },
                { file: "package.json", version: undefined },
                `${file} ${name}`,
            );
            const installs = job.steps.filter((step) => /\bnpm (ci|install|i)\b/.test(step.run ?? ""));
            assert.ok(installs.length > 0 && installs.every((step) => /\bnpm ci\b/.test(step.run ?? "")));
        }
        const engines = (
            JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
                engines: { node: string };
            }
        ).engines.node;
        assert.match(engines, /^>=20\.19/);
    });
});
