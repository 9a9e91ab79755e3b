import type { ExplainedSurvivor } from "./explained";

/**
 * Turns Stryker's JSON reports (mutation-testing-report-schema) into docs/mutation.md: the score of each file and every
 * surviving mutant with the reason it survives (tools/mutation/explained.ts) or a loud "not explained". Pure.
 */

/** The part of a Stryker JSON report this reads. */
export interface StrykerReport {
    readonly files: Readonly<
        Record<
            string,
            {
                readonly source: string;
                readonly mutants: readonly {
                    readonly id: string;
                    readonly mutatorName: string;
                    readonly replacement?: string;
                    readonly status: string;
                    readonly location: {
                        readonly start: { readonly line: number; readonly column: number };
                        readonly end: { readonly line: number; readonly column: number };
                    };
                }[];
            }
        >
    >;
}

/** One file's run: its report and how it was run. */
export interface FileRun {
    readonly file: string;
    readonly tests: readonly string[];
    /** ISO time the run finished. */
    readonly finishedAt: string;
    readonly wallSeconds: number;
    readonly report: StrykerReport;
}

export interface Survivor {
    readonly file: string;
    readonly line: number;
    readonly mutator: string;
    /** The source text the mutant replaces, on one line. */
    readonly original: string;
    readonly replacement: string;
    readonly status: "Survived" | "NoCoverage";
    readonly reason?: string;
}

export interface FileScore {
    readonly file: string;
    readonly killed: number;
    readonly timedOut: number;
    readonly survived: number;
    readonly noCoverage: number;
    /** Rejected by the TypeScript checker: not a program anyone could ship, so not counted. */
    readonly compileErrors: number;
    /** Stryker's mutation score: detected / (detected + undetected), in percent; undefined with no valid mutant. */
    readonly score: number | undefined;
    readonly survivors: readonly Survivor[];
}

/** The text between two 1-based (line, column) positions of `source`, whitespace collapsed. */
export function sourceBetween(
    source: string,
    start: { line: number; column: number },
    end: { line: number; column: number },
): string {
    const lines = source.split("\n");
    const offset = (pos: { line: number; column: number }) =>
        lines.slice(0, pos.line - 1).reduce((sum, line) => sum + line.length + 1, 0) + pos.column - 1;
    return source.slice(offset(start), offset(end)).replace(/\s+/g, " ").trim();
}

/** Whether an explanation is about this survivor: same file and mutator, and its texts occur in the mutant's. */
export function explains(explanation: ExplainedSurvivor, survivor: Omit<Survivor, "reason">): boolean {
    return (
        explanation.file === survivor.file &&
        explanation.mutator === survivor.mutator &&
        survivor.original.includes(explanation.original) &&
        (explanation.replacement === undefined ||
            survivor.replacement.replace(/\s+/g, " ").includes(explanation.replacement))
    );
}

export function scoreFile(run: FileRun, explained: readonly ExplainedSurvivor[]): FileScore {
    const entry = run.report.files[run.file] ?? { source: "", mutants: [] };
    const count = (status: string) => entry.mutants.filter((mutant) => mutant.status === status).length;
    const killed = count("Killed");
    const timedOut = count("Timeout");
    const survived = count("Survived");
    const noCoverage = count("NoCoverage");
    const valid = killed + timedOut + survived + noCoverage;
    const survivors = entry.mutants
        .filter((mutant) => mutant.status === "Survived" || mutant.status === "NoCoverage")
        .map((mutant) => {
            const survivor = {
                file: run.file,
                line: mutant.location.start.line,
                mutator: mutant.mutatorName,
                original: sourceBetween(entry.source, mutant.location.start, mutant.location.end),
                replacement: (mutant.replacement ?? "").replace(/\s+/g, " ").trim(),
                status: mutant.status as Survivor["status"],
            };
            return { ...survivor, reason: explained.find((e) => explains(e, survivor))?.reason };
        })
        .sort((a, b) => a.line - b.line);
    return {
        file: run.file,
        killed,
        timedOut,
        survived,
        noCoverage,
        compileErrors: count("CompileError"),
        score: valid === 0 ? undefined : (100 * (killed + timedOut)) / valid,
        survivors,
    };
}

const percent = (score: number | undefined) => (score === undefined ? "n/a" : `${score.toFixed(1)} %`);
const code = (text: string) => "`" + (text.length > 90 ? text.slice(0, 87) + "..." : text).replace(/`/g, "'") + "`";

/** docs/mutation.md. `pending` are the files with no run yet. */
export function renderReport(
    runs: readonly FileRun[],
    pending: readonly string[],
    explained: readonly ExplainedSurvivor[],
    target: number,
): string {
    const scores = runs.map((run) => ({ run, score: scoreFile(run, explained) }));
    const unexplained = scores.flatMap(({ score }) => score.survivors.filter((s) => s.reason === undefined));
    const below = scores.filter(({ score }) => score.score !== undefined && score.score < target);
    const lines = [
        "# Mutation testing: generated by `npm run mutation`, do not edit",
        "",
        "Each file of `components/` and `policy/` is mutated by Stryker (its TypeScript checker drops mutants that do not",
        "compile), and each mutant runs the test files that exercise that file (`tools/mutation/targets.ts`) through the",
        "command runner: a mutant is killed when a test fails. The score is killed (or timed out) over every mutant that",
        "compiles. Every survivor is listed with the reason it is left (`tools/mutation/explained.ts`). Not part of",
        "`npm test` or `.ci/run`: run it after changing a file or its tests (`npm run mutation -- <file>...`).",
        "",
        `Target: at least ${target} % per file. Files measured: ${runs.length}; below target: ${below.length}; survivors ` +
            `without a reason: ${unexplained.length}; not measured yet: ${pending.length}.`,
        "",
        "| file | score | killed | timed out | survived | no coverage | not compiling | wall time | measured | tests |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ...scores.map(
            ({ run, score }) =>
                `| ${run.file} | ${percent(score.score)} | ${score.killed} | ${score.timedOut} | ${score.survived} | ` +
                `${score.noCoverage} | ${score.compileErrors} | ${Math.round(run.wallSeconds)} s | ${run.finishedAt.slice(0, 16)}Z | ` +
                `${run.tests.map((test) => test.replace(/^tests\//, "").replace(/\.test\.ts$/, "")).join(", ")} |`,
        ),
        ...pending.map((file) => `| ${file} | not measured | | | | | | | | |`),
        "",
        "## Survivors",
        "",
    ];
    const withSurvivors = scores.filter(({ score }) => score.survivors.length > 0);
    if (withSurvivors.length === 0) {
        lines.push("None.");
    }
    for (const { score } of withSurvivors) {
        lines.push(`### ${score.file}`, "");
        for (const s of score.survivors) {
            lines.push(
                `- line ${s.line}, ${s.mutator}${s.status === "NoCoverage" ? " (no coverage)" : ""}: ${code(s.original)} -> ` +
                    `${code(s.replacement)}. ${s.reason ?? "**Not explained**: add a test that kills it, or its reason to tools/mutation/explained.ts."}`,
            );
        }
        lines.push("");
    }
    return lines.join("\n").replace(/\n+$/, "") + "\n";
}
