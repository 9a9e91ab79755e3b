import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";

import { CompileCheck } from "../tools/mutation/compileCheck";

/**
 * `npm run mutation` reports a survivor that does not type-check as "not compiling" rather than as a gap in the tests
 * (tools/mutation/compileCheck.ts). Real tsgo on a scratch copy of the program: a check that passed everything would
 * hide type-invalid survivors among the real ones, and one that failed everything would hide real gaps.
 */

const ROOT = path.join(__dirname, "..");
const NAMING = readFileSync(path.join(ROOT, "components", "naming.ts"), "utf8");
const check = new CompileCheck(ROOT);
after(() => check.dispose());

describe("the mutation compile check", () => {
    it("passes a mutant the program's types accept and names the error of one they reject", async () => {
        const accepted = NAMING.replace(".slice(0, 128)", ".slice(0, 127)");
        assert.notEqual(accepted, NAMING);
        assert.equal(await check.errors("components/naming.ts", accepted), "");

        const rejected = NAMING.replace("return shortHash(clientId.toLowerCase());", "return 42;");
        assert.notEqual(rejected, NAMING);
        assert.match(
            await check.errors("components/naming.ts", rejected),
            /components\/naming\.ts\(\d+,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/,
        );
        // Each check starts from the project's own text: the rejected mutant is gone again.
        assert.equal(await check.errors("components/naming.ts", NAMING), "");
    });
});
