import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { githubOidcAccessDoc } from "../tools/docs/githubOidcAccess";
import { doc, section, tableRows } from "./support/readme";

/**
 * docs/github-oidc-access.md is generated from bootstrap/github-oidc's grants, role definitions and sample stack by
 * `npm run docs:github-oidc`. A grant, a role's action list or the sample configuration that changes without the doc
 * being regenerated fails here, so the table a reviewer reads is the one the code makes.
 */

const FILE = "docs/github-oidc-access.md";

describe(FILE, () => {
    it("is exactly what npm run docs:github-oidc writes (regenerate it after changing bootstrap/github-oidc)", async () => {
        assert.equal(doc(FILE), await githubOidcAccessDoc());
    });

    it("shows every dangerous action as no for the preview identity, on every cluster", () => {
        const rows = tableRows(section(doc(FILE), "Dangerous actions, per identity and cluster"));
        const preview = rows.filter((row) => row[0] === "preview");
        assert.deepEqual(
            preview.map((row) => row[1]),
            ["dev: `myAKSCluster` (local accounts off)", "prod: `aks-store-prod` (local accounts off)"],
        );
        for (const row of preview) {
            assert.deepEqual(row.slice(2), ["no", "no", "no", "no", "no", "no", "no"], row[1]);
        }
    });

    it("shows the deploy identities' yes cells with the grant behind each", () => {
        const rows = tableRows(section(doc(FILE), "Dangerous actions, per identity and cluster"));
        const yes = rows.flatMap((row) =>
            row
                .slice(2)
                .filter((cell) => cell !== "no")
                .map((cell) => `${row[0]} × ${row[1]}: ${cell}`),
        );
        assert.deepEqual(yes, [
            "deploy-dev × dev: `myAKSCluster` (local accounts off): **yes**: aks-openai-wi cluster operator (custom) at the cluster",
            "deploy-dev × dev: `myAKSCluster` (local accounts off): **yes**: Azure Kubernetes Service RBAC Writer at namespace default",
            "deploy-prod × prod: `aks-store-prod` (local accounts off): **yes**: aks-openai-wi cluster operator (custom) at resource group rg-store-prod",
            "deploy-prod × prod: `aks-store-prod` (local accounts off): **yes**: member of admin group prod-cluster-admins (cluster-admin)",
            "deploy-prod × prod: `aks-store-prod` (local accounts off): **yes**: member of admin group prod-cluster-admins",
        ]);
    });
});
