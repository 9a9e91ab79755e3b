import { covers, linkBasis, permissionDenied, str } from "./lookups";
import type { HopAnalyzer } from "./model";

/** Hop 6: the role assignment's scope is exactly the account the workload calls, not an ancestor of it. */
export const scopeHop: HopAnalyzer = {
    hop: "scope",
    analyze({ account }, resolved) {
        const assignment = resolved.roleAssignment;
        const scope = str(assignment?.inputs.scope);
        const scopeExact =
            scope !== undefined && account !== undefined && scope.toLowerCase() === account.id.toLowerCase();
        const scopeCovers = covers(scope, account?.id);
        return {
            checks: [
                {
                    hop: "scope",
                    check: "scope",
                    planned: scope ?? "(none)",
                    verdict: !assignment ? "not reached" : scopeExact ? "ok" : "broken",
                    basis:
                        account === undefined
                            ? "the account the workload's endpoint belongs to is not in this plan"
                            : scopeExact
                              ? linkBasis(scope, assignment, "scope", account.owner, `the id of ${account.source}`)
                              : scopeCovers
                                ? `broader than ${account.source} (${account.id}): it also grants every other account under it`
                                : `not ${account.source} (${account.id})`,
                    ifBroken:
                        scopeCovers && !scopeExact
                            ? "no run-time error: the call succeeds, and every account under the scope is reachable (least privilege broken)"
                            : permissionDenied(resolved),
                },
            ],
        };
    },
};
