import { ENTRA } from "../azureErrors";
import { serviceAccountSubject, TOKEN_EXCHANGE_AUDIENCE } from "../facts";
import { containsPlaceholder } from "../placeholders";
import { arr, at, dependsOn, identityName, linkBasis, ofType, str, T } from "./lookups";
import type { AnalysedResource, HopAnalyzer } from "./model";

/**
 * Hop 3: a federated credential on the identity trusts the cluster's issuer, the pod's subject and the webhook's
 * audience. Each attribute is judged on the credential that names the pod's subject (else the identity's first one);
 * Entra reports the first mismatch in the order issuer, subject, audience (AADSTS700211, 700213, 700212).
 */
export const federatedCredentialHop: HopAnalyzer = {
    hop: "federated credential",
    analyze({ input, namespace }, { serviceAccountName, serviceAccount, identity }) {
        const resources = input.resources;
        const subject = serviceAccountSubject(namespace, serviceAccountName ?? "default");
        const issuerSource = clusterIssuer(resources);
        const candidates = identity
            ? ofType(resources, T.credential).filter(
                  (candidate) => str(candidate.inputs.resourceName) === identityName(identity),
              )
            : [];
        const credential =
            candidates.find((candidate) => str(candidate.inputs.subject) === subject) ??
            candidates.find((candidate) => str(candidate.inputs.issuer) === issuerSource?.value) ??
            candidates[0];
        const noCredential = identity && !credential;
        const issuer = str(credential?.inputs.issuer);
        const issuerOk =
            issuer !== undefined &&
            (issuerSource !== undefined ? issuer === issuerSource.value : /^https:\/\/.+\/$/.test(issuer));
        const plannedSubject = str(credential?.inputs.subject);
        const subjectOk = plannedSubject === subject;
        const audiences = arr(credential?.inputs.audiences).map(String);
        return {
            checks: [
                {
                    hop: "federated credential",
                    check: "issuer",
                    planned: issuer ?? "(no federated credential on this identity)",
                    verdict: !identity ? "not reached" : issuerOk ? "ok" : "broken",
                    basis: noCredential
                        ? `managed identity ${identityName(identity)} has no federated credential`
                        : issuerSource === undefined
                          ? issuerOk
                              ? "an https URL ending with '/' (the cluster's issuer is not in this plan)"
                              : "not an https URL ending with '/'"
                          : issuerOk
                            ? linkBasis(issuer, credential, "issuer", issuerSource.owner, issuerSource.description) +
                              (containsPlaceholder(issuer) ? ", passed verbatim" : "")
                            : `differs from ${issuerSource.description}: ${issuerSource.value}` +
                              (issuer !== undefined && `${issuer}/` === issuerSource.value
                                  ? " (the trailing '/' is missing)"
                                  : ""),
                    ifBroken: noCredential
                        ? ENTRA.noFederatedRecord(issuerSource?.value ?? "<issuer>", subject, TOKEN_EXCHANGE_AUDIENCE)
                              .description
                        : ENTRA.issuerMismatch(issuerSource?.value ?? issuer ?? "<issuer>").description,
                },
                {
                    hop: "federated credential",
                    check: "subject",
                    planned: plannedSubject ?? "(none)",
                    verdict: !credential ? "not reached" : subjectOk ? "ok" : "broken",
                    basis: subjectOk
                        ? dependsOn(credential, "subject", serviceAccount)
                            ? `linked by construction: built from the ServiceAccount's own metadata (${serviceAccount?.name}); the pod presents ${subject}`
                            : `equals the subject the pod presents: ${subject}`
                        : `the pod presents ${subject}; the credentials of this identity name ` +
                          (candidates.map((c) => str(c.inputs.subject)).join(", ") || "no subject"),
                    ifBroken: ENTRA.subjectMismatch(subject).description,
                },
                {
                    hop: "federated credential",
                    check: "audience",
                    planned: audiences.join(", ") || "(none)",
                    verdict: !credential
                        ? "not reached"
                        : audiences.includes(TOKEN_EXCHANGE_AUDIENCE)
                          ? "ok"
                          : "broken",
                    basis: audiences.includes(TOKEN_EXCHANGE_AUDIENCE)
                        ? `the audience the AKS webhook projects into the token (${TOKEN_EXCHANGE_AUDIENCE})`
                        : `the projected token's audience is ${TOKEN_EXCHANGE_AUDIENCE}`,
                    ifBroken: ENTRA.audienceMismatch(TOKEN_EXCHANGE_AUDIENCE).description,
                },
            ],
            resolved: { credential },
        };
    },
};

/** The cluster's issuer as the plan knows it: the feature resource, the managed cluster, or another stack's output. */
function clusterIssuer(
    resources: readonly AnalysedResource[],
): { value: string; owner: AnalysedResource; description: string } | undefined {
    const features = ofType(resources, T.features)[0];
    if (features && str(features.state.issuerUrl)) {
        return {
            value: str(features.state.issuerUrl) as string,
            owner: features,
            description: `the issuer URL of cluster ${str(features.inputs.clusterName)} (${features.name}.issuerUrl)`,
        };
    }
    const cluster = ofType(resources, T.managedCluster)[0];
    if (cluster && str(at(cluster.state, "oidcIssuerProfile.issuerURL"))) {
        return {
            value: str(at(cluster.state, "oidcIssuerProfile.issuerURL")) as string,
            owner: cluster,
            description: `the issuer URL of cluster ${str(cluster.inputs.resourceName)} (${cluster.name}.oidcIssuerProfile.issuerURL)`,
        };
    }
    for (const reference of ofType(resources, T.stackReference)) {
        const outputs = (at(reference.state, "outputs") ?? {}) as Record<string, unknown>;
        const entry = Object.entries(outputs).find(
            ([key, value]) => /issuer/i.test(key) && typeof value === "string" && value.startsWith("https://"),
        );
        if (entry) {
            return {
                value: entry[1] as string,
                owner: reference,
                description: `output ${entry[0]} of stack ${str(reference.inputs.name)}`,
            };
        }
    }
    return undefined;
}
