import type * as pulumi from "@pulumi/pulumi";

import {
    runProgram as runWithMocks,
    type ProgramRun as EngineRun,
    type RegisteredResource,
    type RunOptions,
} from "../../tools/engine/runProgram";
import { CloudMocks } from "./mocks";
import { seedWorld, type World } from "./world";

export {
    PROJECT_NAME,
    PROJECT_ROOT,
    ProgramFailed,
    stackConfig,
    UNKNOWN,
    valueOf,
    type RegisteredResource,
} from "../../tools/engine/runProgram";

/** A run of the program under the test mocks. */
export type ProgramRun = EngineRun<CloudMocks>;

/** Runs the program under CloudMocks answering from `world` (default: the quickstart's state). */
export function runProgram(
    options: Omit<RunOptions<CloudMocks>, "mocks"> & { readonly world?: World },
): Promise<ProgramRun> {
    const mocks = new CloudMocks(options.world ?? seedWorld(), options.preview ?? false);
    return runWithMocks({ ...options, mocks });
}

/** Whether an Output is secret (`isSecret` is internal to @pulumi/pulumi, but it is what the engine checks). */
export function isSecret(output: pulumi.Output<unknown>): Promise<boolean> {
    return (output as unknown as { isSecret: Promise<boolean> }).isSecret;
}

/** The recorded resources of a type, e.g. `kubernetes:apps/v1:Deployment`. */
export function ofType(resources: readonly RegisteredResource[], type: string): RegisteredResource[] {
    return resources.filter((resource) => resource.type === type);
}

/** The one recorded resource of a type; fails when there is not exactly one. */
export function single(resources: readonly RegisteredResource[], type: string): RegisteredResource {
    const found = ofType(resources, type);
    if (found.length !== 1) {
        throw new Error(`expected exactly one ${type}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
    }
    return found[0];
}

/** Reads a nested property by dotted path (`spec.template.metadata.labels`). */
export function at(value: unknown, dottedPath: string): unknown {
    return dottedPath.split(".").reduce<unknown>((current, key) => {
        if (current === null || current === undefined) {
            return undefined;
        }
        return (current as Record<string, unknown>)[key];
    }, value);
}
