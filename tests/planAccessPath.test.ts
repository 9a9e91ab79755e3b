import assert from "node:assert/strict";
import { before, describe, it } from "node:test";

import { OPENAI_USER_ROLE_ID } from "../components/constants";
import type { RegisteredResource } from "../tools/engine/runProgram";
import { analyzeAccessPath, type AccessAnalysis, type Check } from "../tools/plan/accessPath";
import { NO_INJECTION } from "../tools/plan/azureErrors";
import type { Evaluation } from "../tools/plan/evaluate";
import { assemblePlan } from "../tools/plan/plan";
import { noPolicies } from "../tools/plan/policyAdapter";
import { shippedEvaluation } from "./support/shippedStacks";

/** "Cognitive Services User" (it can list the account's keys), stated here rather than borrowed from the program. */
const COGNITIVE_SERVICES_USER_ROLE_ID = "a97b65f3-24c7-4388-baec-2e87135dc908";

/**
 * The access-path analysis judges the registered resources, not the config: each classic mistake is introduced by
 * changing the one registered value it corrupts, and must break exactly the hop it breaks at run time, naming the
 * error Azure would answer. The resources are the dev stack's plan (placeholders for cloud-only values).
 */

const T = {
    deployment: "kubernetes:apps/v1:Deployment",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    credential: "azure-native:managedidentity:FederatedIdentityCredential",
    identity: "azure-native:managedidentity:UserAssignedIdentity",
    role: "azure-native:authorization:RoleAssignment",
    features: "pulumi-nodejs:dynamic/aks:WorkloadIdentityFeatures",
};

let evaluation: Evaluation;

before(async () => {
    evaluation = await shippedEvaluation("dev");
});

/** A deep copy of the dev plan's resources with `change` applied to the one resource of `type`. */
function mutated(type: string, change: (resource: Mutable) => void): RegisteredResource[] {
    const copy = structuredClone(evaluation.resources) as Mutable[];
    const matches = copy.filter((resource) => resource.type === type);
    assert.equal(matches.length, 1, `expected one ${type}`);
    change(matches[0]);
    return copy as RegisteredResource[];
}

type Mutable = {
    -readonly [K in keyof RegisteredResource]: RegisteredResource[K] extends object
        ? // eslint-disable-next-line @typescript-eslint/no-explicit-any
          any
        : RegisteredResource[K];
};

function analyze(resources: readonly RegisteredResource[]): AccessAnalysis {
    return analyzeAccessPath({ resources, reads: evaluation.reads });
}

function check(analysis: AccessAnalysis, hop: Check["hop"], name: string): Check {
    const found = analysis.paths[0].checks.find((c) => c.hop === hop && c.check === name);
    assert.ok(found, `no check ${hop}/${name}`);
    return found;
}

function broken(analysis: AccessAnalysis): string[] {
    return analysis.paths[0].checks.filter((c) => c.verdict === "broken").map((c) => `${c.hop}/${c.check}`);
}

const POD = "spec.template";
const set = (object: Record<string, unknown>, dotted: string, value: unknown) => {
    const keys = dotted.split(".");
    const last = keys.pop() as string;
    const parent = keys.reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, object);
    parent[last] = value;
};

describe("the access path of the dev plan, as registered", () => {
    it("is whole: every check passes", () => {
        const analysis = analyze(evaluation.resources);
        assert.equal(analysis.whole, true);
        assert.deepEqual(broken(analysis), []);
        assert.equal(analysis.paths.length, 1);
        assert.equal(analysis.paths[0].workload, "Deployment default/ai-service");
    });

    it("recognises the same placeholder with the engine's dependency as a link by construction", () => {
        const annotation = check(analyze(evaluation.resources), "service account", "client-id annotation");
        assert.equal(
            annotation.basis,
            "linked by construction: the same value as the client id of managed identity myIdentity " +
                "(workload-default-ai-service-account-sa.metadata depends on workload-identity)",
        );
    });

    it("still links the same placeholder without a recorded dependency, but does not claim the edge", () => {
        const resources = mutated(T.serviceAccount, (sa) => {
            sa.dependencies = [];
            sa.propertyDependencies = { ...sa.propertyDependencies, metadata: [] };
        });
        const annotation = check(analyze(resources), "service account", "client-id annotation");
        assert.equal(annotation.verdict, "ok");
        assert.equal(
            annotation.basis,
            "linked by construction: the same value as the client id of managed identity myIdentity",
        );
    });
});

describe("links by construction need the engine's property dependency, not only dependsOn", () => {
    it("a serviceAccountName typed as a copy of the name matches, but is not called linked", () => {
        const resources = mutated(T.deployment, (d) => {
            d.propertyDependencies = { ...d.propertyDependencies, spec: [] };
        });
        const runsAs = check(analyze(resources), "service account", "pod runs as");
        assert.equal(runsAs.verdict, "ok");
        assert.equal(
            runsAs.basis,
            "a ServiceAccount of that name is registered (workload-default-ai-service-account-sa)",
        );
    });
});

describe("each classic mistake breaks the hop it breaks at run time, with Azure's error", () => {
    it("credential subject with another namespace: AADSTS700213 at the subject", () => {
        const analysis = analyze(
            mutated(T.credential, (c) => (c.inputs.subject = "system:serviceaccount:store:ai-service-account")),
        );
        assert.deepEqual(broken(analysis), ["federated credential/subject"]);
        const subject = check(analysis, "federated credential", "subject");
        assert.equal(subject.planned, "system:serviceaccount:store:ai-service-account");
        assert.match(
            subject.ifBroken,
            /^AADSTS700213: No matching federated identity record found for presented assertion subject 'system:serviceaccount:default:ai-service-account'\./,
        );
        assert.equal(analysis.whole, false);
    });

    it("credential subject with another ServiceAccount name (the Helm chart's mi-<suffix>): AADSTS700213", () => {
        const analysis = analyze(
            mutated(T.credential, (c) => (c.inputs.subject = "system:serviceaccount:default:ai-service")),
        );
        assert.deepEqual(broken(analysis), ["federated credential/subject"]);
        assert.match(
            check(analysis, "federated credential", "subject").basis,
            /the pod presents system:serviceaccount:default:ai-service-account; the credentials of this identity name system:serviceaccount:default:ai-service$/,
        );
    });

    it("pod running as a ServiceAccount the stack does not create: the pod is refused", () => {
        const analysis = analyze(
            mutated(T.deployment, (d) => set(d.inputs, `${POD}.spec.serviceAccountName`, "ai-service")),
        );
        assert.deepEqual(broken(analysis), ["service account/pod runs as"]);
        assert.match(
            check(analysis, "service account", "pod runs as").ifBroken,
            /^Kubernetes refuses the pods \(error looking up service account default\/ai-service: serviceaccount "ai-service" not found\)/,
        );
        assert.equal(check(analysis, "service account", "client-id annotation").verdict, "not reached");
    });

    it("issuer without its trailing slash: AADSTS700211 at the issuer", () => {
        const issuer =
            "https://eastus.oic.prod-aks.azure.com/72f988bf-0000-4000-8000-00000000a001/8e5b0c1d-0000-4000-a000-000000000000/";
        const resources = mutated(T.features, (f) => (f.state.issuerUrl = issuer));
        const credential = resources.find((r) => r.type === T.credential) as Mutable;
        credential.inputs.issuer = issuer.slice(0, -1);
        const analysis = analyze(resources);
        assert.deepEqual(broken(analysis), ["federated credential/issuer"]);
        const check3 = check(analysis, "federated credential", "issuer");
        assert.match(check3.basis, /\(the trailing '\/' is missing\)$/);
        assert.equal(
            check3.ifBroken.split(" Please")[0],
            `AADSTS700211: No matching federated identity record found for presented assertion issuer '${issuer}'.`,
        );
    });

    it("wrong audience: AADSTS700212 at the audience", () => {
        const analysis = analyze(mutated(T.credential, (c) => (c.inputs.audiences = ["api://AzureADTokenExchange/"])));
        assert.deepEqual(broken(analysis), ["federated credential/audience"]);
        assert.match(
            check(analysis, "federated credential", "audience").ifBroken,
            /^AADSTS700212: No matching federated identity record found for presented assertion audience 'api:\/\/AzureADTokenExchange'\./,
        );
    });

    it("client id and principal id swapped: AADSTS700016 for the annotation, no role for the principal", () => {
        const identity = evaluation.resources.find((r) => r.type === T.identity) as RegisteredResource;
        const resources = mutated(T.serviceAccount, (sa) => {
            sa.inputs.metadata.annotations["azure.workload.identity/client-id"] = identity.state.principalId;
        });
        (resources.find((r) => r.type === T.role) as Mutable).inputs.principalId = identity.state.clientId;
        const analysis = analyze(resources);
        assert.deepEqual(broken(analysis), ["service account/client-id annotation"]);
        const annotation = check(analysis, "service account", "client-id annotation");
        assert.equal(
            annotation.basis,
            "this is the PRINCIPAL id of managed identity myIdentity; the webhook needs its client id",
        );
        assert.match(
            annotation.ifBroken,
            /^AADSTS700016: Application with identifier '<principal id of managed identity myIdentity: known after apply>' was not found in the directory/,
        );
        // The rest of the chain cannot be followed from a client id that names no identity.
        assert.equal(check(analysis, "role", "principal").verdict, "not reached");
    });

    it("role assigned to the client id instead of the principal id: 401 PermissionDenied at the role", () => {
        const identity = evaluation.resources.find((r) => r.type === T.identity) as RegisteredResource;
        const analysis = analyze(mutated(T.role, (ra) => (ra.inputs.principalId = identity.state.clientId)));
        assert.deepEqual(broken(analysis), ["role/principal"]);
        assert.match(
            check(analysis, "role", "principal").basis,
            /^this is the CLIENT id of managed identity myIdentity/,
        );
        assert.match(
            check(analysis, "role", "principal").ifBroken,
            /^The principal `<principal id of managed identity myIdentity: known after apply>` lacks the required data action `Microsoft\.CognitiveServices\/accounts\/OpenAI\/deployments\/chat\/completions\/action`/,
        );
    });

    it("role at another account's scope: 401 PermissionDenied at the scope", () => {
        const analysis = analyze(
            mutated(T.role, (ra) => (ra.inputs.scope = String(ra.inputs.scope).replace(/myOpenAI$/, "otherOpenAI"))),
        );
        assert.deepEqual(broken(analysis), ["scope/scope"]);
        const scope = check(analysis, "scope", "scope");
        assert.match(scope.basis, /^not Azure OpenAI account myOpenAI \(read from Azure\)/);
        assert.match(scope.ifBroken, /^The principal .* lacks the required data action/);
    });

    it("role at the resource group: the call works, least privilege does not", () => {
        const analysis = analyze(
            mutated(
                T.role,
                (ra) =>
                    (ra.inputs.scope = String(ra.inputs.scope).replace(
                        "/providers/Microsoft.CognitiveServices/accounts/myOpenAI",
                        "",
                    )),
            ),
        );
        assert.deepEqual(broken(analysis), ["scope/scope"]);
        assert.match(check(analysis, "scope", "scope").basis, /^broader than Azure OpenAI account myOpenAI/);
        assert.match(check(analysis, "scope", "scope").ifBroken, /^no run-time error: the call succeeds/);
    });

    it("role Cognitive Services User instead of OpenAI User: over-privileged, though Azure accepts the call", () => {
        const analysis = analyze(
            mutated(
                T.role,
                (ra) =>
                    (ra.inputs.roleDefinitionId = String(ra.inputs.roleDefinitionId).replace(
                        OPENAI_USER_ROLE_ID,
                        COGNITIVE_SERVICES_USER_ROLE_ID,
                    )),
            ),
        );
        assert.deepEqual(broken(analysis), ["role/role"]);
        const role = check(analysis, "role", "role");
        assert.match(role.planned, /^Cognitive Services User \(/);
        assert.match(
            role.basis,
            /^over-privileged: Cognitive Services User grants more than inference \(it lists the account's keys\)/,
        );
        assert.match(role.ifBroken, /^no run-time error: Azure accepts the call/);
    });

    it("role Reader: 401 PermissionDenied at the role", () => {
        const analysis = analyze(
            mutated(
                T.role,
                (ra) =>
                    (ra.inputs.roleDefinitionId = String(ra.inputs.roleDefinitionId).replace(
                        OPENAI_USER_ROLE_ID,
                        "acdd72a7-3385-48ef-bd42-f606fba81ae7",
                    )),
            ),
        );
        assert.deepEqual(broken(analysis), ["role/role"]);
        assert.match(check(analysis, "role", "role").ifBroken, /lacks the required data action/);
    });

    it("pod label missing: no injection, so DefaultAzureCredential finds no credential", () => {
        const analysis = analyze(
            mutated(T.deployment, (d) => delete d.inputs.spec.template.metadata.labels["azure.workload.identity/use"]),
        );
        assert.deepEqual(broken(analysis), ["workload/pod label"]);
        const label = check(analysis, "workload", "pod label");
        assert.equal(label.planned, "azure.workload.identity/use=(absent)");
        assert.equal(label.ifBroken, NO_INJECTION);
    });

    it("pod label as the boolean true instead of the string: no injection", () => {
        const analysis = analyze(
            mutated(
                T.deployment,
                (d) => (d.inputs.spec.template.metadata.labels["azure.workload.identity/use"] = true),
            ),
        );
        assert.deepEqual(broken(analysis), ["workload/pod label"]);
        assert.equal(check(analysis, "workload", "pod label").planned, "azure.workload.identity/use=true");
    });

    it("a key variable left in the pod: the app keeps the key path", () => {
        const analysis = analyze(
            mutated(T.deployment, (d) =>
                d.inputs.spec.template.spec.containers[0].env.push({ name: "AZURE_OPENAI_API_KEY", value: "k" }),
            ),
        );
        assert.deepEqual(broken(analysis), ["workload/keyless"]);
        assert.equal(
            check(analysis, "workload", "keyless").planned,
            'USE_AZURE_AD="True"; key variables: AZURE_OPENAI_API_KEY',
        );
    });

    it("a regional endpoint: 401 asking for a custom subdomain", () => {
        const analysis = analyze(
            mutated(T.deployment, (d) => {
                const env = d.inputs.spec.template.spec.containers[0].env as { name: string; value: string }[];
                (env.find((e) => e.name === "AZURE_OPENAI_ENDPOINT") as { value: string }).value =
                    "https://eastus.api.cognitive.microsoft.com/";
            }),
        );
        assert.deepEqual(broken(analysis), ["openai/endpoint"]);
        assert.equal(
            check(analysis, "openai", "endpoint").ifBroken,
            "Please provide a custom subdomain for token authentication, otherwise API key is required.",
        );
    });

    it("a deployment name the account does not have: 404 DeploymentNotFound", () => {
        const analysis = analyze(
            mutated(T.deployment, (d) => {
                const env = d.inputs.spec.template.spec.containers[0].env as { name: string; value: string }[];
                (env.find((e) => e.name === "AZURE_OPENAI_DEPLOYMENT_NAME") as { value: string }).value = "gpt-4o";
            }),
        );
        assert.deepEqual(broken(analysis), ["openai/deployment"]);
        assert.match(
            check(analysis, "openai", "deployment").ifBroken,
            /^The API deployment for this resource does not exist\./,
        );
    });

    it("no workload calling Azure OpenAI at all: no path", () => {
        const analysis = analyze(evaluation.resources.filter((r) => r.type !== T.deployment));
        assert.equal(analysis.whole, false);
        assert.equal(analysis.paths[0].workload, "(none)");
        assert.deepEqual(broken(analysis), ["workload/workload calling Azure OpenAI"]);
    });
});

describe("the plan's exit status follows the access path", () => {
    it("is 0 for the whole path and 1 once a hop is broken", () => {
        assert.equal(assemblePlan(evaluation, noPolicies()).summary.exitCode, 0);
        const brokenEvaluation: Evaluation = {
            ...evaluation,
            resources: mutated(T.credential, (c) => (c.inputs.audiences = ["api://other"])),
        };
        const plan = assemblePlan(brokenEvaluation, noPolicies());
        assert.deepEqual(plan.summary, {
            resources: 9,
            accessPathWhole: false,
            mandatoryPolicyFailures: 0,
            exitCode: 1,
        });
    });
});
