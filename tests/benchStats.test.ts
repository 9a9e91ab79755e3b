import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { attribute, categoryOf, CLOSURE, STACK_TRACES, type CpuProfile } from "../bench/cpuProfile";
import { withWorkloads } from "../bench/main";
import { linearFit, summarize } from "../bench/stats";

/** `npm run bench`: the summaries, the workload configs and the CPU attribution it reports. */

describe("summarize", () => {
    it("reports min, median and max of an odd number of runs", () => {
        assert.deepEqual(summarize([3100, 2900, 3500, 3000, 3300]), { runs: 5, min: 2900, median: 3100, max: 3500 });
    });

    it("takes the mean of the middle two for an even number of runs", () => {
        assert.deepEqual(summarize([4, 1, 3, 2]), { runs: 4, min: 1, median: 2.5, max: 4 });
    });

    it("refuses no runs at all", () => {
        assert.throws(() => summarize([]), /summarize: no measurements/);
    });
});

describe("linearFit", () => {
    it("gives the marginal cost per unit and the fixed part", () => {
        assert.deepEqual(
            linearFit([
                { x: 1, y: 3020 },
                { x: 3, y: 3060 },
                { x: 5, y: 3100 },
            ]),
            { slope: 20, intercept: 3000 },
        );
    });
});

describe("withWorkloads", () => {
    const dev = { "aks-openai-wi:resourceGroupName": "myResourceGroup" };

    it("keeps the dev stack as it is for one workload (ai-service alone)", () => {
        assert.deepEqual(withWorkloads(dev, 1), dev);
    });

    it("adds ServiceAccounts until the workloads, ai-service's included, number as asked", () => {
        assert.deepEqual(withWorkloads(dev, 3), {
            ...dev,
            "aks-openai-wi:additionalServiceAccounts": [
                { namespace: "default", name: "workload-1" },
                { namespace: "default", name: "workload-2" },
            ],
        });
    });
});

describe("CPU attribution", () => {
    const frame = (functionName: string, url: string) => ({ functionName, url });
    const root = "/repo";

    it("charges anything under Pulumi's closure serializer to the dynamic provider's serialization", () => {
        const stack = [
            frame("parseSourceFile", "file:///repo/node_modules/typescript/lib/typescript.js"),
            frame("parseFunction", "file:///repo/node_modules/@pulumi/pulumi/runtime/closure/parseFunction.js"),
        ];
        assert.equal(categoryOf(stack, root), CLOSURE);
    });

    it("charges stack traces to source maps before whoever asked for them", () => {
        const stack = [
            frame("prepareStackTraceWithSourceMaps", "node:internal/source_map/prepare_stack_trace"),
            frame("Resource", "file:///repo/node_modules/@pulumi/pulumi/resource.js"),
        ];
        assert.equal(categoryOf(stack, root), STACK_TRACES);
    });

    it("charges Node's internals to the innermost caller with a file", () => {
        const stack = [
            frame("readFileSync", "node:fs"),
            frame("WorkloadIdentity", "file:///repo/components/workloadIdentity.ts"),
        ];
        assert.equal(categoryOf(stack, root), "the program's own code (index.ts, components)");
    });

    it("sums the samples inside the window, by category, largest first", () => {
        // nodes: 1 root -> 2 program code, 1 -> 3 garbage collector
        const profile: CpuProfile = {
            nodes: [
                { id: 1, callFrame: frame("(root)", ""), children: [2, 3] },
                { id: 2, callFrame: frame("run", "file:///repo/index.ts") },
                { id: 3, callFrame: frame("(garbage collector)", "") },
            ],
            startTime: 1_000_000,
            // samples at 1_000_100, 1_000_300, 1_000_600, 1_001_000 (µs)
            samples: [2, 2, 3, 2],
            timeDeltas: [100, 200, 300, 400],
        };
        assert.deepEqual(attribute(profile, 1_000_000, 1_000_700, root), [
            { category: "the program's own code (index.ts, components)", ms: 0.5 },
            { category: "garbage collection", ms: 0.4 },
        ]);
    });
});
