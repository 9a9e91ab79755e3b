import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import { parse } from "yaml";

import { CONFIG_SCHEMA, configKeys, OTHER_NAMESPACE_KEYS, parseSettings } from "../components/config";
import { PROJECT_ROOT } from "./support/program";
import { doc, firstCellName, section, tableRows } from "./support/readme";

/**
 * docs/configuration.md's Keys table is the user's reference: it must list exactly the keys the program validates. The
 * accepted keys come from the schema the parser itself uses (components/config/schema.ts CONFIG_SCHEMA), never from a copy.
 */

const rows = tableRows(section(doc("docs/configuration.md"), "Keys"));
const documented = new Map(rows.map((row) => [firstCellName(row), row.join(" | ")]));
const accepted = [...configKeys().map((key) => key.path), ...OTHER_NAMESPACE_KEYS];

describe("docs/configuration.md's Keys table", () => {
    it("has rows to check (the table was found and parsed)", () => {
        assert.ok(rows.length >= 10, `only ${rows.length} rows parsed`);
    });

    it("documents every key the program accepts", () => {
        const undocumented = accepted.filter((key) => !documented.has(key));
        assert.deepEqual(undocumented, [], "add a docs/configuration.md row for each of these keys");
    });

    it("documents only keys the program accepts (a documented key the program rejects is a trap)", () => {
        const unknown = [...documented.keys()].filter((key) => !accepted.includes(key));
        assert.deepEqual(
            unknown,
            [],
            "these docs/configuration.md rows name keys that components/config/schema.ts does not accept",
        );
    });

    it("names every field of a list's items in that key's row", () => {
        for (const key of configKeys().filter((k) => k.itemKeys !== undefined)) {
            const row = documented.get(key.path) ?? "";
            for (const itemKey of key.itemKeys ?? []) {
                assert.match(row, new RegExp(`\\b${itemKey}\\b`), `${key.path}: item field "${itemKey}" not described`);
            }
        }
    });

    it("says which mode a mode-specific key belongs to", () => {
        for (const key of configKeys().filter((k) => k.modes !== undefined)) {
            const row = documented.get(key.path) ?? "";
            for (const mode of key.modes ?? []) {
                assert.ok(row.includes(`\`${mode}\``), `${key.path} is accepted only in mode(s) ${key.modes}: say so`);
            }
        }
    });
});

describe("the configuration schema", () => {
    it("is what the parser enforces: a key outside it is rejected, in every object it lists", () => {
        for (const objectPath of Object.keys(CONFIG_SCHEMA)) {
            const project = withUnknownKey(objectPath);
            assert.throws(
                () => parseSettings({ project, location: "eastus" }, { project: "aks-openai-wi", stack: "dev" }),
                (error: Error) => /aks-openai-wi:\S*notAKey is not a known key/.test(error.message),
                `an unknown key under "${objectPath}" was accepted`,
            );
        }
    });

    it("accepts every key Pulumi.yaml declares", () => {
        const project = parse(readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as {
            config?: Record<string, unknown>;
        };
        const declared = Object.keys(project.config ?? {});
        assert.ok(declared.length > 0);
        assert.deepEqual(
            declared.filter((key) => !accepted.includes(key)),
            [],
        );
    });
});

/** A valid project config (managed account, so every object has a mode that accepts it) plus `notAKey` at `objectPath`. */
function withUnknownKey(objectPath: string): Record<string, unknown> {
    const project: Record<string, unknown> = {
        resourceGroupName: "rg",
        cluster: { mode: "existing", name: "c" },
        openai: { mode: "managed", accountName: "acct" },
    };
    if (objectPath.endsWith("[]")) {
        project[objectPath.slice(0, -2)] = [{ namespace: "ns", name: "sa", notAKey: 1 }];
        return project;
    }
    let holder = project;
    for (const segment of objectPath === "" ? [] : objectPath.split(".")) {
        holder[segment] = { ...(holder[segment] as Record<string, unknown> | undefined) };
        holder = holder[segment] as Record<string, unknown>;
    }
    holder.notAKey = 1;
    return project;
}
