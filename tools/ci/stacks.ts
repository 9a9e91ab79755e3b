import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

import { parse } from "yaml";

/**
 * Which stacks a change affects, for the GitHub workflows: a changed `Pulumi.<stack>.yaml` affects that stack; a
 * change to anything the deployment runs (program, components, Pulumi.yaml, dependencies, policy pack, workflows)
 * affects every stack; documentation, tests and the separate projects under examples/ and bootstrap/ affect none.
 * Unknown paths count as code: previewing a stack too many is cheap, missing one is not.
 */

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** Paths that cannot change what `pulumi preview`/`up` of this project does. */
const NO_DEPLOYMENT_EFFECT: readonly RegExp[] = [
    /\.md$/,
    /^docs\//,
    /^tests\//,
    /^examples\//,
    /^bootstrap\//,
    /^\.ci\//,
    /^\.github\/dependabot\.yml$/,
    /^LICENSE$/,
    /^\.gitignore$/,
    /^\.prettier(rc\.json|ignore)$/,
    /^eslint\.config\.mjs$/,
];

/**
 * A stack file, named as Pulumi names stacks (letters, digits, '-', '_', '.'). Nothing else counts as a stack: the
 * names end up in workflow matrices, so a file named to smuggle shell syntax into a job is never a stack.
 */
const STACK_FILE = /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/;

/** The stacks `changedFiles` affect, in deployment order (see `deploymentOrder`); only stacks that exist count. */
export function affectedStacks(changedFiles: readonly string[], stacks: readonly string[]): string[] {
    const affected = new Set<string>();
    for (const file of changedFiles) {
        const stackFile = STACK_FILE.exec(file);
        if (stackFile) {
            affected.add(stackFile[1]);
        } else if (!NO_DEPLOYMENT_EFFECT.some((pattern) => pattern.test(file))) {
            return deploymentOrder(stacks);
        }
    }
    return deploymentOrder(stacks.filter((stack) => affected.has(stack)));
}

/** Production stacks last, so a failing non-production `up` stops the run before production is touched. */
export function deploymentOrder(stacks: readonly string[]): string[] {
    const isProduction = (stack: string) => /(^|-)(prod|production|prd|live)$/i.test(stack);
    return [...stacks].sort((a, b) => Number(isProduction(a)) - Number(isProduction(b)) || a.localeCompare(b));
}

/** The stacks of the project: one per `Pulumi.<stack>.yaml` beside Pulumi.yaml. */
export function projectStacks(root: string = PROJECT_ROOT): string[] {
    return readdirSync(root)
        .map((file) => STACK_FILE.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined);
}

/** A stack's `cluster.kubeloginMode` as its stack file sets it (the program's default is `azurecli`). */
export function kubeloginModeOf(stack: string, root: string = PROJECT_ROOT): string {
    const file = parse(readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8")) as {
        config?: Record<string, { kubeloginMode?: string } | undefined>;
    };
    return file.config?.["aks-openai-wi:cluster"]?.kubeloginMode ?? "azurecli";
}

/**
 * The GitHub annotation for a stack that CI reaches through the Azure CLI's login: azure/login signs the CLI in with
 * GitHub's OIDC token, which Entra accepts for about five minutes (AADSTS700024 afterwards, Azure/login#180), while
 * kubelogin's workloadidentity mode fetches a fresh token from GitHub for every request.
 */
export function kubeloginAdvice(stack: string, mode: string): string | undefined {
    if (mode === "workloadidentity") {
        return undefined;
    }
    return (
        `::warning file=Pulumi.${stack}.yaml::stack ${stack} uses cluster.kubeloginMode "${mode}". In GitHub Actions set ` +
        `aks-openai-wi:cluster.kubeloginMode to "workloadidentity": kubelogin then gets a fresh GitHub OIDC token for ` +
        `each request, while the Azure CLI's federated sign-in expires after about five minutes (AADSTS700024).`
    );
}

/** What a workflow job has for Pulumi's secrets provider (the stack file's keys and the job's environment). */
export interface SecretsProviderSetting {
    readonly stack: string;
    /** PULUMI_BACKEND_URL; empty for Pulumi Cloud, which encrypts with its own service. */
    readonly backendUrl: string;
    /** The stack file's top-level `secretsprovider`, if any (absent: the passphrase provider). */
    readonly secretsProvider: string | undefined;
    /** PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE is set (non-empty). */
    readonly passphraseSet: boolean;
}

/**
 * Whether Pulumi can decrypt the stack's secrets in the job, as a GitHub annotation: on a self-managed backend (DIY:
 * azblob://, s3://, file://) the stack's secrets provider is the passphrase unless its stack file names a key
 * service, and without PULUMI_CONFIG_PASSPHRASE `pulumi preview`/`up` stops asking for one it cannot read. The
 * keyless choice, which the workflows support as they are, is an Azure Key Vault key used with the job's Azure sign-in.
 * Returns `ok: false` with an `::error` that says both fixes; `ok: true` with a notice (or nothing for Pulumi Cloud).
 */
export function secretsProviderCheck(setting: SecretsProviderSetting): { ok: boolean; annotation?: string } {
    const { stack, backendUrl, secretsProvider, passphraseSet } = setting;
    if (backendUrl === "") {
        return { ok: true };
    }
    if (secretsProvider?.startsWith("azurekeyvault://")) {
        return {
            ok: true,
            annotation:
                `::notice file=Pulumi.${stack}.yaml::stack ${stack} encrypts its secrets with ${secretsProvider}, ` +
                `signed in as the job's Azure identity (it needs "Key Vault Crypto User" on that key).`,
        };
    }
    if (secretsProvider !== undefined && secretsProvider !== "passphrase" && secretsProvider !== "default") {
        return {
            ok: true,
            annotation:
                `::warning file=Pulumi.${stack}.yaml::stack ${stack} uses the secrets provider ${secretsProvider}; the ` +
                `workflows sign in to Azure only, so give the job that service's credentials.`,
        };
    }
    if (passphraseSet) {
        return {
            ok: true,
            annotation: `::notice file=Pulumi.${stack}.yaml::stack ${stack} uses the passphrase secrets provider.`,
        };
    }
    return {
        ok: false,
        annotation:
            `::error file=Pulumi.${stack}.yaml::stack ${stack} is on the self-managed backend ${backendUrl} with the ` +
            `passphrase secrets provider, and PULUMI_CONFIG_PASSPHRASE is not set, so Pulumi cannot decrypt its ` +
            `secrets. Fix (keyless): pulumi stack change-secrets-provider --stack ${stack} ` +
            `"azurekeyvault://<vault>.vault.azure.net/keys/<key>", commit Pulumi.${stack}.yaml, and grant the deploy ` +
            `and preview identities "Key Vault Crypto User" on the key. Or set PULUMI_CONFIG_PASSPHRASE in the job's env ` +
            `from a secret of the GitHub environment ${stack}. See docs/ci.md.`,
    };
}

/** The stack file's `secretsprovider`, as `pulumi stack init --secrets-provider` wrote it. */
export function secretsProviderOf(stack: string, root: string = PROJECT_ROOT): string | undefined {
    const file = parse(readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8")) as { secretsprovider?: unknown };
    return typeof file.secretsprovider === "string" ? file.secretsprovider : undefined;
}

/** What `stacksForChange` needs from git; the real one reads the clone, tests pass their own. */
export interface ChangeHistory {
    /** Whether the clone has the commit (a force-push leaves the old head out of it). */
    hasCommit(sha: string): boolean;
    /** Files changed between the merge base of `base` and `head`, and `head`; throws when there is no merge base. */
    changedFiles(base: string, head: string): string[];
}

export interface StacksForChange {
    readonly stacks: string[];
    /** Why every stack was chosen without looking at the change, for a `::notice::` in the run's log. */
    readonly notice?: string;
}

/**
 * The stacks a push or pull request affects. When the change cannot be computed it is every stack, never none: no
 * previous commit (a new branch: all zeros, or empty), a base that is not a commit id, a base the clone does not have
 * (a force-push rewrote it away), or unrelated histories. Deploying a stack too many is safe; skipping one is not.
 */
export function stacksForChange(
    base: string | undefined,
    head: string,
    stacks: readonly string[],
    history: ChangeHistory,
): StacksForChange {
    const every = (why: string): StacksForChange => ({
        stacks: deploymentOrder(stacks),
        notice: `${why}: deploying every stack (${deploymentOrder(stacks).join(", ")}).`,
    });
    if (base === undefined || base === "" || /^0+$/.test(base)) {
        return every("no previous commit for this change (the branch's first push)");
    }
    if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(base)) {
        return every(`the previous commit "${base}" is not a commit id`);
    }
    if (!history.hasCommit(base)) {
        return every(
            `the previous commit ${base} is not in the clone (a force-push rewrote it, or the checkout is shallow: ` +
                `actions/checkout needs fetch-depth: 0)`,
        );
    }
    let files: string[];
    try {
        files = history.changedFiles(base, head);
    } catch (error) {
        return every(
            `git could not compare ${base} with ${head} (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`,
        );
    }
    return { stacks: affectedStacks(files, stacks) };
}

/** The clone's history, through git. */
const cloneHistory: ChangeHistory = {
    hasCommit(sha) {
        try {
            execFileSync("git", ["cat-file", "-e", `${sha}^{commit}`], { cwd: PROJECT_ROOT, stdio: "ignore" });
            return true;
        } catch {
            return false;
        }
    },
    changedFiles(base, head) {
        return execFileSync("git", ["diff", "--name-only", `${base}...${head}`], {
            cwd: PROJECT_ROOT,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        })
            .split("\n")
            .filter((line) => line !== "");
    },
};

/**
 * `stacks.ts affected <base> <head>` prints the affected stacks as a JSON array (every stack when the change cannot be
 * computed, see `stacksForChange`); `stacks.ts only <a,b|all>` prints the named stacks that exist;
 * `stacks.ts kubelogin <stack>` prints an annotation when the stack's login mode is fragile in CI;
 * `stacks.ts secrets-provider <stack>` fails (exit 1, with an ::error annotation) when Pulumi could not decrypt the
 * stack's secrets in the job (see `secretsProviderCheck`).
 */
function main(argv: readonly string[]): void {
    const [command, ...args] = argv;
    const stacks = projectStacks();
    switch (command) {
        case "affected": {
            const [base, head] = args;
            const decision = stacksForChange(base, head ?? "HEAD", stacks, cloneHistory);
            if (decision.notice !== undefined) {
                // stderr: stdout is the JSON the workflow captures; the runner reads workflow commands from both.
                console.error(`::notice::${decision.notice}`);
            }
            console.log(JSON.stringify(decision.stacks));
            return;
        }
        case "only": {
            const wanted = (args[0] ?? "all").split(",").map((s) => s.trim());
            const unknown = wanted.filter((stack) => stack !== "all" && !stacks.includes(stack));
            if (unknown.length > 0) {
                throw new Error(`no stack file for ${unknown.join(", ")}; stacks: ${stacks.join(", ")}`);
            }
            console.log(JSON.stringify(deploymentOrder(wanted.includes("all") ? stacks : wanted)));
            return;
        }
        case "secrets-provider": {
            const env = process.env;
            const check = secretsProviderCheck({
                stack: args[0],
                backendUrl: env.PULUMI_BACKEND_URL ?? "",
                secretsProvider: secretsProviderOf(args[0]),
                passphraseSet: Boolean(env.PULUMI_CONFIG_PASSPHRASE) || Boolean(env.PULUMI_CONFIG_PASSPHRASE_FILE),
            });
            if (check.annotation !== undefined) {
                console.log(check.annotation);
            }
            process.exitCode = check.ok ? 0 : 1;
            return;
        }
        case "kubelogin": {
            const advice = kubeloginAdvice(args[0], kubeloginModeOf(args[0]));
            if (advice !== undefined) {
                console.log(advice);
            }
            return;
        }
        default:
            throw new Error(
                `usage: stacks.ts affected <base> <head> | only <stacks|all> | kubelogin <stack> | secrets-provider <stack>`,
            );
    }
}

if (require.main === module) {
    main(process.argv.slice(2));
}
