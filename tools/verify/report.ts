import type { CheckResult } from "./checks";
import type { StackOutputs } from "./outputs";

const MARK = { pass: "[PASS]", fail: "[FAIL]", skip: "[SKIP]", warn: "[WARN]" } as const;

/** The checklist as printed: one item per check, its evidence indented under it, the fix under a failure. */
export function formatReport(source: string, outputs: StackOutputs, results: readonly CheckResult[]): string {
    const [account] = outputs.serviceAccounts;
    const lines = [
        `Verifying ${source}: ai-service in namespace ${account.namespace} as ${account.subject},`,
        `identity ${outputs.identityName ?? outputs.identityResourceId} (client id ${outputs.identityClientId})`,
        "",
    ];
    for (const result of results) {
        lines.push(`${MARK[result.status]} ${result.title}`);
        for (const detail of result.details) {
            lines.push(`       ${detail}`);
        }
        if (result.fix !== undefined) {
            lines.push(`       Fix: ${result.fix}`);
        }
    }
    const count = (status: CheckResult["status"]) => results.filter((result) => result.status === status).length;
    const failed = count("fail");
    const warned = count("warn");
    lines.push(
        "",
        `${failed === 0 ? "All checks passed" : `${failed} check${failed === 1 ? "" : "s"} failed`}: ` +
            `${count("pass")} passed, ${failed} failed, ${count("skip")} skipped` +
            `${warned === 0 ? "" : `; ${warned} warning${warned === 1 ? "" : "s"}`}.`,
    );
    return lines.join("\n");
}
