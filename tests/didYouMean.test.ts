import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { closest } from "../components/didYouMean";

/**
 * The typo suggestion every config error, `npm run plan` and `npm run verify` flag message uses ("did you mean ...?").
 * The edges decide what a user sees: which candidate wins a tie, how far a typo may be, and that the whole word counts.
 */
describe("closest: the suggestion for a typo", () => {
    it("suggests the nearest candidate, whatever its case", () => {
        assert.equal(
            closest("serviceAcountName", ["namespace", "serviceAccountName", "replicas"]),
            "serviceAccountName",
        );
        assert.equal(closest("AzureCLI", ["azurecli", "workloadidentity", "spn", "msi"]), "azurecli");
    });

    it("keeps the first of equally near candidates (the order the schema lists them)", () => {
        assert.equal(closest("ab", ["ac", "ad"]), "ac");
        assert.equal(closest("ab", ["ad", "ac"]), "ad");
    });

    it("accepts a short word at two edits and refuses it at three", () => {
        assert.equal(closest("namspce", ["namespace"]), "namespace"); // two letters missing
        assert.equal(closest("nmspce", ["namespace"]), undefined); // three
    });

    it("allows a long word one edit per four letters", () => {
        // 15 letters: 3 edits allowed, though a short word gets 2; 14 letters at 4 edits: too far.
        assert.equal(closest("serviceAcntName", ["serviceAccountName"]), "serviceAccountName");
        assert.equal(closest("serviceAcntNam", ["serviceAccountName"]), undefined);
    });

    it("compares the whole word, its last letter too", () => {
        assert.equal(closest("abcd", ["abc", "abcd"]), "abcd");
        assert.equal(closest("--stack", ["--stac", "--stack"]), "--stack");
    });

    it("suggests nothing from no candidates", () => {
        assert.equal(closest("anything", []), undefined);
    });
});
