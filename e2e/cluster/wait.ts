import { setTimeout as sleep } from "node:timers/promises";

/** Thrown by a probe when waiting longer cannot help (the process it waits for has exited): waitFor stops at once. */
export class GaveUp extends Error {}

/**
 * Polls `probe` until it answers a value (not undefined), at most `attempts` times, `intervalMs` apart, or until it
 * throws GaveUp. The verdict is
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
            if (error instanceof GaveUp) {
                throw new Error(`${what}: ${error.message}`);
            }
            lastReason = error instanceof Error ? error.message : String(error);
        }
        await sleep(intervalMs);
    }
    throw new Error(`${what}: not ready after ${attempts} attempts; last: ${lastReason}`);
}

/**
 * Where freePort looks: below Linux's ephemeral range (ip_local_port_range, 32768-60999 by default), from which the
 * kernel picks the local port of every outgoing connection. A port found free there and handed to a process that binds
 * it later could be taken in between by any client's connection: a fresh-clone run failed so, kube-apiserver
 * refusing to start with "bind: address already in use". Below the range only a listener can take it.
 */
export const PORT_RANGE = { from: 20000, to: 32767 } as const;

const handedOut = new Set<number>();

/** A free TCP port on 127.0.0.1 below the ephemeral range, never the same twice in a process. */
export async function freePort(): Promise<number> {
    const net = await import("node:net");
    const size = PORT_RANGE.to - PORT_RANGE.from + 1;
    const start = Math.floor(Math.random() * size);
    for (let offset = 0; offset < size; offset++) {
        const port = PORT_RANGE.from + ((start + offset) % size);
        if (handedOut.has(port)) {
            continue;
        }
        const free = await new Promise<boolean>((resolve) => {
            const server = net.createServer();
            server.once("error", () => resolve(false));
            server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
        });
        if (free) {
            handedOut.add(port);
            return port;
        }
    }
    throw new Error(`no free port on 127.0.0.1 from ${PORT_RANGE.from} to ${PORT_RANGE.to}`);
}
