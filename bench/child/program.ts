import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

import { PhaseRecorder } from "./phases";
import type { GraphResource, ProgramRequest, ProgramResult } from "./protocol";

/**
 * One evaluation of the program (index.ts) for a stack under the mock engine, in preview mode, with the placeholder
 * mocks of `npm run plan`: the work `pulumi preview` asks of the program. Phases are timed and their module loads
 * recorded, so the time beyond the floor (bench/child/floor.ts) can be attributed.
 *
 * The phases load, in order: `@pulumi/pulumi`; the SDK submodules the program imports (the floor's list); the
 * program's own modules (index.ts and the components: tsx transpile plus module evaluation); the harness
 * (tools/engine/runProgram.ts, tools/plan/planMocks.ts), which stands in for Pulumi's language host; then the run
 * itself (mocks set, program function run, every registration answered, outputs resolved). Loading the program before
 * the harness is safe: no module of the program touches the Pulumi runtime when it loads.
 *
 * Usage: node --import tsx bench/child/program.ts <request.json> <result.json>
 */

async function main(): Promise<void> {
    const recorder = new PhaseRecorder();
    const [requestFile, resultFile] = process.argv.slice(2);
    const request = JSON.parse(readFileSync(requestFile, "utf8")) as ProgramRequest;
    const load = createRequire(__filename);

    load("@pulumi/pulumi");
    recorder.mark("@pulumi/pulumi");
    for (const specifier of request.sdk.filter((m) => m !== "@pulumi/pulumi")) {
        load(specifier);
    }
    recorder.mark("SDK submodules");
    load("../../index");
    recorder.mark("program modules");
    const engine = load("../../tools/engine/runProgram") as typeof import("../../tools/engine/runProgram");
    const { PlanMocks } = load("../../tools/plan/planMocks") as typeof import("../../tools/plan/planMocks");
    recorder.mark("harness");

    // The mocks log the program's warnings through the console; count them instead of printing them.
    let warnings = 0;
    const quiet = () => {
        warnings++;
    };
    console.log = console.info = console.warn = console.error = quiet;
    let resources = 0;
    let error: string | undefined;
    let graph: GraphResource[] | undefined;
    try {
        const run = await engine.runProgram({
            config: request.config,
            stack: request.stack,
            preview: true,
            mocks: new PlanMocks(0),
        });
        resources = run.resources.length;
        graph = request.graph ? run.resources.map(toGraph) : undefined;
    } catch (failure) {
        error = failure instanceof Error ? failure.message : String(failure);
    }
    recorder.mark("run");

    const result: ProgramResult = { ...recorder.result(), resources, error, warnings, graph };
    writeFileSync(resultFile, JSON.stringify(result));
    // The Pulumi runtime may keep handles open after a mocked run (tools/plan/main.ts exits the same way).
    process.exit(0);
}

function toGraph(resource: GraphResource): GraphResource {
    const { urn, type, name, custom, parent, dependencies, propertyDependencies, provider } = resource;
    return { urn, type, name, custom, parent, dependencies, propertyDependencies, provider };
}

main().catch((failure: unknown) => {
    process.stderr.write(`${failure instanceof Error ? (failure.stack ?? failure.message) : String(failure)}\n`);
    process.exit(1);
});
