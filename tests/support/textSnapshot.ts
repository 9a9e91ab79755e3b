import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/** A text pinned in tests/snapshots/, rewritten only when its update variable is set to 1. */
export interface TextSnapshot {
    /** The file name under tests/snapshots/. */
    readonly file: string;
    /** The environment variable that rewrites the snapshot, e.g. UPDATE_POLICY_SNAPSHOT. */
    readonly updateVariable: string;
    /** The test file that owns the snapshot, relative to the project (for the command the failure prints). */
    readonly testFile: string;
    /** What changed, as the first sentence of the failure: "A policy's description or remediation steps changed". */
    readonly changed: string;
    /** What else to look at when updating it, appended to the failure (e.g. "check docs/policy.md's table"). */
    readonly alsoCheck?: string;
}

/**
 * Asserts `text` equals the snapshot word for word. With `<updateVariable>=1` the snapshot is rewritten first, so
 * the diff shows up in review: what users read changes only on purpose, in the same commit as the code.
 */
export function assertMatchesSnapshot(snapshot: TextSnapshot, text: string): void {
    const file = path.join(__dirname, "..", "snapshots", snapshot.file);
    if (process.env[snapshot.updateVariable] === "1") {
        writeFileSync(file, text);
    }
    assert.equal(
        text,
        readFileSync(file, "utf8"),
        `${snapshot.changed}. If it is intended, update the snapshot in the same commit: ` +
            `${snapshot.updateVariable}=1 npm test -- ${snapshot.testFile}, and ${snapshot.alsoCheck ?? "read the diff"}.`,
    );
}
