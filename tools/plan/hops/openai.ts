import { OPENAI } from "../azureErrors";
import { containsPlaceholder } from "../placeholders";
import { linkBasis, ofType, permissionDenied, str, T } from "./lookups";
import type { Account, AccessPathInput, HopAnalyzer } from "./model";

/** Hop 7: the workload calls the account's custom-subdomain endpoint, a model deployment of it, at a pinned API version. */
export const openaiHop: HopAnalyzer = {
    hop: "openai",
    analyze({ input, workload, env, account }, resolved) {
        const endpoint = env.get("AZURE_OPENAI_ENDPOINT");
        const regional =
            endpoint !== undefined && /^https:\/\/[a-z0-9]+\.api\.cognitive\.microsoft\.(com|us)\/?$/i.test(endpoint);
        const endpointOk = account !== undefined && endpoint === account.endpoint && !regional;
        const deploymentName = env.get("AZURE_OPENAI_DEPLOYMENT_NAME");
        const deployment = account ? modelDeployment(input, account, deploymentName) : undefined;
        const apiVersion = env.get("AZURE_OPENAI_API_VERSION");
        return {
            checks: [
                {
                    hop: "openai",
                    check: "endpoint",
                    planned: endpoint ?? "(AZURE_OPENAI_ENDPOINT absent)",
                    verdict: endpointOk ? "ok" : "broken",
                    basis: endpointOk
                        ? linkBasis(endpoint, workload, "spec", account?.owner, `the endpoint of ${account?.source}`)
                        : regional
                          ? "a regional endpoint: Entra ID tokens need the account's custom subdomain"
                          : "no account in this plan has this endpoint",
                    ifBroken: regional
                        ? OPENAI.customSubdomainRequired().body.error.message
                        : permissionDenied(resolved),
                },
                {
                    hop: "openai",
                    check: "deployment",
                    planned: deploymentName ?? "(AZURE_OPENAI_DEPLOYMENT_NAME absent)",
                    verdict: deployment ? "ok" : "broken",
                    basis: deployment
                        ? `a model deployment of Azure OpenAI account ${account?.name} (${deployment.source})`
                        : `not a model deployment of ${account ? `Azure OpenAI account ${account.name}` : "any account in this plan"}`,
                    ifBroken: OPENAI.deploymentNotFound().body.error.message,
                },
                {
                    hop: "openai",
                    check: "api version",
                    planned: apiVersion ?? "(absent: the image's default)",
                    verdict: "ok",
                    basis: "set explicitly: the image's default differs across tags",
                    ifBroken: "404 or 400 for an API version the account does not serve",
                },
            ],
            resolved: { deployment },
        };
    },
};

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
