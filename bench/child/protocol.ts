/** What the benchmark parent sends its children and what they send back (JSON files). */

/** One phase of a child's life: when it ran, and what it loaded. */
export interface Phase {
    readonly name: string;
    /** Milliseconds since the process started. */
    readonly start: number;
    readonly end: number;
    /** The end as a monotonic clock reading in microseconds (`process.hrtime`), the clock of V8's CPU profiles. */
    readonly endMonotonicUs: number;
    /** Packages (by name, `@pulumi/*` by submodule) and the project's own files first loaded during the phase. */
    readonly loaded: readonly string[];
}

/** What every child writes back. */
export interface ChildResult {
    readonly phases: readonly Phase[];
    /** Peak resident set size of the child, in kilobytes (`process.resourceUsage().maxRSS`). */
    readonly maxRssKb: number;
}

/** bench/child/program.ts's request. */
export interface ProgramRequest {
    readonly stack: string;
    /** Fully qualified config, as `stackConfig(stack)` returns it, plus any overrides. */
    readonly config: Readonly<Record<string, unknown>>;
    /** The SDK modules to load before the program (the floor's list). */
    readonly sdk: readonly string[];
    /** Also return the registrations (for the critical path). */
    readonly graph: boolean;
}

/** A registration as the critical-path analysis needs it. */
export interface GraphResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    /** URN of the parent ('' for the stack itself). */
    readonly parent: string;
    /** URNs of all dependencies (dependsOn and those implied by inputs). */
    readonly dependencies: readonly string[];
    /** Input property name to the URNs its value came from. */
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    /** Provider reference (`<urn>::<id>`), '' when the engine picks the default provider. */
    readonly provider: string;
}

export interface ProgramResult extends ChildResult {
    readonly resources: number;
    /** The program's error when it refused to run (e.g. a config limit), else undefined. */
    readonly error?: string;
    /** Warnings the program logged. */
    readonly warnings: number;
    readonly graph?: readonly GraphResource[];
}
