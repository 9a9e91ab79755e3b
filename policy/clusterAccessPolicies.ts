import type { ResourceValidationPolicy } from "@pulumi/policy";

import { isAzureNativeType } from "./azure";
import { PRODUCTION_STACK } from "./facts";
import { at, isUnknown, plainProps, show } from "./values";

/**
 * Who may sign in to an AKS cluster a stack creates (issue 11). With local accounts, listClusterUserCredential hands a
 * cluster-admin client certificate to anyone allowed to list user credentials (a pull request's preview identity
 * included), and nobody's sign-in is audited; without AKS-managed Microsoft Entra integration and Azure RBAC,
 * Kubernetes rights cannot be granted per identity. Advisory on throwaway stacks, mandatory on production names.
 * https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad
 */

const isManagedCluster = (type: string) => isAzureNativeType(type, "containerservice", "ManagedCluster");

/** The stack of a URN (`urn:pulumi:<stack>::<project>::...`). */
export function stackOfUrn(urn: string): string | undefined {
    return /^urn:pulumi:([^:]+)::/.exec(urn)?.[1];
}

export function isProductionStackName(stack: string | undefined): boolean {
    return stack !== undefined && PRODUCTION_STACK.test(stack);
}

/** What is wrong with a cluster's access settings, one message each; unknown values are never judged. */
export function clusterAccessProblems(name: string, props: Readonly<Record<string, unknown>>): string[] {
    const problems: string[] = [];
    const disableLocalAccounts = at(props, "disableLocalAccounts");
    if (disableLocalAccounts !== true && !isUnknown(disableLocalAccounts)) {
        problems.push(
            `AKS cluster ${name} keeps local accounts (disableLocalAccounts is ${show(disableLocalAccounts)}): ` +
                `listClusterUserCredential returns a cluster-admin client certificate to anyone who may list user ` +
                `credentials, and its use is not audited per person. Fix: disableLocalAccounts = true ` +
                `(config cluster.localAccounts: disabled).`,
        );
    }
    // An unknown aadProfile makes each of its fields unknown: neither is judged.
    const profile = at(props, "aadProfile");
    const managed = at(profile, "managed");
    const azureRbac = at(profile, "enableAzureRBAC");
    if (managed !== true && !isUnknown(managed)) {
        problems.push(
            `AKS cluster ${name} has no AKS-managed Microsoft Entra integration (aadProfile.managed is ${show(managed)}): ` +
                `Kubernetes sign-ins are not Entra ID identities. Fix: aadProfile = { managed: true, enableAzureRBAC: ` +
                `true, adminGroupObjectIDs: [<group of the deploying identity>] }.`,
        );
    } else if (azureRbac !== true && !isUnknown(azureRbac)) {
        problems.push(
            `AKS cluster ${name} does not use Azure RBAC for Kubernetes authorization (aadProfile.enableAzureRBAC is ` +
                `${show(azureRbac)}): Kubernetes rights cannot be granted and reviewed as Azure role assignments. ` +
                `Fix: aadProfile.enableAzureRBAC = true.`,
        );
    }
    return problems;
}

function clusterAccessPolicy(production: boolean): ResourceValidationPolicy {
    return {
        name: production ? "aks-entra-only-access-production" : "aks-entra-only-access",
        description: production
            ? "AKS clusters a production stack (prod, production, prd, live, *-prod, *-production) creates accept " +
              "Microsoft Entra ID sign-ins only: AKS-managed Entra integration, Azure RBAC for Kubernetes " +
              "authorization, local accounts disabled. A local account is a cluster-admin certificate outside any audit."
            : "AKS clusters a stack creates accept Microsoft Entra ID sign-ins only: AKS-managed Entra integration, " +
              "Azure RBAC for Kubernetes authorization, local accounts disabled. Advisory: a throwaway dev cluster " +
              "may keep local accounts (config cluster.localAccounts: enabled); on production stack names the " +
              "mandatory aks-entra-only-access-production applies instead.",
        enforcementLevel: production ? "mandatory" : "advisory",
        remediationSteps:
            "Set aadProfile = { managed: true, enableAzureRBAC: true, adminGroupObjectIDs: [...] } and " +
            "disableLocalAccounts = true (in this project: remove cluster.localAccounts, set cluster.adminGroupObjectIds).",
        validateResource: (args, reportViolation) => {
            if (!isManagedCluster(args.type) || isProductionStackName(stackOfUrn(args.urn)) !== production) {
                return;
            }
            clusterAccessProblems(args.name, plainProps(args.props)).forEach((message) => reportViolation(message));
        },
    };
}

export const clusterAccessPolicies: readonly ResourceValidationPolicy[] = [
    clusterAccessPolicy(false),
    clusterAccessPolicy(true),
];
