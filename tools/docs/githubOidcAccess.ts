import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

import * as prettier from "prettier";
import { parse } from "yaml";

import { renderAccessDoc } from "../../bootstrap/github-oidc/accessDoc";
import { identityPlans, type Environment } from "../../bootstrap/github-oidc/grants";

/**
 * Writes docs/github-oidc-access.md: the grants of bootstrap/github-oidc's sample configuration (Pulumi.ci.yaml) and
 * what they let each GitHub identity do on each cluster. `npm run docs:github-oidc`; tests/githubOidcAccessDoc.test.ts
 * fails when the committed file differs from what this writes.
 */

const ROOT = path.resolve(__dirname, "..", "..");
export const ACCESS_DOC = path.join(ROOT, "docs", "github-oidc-access.md");
const SAMPLE_STACK = path.join(ROOT, "bootstrap", "github-oidc", "Pulumi.ci.yaml");
/** The doc names no real repository or subscription: subjects and scopes read as placeholders. */
const REPOSITORY = "<owner>/<repo>";
const SUBSCRIPTION_ID = "<subscription>";

/** The document as it must be committed, formatted as Prettier formats it (npm run format:check). */
export async function githubOidcAccessDoc(): Promise<string> {
    const stack = parse(readFileSync(SAMPLE_STACK, "utf8")) as { config: Record<string, unknown> };
    const environments = stack.config["aks-openai-wi-github-oidc:environments"] as Environment[];
    const text = renderAccessDoc(
        identityPlans(REPOSITORY, SUBSCRIPTION_ID, environments),
        environments,
        SUBSCRIPTION_ID,
    );
    const options = (await prettier.resolveConfig(ACCESS_DOC)) ?? {};
    return prettier.format(text, { ...options, filepath: ACCESS_DOC });
}

if (require.main === module) {
    githubOidcAccessDoc()
        .then((text) => {
            writeFileSync(ACCESS_DOC, text);
            console.log(`wrote ${path.relative(ROOT, ACCESS_DOC)}`);
        })
        .catch((error: unknown) => {
            console.error(error instanceof Error ? error.message : error);
            process.exit(1);
        });
}
