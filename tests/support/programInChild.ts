import { readFileSync, writeFileSync } from "node:fs";

import type * as pulumi from "@pulumi/pulumi";

import { ProgramFailed, runProgram, stackConfig } from "../../tools/engine/runProgram";
import type { ProgramRequest, ProgramResult } from "./children";
import { CloudMocks } from "./mocks";
import type { World } from "./world";

/**
 * Runs the program (index.ts) under the mocks in a child process, for runs where the program itself calls a stand-in
 * over HTTPS (listing deployments through the ARM stand-in) and so must trust the test CA. `getClientToken` answers with
 * the given token (one the Entra stand-in minted for the ARM stand-in), as azure-native would hand over its own token.
 *
 * Usage: node --require ./tests/support/typescript.cjs --require ./tests/support/loopbackOnly.cjs ./tests/support/programInChild.ts <request.json> <result.json>
 */

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

class ChildMocks extends CloudMocks {
    constructor(
        world: World,
        preview: boolean,
        private readonly armToken: string,
    ) {
        super(world, preview);
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        if (args.token === "azure-native:authorization:getClientToken") {
            this.calls.push(args);
            return { token: this.armToken };
        }
        return super.call(args);
    }
}

function configOf(request: ProgramRequest): Record<string, unknown> {
    const config: Record<string, unknown> = request.stackConfig === undefined ? {} : stackConfig(request.stackConfig);
    for (const [key, value] of Object.entries(request.config)) {
        const base = config[key];
        config[key] = isObject(base) && isObject(value) ? { ...base, ...value } : value;
    }
    return config;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

async function main(): Promise<void> {
    const [requestFile, resultFile] = process.argv.slice(2);
    const request = JSON.parse(readFileSync(requestFile, "utf8")) as ProgramRequest;
    const mocks = new ChildMocks(request.world, request.preview ?? false, request.armToken);
    let result: DistributiveOmit<ProgramResult, "blockedConnections">;
    const calls = () =>
        mocks.calls.map((call) => ({ token: call.token, inputs: call.inputs as Record<string, unknown> }));
    try {
        const run = await runProgram({
            config: configOf(request),
            stack: request.stack,
            preview: request.preview,
            mocks,
        });
        result = { ok: true, outputs: run.outputs, resources: run.resources, calls: calls() };
    } catch (error) {
        if (!(error instanceof ProgramFailed)) {
            throw error;
        }
        result = { ok: false, message: error.message, resources: error.resources, calls: calls() };
    }
    const blockedConnections = (globalThis as { __loopbackGuardBlocked?: string[] }).__loopbackGuardBlocked ?? null;
    writeFileSync(resultFile, JSON.stringify({ ...result, blockedConnections }, null, 2));
}

main().then(
    () => process.exit(0),
    (error: unknown) => {
        process.stderr.write(`programInChild: ${error instanceof Error ? error.stack : String(error)}\n`);
        process.exit(2);
    },
);
