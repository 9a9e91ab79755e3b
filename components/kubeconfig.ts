import type { KubeloginMode } from "./config";

/**
 * Kubeconfig handling for the Kubernetes provider. AKS returns the user kubeconfig base64-encoded; on Entra-enabled
 * clusters its user runs `kubelogin get-token --login devicecode`, which waits for a human at a browser and hangs
 * `pulumi up` in CI. The login mode is rewritten to a non-interactive one, as `kubelogin convert-kubeconfig -l <mode>`
 * would do.
 */

/** Login modes that wait for a person; always replaced. */
const INTERACTIVE_LOGIN_MODES = new Set(["devicecode", "interactive"]);

/**
 * Flags each non-interactive mode keeps from the AKS-issued exec args. `--client-id` in the AKS kubeconfig is the
 * Azure CLI's public client app used by devicecode, meaningless for the other modes (whose client ids come from the
 * environment), so it is dropped; `--server-id` names the AKS AAD server app and is always kept.
 */
const KEPT_FLAGS: Record<KubeloginMode, readonly string[]> = {
    azurecli: ["--server-id"],
    workloadidentity: ["--server-id"],
    spn: ["--server-id", "--tenant-id", "--environment"],
    msi: ["--server-id"],
};

/** Decodes the base64 kubeconfig AKS returns in `kubeconfigs[0].value`. */
export function decodeKubeconfig(base64: string): string {
    const text = Buffer.from(base64, "base64").toString("utf8");
    if (!/\bclusters\s*:/.test(text)) {
        throw new Error(
            "The cluster returned a kubeconfig that is not a kubeconfig (no 'clusters' section) after base64 decoding.",
        );
    }
    return text;
}

/**
 * Rewrites every kubelogin exec user that logs in interactively to `mode`. Users without exec (local accounts with
 * client certificates) and users already on a non-interactive mode are left exactly as they are.
 *
 * Loads the YAML parser on first use (about 50 ms, as long as all the program's own modules together): the program's
 * startup loads nothing but the Pulumi SDKs, and a preview whose kubeconfig is not known yet (a cluster the stack
 * creates) never needs it. See docs/benchmarks.md.
 */
export function withNonInteractiveLogin(kubeconfig: string, mode: KubeloginMode): string {
    // A synchronous require keeps this function (and the order the program registers resources in) as it was.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parse, stringify } = require("yaml") as typeof import("yaml");
    const document = parse(kubeconfig) as { users?: { user?: { exec?: { command?: string; args?: string[] } } }[] };
    let changed = false;
    for (const entry of document.users ?? []) {
        const exec = entry.user?.exec;
        if (!exec || !isKubelogin(exec.command) || !Array.isArray(exec.args)) {
            continue;
        }
        const login = flagValue(exec.args, "--login") ?? flagValue(exec.args, "-l");
        if (login !== undefined && !INTERACTIVE_LOGIN_MODES.has(login)) {
            continue;
        }
        exec.args = convertArgs(exec.args, mode);
        changed = true;
    }
    return changed ? stringify(document) : kubeconfig;
}

function isKubelogin(command: string | undefined): boolean {
    return command !== undefined && /(^|[\\/])kubelogin(\.exe)?$/.test(command);
}

function flagValue(args: readonly string[], flag: string): string | undefined {
    for (let i = 0; i < args.length; i++) {
        if (args[i] === flag) {
            return args[i + 1];
        }
        if (args[i].startsWith(`${flag}=`)) {
            return args[i].slice(flag.length + 1);
        }
    }
    return undefined;
}

function convertArgs(args: readonly string[], mode: KubeloginMode): string[] {
    const converted = ["get-token", "--login", mode];
    for (const flag of KEPT_FLAGS[mode]) {
        const value = flagValue(args, flag);
        if (value !== undefined) {
            converted.push(flag, value);
        }
    }
    return converted;
}
