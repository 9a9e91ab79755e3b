import type { ArmClient } from "./arm";
import { RESOURCE_TYPES, type ResourceType } from "./resourceTypes";
import type { Settings } from "./settings";
import { outputsOf } from "./shapes";
import { UNKNOWN, type Props } from "./wire";

/**
 * The invokes the program calls (grep `get[A-Z]\w*(Output)?\(` and `list[A-Z]\w*(Output)?\(` in index.ts and
 * components/), each the ARM call azure-native makes for it: resource getters GET the resource at the type's
 * api-version and answer in the SDK's shape with `azureApiVersion` added (provider.go `invokeResponseToOutputs`);
 * `list*` functions POST. Results are plain: azure-native marshals invoke results without secrets, so the kubeconfig
 * comes back as a plain string and the program wraps it in `pulumi.secret` itself.
 */

export interface InvokeContext {
    readonly arm: ArmClient;
    readonly settings: Settings;
    readonly subscriptionId: string;
}

type Invoke = (args: Props, context: InvokeContext) => Promise<Props>;

const type = (token: string): ResourceType => RESOURCE_TYPES.find((candidate) => candidate.token === token)!;
const CLUSTER = type("azure-native:containerservice:ManagedCluster");
const ACCOUNT = type("azure-native:cognitiveservices:Account");
const DEPLOYMENT = type("azure-native:cognitiveservices:Deployment");

export const INVOKES: Readonly<Record<string, Invoke>> = {
    // provider.go: clientId, tenantId and subscriptionId of the signed-in identity, objectId from its token. Here the
    // harness's token is that identity: its claims answer.
    "azure-native:authorization:getClientConfig": async (_args, { settings, subscriptionId }) => ({
        clientId: settings.claims.appid,
        objectId: settings.claims.oid,
        subscriptionId,
        tenantId: settings.claims.tid,
    }),
    // provider.go `getClientToken`: a token for `endpoint` (default the ARM endpoint). The harness issued one token,
    // for its ARM stand-in; any other audience is refused rather than answered with a token it would not accept.
    "azure-native:authorization:getClientToken": async (args, { settings }) => {
        const endpoint = optionalString(args, "endpoint", "azure-native:authorization:getClientToken");
        if (endpoint !== undefined && endpoint.replace(/\/?$/, "/") !== settings.armEndpoint) {
            throw new Error(
                `azure-native:authorization:getClientToken: endpoint "${endpoint}" is not the ARM endpoint the harness ` +
                    `issued a token for (${settings.armEndpoint}); the stand-in has no token for other audiences.`,
            );
        }
        return { token: settings.token };
    },
    "azure-native:containerservice:getManagedCluster": async (args, context) =>
        getResource(CLUSTER, "azure-native:containerservice:getManagedCluster", args, context, [
            "resourceGroupName",
            "resourceName",
        ]),
    // POST .../managedClusters/{name}/listClusterUserCredential (AKS REST "Managed Clusters - List Cluster User
    // Credentials"); `format` and `serverFqdn` are query parameters.
    "azure-native:containerservice:listManagedClusterUserCredentials": async (args, context) => {
        const token = "azure-native:containerservice:listManagedClusterUserCredentials";
        const params = requiredStrings(args, token, ["resourceGroupName", "resourceName"]);
        const id = `/subscriptions/${context.subscriptionId}/resourceGroups/${params.resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/${params.resourceName}/listClusterUserCredential`;
        const format = optionalString(args, "format", token);
        const serverFqdn = optionalString(args, "serverFqdn", token);
        return context.arm.post(id, {
            "api-version": CLUSTER.apiVersion,
            ...(format === undefined ? {} : { format }),
            ...(serverFqdn === undefined ? {} : { "server-fqdn": serverFqdn }),
        });
    },
    "azure-native:cognitiveservices:getAccount": async (args, context) =>
        getResource(ACCOUNT, "azure-native:cognitiveservices:getAccount", args, context, [
            "resourceGroupName",
            "accountName",
        ]),
    "azure-native:cognitiveservices:getDeployment": async (args, context) =>
        getResource(DEPLOYMENT, "azure-native:cognitiveservices:getDeployment", args, context, [
            "resourceGroupName",
            "accountName",
            "deploymentName",
        ]),
};

export function invokeOf(token: string): Invoke {
    const invoke = INVOKES[token];
    if (invoke === undefined) {
        throw new Error(
            `azure-native stand-in: function ${token} is not implemented; it implements exactly the functions this ` +
                `program calls: ${Object.keys(INVOKES).join(", ")}. Fix: add it to e2e/azure-native/invokes.ts.`,
        );
    }
    return invoke;
}

async function getResource(
    resourceType: ResourceType,
    token: string,
    args: Props,
    { arm, subscriptionId }: InvokeContext,
    names: readonly string[],
): Promise<Props> {
    const params = requiredStrings(args, token, names);
    const id = resourceType.idTemplate.replace(/\{(\w+)\}/g, (_match, name: string) =>
        name === "subscriptionId" ? subscriptionId : params[name],
    );
    return outputsOf(resourceType, await arm.get(id, resourceType.apiVersion), { keepId: true });
}

function requiredStrings(args: Props, token: string, names: readonly string[]): Record<string, string> {
    const values: Record<string, string> = {};
    for (const name of names) {
        const value = args[name];
        if (typeof value !== "string" || value === "" || value === UNKNOWN) {
            throw new Error(
                `${token}: argument '${name}' is required (a known, non-empty string); got ${JSON.stringify(value ?? null)}.`,
            );
        }
        values[name] = value;
    }
    return values;
}

function optionalString(args: Props, name: string, token: string): string | undefined {
    const value = args[name];
    if (value === undefined || value === "") {
        return undefined;
    }
    if (typeof value !== "string" || value === UNKNOWN) {
        throw new Error(`${token}: argument '${name}' must be a known string; got ${JSON.stringify(value)}.`);
    }
    return value;
}
