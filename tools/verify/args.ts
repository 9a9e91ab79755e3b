import { closest } from "../../components/didYouMean";
import { UsageError } from "./outputs";

/** What `npm run verify -- ...` was asked to do. */
export interface VerifyOptions {
    /** Stack whose outputs to read with the Pulumi CLI. */
    readonly stack?: string;
    /** File with `pulumi stack output --json --show-secrets`, instead of asking the CLI. */
    readonly outputsFile?: string;
    /** Kubeconfig file; default: the stack's `kubeconfig` output, then KUBECONFIG / ~/.kube/config. */
    readonly kubeconfigFile?: string;
    /** Also send one description request through the API server's service proxy. */
    readonly call: boolean;
    /** ARM id of the cluster, for stacks whose cluster another stack owns (no `clusterResourceId` output). */
    readonly clusterId?: string;
    readonly help: boolean;
}

export const USAGE = `Usage: npm run verify -- --stack <name> [--call] [--kubeconfig <file>] [--cluster-id <ARM id>]
       npm run verify -- --outputs <file> [--call] [--kubeconfig <file>] [--cluster-id <ARM id>]

Checks, after pulumi up, that ai-service runs keyless on the stack's identity:
  pods Running and Ready, created for the current identity; the webhook-injected AZURE_* variables and no key
  variable; the federated credential trusts the cluster's current issuer; the role assignment on the account;
  with audit on, the account's diagnostic setting, and a KQL query listing the identity's calls.
  --call also asks ai-service for one product description through the API server's service proxy.

  --stack <name>        read the outputs with: pulumi stack output --json --show-secrets -s <name>
  --outputs <file>      read them from a file written by that command instead
  --kubeconfig <file>   use this kubeconfig (default: the stack's kubeconfig output, then KUBECONFIG)
  --cluster-id <id>     ARM id of the AKS cluster, when another stack owns it (cluster.mode stack)
  --call                also send one description request (one model call)

Azure access uses DefaultAzureCredential (az login, environment variables, workload identity...).
Exit status: 0 all checks passed, 1 a check failed, 2 usage or outputs error.`;

const VALUE_FLAGS: Record<string, keyof VerifyOptions> = {
    "--stack": "stack",
    "-s": "stack",
    "--outputs": "outputsFile",
    "--kubeconfig": "kubeconfigFile",
    "--cluster-id": "clusterId",
};

/** Parses the arguments after `--`; `--flag value` and `--flag=value` both work. */
export function parseArgs(argv: readonly string[]): VerifyOptions {
    const options: Record<string, string | boolean> = { call: false, help: false };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
        if (flag === "--call") {
            options.call = true;
        } else if (flag === "--help" || flag === "-h") {
            options.help = true;
        } else if (flag in VALUE_FLAGS) {
            const value = inline ?? argv[++i];
            if (value === undefined || value === "" || value.startsWith("--")) {
                throw new UsageError(`${flag} needs a value.\n\n${USAGE}`);
            }
            options[VALUE_FLAGS[flag]] = value;
        } else {
            const meant = closest(flag, [...Object.keys(VALUE_FLAGS), "--call", "--help"]);
            throw new UsageError(
                `Unknown argument ${JSON.stringify(arg)}${meant === undefined ? "" : ` (did you mean ${meant}?)`}.\n\n${USAGE}`,
            );
        }
    }
    const parsed = options as unknown as VerifyOptions;
    if (!parsed.help && (parsed.stack === undefined) === (parsed.outputsFile === undefined)) {
        throw new UsageError(`Give exactly one of --stack <name> or --outputs <file>.\n\n${USAGE}`);
    }
    return parsed;
}
