import type { RegisteredResource } from "../../engine/runProgram";
import type { DiscoveryRead } from "../planMocks";

/**
 * The shapes every hop analyzer shares: what a check says, what a path is, and what the hops before a hop resolved.
 * accessPath.ts re-exports the public ones, so callers keep importing them from there.
 */

export type Verdict = "ok" | "broken" | "not reached";

export type Hop =
    "workload" | "service account" | "federated credential" | "identity" | "role" | "scope" | "openai" | "network";

export const HOPS: readonly Hop[] = [
    "workload",
    "service account",
    "federated credential",
    "identity",
    "role",
    "scope",
    "openai",
    "network",
];

export interface Check {
    readonly hop: Hop;
    /** What is checked, e.g. "subject". */
    readonly check: string;
    /** The value the plan registers. */
    readonly planned: string;
    readonly verdict: Verdict;
    /** Why the verdict: the source the value must equal, and how the plan knows. */
    readonly basis: string;
    /** What a break at this check produces at run time (or deploy time, when said). */
    readonly ifBroken: string;
}

/** The resources (or reads) each hop resolved to, by URN or label, for diagrams. */
export interface Chain {
    readonly workload: string;
    readonly serviceAccount?: string;
    readonly credential?: string;
    readonly identity?: string;
    readonly roleAssignment?: string;
    readonly account?: string;
    readonly deployment?: string;
    /** The private endpoint the pod reaches the account through, when it does. */
    readonly privateEndpoint?: string;
}

export interface AccessPath {
    /** e.g. "Deployment default/ai-service". */
    readonly workload: string;
    /** True when no check is broken. */
    readonly whole: boolean;
    readonly checks: readonly Check[];
    readonly chain: Chain;
}

export interface AccessAnalysis {
    readonly paths: readonly AccessPath[];
    /** True when there is at least one path and every path is whole. */
    readonly whole: boolean;
    /** Federated ServiceAccounts no analysed workload runs as (e.g. `additionalServiceAccounts`), as `ns/name`. */
    readonly otherFederatedServiceAccounts: readonly string[];
}

/** What the analysis reads from a registration. */
export type AnalysedResource = Pick<
    RegisteredResource,
    "urn" | "type" | "name" | "inputs" | "state" | "id" | "dependencies" | "propertyDependencies"
>;

export interface AccessPathInput {
    readonly resources: readonly AnalysedResource[];
    /** Reads of things the stack uses but does not own (existing account, deployment). */
    readonly reads: readonly Pick<DiscoveryRead, "token" | "args" | "answer">[];
}

/** The Azure OpenAI account a workload calls, created by the stack or read from Azure. */
export interface Account {
    readonly name: string;
    readonly id: string;
    readonly endpoint: string;
    /** URN when the stack creates it, a label when it is read. */
    readonly ref: string;
    readonly source: string;
    readonly owner?: AnalysedResource;
}

/** What every hop of one workload's path may read: the workload itself and the account its endpoint names. */
export interface WorkloadContext {
    readonly input: AccessPathInput;
    readonly workload: AnalysedResource;
    /** The pod template of the workload (for a Pod, its inputs). */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    readonly template: any;
    readonly namespace: string;
    /** Env of the container that calls Azure OpenAI. */
    readonly env: ReadonlyMap<string, string>;
    /** The account whose endpoint the workload calls (or the only account in the plan). */
    readonly account: Account | undefined;
}

/** What the hops so far resolved; a later hop reads what an earlier one found. */
export interface Resolved {
    readonly serviceAccountName?: string;
    readonly serviceAccount?: AnalysedResource;
    readonly identity?: AnalysedResource;
    readonly credential?: AnalysedResource;
    readonly roleAssignment?: AnalysedResource;
    readonly deployment?: { readonly ref: string; readonly source: string };
    readonly privateEndpoint?: AnalysedResource;
}

export interface HopResult {
    readonly checks: readonly Check[];
    /** What this hop resolved, for the hops after it and for the chain. */
    readonly resolved?: Partial<Resolved>;
}

/** One hop's judge: reads the workload and what earlier hops resolved, returns its checks in display order. */
export interface HopAnalyzer {
    readonly hop: Hop;
    analyze(context: WorkloadContext, resolved: Resolved): HopResult;
}
