import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ConfigError, isProductionStack, parseSettings, type Settings } from "../components/config";

/** The config keys of the lifecycle and hardening features: protect, aiService.runAsUser, aiService.networkPolicy. */

function seedRaw(): Record<string, unknown> {
    return {
        resourceGroupName: "myResourceGroup",
        cluster: { mode: "existing", name: "myAKSCluster" },
        openai: { mode: "existing", accountName: "myOpenAI", deploymentName: "gpt-4o-mini" },
        identity: { name: "myIdentity" },
        aiService: { namespace: "default", serviceAccountName: "ai-service-account" },
    };
}

function parse(project: Record<string, unknown>, stack = "dev"): Settings {
    return parseSettings({ project, location: "eastus" }, { project: "aks-openai-wi", stack });
}

function withAiService(aiService: Record<string, unknown>): Record<string, unknown> {
    const raw = seedRaw();
    return { ...raw, aiService: { ...(raw.aiService as object), ...aiService } };
}

/** The one problem the configuration is rejected with; it names the key, shows the value and gives a fix. */
function onlyProblem(project: Record<string, unknown>, key: string, value: string, stack = "dev"): string {
    let problems: readonly string[] = [];
    try {
        parse(project, stack);
    } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        problems = error.problems;
    }
    assert.equal(problems.length, 1, `expected one problem, got:\n${problems.join("\n")}`);
    const [problem] = problems;
    assert.ok(problem.includes(key), `does not name ${key}: ${problem}`);
    assert.ok(problem.includes(value), `does not show ${value}: ${problem}`);
    assert.match(problem, /Fix: /);
    return problem;
}

describe("protect", () => {
    it("defaults to on for production-named stacks", () => {
        for (const stack of ["prod", "production", "prd", "live", "PROD", "store-prod", "eu-west-production"]) {
            assert.equal(parse(seedRaw(), stack).protect, true, stack);
            assert.equal(isProductionStack(stack), true, stack);
        }
    });

    it("defaults to off for every other stack name", () => {
        for (const stack of ["dev", "test", "staging", "product", "prod-eu", "preprod", "liveness"]) {
            assert.equal(parse(seedRaw(), stack).protect, false, stack);
        }
    });

    it("follows an explicit value either way (booleans or the strings pulumi config set stores)", () => {
        assert.equal(parse({ ...seedRaw(), protect: true }, "dev").protect, true);
        assert.equal(parse({ ...seedRaw(), protect: "true" }, "dev").protect, true);
        assert.equal(parse({ ...seedRaw(), protect: false }, "prod").protect, false);
        assert.equal(parse({ ...seedRaw(), protect: "false" }, "prod").protect, false);
    });

    it("rejects anything but true or false, saying what the stack's default would be", () => {
        const problem = onlyProblem({ ...seedRaw(), protect: "yes" }, "aks-openai-wi:protect", '"yes"', "prod");
        assert.match(problem, /must be true or false \(default for stack "prod": true\)/);
        assert.match(problem, /pulumi config set 'aks-openai-wi:protect' true/);
    });

    it("catches a misspelt key instead of silently keeping the default", () => {
        const problem = onlyProblem({ ...seedRaw(), protected: true }, "aks-openai-wi:protected", "protect");
        assert.match(problem, /did you mean "protect"\?/);
        assert.match(problem, /Fix: pulumi config rm 'aks-openai-wi:protected'/);
    });
});

describe("aiService.runAsUser", () => {
    it("is not set by default: the upstream image runs as root", () => {
        assert.equal(parse(seedRaw()).aiService.runAsUser, undefined);
    });

    it("accepts a non-root UID, as a number or as the string pulumi config set stores", () => {
        assert.equal(parse(withAiService({ runAsUser: 10001 })).aiService.runAsUser, 10001);
        assert.equal(parse(withAiService({ runAsUser: "65532" })).aiService.runAsUser, 65532);
    });

    it("rejects UID 0, explaining that runAsNonRoot would refuse to start the pod", () => {
        const problem = onlyProblem(withAiService({ runAsUser: 0 }), "aks-openai-wi:aiService.runAsUser", "0");
        assert.match(problem, /UID 0 is root/);
        assert.match(problem, /pulumi config set --path 'aks-openai-wi:aiService\.runAsUser' 10001/);
    });

    it("rejects negative, fractional and non-numeric values", () => {
        for (const value of [-1, 1.5, "root", 2147483648]) {
            const problem = onlyProblem(
                withAiService({ runAsUser: value }),
                "aks-openai-wi:aiService.runAsUser",
                String(value),
            );
            assert.match(problem, /must be a whole number from 1 to 2147483647/);
        }
    });
});

describe("aiService.networkPolicy", () => {
    it("is off by default (it needs a network policy engine on the cluster)", () => {
        assert.deepEqual(parse(seedRaw()).aiService.networkPolicy, { enabled: false });
    });

    it("is turned on with enabled: true", () => {
        assert.deepEqual(parse(withAiService({ networkPolicy: { enabled: true } })).aiService.networkPolicy, {
            enabled: true,
        });
        assert.deepEqual(parse(withAiService({ networkPolicy: { enabled: "true" } })).aiService.networkPolicy, {
            enabled: true,
        });
    });

    it("rejects an enabled that is not a boolean", () => {
        const problem = onlyProblem(
            withAiService({ networkPolicy: { enabled: "yes" } }),
            "aks-openai-wi:aiService.networkPolicy.enabled",
            '"yes"',
        );
        assert.match(problem, /must be true or false/);
    });

    it("rejects a bare boolean where the object belongs", () => {
        const problem = onlyProblem(
            withAiService({ networkPolicy: true }),
            "aks-openai-wi:aiService.networkPolicy",
            "true",
        );
        assert.match(problem, /must be an object with keys enabled/);
    });

    it("catches a misspelt key", () => {
        const problem = onlyProblem(
            withAiService({ networkPolicy: { enable: true } }),
            "aks-openai-wi:aiService.networkPolicy.enable",
            "enable",
        );
        assert.match(problem, /did you mean "enabled"\?/);
    });
});
