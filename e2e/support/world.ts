import { mkdtempSync, rmSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import * as path from "node:path";

import { federationOf, openAiAccountOf } from "../../tests/support/armResources";
import { ArmStandin } from "../../tests/support/armStandin";
import { fetchJsonVia } from "../../tests/support/clusterIssuer";
import { clientSecrets, EntraStandin, isEntraError, type Principal } from "../../tests/support/entraStandin";
import { federatedAuthenticator, isTokenEndpointError } from "../../tests/support/federatedCredentials";
import { OpenAiStandin } from "../../tests/support/openAiStandin";
import { TEST_DEPLOYER_OBJECT_ID, TEST_SUBSCRIPTION_ID, TEST_TENANT_ID } from "../../tests/support/world";
import { AKS_SERVER_APPLICATION_ID, entraApiServerFiles } from "../cluster/entraAuthentication";
import { LocalCluster } from "../cluster/localCluster";
import { freePort } from "../cluster/wait";
import { PulumiCli } from "./pulumiCli";

/**
 * One scenario's world: the local cluster (real API server, controller-manager, webhook), Azure as loopback stand-ins
 * (ARM, Entra ID, Azure OpenAI, sharing one state: a federated credential the engine creates through the azure-native
 * stand-in is what Entra matches tokens against), and the real Pulumi CLI wired to all of it. `stop` ends everything.
 */

/** The deployer: the identity `pulumi up` runs as (a service principal with a secret, as in a CI job). */
export const DEPLOYER = {
    clientId: "0c6f3ea1-0000-4000-8000-00000000a004",
    secret: "e2e-deployer-secret",
    objectId: TEST_DEPLOYER_OBJECT_ID,
} as const;

/** Where the webhook tells pods to get tokens (AzurePublicCloud's authority host), routed to the Entra stand-in. */
export const PUBLIC_AUTHORITY_HOST = "login.microsoftonline.com";
/** Audience of the tokens Azure OpenAI accepts (scope https://cognitiveservices.azure.com/.default). */
export const COGNITIVE_SERVICES_AUDIENCE = "https://cognitiveservices.azure.com/";

export interface WorldOptions {
    /** Custom subdomains of the accounts the scenario's pods call (`<name>.openai.azure.com`). */
    readonly openAiSubdomains: readonly string[];
    /** The account whose deployments and role assignments the OpenAI stand-in answers for. */
    readonly openAiAccount: { readonly resourceGroupName: string; readonly name: string };
    /**
     * Put Microsoft Entra ID in front of the API server, as on an AKS cluster with AKS-managed Entra integration: it
     * accepts the Entra stand-in's tokens for the AKS server application (e2e/cluster/entraAuthentication.ts) and
     * audits every write. Default: client certificates and service-account tokens only.
     */
    readonly entraAuthentication?: boolean;
}

/** What the API server of a world with `entraAuthentication` trusts, and where it records writes. */
export interface EntraApiServerView {
    readonly issuerUrl: string;
    readonly auditLogPath: string;
}

export class World {
    private constructor(
        readonly runDir: string,
        readonly cluster: LocalCluster,
        readonly entra: EntraStandin,
        readonly arm: ArmStandin,
        readonly openai: OpenAiStandin,
        readonly pulumi: PulumiCli,
        /** `host:443` -> loopback port, for a client that calls Azure's real host names (the pod network). */
        readonly routes: Readonly<Record<string, number>>,
        /**
         * Entra group memberships: object id -> group object ids. A token for the AKS server application carries the
         * principal's groups in `groups`, as Entra issues it for that application (groupMembershipClaims).
         */
        readonly groupMembers: Map<string, readonly string[]>,
        /** Set when the world started with `entraAuthentication`. */
        readonly entraApiServer: EntraApiServerView | undefined,
    ) {}

    static async start(options: WorldOptions): Promise<World> {
        assertLoopbackOnlyNetwork();
        const toolchainBin = process.env.AKS_OPENAI_WI_E2E_TOOLCHAIN;
        if (!toolchainBin) {
            throw new Error("AKS_OPENAI_WI_E2E_TOOLCHAIN is not set: run the scenarios through `npm run e2e`.");
        }
        const runDir = mkdtempSync(path.join(tmpdir(), "aks-openai-wi-e2e-"));
        const openAiHosts = options.openAiSubdomains.map((name) => `${name}.openai.azure.com`);
        // The API server names its Entra issuer at start-up, port included, so the Entra stand-in's port is chosen now.
        const entraPort = options.entraAuthentication ? await freePort() : undefined;
        const entraApiServer: { view?: EntraApiServerView } = {};
        const cluster = await LocalCluster.start({
            binDir: toolchainBin,
            runDir,
            tenantId: TEST_TENANT_ID,
            standinDnsNames: [PUBLIC_AUTHORITY_HOST, ...openAiHosts],
            ...(entraPort === undefined
                ? {}
                : {
                      apiServerArgs: (pki) => {
                          const issuerUrl = `https://127.0.0.1:${entraPort}/${TEST_TENANT_ID}/v2.0`;
                          const files = entraApiServerFiles(runDir, { issuerUrl, issuerCaPath: pki.standins.caPath });
                          entraApiServer.view = { issuerUrl, auditLogPath: files.auditLogPath };
                          return files.args;
                      },
                  }),
        });
        try {
            return await World.withAzure(options, runDir, toolchainBin, cluster, entraPort, entraApiServer.view);
        } catch (error) {
            await cluster.stop();
            throw error;
        }
    }

    private static async withAzure(
        options: WorldOptions,
        runDir: string,
        toolchainBin: string,
        cluster: LocalCluster,
        entraPort: number | undefined,
        entraApiServer: EntraApiServerView | undefined,
    ): Promise<World> {
        const openAiHosts = options.openAiSubdomains.map((name) => `${name}.openai.azure.com`);
        const tls = cluster.pki.standins;
        const issuerOrigin = new URL(cluster.issuer.issuerUrl);
        // Entra reaches the cluster's issuer host as it would on the internet; here that host is on loopback.
        const fetchIssuer = fetchJsonVia({ [issuerOrigin.host]: Number(issuerOrigin.port) }, tls);

        const holder: { arm?: ArmStandin } = {};
        const federated = federatedAuthenticator(() => federationOf(holder.arm!), fetchIssuer);
        const deployer = clientSecrets({
            [DEPLOYER.clientId]: { secret: DEPLOYER.secret, objectId: DEPLOYER.objectId },
        });
        const groupMembers = new Map<string, readonly string[]>();
        const withGroups = (resource: string, principal: Principal): Principal => {
            const groups = groupMembers.get(principal.objectId) ?? [];
            return resource === AKS_SERVER_APPLICATION_ID && groups.length > 0
                ? { ...principal, claims: { ...principal.claims, groups: [...groups] } }
                : principal;
        };
        const entra = await EntraStandin.start({
            tls,
            tenantId: TEST_TENANT_ID,
            ...(entraPort === undefined ? {} : { port: entraPort }),
            // The deployer signs in with its secret; a workload presents its service-account token.
            authenticate: async (request) => {
                if (request.credential.type !== "client_assertion") {
                    const decision = await deployer(request);
                    return isEntraError(decision) ? decision : withGroups(request.resource, decision);
                }
                const decision = await federated({
                    tenantId: request.tenantId,
                    clientId: request.clientId,
                    assertion: request.credential.assertion,
                });
                return isTokenEndpointError(decision)
                    ? decision
                    : withGroups(request.resource, { objectId: decision.objectId, appId: decision.appId });
            },
        });
        const arm = await ArmStandin.start({ tls, entra, subscriptionId: TEST_SUBSCRIPTION_ID });
        holder.arm = arm;
        // Long-running operations complete on the first poll, without a wait.
        arm.lro = { inProgressPolls: 1, retryAfterSeconds: 0, outcome: { status: "Succeeded" } };
        const openai = await OpenAiStandin.start({
            tls,
            account: () => openAiAccountOf(arm, options.openAiAccount.resourceGroupName, options.openAiAccount.name),
            verifyToken: (token) => entra.verifyAccessToken(token, COGNITIVE_SERVICES_AUDIENCE),
        });

        const armToken = await entra.mintAccessToken({
            audience: arm.url,
            principal: { objectId: DEPLOYER.objectId },
            clientId: DEPLOYER.clientId,
        });
        const pulumi = new PulumiCli({
            toolchainBin,
            runDir,
            env: {
                // The azure-native stand-in (e2e/azure-native/README.md).
                AKS_OPENAI_WI_E2E_ARM_ENDPOINT: arm.url,
                AKS_OPENAI_WI_E2E_ARM_TOKEN: armToken,
                AKS_OPENAI_WI_E2E_ARM_CA_FILE: tls.caPath,
                AKS_OPENAI_WI_E2E_SUBSCRIPTION_ID: TEST_SUBSCRIPTION_ID,
                // The program's own Azure SDK calls (the existing-cluster update): EnvironmentCredential, the first
                // credential DefaultAzureCredential tries, against the Entra stand-in.
                AZURE_TENANT_ID: TEST_TENANT_ID,
                AZURE_CLIENT_ID: DEPLOYER.clientId,
                AZURE_CLIENT_SECRET: DEPLOYER.secret,
                AZURE_AUTHORITY_HOST: entra.url,
                NODE_EXTRA_CA_CERTS: tls.caPath,
            },
        });
        const routes = {
            [`${PUBLIC_AUTHORITY_HOST}:443`]: Number(new URL(entra.url).port),
            ...Object.fromEntries(openAiHosts.map((host) => [`${host}:443`, openai.port])),
        };
        return new World(runDir, cluster, entra, arm, openai, pulumi, routes, groupMembers, entraApiServer);
    }

    async stop(): Promise<void> {
        await this.cluster.stop();
        await Promise.all([this.openai.close(), this.arm.close(), this.entra.close()]);
        if (!process.env.AKS_OPENAI_WI_E2E_KEEP) {
            rmSync(this.runDir, { recursive: true, force: true });
        }
    }
}

/**
 * The harness runs inside a network namespace that has only loopback (e2e/run.sh): the webhook binds its port on all
 * interfaces, and the engine, plugins and Azure SDK clients must have nowhere to send a packet but 127.0.0.1.
 */
export function assertLoopbackOnlyNetwork(): void {
    const interfaces = Object.keys(networkInterfaces());
    const others = interfaces.filter((name) => name !== "lo");
    if (others.length > 0) {
        throw new Error(
            `e2e: this process can reach network interfaces ${others.join(", ")}; run the scenarios through ` +
                "`npm run e2e`, which starts them in a loopback-only network namespace.",
        );
    }
}
