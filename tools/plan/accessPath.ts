import { CLIENT_ID_ANNOTATION, USE_WORKLOAD_IDENTITY_LABEL } from "./facts";
import { federatedCredentialHop } from "./hops/federatedCredential";
import { identityHop } from "./hops/identity";
import {
    at,
    containerEnv,
    isOpenAiWorkload,
    namespaceOf,
    ofType,
    OPENAI_ENV,
    podTemplate,
    str,
    T,
    targetAccount,
} from "./hops/lookups";
import { networkHop } from "./hops/network";
import type {
    AccessAnalysis,
    AccessPath,
    AccessPathInput,
    AnalysedResource,
    Check,
    HopAnalyzer,
    Resolved,
} from "./hops/model";
import { openaiHop } from "./hops/openai";
import { roleHop } from "./hops/role";
import { scopeHop } from "./hops/scope";
import { serviceAccountHop } from "./hops/serviceAccount";
import { workloadHop } from "./hops/workload";

/**
 * The access path of every workload that calls Azure OpenAI, judged from the REGISTERED resources (what `pulumi up`
 * would send), hop by hop: workload -> ServiceAccount -> federated credential -> identity -> role -> scope -> OpenAI
 * endpoint and deployment -> the network the call takes to it. Each hop has its own analyzer in hops/ (named for the hop); each check compares the value
 * one resource carries with the value it must equal on another resource, and names the error Azure answers at run
 * time when they differ.
 *
 * A value only Azure knows is a placeholder. Two resources carrying the SAME placeholder carry the same Output, so the
 * link between them holds by construction whatever Azure returns; the check says so, and names the dependency that
 * proves the value flowed from its source. Pure: no Pulumi runtime, so tests call it on mutated resources.
 */

export {
    HOPS,
    type AccessAnalysis,
    type AccessPath,
    type AccessPathInput,
    type AnalysedResource,
    type Chain,
    type Check,
    type Hop,
    type Verdict,
} from "./hops/model";
export { covers } from "./hops/lookups";

/** The hop analyzers, in the order a call travels; adding a hop is adding its module here. */
export const HOP_ANALYZERS: readonly HopAnalyzer[] = [
    workloadHop,
    serviceAccountHop,
    federatedCredentialHop,
    identityHop,
    roleHop,
    scopeHop,
    openaiHop,
    networkHop,
];

export function analyzeAccessPath(input: AccessPathInput): AccessAnalysis {
    const resources = input.resources;
    const workloads = resources.filter((resource) => isOpenAiWorkload(resource));
    const paths = workloads.map((workload) => analyzeWorkload(workload, input));
    if (paths.length === 0) {
        paths.push({
            workload: "(none)",
            whole: false,
            chain: { workload: "(none)" },
            checks: [
                {
                    hop: "workload",
                    check: "workload calling Azure OpenAI",
                    planned: "none registered",
                    verdict: "broken",
                    basis: `no pod template carries ${USE_WORKLOAD_IDENTITY_LABEL} or an ${OPENAI_ENV.join("/")} variable`,
                    ifBroken: "nothing calls Azure OpenAI",
                },
            ],
        });
    }
    const used = new Set(paths.map((path) => path.chain.serviceAccount).filter((urn) => urn !== undefined));
    const otherFederatedServiceAccounts = ofType(resources, T.serviceAccount)
        .filter((sa) => !used.has(sa.urn) && str(at(sa.inputs, `metadata.annotations`)?.[CLIENT_ID_ANNOTATION]))
        .map((sa) => `${namespaceOf(sa)}/${str(at(sa.inputs, "metadata.name"))}`);
    return { paths, whole: paths.every((path) => path.whole), otherFederatedServiceAccounts };
}

function analyzeWorkload(workload: AnalysedResource, input: AccessPathInput): AccessPath {
    const template = podTemplate(workload);
    const env = containerEnv(template);
    const namespace = namespaceOf(workload);
    const context = {
        input,
        workload,
        template,
        namespace,
        env,
        account: targetAccount(input, env.get("AZURE_OPENAI_ENDPOINT")),
    };
    const checks: Check[] = [];
    let resolved: Resolved = {};
    for (const analyzer of HOP_ANALYZERS) {
        const result = analyzer.analyze(context, resolved);
        checks.push(...result.checks);
        resolved = { ...resolved, ...result.resolved };
    }
    const kind = workload.type.split(":")[2];
    return {
        workload: `${kind} ${namespace}/${str(at(workload.inputs, "metadata.name"))}`,
        whole: checks.every((check) => check.verdict !== "broken"),
        checks,
        chain: {
            workload: workload.urn,
            serviceAccount: resolved.serviceAccount?.urn,
            credential: resolved.credential?.urn,
            identity: resolved.identity?.urn,
            roleAssignment: resolved.roleAssignment?.urn,
            account: context.account?.ref,
            deployment: resolved.deployment?.ref,
            ...(resolved.privateEndpoint ? { privateEndpoint: resolved.privateEndpoint.urn } : {}),
        },
    };
}
