import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { it } from "node:test";

import { renderText } from "../tools/plan/render";
import { PROJECT_ROOT } from "./support/program";
import { shippedPlan } from "./support/shippedStacks";

/** docs/plan.md shows the end of the dev stack's plan; it must be what `npm run plan -- --stack dev` prints. */
it("docs/plan.md's plan excerpt for the dev stack is, line for line, what the plan prints", async () => {
    const planDoc = readFileSync(path.join(PROJECT_ROOT, "docs", "plan.md"), "utf8");
    const block = /<!-- plan:dev:start -->\s*```text\n([\s\S]*?)\n```\s*<!-- plan:dev:end -->/.exec(planDoc);
    assert.ok(block, "docs/plan.md has no plan:dev block");
    const excerpt = block[1].split("\n");

    const printed = renderText(await shippedPlan("dev"))
        .split("\n")
        .map((line) => line.trimEnd());
    const start = printed.findIndex((line) => line.startsWith("ACCESS PATH"));
    const expected = printed.slice(start).filter((line) => !/^\s+(why|if broken):/.test(line));
    while (expected.at(-1) === "") {
        expected.pop();
    }
    assert.deepEqual(excerpt, expected);
});
