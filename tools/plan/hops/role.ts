import { ROLE_NAMES } from "../azureErrors";
import { COGNITIVE_SERVICES_USER_ROLE_ID, OPENAI_CONTRIBUTOR_ROLE_ID, OPENAI_USER_ROLE_ID } from "../facts";
import { covers, identityName, linkBasis, ofType, permissionDenied, roleGuid, str, T } from "./lookups";
import type { HopAnalyzer } from "./model";

/**
 * Hop 5: a role assignment names the identity's principal id, grants Cognitive Services OpenAI User and says its
 * principal type. Resolves the assignment that grants the role on the account (else the closest one to show).
 */
export const roleHop: HopAnalyzer = {
    hop: "role",
    analyze({ input, account }, resolved) {
        const identity = resolved.identity;
        const principalId = identity ? str(identity.state.principalId) : undefined;
        const clientIdOfIdentity = identity ? str(identity.state.clientId) : undefined;
        const assignments = ofType(input.resources, T.roleAssignment);
        const mine = assignments.filter(
            (ra) => principalId !== undefined && str(ra.inputs.principalId) === principalId,
        );
        const onClientId = assignments.find(
            (ra) => clientIdOfIdentity !== undefined && str(ra.inputs.principalId) === clientIdOfIdentity,
        );
        const assignment =
            mine.find((ra) => roleGuid(ra) === OPENAI_USER_ROLE_ID && covers(str(ra.inputs.scope), account?.id)) ??
            mine.find((ra) => covers(str(ra.inputs.scope), account?.id)) ??
            mine[0] ??
            onClientId;
        const denied = permissionDenied(resolved);
        const guid = assignment ? roleGuid(assignment) : undefined;
        const overPrivileged = guid === COGNITIVE_SERVICES_USER_ROLE_ID || guid === OPENAI_CONTRIBUTOR_ROLE_ID;
        const principalType = str(assignment?.inputs.principalType);
        return {
            checks: [
                {
                    hop: "role",
                    check: "principal",
                    planned: str(assignment?.inputs.principalId) ?? "(no role assignment)",
                    verdict: !identity ? "not reached" : mine.length > 0 ? "ok" : "broken",
                    basis:
                        mine.length > 0 && assignment && identity
                            ? linkBasis(
                                  str(assignment.inputs.principalId),
                                  assignment,
                                  "principalId",
                                  identity,
                                  `the principal id of managed identity ${identityName(identity)}`,
                              )
                            : onClientId
                              ? `this is the CLIENT id of managed identity ${identityName(identity)}; a role assignment needs its principal (object) id`
                              : "no role assignment names the identity's principal id",
                    ifBroken: `${denied} (at deploy time, a principal id that is no object id fails with PrincipalNotFound)`,
                },
                {
                    hop: "role",
                    check: "role",
                    planned: assignment
                        ? `${ROLE_NAMES[guid ?? ""] ?? "unknown role"} (${str(assignment.inputs.roleDefinitionId)})`
                        : "(none)",
                    verdict: !assignment ? "not reached" : guid === OPENAI_USER_ROLE_ID ? "ok" : "broken",
                    basis:
                        guid === OPENAI_USER_ROLE_ID
                            ? `Cognitive Services OpenAI User (${OPENAI_USER_ROLE_ID}): inference only`
                            : overPrivileged
                              ? `over-privileged: ${ROLE_NAMES[guid ?? ""]} grants more than inference ` +
                                (guid === COGNITIVE_SERVICES_USER_ROLE_ID
                                    ? "(it lists the account's keys)"
                                    : "(it manages deployments)") +
                                `; the path must use Cognitive Services OpenAI User (${OPENAI_USER_ROLE_ID})`
                              : `must be Cognitive Services OpenAI User (${OPENAI_USER_ROLE_ID})`,
                    ifBroken: overPrivileged
                        ? "no run-time error: Azure accepts the call, and the identity can do more than it needs (least privilege broken)"
                        : denied,
                },
                {
                    hop: "role",
                    check: "principal type",
                    planned: principalType ?? "(absent)",
                    verdict: !assignment ? "not reached" : principalType === "ServicePrincipal" ? "ok" : "broken",
                    basis: "ServicePrincipal, so ARM does not look up a freshly created identity in a directory replica that lacks it",
                    ifBroken:
                        "at deploy time: PrincipalNotFound for a new identity (Entra replication delay); dependsOn does not help",
                },
            ],
            resolved: { roleAssignment: assignment },
        };
    },
};
