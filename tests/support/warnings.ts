/**
 * What `pulumi.log.warn` printed while `run` ran. Under mocks the SDK writes diagnostics to the console as
 * "warning: [runtime] <message>"; everything else printed meanwhile is dropped.
 */
export async function withWarnings<T>(run: () => Promise<T>): Promise<{ value: T; warnings: string[] }> {
    const warnings: string[] = [];
    const saved = { log: console.log, warn: console.warn, error: console.error, info: console.info };
    console.log =
        console.warn =
        console.error =
        console.info =
            (...args: unknown[]) => {
                const match = /^warning: \[runtime\] ([\s\S]*)$/.exec(args.map(String).join(" "));
                if (match) {
                    warnings.push(match[1]);
                }
            };
    try {
        return { value: await run(), warnings };
    } finally {
        Object.assign(console, saved);
    }
}
