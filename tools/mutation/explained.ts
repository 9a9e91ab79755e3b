/**
 * Why each mutant left alive by `npm run mutation` is left alive, in one line: an equivalent program, or a behaviour
 * only a real engine or cluster shows. docs/mutation.md prints these next to the survivors they match; a survivor
 * with no entry here is printed as "Not explained". Match: same file and Stryker mutator, `original` occurs in the
 * mutated source text, and `replacement` (when given) occurs in the mutant's replacement.
 */
export interface ExplainedSurvivor {
    readonly file: string;
    readonly mutator: string;
    readonly original: string;
    readonly replacement?: string;
    readonly reason: string;
}

export const EXPLAINED: readonly ExplainedSurvivor[] = [];
