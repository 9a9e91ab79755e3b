import * as pulumi from "@pulumi/pulumi";

import { loadSettings } from "../../components/config";
import { placeholder, urlPlaceholder, type Known, type PlaceholderKind } from "./placeholders";

/**
 * The mocked cloud of `npm run plan`: it answers every read and every resource the way Azure would during a preview,
 * except that each value only Azure (or another stack) knows is a placeholder saying what it is. Nothing is invented:
 * no GUID, region, endpoint or flag that looks real. Where the program checks a property it needs before it creates
 * anything (an existing account's custom subdomain, a model deployment), the answer lets the check pass and the plan
 * prints the assumption it made, because only Azure can confirm it.
 */

/** One read (invoke) the program made, with the plan's answer and the assumptions the answer implies. */
export interface DiscoveryRead {
    readonly token: string;
    readonly args: Readonly<Record<string, unknown>>;
    readonly answer: Readonly<Record<string, unknown>>;
    readonly assumptions: readonly string[];
}

const ARM = {
    cluster: "Microsoft.ContainerService/managedClusters",
    account: "Microsoft.CognitiveServices/accounts",
    identity: "Microsoft.ManagedIdentity/userAssignedIdentities",
};

/** What each private-networking type is called in a placeholder, and the input that holds its name. */
const NETWORK_NAMES: Readonly<Record<string, readonly [string, string]>> = {
    "azure-native:network:VirtualNetwork": ["virtual network", "virtualNetworkName"],
    "azure-native:network:Subnet": ["subnet", "subnetName"],
    "azure-native:network:PrivateEndpoint": ["private endpoint", "privateEndpointName"],
    "azure-native:network:PrivateDnsZoneGroup": ["private DNS zone group", "privateDnsZoneGroupName"],
    "azure-native:privatedns:PrivateZone": ["private DNS zone", "privateZoneName"],
    "azure-native:privatedns:VirtualNetworkLink": ["virtual network link", "virtualNetworkLinkName"],
};

export class PlanMocks implements pulumi.runtime.Mocks {
    /** Every invoke, in order, with what the plan answered. */
    readonly reads: DiscoveryRead[] = [];
    /** Every placeholder handed out, with where its value comes from. */
    readonly catalog = new Map<string, PlaceholderKind>();

    /** Clusters this stack creates without Entra integration: their user kubeconfig is a client certificate. */
    private readonly localAccountClusters = new Set<string>();

    /** @param variant 0 for the plan's own spelling of placeholders, 1 for the second, differential evaluation. */
    constructor(private readonly variant: 0 | 1 = 0) {}

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const inputs = args.inputs as Record<string, string>;
        const { answer, assumptions } = this.answer(args.token, inputs);
        this.reads.push({ token: args.token, args: { ...inputs }, answer, assumptions });
        return answer;
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        const inputs = args.inputs as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
        const after = (what: string) => this.output(what);
        switch (args.type) {
            case "azure-native:managedidentity:UserAssignedIdentity": {
                const name = String(inputs.resourceName);
                return {
                    id: after(`resource id of managed identity ${name}`),
                    state: {
                        ...inputs,
                        // The name is the configured resourceName; Azure does not choose it.
                        name,
                        clientId: after(`client id of managed identity ${name}`),
                        principalId: after(`principal id of managed identity ${name}`),
                        tenantId: after(`tenant id of managed identity ${name}`),
                    },
                };
            }
            case "azure-native:managedidentity:FederatedIdentityCredential": {
                const name = String(inputs.federatedIdentityCredentialResourceName);
                return {
                    id: after(`resource id of federated credential ${name}`),
                    state: { ...inputs, name },
                };
            }
            case "azure-native:authorization:RoleAssignment":
                return {
                    id: after(`resource id of role assignment ${args.name}`),
                    state: { ...inputs, name: inputs.roleAssignmentName },
                };
            case "azure-native:cognitiveservices:Account": {
                const name = String(inputs.accountName);
                const subdomain = inputs.properties?.customSubDomainName;
                return {
                    id: after(`resource id of Azure OpenAI account ${name}`),
                    state: {
                        ...inputs,
                        name,
                        properties: {
                            ...inputs.properties,
                            endpoint: after(
                                `endpoint of Azure OpenAI account ${name}` +
                                    (subdomain ? ` (https://${subdomain}.openai.azure.com/ expected)` : ""),
                            ),
                        },
                    },
                };
            }
            case "azure-native:cognitiveservices:Deployment":
                return {
                    id: after(`resource id of model deployment ${inputs.deploymentName}`),
                    state: { ...inputs, name: inputs.deploymentName },
                };
            case "azure-native:containerservice:ManagedCluster": {
                const name = String(inputs.resourceName);
                if (inputs.aadProfile?.managed !== true) {
                    this.localAccountClusters.add(name);
                }
                return {
                    id: after(`resource id of AKS cluster ${name}`),
                    state: {
                        ...inputs,
                        name,
                        oidcIssuerProfile: {
                            ...inputs.oidcIssuerProfile,
                            issuerURL: after(`issuer URL of cluster ${name}`),
                        },
                    },
                };
            }
            case "pulumi-nodejs:dynamic/aks:WorkloadIdentityFeatures": {
                const name = String(inputs.clusterName);
                return {
                    id: after(`resource id of AKS cluster ${name}`),
                    state: {
                        ...inputs,
                        clusterId: after(`resource id of AKS cluster ${name}`),
                        location: this.read(`region of cluster ${name}`),
                        issuerUrl: after(`issuer URL of cluster ${name}`),
                        // The provider's create turns both on (or fails); these are its contract, not a guess.
                        oidcIssuerEnabled: true,
                        workloadIdentityEnabled: true,
                        enabledByStack: after(`whether this stack turns the OIDC issuer of cluster ${name} on`),
                    },
                };
            }
            case "azure-native:operationalinsights:Workspace": {
                const name = String(inputs.workspaceName);
                return {
                    id: after(`resource id of Log Analytics workspace ${name}`),
                    state: { ...inputs, name, customerId: after(`customer id of Log Analytics workspace ${name}`) },
                };
            }
            case "azure-native:monitor:DiagnosticSetting":
                return {
                    id: after(`resource id of diagnostic setting ${inputs.name}`),
                    state: { ...inputs, name: inputs.name },
                };
            // Private networking: each name is the configured one (Azure does not choose it); ids are Azure's.
            case "azure-native:network:VirtualNetwork":
            case "azure-native:network:Subnet":
            case "azure-native:network:PrivateEndpoint":
            case "azure-native:network:PrivateDnsZoneGroup":
            case "azure-native:privatedns:PrivateZone":
            case "azure-native:privatedns:VirtualNetworkLink": {
                const [what, nameInput] = NETWORK_NAMES[args.type];
                const name = String(inputs[nameInput]);
                return { id: after(`resource id of ${what} ${name}`), state: { ...inputs, name } };
            }
            case "pulumi:pulumi:StackReference":
                return { id: String(inputs.name), state: this.stackReference(String(inputs.name)) };
            case "pulumi:providers:kubernetes":
                return { id: after(`id of Kubernetes provider ${args.name}`), state: inputs };
            default:
                if (args.type.startsWith("kubernetes:")) {
                    // Kubernetes objects are named by their manifest; a dry run returns the object as applied.
                    const metadata = inputs.metadata ?? {};
                    const id = metadata.namespace ? `${metadata.namespace}/${metadata.name}` : String(metadata.name);
                    return { id, state: inputs };
                }
                if (!args.custom) {
                    return { id: undefined, state: {} };
                }
                // A type the plan does not model yet: its inputs are shown, any output it has stays unknown.
                return { id: after(`resource id of ${args.type} ${args.name}`), state: inputs };
        }
    }

    private answer(
        token: string,
        inputs: Record<string, string>,
    ): { answer: Record<string, unknown>; assumptions: string[] } {
        const subscription = this.account("subscription id of the Azure account you deploy with");
        const armId = (type: string, name: string) =>
            `/subscriptions/${subscription}/resourceGroups/${inputs.resourceGroupName}/providers/${type}/${name}`;
        switch (token) {
            case "azure-native:authorization:getClientConfig":
                return {
                    answer: {
                        clientId: this.account("client id of the Azure account you deploy with"),
                        objectId: this.account("object id of the Azure account you deploy with"),
                        subscriptionId: subscription,
                        tenantId: this.account("tenant id of the Azure account you deploy with"),
                    },
                    assumptions: [],
                };
            case "azure-native:containerservice:getManagedCluster": {
                const name = inputs.resourceName;
                return {
                    answer: {
                        id: armId(ARM.cluster, name),
                        name,
                        location: this.read(`region of cluster ${name}`),
                        oidcIssuerProfile: {
                            enabled: this.read(`whether cluster ${name} has the OIDC issuer on`),
                            issuerURL: this.read(`issuer URL of cluster ${name}`),
                        },
                        securityProfile: {
                            workloadIdentity: {
                                enabled: this.read(`whether cluster ${name} has workload identity on`),
                            },
                        },
                        disableLocalAccounts: this.read(`whether cluster ${name} has local accounts disabled`),
                        aadProfile: {
                            managed: this.read(`whether cluster ${name} has AKS-managed Entra integration`),
                            enableAzureRBAC: this.read(`whether cluster ${name} uses Azure RBAC for Kubernetes`),
                        },
                    },
                    assumptions: [
                        `AKS cluster ${name} is assumed to exist in resource group ${inputs.resourceGroupName}; the plan ` +
                            `cannot see whether its OIDC issuer and workload identity are on, so it shows the update that ` +
                            `turns them on (a no-op if they are on already).`,
                    ],
                };
            }
            case "azure-native:containerservice:listManagedClusterUserCredentials": {
                const name = inputs.resourceName;
                return {
                    answer: {
                        kubeconfigs: [
                            {
                                name: "clusterUser",
                                value: Buffer.from(
                                    this.localAccountClusters.has(name)
                                        ? this.certificateKubeconfig(name)
                                        : this.kubeconfig(name),
                                ).toString("base64"),
                            },
                        ],
                    },
                    assumptions: [
                        `The user kubeconfig of cluster ${name} is taken to be an Entra ID one (kubelogin, rewritten to the ` +
                            `configured non-interactive login); with local accounts AKS returns client certificates, which ` +
                            `the program uses as they are. Either way it is a secret and changes nothing else in the plan.`,
                    ],
                };
            }
            case "azure-native:cognitiveservices:getAccount": {
                const name = inputs.accountName;
                return {
                    answer: {
                        id: armId(ARM.account, name),
                        name,
                        kind: this.read(`kind of Azure OpenAI account ${name}`),
                        location: this.read(`region of Azure OpenAI account ${name}`),
                        properties: {
                            customSubDomainName: this.read(`custom subdomain of Azure OpenAI account ${name}`),
                            disableLocalAuth: this.read(`whether Azure OpenAI account ${name} refuses API keys`),
                            publicNetworkAccess: this.read(`public network access of Azure OpenAI account ${name}`),
                            endpoint: this.read(`endpoint of Azure OpenAI account ${name}`),
                            provisioningState: "Succeeded",
                        },
                    },
                    assumptions: [
                        `Azure OpenAI account ${name} is assumed to exist in resource group ${inputs.resourceGroupName} with a ` +
                            `custom subdomain (Entra ID tokens are refused on regional endpoints); only Azure can confirm it, ` +
                            `and \`pulumi preview\` fails with a clear error if it has none.`,
                    ],
                };
            }
            case "azure-native:cognitiveservices:getDeployment":
                return {
                    answer: {
                        id: `${armId(ARM.account, inputs.accountName)}/deployments/${inputs.deploymentName}`,
                        name: inputs.deploymentName,
                        properties: { provisioningState: "Succeeded" },
                    },
                    assumptions: [
                        `Model deployment ${inputs.deploymentName} is assumed to exist on Azure OpenAI account ` +
                            `${inputs.accountName}; \`pulumi preview\` lists the deployments that exist if it does not.`,
                    ],
                };
            default:
                throw new Error(
                    `npm run plan: the plan does not know how to answer the read ${token}; teach tools/plan/planMocks.ts ` +
                        `what Azure returns for it (with placeholders for values only Azure knows).`,
                );
        }
    }

    /** Outputs of another stack (cluster.mode "stack"), under the output names the stack's config uses. */
    private stackReference(stackName: string): Record<string, unknown> {
        const settings = loadSettings();
        const names =
            settings.cluster.mode === "stack"
                ? { issuer: settings.cluster.issuerUrlOutput, kubeconfig: settings.cluster.kubeconfigOutput }
                : { issuer: "oidcIssuerUrl", kubeconfig: "kubeconfig" };
        const issuer = urlPlaceholder(`issuer URL exported by stack ${stackName}`, this.variant);
        this.catalog.set(issuer.slice("https://".length, -1), "read");
        return {
            name: stackName,
            outputs: {
                [names.issuer]: issuer,
                [names.kubeconfig]: this.kubeconfig(`of stack ${stackName}`),
            },
            secretOutputNames: [names.kubeconfig],
        };
    }

    /** A kubeconfig as AKS returns it for an Entra-enabled cluster, with the server a placeholder. */
    private kubeconfig(cluster: string): string {
        const server = this.read(`API server of cluster ${cluster}`);
        return [
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "  - name: cluster",
            "    cluster:",
            `      server: ${JSON.stringify(server)}`,
            "contexts:",
            "  - name: cluster",
            "    context: { cluster: cluster, user: clusterUser }",
            "current-context: cluster",
            "users:",
            "  - name: clusterUser",
            "    user:",
            "      exec:",
            "        apiVersion: client.authentication.k8s.io/v1beta1",
            "        command: kubelogin",
            "        args: [get-token, --environment, AzurePublicCloud, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630, --login, devicecode]",
            "",
        ].join("\n");
    }

    /** A kubeconfig as AKS returns it for a cluster without Entra integration: a local account's certificate. */
    private certificateKubeconfig(cluster: string): string {
        const entra = this.kubeconfig(cluster);
        const certificate = JSON.stringify(this.read(`client certificate of cluster ${cluster}'s local account`));
        // The same cluster and context; the user holds the certificate instead of running kubelogin.
        return [
            entra.slice(0, entra.indexOf("      exec:")),
            `      client-certificate-data: ${certificate}`,
            `      client-key-data: ${certificate}`,
            "",
        ].join("\n");
    }

    private output(what: string): string {
        return this.make(what, "known after apply", "output");
    }

    private read(what: string): string {
        return this.make(what, "read at deploy time", "read");
    }

    private account(what: string): string {
        return this.make(what, "read at deploy time", "account");
    }

    private make(what: string, known: Known, kind: PlaceholderKind): string {
        const text = placeholder(what, known, this.variant);
        this.catalog.set(text, kind);
        return text;
    }
}
