import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";

/**
 * Calls an exported async function of a project module in a child process (run with the suite's TypeScript loader and the loopback guard), for
 * code that talks to a stand-in over HTTPS and so must trust the test CA: `fetch` reads NODE_EXTRA_CA_CERTS at start.
 *
 * Usage: node --require ./tests/support/typescript.cjs --require ./tests/support/loopbackOnly.cjs ./tests/support/callFunction.ts <request.json> <result.json>
 * (see typescript.cjs for why not tsx).
 * request: { module: string (path from the project root), export: string, args: unknown[] }
 * result:  { ok: true, value } | { ok: false, error: { name, message } }, plus blockedConnections
 */

interface Request {
    readonly module: string;
    readonly export: string;
    readonly args: readonly unknown[];
}

async function main(): Promise<void> {
    const [requestFile, resultFile] = process.argv.slice(2);
    const request = JSON.parse(readFileSync(requestFile, "utf8")) as Request;
    // require, not import(): the CommonJS hook compiles required TypeScript; a native import() would bypass it.
    const loaded = createRequire(__filename)(path.resolve(request.module)) as Record<
        string,
        (...args: unknown[]) => unknown
    >;
    let result: unknown;
    try {
        result = { ok: true, value: await loaded[request.export](...request.args) };
    } catch (error) {
        result = {
            ok: false,
            error: { name: (error as Error).name, message: error instanceof Error ? error.message : String(error) },
        };
    }
    const blockedConnections = (globalThis as { __loopbackGuardBlocked?: string[] }).__loopbackGuardBlocked ?? null;
    writeFileSync(resultFile, JSON.stringify({ ...(result as object), blockedConnections }, null, 2));
}

main().then(
    () => process.exit(0),
    (error: unknown) => {
        process.stderr.write(`callFunction: ${error instanceof Error ? error.stack : String(error)}\n`);
        process.exit(2);
    },
);
