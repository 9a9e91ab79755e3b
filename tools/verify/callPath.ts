/**
 * How `npm run verify -- --call` reaches ai-service. Its usual path is the API server's service proxy; but when a
 * NetworkPolicy isolates ai-service's pods for ingress (`aiService.networkPolicy.enabled`), the proxied request comes
 * from the control plane, which is no admitted peer, and the policy drops it (a timeout that looks like a broken app).
 * Then verify sends the request from a short-lived pod carrying labels the policy admits: the smoke test's, which the
 * stack admits whenever the smoke test is on. When no such label is admitted, the call is skipped with the reason:
 * verify never borrows another workload's labels (product-service's) to get through.
 */

/** A NetworkPolicy as verify reads it (networking.k8s.io/v1; matchExpressions are not used by this stack). */
export interface NetworkPolicyView {
    readonly name: string;
    /** `spec.podSelector.matchLabels`; `{}` selects every pod of the namespace. */
    readonly podSelector: Readonly<Record<string, string>>;
    /** Whether the selector also has matchExpressions (verify cannot judge those, so it assumes they match). */
    readonly podSelectorHasExpressions: boolean;
    /** `spec.policyTypes` as given (absent: Ingress, plus Egress when egress rules exist). */
    readonly policyTypes: readonly string[] | undefined;
    /** `spec.ingress`: per rule, its `from` peers; a rule without `from` admits every source. */
    readonly ingress: readonly { readonly from: readonly NetworkPeerView[] | undefined }[];
}

export interface NetworkPeerView {
    /** `podSelector.matchLabels`, when the peer has a podSelector. */
    readonly podSelector?: Readonly<Record<string, string>>;
    /** The peer also has a namespaceSelector (pods of other namespaces) or an ipBlock. */
    readonly namespaceSelector?: boolean;
    readonly ipBlock?: string;
}

export type CallPath =
    | { readonly kind: "service-proxy" }
    | {
          readonly kind: "caller-pod";
          readonly labels: Readonly<Record<string, string>>;
          /** The policies that isolate ai-service, by name, for the evidence line. */
          readonly policies: readonly string[];
      }
    | { readonly kind: "skip"; readonly reason: string; readonly fix: string };

function isSubset(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
    return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

function formatLabels(labels: Readonly<Record<string, string>>): string {
    return Object.entries(labels)
        .map(([key, value]) => `${key}=${value}`)
        .join(",");
}

/** The policies that restrict ingress to pods with `podLabels`. */
export function isolatingPolicies(
    policies: readonly NetworkPolicyView[],
    podLabels: Readonly<Record<string, string>>,
): NetworkPolicyView[] {
    return policies.filter(
        (policy) =>
            (policy.podSelectorHasExpressions || isSubset(policy.podSelector, podLabels)) &&
            (policy.policyTypes === undefined || policy.policyTypes.includes("Ingress")),
    );
}

/**
 * The path verify's call takes to ai-service's pods (labels `aiServiceLabels`), given the NetworkPolicies of their
 * namespace and the labels of the caller pod verify may create (`callerLabels`: the smoke test's).
 */
export function callPathFor(
    policies: readonly NetworkPolicyView[],
    aiServiceLabels: Readonly<Record<string, string>>,
    callerLabels: Readonly<Record<string, string>>,
): CallPath {
    const isolating = isolatingPolicies(policies, aiServiceLabels);
    if (isolating.length === 0) {
        return { kind: "service-proxy" };
    }
    const rules = isolating.flatMap((policy) => policy.ingress);
    // A rule without `from` admits every source, the API server's proxy included.
    if (rules.some((rule) => rule.from === undefined || rule.from.length === 0)) {
        return { kind: "service-proxy" };
    }
    const peers = rules.flatMap((rule) => rule.from ?? []);
    const admitsCaller = peers.some(
        (peer) =>
            peer.podSelector !== undefined &&
            peer.namespaceSelector !== true &&
            peer.ipBlock === undefined &&
            isSubset(peer.podSelector, callerLabels),
    );
    const names = isolating.map((policy) => policy.name);
    if (admitsCaller) {
        return { kind: "caller-pod", labels: callerLabels, policies: names };
    }
    const admitted = peers.map((peer) =>
        peer.ipBlock !== undefined
            ? `ipBlock ${peer.ipBlock}`
            : `pods ${formatLabels(peer.podSelector ?? {}) || "(any)"}${peer.namespaceSelector === true ? " (other namespaces)" : ""}`,
    );
    return {
        kind: "skip",
        reason:
            `NetworkPolicy ${names.join(", ")} admits ${admitted.length === 0 ? "no one" : `only ${admitted.join("; ")}`} ` +
            `to ai-service; the API server's ` +
            `service proxy is not an admitted peer, and verify does not borrow another workload's labels`,
        fix:
            `set aks-openai-wi:smokeTest.enabled to true and pulumi up (the policy then admits ${formatLabels(callerLabels)}, ` +
            `the labels of verify's caller pod), or send the request from an admitted pod`,
    };
}
