import * as cognitiveservices from "@pulumi/azure-native/cognitiveservices";
import * as pulumi from "@pulumi/pulumi";

import type { DeploymentSkuSettings, ModelSettings } from "./config";
import type { OpenAiTarget } from "./openAiTarget";

export interface ManagedOpenAiAccountArgs {
    /** Resource group to create the account in. */
    readonly resourceGroupName: string;
    /** Region of the account (model availability differs by region). */
    readonly location: string;
    /** Account name. */
    readonly accountName: string;
    /** Custom subdomain: required for Entra ID auth, globally unique, immutable once set. */
    readonly customSubDomainName: string;
    /** Turn API keys off (403 AuthenticationTypeDisabled for key users). Default true. */
    readonly disableLocalAuth: boolean;
    /** Model deployment name the app calls. */
    readonly deploymentName: string;
    /** Model and pinned version. */
    readonly model: ModelSettings;
    /** Deployment SKU and capacity in 1K tokens-per-minute units. */
    readonly sku: DeploymentSkuSettings;
    /** Refuse to delete or replace the account (`pulumi destroy` stops at it) until unprotected. */
    readonly protect: boolean;
    /** Who may reach the account: privately only, or publicly (with network rules when ranges are given). */
    readonly network: AccountNetworkAccess;
}

/**
 * Private: public network access off, so only private endpoints reach the account. Public: on, and when ranges are
 * given, network rules admit only them (default action Deny).
 */
export type AccountNetworkAccess =
    { readonly access: "public"; readonly allowedIpRanges: readonly string[] } | { readonly access: "private" };

/**
 * An Azure OpenAI account created by this stack, keyless from the start: custom subdomain (Entra tokens need it) and
 * local auth off by default; plus one model deployment with a pinned version that never auto-upgrades.
 * Deleting the account soft-deletes it: re-creating the same name fails until it is purged (`az cognitiveservices
 * account purge`), which Pulumi does not do.
 */
export class ManagedOpenAiAccount extends pulumi.ComponentResource implements OpenAiTarget {
    public readonly accountId: pulumi.Output<string>;
    public readonly accountName: string;
    public readonly endpoint: pulumi.Output<string>;
    public readonly deploymentName: pulumi.Output<string>;
    public readonly account: cognitiveservices.Account;
    public readonly deployment: cognitiveservices.Deployment;

    constructor(name: string, args: ManagedOpenAiAccountArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aks-openai-wi:openai:ManagedOpenAiAccount", name, {}, opts);

        this.account = new cognitiveservices.Account(
            `${name}-account`,
            {
                resourceGroupName: args.resourceGroupName,
                accountName: args.accountName,
                location: args.location,
                kind: "OpenAI",
                sku: { name: "S0" },
                properties: {
                    customSubDomainName: args.customSubDomainName,
                    disableLocalAuth: args.disableLocalAuth,
                    ...accountNetworkProperties(args.network),
                },
            },
            // A deleted account is soft-deleted and its name blocked until purged: losing it is a long outage.
            { parent: this, protect: args.protect },
        );

        this.deployment = new cognitiveservices.Deployment(
            `${name}-deployment`,
            {
                resourceGroupName: args.resourceGroupName,
                accountName: this.account.name,
                deploymentName: args.deploymentName,
                sku: { name: args.sku.name, capacity: args.sku.capacity },
                properties: {
                    model: { format: "OpenAI", name: args.model.name, version: args.model.version },
                    versionUpgradeOption: cognitiveservices.DeploymentModelVersionUpgradeOption.NoAutoUpgrade,
                },
            },
            { parent: this },
        );

        this.accountId = this.account.id;
        this.accountName = args.accountName;
        this.endpoint = this.account.properties.endpoint;
        this.deploymentName = this.deployment.name;

        this.registerOutputs({
            accountId: this.accountId,
            endpoint: this.endpoint,
            deploymentName: this.deploymentName,
        });
    }
}

/** The account properties that decide who reaches it over the network. */
export function accountNetworkProperties(network: AccountNetworkAccess): {
    publicNetworkAccess: cognitiveservices.PublicNetworkAccess;
    networkAcls?: { defaultAction: cognitiveservices.NetworkRuleAction; ipRules: { value: string }[] };
} {
    if (network.access === "private") {
        return { publicNetworkAccess: cognitiveservices.PublicNetworkAccess.Disabled };
    }
    if (network.allowedIpRanges.length === 0) {
        return { publicNetworkAccess: cognitiveservices.PublicNetworkAccess.Enabled };
    }
    return {
        publicNetworkAccess: cognitiveservices.PublicNetworkAccess.Enabled,
        networkAcls: {
            defaultAction: cognitiveservices.NetworkRuleAction.Deny,
            ipRules: network.allowedIpRanges.map((value) => ({ value })),
        },
    };
}
