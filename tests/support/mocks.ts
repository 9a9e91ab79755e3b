import * as pulumi from "@pulumi/pulumi";

import {
    aksIssuerUrl,
    certificateKubeconfig,
    entraKubeconfig,
    legacyAzureAuthProviderKubeconfig,
    mockGuid,
    TEST_DEPLOYER_OBJECT_ID,
    type World,
} from "./world";

/**
 * Pulumi mocks that answer the way azure-native, kubernetes and the engine do, from a `World` of what already exists.
 *
 * Update mode returns what the cloud would return after a create: the inputs plus the output-only fields (ids, the
 * identity's client and principal ids, the issuer URL, the endpoint). Preview mode answers as a provider previewing a
 * create: no id, and every output-only field UNKNOWN. Invokes of things that do not exist fail the way ARM does (404).
 * Any token the mocks do not know fails with the token in the message, so a new dependency cannot pass unnoticed.
 */
export class CloudMocks implements pulumi.runtime.Mocks {
    constructor(
        private readonly world: World,
        private readonly preview: boolean,
    ) {}

    /** Invokes seen, in order, for assertions on what the program read. */
    readonly calls: pulumi.runtime.MockCallArgs[] = [];

    /** `<resource group>/<name>` of the clusters this stack created with managed Entra integration. */
    private readonly createdEntraClusters = new Set<string>();

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        this.calls.push(args);
        const inputs = args.inputs as Record<string, string>;
        switch (args.token) {
            case "azure-native:authorization:getClientConfig":
                return {
                    clientId: mockGuid("deployer-client"),
                    objectId: TEST_DEPLOYER_OBJECT_ID,
                    subscriptionId: this.world.subscriptionId,
                    tenantId: this.world.tenantId,
                };
            case "azure-native:authorization:getClientToken":
                return { token: "mock-arm-token" };
            case "azure-native:containerservice:getManagedCluster": {
                const cluster = this.cluster(inputs.resourceGroupName, inputs.resourceName);
                return {
                    id: this.armId(
                        inputs.resourceGroupName,
                        "Microsoft.ContainerService/managedClusters",
                        inputs.resourceName,
                    ),
                    name: inputs.resourceName,
                    location: cluster.location,
                    oidcIssuerProfile: {
                        enabled: cluster.oidcIssuerEnabled,
                        issuerURL: cluster.oidcIssuerEnabled ? cluster.issuerUrl : undefined,
                    },
                    securityProfile: { workloadIdentity: { enabled: cluster.workloadIdentityEnabled } },
                    disableLocalAccounts: cluster.localAccountsDisabled ?? false,
                    ...(cluster.entraEnabled
                        ? { aadProfile: { managed: true, enableAzureRBAC: true, tenantID: this.world.tenantId } }
                        : {}),
                };
            }
            case "azure-native:containerservice:listManagedClusterUserCredentials": {
                const key = `${inputs.resourceGroupName}/${inputs.resourceName}`;
                // A cluster this stack creates answers as it was created: Entra ID (kubelogin) with managed Entra
                // integration, client certificates without it.
                const entraEnabled = this.world.clusters[key]?.entraEnabled ?? this.createdEntraClusters.has(key);
                // As AKS answers: an Entra user asked for without format=exec gets the legacy `azure` auth provider,
                // which kubectl and client-go dropped in 1.26 (https://learn.microsoft.com/azure/aks/kubelogin-authentication).
                const kubeconfig = !entraEnabled
                    ? certificateKubeconfig(inputs.resourceName)
                    : inputs.format === "exec"
                      ? entraKubeconfig(inputs.resourceName, this.world.tenantId)
                      : legacyAzureAuthProviderKubeconfig(inputs.resourceName, this.world.tenantId);
                return { kubeconfigs: [{ name: "clusterUser", value: Buffer.from(kubeconfig).toString("base64") }] };
            }
            case "azure-native:cognitiveservices:getAccount": {
                const account = this.account(inputs.resourceGroupName, inputs.accountName);
                const subdomainEndpoint = account.customSubDomainName
                    ? account.kind === "AIServices"
                        ? `https://${account.customSubDomainName}.cognitiveservices.azure.com/`
                        : `https://${account.customSubDomainName}.openai.azure.com/`
                    : `https://${account.location}.api.cognitive.microsoft.com/`;
                return {
                    id: this.armId(
                        inputs.resourceGroupName,
                        "Microsoft.CognitiveServices/accounts",
                        inputs.accountName,
                    ),
                    name: inputs.accountName,
                    kind: account.kind,
                    location: account.location,
                    properties: {
                        customSubDomainName: account.customSubDomainName,
                        disableLocalAuth: account.disableLocalAuth,
                        publicNetworkAccess: account.publicNetworkAccess ?? "Enabled",
                        endpoint: subdomainEndpoint,
                        endpoints:
                            account.kind === "AIServices" && account.customSubDomainName
                                ? {
                                      "OpenAI Language Model Instance API": `https://${account.customSubDomainName}.openai.azure.com/`,
                                  }
                                : { "OpenAI Language Model Instance API": subdomainEndpoint },
                        provisioningState: "Succeeded",
                    },
                };
            }
            case "azure-native:cognitiveservices:getDeployment": {
                const account = this.account(inputs.resourceGroupName, inputs.accountName);
                if (!account.deployments.includes(inputs.deploymentName)) {
                    throw new Error(
                        `DeploymentNotFound: The API deployment ${inputs.deploymentName} doesn't exist. (Status Code: 404)`,
                    );
                }
                return {
                    id: `${this.armId(inputs.resourceGroupName, "Microsoft.CognitiveServices/accounts", inputs.accountName)}/deployments/${inputs.deploymentName}`,
                    name: inputs.deploymentName,
                    properties: { provisioningState: "Succeeded" },
                };
            }
            default:
                throw new Error(`CloudMocks: no mock for invoke ${args.token}`);
        }
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        const inputs = args.inputs as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
        const unknown = pulumi.runtime.unknownValue;
        const computed = <T>(value: T): T | string => (this.preview ? unknown : value);
        const created = (id: string) => (this.preview ? undefined : id);

        switch (args.type) {
            case "azure-native:managedidentity:UserAssignedIdentity": {
                const id = this.armId(
                    inputs.resourceGroupName,
                    "Microsoft.ManagedIdentity/userAssignedIdentities",
                    inputs.resourceName,
                );
                return {
                    id: created(id),
                    state: {
                        ...inputs,
                        name: computed(inputs.resourceName),
                        clientId: computed(mockGuid("client-id", inputs.resourceName)),
                        principalId: computed(mockGuid("principal-id", inputs.resourceName)),
                        tenantId: computed(this.world.tenantId),
                    },
                };
            }
            case "azure-native:managedidentity:FederatedIdentityCredential": {
                const name = inputs.federatedIdentityCredentialResourceName;
                return {
                    id: created(
                        `${this.armId(inputs.resourceGroupName, "Microsoft.ManagedIdentity/userAssignedIdentities", inputs.resourceName)}/federatedIdentityCredentials/${name}`,
                    ),
                    state: { ...inputs, name: computed(name) },
                };
            }
            case "azure-native:authorization:RoleAssignment": {
                const id = `${inputs.scope}/providers/Microsoft.Authorization/roleAssignments/${inputs.roleAssignmentName}`;
                return { id: created(id), state: { ...inputs, name: computed(inputs.roleAssignmentName) } };
            }
            case "azure-native:cognitiveservices:Account": {
                const id = this.armId(
                    inputs.resourceGroupName,
                    "Microsoft.CognitiveServices/accounts",
                    inputs.accountName,
                );
                return {
                    id: created(id),
                    state: {
                        ...inputs,
                        name: computed(inputs.accountName),
                        properties: {
                            ...inputs.properties,
                            endpoint: computed(`https://${inputs.properties.customSubDomainName}.openai.azure.com/`),
                        },
                    },
                };
            }
            case "azure-native:cognitiveservices:Deployment":
                return {
                    id: created(
                        `${this.armId(inputs.resourceGroupName, "Microsoft.CognitiveServices/accounts", inputs.accountName)}/deployments/${inputs.deploymentName}`,
                    ),
                    state: { ...inputs, name: computed(inputs.deploymentName) },
                };
            case "azure-native:containerservice:ManagedCluster": {
                if (inputs.aadProfile?.managed === true) {
                    this.createdEntraClusters.add(`${inputs.resourceGroupName}/${inputs.resourceName}`);
                }
                const id = this.armId(
                    inputs.resourceGroupName,
                    "Microsoft.ContainerService/managedClusters",
                    inputs.resourceName,
                );
                return {
                    id: created(id),
                    state: {
                        ...inputs,
                        name: computed(inputs.resourceName),
                        oidcIssuerProfile: {
                            enabled: inputs.oidcIssuerProfile?.enabled,
                            issuerURL: computed(
                                aksIssuerUrl(inputs.location, inputs.resourceName, this.world.tenantId),
                            ),
                        },
                    },
                };
            }
            case "pulumi-nodejs:dynamic/aks:WorkloadIdentityFeatures": {
                const cluster = this.cluster(inputs.resourceGroupName, inputs.clusterName);
                const clusterId = this.armId(
                    inputs.resourceGroupName,
                    "Microsoft.ContainerService/managedClusters",
                    inputs.clusterName,
                );
                return {
                    id: created(clusterId),
                    state: {
                        ...inputs,
                        clusterId: computed(clusterId),
                        location: computed(cluster.location),
                        issuerUrl: computed(cluster.issuerUrl),
                        oidcIssuerEnabled: computed(true),
                        workloadIdentityEnabled: computed(true),
                        enabledByStack: computed(!(cluster.oidcIssuerEnabled && cluster.workloadIdentityEnabled)),
                    },
                };
            }
            case "azure-native:operationalinsights:Workspace": {
                const id = this.armId(
                    inputs.resourceGroupName,
                    "Microsoft.OperationalInsights/workspaces",
                    inputs.workspaceName,
                );
                return {
                    id: created(id),
                    state: {
                        ...inputs,
                        name: computed(inputs.workspaceName),
                        customerId: computed(mockGuid("workspace-customer-id", inputs.workspaceName)),
                    },
                };
            }
            case "azure-native:monitor:DiagnosticSetting":
                // An extension resource: its id is the account's id plus the setting's path.
                return {
                    id: created(`${inputs.resourceUri}/providers/Microsoft.Insights/diagnosticSettings/${inputs.name}`),
                    state: { ...inputs, name: computed(inputs.name) },
                };
            case "pulumi:pulumi:StackReference": {
                const outputs = this.world.stacks[inputs.name as string];
                if (outputs === undefined) {
                    throw new Error(
                        `unknown stack "${inputs.name}": the stack does not exist or you have no access to it`,
                    );
                }
                return {
                    id: inputs.name,
                    state: {
                        name: inputs.name,
                        outputs,
                        secretOutputNames: this.world.secretStackOutputs?.[inputs.name] ?? [],
                    },
                };
            }
            // Entra ID (bootstrap/github-oidc): object ids and client ids are assigned by Entra on create.
            case "azuread:index/application:Application": {
                const objectId = mockGuid("application-object", inputs.displayName);
                return {
                    id: created(`/applications/${objectId}`),
                    state: {
                        ...inputs,
                        objectId: computed(objectId),
                        clientId: computed(mockGuid("application-client", inputs.displayName)),
                    },
                };
            }
            case "azuread:index/servicePrincipal:ServicePrincipal": {
                const objectId = mockGuid("service-principal", inputs.clientId);
                return { id: created(objectId), state: { ...inputs, objectId: computed(objectId) } };
            }
            case "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential":
                return {
                    id: created(
                        `${inputs.applicationId}/federatedIdentityCredential/${mockGuid("fic", inputs.subject)}`,
                    ),
                    state: { ...inputs, credentialId: computed(mockGuid("fic", inputs.subject)) },
                };
            case "azuread:index/group:Group": {
                const objectId = mockGuid("group", inputs.displayName);
                return { id: created(objectId), state: { ...inputs, objectId: computed(objectId) } };
            }
            case "azure-native:authorization:RoleDefinition":
                return {
                    id: created(
                        `${inputs.scope}/providers/Microsoft.Authorization/roleDefinitions/${inputs.roleDefinitionId}`,
                    ),
                    state: { ...inputs, name: computed(inputs.roleDefinitionId) },
                };
            // Private networking (openai.network "private"): ARM ids from the names, as azure-native returns them.
            case "azure-native:network:VirtualNetwork":
            case "azure-native:network:Subnet":
            case "azure-native:network:PrivateEndpoint":
            case "azure-native:network:PrivateDnsZoneGroup":
            case "azure-native:privatedns:PrivateZone":
            case "azure-native:privatedns:VirtualNetworkLink": {
                const { id, name } = this.networkId(args.type, inputs);
                return { id: created(id), state: { ...inputs, name: computed(name) } };
            }
            case "pulumi:providers:kubernetes":
                return { id: created("kubernetes-provider-id"), state: inputs };
            default:
                if (args.type.startsWith("kubernetes:")) {
                    // The Kubernetes provider previews with a server-side dry run: the object as applied.
                    const metadata = inputs.metadata ?? {};
                    const id = metadata.namespace ? `${metadata.namespace}/${metadata.name}` : String(metadata.name);
                    return { id: created(id), state: inputs };
                }
                if (!args.custom) {
                    return { id: undefined, state: {} };
                }
                throw new Error(`CloudMocks: no mock for resource type ${args.type} (${args.name})`);
        }
    }

    private cluster(resourceGroupName: string, name: string) {
        const cluster = this.world.clusters[`${resourceGroupName}/${name}`];
        if (cluster === undefined) {
            throw new Error(
                `ResourceNotFound: The Resource 'Microsoft.ContainerService/managedClusters/${name}' under resource group '${resourceGroupName}' was not found. (Status Code: 404)`,
            );
        }
        return cluster;
    }

    private account(resourceGroupName: string, name: string) {
        const account = this.world.accounts[`${resourceGroupName}/${name}`];
        if (account === undefined) {
            throw new Error(
                `ResourceNotFound: The Resource 'Microsoft.CognitiveServices/accounts/${name}' under resource group '${resourceGroupName}' was not found. (Status Code: 404)`,
            );
        }
        return account;
    }

    /** The ARM id and name of a private-networking resource, from its path inputs. */
    private networkId(type: string, inputs: Record<string, string>): { id: string; name: string } {
        const group = inputs.resourceGroupName;
        const network = (kind: string, name: string) => this.armId(group, `Microsoft.Network/${kind}`, name);
        switch (type) {
            case "azure-native:network:VirtualNetwork":
                return { id: network("virtualNetworks", inputs.virtualNetworkName), name: inputs.virtualNetworkName };
            case "azure-native:network:Subnet":
                return {
                    id: `${network("virtualNetworks", inputs.virtualNetworkName)}/subnets/${inputs.subnetName}`,
                    name: inputs.subnetName,
                };
            case "azure-native:network:PrivateEndpoint":
                return {
                    id: network("privateEndpoints", inputs.privateEndpointName),
                    name: inputs.privateEndpointName,
                };
            case "azure-native:network:PrivateDnsZoneGroup":
                return {
                    id: `${network("privateEndpoints", inputs.privateEndpointName)}/privateDnsZoneGroups/${inputs.privateDnsZoneGroupName}`,
                    name: inputs.privateDnsZoneGroupName,
                };
            case "azure-native:privatedns:PrivateZone":
                return { id: network("privateDnsZones", inputs.privateZoneName), name: inputs.privateZoneName };
            default:
                return {
                    id: `${network("privateDnsZones", inputs.privateZoneName)}/virtualNetworkLinks/${inputs.virtualNetworkLinkName}`,
                    name: inputs.virtualNetworkLinkName,
                };
        }
    }

    private armId(resourceGroupName: string, type: string, name: string): string {
        return `/subscriptions/${this.world.subscriptionId}/resourceGroups/${resourceGroupName}/providers/${type}/${name}`;
    }
}
