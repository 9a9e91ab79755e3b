import { CLUSTER_ADMIN_GROUPS_OUTPUT } from "../constants";
import { type ConfigObject, fixCommand, fullKey, type Problems, show } from "./reader";
import { DEFAULTS, LOCAL_ACCOUNTS, RULES } from "./schema";
import type { LocalAccounts } from "./settings";

/**
 * Who may sign in to a cluster the stack creates (issue 11): Microsoft Entra ID only, through an admin group that
 * bootstrap/github-oidc created for the deploying identity, unless `cluster.localAccounts` turns local accounts back
 * on for a throwaway cluster. docs/entra-cluster-access.md says why an admin group and not a role assignment.
 */

/**
 * A value a stack file marks to be copied in by hand, in the plan's placeholder form (`<what: where from>`,
 * tools/plan/placeholders.ts): no object id contains '<' or '>', so it can never be taken for a real one.
 */
const MARKED_VALUE = /^<[^<>]+>$/;

export interface ClusterAccessSettings {
    readonly localAccounts: LocalAccounts;
    readonly adminGroupObjectIds: readonly string[];
}

/**
 * Reads `cluster.localAccounts` and `cluster.adminGroupObjectIds` of a managed cluster. `preview` is true in
 * `pulumi preview` (and `npm run plan`): a marked value then stands for the object id still to be copied in, and is
 * refused only by `pulumi up`, which would otherwise create a cluster nobody can sign in to.
 */
export function readClusterAccess(
    problems: Problems,
    cluster: ConfigObject,
    context: { readonly stack: string; readonly preview: boolean },
): ClusterAccessSettings {
    const localAccounts = cluster.oneOf("localAccounts", LOCAL_ACCOUNTS, DEFAULTS.localAccounts);
    const ids = readGroupIds(problems, cluster.raw("adminGroupObjectIds"), context);
    if (localAccounts === "disabled" && ids !== undefined && ids.length === 0) {
        problems.add(
            `${fullKey("cluster.adminGroupObjectIds")} is required when cluster.mode is "managed" and cluster.localAccounts ` +
                `is "disabled" (the default): the cluster accepts only Microsoft Entra ID sign-ins, and the identity that ` +
                `runs \`pulumi up\` can create Kubernetes objects on it only as a member of an admin group. ` +
                `Fix: ${copyFromBootstrap(context.stack, 0)}`,
        );
    }
    if (localAccounts === "enabled" && ids !== undefined && ids.length > 0) {
        problems.add(
            `${fullKey("cluster.adminGroupObjectIds")} = ${show(cluster.raw("adminGroupObjectIds"))}: a cluster with ` +
                `cluster.localAccounts "enabled" is created without Microsoft Entra integration, so admin groups have no ` +
                `effect. Fix: pulumi config rm --path '${fullKey("cluster.localAccounts")}' (Entra ID only, the default), ` +
                `or pulumi config rm --path '${fullKey("cluster.adminGroupObjectIds")}'`,
        );
    }
    return { localAccounts, adminGroupObjectIds: ids ?? [] };
}

/**
 * What `pulumi preview`/`up` should say about a managed cluster's access, from settings alone: local accounts on (a
 * cluster-admin certificate for anyone who may list user credentials), or an admin group still to be copied in.
 */
export function clusterAccessWarnings(
    cluster: { readonly name: string } & ClusterAccessSettings,
    stack: string,
): string[] {
    if (cluster.localAccounts === "enabled") {
        return [
            `cluster.localAccounts is "enabled": AKS cluster ${cluster.name} is created without Microsoft Entra ` +
                `integration and keeps local accounts, so listClusterUserCredential (az aks get-credentials) returns a ` +
                `client certificate with cluster-admin rights to anyone holding "Azure Kubernetes Service Cluster User ` +
                `Role" on it, including a pull request's preview identity; sign-ins are not audited per person. Use it ` +
                `only for a throwaway dev cluster. Fix: pulumi config rm --path '${fullKey("cluster.localAccounts")}'`,
        ];
    }
    return cluster.adminGroupObjectIds
        .map((id, index) => ({ id, index }))
        .filter(({ id }) => MARKED_VALUE.test(id))
        .map(
            ({ id, index }) =>
                `${fullKey(`cluster.adminGroupObjectIds[${index}]`)} = ${show(id)} is a marked value, not a group's ` +
                `object id: this preview shows it in the cluster's Entra profile, and \`pulumi up\` refuses it. ` +
                `Fix: ${copyFromBootstrap(stack, index)}`,
        );
}

/** A list of GUIDs; undefined when the value or one of its items is invalid (the problem is recorded). */
function readGroupIds(
    problems: Problems,
    raw: unknown,
    context: { readonly stack: string; readonly preview: boolean },
): string[] | undefined {
    const path = "cluster.adminGroupObjectIds";
    if (raw === undefined || raw === null) {
        return [];
    }
    if (!Array.isArray(raw)) {
        problems.add(
            `${fullKey(path)} = ${show(raw)}: must be a list of Microsoft Entra group object ids. ` +
                `Fix: ${copyFromBootstrap(context.stack, 0)}`,
        );
        return undefined;
    }
    const before = problems.count;
    const ids = raw.flatMap((value: unknown, index) => {
        const itemPath = `${path}[${index}]`;
        if (typeof value === "string" && RULES.groupObjectId.pattern.test(value)) {
            return [value.toLowerCase()];
        }
        if (typeof value === "string" && MARKED_VALUE.test(value)) {
            if (context.preview) {
                return [value];
            }
            problems.add(
                `${fullKey(itemPath)} = ${show(value)} is a marked value the stack file asks you to replace, not a ` +
                    `group's object id; a cluster created with it would let nobody sign in. Fix: ${copyFromBootstrap(context.stack, index)}`,
            );
            return [];
        }
        problems.add(
            `${fullKey(itemPath)} = ${show(value)}: ${RULES.groupObjectId.rule}. Fix: ${copyFromBootstrap(context.stack, index)}`,
        );
        return [];
    });
    return problems.count === before ? ids : undefined;
}

/** The fix: the object id bootstrap/github-oidc exported for this stack's deploy identity, copied into the key. */
function copyFromBootstrap(stack: string, index: number): string {
    return (
        `copy the admin group's object id that bootstrap/github-oidc exported for stack "${stack}" ` +
        `(pulumi -C bootstrap/github-oidc stack output ${CLUSTER_ADMIN_GROUPS_OUTPUT} --json), then ` +
        fixCommand(`cluster.adminGroupObjectIds[${index}]`, "<object id>")
    );
}
