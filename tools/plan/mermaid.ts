import { HOPS, type AccessPath, type Hop, type Verdict } from "./accessPath";
import type { Plan, PlanResource } from "./plan";
import { displayNames } from "./render";

/**
 * The plan as a Mermaid flowchart (`plan.mmd`) and as a Markdown report embedding it (`plan.md`): resources grouped by
 * their component, dependency edges dotted ("waits for"), and each access path drawn thick from the workload to the
 * model deployment, every hop labelled with its verdict.
 */

/** Mermaid node id of a resource: its name, made safe, unique within the plan. */
export function nodeIds(resources: readonly PlanResource[]): Map<string, string> {
    const ids = new Map<string, string>();
    const used = new Set<string>();
    for (const resource of resources) {
        let id = `r_${resource.name.replace(/[^A-Za-z0-9]/g, "_")}`;
        if (used.has(id)) {
            id = `${id}_${resource.type
                .split(":")
                .pop()
                ?.replace(/[^A-Za-z0-9]/g, "_")}`;
        }
        used.add(id);
        ids.set(resource.urn, id);
    }
    return ids;
}

/** Node id of something the stack reads (`read:<account>` or `read:<account>/<deployment>`). */
export function readNodeId(ref: string): string {
    return `read_${ref.slice("read:".length).replace(/[^A-Za-z0-9]/g, "_")}`;
}

export function renderMermaid(plan: Plan): string {
    const out: string[] = ["flowchart LR"];
    const ids = nodeIds(plan.resources);
    const byUrn = new Map(plan.resources.map((resource) => [resource.urn, resource]));
    const root = plan.resources.find((resource) => resource.parent === null);
    const children = new Map<string, PlanResource[]>();
    for (const resource of plan.resources) {
        if (resource.parent !== null) {
            children.set(resource.parent, [...(children.get(resource.parent) ?? []), resource]);
        }
    }

    out.push("    %% Resources, grouped by component");
    const emit = (resource: PlanResource, indent: string) => {
        const kids = children.get(resource.urn) ?? [];
        if (resource.component) {
            out.push(
                `${indent}subgraph g_${ids.get(resource.urn)}["${label(`${short(resource.type)} ${resource.name}`)}"]`,
            );
            kids.forEach((kid) => emit(kid, `${indent}    `));
            out.push(`${indent}end`);
        } else {
            out.push(`${indent}${ids.get(resource.urn)}["${label(`${short(resource.type)}<br/>${resource.name}`)}"]`);
            kids.forEach((kid) => emit(kid, indent));
        }
    };
    for (const resource of root ? (children.get(root.urn) ?? []) : plan.resources) {
        emit(resource, "    ");
    }

    const reads = new Set<string>();
    for (const path of plan.accessPath.paths) {
        for (const ref of [path.chain.account, path.chain.deployment]) {
            if (ref?.startsWith("read:")) {
                reads.add(ref);
            }
        }
    }
    for (const ref of reads) {
        const what = ref.includes("/") ? `model deployment ${ref.split("/")[1]}` : `Azure OpenAI ${ref.slice(5)}`;
        out.push(`    ${readNodeId(ref)}[("${label(`${what}<br/>(existing, read)`)}")]`);
    }

    out.push('    %% Dependencies: "a -.-> b" means a waits for b');
    for (const edge of plan.edges) {
        if (byUrn.get(edge.from)?.component || byUrn.get(edge.to)?.component) {
            continue;
        }
        out.push(`    ${ids.get(edge.from)} -.-> ${ids.get(edge.to)}`);
    }

    const classes: string[] = [];
    plan.accessPath.paths.forEach((path, index) => {
        out.push(`    %% Access path ${index + 1}: ${path.workload} (${path.whole ? "whole" : "BROKEN"})`);
        for (const [from, to, hop] of accessEdges(path)) {
            const node = (ref: string) => (ref.startsWith("read:") ? readNodeId(ref) : ids.get(ref));
            const verdict = hopVerdict(path, hop);
            out.push(`    ${node(from)} ==>|"${HOPS.indexOf(hop) + 1}. ${hop}: ${verdict}"| ${node(to)}`);
        }
        const workload = ids.get(path.chain.workload);
        if (workload) {
            classes.push(`    class ${workload} ${hopVerdict(path, "workload") === "broken" ? "broken" : "workload"}`);
        }
    });
    out.push("    classDef workload stroke:#1a7f37,stroke-width:3px");
    out.push("    classDef broken stroke:#cf222e,stroke-width:3px");
    out.push(...classes);
    return `${out.join("\n")}\n`;
}

/** The hops drawn as edges: [from, to, hop]. A hop whose ends were not found is not drawn. */
export function accessEdges(path: AccessPath): [string, string, Hop][] {
    const c = path.chain;
    const edges: [string | undefined, string | undefined, Hop][] = [
        [c.workload, c.serviceAccount, "service account"],
        [c.serviceAccount, c.credential, "federated credential"],
        [c.credential, c.identity, "identity"],
        [c.identity, c.roleAssignment, "role"],
        [c.roleAssignment, c.account, "scope"],
        [c.account, c.deployment, "openai"],
        [c.privateEndpoint, c.account, "network"],
    ];
    return edges.filter((edge): edge is [string, string, Hop] => edge[0] !== undefined && edge[1] !== undefined);
}

/** The worst verdict of a hop's checks. */
export function hopVerdict(path: AccessPath, hop: Hop): Verdict {
    const verdicts = path.checks.filter((check) => check.hop === hop).map((check) => check.verdict);
    return verdicts.includes("broken") ? "broken" : verdicts.includes("not reached") ? "not reached" : "ok";
}

export function renderMarkdown(plan: Plan): string {
    const out: string[] = [];
    const s = plan.summary;
    out.push(`# Plan: stack \`${plan.stack}\``, "");
    out.push(
        `Offline preview of project \`${plan.project}\` under a mocked cloud: nothing was read from or sent to Azure. ` +
            "Values in `<...>` are placeholders for values only Azure knows; the same placeholder in two places is the same value.",
        "",
    );
    out.push(
        `**Result:** access path ${s.accessPathWhole ? "whole" : "**BROKEN**"}, ` +
            `${s.mandatoryPolicyFailures} mandatory policy violation(s); \`npm run plan\` exits ${s.exitCode}.`,
        "",
    );
    for (const path of plan.accessPath.paths) {
        out.push(`## Access path: ${md(path.workload)} (${path.whole ? "whole" : "BROKEN"})`, "");
        out.push("| # | Hop | Check | Planned | Verdict | Why | If broken |", "|---|---|---|---|---|---|---|");
        for (const check of path.checks) {
            out.push(
                `| ${HOPS.indexOf(check.hop) + 1} | ${check.hop} | ${check.check} | \`${check.planned.replace(/\|/g, "\\|")}\` | ` +
                    `${check.verdict === "broken" ? "**BROKEN**" : check.verdict} | ${md(check.basis)} | ${md(check.ifBroken)} |`,
            );
        }
        out.push("");
    }
    out.push("## Diagram", "", "```mermaid", renderMermaid(plan).trimEnd(), "```", "");
    out.push("## Resources", "", "| Type | Name | Parent | Options |", "|---|---|---|---|");
    const names = displayNames(plan.resources);
    for (const resource of plan.resources) {
        const o = resource.options;
        const options = [
            o.import !== null ? `import \`${o.import}\`` : "",
            o.deleteBeforeReplace ? "deleteBeforeReplace" : "",
            o.retainOnDelete ? "retainOnDelete" : "",
            o.protect ? "protect" : "",
        ]
            .filter((x) => x !== "")
            .join(", ");
        out.push(
            `| \`${resource.type}\` | ${md(resource.name)} | ${resource.parent ? md(names.get(resource.parent) ?? "") : ""} | ${options} |`,
        );
    }
    out.push("");
    out.push("## Policies", "", `From \`${plan.policies.source}\`.`, "");
    out.push("| Policy | Level | Status | Details |", "|---|---|---|---|");
    for (const result of plan.policies.results) {
        const details = [
            ...result.violations.map((v) => `${v.resource ?? "stack"}: ${v.message}`),
            ...result.notJudged.map((n) => `not judged (${n.resource ?? "stack"}): ${n.message}`),
        ];
        out.push(`| ${result.policy} | ${result.enforcementLevel} | ${result.status} | ${md(details.join("; "))} |`);
    }
    out.push("");
    out.push("## Assumptions", "", ...plan.assumptions.map((a) => `- ${md(a)}`), "");
    if (plan.warnings.length > 0) {
        out.push("## Program warnings", "", ...plan.warnings.map((w) => `- ${md(w)}`), "");
    }
    out.push("## Placeholders", "", ...plan.placeholders.map((p) => `- \`${p.text}\` (${p.kind})`), "");
    return out.join("\n");
}

function short(type: string): string {
    const [pkg, module, name] = type.split(":");
    return pkg === "pulumi" && module === "providers" ? `provider ${name}` : (name ?? type);
}

/** Mermaid label text: quotes and angle brackets as Mermaid entity codes. */
function label(text: string): string {
    return text
        .replace(/"/g, "#quot;")
        .replace(/<(?!br\/>)/g, "#lt;")
        .replace(/(?<!<br\/)>/g, "#gt;");
}

/** Markdown table-cell text. */
function md(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
