import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/**
 * URN stability. A URN (stack, project, the type chain of the resource's parents, its name) is a resource's identity
 * in the state: a program that registers the same resource under another URN makes every existing stack delete the
 * old one and create a new one. Nothing else notices: a re-parented or renamed resource looks identical in a preview's
 * inputs. The snapshots list every URN the program registers for a stack, one per line, sorted.
 */

/** The environment variable that rewrites the snapshots instead of comparing with them. */
export const UPDATE_VARIABLE = "UPDATE_URN_SNAPSHOTS";

/** The text of a snapshot: the URNs, sorted, one per line. */
export function snapshotText(urns: readonly string[]): string {
    return [...new Set(urns)].sort().join("\n") + "\n";
}

export function parseSnapshot(text: string): string[] {
    return text.split("\n").filter((line) => line.trim() !== "");
}

/**
 * Why a stack's URNs differ from its snapshot, and what to do, or undefined when they are the same. Written for the
 * person whose change caused it: what moved, what it does to existing stacks, and the two ways out.
 */
export function urnChangeMessage(
    stack: string,
    snapshotFile: string,
    expected: readonly string[],
    actual: readonly string[],
): string | undefined {
    const before = new Set(expected);
    const now = new Set(actual);
    const gone = [...before].filter((urn) => !now.has(urn)).sort();
    const added = [...now].filter((urn) => !before.has(urn)).sort();
    if (gone.length === 0 && added.length === 0) {
        return undefined;
    }
    return [
        `The URNs the program registers for the ${stack} stack differ from ${snapshotFile}:`,
        ...gone.map((urn) => `  - ${urn}`),
        ...added.map((urn) => `  + ${urn}`),
        `Why it matters: a URN is the resource's identity in the state. On every existing ${stack} stack, \`pulumi up\` ` +
            `would delete each resource listed with "-" and create it again under its "+" URN: a replacement (for the ` +
            `ai-service Deployment, its pods; for a federated credential or role assignment, a window where access fails).`,
        `If the change is not intended: restore the resource's parent (\`{ parent: this }\`), name and type.`,
        `If it is: keep the old identity with an alias on the resource (\`aliases: [{ parent: pulumi.rootStackResource }]\` ` +
            `for a resource that had no parent, \`aliases: [{ name: "<old name>" }]\` for a rename, ` +
            `\`aliases: [{ type: "<old type>" }]\` for a new type token), and update the snapshot in the same commit: ` +
            `${UPDATE_VARIABLE}=1 node --import tsx --test tests/urns.test.ts`,
    ].join("\n");
}

/** Compares `urns` with the snapshot file, or rewrites it when UPDATE_URN_SNAPSHOTS=1. */
export function checkSnapshot(stack: string, snapshotFile: string, urns: readonly string[]): string | undefined {
    if (process.env[UPDATE_VARIABLE] === "1") {
        writeFileSync(snapshotFile, snapshotText(urns));
        return undefined;
    }
    if (!existsSync(snapshotFile)) {
        return `No URN snapshot ${snapshotFile} for the ${stack} stack: ${UPDATE_VARIABLE}=1 node --import tsx --test tests/urns.test.ts`;
    }
    const shown = path.relative(path.join(__dirname, "..", ".."), snapshotFile);
    return urnChangeMessage(stack, shown, parseSnapshot(readFileSync(snapshotFile, "utf8")), urns);
}
