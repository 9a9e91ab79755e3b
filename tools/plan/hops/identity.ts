import { identityName, str } from "./lookups";
import type { HopAnalyzer } from "./model";

/** Hop 4: the managed identity the ServiceAccount names; its client id and principal id are what later hops need. */
export const identityHop: HopAnalyzer = {
    hop: "identity",
    analyze(_context, { identity }) {
        return {
            checks: [
                {
                    hop: "identity",
                    check: "client id / principal id",
                    planned: identity
                        ? `${str(identity.state.clientId)} / ${str(identity.state.principalId)}`
                        : "(none)",
                    verdict: identity ? "ok" : "not reached",
                    basis: identity
                        ? `managed identity ${identityName(identity)}: the client id goes to AZURE_CLIENT_ID, the principal id is the oid of its tokens`
                        : "the ServiceAccount names no managed identity of this stack",
                    ifBroken: "see the client-id annotation and the role's principal",
                },
            ],
        };
    },
};
