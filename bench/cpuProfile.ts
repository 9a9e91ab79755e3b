import * as path from "node:path";

/**
 * Where a child's CPU time went in one window of its life, from a V8 CPU profile (`node --cpu-prof`). Each sample is
 * put in the first category that claims it: whole-stack rules first (closure serialization, stack traces), then the
 * innermost frame that belongs to a file (Node's internals are charged to whoever called them).
 */

export interface CpuProfile {
    readonly nodes: readonly {
        readonly id: number;
        readonly callFrame: { readonly functionName: string; readonly url: string };
        readonly children?: readonly number[];
    }[];
    /** Microseconds, on the monotonic clock of `process.hrtime`. */
    readonly startTime: number;
    readonly samples: readonly number[];
    /** Microseconds before each sample. */
    readonly timeDeltas: readonly number[];
}

export interface CategoryTime {
    readonly category: string;
    readonly ms: number;
}

export const CLOSURE =
    "serializing the dynamic provider (Pulumi's closure serializer: V8 inspector session, TypeScript parse)";
export const STACK_TRACES = "stack traces through source maps (Pulumi records one per resource and per RPC)";

/** CPU milliseconds per category between two monotonic clock readings (microseconds), largest first. */
export function attribute(
    profile: CpuProfile,
    fromUs: number,
    toUs: number,
    projectRoot: string,
): readonly CategoryTime[] {
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parentOf = new Map<number, number>();
    for (const node of profile.nodes) {
        for (const child of node.children ?? []) {
            parentOf.set(child, node.id);
        }
    }
    const totals = new Map<string, number>();
    let time = profile.startTime;
    for (let i = 0; i < profile.samples.length; i++) {
        time += profile.timeDeltas[i];
        const weight = profile.timeDeltas[i + 1] ?? 0;
        if (time < fromUs || time >= toUs) {
            continue;
        }
        const stack: { functionName: string; url: string }[] = [];
        for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parentOf.get(id)) {
            stack.push(byId.get(id)!.callFrame);
        }
        const category = categoryOf(stack, projectRoot);
        totals.set(category, (totals.get(category) ?? 0) + weight);
    }
    return [...totals]
        .map(([category, us]) => ({ category, ms: us / 1000 }))
        .sort((a, b) => b.ms - a.ms || a.category.localeCompare(b.category));
}

/** The category of one sample; `stack` runs from the innermost frame outwards. */
export function categoryOf(stack: readonly { functionName: string; url: string }[], projectRoot: string): string {
    if (stack.some((frame) => frame.url.includes("/@pulumi/pulumi/runtime/closure/"))) {
        return CLOSURE;
    }
    if (stack.some((frame) => /prepareStackTrace/.test(frame.functionName))) {
        return STACK_TRACES;
    }
    const leaf = stack[0]?.functionName ?? "";
    if (leaf === "(garbage collector)") {
        return "garbage collection";
    }
    if (leaf === "(idle)" || leaf === "(program)") {
        return "idle or V8 itself (waiting on I/O and promises, compiling)";
    }
    for (const frame of stack) {
        const file = frame.url.replace(/^file:\/\//, "");
        if (frame.url.startsWith("wasm:")) {
            return "WebAssembly (tsx's module lexer)";
        }
        if (file === "" || frame.url.startsWith("node:")) {
            continue;
        }
        const marker = "/node_modules/";
        const at = file.lastIndexOf(marker);
        if (at === -1) {
            const relative = path.relative(projectRoot, file);
            if (relative === "index.ts" || relative.startsWith("components/")) {
                return "the program's own code (index.ts, components)";
            }
            if (relative.startsWith("tools/") || relative.startsWith("bench/")) {
                return "the mock engine harness (runProgram, planMocks)";
            }
            return `other: ${relative}`;
        }
        const parts = file.slice(at + marker.length).split("/");
        const name = parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
        if (name === "@pulumi/pulumi" || name === "google-protobuf" || name === "@grpc/grpc-js") {
            return "Pulumi runtime (registrations, outputs, RPC to the mock monitor)";
        }
        if (name === "@pulumi/azure-native" || name === "@pulumi/kubernetes") {
            return "SDK resource classes";
        }
        return name;
    }
    return "Node.js internals";
}
