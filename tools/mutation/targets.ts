import { readdirSync } from "node:fs";
import * as path from "node:path";

/**
 * Which tests exercise which file, for `npm run mutation`. Stryker's command runner cannot tell which test covers a
 * mutant, so each mutant of a file runs the whole command: these lists are the test files that run that file's code and
 * assert on what it produces, no more (a mutant costs the sum of their run times). A file matches the first rule whose
 * prefix it starts with, so a module split into a folder (components/config/...) keeps its rule.
 */

export interface TargetRule {
    /** A file path, or a folder prefix ending in "/" or a path without its ".ts". */
    readonly prefix: string;
    /** Test files, relative to the project root. */
    readonly tests: readonly string[];
}

const t = (...names: string[]) => names.map((name) => `tests/${name}.test.ts`);

/**
 * Tests that load the policy pack's rules and judge fixtures and whole programs with them, and the one that pins what
 * the pack tells people (descriptions, remediation steps, levels).
 */
const POLICY_TESTS = t(
    "policyResources",
    "policyStack",
    "policyUnknowns",
    "policyText",
    "policyHelpers",
    "policyGraph",
    "policyResourceMessages",
    "policyStackMessages",
);

export const TARGET_RULES: readonly TargetRule[] = [
    { prefix: "components/aiService", tests: t("program", "urns", "rollout") },
    { prefix: "components/workloadIdentity", tests: t("program", "urns", "workloadIdentity", "lifecycle") },
    {
        prefix: "components/aksWorkloadIdentity",
        tests: t("clusterFeatures", "clusterFeaturesProvider", "program", "lifecycle"),
    },
    {
        prefix: "components/existingCluster",
        tests: t("clusterFeatures", "program", "preview", "existingClusterAccess", "discovery"),
    },
    {
        prefix: "components/managedCluster",
        tests: t("program", "environments", "lifecycle", "urns", "managedClusterAccess", "privateNetwork"),
    },
    { prefix: "components/entraKubeconfig", tests: t("managedClusterAccess", "kubeconfig") },
    { prefix: "components/azureCredential", tests: t("azureCredential") },
    { prefix: "components/armApiVersions", tests: t("azureCredential", "verifyCommand") },
    { prefix: "components/curlPod", tests: t("smokeTest", "verifyCallPath") },
    { prefix: "components/localAccountsAdvice", tests: t("existingClusterAccess", "verifyClusterAccess") },
    { prefix: "components/managedOpenAiAccount", tests: t("program", "environments", "lifecycle", "urns") },
    {
        prefix: "components/existingOpenAiAccount",
        tests: t("existingOpenAi", "discovery", "program", "privateNetwork"),
    },
    { prefix: "components/clusterNetwork", tests: t("privateNetwork", "urns") },
    { prefix: "components/clusterControlPlaneIdentity", tests: t("privateNetwork", "urns") },
    { prefix: "components/openAiPrivateEndpoint", tests: t("privateNetwork", "urns") },
    { prefix: "components/privateNetworking", tests: t("privateNetwork", "urns") },
    { prefix: "components/openAiTarget", tests: t("existingOpenAi", "program") },
    { prefix: "components/openAiDeployments", tests: t("openAiDeployments") },
    { prefix: "components/clusterConnection", tests: t("kubeconfig", "program", "environments") },
    { prefix: "components/kubernetesProvider", tests: t("kubeconfig", "program", "environments") },
    { prefix: "components/userKubeconfig", tests: t("kubeconfig", "program", "environments") },
    { prefix: "components/kubeconfig", tests: t("kubeconfig", "program") },
    { prefix: "components/discovery", tests: t("discovery") },
    { prefix: "components/stackCluster", tests: t("discovery") },
    { prefix: "components/smokeTest", tests: t("smokeTest") },
    { prefix: "components/naming", tests: t("naming", "program") },
    { prefix: "components/didYouMean", tests: t("didYouMean", "config", "planCli", "verify") },
    // Every reader of a constant: the program, config, the private network, verify, and the plan's and the policy pack's
    // own statements of the facts (independentFacts fails when the program's constant disagrees with theirs).
    {
        prefix: "components/constants",
        tests: t(
            "program",
            "naming",
            "smokeTest",
            "lifecycle",
            "config",
            "clusterAccessConfig",
            "privateNetwork",
            "verify",
            "independentFacts",
        ),
    },
    { prefix: "components/openAiAuditLog", tests: t("openAiAuditLog", "urns") },
    { prefix: "components/config/audit", tests: t("configAudit") },
    { prefix: "components/config/image", tests: t("image", "config") },
    { prefix: "components/config/smokeTest", tests: t("smokeTest", "config") },
    {
        prefix: "components/config",
        tests: t(
            "configReader",
            "configSections",
            "config",
            "configLifecycle",
            "configuration-doc",
            "clusterAccessConfig",
            "configNetwork",
        ),
    },
    { prefix: "policy/index", tests: t("policyPack") },
    { prefix: "policy/engineInternals", tests: t("policyUnknowns") },
    { prefix: "policy/clusterAccessPolicies", tests: t("policyClusterAccess", "policyText") },
    { prefix: "policy/auditPolicies", tests: [...t("policyAudit"), ...POLICY_TESTS] },
    {
        prefix: "policy/network",
        tests: t("policyNetworkGraph", "policyNetworkMessages", "planNetwork", "privateNetwork", "policyText"),
    },
    // The pack's own statement of the facts: every policy that reads one, and the test that holds it to the program's.
    {
        prefix: "policy/facts",
        tests: [
            ...POLICY_TESTS,
            ...t("policyAudit", "policyClusterAccess", "policyNetworkMessages", "independentFacts"),
        ],
    },
    { prefix: "policy/", tests: POLICY_TESTS },
];

/** The folders whose every .ts file `npm run mutation` mutates. */
export const MUTATED_FOLDERS: readonly string[] = ["components", "policy"];

/** Every .ts file of the mutated folders under `root`, relative to it, sorted. */
export function mutatedFiles(root: string): string[] {
    const walk = (dir: string): string[] =>
        readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
            const relative = `${dir}/${entry.name}`;
            if (entry.isDirectory()) {
                return entry.name === "node_modules" ? [] : walk(relative);
            }
            return entry.name.endsWith(".ts") ? [relative] : [];
        });
    return MUTATED_FOLDERS.flatMap(walk).sort();
}

/** The tests for `file`, or an error naming the file and the fix. */
export function testsFor(file: string): readonly string[] {
    const rule = TARGET_RULES.find((candidate) => file.startsWith(candidate.prefix));
    if (rule === undefined) {
        throw new Error(
            `${file} has no rule in tools/mutation/targets.ts: add { prefix: "${file.replace(/\.ts$/, "")}", tests: [...] } ` +
                `listing the test files that exercise it`,
        );
    }
    return rule.tests;
}

/**
 * The chosen files grouped by the tests that exercise them, in order of first appearance: one Stryker run per group
 * pays Stryker's start, its TypeScript checker's and the dry run's cost once for all of its files.
 */
export function groupByTests(files: readonly string[]): { files: string[]; tests: readonly string[] }[] {
    const groups = new Map<string, { files: string[]; tests: readonly string[] }>();
    for (const file of files) {
        const tests = testsFor(file);
        const key = tests.join("\0");
        const group = groups.get(key) ?? { files: [], tests };
        group.files.push(file);
        groups.set(key, group);
    }
    return [...groups.values()];
}
