import type { V1Container, V1Pod } from "@kubernetes/client-node";

import {
    AI_SERVICE_NAME,
    AI_SERVICE_PORT,
    CREDENTIAL_ENV_NAMES,
    IDENTITY_HASH_ANNOTATION,
    OPENAI_USER_ROLE_ID,
    SMOKE_TEST_LABELS,
    TOKEN_EXCHANGE_AUDIENCE,
    USE_WORKLOAD_IDENTITY_LABEL,
} from "../../components/constants";
import { identityHash } from "../../components/naming";
import { AUDIT_TITLE, auditCheck, type DiagnosticSettingsReader } from "./audit";
import { callPathFor, type NetworkPolicyView } from "./callPath";
import { clusterAccessCheck, readingClusterOnce } from "./clusterAccessCheck";
import type { StackOutputs } from "./outputs";

/**
 * The checks of `npm run verify`, as functions of what the Kubernetes API and Azure Resource Manager return. The readers
 * are interfaces so the same checks run against the real clients (kube.ts, arm.ts) and against in-memory fixtures.
 */

/** What verify reads from the cluster. */
export interface KubeReader {
    /** Pods in a namespace matching a label selector, as the API returns them. */
    listPods(namespace: string, labelSelector: string): Promise<V1Pod[]>;
    /** The keys (never the values) of a ConfigMap or Secret, to check envFrom for key variables. */
    readKeys(namespace: string, kind: "ConfigMap" | "Secret", name: string): Promise<string[]>;
    /** A POST to a Service through the API server's service proxy. */
    postToService(
        namespace: string,
        service: string,
        port: number,
        path: string,
        body: unknown,
    ): Promise<{ status: number; body: string }>;
    /** The NetworkPolicies of a namespace. */
    listNetworkPolicies(namespace: string): Promise<NetworkPolicyView[]>;
    /** A POST to `url` from a short-lived pod with `labels` in `namespace`, deleted afterwards. */
    postFromPod(
        namespace: string,
        labels: Readonly<Record<string, string>>,
        url: string,
        body: unknown,
    ): Promise<{ status: number; body: string }>;
}

export interface ClusterIssuer {
    readonly oidcIssuerEnabled: boolean;
    /** `oidcIssuerProfile.issuerURL`, verbatim. */
    readonly issuerUrl: string | undefined;
    /** `disableLocalAccounts` (undefined when not reported: AKS's default, local accounts on). */
    readonly disableLocalAccounts?: boolean;
    /** `aadProfile.managed`: AKS-managed Microsoft Entra integration. */
    readonly entraManaged?: boolean;
}

export interface FederatedCredentialView {
    readonly name: string;
    readonly issuer: string | undefined;
    readonly subject: string | undefined;
    readonly audiences: readonly string[];
}

export interface RoleAssignmentView {
    readonly id: string;
    readonly scope: string | undefined;
    readonly roleDefinitionId: string | undefined;
    readonly principalId: string | undefined;
}

/** What verify reads from Azure Resource Manager. */
export interface ArmReader extends DiagnosticSettingsReader {
    getCluster(clusterId: string): Promise<ClusterIssuer>;
    listFederatedCredentials(identityId: string): Promise<FederatedCredentialView[]>;
    /** Role assignments that apply at `scope` for one principal (ARM's `principalId eq` filter). */
    listRoleAssignments(scope: string, principalId: string): Promise<RoleAssignmentView[]>;
}

/** "warn": worth fixing, but ai-service works (never changes the exit status). */
export type CheckStatus = "pass" | "fail" | "skip" | "warn";

export interface CheckResult {
    readonly title: string;
    readonly status: CheckStatus;
    /** Evidence, one line each. */
    readonly details: readonly string[];
    /** What to do about a failure. */
    readonly fix?: string;
}

export interface CheckOptions {
    /** Send one description request through the service proxy. */
    readonly call: boolean;
    /** ARM id of the cluster when the outputs have none. */
    readonly clusterId?: string;
}

export const TITLES = {
    podsReady: "ai-service pods are Running and Ready",
    currentIdentity: "ai-service pods were created for the current identity",
    injected:
        "each pod carries the injected workload identity (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE)",
    noKeys: "no key variable in env or envFrom",
    issuer: "the federated credential trusts the cluster's current issuer",
    role: "the identity holds Cognitive Services OpenAI User on the account",
    audit: AUDIT_TITLE,
    call: "ai-service generates a description (--call)",
} as const;

/** The label selector of ai-service's pods (its Deployment's selector). */
export const AI_SERVICE_SELECTOR = `app=${AI_SERVICE_NAME}`;

/** Runs every check; reads from the cluster and from ARM run concurrently. */
export async function runChecks(
    outputs: StackOutputs,
    kube: KubeReader,
    arm: ArmReader,
    options: CheckOptions,
): Promise<CheckResult[]> {
    const namespace = outputs.serviceAccounts[0].namespace;
    arm = readingClusterOnce(arm);
    const clusterId = options.clusterId ?? outputs.clusterResourceId;
    const [podResults, issuer, role, audit, call, access] = await Promise.all([
        podChecks(outputs, kube),
        issuerCheck(outputs, arm, clusterId),
        roleCheck(outputs, arm),
        auditCheck(outputs, arm),
        options.call
            ? callCheck(namespace, kube)
            : Promise.resolve(skipped(TITLES.call, "add --call to send one request (one model call)")),
        clusterAccessCheck(arm, clusterId),
    ]);
    return [...podResults, issuer, role, audit, call, access];
}

// ---------------------------------------------------------------------------------------------------------------
// Pods.
// ---------------------------------------------------------------------------------------------------------------

async function podChecks(outputs: StackOutputs, kube: KubeReader): Promise<CheckResult[]> {
    const [account] = outputs.serviceAccounts;
    const namespace = account.namespace;
    let pods: V1Pod[];
    try {
        // Terminating pods of a finished rollout are on their way out; only the live ones serve.
        pods = (await kube.listPods(namespace, AI_SERVICE_SELECTOR)).filter((pod) => !pod.metadata?.deletionTimestamp);
    } catch (error) {
        const reason = `could not list pods ${AI_SERVICE_SELECTOR} in namespace ${namespace}: ${firstLine(error)}`;
        const fix =
            "check the kubeconfig (--kubeconfig, or the stack's kubeconfig output; kubelogin must be on PATH for Entra " +
            "clusters) and that you may list pods in the namespace: kubectl auth can-i list pods -n " +
            namespace;
        return [TITLES.podsReady, TITLES.currentIdentity, TITLES.injected, TITLES.noKeys].map((title) =>
            failed(title, [reason], fix),
        );
    }
    if (pods.length === 0) {
        const reason = `no pod with label ${AI_SERVICE_SELECTOR} in namespace ${namespace}`;
        const fix = `kubectl get deployment ${AI_SERVICE_NAME} -n ${namespace}; run pulumi up if it is missing`;
        return [TITLES.podsReady, TITLES.currentIdentity, TITLES.injected, TITLES.noKeys].map((title) =>
            failed(title, [reason], fix),
        );
    }
    return [
        readyCheck(pods, namespace),
        currentIdentityCheck(pods, outputs, namespace),
        injectedCheck(pods, outputs, namespace),
        await noKeysCheck(pods, namespace, kube),
    ];
}

export function readyCheck(pods: readonly V1Pod[], namespace: string): CheckResult {
    const lines: string[] = [];
    const unready: string[] = [];
    for (const pod of pods) {
        const name = podName(pod);
        const phase = pod.status?.phase ?? "Unknown";
        const ready = pod.status?.conditions?.find((condition) => condition.type === "Ready");
        const isReady = phase === "Running" && ready?.status === "True";
        const waiting = (pod.status?.containerStatuses ?? [])
            .map((status) =>
                status.state?.waiting
                    ? `${status.name} ${status.state.waiting.reason ?? "waiting"}${status.state.waiting.message ? `: ${status.state.waiting.message}` : ""}`
                    : status.restartCount > 0
                      ? `${status.name} restarted ${status.restartCount} times`
                      : undefined,
            )
            .filter((text) => text !== undefined);
        const why = isReady
            ? ""
            : [ready?.reason, ready?.message, ...waiting]
                  .filter((part) => part !== undefined && part !== "")
                  .join("; ");
        lines.push(`${name}: ${phase}, Ready ${ready?.status ?? "Unknown"}${why ? ` (${why})` : ""}`);
        if (!isReady) {
            unready.push(name);
        }
    }
    if (unready.length === 0) {
        return passed(TITLES.podsReady, lines);
    }
    const [first] = unready;
    return failed(
        TITLES.podsReady,
        lines,
        `kubectl describe pod ${first} -n ${namespace}; kubectl logs ${first} -n ${namespace}. ` +
            `/health does not touch Azure, so an unready pod is a start-up problem (image, probes, resources), not identity`,
    );
}

export function currentIdentityCheck(pods: readonly V1Pod[], outputs: StackOutputs, namespace: string): CheckResult {
    const expected = identityHash(outputs.identityClientId);
    const lines: string[] = [];
    let stale = 0;
    for (const pod of pods) {
        const actual = pod.metadata?.annotations?.[IDENTITY_HASH_ANNOTATION];
        const created = createdAt(pod);
        if (actual === expected) {
            lines.push(`${podName(pod)}: ${IDENTITY_HASH_ANNOTATION} ${actual}, created ${created}`);
        } else {
            stale++;
            lines.push(
                `${podName(pod)}: ${IDENTITY_HASH_ANNOTATION} ${actual ?? "missing"}, expected ${expected} ` +
                    `(the hash of identityClientId ${outputs.identityClientId}); created ${created} from a template ` +
                    `for ${actual === undefined ? "no identity of this stack (not this stack's Deployment?)" : "another identity"}`,
            );
        }
    }
    if (stale === 0) {
        return passed(TITLES.currentIdentity, [
            ...lines,
            `the pod template carries the hash of the current client id, and the webhook injects identity only when a pod is created: these pods were created after the last identity change`,
        ]);
    }
    return failed(
        TITLES.currentIdentity,
        lines,
        `pulumi up (a new client id changes the pod template and rolls the pods); if the Deployment is not this ` +
            `stack's, adopt it (aiService.adoptExisting) or: kubectl rollout restart deployment/${AI_SERVICE_NAME} -n ${namespace}`,
    );
}

export function injectedCheck(pods: readonly V1Pod[], outputs: StackOutputs, namespace: string): CheckResult {
    const [account] = outputs.serviceAccounts;
    const good: string[] = [];
    const bad: string[] = [];
    const fixes = new Set<string>();
    const restart = `kubectl rollout restart deployment/${AI_SERVICE_NAME} -n ${namespace}`;
    for (const pod of pods) {
        const name = podName(pod);
        if (pod.spec?.serviceAccountName !== account.name) {
            bad.push(
                `${name}: runs as ServiceAccount ${pod.spec?.serviceAccountName ?? "default"}, not ${account.name} ` +
                    `(the federated subject is ${account.subject})`,
            );
            fixes.add(`pulumi up (the stack's Deployment runs as ${account.name})`);
        }
        for (const container of appContainers(pod)) {
            const where = `${name}/${container.name}`;
            const env = envValues(container);
            const problems: string[] = [];
            const clientId = env.get("AZURE_CLIENT_ID");
            const tenantId = env.get("AZURE_TENANT_ID");
            const tokenFile = env.get("AZURE_FEDERATED_TOKEN_FILE");
            if (clientId === undefined) {
                const labelled = pod.metadata?.labels?.[USE_WORKLOAD_IDENTITY_LABEL] === "true";
                problems.push(
                    `${where}: no AZURE_CLIENT_ID: the webhook did not mutate this pod (` +
                        (labelled
                            ? `it has the ${USE_WORKLOAD_IDENTITY_LABEL} label, so it was created before workload identity was on`
                            : `it lacks the label ${USE_WORKLOAD_IDENTITY_LABEL}: "true"`) +
                        ")",
                );
                fixes.add(labelled ? restart : `pulumi up (the stack's pod template has the label), then ${restart}`);
            } else if (clientId.toLowerCase() !== outputs.identityClientId.toLowerCase()) {
                problems.push(
                    `${where}: AZURE_CLIENT_ID ${clientId} is not identityClientId ${outputs.identityClientId}: ` +
                        `the pod was created before its ServiceAccount carried this client id`,
                );
                fixes.add(restart);
            }
            if (tenantId === undefined) {
                problems.push(`${where}: no AZURE_TENANT_ID`);
                fixes.add(restart);
            } else if (tenantId.toLowerCase() !== outputs.tenantId.toLowerCase()) {
                problems.push(`${where}: AZURE_TENANT_ID ${tenantId} is not the stack's tenantId ${outputs.tenantId}`);
                fixes.add(`pulumi up (the ServiceAccount's tenant-id annotation), then ${restart}`);
            }
            if (tokenFile === undefined) {
                problems.push(`${where}: no AZURE_FEDERATED_TOKEN_FILE (no projected service-account token)`);
                fixes.add(restart);
            }
            if (problems.length === 0) {
                good.push(
                    `${where}: AZURE_CLIENT_ID ${clientId} = identityClientId, AZURE_TENANT_ID ${tenantId}, ` +
                        `AZURE_FEDERATED_TOKEN_FILE ${tokenFile}`,
                );
            }
            bad.push(...problems);
        }
    }
    return bad.length === 0 ? passed(TITLES.injected, good) : failed(TITLES.injected, bad, [...fixes].join("; "));
}

export async function noKeysCheck(pods: readonly V1Pod[], namespace: string, kube: KubeReader): Promise<CheckResult> {
    const found: string[] = [];
    const unreadable: string[] = [];
    const sources = new Map<string, Promise<string[]>>();
    let containers = 0;
    const checkedSources = new Set<string>();
    for (const pod of pods) {
        for (const container of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
            containers++;
            const where = `${podName(pod)}/${container.name}`;
            for (const variable of container.env ?? []) {
                if (CREDENTIAL_ENV_NAMES.includes(variable.name)) {
                    const origin = variable.valueFrom?.secretKeyRef
                        ? `from Secret ${variable.valueFrom.secretKeyRef.name}`
                        : variable.valueFrom?.configMapKeyRef
                          ? `from ConfigMap ${variable.valueFrom.configMapKeyRef.name}`
                          : "set literally";
                    found.push(`${where}: env ${variable.name} (${origin})`);
                }
            }
            for (const source of container.envFrom ?? []) {
                const kind = source.secretRef ? "Secret" : "ConfigMap";
                const name = source.secretRef?.name ?? source.configMapRef?.name;
                if (name === undefined) {
                    continue;
                }
                const key = `${kind}/${name}`;
                checkedSources.add(key);
                if (!sources.has(key)) {
                    sources.set(key, kube.readKeys(namespace, kind, name));
                }
                try {
                    const keys = await sources.get(key)!;
                    for (const variable of keys.map((k) => `${source.prefix ?? ""}${k}`)) {
                        if (CREDENTIAL_ENV_NAMES.includes(variable)) {
                            found.push(`${where}: envFrom ${kind} ${name} provides ${variable}`);
                        }
                    }
                } catch (error) {
                    const optional = source.secretRef?.optional ?? source.configMapRef?.optional;
                    unreadable.push(
                        `${where}: cannot read envFrom ${kind} ${name}${optional ? " (optional)" : ""} to check its keys: ${firstLine(error)}`,
                    );
                }
            }
        }
    }
    if (found.length === 0 && unreadable.length === 0) {
        return passed(TITLES.noKeys, [
            `checked ${containers} container${containers === 1 ? "" : "s"} for ${CREDENTIAL_ENV_NAMES.join(", ")}` +
                (checkedSources.size > 0 ? `, including envFrom ${[...checkedSources].join(", ")}` : ""),
        ]);
    }
    const fixes: string[] = [];
    if (found.length > 0) {
        fixes.push(
            `remove the variable from the Deployment and from any ConfigMap or Secret it reads (pulumi up removes ` +
                `the ones kubectl set on an adopted Deployment: docs/adopting-kubectl-objects.md), then ` +
                `kubectl rollout restart deployment/${AI_SERVICE_NAME} -n ${namespace}. ai-service prefers a key when it finds one`,
        );
    }
    if (unreadable.length > 0) {
        fixes.push(`allow yourself to read it (kubectl auth can-i get secrets -n ${namespace}), or check it by hand`);
    }
    return failed(TITLES.noKeys, [...found, ...unreadable], fixes.join("; "));
}

// ---------------------------------------------------------------------------------------------------------------
// Azure Resource Manager.
// ---------------------------------------------------------------------------------------------------------------

export async function issuerCheck(
    outputs: StackOutputs,
    arm: ArmReader,
    clusterId: string | undefined,
): Promise<CheckResult> {
    if (clusterId === undefined) {
        return failed(
            TITLES.issuer,
            [
                "the outputs have no clusterResourceId (another stack owns the cluster), so its current issuer is unknown",
            ],
            "pass --cluster-id /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ContainerService/managedClusters/<name>",
        );
    }
    const [account] = outputs.serviceAccounts;
    const [cluster, credentials] = await Promise.allSettled([
        arm.getCluster(clusterId),
        arm.listFederatedCredentials(outputs.identityResourceId),
    ]);
    const readFailures: string[] = [];
    if (cluster.status === "rejected") {
        readFailures.push(`could not read cluster ${clusterId}: ${firstLine(cluster.reason)}`);
    }
    if (credentials.status === "rejected") {
        readFailures.push(
            `could not list the federated credentials of ${outputs.identityResourceId}: ${firstLine(credentials.reason)}`,
        );
    }
    if (cluster.status === "rejected" || credentials.status === "rejected") {
        return failed(TITLES.issuer, readFailures, armAccessFix());
    }
    const issuer = cluster.value.oidcIssuerEnabled ? cluster.value.issuerUrl : undefined;
    if (issuer === undefined || issuer === "") {
        return failed(
            TITLES.issuer,
            [`cluster ${lastSegment(clusterId)} has no OIDC issuer (oidcIssuerProfile.enabled is not true)`],
            "pulumi up (it turns on the OIDC issuer and workload identity), then restart the pods",
        );
    }
    const matching = credentials.value.filter((credential) => credential.subject === account.subject);
    if (matching.length === 0) {
        const others = credentials.value.map(
            (credential) => `${credential.name} (${credential.subject ?? "no subject"})`,
        );
        return failed(
            TITLES.issuer,
            [
                `identity ${lastSegment(outputs.identityResourceId)} has no federated credential for subject ${account.subject}` +
                    (others.length > 0 ? `; it has: ${others.join(", ")}` : "; it has none"),
            ],
            "pulumi up (it creates the credential for the ServiceAccount the pods run as)",
        );
    }
    const lines: string[] = [];
    let ok = true;
    for (const credential of matching) {
        const audienceOk = credential.audiences.includes(TOKEN_EXCHANGE_AUDIENCE);
        if (credential.issuer === issuer && audienceOk) {
            lines.push(
                `credential ${credential.name}: issuer ${credential.issuer} = cluster ${lastSegment(clusterId)}'s issuer; ` +
                    `subject ${credential.subject}; audience ${TOKEN_EXCHANGE_AUDIENCE}`,
            );
            continue;
        }
        ok = false;
        if (credential.issuer !== issuer) {
            const slashOnly =
                credential.issuer !== undefined && credential.issuer.replace(/\/$/, "") === issuer.replace(/\/$/, "");
            lines.push(`credential ${credential.name}: issuer ${credential.issuer ?? "none"}`);
            lines.push(`cluster ${lastSegment(clusterId)}: issuer ${issuer}`);
            lines.push(
                slashOnly
                    ? "they differ only in the trailing '/', which Entra ID compares exactly (AADSTS700211)"
                    : `the cluster's issuer changed since the credential was made (re-created cluster?); tokens fail with AADSTS700211` +
                          (outputs.oidcIssuerUrl !== issuer
                              ? ` (the stack's oidcIssuerUrl output is still ${outputs.oidcIssuerUrl})`
                              : ""),
            );
        }
        if (!audienceOk) {
            lines.push(
                `credential ${credential.name}: audiences ${JSON.stringify(credential.audiences)} lack ${TOKEN_EXCHANGE_AUDIENCE} (AADSTS700212)`,
            );
        }
    }
    return ok
        ? passed(TITLES.issuer, lines)
        : failed(
              TITLES.issuer,
              lines,
              "pulumi refresh, then pulumi up: the stack re-reads the cluster's issuer and replaces the credential " +
                  "(allow a minute or two for it to propagate); a credential made by hand must be fixed or deleted by hand",
          );
}

export async function roleCheck(outputs: StackOutputs, arm: ArmReader): Promise<CheckResult> {
    let assignments: RoleAssignmentView[];
    try {
        assignments = await arm.listRoleAssignments(outputs.openAiAccountId, outputs.identityPrincipalId);
    } catch (error) {
        return failed(
            TITLES.role,
            [`could not list role assignments on ${outputs.openAiAccountId}: ${firstLine(error)}`],
            armAccessFix(),
        );
    }
    const account = outputs.openAiAccountId.toLowerCase();
    const forPrincipal = assignments.filter(
        (assignment) => assignment.principalId?.toLowerCase() === outputs.identityPrincipalId.toLowerCase(),
    );
    const openAiUser = forPrincipal.filter((assignment) =>
        assignment.roleDefinitionId?.toLowerCase().endsWith(`/${OPENAI_USER_ROLE_ID}`),
    );
    const onAccount = openAiUser.filter((assignment) => assignment.scope?.toLowerCase() === account);
    if (onAccount.length > 0) {
        return passed(TITLES.role, [
            ...onAccount.map(
                (assignment) =>
                    `${assignment.id} (principal ${outputs.identityPrincipalId}, role ${OPENAI_USER_ROLE_ID})`,
            ),
            "a new assignment can take up to ~10 minutes to take effect: a 401 PermissionDenied right after pulumi up is that delay",
        ]);
    }
    const lines = [
        `no "Cognitive Services OpenAI User" (${OPENAI_USER_ROLE_ID}) assignment for principal ${outputs.identityPrincipalId} on ${outputs.openAiAccountId}`,
    ];
    for (const assignment of openAiUser) {
        lines.push(
            `found one at the broader scope ${assignment.scope ?? "?"}: least privilege wants the account itself`,
        );
    }
    const otherRoles = forPrincipal.filter((assignment) => !openAiUser.includes(assignment));
    for (const assignment of otherRoles) {
        lines.push(
            `the principal has role ${lastSegment(assignment.roleDefinitionId ?? "?")} at ${assignment.scope ?? "?"}`,
        );
    }
    return failed(
        TITLES.role,
        lines,
        "pulumi refresh, then pulumi up: the stack re-creates the assignment on the account" +
            (outputs.roleAssignmentId ? ` (it was ${outputs.roleAssignmentId})` : "") +
            "; it takes effect within minutes, up to ~10",
    );
}

// ---------------------------------------------------------------------------------------------------------------
// One description request.
// ---------------------------------------------------------------------------------------------------------------

export const CALL_PRODUCT = { name: "Verify Tug Rope", tags: ["toy", "dog"] } as const;

async function callCheck(namespace: string, kube: KubeReader): Promise<CheckResult> {
    let policies: NetworkPolicyView[];
    try {
        policies = await kube.listNetworkPolicies(namespace);
    } catch (error) {
        return failed(
            TITLES.call,
            [
                `cannot list the NetworkPolicies in ${namespace}, so verify cannot tell which path is admitted: ${firstLine(error)}`,
            ],
            `kubectl auth can-i list networkpolicies -n ${namespace}`,
        );
    }
    const path = callPathFor(policies, { app: AI_SERVICE_NAME }, SMOKE_TEST_LABELS);
    if (path.kind === "skip") {
        return { title: TITLES.call, status: "skip", details: [path.reason], fix: path.fix };
    }
    const via =
        path.kind === "service-proxy"
            ? "through the API server's service proxy"
            : `from a pod labelled ${Object.entries(path.labels)
                  .map(([key, value]) => `${key}=${value}`)
                  .join(",")} (NetworkPolicy ${path.policies.join(", ")} admits it, not the service proxy)`;
    let answer: { status: number; body: string };
    try {
        answer =
            path.kind === "service-proxy"
                ? await kube.postToService(
                      namespace,
                      AI_SERVICE_NAME,
                      AI_SERVICE_PORT,
                      "generate/description",
                      CALL_PRODUCT,
                  )
                : await kube.postFromPod(
                      namespace,
                      path.labels,
                      `http://${AI_SERVICE_NAME}.${namespace}:${AI_SERVICE_PORT}/generate/description`,
                      CALL_PRODUCT,
                  );
    } catch (error) {
        return failed(
            TITLES.call,
            [`the request ${via} failed: ${firstLine(error)}`],
            path.kind === "service-proxy"
                ? `kubectl auth can-i create services/proxy -n ${namespace}; kubectl get endpoints ${AI_SERVICE_NAME} -n ${namespace}`
                : `kubectl auth can-i create pods -n ${namespace}; kubectl get events -n ${namespace}`,
        );
    }
    const verdict = explainAiServiceAnswer(answer.status, answer.body);
    const evidence = `HTTP ${answer.status} ${via}: ${oneLine(answer.body)}`;
    return verdict.ok
        ? passed(TITLES.call, [`"${verdict.description}"`, `sent ${via}`])
        : failed(TITLES.call, [verdict.reason, evidence], verdict.fix);
}

export type AiServiceVerdict =
    | { readonly ok: true; readonly description: string }
    | { readonly ok: false; readonly reason: string; readonly fix: string };

/**
 * What ai-service's answer to POST /generate/description says about the identity. The same reading as the smoke test's
 * (components/smokeTest.sh): ai-service wraps Entra ID and OpenAI errors in its own 500.
 */
export function explainAiServiceAnswer(status: number, body: string): AiServiceVerdict {
    if (status === 200) {
        let description: unknown;
        try {
            description = (JSON.parse(body) as { description?: unknown }).description;
        } catch {
            description = undefined;
        }
        if (typeof description === "string" && description.trim() !== "") {
            return { ok: true, description: description.slice(0, 120) };
        }
        return {
            ok: false,
            reason: "ai-service answered 200 without a non-empty description",
            fix: "kubectl logs deployment/ai-service",
        };
    }
    const verify = "the checks above say which link is broken";
    const code = /AADSTS\d+/.exec(body)?.[0];
    if (code === "AADSTS700024") {
        return {
            ok: false,
            reason: "Entra ID rejected an expired service-account token (AADSTS700024)",
            fix: "kubectl rollout restart deployment/ai-service; the app must re-read AZURE_FEDERATED_TOKEN_FILE",
        };
    }
    // No matching federated credential: 70021 (none at all, or still propagating), 700211 issuer, 700213 subject,
    // 700212 audience (codes as Microsoft's Azure Identity troubleshooting guide lists them; see docs/troubleshooting.md).
    if (["AADSTS70021", "AADSTS700211", "AADSTS700212", "AADSTS700213"].includes(code ?? "")) {
        return {
            ok: false,
            reason: `Entra ID found no federated credential matching the pod's token (${code}): issuer, subject or audience differ, or a new credential has not propagated (a minute or two)`,
            fix: verify,
        };
    }
    if (code !== undefined) {
        return {
            ok: false,
            reason: `Entra ID refused the token exchange (${code})`,
            fix: `https://login.microsoftonline.com/error?code=${code.slice("AADSTS".length)}`,
        };
    }
    if (/PermissionDenied|lacks the required data action/.test(body)) {
        return {
            ok: false,
            reason: "Azure OpenAI denied the call (PermissionDenied): the role assignment is not effective yet (up to ~10 minutes), or it is on another scope",
            fix: verify,
        };
    }
    if (status === 401 || status === 403 || /Error code: 40[13]/.test(body)) {
        return {
            ok: false,
            reason: `Azure OpenAI refused the call (${/Error code: (40[13])/.exec(body)?.[1] ?? status}): the role is not effective yet, or it is on the wrong scope`,
            fix: verify,
        };
    }
    if (/DeploymentNotFound|Error code: 404/.test(body)) {
        return {
            ok: false,
            reason: "Azure OpenAI has no such model deployment (DeploymentNotFound)",
            fix: "check openai.deploymentName",
        };
    }
    return { ok: false, reason: `ai-service answered HTTP ${status}`, fix: "kubectl logs deployment/ai-service" };
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------------------------------------

function passed(title: string, details: readonly string[]): CheckResult {
    return { title, status: "pass", details };
}

function failed(title: string, details: readonly string[], fix: string): CheckResult {
    return { title, status: "fail", details, fix };
}

function skipped(title: string, why: string): CheckResult {
    return { title, status: "skip", details: [why] };
}

function armAccessFix(): string {
    return (
        "sign in with an account that can read these resources (Reader on the resource group is enough): az login, " +
        "or the AZURE_* variables DefaultAzureCredential reads"
    );
}

function podName(pod: V1Pod): string {
    return pod.metadata?.name ?? "<unnamed pod>";
}

function createdAt(pod: V1Pod): string {
    // client-node parses it into a Date; a plain object (fixture) keeps the API's string.
    const created = pod.metadata?.creationTimestamp as Date | string | undefined;
    return created === undefined ? "unknown" : new Date(created).toISOString();
}

/** ai-service's container (the webhook mutates every container, but that is the one that calls Azure). */
function appContainers(pod: V1Pod): V1Container[] {
    const containers = pod.spec?.containers ?? [];
    const app = containers.filter((container) => container.name === AI_SERVICE_NAME);
    return app.length > 0 ? app : containers;
}

function envValues(container: V1Container): Map<string, string> {
    return new Map((container.env ?? []).map((variable) => [variable.name, variable.value ?? "(from a reference)"]));
}

function lastSegment(id: string): string {
    return (
        id
            .split("/")
            .filter((part) => part !== "")
            .pop() ?? id
    );
}

export function firstLine(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    return message.split("\n")[0].trim();
}

function oneLine(text: string): string {
    const flat = text.replace(/\s+/g, " ").trim();
    return flat.length > 300 ? `${flat.slice(0, 300)}...` : flat;
}
