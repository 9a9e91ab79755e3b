import * as authorization from "@pulumi/azure-native/authorization";
import * as cognitiveservices from "@pulumi/azure-native/cognitiveservices";
import * as pulumi from "@pulumi/pulumi";

import { listDeploymentNames } from "./openAiDeployments";
import type { OpenAiTarget } from "./openAiTarget";

export interface ExistingOpenAiAccountArgs {
    readonly subscriptionId: string;
    readonly resourceGroupName: string;
    readonly accountName: string;
    readonly deploymentName: string;
    /** Azure Resource Manager endpoint (trailing slash), for listing deployments when the configured one is missing. */
    readonly armEndpoint: string;
    /** How the pods reach the account (`openai.network`); default public. */
    readonly network?: "public" | "private";
}

/** Endpoint names under which an AIServices account publishes its OpenAI endpoint. */
const OPENAI_ENDPOINT_KEYS = ["OpenAI Language Model Instance API", "OpenAI"];

/** Regional endpoints (`https://<region>.api.cognitive.microsoft.com/`) accept only keys, never Entra tokens. */
const REGIONAL_ENDPOINT = /^https:\/\/[a-z0-9]+\.api\.cognitive\.microsoft\.(com|us)\/?$/i;

/**
 * Reads an Azure OpenAI account this stack does not own, and checks what keyless access needs before anything is
 * created: a custom subdomain (Entra tokens are refused on regional endpoints) and the configured model deployment.
 * Nothing is registered; the account is only read, so `pulumi destroy` cannot touch it.
 */
export async function readExistingOpenAiAccount(
    args: ExistingOpenAiAccountArgs,
    opts?: pulumi.InvokeOptions,
): Promise<OpenAiTarget> {
    let account: cognitiveservices.GetAccountResult;
    try {
        account = await cognitiveservices.getAccount(
            { resourceGroupName: args.resourceGroupName, accountName: args.accountName },
            opts,
        );
    } catch (error) {
        throw new pulumi.RunError(
            `aks-openai-wi:openai.accountName = "${args.accountName}": could not read this Azure OpenAI account in resource group ` +
                `"${args.resourceGroupName}" (${firstLine(error)}). Fix: check the name and resource group ` +
                `(az cognitiveservices account list -g ${args.resourceGroupName} -o table), or set openai.mode to "managed".`,
        );
    }

    const endpoint = openAiEndpointOf(account);
    if (!account.properties.customSubDomainName || REGIONAL_ENDPOINT.test(endpoint)) {
        throw new pulumi.RunError(
            `aks-openai-wi:openai.accountName = "${args.accountName}": the account has no custom subdomain (its endpoint is ` +
                `${endpoint || "empty"}). Microsoft Entra ID tokens are accepted only on a custom subdomain endpoint ` +
                `(https://<subdomain>.openai.azure.com/); a regional endpoint answers "Please provide a custom subdomain for ` +
                `token authentication, otherwise API key is required". Fix: az cognitiveservices account update ` +
                `-g ${args.resourceGroupName} -n ${args.accountName} --custom-domain <globally-unique-lowercase-name> ` +
                `(it cannot be changed later), then run pulumi up again.`,
        );
    }

    try {
        await cognitiveservices.getDeployment(
            {
                resourceGroupName: args.resourceGroupName,
                accountName: args.accountName,
                deploymentName: args.deploymentName,
            },
            opts,
        );
    } catch (error) {
        throw new pulumi.RunError(await missingDeploymentMessage(args, error, opts));
    }

    if (account.properties.disableLocalAuth !== true) {
        pulumi.log.warn(
            `Azure OpenAI account ${args.accountName} still accepts API keys (disableLocalAuth is false). This stack does not ` +
                `change an account it does not own; once ai-service runs keyless, turn keys off with: az resource update ` +
                `--ids ${account.id} --set properties.disableLocalAuth=true`,
        );
    }

    const publicAccessWarning = publicAccessAdvice(args, account);
    if (publicAccessWarning !== undefined) {
        pulumi.log.warn(publicAccessWarning);
    }

    return {
        accountId: pulumi.output(account.id),
        accountName: args.accountName,
        endpoint: pulumi.output(endpoint),
        deploymentName: pulumi.output(args.deploymentName),
    };
}

/**
 * What to tell the user about the account's public network access, which this stack never changes on an account it
 * does not own: private mode wants it off (the private endpoint is then the only way in), public mode needs it on.
 */
export function publicAccessAdvice(
    args: Pick<ExistingOpenAiAccountArgs, "accountName" | "network">,
    account: Pick<cognitiveservices.GetAccountResult, "id" | "properties">,
): string | undefined {
    const disabled = account.properties.publicNetworkAccess === "Disabled";
    if (args.network === "private" && !disabled) {
        return (
            `Azure OpenAI account ${args.accountName} still accepts calls from the internet (publicNetworkAccess is ` +
            `${account.properties.publicNetworkAccess ?? "not set, so Enabled"}). This stack adds a private endpoint but does ` +
            `not change an account it does not own; once ai-service answers through the endpoint, turn public access off ` +
            `with: az resource update --ids ${account.id} --set properties.publicNetworkAccess=Disabled`
        );
    }
    if (args.network !== "private" && disabled) {
        return (
            `Azure OpenAI account ${args.accountName} has public network access disabled, and openai.network is "public": ` +
            `unless a private endpoint made outside this stack serves the cluster's network, ai-service's calls fail with 403 ` +
            `"Public access is disabled. Please configure private endpoint.". Fix: pulumi config set --path ` +
            `'aks-openai-wi:openai.network' private, with openai.privateEndpoint.subnetId and .vnetId`
        );
    }
    return undefined;
}

/** The endpoint the OpenAI client must call: the OpenAI endpoint of an AIServices account, or the account's own. */
export function openAiEndpointOf(account: Pick<cognitiveservices.GetAccountResult, "properties">): string {
    const endpoints = account.properties.endpoints ?? {};
    for (const key of OPENAI_ENDPOINT_KEYS) {
        if (endpoints[key]) {
            return endpoints[key];
        }
    }
    return account.properties.endpoint ?? "";
}

async function missingDeploymentMessage(
    args: ExistingOpenAiAccountArgs,
    error: unknown,
    opts?: pulumi.InvokeOptions,
): Promise<string> {
    const key = `aks-openai-wi:openai.deploymentName = "${args.deploymentName}"`;
    let existing: string[];
    try {
        const { token } = await authorization.getClientToken({ endpoint: args.armEndpoint }, opts);
        existing = await listDeploymentNames({ ...args, token });
    } catch (listError) {
        return (
            `${key}: could not read this deployment on account "${args.accountName}" (${firstLine(error)}), and listing the ` +
            `account's deployments failed too (${firstLine(listError)}). Fix: see them with az cognitiveservices account ` +
            `deployment list -g ${args.resourceGroupName} -n ${args.accountName} --query [].name -o tsv`
        );
    }
    if (existing.includes(args.deploymentName)) {
        return `${key}: the deployment exists but could not be read (${firstLine(error)}). Fix: check your permissions on the account.`;
    }
    const choices =
        existing.length > 0
            ? `the deployments that exist are: ${existing.join(", ")}`
            : "the account has no deployments";
    return (
        `${key} is not a deployment on Azure OpenAI account "${args.accountName}"; ${choices}. ` +
        `Fix: pulumi config set --path 'aks-openai-wi:openai.deploymentName' ${existing[0] ?? "<name>"}` +
        `${existing.length === 0 ? " after creating a deployment (az cognitiveservices account deployment create)" : ""}`
    );
}

function firstLine(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    return message.split("\n")[0].trim();
}
