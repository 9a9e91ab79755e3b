import * as path from "node:path";

import type { ChildResult, Phase } from "./protocol";

/**
 * Timestamps and module loads inside a benchmark child. `performance.now()` counts from the process's start, so the
 * first mark also measures Node's own start and the loader's registration (tsx) before the child's first line ran.
 */

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

export class PhaseRecorder {
    readonly phases: Phase[] = [];
    private seen = new Set(Object.keys(require.cache));
    private last = 0;

    constructor() {
        // Everything before the child's first line: Node's start, the loader, the child's own modules.
        this.mark("node + loader start");
    }

    /** Ends the current phase under `name`. */
    mark(name: string): void {
        const now = performance.now();
        const loaded = new Set<string>();
        for (const file of Object.keys(require.cache)) {
            if (!this.seen.has(file)) {
                this.seen.add(file);
                loaded.add(moduleLabel(file));
            }
        }
        const endMonotonicUs = Number(process.hrtime.bigint() / 1000n);
        this.phases.push({ name, start: this.last, end: now, endMonotonicUs, loaded: [...loaded].sort() });
        this.last = now;
    }

    result(): ChildResult {
        return { phases: this.phases, maxRssKb: process.resourceUsage().maxRSS };
    }
}

/**
 * `node_modules/@pulumi/kubernetes/core/v1/x.js` -> `@pulumi/kubernetes/core`, `node_modules/yaml/dist/x.js` -> `yaml`,
 * a project file -> its path relative to the project.
 */
export function moduleLabel(file: string): string {
    const marker = `${path.sep}node_modules${path.sep}`;
    const at = file.lastIndexOf(marker);
    if (at === -1) {
        return path.relative(PROJECT_ROOT, file);
    }
    const parts = file.slice(at + marker.length).split(path.sep);
    const name = parts[0].startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
    const rest = parts.slice(name.split("/").length);
    // @pulumi packages are imported by submodule: say which ones were loaded.
    return name.startsWith("@pulumi/") && rest.length > 1 ? `${name}/${rest[0]}` : name;
}
