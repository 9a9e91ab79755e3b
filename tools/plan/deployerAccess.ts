import { parse } from "yaml";

import type { RegisteredResource } from "../engine/runProgram";
import type { DiscoveryRead } from "./planMocks";

/**
 * How the identity that runs `pulumi up` signs in to Kubernetes, and with what rights (issue 11), judged from what the
 * program REGISTERED and READ: the Kubernetes provider's kubeconfig (kubelogin, a client certificate, or a token), the
 * Entra profile of the cluster the stack creates, or what Azure says about the cluster it uses. Pure: no Pulumi
 * runtime, so tests call it on changed resources.
 */

export interface DeployerAccess {
    /** The cluster, and where it comes from. */
    readonly cluster: string;
    /** How the Kubernetes provider signs in. */
    readonly login: string;
    /** What that sign-in may do. */
    readonly rights: string;
    /** Local (certificate) accounts on the cluster: "disabled", "enabled", or what only Azure can tell. */
    readonly localAccounts: string;
    /** One line: login, rights, local accounts. */
    readonly summary: string;
}

const MANAGED_CLUSTER = /^azure-native:containerservice(?:\/v[0-9a-z]+)?:ManagedCluster$/;
const KUBERNETES_PROVIDER = "pulumi:providers:kubernetes";

/** Who kubelogin signs in as, per `--login` mode (kubelogin's documented login modes). */
const KUBELOGIN_IDENTITY: Readonly<Record<string, string>> = {
    azurecli: "the account signed in to the Azure CLI",
    workloadidentity: "the federated identity in AZURE_CLIENT_ID (GitHub Actions OIDC in CI)",
    spn: "the service principal in AAD_SERVICE_PRINCIPAL_CLIENT_ID",
    msi: "the machine's managed identity",
    devicecode: "a person at a browser (interactive: hangs in CI)",
    interactive: "a person at a browser (interactive: hangs in CI)",
};

export function analyzeDeployerAccess(input: {
    readonly resources: readonly RegisteredResource[];
    readonly reads: readonly DiscoveryRead[];
}): DeployerAccess {
    const provider = input.resources.find((resource) => resource.type === KUBERNETES_PROVIDER);
    const login = loginOf(provider?.inputs.kubeconfig);
    const managed = input.resources.find((resource) => MANAGED_CLUSTER.test(resource.type));
    const existing = input.reads.find((read) => read.token === "azure-native:containerservice:getManagedCluster");
    const stack = input.resources.find((resource) => resource.type === "pulumi:pulumi:StackReference");

    let access: Omit<DeployerAccess, "summary">;
    if (managed !== undefined) {
        access = managedClusterAccess(managed, login);
    } else if (existing !== undefined) {
        const name = String(existing.args.resourceName);
        access = {
            cluster: `AKS cluster ${name} (existing; this stack does not change who may sign in)`,
            login: login.text,
            rights:
                `whatever the signed-in identity holds on cluster ${name}: Azure RBAC or Kubernetes RBAC roles, or ` +
                `cluster-admin through a certificate when local accounts are on (read at deploy time)`,
            localAccounts: localAccountsOf(existing.answer.disableLocalAccounts),
        };
    } else if (stack !== undefined) {
        access = {
            cluster: `the cluster of stack ${String(stack.inputs.name)}`,
            login: login.text,
            rights: `whatever the kubeconfig that stack exports may do (that stack decides)`,
            localAccounts: "decided by that stack",
        };
    } else {
        access = { cluster: "(no cluster)", login: login.text, rights: "(none)", localAccounts: "(unknown)" };
    }
    return { ...access, summary: `${access.login}, ${access.rights}; local accounts ${access.localAccounts}` };
}

function managedClusterAccess(cluster: RegisteredResource, login: Login): Omit<DeployerAccess, "summary"> {
    const name = String(cluster.inputs.resourceName);
    const profile = cluster.inputs.aadProfile as
        { managed?: unknown; enableAzureRBAC?: unknown; adminGroupObjectIDs?: unknown } | undefined;
    const groups = Array.isArray(profile?.adminGroupObjectIDs) ? profile.adminGroupObjectIDs.map(String) : [];
    const entra = profile?.managed === true;
    const rights = !entra
        ? login.kind === "certificate"
            ? "cluster-admin through the local account's client certificate (and so does whoever may list the cluster's user credentials)"
            : "cluster-admin through a local account, once the cluster exists"
        : groups.length === 0
          ? "none: the cluster has no admin group, and no role is granted to the deployer (Kubernetes objects fail with 403)"
          : `admin group ${groups.join(", ")} (cluster-admin)${profile?.enableAzureRBAC === true ? "; Azure RBAC decides what other identities may do" : ""}`;
    return {
        cluster: `AKS cluster ${name} (created by this stack)`,
        login: login.text,
        rights,
        localAccounts: localAccountsOf(cluster.inputs.disableLocalAccounts),
    };
}

interface Login {
    readonly kind: "kubelogin" | "certificate" | "token" | "unknown";
    readonly text: string;
}

function loginOf(kubeconfig: unknown): Login {
    if (typeof kubeconfig !== "string" || !/\bclusters\s*:/.test(kubeconfig)) {
        return { kind: "unknown", text: "a kubeconfig known after apply" };
    }
    const document = parse(kubeconfig) as { users?: { user?: Record<string, unknown> }[] };
    const user = document.users?.[0]?.user ?? {};
    const exec = user.exec as { command?: unknown; args?: unknown } | undefined;
    if (exec !== undefined && typeof exec.command === "string" && /kubelogin(\.exe)?$/.test(exec.command)) {
        const args = Array.isArray(exec.args) ? exec.args.map(String) : [];
        const at = Math.max(args.indexOf("--login"), args.indexOf("-l"));
        const mode = at === -1 ? "devicecode" : (args[at + 1] ?? "devicecode");
        return {
            kind: "kubelogin",
            text: `Entra ID via kubelogin (${mode}) as ${KUBELOGIN_IDENTITY[mode] ?? `login mode ${mode}`}`,
        };
    }
    if (user["client-certificate-data"] !== undefined || user["client-certificate"] !== undefined) {
        return { kind: "certificate", text: "a local account's client certificate (no Entra ID)" };
    }
    if (user.token !== undefined) {
        return { kind: "token", text: "a static bearer token (no Entra ID)" };
    }
    return { kind: "unknown", text: "a kubeconfig user the plan does not recognise" };
}

function localAccountsOf(disableLocalAccounts: unknown): string {
    if (disableLocalAccounts === true) {
        return "disabled";
    }
    if (typeof disableLocalAccounts === "string" && /^<[^<>]+>$/.test(disableLocalAccounts)) {
        return `disabled only if ${disableLocalAccounts} is true`;
    }
    return "enabled";
}

/** The plan's DEPLOYER ACCESS section (tools/plan/render.ts). */
export function renderDeployerAccess(line: (text?: string) => void, access: DeployerAccess): void {
    line("DEPLOYER ACCESS (how `pulumi up` signs in to Kubernetes, and with what rights)");
    line(`  cluster:        ${access.cluster}`);
    line(`  signs in with:  ${access.login}`);
    line(`  rights:         ${access.rights}`);
    line(`  local accounts: ${access.localAccounts}`);
}
