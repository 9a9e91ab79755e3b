import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import { GREENFIELD_CONFIG, withBootstrapOutputs } from "./support/configs";
import { runProgram, stackConfig } from "./support/program";
import { checkSnapshot, parseSnapshot, snapshotText, urnChangeMessage } from "./support/urnSnapshot";

/**
 * Every URN the program registers for the dev, prod and from-scratch stacks, compared with tests/snapshots/ on every
 * run (issue 14): a dropped `{ parent: this }`, a renamed child or a changed type token would make every existing
 * stack replace the resource, and nothing in a preview's inputs shows it.
 */

const SNAPSHOTS = path.join(__dirname, "snapshots");

/** From scratch with every optional resource on, so each kind of child the program can register has a URN here. */
const SCRATCH_CONFIG: Readonly<Record<string, unknown>> = {
    ...GREENFIELD_CONFIG,
    "aks-openai-wi:aiService": {
        namespace: "pets",
        createNamespace: true,
        replicas: 2,
        networkPolicy: { enabled: true },
    },
    "aks-openai-wi:additionalServiceAccounts": [{ namespace: "pets", name: "summarizer" }],
};

const STACKS: Readonly<Record<string, () => Readonly<Record<string, unknown>>>> = {
    dev: () => stackConfig("dev"),
    prod: () => withBootstrapOutputs(stackConfig("prod")),
    scratch: () => SCRATCH_CONFIG,
};

describe("URN stability: every resource keeps its identity in existing stacks", () => {
    for (const [stack, config] of Object.entries(STACKS)) {
        it(`the ${stack} stack registers exactly the URNs of tests/snapshots/urns-${stack}.txt`, async () => {
            const { resources } = await runProgram({ config: config(), stack });
            const file = path.join(SNAPSHOTS, `urns-${stack}.txt`);
            const problem = checkSnapshot(
                stack,
                file,
                resources.map((resource) => resource.urn),
            );
            assert.equal(problem, undefined, problem);
        });
    }

    it("the from-scratch snapshot holds the disruption budget and the network policy under ai-service", () => {
        const urns = parseSnapshot(readFileSync(path.join(SNAPSHOTS, "urns-scratch.txt"), "utf8"));
        assert.ok(
            urns.includes(
                "urn:pulumi:scratch::aks-openai-wi::aks-openai-wi:app:AiService$kubernetes:policy/v1:PodDisruptionBudget::ai-service-pdb",
            ),
        );
        assert.ok(
            urns.includes(
                "urn:pulumi:scratch::aks-openai-wi::aks-openai-wi:app:AiService$kubernetes:networking.k8s.io/v1:NetworkPolicy::ai-service-ingress",
            ),
        );
    });

    it("a re-parented resource fails with what moved, why it matters, and how to change it on purpose", () => {
        const pdb = "kubernetes:policy/v1:PodDisruptionBudget::ai-service-pdb";
        const before = [
            "urn:pulumi:prod::aks-openai-wi::aks-openai-wi:app:AiService::ai-service",
            `urn:pulumi:prod::aks-openai-wi::aks-openai-wi:app:AiService$${pdb}`,
        ];
        const after = [before[0], `urn:pulumi:prod::aks-openai-wi::${pdb}`];
        const message = urnChangeMessage("prod", "tests/snapshots/urns-prod.txt", before, after);
        assert.equal(
            message?.split("\n").slice(0, 3).join("\n"),
            [
                "The URNs the program registers for the prod stack differ from tests/snapshots/urns-prod.txt:",
                `  - urn:pulumi:prod::aks-openai-wi::aks-openai-wi:app:AiService$${pdb}`,
                `  + urn:pulumi:prod::aks-openai-wi::${pdb}`,
            ].join("\n"),
        );
        assert.match(message ?? "", /On every existing prod stack, `pulumi up` would delete each resource/);
        assert.match(
            message ?? "",
            /an alias on the resource \(`aliases: \[\{ parent: pulumi\.rootStackResource \}\]`/,
        );
        assert.match(message ?? "", /update the snapshot in the same commit: UPDATE_URN_SNAPSHOTS=1 node --import tsx/);
    });

    it("the same URNs in another order are no change; a snapshot is sorted and without duplicates", () => {
        assert.equal(urnChangeMessage("dev", "f", ["urn:b", "urn:a"], ["urn:a", "urn:b", "urn:a"]), undefined);
        assert.equal(snapshotText(["urn:b", "urn:a", "urn:b"]), "urn:a\nurn:b\n");
    });
});
