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

/**
 * kubelogin's `--environment` (go-autorest's cloud names) for the national clouds' Azure Resource Manager endpoints.
 * kubelogin takes the Entra authority for workloadidentity (GitHub Actions), spn and msi from it, defaulting to
 * AzurePublicCloud, so a sovereign-cloud cluster needs it named; the Azure CLI mode follows `az cloud set` instead and
 * gets it for its token cache name only. https://azure.github.io/kubelogin/cli/get-token.html
 */
const KUBELOGIN_ENVIRONMENTS: Readonly<Record<string, string>> = {
    "management.azure.com": "AzurePublicCloud",
    "management.usgovcloudapi.net": "AzureUSGovernmentCloud",
    "management.chinacloudapi.cn": "AzureChinaCloud",
};

/** The kubelogin environment of an ARM endpoint; undefined for endpoints of no known cloud (Azure Stack, stand-ins). */
export function kubeloginEnvironment(armEndpoint: string): string | undefined {
    let host: string;
    try {
        host = new URL(armEndpoint).hostname.toLowerCase();
    } catch {
        return undefined;
    }
    return KUBELOGIN_ENVIRONMENTS[host];
}

/**
 * The yaml module, loaded on first use: a synchronous require keeps these functions (and the order the program
 * registers resources in) as they were.
 */
function yaml(): typeof import("yaml") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("yaml") as typeof import("yaml");
}

/**
 * Whether `text` is a kubeconfig document: YAML, or JSON (which is YAML, and which kubectl reads too), whose top level
 * has a `clusters` list.
 */
export function isKubeconfigDocument(text: string): boolean {
    const document = yaml().parseDocument(text);
    // A document with errors (an unclosed list, a duplicate key) is refused even where the parser could read on.
    return document.errors.length === 0 && Array.isArray((document.toJS() as { clusters?: unknown } | null)?.clusters);
}

/** Decodes the base64 kubeconfig AKS returns in `kubeconfigs[0].value`. */
export function decodeKubeconfig(base64: string): string {
    const text = Buffer.from(base64, "base64").toString("utf8");
    if (!isKubeconfigDocument(text)) {
        throw new Error(
            "The cluster returned a kubeconfig that is not a kubeconfig (no 'clusters' section) after base64 decoding.",
        );
    }
    return text;
}

/**
 * Rewrites every kubelogin exec user that logs in interactively to `mode`. Users without exec (local accounts with
 * client certificates) and users already on a non-interactive mode are left exactly as they are. With `armEndpoint`
 * in a national cloud, the rewritten user names that cloud (`--environment`, see KUBELOGIN_ENVIRONMENTS).
 *
 * Loads the YAML parser on first use (about 50 ms, as long as all the program's own modules together): the program's
 * startup loads nothing but the Pulumi SDKs, and a preview whose kubeconfig is not known yet (a cluster the stack
 * creates) never needs it. See docs/benchmarks.md.
 */
export function withNonInteractiveLogin(kubeconfig: string, mode: KubeloginMode, armEndpoint?: string): string {
    const { parse, stringify } = yaml();
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
        exec.args = convertArgs(
            exec.args,
            mode,
            armEndpoint === undefined ? undefined : kubeloginEnvironment(armEndpoint),
        );
        changed = true;
    }
    return changed ? stringify(document) : kubeconfig;
}

/** Whether an exec user's command is kubelogin, by its file name (any directory, `.exe` on Windows). */
export function isKubelogin(command: unknown): boolean {
    return typeof command === "string" && /(^|[\\/])kubelogin(\.exe)?$/.test(command);
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

function convertArgs(args: readonly string[], mode: KubeloginMode, cloud: string | undefined): string[] {
    const converted = ["get-token", "--login", mode];
    const keepsEnvironment = KEPT_FLAGS[mode].includes("--environment");
    for (const flag of KEPT_FLAGS[mode].filter((kept) => kept !== "--environment")) {
        const value = flagValue(args, flag);
        if (value !== undefined) {
            converted.push(flag, value);
        }
    }
    // The configured cloud wins over AKS's flag. The public cloud is kubelogin's default: named only where the mode
    // keeps AKS's flag, so public-cloud kubeconfigs stay exactly what `kubelogin convert-kubeconfig` writes.
    const environment = cloud ?? (keepsEnvironment ? flagValue(args, "--environment") : undefined);
    if (environment !== undefined && (environment !== "AzurePublicCloud" || keepsEnvironment)) {
        converted.push("--environment", environment);
    }
    return converted;
}
