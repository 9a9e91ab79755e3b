import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";

import {
    cognitiveServicesAccountOf,
    isAzureNativeType,
    isCognitiveServicesAccount,
    OPENAI_ACCOUNT_KINDS,
} from "./azure";
import { CALL_LOG_CATEGORIES, PRODUCTION_STACK } from "./facts";
import { at, isBlank, isUnknown, listAt, plainProps, stringAt, UNKNOWN, type Unknown } from "./values";

/**
 * A record of every call to an Azure OpenAI account (issue 12): each OpenAI account the stack creates has a diagnostic
 * setting that sends its `Audit` and `RequestResponse` logs somewhere. Mandatory on production stack names, advisory
 * elsewhere; one policy per level, so a pack config can change either. A stack policy, because the setting is its own
 * resource, linked to the account by its `resourceUri` (by dependency in preview, by id or name otherwise).
 */

/** `azure-native:monitor:DiagnosticSetting`, and its older module `insights`, in any API version. */
export const isDiagnosticSetting = (type: string) =>
    isAzureNativeType(type, "monitor", "DiagnosticSetting") || isAzureNativeType(type, "insights", "DiagnosticSetting");

/** The stack name in a resource URN (`urn:pulumi:<stack>::<project>::...`). */
export function stackOfUrn(urn: string): string | undefined {
    return /^urn:pulumi:([^:]+)::/.exec(urn)?.[1];
}

export function isProductionStackName(stack: string): boolean {
    return PRODUCTION_STACK.test(stack);
}

interface Node {
    readonly urn: string;
    readonly name: string;
    readonly props: Readonly<Record<string, unknown>>;
    readonly resourceUriDependsOn: ReadonlySet<string>;
}

function nodeOf(resource: PolicyResource): Node {
    return {
        urn: resource.urn,
        name: resource.name,
        props: plainProps(resource.props),
        resourceUriDependsOn: new Set((resource.propertyDependencies?.resourceUri ?? []).map((r) => r.urn)),
    };
}

/** Which of the call categories a setting sends: a list, or UNKNOWN while any entry that matters is unknown. */
export function callCategoriesSent(props: Readonly<Record<string, unknown>>): readonly string[] | Unknown {
    const logs = listAt(props, "logs");
    if (isUnknown(logs)) {
        return UNKNOWN;
    }
    const sent = new Set<string>();
    let unknown = false;
    for (const entry of logs ?? []) {
        const enabled = at(entry, "enabled");
        const category = stringAt(entry, "category");
        const group = stringAt(entry, "categoryGroup");
        if (isUnknown(enabled) || isUnknown(category) || isUnknown(group) || isUnknown(entry)) {
            unknown = true;
            continue;
        }
        if (enabled !== true) {
            continue;
        }
        const named = CALL_LOG_CATEGORIES.find((c) => c.toLowerCase() === category?.toLowerCase());
        if (named !== undefined) {
            sent.add(named);
        } else if (group?.toLowerCase() === "alllogs") {
            CALL_LOG_CATEGORIES.forEach((c) => sent.add(c));
        } else if (group?.toLowerCase() === "audit") {
            sent.add("Audit");
        }
    }
    const complete = CALL_LOG_CATEGORIES.every((c) => sent.has(c));
    return unknown && !complete ? UNKNOWN : [...sent];
}

/** Whether the setting sends anywhere: a workspace, a storage account, an event hub or a partner (unknown = yes). */
function hasDestination(props: Readonly<Record<string, unknown>>): boolean {
    return ["workspaceId", "storageAccountId", "eventHubAuthorizationRuleId", "marketplacePartnerId"].some(
        (key) => !isBlank(stringAt(props, key)),
    );
}

/** The account's name: its `name` output, else its `accountName` input (the output is unknown in a preview). */
function accountNameOf(account: Node): string | undefined {
    return [stringAt(account.props, "name"), stringAt(account.props, "accountName")].find(
        (value): value is string => typeof value === "string",
    );
}

function sameText(a: string | Unknown | undefined, b: string | Unknown | undefined): boolean {
    return typeof a === "string" && typeof b === "string" && a.toLowerCase() === b.toLowerCase();
}

/** A setting is on the account by dependency, or by an id naming the account (and its resource group). */
function isOnAccount(setting: Node, account: Node): boolean {
    if (setting.resourceUriDependsOn.has(account.urn)) {
        return true;
    }
    const uri = stringAt(setting.props, "resourceUri");
    if (typeof uri !== "string") {
        return false;
    }
    const accountName = accountNameOf(account);
    const group = /\/resourceGroups\/([^/]+)\//i.exec(uri)?.[1];
    const accountGroup = stringAt(account.props, "resourceGroupName");
    return (
        sameText(cognitiveServicesAccountOf(uri), accountName) &&
        (typeof accountGroup !== "string" || sameText(group, accountGroup))
    );
}

function auditRule(production: boolean): StackValidationPolicy["validateStack"] {
    return (args, reportViolation) => {
        const stack = args.resources.length > 0 ? stackOfUrn(args.resources[0].urn) : undefined;
        if (stack === undefined || isProductionStackName(stack) !== production) {
            return;
        }
        const nodes = args.resources.map((resource) => ({ resource, node: nodeOf(resource) }));
        const settings = nodes.filter(({ resource }) => isDiagnosticSetting(resource.type)).map(({ node }) => node);
        // A setting whose target is not known yet (no dependency, unknown id) may be any account's: judge nothing.
        if (settings.some((s) => s.resourceUriDependsOn.size === 0 && isUnknown(stringAt(s.props, "resourceUri")))) {
            return;
        }
        for (const { resource, node: account } of nodes) {
            const kind = stringAt(account.props, "kind");
            if (
                !isCognitiveServicesAccount(resource.type) ||
                (typeof kind === "string" && !OPENAI_ACCOUNT_KINDS.includes(kind))
            ) {
                continue;
            }
            const onAccount = settings.filter((setting) => isOnAccount(setting, account));
            const verdicts = onAccount.map((setting) => ({
                setting,
                sent: callCategoriesSent(setting.props),
                destination: hasDestination(setting.props),
            }));
            if (
                verdicts.some((v) => {
                    const sent = v.sent;
                    return v.destination && Array.isArray(sent) && CALL_LOG_CATEGORIES.every((c) => sent.includes(c));
                }) ||
                verdicts.some((v) => isUnknown(v.sent))
            ) {
                continue;
            }
            const partial = verdicts.map(
                (v) =>
                    `diagnostic setting ${v.setting.name} ${
                        v.destination
                            ? `sends ${(v.sent as readonly string[]).join(" and ") || "none of them"}`
                            : "has no destination"
                    }`,
            );
            const name = accountNameOf(account);
            reportViolation(
                `Azure OpenAI account ${name ?? account.name} has no diagnostic setting that ` +
                    `sends its Audit and RequestResponse logs to a destination${partial.length > 0 ? ` (${partial.join("; ")})` : ""}: ` +
                    `calls to the model leave no record of who made them${production ? ` on production stack ${stack}` : ""}. ` +
                    "Fix: add a diagnostic setting (azure-native:monitor:DiagnosticSetting) on the account with the log " +
                    "categories Audit and RequestResponse enabled and a Log Analytics workspace as its destination; in " +
                    "aks-openai-wi: pulumi config set --path 'aks-openai-wi:audit.enabled' true",
                resource.urn,
            );
        }
    };
}

const DESCRIPTION =
    "Every Azure OpenAI account the stack creates has a diagnostic setting that sends its Audit and RequestResponse " +
    "logs to a destination (a Log Analytics workspace): without it, nothing records the calls to the model or who " +
    "made them. Accounts the stack only reads are not judged.";

export const auditPolicies: readonly StackValidationPolicy[] = [
    {
        name: "openai-account-audit-logs-production",
        description: `On production stack names (prod, production, prd, live, *-prod, *-production): ${DESCRIPTION}`,
        enforcementLevel: "mandatory",
        remediationSteps:
            "Add a diagnostic setting with the Audit and RequestResponse log categories on the account (config " +
            "audit.enabled, on by default for production stack names).",
        validateStack: auditRule(true),
    },
    {
        name: "openai-account-audit-logs",
        description:
            `On stacks not named for production: ${DESCRIPTION} Advisory: a development or test stack may do ` +
            "without the logs and their ingestion cost.",
        enforcementLevel: "advisory",
        remediationSteps:
            "Add a diagnostic setting with the Audit and RequestResponse log categories on the account (config audit.enabled).",
        validateStack: auditRule(false),
    },
];
