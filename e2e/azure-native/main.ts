import { AzureNativeStandin, pinnedAzureNativeVersion } from "./provider";
import { readSettings } from "./settings";

/**
 * Entry point of the `pulumi-resource-azure-native` stand-in: the engine starts it (from PATH or the plugin cache) and
 * reads the port of its gRPC server from the first line of stdout, as it does with every provider plugin. Anything
 * else the plugin says goes to stderr, which the engine logs.
 */
async function main(): Promise<void> {
    const settings = readSettings(process.env);
    const provider = new AzureNativeStandin(
        settings,
        pinnedAzureNativeVersion(),
        (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
    );
    const { port } = await provider.serve();
    process.stdout.write(`${port}\n`);
}

main().catch((error: unknown) => {
    process.stderr.write(`azure-native stand-in: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
});
