import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";

import type { GraphResource, ProgramRequest, ProgramResult, ChildResult } from "./child/protocol";
import { attribute, type CpuProfile } from "./cpuProfile";
import { criticalPath, sequentialTimeline } from "./criticalPath";
import { deploymentGraph } from "./deploymentGraph";
import { PROJECT_ROOT, run, runChild } from "./processes";
import { renderReport, type BenchReport, type CriticalPathReport, type Machine } from "./report";
import { programImports } from "./sdkModules";
import { greenfieldProcedure, seedProcedure } from "./seed";

/**
 * `npm run bench [-- --runs N] [--skip-npm-test] [--out FILE]`
 *
 * Measures, as whole processes: the program's evaluation for the dev stack under the mock engine against the floor
 * of loading its SDKs; how that grows with the number of federated workloads; the deployment's critical path against
 * the seed procedure run by hand; and `tsc --noEmit` and `npm test`. Writes docs/benchmarks.md (the default) and prints
 * it. No test asserts any of these timings.
 */

export const USAGE = `Usage: npm run bench [-- --runs N] [--skip-npm-test] [--out FILE]

  --runs N          timed runs per measurement after one warm-up (default 5, at least 3)
  --skip-npm-test   do not time npm test (the longest step); the report says it was skipped
  --out FILE        where to write the report (default docs/benchmarks.md)`;

/** Workload counts of the scaling benchmark: one (ai-service alone), a few, and Azure's per-identity limit. */
export const WORKLOAD_COUNTS = [1, 5, 20] as const;
/** The per-identity limit of federated credentials; one more must be refused by the program. */
const LIMIT = 20;

async function main(argv: string[]): Promise<number> {
    let args;
    try {
        args = parseArgs({
            args: argv,
            options: {
                runs: { type: "string", default: "5" },
                "skip-npm-test": { type: "boolean", default: false },
                out: { type: "string", default: path.join("docs", "benchmarks.md") },
                help: { type: "boolean", short: "h", default: false },
            },
            strict: true,
            allowPositionals: false,
        }).values;
    } catch (error) {
        process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
        return 2;
    }
    if (args.help) {
        process.stdout.write(`${USAGE}\n`);
        return 0;
    }
    const runs = Number(args.runs);
    if (!Number.isInteger(runs) || runs < 3) {
        process.stderr.write(`error: --runs must be an integer of at least 3 (medians of fewer say little)\n`);
        return 2;
    }

    const started = performance.now();
    const machine = describeMachine();
    const work = mkdtempSync(path.join(os.tmpdir(), "aks-openai-wi-bench-"));
    try {
        const report = await measure(runs, !args["skip-npm-test"], machine, work);
        const markdown = await renderReport({ ...report, benchSeconds: (performance.now() - started) / 1000 });
        const out = path.resolve(PROJECT_ROOT, args.out);
        writeFileSync(out, markdown);
        process.stdout.write(markdown);
        process.stderr.write(`\nwrote ${path.relative(PROJECT_ROOT, out)}\n`);
        return 0;
    } finally {
        rmSync(work, { recursive: true, force: true });
    }
}

function describeMachine(): Machine {
    const cpus = os.cpus();
    return {
        date: new Date().toISOString(),
        cpus: os.availableParallelism(),
        cpuModel: cpus[0]?.model.trim() ?? "unknown",
        memoryGiB: os.totalmem() / 1024 ** 3,
        node: process.version,
        platform: `${os.type()} ${os.release()} ${os.arch()}`,
        loadAverage: os.loadavg(),
    };
}

function progress(message: string): void {
    process.stderr.write(`bench: ${message}\n`);
}

async function measure(
    runs: number,
    withNpmTest: boolean,
    machine: Machine,
    work: string,
): Promise<Omit<BenchReport, "benchSeconds">> {
    const commit = await gitCommit();
    const modules = programImports(path.join(PROJECT_ROOT, "index.ts"), (file) =>
        existsSync(file) ? readFileSync(file, "utf8") : undefined,
    );
    progress(`the program imports ${modules.sdk.join(", ")}`);

    // The stack files as the Pulumi CLI merges them; read here so the children measure only the program.
    const { stackConfig } = (await import("../tools/engine/runProgram")) as typeof import("../tools/engine/runProgram");
    const dev = stackConfig("dev");
    const prod = stackConfig("prod");

    let counter = 0;
    const evaluate = async (
        stack: string,
        config: Record<string, unknown>,
        options: { graph?: boolean; env?: NodeJS.ProcessEnv; nodeFlags?: readonly string[] } = {},
    ) => {
        counter++;
        const requestFile = path.join(work, `request-${counter}.json`);
        const resultFile = path.join(work, `result-${counter}.json`);
        const request: ProgramRequest = { stack, config, sdk: modules.sdk, graph: options.graph ?? false };
        writeFileSync(requestFile, JSON.stringify(request));
        return runChild<ProgramResult>("bench/child/program.ts", [requestFile, resultFile], resultFile, options);
    };
    const floor = async () => {
        counter++;
        const resultFile = path.join(work, `result-${counter}.json`);
        return runChild<ChildResult>("bench/child/floor.ts", [resultFile, ...modules.sdk], resultFile);
    };

    // 1. Evaluation against the floor, interleaved so that a change in the machine's load hits both alike.
    progress("1/4 evaluation of the dev stack vs the floor (warm-up, then timed runs)");
    await evaluate("dev", dev);
    await floor();
    const programRuns: { wallMs: number; result: ProgramResult }[] = [];
    const floorRuns: { wallMs: number; result: ChildResult }[] = [];
    for (let i = 0; i < runs; i++) {
        programRuns.push(await evaluate("dev", dev));
        floorRuns.push(await floor());
    }
    const failed = programRuns.find((r) => r.result.error !== undefined);
    if (failed) {
        throw new Error(`the dev stack failed to evaluate: ${failed.result.error}`);
    }
    progress("1/4 one run with tsx's transpile cache off, one under --cpu-prof");
    const cold = await evaluate("dev", dev, { env: { ...process.env, TSX_DISABLE_CACHE: "1" } });
    const profileDir = path.join(work, "profile");
    const profiled = await evaluate("dev", dev, { nodeFlags: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] });
    const runPhase = profiled.result.phases.find((p) => p.name === "run")!;
    const harnessEnd = profiled.result.phases.find((p) => p.name === "harness")!.endMonotonicUs;
    // The main thread's profile is the largest (tsx's loader thread writes a small one).
    const profileFile = readdirSync(profileDir)
        .map((file) => path.join(profileDir, file))
        .sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0];
    const profile = JSON.parse(readFileSync(profileFile, "utf8")) as CpuProfile;
    const runAttribution = attribute(profile, harnessEnd, runPhase.endMonotonicUs, PROJECT_ROOT);

    // 2. Scaling with the number of federated workloads: round-robin over the sizes, so that a change in the
    // machine's load during the benchmark hits every size alike.
    progress(`2/4 scaling with ${WORKLOAD_COUNTS.join(", ")} federated workloads`);
    const configs = WORKLOAD_COUNTS.map((workloads) => withWorkloads(dev, workloads));
    for (const config of configs.slice(1)) {
        await evaluate("dev", config);
    }
    const sizeRuns: { wallMs: number; result: ProgramResult }[][] = WORKLOAD_COUNTS.map(() => []);
    for (let i = 0; i < runs; i++) {
        for (const [index, config] of configs.entries()) {
            sizeRuns[index].push(await evaluate("dev", config, { graph: i === 0 }));
        }
    }
    const scaling = WORKLOAD_COUNTS.map((workloads, index) => {
        const measured = sizeRuns[index];
        const error = measured.find((r) => r.result.error !== undefined)?.result.error;
        if (error !== undefined) {
            throw new Error(`the dev stack with ${workloads} workloads failed to evaluate: ${error}`);
        }
        const graph = deploymentGraph(measured[0].result.graph!);
        const path_ = criticalPath(graph.tasks, graph.edges);
        return {
            workloads,
            graph: measured[0].result.graph!,
            resources: measured[0].result.resources,
            wallMs: measured.map((r) => r.wallMs),
            runMs: measured.map((r) => {
                const run = r.result.phases.find((p) => p.name === "run")!;
                return run.end - run.start;
            }),
            maxRssKb: measured.map((r) => r.result.maxRssKb),
            criticalPathSeconds: path_.total,
            pulumiUpSeconds: Math.max(...graph.pulumiWaitsFor.map((id) => path_.finish.get(id)!)),
        };
    });
    const refused = await evaluate("dev", withWorkloads(dev, LIMIT + 1));
    const refusal = refused.result.error ?? `no error: the program accepted ${LIMIT + 1} workloads`;

    // 3. Critical paths of the deployment.
    progress("3/4 critical paths (dev, greenfield) and the seed procedure");
    // One workload is the dev stack as it ships (ai-service alone).
    const devGraph = scaling.find((s) => s.workloads === 1)!.graph;
    const prodGraph = await graphOf("prod", prod, evaluate);
    const criticalPaths: CriticalPathReport[] = [
        pathReport(
            "dev",
            "the dev stack (existing cluster and account: the seed procedure)",
            devGraph,
            seedProcedure(),
        ),
        pathReport(
            "prod",
            "a greenfield stack (Pulumi.prod.yaml: managed cluster and account)",
            prodGraph,
            greenfieldProcedure(),
        ),
    ];

    // 4. Type check and tests.
    // Cold: no build info, as on a fresh clone or in CI. Warm: the same command again, reusing the build info that
    // tsconfig.json keeps in node_modules/.cache/tsc (what a developer's second run costs).
    progress("4/4 tsc --noEmit, cold then warm");
    rmSync(path.join(PROJECT_ROOT, "node_modules", ".cache", "tsc"), { recursive: true, force: true });
    const tscCommand = [require.resolve("typescript/bin/tsc"), "--noEmit"];
    const tscCold = await run(process.execPath, tscCommand);
    const tscWarm = await run(process.execPath, tscCommand);
    // tsgo, the native compiler `npm run typecheck` uses: no build info to reuse, so one run is what every run costs.
    progress("4/4 tsgo --noEmit -p tsconfig.check.json");
    const tsgo = await run(process.execPath, [
        // Not in the package's exports map: resolved as npm's bin link does.
        path.join(PROJECT_ROOT, "node_modules", "@typescript", "native-preview", "bin", "tsgo"),
        "--noEmit",
        "-p",
        "tsconfig.check.json",
    ]);
    let npmTest: BenchReport["tools"]["npmTest"];
    if (withNpmTest) {
        progress("4/4 npm test");
        const loadBefore = os.loadavg()[0];
        const tested = await run("npm", ["test"]);
        const output = tested.stdout + tested.stderr;
        const count = (label: string) =>
            Number(new RegExp(`^(?:# |ℹ )${label} (\\d+)`, "m").exec(output)?.[1] ?? Number.NaN);
        npmTest = {
            wallMs: tested.wallMs,
            ok: tested.code === 0,
            tests: count("tests"),
            failed: count("fail"),
            skipped: count("skipped"),
            loadAverage: [loadBefore, os.loadavg()[0]],
        };
    }

    return {
        machine,
        commit,
        runs,
        modules,
        evaluation: {
            program: programRuns,
            floor: floorRuns,
            cold,
            runAttribution,
            profiledRunMs: runPhase.end - runPhase.start,
        },
        scaling: { sizes: scaling.map(({ graph: _graph, ...size }) => size), limit: LIMIT, refusal },
        criticalPaths,
        tools: {
            tscColdMs: tscCold.wallMs,
            tscWarmMs: tscWarm.wallMs,
            tscOk: tscCold.code === 0 && tscWarm.code === 0,
            tsgoMs: tsgo.wallMs,
            tsgoOk: tsgo.code === 0,
            npmTest,
        },
    };
}

/** The dev config with `workloads` federated ServiceAccounts in all: ai-service's and workloads - 1 others. */
export function withWorkloads(config: Readonly<Record<string, unknown>>, workloads: number): Record<string, unknown> {
    if (workloads === 1) {
        return { ...config };
    }
    return {
        ...config,
        "aks-openai-wi:additionalServiceAccounts": Array.from({ length: workloads - 1 }, (_, i) => ({
            namespace: "default",
            name: `workload-${i + 1}`,
        })),
    };
}

async function graphOf(
    stack: string,
    config: Record<string, unknown>,
    evaluate: (
        stack: string,
        config: Record<string, unknown>,
        options: { graph: boolean },
    ) => Promise<{ result: ProgramResult }>,
): Promise<readonly GraphResource[]> {
    const { result } = await evaluate(stack, config, { graph: true });
    if (result.error !== undefined) {
        throw new Error(`the ${stack} stack failed to evaluate: ${result.error}`);
    }
    return result.graph!;
}

function pathReport(
    stack: string,
    title: string,
    resources: readonly GraphResource[],
    procedure: ReturnType<typeof seedProcedure>,
): CriticalPathReport {
    const graph = deploymentGraph(resources);
    const path_ = criticalPath(graph.tasks, graph.edges);
    return {
        stack,
        title,
        graph,
        path: path_,
        pulumiUpSeconds: Math.max(...graph.pulumiWaitsFor.map((id) => path_.finish.get(id)!)),
        procedure,
        timeline: sequentialTimeline(procedure),
    };
}

async function gitCommit(): Promise<string | undefined> {
    try {
        const result = await run("git", ["rev-parse", "--short", "HEAD"]);
        return result.code === 0 ? result.stdout.trim() : undefined;
    } catch {
        return undefined;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        // The Pulumi runtime loaded for stackConfig may keep handles open.
        (code) => process.stdout.write("", () => process.exit(code)),
        (error: unknown) => {
            process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
            process.exit(1);
        },
    );
}
