import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";

import { PhaseRecorder } from "./phases";

/**
 * The floor of the evaluation benchmark: a process started exactly like the program's (same Node, same loader flags)
 * that loads `@pulumi/pulumi` and the SDK modules the program imports, and nothing else.
 *
 * Usage: node --import tsx bench/child/floor.ts <result.json> <module>...
 */

const recorder = new PhaseRecorder();
const [resultFile, ...modules] = process.argv.slice(2);
const load = createRequire(__filename);

load("@pulumi/pulumi");
recorder.mark("@pulumi/pulumi");
for (const specifier of modules.filter((m) => m !== "@pulumi/pulumi")) {
    load(specifier);
}
recorder.mark("SDK submodules");
writeFileSync(resultFile, JSON.stringify(recorder.result()));
