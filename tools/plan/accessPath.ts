import type { RegisteredResource } from "../engine/runProgram";
import { ENTRA, NO_INJECTION, OPENAI, ROLE_NAMES } from "./azureErrors";
import {
    CLIENT_ID_ANNOTATION,
    COGNITIVE_SERVICES_USER_ROLE_ID,
    CREDENTIAL_ENV_NAMES,
    OPENAI_CONTRIBUTOR_ROLE_ID,
    OPENAI_USER_ROLE_ID,
    serviceAccountSubject,
    TENANT_ID_ANNOTATION,
    TOKEN_EXCHANGE_AUDIENCE,
    USE_WORKLOAD_IDENTITY_LABEL,
} from "./facts";
import type { DiscoveryRead } from "./planMocks";
import { containsPlaceholder } from "./placeholders";

/**
 * The access path of every workload that calls Azure OpenAI, judged from the REGISTERED resources (what `pulumi up`
 * would send), hop by hop: workload -> ServiceAccount -> federated credential -> identity -> role -> scope -> OpenAI
 * endpoint and deployment. Each check compares the value one resource carries with the value it must equal on another
 * resource, and names the error Azure answers at run time when they differ.
 *
 * A value only Azure knows is a placeholder. Two resources carrying the SAME placeholder carry the same Output, so the
 * link between them holds by construction whatever Azure returns; the check says so, and names the dependency that
 * proves the value flowed from its source. Pure: no Pulumi runtime, so tests call it on mutated resources.
 */

export type Verdict = "ok" | "broken" | "not reached";

export type Hop = "workload" | "service account" | "federated credential" | "identity" | "role" | "scope" | "openai";

export const HOPS: readonly Hop[] = [
    "workload",
    "service account",
    "federated credential",
    "identity",
    "role",
    "scope",
    "openai",
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

const T = {
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    identity: "azure-native:managedidentity:UserAssignedIdentity",
    credential: "azure-native:managedidentity:FederatedIdentityCredential",
    roleAssignment: "azure-native:authorization:RoleAssignment",
    account: "azure-native:cognitiveservices:Account",
    modelDeployment: "azure-native:cognitiveservices:Deployment",
    features: "pulumi-nodejs:dynamic/aks:WorkloadIdentityFeatures",
    managedCluster: "azure-native:containerservice:ManagedCluster",
    stackReference: "pulumi:pulumi:StackReference",
};

/** Pod-template location of each kind of workload. */
const POD_TEMPLATES: Readonly<Record<string, string>> = {
    "kubernetes:apps/v1:Deployment": "spec.template",
    "kubernetes:apps/v1:StatefulSet": "spec.template",
    "kubernetes:apps/v1:DaemonSet": "spec.template",
    "kubernetes:apps/v1:ReplicaSet": "spec.template",
    "kubernetes:batch/v1:Job": "spec.template",
    "kubernetes:batch/v1:CronJob": "spec.jobTemplate.spec.template",
    "kubernetes:core/v1:Pod": "",
};

/** Env variables that show a container calls Azure OpenAI (ai-service's contract). */
const OPENAI_ENV = ["AZURE_OPENAI_ENDPOINT", "USE_AZURE_AD"];

interface Account {
    readonly name: string;
    readonly id: string;
    readonly endpoint: string;
    /** URN when the stack creates it, a label when it is read. */
    readonly ref: string;
    readonly source: string;
    readonly owner?: AnalysedResource;
}

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
    const resources = input.resources;
    const checks: Check[] = [];
    const add = (check: Check) => checks.push(check);

    const template = podTemplate(workload);
    const namespace = namespaceOf(workload);
    const kind = workload.type.split(":")[2];
    const label = `${kind} ${namespace}/${str(at(workload.inputs, "metadata.name"))}`;
    const env = containerEnv(template);

    // ---- 1. workload -------------------------------------------------------------------------------------------
    const labelValue = at(template, "metadata.labels")?.[USE_WORKLOAD_IDENTITY_LABEL];
    add({
        hop: "workload",
        check: "pod label",
        planned: `${USE_WORKLOAD_IDENTITY_LABEL}=${labelValue === undefined ? "(absent)" : JSON.stringify(labelValue)}`,
        verdict: labelValue === "true" ? "ok" : "broken",
        basis:
            labelValue === "true"
                ? `the webhook mutates pods labelled ${USE_WORKLOAD_IDENTITY_LABEL}="true" (the string)`
                : `the webhook only mutates pods whose template carries the label ${USE_WORKLOAD_IDENTITY_LABEL}="true"`,
        ifBroken: NO_INJECTION,
    });
    const useAd = env.get("USE_AZURE_AD");
    const keyVariables = CREDENTIAL_ENV_NAMES.filter((name) => env.has(name));
    add({
        hop: "workload",
        check: "keyless",
        planned:
            `USE_AZURE_AD=${useAd === undefined ? "(absent)" : JSON.stringify(useAd)}; key variables: ` +
            (keyVariables.length > 0 ? keyVariables.join(", ") : "none"),
        verdict: useAd === "True" && keyVariables.length === 0 ? "ok" : "broken",
        basis:
            useAd === "True" && keyVariables.length === 0
                ? "ai-service uses DefaultAzureCredential (scope https://cognitiveservices.azure.com/.default) and finds no key"
                : "ai-service uses DefaultAzureCredential only with USE_AZURE_AD=True, and prefers a key when one is set",
        ifBroken: "the app calls Azure OpenAI with an API key (or none) instead of its identity",
    });

    // ---- 2. ServiceAccount -------------------------------------------------------------------------------------
    const saName =
        str(at(template, "spec.serviceAccountName")) ?? str(at(template, "spec.serviceAccount")) ?? "default";
    const serviceAccount = ofType(resources, T.serviceAccount).find(
        (sa) => str(at(sa.inputs, "metadata.name")) === saName && namespaceOf(sa) === namespace,
    );
    add({
        hop: "service account",
        check: "pod runs as",
        planned: `${namespace}/${saName}`,
        verdict: serviceAccount ? "ok" : "broken",
        basis: serviceAccount
            ? dependsOn(workload, "spec", serviceAccount)
                ? `linked by construction: serviceAccountName is the ServiceAccount's own metadata.name (${serviceAccount.name})`
                : `a ServiceAccount of that name is registered (${serviceAccount.name})`
            : "no ServiceAccount of that name and namespace is registered by this stack",
        ifBroken:
            `Kubernetes refuses the pods (error looking up service account ${namespace}/${saName}: serviceaccount ` +
            `"${saName}" not found), or, if one exists without the annotation, ${NO_INJECTION}`,
    });

    const identities = ofType(resources, T.identity);
    const annotations = (serviceAccount && at(serviceAccount.inputs, "metadata.annotations")) ?? {};
    const annotatedClientId = str(annotations[CLIENT_ID_ANNOTATION]);
    const tenantId = str(annotations[TENANT_ID_ANNOTATION]);
    const identity = identities.find((candidate) => str(candidate.state.clientId) === annotatedClientId);
    const swapped = identities.find((candidate) => str(candidate.state.principalId) === annotatedClientId);
    let clientIdBasis: string;
    if (!serviceAccount) {
        clientIdBasis = "no ServiceAccount";
    } else if (identity) {
        clientIdBasis = linkBasis(
            annotatedClientId,
            serviceAccount,
            "metadata",
            identity,
            `the client id of managed identity ${identityName(identity)}`,
        );
    } else if (swapped) {
        clientIdBasis = `this is the PRINCIPAL id of managed identity ${identityName(swapped)}; the webhook needs its client id`;
    } else if (annotatedClientId === undefined) {
        clientIdBasis = `the ServiceAccount has no ${CLIENT_ID_ANNOTATION} annotation`;
    } else {
        clientIdBasis = "no managed identity registered by this stack has this client id";
    }
    add({
        hop: "service account",
        check: "client-id annotation",
        planned: annotatedClientId ?? "(absent)",
        verdict: !serviceAccount ? "not reached" : identity ? "ok" : "broken",
        basis: clientIdBasis,
        ifBroken:
            annotatedClientId === undefined
                ? NO_INJECTION
                : ENTRA.unknownClient(annotatedClientId, tenantId ?? "<tenant>").description,
    });
    add({
        hop: "service account",
        check: "tenant-id annotation",
        planned: tenantId ?? "(absent: the webhook uses the cluster's tenant)",
        verdict: !serviceAccount ? "not reached" : "ok",
        basis: "the tenant azure-native deploys the identity into (AZURE_TENANT_ID)",
        ifBroken: "AADSTS700016 (the client id is not an application in that tenant)",
    });

    // ---- 3. federated credential -------------------------------------------------------------------------------
    // Each attribute is judged on the credential that names the pod's subject (else the identity's first one);
    // Entra reports the first mismatch in the order issuer, subject, audience (AADSTS700211, 700213, 700212).
    const subject = serviceAccountSubject(namespace, saName);
    const issuerSource = clusterIssuer(resources);
    const candidates = identity
        ? ofType(resources, T.credential).filter(
              (candidate) => str(candidate.inputs.resourceName) === identityName(identity),
          )
        : [];
    const credential =
        candidates.find((candidate) => str(candidate.inputs.subject) === subject) ??
        candidates.find((candidate) => str(candidate.inputs.issuer) === issuerSource?.value) ??
        candidates[0];
    const noCredential = identity && !credential;
    const issuer = str(credential?.inputs.issuer);
    const issuerOk =
        issuer !== undefined &&
        (issuerSource !== undefined ? issuer === issuerSource.value : /^https:\/\/.+\/$/.test(issuer));
    add({
        hop: "federated credential",
        check: "issuer",
        planned: issuer ?? "(no federated credential on this identity)",
        verdict: !identity ? "not reached" : issuerOk ? "ok" : "broken",
        basis: noCredential
            ? `managed identity ${identityName(identity)} has no federated credential`
            : issuerSource === undefined
              ? issuerOk
                  ? "an https URL ending with '/' (the cluster's issuer is not in this plan)"
                  : "not an https URL ending with '/'"
              : issuerOk
                ? linkBasis(issuer, credential, "issuer", issuerSource.owner, issuerSource.description) +
                  (containsPlaceholder(issuer) ? ", passed verbatim" : "")
                : `differs from ${issuerSource.description}: ${issuerSource.value}` +
                  (issuer !== undefined && `${issuer}/` === issuerSource.value ? " (the trailing '/' is missing)" : ""),
        ifBroken: noCredential
            ? ENTRA.noFederatedRecord(issuerSource?.value ?? "<issuer>", subject, TOKEN_EXCHANGE_AUDIENCE).description
            : ENTRA.issuerMismatch(issuerSource?.value ?? issuer ?? "<issuer>").description,
    });
    const plannedSubject = str(credential?.inputs.subject);
    const subjectOk = plannedSubject === subject;
    add({
        hop: "federated credential",
        check: "subject",
        planned: plannedSubject ?? "(none)",
        verdict: !credential ? "not reached" : subjectOk ? "ok" : "broken",
        basis: subjectOk
            ? dependsOn(credential, "subject", serviceAccount)
                ? `linked by construction: built from the ServiceAccount's own metadata (${serviceAccount?.name}); the pod presents ${subject}`
                : `equals the subject the pod presents: ${subject}`
            : `the pod presents ${subject}; the credentials of this identity name ` +
              (candidates.map((c) => str(c.inputs.subject)).join(", ") || "no subject"),
        ifBroken: ENTRA.subjectMismatch(subject).description,
    });
    const audiences = arr(credential?.inputs.audiences).map(String);
    add({
        hop: "federated credential",
        check: "audience",
        planned: audiences.join(", ") || "(none)",
        verdict: !credential ? "not reached" : audiences.includes(TOKEN_EXCHANGE_AUDIENCE) ? "ok" : "broken",
        basis: audiences.includes(TOKEN_EXCHANGE_AUDIENCE)
            ? `the audience the AKS webhook projects into the token (${TOKEN_EXCHANGE_AUDIENCE})`
            : `the projected token's audience is ${TOKEN_EXCHANGE_AUDIENCE}`,
        ifBroken: ENTRA.audienceMismatch(TOKEN_EXCHANGE_AUDIENCE).description,
    });

    // ---- 4. identity -------------------------------------------------------------------------------------------
    add({
        hop: "identity",
        check: "client id / principal id",
        planned: identity ? `${str(identity.state.clientId)} / ${str(identity.state.principalId)}` : "(none)",
        verdict: identity ? "ok" : "not reached",
        basis: identity
            ? `managed identity ${identityName(identity)}: the client id goes to AZURE_CLIENT_ID, the principal id is the oid of its tokens`
            : "the ServiceAccount names no managed identity of this stack",
        ifBroken: "see the client-id annotation and the role's principal",
    });

    // ---- 5. role -----------------------------------------------------------------------------------------------
    const principalId = identity ? str(identity.state.principalId) : undefined;
    const clientIdOfIdentity = identity ? str(identity.state.clientId) : undefined;
    const assignments = ofType(resources, T.roleAssignment);
    const mine = assignments.filter((ra) => principalId !== undefined && str(ra.inputs.principalId) === principalId);
    const onClientId = assignments.find(
        (ra) => clientIdOfIdentity !== undefined && str(ra.inputs.principalId) === clientIdOfIdentity,
    );
    const account = targetAccount(input, env.get("AZURE_OPENAI_ENDPOINT"));
    // The assignment that grants the role on the account, else the closest one to show.
    const assignment =
        mine.find((ra) => roleGuid(ra) === OPENAI_USER_ROLE_ID && covers(str(ra.inputs.scope), account?.id)) ??
        mine.find((ra) => covers(str(ra.inputs.scope), account?.id)) ??
        mine[0] ??
        onClientId;
    const denied = OPENAI.permissionDenied(principalId ?? "<principal id>").body.error.message;
    add({
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
    });
    const guid = assignment ? roleGuid(assignment) : undefined;
    const overPrivileged = guid === COGNITIVE_SERVICES_USER_ROLE_ID || guid === OPENAI_CONTRIBUTOR_ROLE_ID;
    add({
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
    });
    const principalType = str(assignment?.inputs.principalType);
    add({
        hop: "role",
        check: "principal type",
        planned: principalType ?? "(absent)",
        verdict: !assignment ? "not reached" : principalType === "ServicePrincipal" ? "ok" : "broken",
        basis: "ServicePrincipal, so ARM does not look up a freshly created identity in a directory replica that lacks it",
        ifBroken:
            "at deploy time: PrincipalNotFound for a new identity (Entra replication delay); dependsOn does not help",
    });

    // ---- 6. scope ----------------------------------------------------------------------------------------------
    const scope = str(assignment?.inputs.scope);
    const scopeExact = scope !== undefined && account !== undefined && scope.toLowerCase() === account.id.toLowerCase();
    const scopeCovers = covers(scope, account?.id);
    add({
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
                : denied,
    });

    // ---- 7. Azure OpenAI ---------------------------------------------------------------------------------------
    const endpoint = env.get("AZURE_OPENAI_ENDPOINT");
    const regional =
        endpoint !== undefined && /^https:\/\/[a-z0-9]+\.api\.cognitive\.microsoft\.(com|us)\/?$/i.test(endpoint);
    const endpointOk = account !== undefined && endpoint === account.endpoint && !regional;
    add({
        hop: "openai",
        check: "endpoint",
        planned: endpoint ?? "(AZURE_OPENAI_ENDPOINT absent)",
        verdict: endpointOk ? "ok" : "broken",
        basis: endpointOk
            ? linkBasis(endpoint, workload, "spec", account?.owner, `the endpoint of ${account?.source}`)
            : regional
              ? "a regional endpoint: Entra ID tokens need the account's custom subdomain"
              : "no account in this plan has this endpoint",
        ifBroken: regional ? OPENAI.customSubdomainRequired().body.error.message : denied,
    });
    const deploymentName = env.get("AZURE_OPENAI_DEPLOYMENT_NAME");
    const deployment = account ? modelDeployment(input, account, deploymentName) : undefined;
    add({
        hop: "openai",
        check: "deployment",
        planned: deploymentName ?? "(AZURE_OPENAI_DEPLOYMENT_NAME absent)",
        verdict: deployment ? "ok" : "broken",
        basis: deployment
            ? `a model deployment of Azure OpenAI account ${account?.name} (${deployment.source})`
            : `not a model deployment of ${account ? `Azure OpenAI account ${account.name}` : "any account in this plan"}`,
        ifBroken: OPENAI.deploymentNotFound().body.error.message,
    });
    const apiVersion = env.get("AZURE_OPENAI_API_VERSION");
    add({
        hop: "openai",
        check: "api version",
        planned: apiVersion ?? "(absent: the image's default)",
        verdict: "ok",
        basis: "set explicitly: the image's default differs across tags",
        ifBroken: "404 or 400 for an API version the account does not serve",
    });

    return {
        workload: label,
        whole: checks.every((check) => check.verdict !== "broken"),
        checks,
        chain: {
            workload: workload.urn,
            serviceAccount: serviceAccount?.urn,
            credential: credential?.urn,
            identity: identity?.urn,
            roleAssignment: assignment?.urn,
            account: account?.ref,
            deployment: deployment?.ref,
        },
    };
}

// ------------------------------------------------------------------------------------------------------------------
// Lookups.
// ------------------------------------------------------------------------------------------------------------------

function isOpenAiWorkload(resource: AnalysedResource): boolean {
    if (!(resource.type in POD_TEMPLATES)) {
        return false;
    }
    const template = podTemplate(resource);
    const env = containerEnv(template);
    return (
        at(template, "metadata.labels")?.[USE_WORKLOAD_IDENTITY_LABEL] !== undefined ||
        OPENAI_ENV.some((name) => env.has(name))
    );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function podTemplate(resource: AnalysedResource): any {
    const path = POD_TEMPLATES[resource.type];
    return path === "" ? resource.inputs : at(resource.inputs, path);
}

/** Env of the container that calls Azure OpenAI (the first that has its variables, else the first). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function containerEnv(template: any): Map<string, string> {
    const containers = arr(at(template, "spec.containers"));
    const envOf = (container: unknown) =>
        new Map(
            arr(at(container, "env")).map((entry) => [
                String(at(entry, "name")),
                at(entry, "value") === undefined ? "(from a reference)" : String(at(entry, "value")),
            ]),
        );
    const chosen = containers.map(envOf).find((env) => OPENAI_ENV.some((name) => env.has(name)));
    return chosen ?? (containers.length > 0 ? envOf(containers[0]) : new Map());
}

/** The cluster's issuer as the plan knows it: the feature resource, the managed cluster, or another stack's output. */
function clusterIssuer(
    resources: readonly AnalysedResource[],
): { value: string; owner: AnalysedResource; description: string } | undefined {
    const features = ofType(resources, T.features)[0];
    if (features && str(features.state.issuerUrl)) {
        return {
            value: str(features.state.issuerUrl) as string,
            owner: features,
            description: `the issuer URL of cluster ${str(features.inputs.clusterName)} (${features.name}.issuerUrl)`,
        };
    }
    const cluster = ofType(resources, T.managedCluster)[0];
    if (cluster && str(at(cluster.state, "oidcIssuerProfile.issuerURL"))) {
        return {
            value: str(at(cluster.state, "oidcIssuerProfile.issuerURL")) as string,
            owner: cluster,
            description: `the issuer URL of cluster ${str(cluster.inputs.resourceName)} (${cluster.name}.oidcIssuerProfile.issuerURL)`,
        };
    }
    for (const reference of ofType(resources, T.stackReference)) {
        const outputs = (at(reference.state, "outputs") ?? {}) as Record<string, unknown>;
        const entry = Object.entries(outputs).find(
            ([key, value]) => /issuer/i.test(key) && typeof value === "string" && value.startsWith("https://"),
        );
        if (entry) {
            return {
                value: entry[1] as string,
                owner: reference,
                description: `output ${entry[0]} of stack ${str(reference.inputs.name)}`,
            };
        }
    }
    return undefined;
}

/** The account whose endpoint the workload calls (or the only account in the plan). */
function targetAccount(input: AccessPathInput, endpoint: string | undefined): Account | undefined {
    const accounts: Account[] = [
        ...ofType(input.resources, T.account).map((account) => ({
            name: str(account.inputs.accountName) ?? account.name,
            id: account.id ?? "",
            endpoint: str(at(account.state, "properties.endpoint")) ?? "",
            ref: account.urn,
            source: `Azure OpenAI account ${str(account.inputs.accountName)} (created by this stack)`,
            owner: account,
        })),
        ...input.reads
            .filter((read) => read.token === "azure-native:cognitiveservices:getAccount")
            .map((read) => ({
                name: String(read.args.accountName),
                id: String(read.answer.id),
                endpoint: readEndpoint(read.answer),
                ref: `read:${String(read.args.accountName)}`,
                source: `Azure OpenAI account ${String(read.args.accountName)} (read from Azure)`,
            })),
    ];
    return (
        accounts.find((account) => account.endpoint === endpoint) ?? (accounts.length === 1 ? accounts[0] : undefined)
    );
}

function readEndpoint(answer: Readonly<Record<string, unknown>>): string {
    const endpoints = (at(answer, "properties.endpoints") ?? {}) as Record<string, string>;
    return (
        endpoints["OpenAI Language Model Instance API"] ??
        endpoints.OpenAI ??
        str(at(answer, "properties.endpoint")) ??
        ""
    );
}

function modelDeployment(
    input: AccessPathInput,
    account: Account,
    name: string | undefined,
): { ref: string; source: string } | undefined {
    const created = ofType(input.resources, T.modelDeployment).find(
        (deployment) =>
            str(deployment.inputs.deploymentName) === name &&
            (str(deployment.inputs.accountName) === account.name || containsPlaceholder(deployment.inputs.accountName)),
    );
    if (created) {
        return { ref: created.urn, source: "created by this stack" };
    }
    const read = input.reads.find(
        (r) =>
            r.token === "azure-native:cognitiveservices:getDeployment" &&
            r.args.accountName === account.name &&
            r.args.deploymentName === name,
    );
    return read ? { ref: `read:${account.name}/${name}`, source: "read from Azure" } : undefined;
}

/**
 * Why two values are equal. The same placeholder on both sides is the same Output: linked by construction, with the
 * dependency that carried it named when the engine recorded one.
 */
function linkBasis(
    value: string | undefined,
    consumer: AnalysedResource | undefined,
    property: string,
    producer: AnalysedResource | undefined,
    source: string,
): string {
    if (value !== undefined && containsPlaceholder(value)) {
        const edge =
            consumer && producer && dependsOn(consumer, property, producer)
                ? ` (${consumer.name}.${property} depends on ${producer.name})`
                : "";
        return `linked by construction: the same value as ${source}${edge}`;
    }
    return `equals ${source}`;
}

function dependsOn(consumer: AnalysedResource, property: string, producer: AnalysedResource | undefined): boolean {
    if (producer === undefined) {
        return false;
    }
    // Only a property dependency shows that the value flowed from the producer; dependsOn orders without linking.
    return (consumer.propertyDependencies[property] ?? []).includes(producer.urn);
}

/** True when `scope` is the account id or an ARM ancestor of it (case-insensitive, as ARM compares). */
export function covers(scope: string | undefined, accountId: string | undefined): boolean {
    if (scope === undefined || accountId === undefined) {
        return false;
    }
    const s = scope.toLowerCase().replace(/\/+$/, "");
    const a = accountId.toLowerCase();
    return a === s || a.startsWith(`${s}/`);
}

function roleGuid(assignment: AnalysedResource): string | undefined {
    return str(assignment.inputs.roleDefinitionId)?.split("/").pop()?.toLowerCase();
}

function identityName(identity: AnalysedResource | undefined): string {
    return identity ? (str(identity.inputs.resourceName) ?? str(identity.state.name) ?? identity.name) : "?";
}

function namespaceOf(resource: AnalysedResource): string {
    return str(at(resource.inputs, "metadata.namespace")) ?? "default";
}

function ofType(resources: readonly AnalysedResource[], type: string): AnalysedResource[] {
    return resources.filter((resource) => resource.type === type);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function at(value: unknown, dottedPath: string): any {
    return dottedPath.split(".").reduce<unknown>((current, key) => {
        if (current === null || current === undefined || typeof current !== "object") {
            return undefined;
        }
        return (current as Record<string, unknown>)[key];
    }, value);
}

function str(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

function arr(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}
