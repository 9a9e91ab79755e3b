import { HOPS, type AccessPath, type Check } from "./accessPath";
import { renderDeployerAccess } from "./deployerAccess";
import type { Plan, PlanResource } from "./plan";

/**
 * The plan as text for a terminal or a pull-request comment: resource tree, dependency edges, reads and assumptions,
 * the access path table, the policy results and the verdict.
 */

export function renderText(plan: Plan): string {
    const out: string[] = [];
    const line = (text = "") => out.push(text);
    const names = displayNames(plan.resources);

    line(`Plan for stack ${plan.stack} (project ${plan.project})`);
    line(
        "Offline preview: the program ran under a mocked cloud with this stack's configuration. Nothing was read from",
    );
    line(
        "or sent to Azure. <...> marks a value only Azure knows; the same placeholder in two places is the same value.",
    );
    line();

    line(`RESOURCES (${plan.summary.resources}, plus ${plan.resources.length - plan.summary.resources} components)`);
    const children = new Map<string | null, PlanResource[]>();
    for (const resource of plan.resources) {
        const key =
            resource.parent !== null && plan.resources.some((r) => r.urn === resource.parent) ? resource.parent : null;
        children.set(key, [...(children.get(key) ?? []), resource]);
    }
    const walk = (resource: PlanResource, prefix: string, last: boolean, root: boolean) => {
        const branch = root ? "" : last ? "└─ " : "├─ ";
        line(`${prefix}${branch}${resource.type} ${resource.name}${flags(resource)}`);
        const inner = root ? prefix : `${prefix}${last ? "   " : "│  "}`;
        const kids = children.get(resource.urn) ?? [];
        const detail = `${inner}${kids.length > 0 ? "│" : " "}     `;
        for (const [key, value] of Object.entries(resource.inputs)) {
            describe(line, detail, key, value);
        }
        for (const [key, value] of Object.entries(resource.outputs)) {
            describe(line, detail, `=> ${key}`, value);
        }
        kids.forEach((kid, index) => walk(kid, inner, index === kids.length - 1, false));
    };
    for (const root of children.get(null) ?? []) {
        walk(root, "", true, true);
    }
    line();

    line(`DEPENDENCIES (${plan.edges.length}; "a -> b": a waits for b)`);
    for (const edge of plan.edges) {
        line(`  ${names.get(edge.from)} -> ${names.get(edge.to)}`);
    }
    line();

    line("READS (what the stack uses but does not own; answered with placeholders)");
    for (const read of plan.reads) {
        const args = Object.entries(read.args)
            .map(([key, value]) => `${key}=${String(value)}`)
            .join(" ");
        line(`  ${read.token}${args === "" ? "" : ` ${args}`}`);
    }
    line();
    line("ASSUMPTIONS (only Azure can confirm these; `pulumi preview` checks them)");
    for (const assumption of plan.assumptions) {
        line(`  - ${assumption}`);
    }
    if (plan.warnings.length > 0) {
        line();
        line("PROGRAM WARNINGS (evaluated against the placeholder answers; they apply if what they describe is true)");
        for (const warning of plan.warnings) {
            line(`  - ${warning}`);
        }
    }
    line();
    renderDeployerAccess(line, plan.deployerAccess);
    line();

    for (const path of plan.accessPath.paths) {
        renderAccessPath(line, path);
        line();
    }
    if (plan.accessPath.otherFederatedServiceAccounts.length > 0) {
        line(
            `Other federated ServiceAccounts (no workload of this stack runs as them): ${plan.accessPath.otherFederatedServiceAccounts.join(", ")}`,
        );
        line();
    }

    line(plan.audit.summary);
    line();

    const policies = plan.policies;
    const counts = count(policies.results.map((result) => result.status));
    line(
        `POLICIES (${policies.source}): ${policies.results.length} policies, ${counts.pass ?? 0} pass, ` +
            `${counts.fail ?? 0} fail, ${counts["not judged"] ?? 0} not judged in preview; ` +
            `${policies.mandatoryFailures} mandatory violation(s)`,
    );
    for (const result of policies.results) {
        const mark = result.status === "pass" ? "ok  " : result.status === "fail" ? "FAIL" : "n/j ";
        line(`  ${mark} ${result.enforcementLevel.padEnd(9)} ${result.policy}`);
        for (const violation of result.violations) {
            line(`         ${violation.resource ?? "stack"}: ${violation.message}`);
        }
        for (const note of result.notJudged) {
            line(`         not judged (${note.resource ?? "stack"}): ${note.message}`);
        }
    }
    line();

    const verdict = plan.summary;
    line(
        `RESULT: access path ${verdict.accessPathWhole ? "whole" : "BROKEN"}, ` +
            `${verdict.mandatoryPolicyFailures} mandatory policy violation(s) -> exit ${verdict.exitCode}`,
    );
    return `${out.join("\n")}\n`;
}

function renderAccessPath(line: (text?: string) => void, path: AccessPath): void {
    line(`ACCESS PATH: ${path.workload} -> Azure OpenAI: ${path.whole ? "WHOLE" : "BROKEN"}`);
    const rows = path.checks;
    const width = (pick: (check: Check) => string) => Math.max(...rows.map((row) => pick(row).length));
    const hopWidth = Math.max(
        width((c) => c.hop),
        3,
    );
    const checkWidth = Math.max(
        width((c) => c.check),
        5,
    );
    const plannedWidth = Math.min(
        Math.max(
            width((c) => c.planned),
            7,
        ),
        100,
    );
    line(
        `  ${"#".padEnd(2)} ${"hop".padEnd(hopWidth)}  ${"check".padEnd(checkWidth)}  ${"planned".padEnd(plannedWidth)}  verdict`,
    );
    for (const row of rows) {
        const number = String(HOPS.indexOf(row.hop) + 1);
        line(
            `  ${number.padEnd(2)} ${row.hop.padEnd(hopWidth)}  ${row.check.padEnd(checkWidth)}  ` +
                `${row.planned.padEnd(plannedWidth)}  ${row.verdict === "broken" ? "BROKEN" : row.verdict}`,
        );
        const indent = " ".repeat(5 + hopWidth + 2);
        line(`${indent}why: ${row.basis}`);
        line(`${indent}if broken: ${row.ifBroken}`);
    }
}

function describe(line: (text: string) => void, prefix: string, key: string, value: unknown): void {
    if (Array.isArray(value) && value.length > 1 && value.every((item) => typeof item === "string")) {
        line(`${prefix}${key}:`);
        for (const item of value) {
            line(`${prefix}  - ${item}`);
        }
        return;
    }
    line(`${prefix}${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
}

function flags(resource: PlanResource): string {
    const options = resource.options;
    const list = [
        options.import !== null ? `import ${options.import}` : "",
        options.deleteBeforeReplace ? "deleteBeforeReplace" : "",
        options.retainOnDelete ? "retainOnDelete" : "",
        options.protect ? "protect" : "",
        options.ignoreChanges.length > 0 ? `ignoreChanges ${options.ignoreChanges.join(",")}` : "",
    ].filter((flag) => flag !== "");
    return list.length > 0 ? `  [${list.join("; ")}]` : "";
}

/** Resource names for edges; qualified with the type's last segment where two resources share a name. */
export function displayNames(resources: readonly PlanResource[]): Map<string, string> {
    const counts = count(resources.map((resource) => resource.name));
    return new Map(
        resources.map((resource) => [
            resource.urn,
            (counts[resource.name] ?? 0) > 1 ? `${resource.name} (${resource.type.split(":").pop()})` : resource.name,
        ]),
    );
}

function count(values: readonly string[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const value of values) {
        counts[value] = (counts[value] ?? 0) + 1;
    }
    return counts;
}
