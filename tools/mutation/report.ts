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
                    /** Why the status: the type error of a mutant that does not compile. */
                    readonly statusReason?: string;
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
    /** The Stryker run's wall time, shared with the files it measured together with this one. */
    readonly wallSeconds: number;
    /** The other files of the same Stryker run (files that the same tests exercise run together). */
    readonly measuredWith?: readonly string[];
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
}

/**
 * What docs/mutation.json keeps of one file's last run: enough to render its row and survivors again, so a run of a
 * few files (on a fresh clone, without the other files' reports) keeps the other files' last results.
 */
export interface FileSummary {
    readonly file: string;
    readonly tests: readonly string[];
    readonly finishedAt: string;
    readonly wallSeconds: number;
    readonly measuredWith?: readonly string[];
    readonly killed: number;
    readonly timedOut: number;
    readonly survived: number;
    readonly noCoverage: number;
    /** Rejected by the TypeScript checker: not a program anyone could ship, so not counted. */
    readonly compileErrors: number;
    readonly survivors: readonly Survivor[];
}

interface Position {
    readonly line: number;
    readonly column: number;
}

/** The offset in `source` of a 1-based (line, column) position, as Stryker reports them. */
function offsetOf(source: string, pos: Position): number {
    const lines = source.split("\n");
    return lines.slice(0, pos.line - 1).reduce((sum, line) => sum + line.length + 1, 0) + pos.column - 1;
}

/** The text between two 1-based (line, column) positions of `source`, whitespace collapsed. */
export function sourceBetween(source: string, start: Position, end: Position): string {
    return source.slice(offsetOf(source, start), offsetOf(source, end)).replace(/\s+/g, " ").trim();
}

/** `source` with the text between two 1-based (line, column) positions replaced: the mutant's program text. */
export function replaceBetween(source: string, start: Position, end: Position, replacement: string): string {
    return source.slice(0, offsetOf(source, start)) + replacement + source.slice(offsetOf(source, end));
}

/** Whether an explanation is about this survivor: same file and mutator, and its texts occur in the mutant's. */
export function explains(explanation: ExplainedSurvivor, survivor: Survivor): boolean {
    return (
        explanation.file === survivor.file &&
        explanation.mutator === survivor.mutator &&
        survivor.original.includes(explanation.original) &&
        (explanation.replacement === undefined || survivor.replacement.includes(explanation.replacement))
    );
}

export function summarize(run: FileRun): FileSummary {
    const entry = run.report.files[run.file] ?? { source: "", mutants: [] };
    const count = (status: string) => entry.mutants.filter((mutant) => mutant.status === status).length;
    const survivors = entry.mutants
        .filter((mutant) => mutant.status === "Survived" || mutant.status === "NoCoverage")
        .map((mutant) => ({
            file: run.file,
            line: mutant.location.start.line,
            mutator: mutant.mutatorName,
            original: sourceBetween(entry.source, mutant.location.start, mutant.location.end),
            replacement: (mutant.replacement ?? "").replace(/\s+/g, " ").trim(),
            status: mutant.status as Survivor["status"],
        }))
        .sort((a, b) => a.line - b.line);
    return {
        file: run.file,
        tests: run.tests,
        finishedAt: run.finishedAt,
        wallSeconds: run.wallSeconds,
        ...(run.measuredWith !== undefined && run.measuredWith.length > 0 ? { measuredWith: run.measuredWith } : {}),
        killed: count("Killed"),
        timedOut: count("Timeout"),
        survived: count("Survived"),
        noCoverage: count("NoCoverage"),
        compileErrors: count("CompileError"),
        survivors,
    };
}

/** Stryker's mutation score: detected / (detected + undetected), in percent; undefined with no valid mutant. */
export function scoreOf(summary: FileSummary): number | undefined {
    const detected = summary.killed + summary.timedOut;
    const valid = detected + summary.survived + summary.noCoverage;
    return valid === 0 ? undefined : (100 * detected) / valid;
}

/** The reason given for a survivor, if any. */
export function reasonFor(survivor: Survivor, explained: readonly ExplainedSurvivor[]): string | undefined {
    return explained.find((explanation) => explains(explanation, survivor))?.reason;
}

/**
 * The reasons of explained.ts that no survivor of the last runs takes (first match wins): the mutant is killed now, or
 * its code is gone. Listed in the report so they are deleted rather than left to explain some future survivor.
 */
export function unusedReasons(
    summaries: readonly FileSummary[],
    explained: readonly ExplainedSurvivor[],
): ExplainedSurvivor[] {
    const used = new Set(
        summaries.flatMap((summary) =>
            summary.survivors.flatMap((survivor) => explained.filter((e) => explains(e, survivor)).slice(0, 1)),
        ),
    );
    return explained.filter((explanation) => !used.has(explanation));
}

const shared = (summary: FileSummary) =>
    summary.measuredWith === undefined ? "" : ` (${summary.measuredWith.length + 1} files)`;
const percent = (score: number | undefined) => (score === undefined ? "n/a" : `${score.toFixed(1)} %`);
const code = (text: string) => "`" + (text.length > 90 ? text.slice(0, 87) + "..." : text).replace(/`/g, "'") + "`";

/** docs/mutation.md. `pending` are the files with no run yet. */
export function renderReport(
    summaries: readonly FileSummary[],
    pending: readonly string[],
    explained: readonly ExplainedSurvivor[],
    target: number,
): string {
    const unexplained = summaries.flatMap((summary) =>
        summary.survivors.filter((survivor) => reasonFor(survivor, explained) === undefined),
    );
    const below = summaries.filter((summary) => (scoreOf(summary) ?? 100) < target);
    const unused = unusedReasons(summaries, explained);
    const lines = [
        "# Mutation testing: generated by `npm run mutation`, do not edit",
        "",
        "Each file of `components/` and `policy/` is mutated by Stryker (its TypeScript checker drops mutants that do not",
        "compile). The test files that exercise a file are listed in `tools/mutation/targets.ts`; the dry run records which",
        "of them reach each mutant, and a mutant runs those, one file at a time, until one fails: it is killed. A mutant",
        "none of them reaches has no coverage. The score is killed (or timed out) over every mutant that compiles. Every",
        "survivor is listed with the reason it is left (`tools/mutation/explained.ts`). Not part of `npm test` or",
        "`.ci/run`: run it after changing a file or its tests (`npm run mutation -- <file>...`). Each row is that file's",
        "last run; `docs/mutation.json` keeps them, so a run of some files keeps the others' rows. Files exercised by the",
        "same tests are measured in one run, whose wall time their rows share.",
        "",
        `Target: at least ${target} % per file. Files measured: ${summaries.length}; below target: ${below.length}; ` +
            `survivors without a reason: ${unexplained.length}; not measured yet: ${pending.length}; ` +
            `reasons no survivor takes: ${unused.length}.`,
        "",
        "| file | score | killed | timed out | survived | no coverage | not compiling | wall time | measured | tests |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ...summaries.map(
            (summary) =>
                `| ${summary.file} | ${percent(scoreOf(summary))} | ${summary.killed} | ${summary.timedOut} | ` +
                `${summary.survived} | ${summary.noCoverage} | ${summary.compileErrors} | ` +
                `${Math.round(summary.wallSeconds)} s${shared(summary)} | ${summary.finishedAt.slice(0, 16)}Z | ` +
                `${summary.tests.map((test) => test.replace(/^tests\//, "").replace(/\.test\.ts$/, "")).join(", ")} |`,
        ),
        ...pending.map((file) => `| ${file} | not measured | | | | | | | | |`),
        "",
        "## Survivors",
        "",
    ];
    const withSurvivors = summaries.filter((summary) => summary.survivors.length > 0);
    if (withSurvivors.length === 0) {
        lines.push("None.");
    }
    for (const summary of withSurvivors) {
        lines.push(`### ${summary.file}`, "");
        for (const s of summary.survivors) {
            const reason =
                reasonFor(s, explained) ??
                "**Not explained**: add a test that kills it, or its reason to tools/mutation/explained.ts.";
            lines.push(
                `- line ${s.line}, ${s.mutator}${s.status === "NoCoverage" ? " (no coverage)" : ""}: ` +
                    `${code(s.original)} -> ${code(s.replacement)}. ${reason}`,
            );
        }
        lines.push("");
    }
    if (unused.length > 0) {
        lines.push(
            "## Reasons no survivor takes",
            "",
            "These entries of `tools/mutation/explained.ts` match no survivor of the last runs (the mutant is killed now,",
            "or its code is gone): delete them.",
            "",
            ...unused.map(
                (e) =>
                    `- ${e.file}, ${e.mutator}: ${code(e.original)}${e.replacement === undefined ? "" : ` -> ${code(e.replacement)}`}`,
            ),
        );
    }
    return lines.join("\n").replace(/\n+$/, "") + "\n";
}
