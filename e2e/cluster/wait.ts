import { setTimeout as sleep } from "node:timers/promises";

/**
 * Polls `probe` until it answers a value (not undefined), at most `attempts` times, `intervalMs` apart. The verdict is
 * about what happened, never about speed: the budget is an attempt count generous enough for a loaded laptop, and
 * running out of it is reported with the last reason the probe gave.
 */
export async function waitFor<T>(
    what: string,
    probe: () => Promise<T | undefined>,
    { attempts = 600, intervalMs = 250 }: { attempts?: number; intervalMs?: number } = {},
): Promise<T> {
    let lastReason = "no answer yet";
    for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
            const value = await probe();
            if (value !== undefined) return value;
        } catch (error) {
            lastReason = error instanceof Error ? error.message : String(error);
        }
        await sleep(intervalMs);
    }
    throw new Error(`${what}: not ready after ${attempts} attempts; last: ${lastReason}`);
}

/** A free TCP port on 127.0.0.1, for processes that take their port as a flag. */
export async function freePort(): Promise<number> {
    const net = await import("node:net");
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as import("node:net").AddressInfo;
            server.close(() => resolve(port));
        });
    });
}
