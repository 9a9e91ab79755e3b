import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

/**
 * The shell commands the documentation shows, checked for the traps a newcomer fell into (issue 13): JSON piped or
 * redirected from `npm run` without `-s` (npm prints its banner to stdout first), and output redirected into a folder
 * that does not exist yet (the shell opens the file before the command creates the folder).
 */

const ROOT = path.resolve(__dirname, "..");
const DOCS = [
    "README.md",
    ...readdirSync(path.join(ROOT, "docs")).map((file) => path.join("docs", file)),
    path.join("bootstrap", "github-oidc", "README.md"),
].filter((file) => file.endsWith(".md"));

/** Every line of every ```bash block, with its file and line number. */
function shellLines(): { where: string; line: string; block: string[] }[] {
    const found: { where: string; line: string; block: string[] }[] = [];
    for (const file of DOCS) {
        const lines = readFileSync(path.join(ROOT, file), "utf8").split("\n");
        let block: string[] | undefined;
        lines.forEach((line, index) => {
            if (/^```(bash|sh|shell)$/.test(line.trim())) {
                block = [];
            } else if (line.trim() === "```") {
                block = undefined;
            } else if (block !== undefined) {
                block.push(line);
                found.push({ where: `${file}:${index + 1}`, line: line.replace(/\s+#.*$/, ""), block: [...block] });
            }
        });
    }
    return found;
}

/** The command's stdout goes somewhere other than a terminal: a pipe or a redirect. */
function stdoutRedirect(line: string): string | undefined {
    return /(?<![2&])>\s*(\S+)/.exec(line)?.[1];
}

describe("the documentation's shell commands", () => {
    it("finds the commands to check", () => {
        assert.ok(shellLines().some((l) => l.line.includes("npm run plan")));
    });

    it("pipe or redirect JSON from npm run only with -s, so npm's banner stays out of it", () => {
        const bad = shellLines().filter(
            ({ line }) =>
                /npm run (?!-s |--silent )/.test(line) &&
                line.includes("--json") &&
                (line.includes("|") || stdoutRedirect(line) !== undefined),
        );
        assert.deepEqual(
            bad.map((l) => `${l.where}: ${l.line}`),
            [],
        );
    });

    it("redirect output only into a folder that exists or that an earlier line of the block creates", () => {
        const bad = shellLines().filter(({ line, block }) => {
            const target = stdoutRedirect(line);
            if (target === undefined || target.startsWith("$") || target.startsWith("/")) {
                return false;
            }
            const folder = path.dirname(target);
            if (folder === "." || existsSync(path.join(ROOT, folder))) {
                return false;
            }
            const earlier = block.slice(0, -1).join("\n");
            return !new RegExp(`mkdir -p (?:\\S+ )*${folder.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:\\s|$)`).test(
                earlier,
            );
        });
        assert.deepEqual(
            bad.map((l) => `${l.where}: ${l.line}`),
            [],
        );
    });
});

describe("the checks themselves", () => {
    it("see a redirect into a folder, and not a 2> or &> one", () => {
        assert.equal(stdoutRedirect('npm run -s plan -- --stack "$STACK" > out/plan/plan.txt'), "out/plan/plan.txt");
        assert.equal(stdoutRedirect("cmd 2> err.txt"), undefined);
        assert.equal(stdoutRedirect("cmd &> all.txt"), undefined);
    });
});
