import assert from "node:assert/strict";
import { before, describe, it } from "node:test";

import { stacksIn } from "../tools/plan/main";
import { renderMarkdown, renderMermaid } from "../tools/plan/mermaid";
import { buildPlan, type Plan } from "../tools/plan/plan";
import { PLACEHOLDER_PATTERN } from "../tools/plan/placeholders";
import { renderText } from "../tools/plan/render";
import { GREENFIELD_CONFIG } from "./support/configs";
import { PROJECT_ROOT, stackConfig } from "./support/program";
import { shippedPlan } from "./support/shippedStacks";

/**
 * `npm run plan -- --stack dev`, in process: what the dev stack (the seed procedure as configuration) would register,
 * with every value only Azure knows shown as a placeholder, and its access path judged hop by hop.
 */

const SUBSCRIPTION = "<subscription id of the Azure account you deploy with: read at deploy time>";
const CLIENT_ID = "<client id of managed identity myIdentity: known after apply>";
const PRINCIPAL_ID = "<principal id of managed identity myIdentity: known after apply>";
const TENANT = "<tenant id of the Azure account you deploy with: read at deploy time>";
const ISSUER = "<issuer URL of cluster myAKSCluster: known after apply>";
const ENDPOINT = "<endpoint of Azure OpenAI account myOpenAI: read at deploy time>";
const ACCOUNT_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/myResourceGroup/providers/Microsoft.CognitiveServices/accounts/myOpenAI`;

let plan: Plan;

before(async () => {
    plan = await shippedPlan("dev");
});

describe("the dev plan's access path", () => {
    it("lists every hop with the planned value and its verdict", () => {
        assert.equal(plan.accessPath.paths.length, 1);
        const path = plan.accessPath.paths[0];
        assert.equal(path.workload, "Deployment default/ai-service");
        assert.equal(path.whole, true);
        assert.deepEqual(
            path.checks.map((c) => [c.hop, c.check, c.planned, c.verdict]),
            [
                ["workload", "pod label", 'azure.workload.identity/use="true"', "ok"],
                ["workload", "keyless", 'USE_AZURE_AD="True"; key variables: none', "ok"],
                ["service account", "pod runs as", "default/ai-service-account", "ok"],
                ["service account", "client-id annotation", CLIENT_ID, "ok"],
                ["service account", "tenant-id annotation", TENANT, "ok"],
                ["federated credential", "issuer", ISSUER, "ok"],
                ["federated credential", "subject", "system:serviceaccount:default:ai-service-account", "ok"],
                ["federated credential", "audience", "api://AzureADTokenExchange", "ok"],
                ["identity", "client id / principal id", `${CLIENT_ID} / ${PRINCIPAL_ID}`, "ok"],
                ["role", "principal", PRINCIPAL_ID, "ok"],
                [
                    "role",
                    "role",
                    `Cognitive Services OpenAI User (/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/5e0bd9bd-7b93-4f28-af87-19fc36ad61bd)`,
                    "ok",
                ],
                ["role", "principal type", "ServicePrincipal", "ok"],
                ["scope", "scope", ACCOUNT_ID, "ok"],
                ["openai", "endpoint", ENDPOINT, "ok"],
                ["openai", "deployment", "gpt-4o-mini", "ok"],
                ["openai", "api version", "2024-12-01-preview", "ok"],
                ["network", "route", "public", "ok"],
                ["network", "network rules", "(read at deploy time)", "ok"],
            ],
        );
    });

    it("says which links hold by construction and which source each value comes from", () => {
        const basis = Object.fromEntries(plan.accessPath.paths[0].checks.map((c) => [`${c.hop}/${c.check}`, c.basis]));
        assert.equal(
            basis["federated credential/issuer"],
            "linked by construction: the same value as the issuer URL of cluster myAKSCluster (cluster-workload-identity.issuerUrl) " +
                "(workload-primary-fic.issuer depends on cluster-workload-identity), passed verbatim",
        );
        assert.equal(
            basis["federated credential/subject"],
            "linked by construction: built from the ServiceAccount's own metadata (workload-default-ai-service-account-sa); " +
                "the pod presents system:serviceaccount:default:ai-service-account",
        );
        assert.equal(
            basis["role/principal"],
            "linked by construction: the same value as the principal id of managed identity myIdentity " +
                "(workload-openai-user.principalId depends on workload-identity)",
        );
        assert.equal(
            basis["scope/scope"],
            "linked by construction: the same value as the id of Azure OpenAI account myOpenAI (read from Azure)",
        );
        assert.equal(
            basis["openai/endpoint"],
            "linked by construction: the same value as the endpoint of Azure OpenAI account myOpenAI (read from Azure)",
        );
    });

    it("names the Azure error each hop would produce if broken", () => {
        const errors = plan.accessPath.paths[0].checks.map((c) => c.ifBroken.split(":")[0]);
        assert.deepEqual(errors, [
            "no webhook injection",
            "the app calls Azure OpenAI with an API key (or none) instead of its identity",
            "Kubernetes refuses the pods (error looking up service account default/ai-service-account",
            "AADSTS700016",
            "AADSTS700016 (the client id is not an application in that tenant)",
            "AADSTS700211",
            "AADSTS700213",
            "AADSTS700212",
            "see the client-id annotation and the role's principal",
            "The principal `<principal id of managed identity myIdentity",
            "The principal `<principal id of managed identity myIdentity",
            "at deploy time",
            "The principal `<principal id of managed identity myIdentity",
            "The principal `<principal id of managed identity myIdentity",
            "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.",
            "404 or 400 for an API version the account does not serve",
            '403 "Public access is disabled. Please configure private endpoint."',
            '403 "Access denied due to Virtual Network/Firewall rules."',
        ]);
    });
});

describe("placeholders", () => {
    it("stand for every value only Azure knows, each saying what it is and when it is known", () => {
        assert.deepEqual(
            plan.placeholders.map((p) => [p.text, p.kind]),
            [
                // In the plan's order of resources (tools/plan/order.ts), where each first appears.
                ["<resource id of AKS cluster myAKSCluster: known after apply>", "output"],
                [SUBSCRIPTION, "account"],
                [ISSUER, "output"],
                ["<resource id of managed identity myIdentity: known after apply>", "output"],
                [CLIENT_ID, "output"],
                [PRINCIPAL_ID, "output"],
                ["<resource id of role assignment workload-openai-user: known after apply>", "output"],
                ["<computed from values known after apply>", "computed"],
                ["<id of Kubernetes provider aks: known after apply>", "output"],
                [TENANT, "account"],
                ["<resource id of federated credential myFederatedCredential: known after apply>", "output"],
                [ENDPOINT, "read"],
            ],
        );
    });

    it("replace values the program derives from cloud-only values, instead of showing real-looking hashes", () => {
        const byName = new Map(plan.resources.map((r) => [r.name, r]));
        // The smoke test's Job is named after a hash of what it verifies (identity, endpoint, ...).
        assert.equal(byName.get("smoke-test-job")?.inputs["metadata.name"], "<computed from values known after apply>");
        assert.equal(
            byName.get("workload-openai-user")?.inputs.roleAssignmentName,
            "<computed from values known after apply>",
        );
        assert.deepEqual(byName.get("ai-service-deployment")?.inputs["spec.template.metadata.annotations"], {
            "aks-openai-wi/identity-hash": "<computed from values known after apply>",
        });
    });

    it("leave no GUID in the plan but the role and AKS constants the program itself sets", () => {
        const guid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
        const found = new Set(JSON.stringify([plan.resources, plan.outputs, plan.reads]).match(guid) ?? []);
        assert.deepEqual([...found], ["5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"]);
    });

    it("keep the kubeconfig secret", () => {
        const provider = plan.resources.find((r) => r.type === "pulumi:providers:kubernetes");
        assert.equal(provider?.inputs.kubeconfig, "[secret]");
        assert.equal(plan.outputs.kubeconfig, "[secret]");
    });

    it("come with the assumptions only Azure can confirm", () => {
        assert.equal(plan.assumptions.length, 4);
        assert.match(
            plan.assumptions.find((a) => a.startsWith("Azure OpenAI account")) ?? "",
            /^Azure OpenAI account myOpenAI is assumed to exist in resource group myResourceGroup with a custom subdomain/,
        );
        assert.ok(plan.assumptions.some((a) => a.startsWith("Model deployment gpt-4o-mini is assumed to exist")));
    });
});

describe("the plan as JSON", () => {
    it("has exactly the documented fields", () => {
        const json = JSON.parse(JSON.stringify(plan)) as Record<string, unknown>;
        assert.deepEqual(Object.keys(json), [
            "schemaVersion",
            "project",
            "stack",
            "summary",
            "resources",
            "edges",
            "reads",
            "assumptions",
            "warnings",
            "placeholders",
            "accessPath",
            "deployerAccess",
            "policies",
            "outputs",
            "audit",
        ]);
        assert.equal(plan.schemaVersion, 1);
        assert.deepEqual(Object.keys(plan.summary), [
            "resources",
            "accessPathWhole",
            "mandatoryPolicyFailures",
            "exitCode",
        ]);
        assert.deepEqual(Object.keys(plan.resources[0]), [
            "urn",
            "type",
            "name",
            "parent",
            "component",
            "id",
            "options",
            "inputs",
            "outputs",
        ]);
        assert.deepEqual(Object.keys(plan.resources[0].options), [
            "import",
            "deleteBeforeReplace",
            "retainOnDelete",
            "protect",
            "ignoreChanges",
        ]);
        assert.deepEqual(Object.keys(plan.accessPath), ["paths", "whole", "otherFederatedServiceAccounts"]);
        assert.deepEqual(Object.keys(plan.accessPath.paths[0]), ["workload", "whole", "checks", "chain"]);
        assert.deepEqual(Object.keys(plan.accessPath.paths[0].checks[0]), [
            "hop",
            "check",
            "planned",
            "verdict",
            "basis",
            "ifBroken",
        ]);
        assert.deepEqual(Object.keys(plan.policies), ["source", "results", "mandatoryFailures"]);
        assert.deepEqual(Object.keys(plan.policies.results[0]), [
            "policy",
            "description",
            "enforcementLevel",
            "status",
            "violations",
            "notJudged",
        ]);
        assert.deepEqual(Object.keys(plan.edges[0]), ["from", "to"]);
    });

    it("lists the resources pulumi up would register, with the options that make replacements and destroys safe", () => {
        const custom = plan.resources.filter((r) => !r.component);
        assert.deepEqual(
            custom
                .map((r) => [r.name, r.type, r.options.import, r.options.deleteBeforeReplace, r.options.retainOnDelete])
                .sort(),
            [
                // Adopted from kubectl: imported, and left in place by pulumi destroy.
                ["ai-service-deployment", "kubernetes:apps/v1:Deployment", "default/ai-service", false, true],
                ["ai-service-service", "kubernetes:core/v1:Service", "default/ai-service", false, true],
                ["aks", "pulumi:providers:kubernetes", null, false, false],
                ["cluster-workload-identity", "pulumi-nodejs:dynamic/aks:WorkloadIdentityFeatures", null, false, true],
                ["smoke-test-job", "kubernetes:batch/v1:Job", null, false, false],
                ["workload-default-ai-service-account-sa", "kubernetes:core/v1:ServiceAccount", null, false, false],
                ["workload-identity", "azure-native:managedidentity:UserAssignedIdentity", null, false, false],
                ["workload-openai-user", "azure-native:authorization:RoleAssignment", null, true, false],
                ["workload-primary-fic", "azure-native:managedidentity:FederatedIdentityCredential", null, true, false],
            ],
        );
        assert.equal(plan.summary.resources, 9);
    });

    it("has the dependency edges the engine would order creation by", () => {
        const name = (urn: string) => urn.split("::").pop();
        assert.deepEqual(
            plan.edges.map((e) => `${name(e.from)} -> ${name(e.to)}`),
            [
                "workload-openai-user -> workload-identity",
                "workload-default-ai-service-account-sa -> workload-identity",
                "workload-primary-fic -> cluster-workload-identity",
                "workload-primary-fic -> workload-identity",
                "workload-primary-fic -> workload-default-ai-service-account-sa",
                "ai-service-deployment -> workload-default-ai-service-account-sa",
                "ai-service-deployment -> workload-primary-fic",
                "ai-service-deployment -> workload-openai-user",
                "ai-service-deployment -> cluster-workload-identity",
                "ai-service-deployment -> workload-identity",
                "smoke-test-job -> ai-service-deployment",
                "smoke-test-job -> ai-service-service",
                "smoke-test-job -> workload-identity",
                "smoke-test-job -> cluster-workload-identity",
                "smoke-test-job -> workload-default-ai-service-account-sa",
            ],
        );
    });
});

describe("the Mermaid diagram", () => {
    it("draws every resource inside its component, and every dependency", () => {
        const mermaid = renderMermaid(plan);
        assert.ok(mermaid.startsWith("flowchart LR\n"));
        for (const line of [
            '    subgraph g_r_workload["WorkloadIdentity workload"]',
            '        r_workload_identity["UserAssignedIdentity<br/>workload-identity"]',
            '        r_workload_primary_fic["FederatedIdentityCredential<br/>workload-primary-fic"]',
            '    subgraph g_r_ai_service["AiService ai-service"]',
            '        r_ai_service_deployment["Deployment<br/>ai-service-deployment"]',
            '    r_aks["provider kubernetes<br/>aks"]',
            '    read_myOpenAI[("Azure OpenAI myOpenAI<br/>(existing, read)")]',
            "    r_ai_service_deployment -.-> r_workload_default_ai_service_account_sa",
            "    r_workload_primary_fic -.-> r_cluster_workload_identity",
        ]) {
            assert.ok(mermaid.includes(`${line}\n`), `missing: ${line}`);
        }
        assert.equal(mermaid.match(/^ {4}\S+ -\.-> \S+$/gm)?.length, plan.edges.length);
    });

    it("draws the access path from the workload to the model deployment, each hop with its verdict", () => {
        const path = renderMermaid(plan)
            .split("\n")
            .filter((l) => l.includes("==>"));
        assert.deepEqual(path, [
            '    r_ai_service_deployment ==>|"2. service account: ok"| r_workload_default_ai_service_account_sa',
            '    r_workload_default_ai_service_account_sa ==>|"3. federated credential: ok"| r_workload_primary_fic',
            '    r_workload_primary_fic ==>|"4. identity: ok"| r_workload_identity',
            '    r_workload_identity ==>|"5. role: ok"| r_workload_openai_user',
            '    r_workload_openai_user ==>|"6. scope: ok"| read_myOpenAI',
            '    read_myOpenAI ==>|"7. openai: ok"| read_myOpenAI_gpt_4o_mini',
        ]);
    });

    it("is embedded in the Markdown report, with the access path table", () => {
        const markdown = renderMarkdown(plan);
        assert.ok(markdown.startsWith("# Plan: stack `dev`\n"));
        assert.ok(markdown.includes(`\`\`\`mermaid\n${renderMermaid(plan).trimEnd()}\n\`\`\``));
        assert.ok(
            markdown.includes(
                "| 3 | federated credential | subject | `system:serviceaccount:default:ai-service-account` | ok |",
            ),
        );
        // Placeholders outside code spans are escaped, so Markdown renderers do not take them for HTML tags.
        assert.ok(!/[^`]<(?!br\/>)[a-z]/.test(markdown.replace(/`[^`]*`/g, "").replace(/```mermaid[\s\S]*?```/g, "")));
    });
});

describe("the text rendering", () => {
    it("shows the tree, the dependencies, the access path and the verdict", () => {
        const text = renderText(plan);
        assert.ok(text.includes("RESOURCES (9, plus 5 components)\npulumi:pulumi:Stack aks-openai-wi-dev\n"));
        assert.ok(text.includes("├─ aks-openai-wi:identity:WorkloadIdentity workload\n"));
        assert.ok(text.includes('DEPENDENCIES (15; "a -> b": a waits for b)\n'));
        assert.ok(text.includes("ACCESS PATH: Deployment default/ai-service -> Azure OpenAI: WHOLE\n"));
        const n = plan.policies.results.length;
        assert.ok(
            text.includes(
                `POLICIES (policy/policies.ts): ${n} policies, ${n} pass, 0 fail, 0 not judged in preview; 0 mandatory violation(s)\n`,
            ),
        );
        assert.match(text, /\nRESULT: access path whole, 0 mandatory policy violation\(s\) -> exit 0\n$/);
    });
});

describe("every stack file in the repository", () => {
    for (const stack of stacksIn(PROJECT_ROOT)) {
        it(`plans ${stack} with a whole access path`, async () => {
            const other = stack === "dev" ? plan : await buildPlan({ stack, config: stackConfig(stack) });
            assert.equal(other.stack, stack);
            assert.equal(other.accessPath.whole, true, JSON.stringify(other.accessPath, null, 2));
        });
    }
});

describe("other cluster and account modes", () => {
    it("plans a greenfield stack (managed cluster and account) with a whole path through the created account", async () => {
        const green = await buildPlan({ stack: "green", config: GREENFIELD_CONFIG });
        const path = green.accessPath.paths[0];
        assert.equal(path.whole, true);
        assert.equal(path.workload, "Deployment pets/ai-service");
        const planned = Object.fromEntries(path.checks.map((c) => [`${c.hop}/${c.check}`, c.planned]));
        assert.equal(planned["federated credential/issuer"], "<issuer URL of cluster aks-store: known after apply>");
        assert.equal(
            planned["scope/scope"],
            "<resource id of Azure OpenAI account store-openai-7f3a: known after apply>",
        );
        assert.equal(
            planned["openai/endpoint"],
            "<endpoint of Azure OpenAI account store-openai-7f3a (https://store-openai-7f3a.openai.azure.com/ expected): known after apply>",
        );
        assert.match(path.checks.find((c) => c.check === "deployment")?.basis ?? "", /\(created by this stack\)$/);
    });

    it("plans a stack on another stack's cluster with that stack's issuer output as a URL-shaped placeholder", async () => {
        const config = {
            ...stackConfig("dev"),
            "aks-openai-wi:cluster": { mode: "stack", stackReference: "contoso/aks-platform/dev" },
        };
        const shared = await buildPlan({ stack: "app", config });
        const issuer = shared.accessPath.paths[0].checks.find((c) => c.check === "issuer");
        assert.equal(
            issuer?.planned,
            "https://<issuer-URL-exported-by-stack-contoso/aks-platform/dev:read-at-deploy-time>/",
        );
        assert.equal(issuer?.verdict, "ok");
        assert.match(
            issuer?.basis ?? "",
            /^linked by construction: the same value as output oidcIssuerUrl of stack contoso\/aks-platform\/dev/,
        );
        assert.ok(new RegExp(PLACEHOLDER_PATTERN.source).test(issuer?.planned ?? ""));
    });
});
