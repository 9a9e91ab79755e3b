import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { isProductionStackName, stackOfUrn } from "../policy/auditPolicies";
import { evaluatePolicies } from "../tools/engine/policyHarness";
import {
    ACCOUNT_ID,
    chain,
    diagnosticSetting,
    openAiAccount,
    recorded,
    replaced,
    UNKNOWN,
    violationsOf,
    withDependencies,
    withInput,
} from "./support/policyFixtures";
import { withBootstrapOutputs } from "./support/configs";
import { runProgram, stackConfig, type RegisteredResource } from "./support/program";

/**
 * An Azure OpenAI account the stack creates must have its Audit and RequestResponse logs sent somewhere: mandatory on
 * production stack names, advisory elsewhere. The fixtures' stack is "test"; `onStack` moves them to another name.
 */

const PRODUCTION = "openai-account-audit-logs-production";
const ADVISORY = "openai-account-audit-logs";

/** The same resources in a stack of another name (URNs and the dependencies between them). */
function onStack(resources: readonly RegisteredResource[], stack: string): RegisteredResource[] {
    const rename = (urn: string) => urn.replace(/^urn:pulumi:[^:]+::/, `urn:pulumi:${stack}::`);
    return resources.map((resource) => ({
        ...resource,
        urn: rename(resource.urn),
        dependencies: resource.dependencies.map(rename),
        propertyDependencies: Object.fromEntries(
            Object.entries(resource.propertyDependencies).map(([key, urns]) => [key, urns.map(rename)]),
        ),
    }));
}

function withoutSetting(resources: readonly RegisteredResource[]): RegisteredResource[] {
    return resources.filter((resource) => resource.name !== "chat-openai-audit");
}

function withSetting(change: (setting: RegisteredResource) => RegisteredResource): RegisteredResource[] {
    return replaced(chain(), "chat-openai-audit", change);
}

/** The same resource under another name (and so another URN). */
function renamed(resource: RegisteredResource, name: string): RegisteredResource {
    return { ...resource, name, urn: resource.urn.replace(/::[^:]+$/, `::${name}`) };
}

/** A violation of the advisory policy on contoso-openai, with the settings found on it (if any) in parentheses. */
function advisoryMessage(partial?: string): string {
    return `${NO_RECORD}${partial === undefined ? "" : ` (${partial})`}: calls to the model leave no record of who made them. ${FIX}`;
}

const NO_RECORD =
    "Azure OpenAI account contoso-openai has no diagnostic setting that sends its Audit and RequestResponse logs to a " +
    "destination";
const FIX =
    "Fix: add a diagnostic setting (azure-native:monitor:DiagnosticSetting) on the account with the log categories " +
    "Audit and RequestResponse enabled and a Log Analytics workspace as its destination; in aks-openai-wi: pulumi " +
    "config set --path 'aks-openai-wi:audit.enabled' true";

describe("which stacks are production", () => {
    it("reads the stack from a resource URN", () => {
        assert.equal(stackOfUrn("urn:pulumi:store-prod::aks-openai-wi::pulumi:pulumi:Stack::x"), "store-prod");
    });

    it("takes the names the program treats as production, and no others", () => {
        for (const name of ["prod", "production", "prd", "live", "PROD", "store-prod", "store-production"]) {
            assert.equal(isProductionStackName(name), true, name);
        }
        for (const name of ["dev", "test", "prod2", "preprod-x", "products", "staging"]) {
            assert.equal(isProductionStackName(name), false, name);
        }
    });
});

describe("openai-account-audit-logs-production (mandatory)", () => {
    it("reports an account without a diagnostic setting on a stack named prod, naming the account, stack and fix", async () => {
        assert.deepEqual(await violationsOf(onStack(withoutSetting(chain()), "prod"), PRODUCTION), [
            `${NO_RECORD}: calls to the model leave no record of who made them on production stack prod. ${FIX}`,
        ]);
    });

    it("passes the account with its setting, and is silent on stacks not named for production", async () => {
        assert.deepEqual(await violationsOf(onStack(chain(), "prod"), PRODUCTION), []);
        assert.deepEqual(await violationsOf(withoutSetting(chain()), PRODUCTION), []);
    });

    it("is the violation a production preview stops at, on the account's URN", async () => {
        const resources = onStack(withoutSetting(chain()), "store-prod");
        const { violations } = await evaluatePolicies(resources);
        assert.deepEqual(
            violations.map((d) => [d.policyName, d.enforcementLevel, d.urn]),
            [[PRODUCTION, "mandatory", resources.find((r) => r.name === "chat-openai")?.urn]],
        );
    });
});

describe("openai-account-audit-logs (advisory, other stacks)", () => {
    it("reports an account without a diagnostic setting", async () => {
        assert.deepEqual(await violationsOf(withoutSetting(chain()), ADVISORY), [
            `${NO_RECORD}: calls to the model leave no record of who made them. ${FIX}`,
        ]);
        assert.deepEqual(await violationsOf(onStack(withoutSetting(chain()), "prod"), ADVISORY), []);
    });

    it("reports a setting that leaves out RequestResponse, or sends nowhere, saying which", async () => {
        const auditOnly = withSetting((s) => withInput(s, "logs", [{ category: "Audit", enabled: true }]));
        assert.deepEqual(await violationsOf(auditOnly, ADVISORY), [
            `${NO_RECORD} (diagnostic setting chat-openai-audit sends Audit): calls to the model leave no record of who made them. ${FIX}`,
        ]);
        const disabled = withSetting((s) =>
            withInput(s, "logs", [
                { category: "Audit", enabled: true },
                { category: "RequestResponse", enabled: false },
            ]),
        );
        assert.match(
            (await violationsOf(disabled, ADVISORY))[0],
            /\(diagnostic setting chat-openai-audit sends Audit\)/,
        );
        const nowhere = withSetting((s) => withInput(s, "workspaceId", undefined));
        assert.match(
            (await violationsOf(nowhere, ADVISORY))[0],
            /\(diagnostic setting chat-openai-audit has no destination\)/,
        );
    });

    it("accepts the allLogs category group, and a storage account as the destination", async () => {
        const allLogs = withSetting((s) => withInput(s, "logs", [{ categoryGroup: "allLogs", enabled: true }]));
        assert.deepEqual(await violationsOf(allLogs, ADVISORY), []);
        const storage = withSetting((s) =>
            withInput(
                withInput(s, "workspaceId", undefined),
                "storageAccountId",
                "/subscriptions/x/resourceGroups/rg-app/providers/Microsoft.Storage/storageAccounts/audit",
            ),
        );
        assert.deepEqual(await violationsOf(storage, ADVISORY), []);
    });

    it("does not count the audit category group as RequestResponse", async () => {
        const auditGroup = withSetting((s) => withInput(s, "logs", [{ categoryGroup: "audit", enabled: true }]));
        assert.match((await violationsOf(auditGroup, ADVISORY))[0], /sends Audit\)/);
    });

    it("finds the setting by the account's id when there is no dependency (another program's resources)", async () => {
        const byValue = chain().map((r) => ({ ...r, propertyDependencies: {}, dependencies: [] }));
        assert.deepEqual(await violationsOf(byValue, ADVISORY), []);
        const elsewhere = replaced(byValue, "chat-openai-audit", (s) =>
            withInput(s, "resourceUri", String(s.inputs.resourceUri).replace("contoso-openai", "other-openai")),
        );
        assert.match((await violationsOf(elsewhere, ADVISORY))[0], /^Azure OpenAI account contoso-openai has no/);
    });

    it("judges nothing while a setting's target is unknown and unlinked (preview), and judges through a dependency", async () => {
        const unlinked = replaced(withoutSetting(chain()), "chat-openai", (a) => a).concat(
            withInput(diagnosticSetting(), "resourceUri", UNKNOWN),
        );
        assert.deepEqual(await violationsOf(unlinked, ADVISORY), []);
        const account = openAiAccount();
        const linked = [
            account,
            withDependencies(withInput(diagnosticSetting(), "resourceUri", UNKNOWN), { resourceUri: [account.urn] }),
        ];
        assert.deepEqual(await violationsOf(linked, ADVISORY), []);
    });

    it("does not judge accounts of other kinds, nor accounts the stack only reads", async () => {
        const speech = replaced(withoutSetting(chain()), "chat-openai", (a) => withInput(a, "kind", "SpeechServices"));
        assert.deepEqual(await violationsOf(speech, ADVISORY), []);
        const readOnly = chain().filter((r) => r.name !== "chat-openai");
        assert.deepEqual(await violationsOf(readOnly, ADVISORY), []);
        const unrelated = [recorded("azure-native:managedidentity:UserAssignedIdentity", "x", { resourceName: "x" })];
        assert.deepEqual(await violationsOf(unrelated, ADVISORY), []);
    });
});

describe("openai-account-audit-logs: which settings count, and what the message says", () => {
    it("counts a setting of the older module insights, in any API version", async () => {
        for (const type of [
            "azure-native:insights:DiagnosticSetting",
            "azure-native:insights/v20210501preview:DiagnosticSetting",
        ]) {
            assert.deepEqual(
                await violationsOf(
                    withSetting((s) => ({ ...s, type })),
                    ADVISORY,
                ),
                [],
                type,
            );
        }
    });

    it("does not take another resource with a resourceUri on the account for a diagnostic setting", async () => {
        const association = withDependencies(
            recorded("azure-native:monitor:DataCollectionRuleAssociation", "chat-openai-dcr", {
                resourceUri: ACCOUNT_ID,
                associationName: "chat-openai-dcr",
                dataCollectionRuleId:
                    "/subscriptions/x/resourceGroups/rg-app/providers/Microsoft.Insights/dataCollectionRules/dcr",
            }),
            { resourceUri: [openAiAccount().urn] },
        );
        assert.deepEqual(await violationsOf([...withoutSetting(chain()), association], ADVISORY), [advisoryMessage()]);
    });

    it("accepts an event hub or a partner solution as the destination", async () => {
        for (const [key, value] of [
            [
                "eventHubAuthorizationRuleId",
                "/subscriptions/x/resourceGroups/rg-app/providers/Microsoft.EventHub/namespaces/audit/authorizationRules/send",
            ],
            [
                "marketplacePartnerId",
                "/subscriptions/x/resourceGroups/rg-app/providers/Microsoft.Datadog/monitors/audit",
            ],
        ]) {
            const other = withSetting((s) => withInput(withInput(s, "workspaceId", undefined), key, value));
            assert.deepEqual(await violationsOf(other, ADVISORY), [], key);
        }
    });

    it("says a setting sending no call category sends none of them", async () => {
        const metricsOnly = withSetting((s) => withInput(s, "logs", undefined));
        assert.deepEqual(await violationsOf(metricsOnly, ADVISORY), [
            advisoryMessage("diagnostic setting chat-openai-audit sends none of them"),
        ]);
    });

    it("does not count another category as Audit", async () => {
        const trace = withSetting((s) =>
            withInput(s, "logs", [
                { category: "Trace", enabled: true },
                { category: "RequestResponse", enabled: true },
            ]),
        );
        assert.deepEqual(await violationsOf(trace, ADVISORY), [
            advisoryMessage("diagnostic setting chat-openai-audit sends RequestResponse"),
        ]);
    });

    it("lists every setting on the account, separated by semicolons", async () => {
        const auditOnly = withSetting((s) => withInput(s, "logs", [{ category: "Audit", enabled: true }]));
        const second = renamed(
            withInput(
                withDependencies(diagnosticSetting(), { resourceUri: [openAiAccount().urn] }),
                "workspaceId",
                undefined,
            ),
            "chat-openai-audit-2",
        );
        assert.deepEqual(await violationsOf([...auditOnly, second], ADVISORY), [
            advisoryMessage(
                "diagnostic setting chat-openai-audit sends Audit; diagnostic setting chat-openai-audit-2 has no destination",
            ),
        ]);
    });

    it("judges a setting that sends both categories but nowhere, even with another entry unknown (preview)", async () => {
        const nowhere = withSetting((s) =>
            withInput(withInput(s, "workspaceId", undefined), "logs", [
                { category: "Audit", enabled: true },
                { category: "RequestResponse", enabled: true },
                { category: "Trace", enabled: UNKNOWN },
            ]),
        );
        assert.deepEqual(await violationsOf(nowhere, ADVISORY), [
            advisoryMessage("diagnostic setting chat-openai-audit has no destination"),
        ]);
    });

    it("judges a setting linked by dependency though its resourceUri is unknown (preview)", async () => {
        const auditOnly = withSetting((s) =>
            withInput(withInput(s, "resourceUri", UNKNOWN), "logs", [{ category: "Audit", enabled: true }]),
        );
        assert.deepEqual(await violationsOf(auditOnly, ADVISORY), [
            advisoryMessage("diagnostic setting chat-openai-audit sends Audit"),
        ]);
    });

    it("does not count a setting linked to one account, its resourceUri unknown, as on another account", async () => {
        const other = renamed(
            withInput(
                withInput(openAiAccount(), "accountName", "contoso-openai-eu"),
                "properties.customSubDomainName",
                "contoso-openai-eu",
            ),
            "chat-openai-eu",
        );
        const resources = [
            ...replaced(chain(), "chat-openai-audit", (s) => withInput(s, "resourceUri", UNKNOWN)),
            other,
        ];
        assert.deepEqual(await violationsOf(resources, ADVISORY), [
            advisoryMessage().replace("contoso-openai", "contoso-openai-eu"),
        ]);
    });

    it("names an autonamed account by its name output, and finds its setting by that name", async () => {
        const autonamed = (a: RegisteredResource): RegisteredResource => {
            const account = withInput(a, "accountName", undefined);
            return { ...account, state: { ...account.inputs, name: "chat-openai1a2b3c" } };
        };
        assert.deepEqual(await violationsOf(replaced(withoutSetting(chain()), "chat-openai", autonamed), ADVISORY), [
            advisoryMessage().replace("contoso-openai", "chat-openai1a2b3c"),
        ]);
        const byValue = replaced(
            chain().map((r) => ({ ...r, propertyDependencies: {}, dependencies: [] })),
            "chat-openai-audit",
            (s) => withInput(s, "resourceUri", ACCOUNT_ID.replace("contoso-openai", "chat-openai1a2b3c")),
        );
        assert.deepEqual(await violationsOf(replaced(byValue, "chat-openai", autonamed), ADVISORY), []);
    });

    it("finds a setting by id only in the account's resource group, or in any while that is unknown (preview)", async () => {
        const byValue = chain().map((r) => ({ ...r, propertyDependencies: {}, dependencies: [] }));
        const otherGroup = replaced(byValue, "chat-openai-audit", (s) =>
            withInput(s, "resourceUri", ACCOUNT_ID.replace("/resourceGroups/rg-app/", "/resourceGroups/rg-other/")),
        );
        assert.deepEqual(await violationsOf(otherGroup, ADVISORY), [advisoryMessage()]);
        const groupUnknown = replaced(byValue, "chat-openai", (a) => withInput(a, "resourceGroupName", UNKNOWN));
        assert.deepEqual(await violationsOf(groupUnknown, ADVISORY), []);
    });

    it("judges an empty stack silently", async () => {
        assert.deepEqual(await violationsOf([], ADVISORY), []);
        assert.deepEqual(await violationsOf([], PRODUCTION), []);
    });
});

describe("the program's own stacks under the audit policies", () => {
    for (const preview of [false, true]) {
        it(`prod (audit on in Pulumi.prod.yaml) passes both (${preview ? "preview" : "update"})`, async () => {
            const { resources } = await runProgram({
                config: withBootstrapOutputs(stackConfig("prod")),
                stack: "prod",
                preview,
            });
            const { violations, gaveUp } = await evaluatePolicies(resources);
            assert.deepEqual([...violations, ...gaveUp], []);
        });
    }

    it("prod with audit turned off is a mandatory violation", async () => {
        const config = { ...withBootstrapOutputs(stackConfig("prod")), "aks-openai-wi:audit": { enabled: false } };
        const { resources } = await runProgram({ config, stack: "prod", preview: true });
        const { violations } = await evaluatePolicies(resources);
        assert.deepEqual(
            violations.map((d) => [d.policyName, d.enforcementLevel]),
            [[PRODUCTION, "mandatory"]],
        );
        assert.match(violations[0].message, /^Azure OpenAI account store-openai-prod has no diagnostic setting/);
    });
});
