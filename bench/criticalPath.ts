/**
 * The two ways a deployment's wall time can be computed from task latencies: a dependency graph run with unbounded
 * parallelism (what the Pulumi engine does: `pulumi up --parallel` defaults to unbounded), and a list of steps run one
 * after the other (what a person following a how-to does). Pure functions; the figures live in latencies.ts.
 */

export interface Task {
    readonly id: string;
    /** Seconds from the moment all its dependencies are done until it is done. */
    readonly seconds: number;
}

/** `from` cannot start before `to` is done. */
export interface Dependency {
    readonly from: string;
    readonly to: string;
}

export interface CriticalPath {
    /** Task ids from the first task to the last, each depending on the one before. */
    readonly path: readonly string[];
    /** Finish time of the last task on the path: the whole graph's duration. */
    readonly total: number;
    /** When each task is done, with every task started as soon as its dependencies are done. */
    readonly finish: ReadonlyMap<string, number>;
}

/**
 * The longest chain of dependent tasks, weighted by their durations. Ties go to the task listed first (tasks, then
 * dependencies, in the order given), so the result is deterministic. Throws on an unknown task id or a cycle.
 */
export function criticalPath(tasks: readonly Task[], dependencies: readonly Dependency[]): CriticalPath {
    if (tasks.length === 0) {
        throw new Error("criticalPath: no tasks");
    }
    const byId = new Map(tasks.map((task) => [task.id, task]));
    if (byId.size !== tasks.length) {
        throw new Error("criticalPath: duplicate task ids");
    }
    const dependsOn = new Map<string, string[]>(tasks.map((task) => [task.id, []]));
    const dependents = new Map<string, string[]>(tasks.map((task) => [task.id, []]));
    for (const { from, to } of dependencies) {
        for (const id of [from, to]) {
            if (!byId.has(id)) {
                throw new Error(`criticalPath: dependency names unknown task ${id}`);
            }
        }
        dependsOn.get(from)!.push(to);
        dependents.get(to)!.push(from);
    }

    // Kahn's algorithm, in the order the tasks were given.
    const waiting = new Map(tasks.map((task) => [task.id, dependsOn.get(task.id)!.length]));
    const ready = tasks.filter((task) => waiting.get(task.id) === 0).map((task) => task.id);
    const finish = new Map<string, number>();
    const previous = new Map<string, string | undefined>();
    while (ready.length > 0) {
        const id = ready.shift()!;
        let start = 0;
        let before: string | undefined;
        for (const dependency of dependsOn.get(id)!) {
            const done = finish.get(dependency)!;
            if (before === undefined || done > start) {
                start = done;
                before = dependency;
            }
        }
        finish.set(id, start + byId.get(id)!.seconds);
        previous.set(id, before);
        for (const dependent of dependents.get(id)!) {
            const left = waiting.get(dependent)! - 1;
            waiting.set(dependent, left);
            if (left === 0) {
                ready.push(dependent);
            }
        }
    }
    if (finish.size !== tasks.length) {
        const stuck = tasks.filter((task) => !finish.has(task.id)).map((task) => task.id);
        throw new Error(`criticalPath: dependency cycle among ${stuck.join(", ")}`);
    }

    let last = tasks[0].id;
    for (const task of tasks) {
        if (finish.get(task.id)! > finish.get(last)!) {
            last = task.id;
        }
    }
    const path: string[] = [];
    for (let id: string | undefined = last; id !== undefined; id = previous.get(id)) {
        path.unshift(id);
    }
    return { path, total: finish.get(last)!, finish };
}

/** One step of a procedure run by hand. */
export interface Step {
    readonly id: string;
    readonly seconds: number;
    /** Seconds after this step ends before its effect is visible to clients (e.g. a role assignment taking effect). */
    readonly propagationSeconds?: number;
    /** The step needs every earlier step's effect: it waits for all propagation to end before it starts. */
    readonly needsEffect?: boolean;
}

export interface TimedStep extends Step {
    readonly start: number;
    readonly end: number;
    /** Seconds spent waiting for propagation before the step could start. */
    readonly waited: number;
}

/** Runs the steps one after the other; a step that needs the earlier effects waits for the last one to propagate. */
export function sequentialTimeline(steps: readonly Step[]): { steps: readonly TimedStep[]; total: number } {
    let now = 0;
    let effective = 0;
    const timed: TimedStep[] = [];
    for (const step of steps) {
        const start = step.needsEffect ? Math.max(now, effective) : now;
        const end = start + step.seconds;
        timed.push({ ...step, start, end, waited: start - now });
        effective = Math.max(effective, end + (step.propagationSeconds ?? 0));
        now = end;
    }
    return { steps: timed, total: now };
}
