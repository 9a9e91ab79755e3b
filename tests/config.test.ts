import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ConfigError, DEFAULTS, parseQuantity, parseSettings } from "../components/config";
import { parseConfigValue } from "../components/config/load";
import { TEST_ADMIN_GROUP_ID as ADMIN_GROUP } from "./support/world";
import { parseProject, problemsOf } from "./support/configParse";

/** The seed configuration (Pulumi.dev.yaml) as raw values, to start each case from. */
function seedRaw(): Record<string, unknown> {
    return {
        resourceGroupName: "myResourceGroup",
        cluster: { mode: "existing", name: "myAKSCluster" },
        openai: { mode: "existing", accountName: "myOpenAI", deploymentName: "gpt-4o-mini" },
        identity: { name: "myIdentity" },
        aiService: {
            namespace: "default",
            serviceAccountName: "ai-service-account",
            federatedCredentialName: "myFederatedCredential",
        },
    };
}

/** Asserts exactly one problem, which names the key, shows the value, and carries a fix. */
function assertSingleProblem(
    project: Record<string, unknown>,
    key: string,
    value: string | undefined,
    fix: RegExp,
): void {
    const problems = problemsOf(project);
    assert.equal(problems.length, 1, `expected one problem, got:\n${problems.join("\n")}`);
    const [problem] = problems;
    assert.ok(problem.includes(key), `problem does not name ${key}: ${problem}`);
    if (value !== undefined) {
        assert.ok(problem.includes(value), `problem does not show the value ${value}: ${problem}`);
    }
    assert.match(problem, /Fix: /);
    assert.match(problem, fix);
}

function withPath(path: string, value: unknown): Record<string, unknown> {
    const raw = seedRaw();
    const keys = path.split(".");
    let target = raw as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) {
        target[key] = { ...((target[key] as Record<string, unknown>) ?? {}) };
        target = target[key] as Record<string, unknown>;
    }
    target[keys[keys.length - 1]] = value;
    return raw;
}

describe("a valid configuration", () => {
    it("parses the seed configuration into exactly the seed procedure's names", () => {
        const settings = parseProject(seedRaw());
        assert.equal(settings.resourceGroupName, "myResourceGroup");
        assert.deepEqual(settings.cluster, { mode: "existing", name: "myAKSCluster", kubeloginMode: "azurecli" });
        assert.deepEqual(settings.openai, {
            mode: "existing",
            accountName: "myOpenAI",
            deploymentName: "gpt-4o-mini",
            apiVersion: "2024-12-01-preview",
        });
        assert.equal(settings.identityName, "myIdentity");
        assert.deepEqual(settings.aiService.serviceAccount, {
            namespace: "default",
            name: "ai-service-account",
            federatedCredentialName: "myFederatedCredential",
        });
        assert.equal(settings.location, "eastus");
        assert.equal(settings.armEndpoint, "https://management.azure.com/");
    });

    it("applies the documented defaults for ai-service", () => {
        const settings = parseProject({
            resourceGroupName: "rg",
            cluster: { name: "aks" },
            openai: { accountName: "acct", deploymentName: "d" },
        });
        assert.equal(settings.aiService.image, "ghcr.io/azure-samples/aks-store-demo/ai-service:2.2.0");
        assert.equal(settings.aiService.replicas, 1);
        assert.deepEqual(settings.aiService.resources, {
            requests: { cpu: "20m", memory: "50Mi" },
            limits: { cpu: "50m", memory: "128Mi" },
        });
        assert.deepEqual(settings.aiService.serviceAccount, {
            namespace: "default",
            name: "ai-service-account",
            federatedCredentialName: "default-ai-service-account",
        });
        assert.equal(settings.aiService.createNamespace, false);
        assert.equal(settings.cluster.mode, "existing");
        assert.equal(settings.openai.mode, "existing");
    });

    it("derives the identity name from the stack when none is set", () => {
        const raw = seedRaw();
        delete raw.identity;
        assert.equal(parseProject(raw, { stack: "staging" }).identityName, "id-aks-openai-wi-staging");
    });

    it("adopts the quickstart's kubectl objects by default only on an existing cluster", () => {
        assert.equal(parseProject(seedRaw()).aiService.adoptExisting, true);
        const managed = withPath("cluster", { mode: "managed", localAccounts: "enabled" });
        assert.equal(parseProject(managed).aiService.adoptExisting, false);
        assert.equal(parseProject(withPath("aiService.adoptExisting", false)).aiService.adoptExisting, false);
    });

    it("defaults a managed account to a lowercased subdomain, keys off, and a pinned model", () => {
        const settings = parseProject(withPath("openai", { mode: "managed", accountName: "MyOpenAI-Dev" }));
        assert.deepEqual(settings.openai, {
            mode: "managed",
            accountName: "MyOpenAI-Dev",
            deploymentName: "gpt-4o-mini",
            apiVersion: "2024-12-01-preview",
            customSubDomainName: "myopenai-dev",
            disableLocalAuth: true,
            model: { name: "gpt-4o-mini", version: "2024-07-18" },
            sku: { name: "GlobalStandard", capacity: 10 },
        });
    });

    it("defaults a managed cluster's name, size, kubelogin mode, and Entra-only access", () => {
        const settings = parseProject(withPath("cluster", { mode: "managed", adminGroupObjectIds: [ADMIN_GROUP] }));
        assert.deepEqual(settings.cluster, {
            mode: "managed",
            name: "aks-aks-openai-wi-dev",
            kubeloginMode: "azurecli",
            kubernetesVersion: undefined,
            nodeCount: 2,
            nodeVmSize: "Standard_D2s_v5",
            localAccounts: "disabled",
            adminGroupObjectIds: [ADMIN_GROUP],
        });
    });

    it("defaults a referenced stack's output names to oidcIssuerUrl and kubeconfig", () => {
        const settings = parseProject(
            withPath("cluster", { mode: "stack", stackReference: "contoso/aks-platform/dev" }),
        );
        assert.deepEqual(settings.cluster, {
            mode: "stack",
            stackReference: "contoso/aks-platform/dev",
            issuerUrlOutput: "oidcIssuerUrl",
            kubeconfigOutput: "kubeconfig",
            kubeloginMode: "azurecli",
        });
    });

    it("accepts numbers and booleans given as strings, as `pulumi config set` stores them", () => {
        const settings = parseProject(withPath("aiService", { replicas: "3", createNamespace: "true" }));
        assert.equal(settings.aiService.replicas, 3);
        assert.equal(settings.aiService.createNamespace, true);
    });

    it("lists additional ServiceAccounts with derived credential names", () => {
        const raw = { ...seedRaw(), additionalServiceAccounts: [{ namespace: "batch", name: "summarizer" }] };
        assert.deepEqual(parseProject(raw).additionalServiceAccounts, [
            { namespace: "batch", name: "summarizer", federatedCredentialName: "batch-summarizer" },
        ]);
    });

    it("keeps a sovereign-cloud ARM endpoint, adding the trailing slash", () => {
        assert.equal(
            parseProject({ ...seedRaw(), armEndpoint: "https://management.usgovcloudapi.net" }).armEndpoint,
            "https://management.usgovcloudapi.net/",
        );
    });

    it("returns frozen settings, so no component can change them", () => {
        const settings = parseProject(seedRaw());
        assert.ok(Object.isFrozen(settings));
        assert.ok(Object.isFrozen(settings.aiService.resources.limits));
    });

    it("documents its defaults in one object", () => {
        assert.equal(DEFAULTS.apiVersion, "2024-12-01-preview");
        assert.equal(DEFAULTS.image, "ghcr.io/azure-samples/aks-store-demo/ai-service:2.2.0");
    });
});

describe("a bad configuration is rejected before anything is created, naming the key, the value and the fix", () => {
    it("1. an unknown cluster mode", () =>
        assertSingleProblem(
            withPath("cluster.mode", "exisitng"),
            "aks-openai-wi:cluster.mode",
            '"exisitng"',
            /must be one of "existing", "managed", "stack"/,
        ));

    it("2. an unknown openai mode", () =>
        assertSingleProblem(
            withPath("openai.mode", "byo"),
            "aks-openai-wi:openai.mode",
            '"byo"',
            /"existing", "managed"/,
        ));

    it("3. a missing resource group", () => {
        const raw = seedRaw();
        delete raw.resourceGroupName;
        assertSingleProblem(
            raw,
            "aks-openai-wi:resourceGroupName",
            undefined,
            /is required.*pulumi config set 'aks-openai-wi:resourceGroupName'/,
        );
    });

    it("4. a missing cluster name in existing mode", () =>
        assertSingleProblem(
            withPath("cluster", { mode: "existing" }),
            "aks-openai-wi:cluster.name",
            undefined,
            /is required.*--path 'aks-openai-wi:cluster.name'/,
        ));

    it("5. stack mode without a stack reference", () =>
        assertSingleProblem(
            withPath("cluster", { mode: "stack" }),
            "aks-openai-wi:cluster.stackReference",
            undefined,
            /<organization>\/<project>\/<stack>/,
        ));

    it("6. a stack reference that is not fully qualified", () =>
        assertSingleProblem(
            withPath("cluster", { mode: "stack", stackReference: "aks-platform/dev" }),
            "aks-openai-wi:cluster.stackReference",
            '"aks-platform/dev"',
            /fully qualified/,
        ));

    it("7. an uppercase namespace", () =>
        assertSingleProblem(
            withPath("aiService.namespace", "Store"),
            "aks-openai-wi:aiService.namespace",
            '"Store"',
            /lowercase/,
        ));

    it("8. a ServiceAccount name with invalid characters", () =>
        assertSingleProblem(
            withPath("aiService.serviceAccountName", "ai_service"),
            "aks-openai-wi:aiService.serviceAccountName",
            '"ai_service"',
            /lowercase letters, digits, '-' and '.'/,
        ));

    it("9. a ServiceAccount name that is too long", () => {
        const tooLong = "a".repeat(254);
        assertSingleProblem(
            withPath("aiService.serviceAccountName", tooLong),
            "aks-openai-wi:aiService.serviceAccountName",
            "254 characters",
            /at most 253/,
        );
    });

    it("10. a namespace longer than 63 characters", () =>
        assertSingleProblem(
            withPath("aiService.namespace", "n".repeat(64)),
            "aks-openai-wi:aiService.namespace",
            "64 characters",
            /at most 63/,
        ));

    it("11. a malformed image reference", () =>
        assertSingleProblem(
            withPath("aiService.image", "ghcr.io/Azure-Samples/ai-service:2.2.0"),
            "aks-openai-wi:aiService.image",
            '"ghcr.io/Azure-Samples/ai-service:2.2.0"',
            /registry\/repository:tag/,
        ));

    it("12. an image on the moving 'latest' tag", () =>
        assertSingleProblem(
            withPath("aiService.image", "ghcr.io/azure-samples/aks-store-demo/ai-service:latest"),
            "aks-openai-wi:aiService.image",
            ":latest",
            /pin a version tag or digest/,
        ));

    it("13. an untagged image", () =>
        assertSingleProblem(
            withPath("aiService.image", "ghcr.io/azure-samples/aks-store-demo/ai-service"),
            "aks-openai-wi:aiService.image",
            'ai-service"',
            /untagged image/,
        ));

    it("14. non-numeric replicas", () =>
        assertSingleProblem(
            withPath("aiService.replicas", "two"),
            "aks-openai-wi:aiService.replicas",
            '"two"',
            /whole number from 1 to 50/,
        ));

    it("15. zero replicas", () =>
        assertSingleProblem(
            withPath("aiService.replicas", 0),
            "aks-openai-wi:aiService.replicas",
            "0",
            /from 1 to 50/,
        ));

    it("16. an unknown key inside an object, with a suggestion", () =>
        assertSingleProblem(
            withPath("aiService.serviceAcountName", "x"),
            "aks-openai-wi:aiService.serviceAcountName",
            undefined,
            /did you mean "serviceAccountName"\?.*pulumi config rm --path/,
        ));

    it("17. an unknown top-level key", () =>
        assertSingleProblem(
            { ...seedRaw(), clustr: { name: "x" } },
            "aks-openai-wi:clustr",
            undefined,
            /did you mean "cluster"\?/,
        ));

    it("18. a key that only applies to another mode", () =>
        assertSingleProblem(
            withPath("cluster.nodeCount", 3),
            "aks-openai-wi:cluster.nodeCount",
            undefined,
            /not a known key when cluster.mode is "existing"/,
        ));

    it("19. the same ServiceAccount federated twice", () => {
        const raw = { ...seedRaw(), additionalServiceAccounts: [{ namespace: "default", name: "ai-service-account" }] };
        assertSingleProblem(
            raw,
            "aks-openai-wi:additionalServiceAccounts[0]",
            undefined,
            /subject "system:serviceaccount:default:ai-service-account" can be federated only once/,
        );
    });

    it("20. two credentials with the same name", () => {
        const raw = {
            ...seedRaw(),
            additionalServiceAccounts: [
                { namespace: "batch", name: "worker", federatedCredentialName: "myFederatedCredential" },
            ],
        };
        assertSingleProblem(
            raw,
            "aks-openai-wi:additionalServiceAccounts[0].federatedCredentialName",
            '"myFederatedCredential"',
            /unique per identity/,
        );
    });

    it("21. more than 20 federated credentials on one identity", () => {
        const additional = Array.from({ length: 20 }, (_, i) => ({ namespace: "batch", name: `worker-${i}` }));
        assertSingleProblem(
            { ...seedRaw(), additionalServiceAccounts: additional },
            "aks-openai-wi:additionalServiceAccounts",
            "21 federated credentials",
            /at most 20 per identity/,
        );
    });

    it("22. additionalServiceAccounts that is not a list", () =>
        assertSingleProblem(
            { ...seedRaw(), additionalServiceAccounts: { namespace: "a", name: "b" } },
            "aks-openai-wi:additionalServiceAccounts",
            undefined,
            /must be a list/,
        ));

    it("23. an additional ServiceAccount without a namespace", () =>
        assertSingleProblem(
            { ...seedRaw(), additionalServiceAccounts: [{ name: "worker" }] },
            "aks-openai-wi:additionalServiceAccounts[0].namespace",
            undefined,
            /is required/,
        ));

    it("24. a CPU request above its limit", () =>
        assertSingleProblem(
            withPath("aiService.resources", { requests: { cpu: "100m" }, limits: { cpu: "50m" } }),
            "aks-openai-wi:aiService.resources.requests.cpu",
            '"100m"',
            /request above its limit/,
        ));

    it("25. a memory quantity in the wrong unit", () =>
        assertSingleProblem(
            withPath("aiService.resources", { limits: { memory: "128MB" } }),
            "aks-openai-wi:aiService.resources.limits.memory",
            '"128MB"',
            /128Mi/,
        ));

    it("26. an account name that cannot become a custom subdomain", () =>
        assertSingleProblem(
            withPath("openai", { mode: "managed", accountName: "my-openai-" }),
            "aks-openai-wi:openai.accountName",
            '"my-openai-"',
            /customSubDomainName/,
        ));

    it("27. a model name without a pinned version", () =>
        assertSingleProblem(
            withPath("openai", { mode: "managed", accountName: "acct", model: { name: "gpt-4o" } }),
            "aks-openai-wi:openai.model.version",
            undefined,
            /pin the model version/,
        ));

    it("28. an unknown deployment SKU", () =>
        assertSingleProblem(
            withPath("openai", { mode: "managed", accountName: "acct", sku: { name: "Premium" } }),
            "aks-openai-wi:openai.sku.name",
            '"Premium"',
            /GlobalStandard/,
        ));

    it("29. an API version in the wrong format", () =>
        assertSingleProblem(
            withPath("openai.apiVersion", "2024-12"),
            "aks-openai-wi:openai.apiVersion",
            '"2024-12"',
            /2024-12-01-preview/,
        ));

    it("30. an identity name Azure refuses", () =>
        assertSingleProblem(
            withPath("identity.name", "my identity"),
            "aks-openai-wi:identity.name",
            '"my identity"',
            /3-128 letters/,
        ));

    it("31. a credential name that is too short", () =>
        assertSingleProblem(
            withPath("aiService.federatedCredentialName", "ab"),
            "aks-openai-wi:aiService.federatedCredentialName",
            '"ab"',
            /3-120 letters/,
        ));

    it("32. an unknown kubelogin mode", () =>
        assertSingleProblem(
            withPath("cluster.kubeloginMode", "devicecode"),
            "aks-openai-wi:cluster.kubeloginMode",
            '"devicecode"',
            /"azurecli", "workloadidentity", "spn", "msi"/,
        ));

    it("33. a cluster given as a string instead of an object", () =>
        assertSingleProblem(
            { ...seedRaw(), cluster: "myAKSCluster" },
            "aks-openai-wi:cluster",
            '"myAKSCluster"',
            /must be an object/,
        ));

    it("34. a non-boolean createNamespace", () =>
        assertSingleProblem(
            withPath("aiService.createNamespace", "yes"),
            "aks-openai-wi:aiService.createNamespace",
            '"yes"',
            /true or false/,
        ));

    it("35. an ARM endpoint that is not https", () =>
        assertSingleProblem(
            { ...seedRaw(), armEndpoint: "http://management.azure.com/" },
            "aks-openai-wi:armEndpoint",
            '"http://management.azure.com/"',
            /https URL/,
        ));

    it("36. a missing azure-native:location", () => {
        const problems = problemsOf(seedRaw(), { location: undefined });
        assert.equal(problems.length, 1);
        assert.match(
            problems[0],
            /^azure-native:location is required: .*Fix: pulumi config set 'azure-native:location' eastus$/,
        );
    });

    it("reports every problem at once, not only the first", () => {
        const raw = withPath("cluster.mode", "bogus");
        (raw.aiService as Record<string, unknown>).replicas = -1;
        (raw.openai as Record<string, unknown>).deploymentName = "";
        const problems = problemsOf(raw, { location: undefined });
        assert.equal(problems.length, 4, problems.join("\n"));
    });

    it("prints a message that starts with the number of problems", () => {
        assert.throws(() => parseProject(withPath("cluster.mode", "bogus")), {
            name: "ConfigError",
            message: /^Invalid configuration \(1 problem\):\n {2}- aks-openai-wi:cluster.mode = "bogus"/,
        });
    });
});

describe("a fix shows the user's own value corrected, and a missing value as missing (issue 13)", () => {
    it("lowercases a Kubernetes name typed with capitals: MyStore -> mystore", () => {
        const [problem, ...rest] = problemsOf(withPath("aiService.namespace", "MyStore"));
        assert.deepEqual(rest, []);
        assert.equal(
            problem,
            `aks-openai-wi:aiService.namespace = "MyStore": use a Kubernetes namespace name: 1-63 lowercase letters, ` +
                `digits or '-', starting and ending with a letter or digit. ` +
                `Fix: pulumi config set --path 'aks-openai-wi:aiService.namespace' mystore`,
        );
    });

    it("turns '_' into '-' where Kubernetes allows only '-': Ai_Service -> ai-service", () => {
        const [problem] = problemsOf(withPath("aiService.serviceAccountName", "Ai_Service"));
        assert.match(
            problem,
            / Fix: pulumi config set --path 'aks-openai-wi:aiService\.serviceAccountName' ai-service$/,
        );
    });

    it("keeps the example when no small correction makes the value valid", () => {
        const [problem] = problemsOf(withPath("aiService.namespace", "-/-"));
        assert.match(problem, / Fix: pulumi config set --path 'aks-openai-wi:aiService\.namespace' default$/);
    });

    it("suggests the choice that was meant: AzureCLI -> azurecli", () => {
        const [problem] = problemsOf(withPath("cluster.kubeloginMode", "AzureCLI"));
        assert.match(problem, / Fix: pulumi config set --path 'aks-openai-wi:cluster\.kubeloginMode' azurecli$/);
    });

    it("suggests the nearest allowed number for one out of range", () => {
        const [problem] = problemsOf(withPath("aiService.replicas", 0));
        assert.match(problem, /^aks-openai-wi:aiService\.replicas = 0: must be a whole number from 1 to 50\. /);
        assert.match(problem, / Fix: pulumi config set --path 'aks-openai-wi:aiService\.replicas' 1$/);
    });

    it("never shows a missing value as null", () => {
        const problems = problemsOf({
            ...seedRaw(),
            resourceGroupName: null,
            cluster: { mode: "existing", name: null },
        });
        assert.deepEqual(problems, [
            "aks-openai-wi:resourceGroupName is required: use 1-90 letters, digits, '_', '-', '.', '(' or ')', not " +
                "ending with '.'. Fix: pulumi config set 'aks-openai-wi:resourceGroupName' myResourceGroup",
            "aks-openai-wi:cluster.name is required: use 1-63 letters, digits, '-' or '_', starting and ending with a " +
                "letter or digit. Fix: pulumi config set --path 'aks-openai-wi:cluster.name' myAKSCluster",
        ]);
        assert.ok(problems.every((problem) => !problem.includes("null")));
    });

    it("reads a key left empty in a stack file (Pulumi passes the text null) as not set", () => {
        assert.equal(parseConfigValue("null"), null);
        assert.deepEqual(parseConfigValue('{"mode":"existing","name":null}'), { mode: "existing", name: null });
        assert.equal(parseConfigValue("nullable"), "nullable");
        const problems = problemsOf({ ...seedRaw(), cluster: parseConfigValue("null") });
        assert.match(problems[0], /^aks-openai-wi:cluster\.name is required: /);
    });
});

describe("a key meant for this project but outside its namespace (issue 13)", () => {
    const otherKeysProblems = (otherKeys: string[]) => {
        try {
            parseSettings(
                { project: seedRaw(), location: "eastus", otherKeys },
                { project: "aks-openai-wi", stack: "dev" },
            );
        } catch (error) {
            assert.ok(error instanceof ConfigError);
            return error.problems;
        }
        return [];
    };

    it("a bare stack-file key gets 'did you mean aks-openai-wi:resourceGroupName?'", () => {
        assert.deepEqual(otherKeysProblems(["resourceGroupName"]), [
            '"resourceGroupName" is not a key this project reads (did you mean aks-openai-wi:resourceGroupName?): in a ' +
                "stack file every key carries its namespace. Fix: rename it to aks-openai-wi:resourceGroupName in " +
                "Pulumi.<stack>.yaml",
        ]);
    });

    it("a misspelt namespace and a bare location are caught too", () => {
        const problems = otherKeysProblems(["aks-openai:cluster", "location"]);
        assert.match(
            problems[0],
            /^"aks-openai:cluster" is not a key this project reads \(did you mean aks-openai-wi:cluster\?\)/,
        );
        assert.match(
            problems[1],
            /^"location" is not a key this project reads \(did you mean azure-native:location\?\)/,
        );
    });

    it("leaves other providers' keys alone", () => {
        assert.deepEqual(
            otherKeysProblems(["azure-native:location", "azure-native:subscriptionId", "kubernetes:context"]),
            [],
        );
    });
});

describe("quantities", () => {
    it("parses CPU and memory units the way Kubernetes does", () => {
        assert.equal(parseQuantity("50m"), 0.05);
        assert.equal(parseQuantity("0.5"), 0.5);
        assert.equal(parseQuantity("128Mi"), 128 * 1024 * 1024);
        assert.equal(parseQuantity("1G"), 1e9);
        assert.equal(parseQuantity("12MB"), undefined);
    });
});
