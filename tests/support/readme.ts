import { readFileSync } from "node:fs";
import * as path from "node:path";

import { PROJECT_ROOT } from "./program";

/** README.md as the user reads it. */
export function readme(): string {
    return doc("README.md");
}

/** A Markdown document of the project, by its path from the project root (`docs/configuration.md`). */
export function doc(file: string): string {
    return readFileSync(path.join(PROJECT_ROOT, file), "utf8");
}

/** The text of one `## heading` section of a Markdown document, up to the next `## ` heading. */
export function section(markdown: string, heading: string): string {
    const lines = markdown.split("\n");
    const start = lines.findIndex((line) => line.trim() === `## ${heading}`);
    if (start < 0) {
        throw new Error(`the document has no "## ${heading}" section`);
    }
    const end = lines.findIndex((line, index) => index > start && /^## /.test(line));
    return lines.slice(start + 1, end < 0 ? undefined : end).join("\n");
}

/**
 * The rows of the first table in a section: cells trimmed, header and separator dropped. Escaped pipes (`\|`) stay
 * inside their cell, as GitHub renders them.
 */
export function tableRows(markdownSection: string): string[][] {
    const tableLines = markdownSection
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line.startsWith("|"));
    return tableLines.slice(2).map((line) =>
        line
            .slice(1, line.endsWith("|") ? -1 : undefined)
            .split(/(?<!\\)\|/)
            .map((cell) => cell.trim()),
    );
}

/** The backticked name in a table's first cell, e.g. `cluster.name` -> cluster.name. */
export function firstCellName(row: readonly string[]): string {
    const match = /^`([^`]+)`$/.exec(row[0]);
    if (!match) {
        throw new Error(`first cell is not a single backticked name: ${row[0]}`);
    }
    return match[1];
}
