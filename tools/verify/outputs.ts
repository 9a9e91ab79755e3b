import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";

/** The stack outputs `npm run verify` reads (index.ts exports them). */
export interface StackOutputs {
    readonly tenantId: string;
    readonly identityClientId: string;
    readonly identityPrincipalId: string;
    readonly identityResourceId: string;
    readonly openAiAccountId: string;
    readonly oidcIssuerUrl: string;
    /** The federated ServiceAccounts; the first is ai-service's. */
    readonly serviceAccounts: readonly {
        readonly namespace: string;
        readonly name: string;
        readonly subject: string;
    }[];
    /** ARM id of the cluster; absent when another stack owns it (cluster.mode "stack"). */
    readonly clusterResourceId?: string;
    /** Azure Resource Manager endpoint with a trailing slash; default the public cloud's. */
    readonly armEndpoint?: string;
    readonly kubeconfig?: string;
    readonly identityName?: string;
    readonly roleAssignmentId?: string;
    readonly smokeTestJobName?: string;
    /** ARM id of the workspace the account's audit logs go to; absent when audit is off. */
    readonly auditWorkspaceId?: string;
    /** Customer id of a workspace the stack created (what `az monitor log-analytics query -w` takes). */
    readonly auditWorkspaceCustomerId?: string;
}

/** A problem with the command line or the outputs: printed as is, exit status 2. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

const REQUIRED_STRINGS = [
    "tenantId",
    "identityClientId",
    "identityPrincipalId",
    "identityResourceId",
    "openAiAccountId",
    "oidcIssuerUrl",
] as const;

const OPTIONAL_STRINGS = [
    "clusterResourceId",
    "armEndpoint",
    "kubeconfig",
    "identityName",
    "roleAssignmentId",
    "smokeTestJobName",
    "auditWorkspaceId",
    "auditWorkspaceCustomerId",
] as const;

/** Checks the shape of `pulumi stack output --json` and returns the outputs verify uses. */
export function parseOutputs(raw: unknown, source: string): StackOutputs {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
        throw new UsageError(`${source} is not a JSON object of stack outputs.`);
    }
    const values = raw as Record<string, unknown>;
    const missing: string[] = REQUIRED_STRINGS.filter((key) => typeof values[key] !== "string" || values[key] === "");
    const accounts = values.serviceAccounts;
    const accountsValid =
        Array.isArray(accounts) &&
        accounts.length > 0 &&
        accounts.every(
            (account: unknown) =>
                account !== null &&
                typeof account === "object" &&
                ["namespace", "name", "subject"].every(
                    (key) => typeof (account as Record<string, unknown>)[key] === "string",
                ),
        );
    if (!accountsValid) {
        missing.push("serviceAccounts");
    }
    if (missing.length > 0) {
        throw new UsageError(
            `${source} lacks the output${missing.length === 1 ? "" : "s"} ${missing.join(", ")}. ` +
                `Fix: run pulumi up to completion first. A stack whose first pulumi up failed (for example in the ` +
                `smoke test) has no outputs yet: run pulumi up again (it re-runs a failed smoke test), then verify.`,
        );
    }
    const optional: Record<string, string> = {};
    for (const key of OPTIONAL_STRINGS) {
        if (typeof values[key] === "string" && values[key] !== "") {
            optional[key] = values[key];
        }
    }
    return {
        ...(optional as Partial<StackOutputs>),
        tenantId: values.tenantId as string,
        identityClientId: values.identityClientId as string,
        identityPrincipalId: values.identityPrincipalId as string,
        identityResourceId: values.identityResourceId as string,
        openAiAccountId: values.openAiAccountId as string,
        oidcIssuerUrl: values.oidcIssuerUrl as string,
        serviceAccounts: accounts as StackOutputs["serviceAccounts"],
    };
}

/** Reads the outputs from a file written by `pulumi stack output --json --show-secrets`. */
export async function readOutputsFile(file: string): Promise<StackOutputs> {
    let text: string;
    try {
        text = await readFile(file, "utf8");
    } catch (error) {
        throw new UsageError(`--outputs ${file}: cannot read it (${(error as Error).message}).`);
    }
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch {
        throw new UsageError(
            `--outputs ${file} is not JSON. Fix: pulumi stack output --json --show-secrets -s <stack> > ${file}`,
        );
    }
    return parseOutputs(raw, `--outputs ${file}`);
}

/** Reads the outputs of a stack with the Pulumi CLI (secrets shown: the kubeconfig is one). */
export async function readStackOutputs(stack: string): Promise<StackOutputs> {
    const args = ["stack", "output", "--json", "--show-secrets", "--stack", stack];
    const stdout = await new Promise<string>((resolve, reject) => {
        execFile("pulumi", args, { maxBuffer: 16 * 1024 * 1024 }, (error, out, err) => {
            if (error) {
                const reason =
                    (error as NodeJS.ErrnoException).code === "ENOENT"
                        ? "the pulumi CLI is not on PATH"
                        : (err.trim() || error.message).split("\n")[0];
                reject(
                    new UsageError(
                        `pulumi ${args.join(" ")} failed: ${reason}. Fix: install and log in to Pulumi, or pass ` +
                            `--outputs <file> written by: pulumi stack output --json --show-secrets -s ${stack} > outputs.json`,
                    ),
                );
                return;
            }
            resolve(out);
        });
    });
    let raw: unknown;
    try {
        raw = JSON.parse(stdout);
    } catch {
        throw new UsageError(`pulumi stack output -s ${stack} did not print JSON.`);
    }
    return parseOutputs(raw, `stack ${stack}`);
}
