import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";

import { isProductionStack } from "../components/config";
import * as componentConstants from "../components/constants";
import { serviceAccountSubject as componentSubject } from "../components/naming";
import * as policyFacts from "../policy/facts";
import * as planFacts from "../tools/plan/facts";
import { WRONG_FACTS } from "./support/planWithWrongFact";

/**
 * The plan and the policy pack check the program against their own statement of the facts (tools/plan/facts.ts,
 * policy/facts.ts), never against components/constants.ts: a wrong constant in the program must turn both red, not
 * pass every check that borrowed it (issue 14, STYLE habit 15). Each case builds the dev plan in a process whose
 * program was loaded with one fact wrong (tests/support/planWithWrongFact.ts).
 */

interface Verdicts {
    readonly broken: readonly string[];
    readonly failing: readonly string[];
    readonly exitCode: number;
}

/** Every case's verdicts, from one child process (tests/support/planWithWrongFact.ts). */
let verdicts: Promise<Record<string, Verdicts>> | undefined;

async function planWithWrong(caseName: keyof typeof WRONG_FACTS): Promise<Verdicts> {
    verdicts ??= promisify(execFile)(
        process.execPath,
        [
            "--require",
            path.join(__dirname, "support", "typescript.cjs"),
            path.join(__dirname, "support", "planWithWrongFact.ts"),
            ...Object.keys(WRONG_FACTS),
        ],
        { cwd: path.join(__dirname, "..") },
    ).then(({ stdout }) => JSON.parse(stdout) as Record<string, Verdicts>);
    const verdict = (await verdicts)[caseName];
    assert.ok(verdict, `no verdict for case "${caseName}"`);
    return verdict;
}

const AUDIENCE = "api://AzureADTokenExchange";
const OPENAI_USER = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd";

describe("the plan and the policy pack keep their own statement of the facts", () => {
    it("the program, the plan and the pack state the same audience, role and subject form, each in its own words", () => {
        assert.equal(componentConstants.TOKEN_EXCHANGE_AUDIENCE, AUDIENCE);
        assert.equal(planFacts.TOKEN_EXCHANGE_AUDIENCE, AUDIENCE);
        assert.equal(policyFacts.TOKEN_EXCHANGE_AUDIENCE, AUDIENCE);
        assert.equal(componentConstants.OPENAI_USER_ROLE_ID, OPENAI_USER);
        assert.equal(planFacts.OPENAI_USER_ROLE_ID, OPENAI_USER);
        assert.equal(policyFacts.OPENAI_DATA_ROLES[OPENAI_USER], "Cognitive Services OpenAI User");
        for (const zone of [
            componentConstants.OPENAI_PRIVATE_DNS_ZONE,
            planFacts.OPENAI_PRIVATE_DNS_ZONE,
            policyFacts.OPENAI_PRIVATE_DNS_ZONE,
        ]) {
            assert.equal(zone, "privatelink.openai.azure.com");
        }
        for (const subject of [componentSubject, planFacts.serviceAccountSubject, policyFacts.serviceAccountSubject]) {
            assert.equal(subject("store", "ai-service"), "system:serviceaccount:store:ai-service");
        }
    });

    it("the program (read by `npm run verify`), the plan and the pack name the same credential variables", () => {
        // A name missing from one list is a key that check lets through onto a keyless pod.
        const credentialVariables = [
            "OPENAI_API_KEY",
            "AZURE_OPENAI_API_KEY",
            "AZURE_OPENAI_KEY",
            "AZURE_CLIENT_SECRET",
            "AZURE_CLIENT_CERTIFICATE_PASSWORD",
        ];
        assert.deepEqual(componentConstants.CREDENTIAL_ENV_NAMES, credentialVariables);
        assert.deepEqual(planFacts.CREDENTIAL_ENV_NAMES, credentialVariables);
        assert.deepEqual(policyFacts.CREDENTIAL_ENV_NAMES, credentialVariables);
    });

    it("the program, the plan and the pack name the same private-link group of an OpenAI account", () => {
        // A wrong group id gives a private endpoint Azure refuses, or one the network policies do not recognize.
        assert.equal(componentConstants.OPENAI_PRIVATE_LINK_GROUP, "account");
        assert.equal(planFacts.OPENAI_PRIVATE_LINK_GROUP, "account");
        assert.equal(policyFacts.OPENAI_PRIVATE_LINK_GROUP, "account");
    });

    it("the config and the pack treat the same stack names as production, and only those", () => {
        // The pack makes advisory policies mandatory on production stacks; the config turns protect on for them.
        // A stack one of them calls production and the other not gets one safeguard without the other.
        const production = ["prod", "PRODUCTION", "prd", "Live", "store-prod", "eu-Production"];
        const notProduction = ["preprod", "prod-eu", "store-prod-copy", "eu-production-test", "store-prd", "dev", ""];
        for (const stack of [...production, ...notProduction]) {
            const expected = production.includes(stack);
            assert.equal(isProductionStack(stack), expected, `config: ${stack}`);
            assert.equal(policyFacts.PRODUCTION_STACK.test(stack), expected, `pack: ${stack}`);
        }
    });

    it("with the true facts, the dev plan's access path is whole and no policy fails", async () => {
        assert.deepEqual(await planWithWrong("none"), { broken: [], failing: [], exitCode: 0 });
    });

    it("a wrong audience constant breaks the plan's audience check and fails the credential-form policy", async () => {
        assert.deepEqual(await planWithWrong("audience"), {
            broken: ["federated credential: audience"],
            failing: ["federated-credential-kubernetes-form"],
            exitCode: 1,
        });
    });

    it("a wrong role GUID constant breaks the plan's role check and fails the chain policy", async () => {
        assert.deepEqual(await planWithWrong("role guid"), {
            broken: ["role: role"],
            failing: ["workload-identity-chain"],
            exitCode: 1,
        });
    });

    it("a wrong subject form breaks the plan's subject check and fails the credential-form and chain policies", async () => {
        assert.deepEqual(await planWithWrong("subject form"), {
            broken: ["federated credential: subject"],
            failing: ["federated-credential-kubernetes-form", "workload-identity-chain"],
            exitCode: 1,
        });
    });

    it("a wrong private DNS zone breaks the prod plan's network hop and fails the zone-name policy", async () => {
        assert.deepEqual(await planWithWrong("private DNS zone"), {
            broken: ["network: private DNS zone"],
            failing: ["openai-private-dns-zone-name"],
            exitCode: 1,
        });
    });
});
