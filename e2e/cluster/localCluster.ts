import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

import { IssuerHost } from "./issuerHost";
import { KubeApi, type KubeCredentials } from "./kubeApi";
import { NodeStandin } from "./nodeStandin";
import { createClusterPki, type ClusterPki, type KeyPair } from "./pki";
import { ProcessGroup } from "./processes";
import { freePort, waitFor } from "./wait";

/**
 * A Kubernetes cluster on loopback for the real-engine tests: Debian's etcd, the real kube-apiserver and
 * kube-controller-manager, and the real azure-workload-identity webhook registered through a
 * MutatingWebhookConfiguration, as AKS runs it when workload identity is enabled. Two parts are stand-ins, and named
 * so: the OIDC issuer endpoint AKS hosts (IssuerHost, which republishes the API server's own discovery document and
 * keys) and the node (NodeStandin: scheduling and the kubelet's status reports; no container runs).
 *
 * Every process listens on 127.0.0.1 (the webhook's server binds its fixed port on all interfaces, which is why the
 * harness refuses to run outside a loopback-only network namespace: see e2e/run.sh). `stop` ends every process it
 * started.
 */
export interface LocalClusterOptions {
    /** Directory with kube-apiserver, kube-controller-manager, kubectl, etcd and azure-wi-webhook. */
    readonly binDir: string;
    /** Scratch directory of this run: certificates, etcd data, logs, kubeconfigs. */
    readonly runDir: string;
    /** The tenant the webhook injects as AZURE_TENANT_ID and the issuer path carries, as AKS's does. */
    readonly tenantId: string;
    /** Extra host names the Azure stand-ins' certificate covers. */
    readonly standinDnsNames?: readonly string[];
    /**
     * More kube-apiserver flags, made once the certificates exist (e.g. Entra ID in front of it:
     * entraAuthentication.ts). The harness's own authentication (client certificates, service accounts) stays.
     */
    readonly apiServerArgs?: (pki: ClusterPki) => readonly string[];
}

/** The upstream webhook's namespace and service account (deploy/azure-wi-webhook.yaml of azure-workload-identity). */
const WEBHOOK_NAMESPACE = "azure-workload-identity-system";
const WEBHOOK_SERVICE_ACCOUNT = "azure-wi-webhook-admin";
/** controller-runtime's webhook server listens on 9443 unless the program sets another port; this one does not. */
const WEBHOOK_PORT = 9443;

export class LocalCluster {
    private constructor(
        readonly pki: ClusterPki,
        readonly issuer: IssuerHost,
        readonly api: KubeApi,
        readonly node: NodeStandin,
        readonly server: string,
        /** Admin kubeconfig (client certificate of group system:masters), self-contained: what `az aks get-credentials` gives. */
        readonly kubeconfig: string,
        readonly kubeconfigPath: string,
        private readonly processes: ProcessGroup,
        private readonly binDir: string,
    ) {}

    static async start(options: LocalClusterOptions): Promise<LocalCluster> {
        const { binDir, runDir, tenantId } = options;
        mkdirSync(runDir, { recursive: true });
        const logs = path.join(runDir, "logs");
        mkdirSync(logs, { recursive: true });
        const processes = new ProcessGroup(logs);
        const bin = (name: string) => path.join(binDir, name);
        const pki = createClusterPki(path.join(runDir, "pki"), {
            ...(options.standinDnsNames ? { standinDnsNames: options.standinDnsNames } : {}),
        });

        let issuer: IssuerHost | undefined;
        let node: NodeStandin | undefined;
        try {
            issuer = await IssuerHost.start(pki.standins, tenantId, randomUUID());

            const etcdClient = await freePort();
            const etcdPeer = await freePort();
            processes.start("etcd", bin("etcd"), [
                "--name=e2e",
                `--data-dir=${path.join(runDir, "etcd")}`,
                `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
                `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
                `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
                `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
                `--initial-cluster=e2e=http://127.0.0.1:${etcdPeer}`,
            ]);

            const apiPort = await freePort();
            const server = `https://127.0.0.1:${apiPort}`;
            processes.start("kube-apiserver", bin("kube-apiserver"), [
                `--etcd-servers=http://127.0.0.1:${etcdClient}`,
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                `--secure-port=${apiPort}`,
                `--tls-cert-file=${pki.apiServer.certPath}`,
                `--tls-private-key-file=${pki.apiServer.keyPath}`,
                `--client-ca-file=${pki.caPath}`,
                // Workload identity: tokens name the issuer Entra trusts, and the keys are published where it says.
                `--service-account-issuer=${issuer.issuerUrl}`,
                `--service-account-jwks-uri=${issuer.jwksUri}`,
                `--service-account-key-file=${pki.serviceAccountPublicKeyPath}`,
                `--service-account-signing-key-file=${pki.serviceAccountKeyPath}`,
                `--api-audiences=${issuer.issuerUrl},https://kubernetes.default.svc.cluster.local`,
                "--authorization-mode=Node,RBAC",
                "--service-cluster-ip-range=10.0.0.0/16",
                "--allow-privileged=true",
                // The `kubernetes` Service would advertise 127.0.0.1, which endpoint validation refuses; nothing here
                // reaches the API server through that Service.
                "--endpoint-reconciler-type=none",
                "--profiling=false",
                ...(options.apiServerArgs?.(pki) ?? []),
            ]);
            const adminCredentials: KubeCredentials = {
                server,
                caPath: pki.caPath,
                certPath: pki.admin.certPath,
                keyPath: pki.admin.keyPath,
            };
            const api = new KubeApi(adminCredentials);
            await waitFor("kube-apiserver /readyz", async () => {
                processes.assertAlive("etcd");
                processes.assertAlive("kube-apiserver");
                const ready = await api.get<string>("/readyz").catch(() => undefined);
                return ready === undefined ? undefined : true;
            }).catch((error: Error) => {
                throw new Error(`${error.message}\n--- kube-apiserver log ---\n${processes.tail("kube-apiserver")}`);
            });
            issuer.attach(api);

            const adminKubeconfigPath = path.join(runDir, "admin.kubeconfig");
            const kubeconfig = kubeconfigFor(server, pki.caPath, pki.admin, "e2e-admin");
            writeFileSync(adminKubeconfigPath, kubeconfig, { mode: 0o600 });

            processes.start("kube-controller-manager", bin("kube-controller-manager"), [
                `--kubeconfig=${adminKubeconfigPath}`,
                `--authentication-kubeconfig=${adminKubeconfigPath}`,
                `--authorization-kubeconfig=${adminKubeconfigPath}`,
                "--bind-address=127.0.0.1",
                `--secure-port=${await freePort()}`,
                "--leader-elect=false",
                `--service-account-private-key-file=${pki.serviceAccountKeyPath}`,
                `--root-ca-file=${pki.caPath}`,
                // No real kubelet renews the node's lease, so the node lifecycle controller would taint and evict.
                "--controllers=*,-node-lifecycle-controller",
                "--profiling=false",
            ]);

            await startWebhook(processes, api, pki, runDir, server, bin("azure-wi-webhook"), tenantId);

            node = new NodeStandin(api);
            await node.start();

            // The service-account controller creates `default` in each namespace: the controller-manager is working.
            await waitFor("kube-controller-manager (default ServiceAccount)", async () => {
                processes.assertAlive("kube-controller-manager");
                return api.find("/api/v1/namespaces/default/serviceaccounts/default");
            });

            return new LocalCluster(pki, issuer, api, node, server, kubeconfig, adminKubeconfigPath, processes, binDir);
        } catch (error) {
            await node?.stop();
            await processes.stopAll();
            await issuer?.close();
            throw error;
        }
    }

    /** Path of the kubectl built with this API server. */
    get kubectlPath(): string {
        return path.join(this.binDir, "kubectl");
    }

    /** A service-account token from the real TokenRequest API, as the kubelet would project it into a pod. */
    async requestToken(namespace: string, serviceAccount: string, audience: string): Promise<string> {
        const response = await this.api.post<{ status: { token: string } }>(
            `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`,
            {
                apiVersion: "authentication.k8s.io/v1",
                kind: "TokenRequest",
                spec: { audiences: [audience], expirationSeconds: 3600 },
            },
        );
        return response.status.token;
    }

    logTail(name: string): string {
        return this.processes.tail(name);
    }

    async stop(): Promise<void> {
        await this.node.stop();
        this.api.close();
        await this.processes.stopAll();
        await this.issuer.close();
    }
}

/**
 * The webhook as its upstream manifests deploy it: its own namespace and service account with the upstream ClusterRole
 * (read service accounts), a serving certificate the MutatingWebhookConfiguration's caBundle trusts, and the
 * configuration itself (pods labelled azure.workload.identity/use: "true", CREATE, failurePolicy Fail).
 */
async function startWebhook(
    processes: ProcessGroup,
    api: KubeApi,
    pki: ClusterPki,
    runDir: string,
    server: string,
    webhookBin: string,
    tenantId: string,
): Promise<void> {
    await api.post("/api/v1/namespaces", {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: WEBHOOK_NAMESPACE },
    });
    await api.post(`/api/v1/namespaces/${WEBHOOK_NAMESPACE}/serviceaccounts`, {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: WEBHOOK_SERVICE_ACCOUNT },
    });
    await api.post("/apis/rbac.authorization.k8s.io/v1/clusterroles", {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: "azure-wi-webhook-manager-role" },
        rules: [
            { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["get", "list", "watch"] },
            {
                apiGroups: ["admissionregistration.k8s.io"],
                resources: ["mutatingwebhookconfigurations"],
                verbs: ["get", "list", "update", "watch"],
            },
        ],
    });
    await api.post("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: "azure-wi-webhook-manager-rolebinding" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "azure-wi-webhook-manager-role" },
        subjects: [{ kind: "ServiceAccount", name: WEBHOOK_SERVICE_ACCOUNT, namespace: WEBHOOK_NAMESPACE }],
    });

    // The webhook authenticates as its service account, with a token from the TokenRequest API (what the kubelet
    // would mount into its pod), so RBAC gives it exactly the upstream ClusterRole.
    const { status } = await api.post<{ status: { token: string } }>(
        `/api/v1/namespaces/${WEBHOOK_NAMESPACE}/serviceaccounts/${WEBHOOK_SERVICE_ACCOUNT}/token`,
        { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 86400 } },
    );
    const webhookKubeconfig = path.join(runDir, "webhook.kubeconfig");
    writeFileSync(webhookKubeconfig, tokenKubeconfigFor(server, pki.caPath, status.token), { mode: 0o600 });

    const certDir = path.join(runDir, "webhook-certs");
    mkdirSync(certDir, { recursive: true });
    writeFileSync(path.join(certDir, "tls.crt"), readFileSync(pki.webhook.certPath));
    writeFileSync(path.join(certDir, "tls.key"), readFileSync(pki.webhook.keyPath));

    const healthPort = await freePort();
    processes.start(
        "azure-wi-webhook",
        webhookBin,
        [
            `--webhook-cert-dir=${certDir}`,
            "--disable-cert-rotation",
            `--health-addr=127.0.0.1:${healthPort}`,
            `--metrics-addr=127.0.0.1:${await freePort()}`,
            "--log-level=info",
        ],
        {
            PATH: process.env.PATH,
            KUBECONFIG: webhookKubeconfig,
            AZURE_TENANT_ID: tenantId,
            AZURE_ENVIRONMENT: "AzurePublicCloud",
            POD_NAMESPACE: WEBHOOK_NAMESPACE,
        },
    );
    await waitFor("azure-wi-webhook /readyz", async () => {
        processes.assertAlive("azure-wi-webhook");
        const response = await fetch(`http://127.0.0.1:${healthPort}/readyz`);
        return response.ok ? true : undefined;
    }).catch((error: Error) => {
        throw new Error(`${error.message}\n--- azure-wi-webhook log ---\n${processes.tail("azure-wi-webhook")}`);
    });

    await api.post("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "MutatingWebhookConfiguration",
        metadata: { name: "azure-wi-webhook-mutating-webhook-configuration" },
        webhooks: [
            {
                name: "mutation.azure-workload-identity.io",
                admissionReviewVersions: ["v1", "v1beta1"],
                clientConfig: {
                    url: `https://127.0.0.1:${WEBHOOK_PORT}/mutate-v1-pod`,
                    caBundle: readFileSync(pki.caPath).toString("base64"),
                },
                failurePolicy: "Fail",
                matchPolicy: "Equivalent",
                objectSelector: { matchLabels: { "azure.workload.identity/use": "true" } },
                reinvocationPolicy: "IfNeeded",
                rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }],
                sideEffects: "None",
            },
        ],
    });
}

/** A kubeconfig that authenticates with a bearer token (a service account's). */
function tokenKubeconfigFor(server: string, caPath: string, token: string): string {
    return kubeconfigDocument(server, caPath, "service-account", [`    token: ${token}`]);
}

/** A self-contained kubeconfig (certificates inlined), as `az aks get-credentials` writes one. */
export function kubeconfigFor(server: string, caPath: string, client: KeyPair, user: string): string {
    const b64 = (file: string) => readFileSync(file).toString("base64");
    return kubeconfigDocument(server, caPath, user, [
        `    client-certificate-data: ${b64(client.certPath)}`,
        `    client-key-data: ${b64(client.keyPath)}`,
    ]);
}

function kubeconfigDocument(server: string, caPath: string, user: string, credentials: readonly string[]): string {
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: e2e",
        "  cluster:",
        `    server: ${server}`,
        `    certificate-authority-data: ${readFileSync(caPath).toString("base64")}`,
        "users:",
        `- name: ${user}`,
        "  user:",
        ...credentials,
        "contexts:",
        "- name: e2e",
        "  context:",
        "    cluster: e2e",
        `    user: ${user}`,
        "current-context: e2e",
        "",
    ].join("\n");
}
