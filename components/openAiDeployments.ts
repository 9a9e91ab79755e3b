/**
 * Lists the model deployments on an Azure OpenAI account through Azure Resource Manager. azure-native has no list
 * function for them, and a user whose configured deployment is missing needs to see which ones exist.
 */

export interface ListDeploymentsArgs {
    /** Azure Resource Manager endpoint, with a trailing slash. */
    readonly armEndpoint: string;
    readonly subscriptionId: string;
    readonly resourceGroupName: string;
    readonly accountName: string;
    /** Bearer token for Azure Resource Manager (from azure-native's `getClientToken`, so the same identity reads). */
    readonly token: string;
}

/** ARM API version of Microsoft.CognitiveServices that lists deployments. */
const API_VERSION = "2024-10-01";

export async function listDeploymentNames(args: ListDeploymentsArgs): Promise<string[]> {
    const path =
        `subscriptions/${encodeURIComponent(args.subscriptionId)}/resourceGroups/${encodeURIComponent(args.resourceGroupName)}` +
        `/providers/Microsoft.CognitiveServices/accounts/${encodeURIComponent(args.accountName)}/deployments`;
    let next: string | undefined = `${args.armEndpoint}${path}?api-version=${API_VERSION}`;
    const names: string[] = [];
    // Follow nextLink, with a bound so a misbehaving endpoint cannot loop forever.
    for (let page = 0; next !== undefined && page < 50; page++) {
        const response = await fetch(next, { headers: { authorization: `Bearer ${args.token}` } });
        if (!response.ok) {
            throw new Error(
                `listing deployments answered HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`,
            );
        }
        const body = (await response.json()) as { value?: { name?: string }[]; nextLink?: string };
        names.push(...(body.value ?? []).map((deployment) => deployment.name ?? "").filter((name) => name !== ""));
        next = body.nextLink;
    }
    return names.sort();
}
