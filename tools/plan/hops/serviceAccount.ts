import { ENTRA, NO_INJECTION } from "../azureErrors";
import { CLIENT_ID_ANNOTATION, TENANT_ID_ANNOTATION } from "../facts";
import { at, dependsOn, identityName, linkBasis, namespaceOf, ofType, str, T } from "./lookups";
import type { AnalysedResource, HopAnalyzer } from "./model";

/**
 * Hop 2: the pod runs as a ServiceAccount this stack registers, annotated with the client id of one of its managed
 * identities. Resolves the ServiceAccount and the identity for the hops after it.
 */
export const serviceAccountHop: HopAnalyzer = {
    hop: "service account",
    analyze({ input, workload, template, namespace }) {
        const resources = input.resources;
        const saName =
            str(at(template, "spec.serviceAccountName")) ?? str(at(template, "spec.serviceAccount")) ?? "default";
        const serviceAccount = ofType(resources, T.serviceAccount).find(
            (sa) => str(at(sa.inputs, "metadata.name")) === saName && namespaceOf(sa) === namespace,
        );
        const identities = ofType(resources, T.identity);
        const annotations = (serviceAccount && at(serviceAccount.inputs, "metadata.annotations")) ?? {};
        const annotatedClientId = str(annotations[CLIENT_ID_ANNOTATION]);
        const tenantId = str(annotations[TENANT_ID_ANNOTATION]);
        const identity = identities.find((candidate) => str(candidate.state.clientId) === annotatedClientId);
        const swapped = identities.find((candidate) => str(candidate.state.principalId) === annotatedClientId);
        return {
            checks: [
                {
                    hop: "service account",
                    check: "pod runs as",
                    planned: `${namespace}/${saName}`,
                    verdict: serviceAccount ? "ok" : "broken",
                    basis: serviceAccount
                        ? dependsOn(workload, "spec", serviceAccount)
                            ? `linked by construction: serviceAccountName is the ServiceAccount's own metadata.name (${serviceAccount.name})`
                            : `a ServiceAccount of that name is registered (${serviceAccount.name})`
                        : "no ServiceAccount of that name and namespace is registered by this stack",
                    ifBroken:
                        `Kubernetes refuses the pods (error looking up service account ${namespace}/${saName}: serviceaccount ` +
                        `"${saName}" not found), or, if one exists without the annotation, ${NO_INJECTION}`,
                },
                {
                    hop: "service account",
                    check: "client-id annotation",
                    planned: annotatedClientId ?? "(absent)",
                    verdict: !serviceAccount ? "not reached" : identity ? "ok" : "broken",
                    basis: clientIdBasis(serviceAccount, identity, swapped, annotatedClientId),
                    ifBroken:
                        annotatedClientId === undefined
                            ? NO_INJECTION
                            : ENTRA.unknownClient(annotatedClientId, tenantId ?? "<tenant>").description,
                },
                {
                    hop: "service account",
                    check: "tenant-id annotation",
                    planned: tenantId ?? "(absent: the webhook uses the cluster's tenant)",
                    verdict: !serviceAccount ? "not reached" : "ok",
                    basis: "the tenant azure-native deploys the identity into (AZURE_TENANT_ID)",
                    ifBroken: "AADSTS700016 (the client id is not an application in that tenant)",
                },
            ],
            resolved: { serviceAccountName: saName, serviceAccount, identity },
        };
    },
};

function clientIdBasis(
    serviceAccount: AnalysedResource | undefined,
    identity: AnalysedResource | undefined,
    swapped: AnalysedResource | undefined,
    annotatedClientId: string | undefined,
): string {
    if (!serviceAccount) {
        return "no ServiceAccount";
    }
    if (identity) {
        return linkBasis(
            annotatedClientId,
            serviceAccount,
            "metadata",
            identity,
            `the client id of managed identity ${identityName(identity)}`,
        );
    }
    if (swapped) {
        return `this is the PRINCIPAL id of managed identity ${identityName(swapped)}; the webhook needs its client id`;
    }
    if (annotatedClientId === undefined) {
        return `the ServiceAccount has no ${CLIENT_ID_ANNOTATION} annotation`;
    }
    return "no managed identity registered by this stack has this client id";
}
