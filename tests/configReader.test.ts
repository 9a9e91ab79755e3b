import assert from "node:assert/strict";
import { after, describe, it } from "node:test";

import * as pulumi from "@pulumi/pulumi";

import {
    configKeys,
    DEFAULTS,
    isProductionStack,
    loadSettings,
    RULES,
    type ObjectKeys,
    type Settings,
} from "../components/config";
import { parseConfigValue } from "../components/config/load";
import {
    checkString,
    ConfigObject,
    corrected,
    fixCommand,
    modeOf,
    Problems,
    show,
    type StringRule,
} from "../components/config/reader";
import { TEST_ADMIN_GROUP_ID } from "./support/world";
import { configErrorOf, parseProject, problemsOf, type ParseContext } from "./support/configParse";

/**
 * The validation toolkit (components/config/reader.ts), the key schema (schema.ts), the top-level parse (parse.ts),
 * the cluster section (cluster.ts) and the one place config is read through Pulumi (load.ts), pinned word for word.
 *
 * tests/config.test.ts and its neighbours check that a problem names the key and carries a fix, by pattern. A user
 * reads the whole line, though, and copies the fix command out of it: so here every message is compared in full (key,
 * value as typed, rule, fix command with or without `--path`), as are the defaults each reader falls back to and the
 * edges of every check (a bound itself, an empty string, a key set to nothing, a number typed as text).
 */

const ADMIN_GROUP = TEST_ADMIN_GROUP_ID;

/** The seed stack (Pulumi.dev.yaml) as raw project values: valid, so each case adds exactly its own problems. */
function seedRaw(): Record<string, unknown> {
    return {
        resourceGroupName: "myResourceGroup",
        cluster: { mode: "existing", name: "myAKSCluster" },
        openai: { mode: "existing", accountName: "myOpenAI", deploymentName: "gpt-4o-mini" },
    };
}

const managedCluster = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    ...seedRaw(),
    cluster: { mode: "managed", adminGroupObjectIds: [ADMIN_GROUP], ...extra },
});

const NAMESPACE_RULE =
    "use a Kubernetes namespace name: 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit";
const CLUSTER_NAME_RULE = "use 1-63 letters, digits, '-' or '_', starting and ending with a letter or digit";
const RESOURCE_GROUP_RULE = "use 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending with '.'";

describe("ConfigError: the one message pulumi prints", () => {
    it("counts one problem in the singular, with the problem on its own indented line", () => {
        const error = configErrorOf({ ...seedRaw(), cluster: { mode: "existing" } });
        assert.equal(
            error.message,
            "Invalid configuration (1 problem):\n" +
                `  - aks-openai-wi:cluster.name is required: ${CLUSTER_NAME_RULE}. ` +
                "Fix: pulumi config set --path 'aks-openai-wi:cluster.name' myAKSCluster",
        );
        assert.equal(error.name, "ConfigError");
    });

    it("counts several in the plural, one line each, in the order the keys are read", () => {
        const error = configErrorOf({ ...seedRaw(), resourceGroupName: "", cluster: { mode: "existing", name: "" } });
        assert.equal(
            error.message,
            "Invalid configuration (2 problems):\n" +
                `  - aks-openai-wi:resourceGroupName is required: ${RESOURCE_GROUP_RULE}. ` +
                "Fix: pulumi config set 'aks-openai-wi:resourceGroupName' myResourceGroup\n" +
                `  - aks-openai-wi:cluster.name is required: ${CLUSTER_NAME_RULE}. ` +
                "Fix: pulumi config set --path 'aks-openai-wi:cluster.name' myAKSCluster",
        );
    });

    it("is raised by Problems only when a problem was added", () => {
        const problems = new Problems();
        problems.throwIfAny();
        problems.add("one");
        assert.equal(problems.count, 1);
        assert.throws(() => problems.throwIfAny(), { name: "ConfigError", problems: ["one"] });
    });
});

describe("show and fixCommand: the value and the command inside every message", () => {
    it("renders a value as typed, and a key set to nothing as (no value)", () => {
        assert.equal(show(null), "(no value)");
        assert.equal(show(undefined), "(no value)");
        assert.equal(show("eastus"), '"eastus"');
        assert.equal(show(""), '""');
        assert.equal(show(3), "3");
        assert.equal(show(false), "false");
        assert.equal(show(["a", 1]), '["a",1]');
        assert.equal(show({ mode: "managed" }), '{"mode":"managed"}');
    });

    it("adds --path for a nested key or a list item, and only then", () => {
        assert.equal(fixCommand("protect", "true"), "pulumi config set 'aks-openai-wi:protect' true");
        assert.equal(fixCommand("cluster.name", "x"), "pulumi config set --path 'aks-openai-wi:cluster.name' x");
        assert.equal(
            fixCommand("additionalServiceAccounts[0]", "x"),
            "pulumi config set --path 'aks-openai-wi:additionalServiceAccounts[0]' x",
        );
        assert.equal(fixCommand("azure-native:location", "eastus"), "pulumi config set 'azure-native:location' eastus");
    });

    it("judges nesting after the namespace, so a project name with dots is not a nested key", () => {
        assert.equal(fixCommand("my.project:region", "x"), "pulumi config set 'my.project:region' x");
        assert.equal(fixCommand("my.project:a.b", "x"), "pulumi config set --path 'my.project:a.b' x");
    });
});

describe("corrected: the fix shows the user's own value, corrected", () => {
    const titleWords: StringRule = {
        pattern: /^[A-Z][a-z]*(?:-[A-Z][a-z]*)*$/,
        rule: "capitalized words joined by '-'",
        example: "Example",
    };

    it("offers nothing for a value that already holds", () => {
        assert.equal(corrected("mystore", RULES.namespace), undefined);
    });

    it("offers nothing for a value that is only blanks (an empty name is no correction)", () => {
        assert.equal(corrected("   ", { rule: "at most 2 characters", example: "ab", maxLength: 2 }), undefined);
    });

    it("keeps the case when only the blanks are wrong: each run of blanks becomes one '-'", () => {
        assert.equal(corrected("My  Store", titleWords), "My-Store");
        assert.equal(corrected("My Store", titleWords), "My-Store");
    });

    it("offers nothing for a value that is not a string", () => {
        assert.equal(corrected(5, RULES.namespace), undefined);
    });
});

describe("parseSettings: every message a user reads, word for word", () => {
    const cases: readonly {
        readonly name: string;
        readonly project: Record<string, unknown>;
        readonly context?: ParseContext;
        readonly problems: readonly string[];
    }[] = [
        {
            name: "a section set to a plain value: the keys it takes, and the first of them as the fix",
            project: { ...seedRaw(), cluster: "myAKSCluster" },
            problems: [
                'aks-openai-wi:cluster = "myAKSCluster": must be an object with keys mode, name, kubeloginMode. ' +
                    "Fix: set it as a YAML mapping in Pulumi.<stack>.yaml, or use pulumi config set --path 'aks-openai-wi:cluster.mode' <value>",
            ],
        },
        {
            name: "a name typed as a number: must be a string, with the rule",
            project: { ...seedRaw(), cluster: { mode: "existing", name: 42 } },
            problems: [
                `aks-openai-wi:cluster.name = 42: must be a string: ${CLUSTER_NAME_RULE}. ` +
                    "Fix: pulumi config set --path 'aks-openai-wi:cluster.name' myAKSCluster",
            ],
        },
        {
            name: "an unknown key that resembles no allowed key: no guess, the allowed keys, the rm command",
            project: { ...seedRaw(), identity: { zzzzzz: 1 } },
            problems: [
                "aks-openai-wi:identity.zzzzzz is not a known key; allowed keys: name. " +
                    "Fix: pulumi config rm --path 'aks-openai-wi:identity.zzzzzz'",
            ],
        },
        {
            name: "a misspelled key: the key meant",
            project: { ...seedRaw(), identity: { nmae: "myIdentity" } },
            problems: [
                'aks-openai-wi:identity.nmae is not a known key (did you mean "name"?); allowed keys: name. ' +
                    "Fix: pulumi config rm --path 'aks-openai-wi:identity.nmae'",
            ],
        },
        {
            name: "a key another cluster mode takes: says which mode, lists this mode's keys",
            project: { ...seedRaw(), cluster: { mode: "existing", name: "myAKSCluster", nodeCount: 3 } },
            problems: [
                'aks-openai-wi:cluster.nodeCount is not a known key when cluster.mode is "existing"; ' +
                    "allowed keys: mode, name, kubeloginMode. Fix: pulumi config rm --path 'aks-openai-wi:cluster.nodeCount'",
            ],
        },
        {
            name: "an unknown top-level key: no --path in the rm command",
            project: { ...seedRaw(), resourceGroupNmae: "rg" },
            problems: [
                'aks-openai-wi:resourceGroupNmae is not a known key (did you mean "resourceGroupName"?); allowed keys: ' +
                    "resourceGroupName, armEndpoint, cluster, openai, identity, aiService, additionalServiceAccounts, " +
                    "protect, smokeTest, audit. Fix: pulumi config rm 'aks-openai-wi:resourceGroupNmae'",
            ],
        },
        {
            name: "an unknown cluster mode: the modes, and the default mode as the fix",
            project: { ...seedRaw(), cluster: { mode: "Managed", name: "myAKSCluster" } },
            problems: [
                'aks-openai-wi:cluster.mode = "Managed": must be one of "existing", "managed", "stack". ' +
                    "Fix: pulumi config set --path 'aks-openai-wi:cluster.mode' existing",
            ],
        },
        {
            name: "a kubeloginMode in the wrong case: the choices, and the one meant",
            project: { ...seedRaw(), cluster: { mode: "existing", name: "myAKSCluster", kubeloginMode: "azureCLI" } },
            problems: [
                'aks-openai-wi:cluster.kubeloginMode = "azureCLI": must be one of "azurecli", "workloadidentity", "spn", "msi". ' +
                    "Fix: pulumi config set --path 'aks-openai-wi:cluster.kubeloginMode' azurecli",
            ],
        },
        {
            name: "a node count that is not a number (true): the example count",
            project: managedCluster({ nodeCount: true }),
            problems: [
                "aks-openai-wi:cluster.nodeCount = true: must be a whole number from 1 to 100. " +
                    "Fix: pulumi config set --path 'aks-openai-wi:cluster.nodeCount' 2",
            ],
        },
        {
            name: "a node count in exponent notation is not a whole number as typed",
            project: managedCluster({ nodeCount: "1e1" }),
            problems: [
                'aks-openai-wi:cluster.nodeCount = "1e1": must be a whole number from 1 to 100. ' +
                    "Fix: pulumi config set --path 'aks-openai-wi:cluster.nodeCount' 2",
            ],
        },
        {
            name: "a node count below the range: the nearest allowed count",
            project: managedCluster({ nodeCount: 0 }),
            problems: [
                "aks-openai-wi:cluster.nodeCount = 0: must be a whole number from 1 to 100. " +
                    "Fix: pulumi config set --path 'aks-openai-wi:cluster.nodeCount' 1",
            ],
        },
        {
            name: "a node count above the range, typed as text: the nearest allowed count",
            project: managedCluster({ nodeCount: "101" }),
            problems: [
                'aks-openai-wi:cluster.nodeCount = "101": must be a whole number from 1 to 100. ' +
                    "Fix: pulumi config set --path 'aks-openai-wi:cluster.nodeCount' 100",
            ],
        },
        {
            name: "a namespace too long only because of blanks around it: the value trimmed",
            project: { ...seedRaw(), aiService: { namespace: ` ${"a".repeat(63)} ` } },
            problems: [
                `aks-openai-wi:aiService.namespace = " ${"a".repeat(63)} ": is 65 characters long; at most 63 are allowed ` +
                    `(${NAMESPACE_RULE}). Fix: pulumi config set --path 'aks-openai-wi:aiService.namespace' ${"a".repeat(63)}`,
            ],
        },
        {
            name: "a namespace with capitals and a run of underscores: lowercased, the run one '-'",
            project: { ...seedRaw(), aiService: { namespace: "My__Pets" } },
            problems: [
                `aks-openai-wi:aiService.namespace = "My__Pets": ${NAMESPACE_RULE}. ` +
                    "Fix: pulumi config set --path 'aks-openai-wi:aiService.namespace' my-pets",
            ],
        },
        {
            name: "a ServiceAccount name too long even lowercased: the example, not a name still too long",
            project: { ...seedRaw(), aiService: { serviceAccountName: "A".repeat(254) } },
            problems: [
                `aks-openai-wi:aiService.serviceAccountName = "${"A".repeat(254)}": is 254 characters long; at most 253 ` +
                    "are allowed (use a Kubernetes ServiceAccount name: lowercase letters, digits, '-' and '.', starting and " +
                    "ending with a letter or digit, at most 253 characters). " +
                    "Fix: pulumi config set --path 'aks-openai-wi:aiService.serviceAccountName' ai-service-account",
            ],
        },
        {
            name: "an image with capitals: lowercased, keeping the '_' an image path allows",
            project: { ...seedRaw(), aiService: { image: "ghcr.io/My_Org/ai-service:1.0" } },
            problems: [
                'aks-openai-wi:aiService.image = "ghcr.io/My_Org/ai-service:1.0": use an image reference ' +
                    "registry/repository:tag or registry/repository@sha256:<digest>, lowercase. " +
                    "Fix: pulumi config set --path 'aks-openai-wi:aiService.image' ghcr.io/my_org/ai-service:1.0",
            ],
        },
        {
            name: "a boolean that is neither true nor false: the default as the fix",
            project: { ...seedRaw(), aiService: { createNamespace: "yes" } },
            problems: [
                'aks-openai-wi:aiService.createNamespace = "yes": must be true or false. ' +
                    "Fix: pulumi config set --path 'aks-openai-wi:aiService.createNamespace' false",
            ],
        },
        {
            name: "protect that is neither true nor false: the default this stack name gives",
            project: { ...seedRaw(), protect: "yes" },
            problems: [
                'aks-openai-wi:protect = "yes": must be true or false (default for stack "dev": false). ' +
                    "Fix: pulumi config set 'aks-openai-wi:protect' true",
            ],
        },
        {
            name: "protect on a production stack: says the default is true",
            project: { ...seedRaw(), protect: 1 },
            context: { stack: "prod" },
            problems: [
                'aks-openai-wi:protect = 1: must be true or false (default for stack "prod": true). ' +
                    "Fix: pulumi config set 'aks-openai-wi:protect' true",
            ],
        },
        {
            name: "an empty resource group name is missing, not malformed",
            project: { ...seedRaw(), resourceGroupName: "" },
            problems: [
                `aks-openai-wi:resourceGroupName is required: ${RESOURCE_GROUP_RULE}. ` +
                    "Fix: pulumi config set 'aks-openai-wi:resourceGroupName' myResourceGroup",
            ],
        },
        {
            name: "a resource group name typed as a number: must be a string",
            project: { ...seedRaw(), resourceGroupName: 2024 },
            problems: [
                `aks-openai-wi:resourceGroupName = 2024: must be a string: ${RESOURCE_GROUP_RULE}. ` +
                    "Fix: pulumi config set 'aks-openai-wi:resourceGroupName' myResourceGroup",
            ],
        },
        {
            name: "an empty location is missing, with why the stack needs one",
            project: seedRaw(),
            context: { location: "" },
            problems: [
                "azure-native:location is required: the stack always creates the workload's managed identity, and " +
                    "Azure needs a region for it. Fix: pulumi config set 'azure-native:location' eastus",
            ],
        },
        {
            name: "no location at all: the same",
            project: seedRaw(),
            context: { location: undefined },
            problems: [
                "azure-native:location is required: the stack always creates the workload's managed identity, and " +
                    "Azure needs a region for it. Fix: pulumi config set 'azure-native:location' eastus",
            ],
        },
        {
            name: "a location as the portal shows it: the region name meant, under azure-native",
            project: seedRaw(),
            context: { location: "WestEurope" },
            problems: [
                'azure-native:location = "WestEurope": use an Azure region name such as eastus ' +
                    "(az account list-locations -o table). Fix: pulumi config set 'azure-native:location' westeurope",
            ],
        },
        {
            name: "this project's keys outside its namespace (another namespace, none, the location's)",
            project: seedRaw(),
            context: {
                otherKeys: [
                    "x:resourceGroupName",
                    "resourceGroupName",
                    "aks-openai:location",
                    "azure-native:location",
                    "kubernetes:context",
                    "aks-openai:unrelated",
                ],
            },
            problems: [
                '"x:resourceGroupName" is not a key this project reads (did you mean aks-openai-wi:resourceGroupName?): ' +
                    "in a stack file every key carries its namespace. Fix: rename it to aks-openai-wi:resourceGroupName in Pulumi.<stack>.yaml",
                '"resourceGroupName" is not a key this project reads (did you mean aks-openai-wi:resourceGroupName?): ' +
                    "in a stack file every key carries its namespace. Fix: rename it to aks-openai-wi:resourceGroupName in Pulumi.<stack>.yaml",
                '"aks-openai:location" is not a key this project reads (did you mean azure-native:location?): ' +
                    "in a stack file every key carries its namespace. Fix: rename it to azure-native:location in Pulumi.<stack>.yaml",
            ],
        },
    ];

    for (const { name, project, context, problems } of cases) {
        it(name, () => {
            assert.deepEqual(problemsOf(project, context), problems);
        });
    }
});

describe("parseSettings: a key set to nothing keeps its default", () => {
    it("treats null like an absent key in every reader", () => {
        const settings = parseProject(
            {
                ...seedRaw(),
                armEndpoint: null,
                protect: null,
                identity: { name: null },
                cluster: { mode: null, name: "myAKSCluster", kubeloginMode: null },
            },
            { stack: "prod" },
        );
        assert.equal(settings.armEndpoint, "https://management.azure.com/");
        assert.equal(settings.protect, true);
        assert.equal(settings.identityName, "id-aks-openai-wi-prod");
        assert.deepEqual(settings.cluster, { mode: "existing", name: "myAKSCluster", kubeloginMode: "azurecli" });
    });

    it("keeps a managed cluster's defaults for keys set to nothing", () => {
        const cluster = parseProject(managedCluster({ name: null, nodeCount: null, nodeVmSize: null })).cluster;
        assert.equal(cluster.mode, "managed");
        assert.deepEqual(
            [cluster.name, cluster.kubernetesVersion, cluster.nodeCount, cluster.nodeVmSize],
            ["aks-aks-openai-wi-dev", undefined, DEFAULTS.nodeCount, DEFAULTS.nodeVmSize],
        );
        assert.deepEqual([DEFAULTS.nodeCount, DEFAULTS.nodeVmSize], [2, "Standard_D2s_v5"]);
    });

    it("follows protect set to false as text on a production stack", () => {
        assert.equal(parseProject({ ...seedRaw(), protect: "false" }, { stack: "prod" }).protect, false);
    });
});

describe("readCluster: each mode reads its own keys", () => {
    it("managed: reads the version, node count and VM size as set", () => {
        const cluster = parseProject(
            managedCluster({ kubernetesVersion: "1.33", nodeCount: "3", nodeVmSize: "Standard_D4s_v5" }),
        ).cluster;
        assert.equal(cluster.mode, "managed");
        assert.deepEqual(
            [cluster.kubernetesVersion, cluster.nodeCount, cluster.nodeVmSize],
            ["1.33", 3, "Standard_D4s_v5"],
        );
    });

    it("managed: the node count's bounds themselves are allowed", () => {
        for (const nodeCount of [1, 100, "1", "100"]) {
            const cluster = parseProject(managedCluster({ nodeCount })).cluster;
            assert.equal(cluster.mode === "managed" && cluster.nodeCount, Number(nodeCount));
        }
    });

    it("stack: reads the output names as set, else the defaults", () => {
        const custom = parseProject({
            ...seedRaw(),
            cluster: {
                mode: "stack",
                stackReference: "myorg/aks-platform/dev",
                issuerUrlOutput: "issuer",
                kubeconfigOutput: "adminKubeconfig",
                kubeloginMode: "spn",
            },
        }).cluster;
        assert.deepEqual(custom, {
            mode: "stack",
            stackReference: "myorg/aks-platform/dev",
            issuerUrlOutput: "issuer",
            kubeconfigOutput: "adminKubeconfig",
            kubeloginMode: "spn",
        });
        const defaults = parseProject({ ...seedRaw(), cluster: { mode: "stack", stackReference: "o/p/s" } }).cluster;
        assert.deepEqual(defaults, {
            mode: "stack",
            stackReference: "o/p/s",
            issuerUrlOutput: "oidcIssuerUrl",
            kubeconfigOutput: "kubeconfig",
            kubeloginMode: "azurecli",
        });
    });
});

describe("ConfigObject: the readers' edges", () => {
    const keys = ["name", "count", "flag", "kind"];
    const reader = (raw: unknown): { problems: Problems; object: ConfigObject } => {
        const problems = new Problems();
        return { problems, object: new ConfigObject(problems, "section", raw, keys) };
    };

    it("has(): a key set to nothing is not present", () => {
        const { object } = reader({ name: null, count: 0 });
        assert.equal(object.has("name"), false);
        assert.equal(object.has("count"), true);
        assert.equal(object.has("flag"), false);
    });

    it("requiredString(): returns '' for a missing, empty or invalid value, recording one problem each", () => {
        for (const value of [undefined, null, "", 5, "not valid!"]) {
            const { problems, object } = reader({ name: value });
            assert.equal(object.requiredString("name", RULES.clusterName), "", String(value));
            assert.equal(problems.count, 1, String(value));
        }
    });

    it("requiredString(): a section that is not an object reports itself once, not each required key", () => {
        const { problems, object } = reader("text");
        assert.equal(object.requiredString("name", RULES.clusterName), "");
        assert.equal(problems.count, 1);
    });

    it("string(): falls back to the default for an absent, empty-valued or invalid value", () => {
        const { problems, object } = reader({ name: null, kind: "Not Valid" });
        assert.equal(object.string("name", RULES.clusterName, "fallback"), "fallback");
        assert.equal(object.string("kind", RULES.clusterName, "fallback"), "fallback");
        assert.equal(problems.count, 1);
    });

    it("integer(): numbers and whole-number text within bounds; anything else is the default and a problem", () => {
        const rule = { min: 1, max: 5, example: "3" };
        const accepted: [unknown, number][] = [
            [1, 1],
            [5, 5],
            ["1", 1],
            ["5", 5],
            [null, 4],
            [undefined, 4],
        ];
        for (const [value, expected] of accepted) {
            const { problems, object } = reader({ count: value });
            assert.equal(object.integer("count", rule, 4), expected, String(value));
            assert.equal(problems.count, 0, String(value));
        }
        for (const value of [0, 6, "0", "-1", " 2", "2 ", "1e0", "0x2", "", true, 2.5, "2.5"]) {
            const { problems, object } = reader({ count: value });
            assert.equal(object.integer("count", rule, 4), 4, JSON.stringify(value));
            assert.equal(problems.count, 1, JSON.stringify(value));
        }
    });

    it("boolean(): true/false and their text; null is the default", () => {
        const expected: [unknown, boolean][] = [
            [true, true],
            ["true", true],
            [false, false],
            ["false", false],
            [null, true],
        ];
        for (const [value, result] of expected) {
            const { problems, object } = reader({ flag: value });
            assert.equal(object.boolean("flag", true), result, String(value));
            assert.equal(problems.count, 0, String(value));
        }
        const { problems, object } = reader({ flag: "" });
        assert.equal(object.boolean("flag", true), true);
        assert.equal(problems.count, 1);
    });

    it("oneOf(): null is the default, an unknown value the default and a problem", () => {
        const nothing = reader({ kind: null });
        assert.equal(nothing.object.oneOf("kind", ["a", "b"], "b"), "b");
        assert.equal(nothing.problems.count, 0);
        const unknown = reader({ kind: 7 });
        assert.equal(unknown.object.oneOf("kind", ["a", "b"], "b"), "b");
        assert.equal(unknown.problems.count, 1);
    });

    it("modeOf(): a mode set to nothing is the fallback; a wrong one names the mode key's fix", () => {
        const problems = new Problems();
        assert.equal(
            modeOf(problems, "audit.workspace", { mode: null }, ["managed", "existing"], "managed"),
            "managed",
        );
        assert.equal(problems.count, 0);
        assert.equal(modeOf(problems, "audit.workspace", { mode: 1 }, ["managed", "existing"], "managed"), "managed");
        assert.throws(() => problems.throwIfAny(), {
            problems: [
                'aks-openai-wi:audit.workspace.mode = 1: must be one of "managed", "existing". ' +
                    "Fix: pulumi config set --path 'aks-openai-wi:audit.workspace.mode' managed",
            ],
        });
    });
});

describe("checkString: length is judged before the pattern, the bound itself allowed", () => {
    it("takes a value of exactly maxLength characters", () => {
        const problems = new Problems();
        const name = `a${"b".repeat(61)}c`;
        assert.equal(checkString(problems, "aiService.namespace", name, RULES.namespace), name);
        assert.equal(problems.count, 0);
    });

    it("reports one character more as too long", () => {
        const problems = new Problems();
        assert.equal(checkString(problems, "aiService.namespace", "a".repeat(64), RULES.namespace), undefined);
        assert.equal(problems.count, 1);
    });
});

describe("schema: production stacks, image references, the list of keys", () => {
    it("reads prod, production, prd, live and *-prod, *-production as production, in any case", () => {
        for (const stack of ["prod", "PRODUCTION", "prd", "live", "store-prod", "eu-production"]) {
            assert.equal(isProductionStack(stack), true, stack);
        }
    });

    it("reads a name that only contains -prod as not production", () => {
        for (const stack of ["store-prod-copy", "eu-production-test", "preprod", "prod-eu", "store-prd"]) {
            assert.equal(isProductionStack(stack), false, stack);
        }
    });

    it("accepts the image references a registry serves", () => {
        for (const image of [
            DEFAULTS.image,
            "nginx:1.27.0",
            "ai_service:1.0",
            "my--app:1",
            "localhost:5000/app:1.0",
            "r:5000/app:1.0",
            "ghcr.io/org/ai_service:1",
            "ghcr.io/org/my--app:1",
            `ghcr.io/org/app@sha256:${"a0".repeat(32)}`,
        ]) {
            assert.equal(RULES.image.pattern.test(image), true, image);
        }
    });

    it("rejects capitals, blanks, a short digest and a port that is not a number", () => {
        for (const image of [
            "ghcr.io/Org/app:1",
            "my app:1",
            "ghcr.io/org/my app:1",
            "localhost:port/app:1",
            `ghcr.io/org/app@sha256:${"a0".repeat(31)}`,
            `ghcr.io/org/app@sha256:${"g0".repeat(32)}`,
        ]) {
            assert.equal(RULES.image.pattern.test(image), false, image);
        }
    });

    it("configKeys(): objects expand, lists of objects keep their item keys, mode-only keys say which modes", () => {
        const schema: Readonly<Record<string, ObjectKeys>> = {
            "": ["section", "list", "plain"],
            section: { x: ["mode", "onlyX", "both"], y: ["mode", "nested", "both"] },
            "section.nested": ["deep"],
            "list[]": ["k", "v"],
        };
        assert.deepStrictEqual(configKeys(schema), [
            { path: "section.mode", modes: undefined },
            { path: "section.onlyX", modes: ["x"] },
            { path: "section.both", modes: undefined },
            { path: "section.nested.deep", modes: ["y"] },
            { path: "list", modes: undefined, itemKeys: ["k", "v"] },
            { path: "plain", modes: undefined },
        ]);
    });

    it("configKeys(): the program's keys, with the cluster, openai and workspace modes that accept them", () => {
        const rendered = configKeys().map(
            (key) =>
                key.path +
                (key.modes ? ` (${key.modes.join(", ")})` : "") +
                (key.itemKeys ? ` [${key.itemKeys.join(", ")}]` : ""),
        );
        assert.deepEqual(rendered, [
            "resourceGroupName",
            "armEndpoint",
            "cluster.mode",
            "cluster.name (existing, managed)",
            "cluster.kubeloginMode",
            "cluster.kubernetesVersion (managed)",
            "cluster.nodeCount (managed)",
            "cluster.nodeVmSize (managed)",
            "cluster.adminGroupObjectIds (managed)",
            "cluster.localAccounts (managed)",
            "cluster.network.addressSpace (managed)",
            "cluster.network.nodeSubnet (managed)",
            "cluster.network.endpointSubnet (managed)",
            "cluster.network.podCidr (managed)",
            "cluster.network.serviceCidr (managed)",
            "cluster.network.dnsServiceIp (managed)",
            "cluster.stackReference (stack)",
            "cluster.issuerUrlOutput (stack)",
            "cluster.kubeconfigOutput (stack)",
            "openai.mode",
            "openai.accountName",
            "openai.deploymentName",
            "openai.apiVersion",
            "openai.network",
            "openai.privateEndpoint.subnetId",
            "openai.privateEndpoint.vnetId",
            "openai.customSubDomainName (managed)",
            "openai.disableLocalAuth (managed)",
            "openai.model.name (managed)",
            "openai.model.version (managed)",
            "openai.sku.name (managed)",
            "openai.sku.capacity (managed)",
            "openai.allowedIpRanges (managed)",
            "identity.name",
            "aiService.namespace",
            "aiService.serviceAccountName",
            "aiService.federatedCredentialName",
            "aiService.createNamespace",
            "aiService.image",
            "aiService.replicas",
            "aiService.resources.requests.cpu",
            "aiService.resources.requests.memory",
            "aiService.resources.limits.cpu",
            "aiService.resources.limits.memory",
            "aiService.adoptExisting",
            "aiService.runAsUser",
            "aiService.networkPolicy.enabled",
            "additionalServiceAccounts [namespace, name, federatedCredentialName]",
            "protect",
            "smokeTest.enabled",
            "smokeTest.image",
            "smokeTest.retryForSeconds",
            "audit.enabled",
            "audit.workspace.mode",
            "audit.workspace.name (managed)",
            "audit.workspace.retentionInDays (managed)",
            "audit.workspace.id (existing)",
        ]);
    });
});

describe("parseConfigValue: what Pulumi hands over, as the readers see it", () => {
    it("parses objects and lists, even with blanks around them", () => {
        assert.deepEqual(parseConfigValue('{"mode":"managed"}'), { mode: "managed" });
        assert.deepEqual(parseConfigValue('  ["a", "b"]\n'), ["a", "b"]);
        assert.deepEqual(parseConfigValue("[1]"), [1]);
    });

    it("reads a key left empty (null, even with blanks) as not set", () => {
        assert.equal(parseConfigValue("null"), null);
        assert.equal(parseConfigValue(" null\n"), null);
    });

    it("keeps every other value as the text typed: numbers, booleans and broken JSON too", () => {
        for (const text of ["2024", "true", '"quoted"', "eastus", "{not json", "[1,", ""]) {
            assert.equal(parseConfigValue(text), text);
        }
    });
});

describe("loadSettings: reads config through Pulumi", () => {
    const mocks: pulumi.runtime.Mocks = {
        newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs as Record<string, unknown> }),
        call: (args) => args.inputs as Record<string, unknown>,
    };

    async function load(config: Record<string, string>): Promise<Settings> {
        pulumi.runtime.setAllConfig(config);
        await pulumi.runtime.setMocks(mocks, "aks-openai-wi", "dev", false);
        return loadSettings();
    }

    after(() => pulumi.runtime.setAllConfig({}));

    it("takes the project's keys without their namespace, objects parsed, and azure-native:location", async () => {
        const settings = await load({
            "aks-openai-wi:resourceGroupName": "2024",
            "aks-openai-wi:cluster": JSON.stringify({ mode: "existing", name: "myAKSCluster" }),
            "aks-openai-wi:openai": JSON.stringify(seedRaw().openai),
            "azure-native:location": "westeurope",
            "kubernetes:context": "unrelated",
        });
        assert.equal(settings.project, "aks-openai-wi");
        assert.equal(settings.stack, "dev");
        assert.equal(settings.location, "westeurope");
        assert.equal(settings.resourceGroupName, "2024");
        assert.deepEqual(settings.cluster, { mode: "existing", name: "myAKSCluster", kubeloginMode: "azurecli" });
    });

    it("reports a project key set under another namespace", async () => {
        await assert.rejects(
            load({
                "aks-openai:resourceGroupName": "myResourceGroup",
                "aks-openai-wi:cluster": JSON.stringify({ mode: "existing", name: "myAKSCluster" }),
                "aks-openai-wi:openai": JSON.stringify(seedRaw().openai),
                "azure-native:location": "eastus",
            }),
            {
                name: "ConfigError",
                problems: [
                    '"aks-openai:resourceGroupName" is not a key this project reads (did you mean ' +
                        "aks-openai-wi:resourceGroupName?): in a stack file every key carries its namespace. " +
                        "Fix: rename it to aks-openai-wi:resourceGroupName in Pulumi.<stack>.yaml",
                    `aks-openai-wi:resourceGroupName is required: ${RESOURCE_GROUP_RULE}. ` +
                        "Fix: pulumi config set 'aks-openai-wi:resourceGroupName' myResourceGroup",
                ],
            },
        );
    });
});
