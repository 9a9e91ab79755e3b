import { parseArgs, USAGE, type VerifyOptions } from "./args";
import { azureCredential } from "../../components/azureCredential";
import { AzureResourceManager } from "./arm";
import { runChecks } from "./checks";
import { KubernetesApi, loadKubeConfig } from "./kube";
import { readOutputsFile, readStackOutputs, UsageError } from "./outputs";
import { formatReport } from "./report";

/**
 * `npm run verify -- --stack <name>`: after `pulumi up`, checks on the live cluster and in Azure that ai-service runs
 * keyless on the stack's identity, and prints a checklist with the fix for each failure. Exit status 0 only when every
 * check passed; 1 when one failed; 2 when it could not start (arguments, outputs, kubeconfig).
 */
export async function main(argv: readonly string[]): Promise<number> {
    let options: VerifyOptions;
    try {
        options = parseArgs(argv);
    } catch (error) {
        return usageFailure(error);
    }
    if (options.help) {
        console.log(USAGE);
        return 0;
    }
    try {
        const outputs =
            options.outputsFile !== undefined
                ? await readOutputsFile(options.outputsFile)
                : await readStackOutputs(options.stack!);
        let kube: KubernetesApi;
        try {
            kube = new KubernetesApi(loadKubeConfig({ file: options.kubeconfigFile, fromOutputs: outputs.kubeconfig }));
        } catch (error) {
            throw new UsageError(
                `cannot load the kubeconfig (${error instanceof Error ? error.message : String(error)}). ` +
                    `Fix: pass --kubeconfig <file>, or check the stack's kubeconfig output.`,
            );
        }
        let credential: Awaited<ReturnType<typeof azureCredential>>;
        try {
            credential = await azureCredential(process.env);
        } catch (error) {
            throw new UsageError(error instanceof Error ? error.message : String(error));
        }
        const arm = new AzureResourceManager(outputs.armEndpoint ?? "https://management.azure.com/", credential);
        const results = await runChecks(outputs, kube, arm, { call: options.call, clusterId: options.clusterId });
        const source = options.stack !== undefined ? `stack ${options.stack}` : options.outputsFile!;
        console.log(formatReport(source, outputs, results));
        return results.some((result) => result.status === "fail") ? 1 : 0;
    } catch (error) {
        return usageFailure(error);
    }
}

function usageFailure(error: unknown): number {
    if (error instanceof UsageError) {
        console.error(`verify: ${error.message}`);
        return 2;
    }
    console.error(`verify: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 2;
}

if (require.main === module) {
    void main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    });
}
