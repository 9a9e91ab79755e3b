import { readFileSync } from "node:fs";
import * as path from "node:path";

import { seedAccount, setIssuerUrl, setUserKubeconfig } from "../../tests/support/armResources";
import { kubectl } from "./kubectl";
import { REPO_ROOT } from "./pulumiCli";
import type { World } from "./world";

/**
 * The state the aks-store-demo quickstart leaves, which Pulumi.dev.yaml describes (names from the Microsoft Learn
 * page): cluster myAKSCluster without the OIDC issuer or workload identity, account myOpenAI with a custom subdomain
 * and one deployment, and ai-service applied with kubectl, its API key in the pod's environment.
 */
export const SEED = {
    resourceGroupName: "myResourceGroup",
    clusterName: "myAKSCluster",
    accountName: "myOpenAI",
    customSubDomainName: "myopenai",
    deploymentName: "gpt-4o-mini",
    namespace: "default",
    serviceAccountName: "ai-service-account",
    identityName: "myIdentity",
} as const;

/** Project files `pulumi` needs to run the program (node_modules is linked, not copied). */
export const PROGRAM_FILES = ["Pulumi.yaml", "index.ts", "components", "package.json", "tsconfig.json"] as const;

export async function seedQuickstart(world: World): Promise<void> {
    const { arm, cluster } = world;
    arm.seedCluster({
        resourceGroupName: SEED.resourceGroupName,
        name: SEED.clusterName,
        location: "eastus",
        oidcIssuerEnabled: false,
        workloadIdentityEnabled: false,
    });
    // When the stack turns the issuer on, AKS reports the cluster's own issuer: here, the local API server's.
    setIssuerUrl(arm, SEED.resourceGroupName, SEED.clusterName, cluster.issuer.issuerUrl);
    // `az aks get-credentials` (listClusterUserCredential) gives the local API server's kubeconfig.
    setUserKubeconfig(arm, SEED.resourceGroupName, SEED.clusterName, cluster.kubeconfig);
    seedAccount(arm, {
        resourceGroupName: SEED.resourceGroupName,
        name: SEED.accountName,
        location: "eastus",
        customSubDomainName: SEED.customSubDomainName,
    });
    arm.seedDeployments(SEED.resourceGroupName, SEED.accountName, [SEED.deploymentName]);

    const manifest = readFileSync(path.join(REPO_ROOT, "e2e/fixtures/ai-service-quickstart.yaml"), "utf8");
    await kubectl(cluster, ["apply", "-n", SEED.namespace, "-f", "-"], manifest);
}

/** Stages the program with a stack file from the repository, and initialises that stack on the local backend. */
export async function stageStack(world: World, projectName: string, stack: string): Promise<string> {
    const dir = world.pulumi.stageProject(projectName, [...PROGRAM_FILES, `Pulumi.${stack}.yaml`]);
    await world.pulumi.ok(dir, ["stack", "init", stack, "--secrets-provider", "passphrase"]);
    // The one setting that differs from Azure: where ARM is (the project's sovereign-cloud override).
    await world.pulumi.ok(dir, ["config", "set", "armEndpoint", world.arm.url, "--stack", stack]);
    return dir;
}
