import { NO_INJECTION } from "../azureErrors";
import { CREDENTIAL_ENV_NAMES, USE_WORKLOAD_IDENTITY_LABEL } from "../facts";
import { at } from "./lookups";
import type { HopAnalyzer } from "./model";

/** Hop 1: the pod template asks the webhook for a token, and the app uses its identity instead of a key. */
export const workloadHop: HopAnalyzer = {
    hop: "workload",
    analyze({ template, env }) {
        const labelValue = at(template, "metadata.labels")?.[USE_WORKLOAD_IDENTITY_LABEL];
        const useAd = env.get("USE_AZURE_AD");
        const keyVariables = CREDENTIAL_ENV_NAMES.filter((name) => env.has(name));
        const keyless = useAd === "True" && keyVariables.length === 0;
        return {
            checks: [
                {
                    hop: "workload",
                    check: "pod label",
                    planned: `${USE_WORKLOAD_IDENTITY_LABEL}=${labelValue === undefined ? "(absent)" : JSON.stringify(labelValue)}`,
                    verdict: labelValue === "true" ? "ok" : "broken",
                    basis:
                        labelValue === "true"
                            ? `the webhook mutates pods labelled ${USE_WORKLOAD_IDENTITY_LABEL}="true" (the string)`
                            : `the webhook only mutates pods whose template carries the label ${USE_WORKLOAD_IDENTITY_LABEL}="true"`,
                    ifBroken: NO_INJECTION,
                },
                {
                    hop: "workload",
                    check: "keyless",
                    planned:
                        `USE_AZURE_AD=${useAd === undefined ? "(absent)" : JSON.stringify(useAd)}; key variables: ` +
                        (keyVariables.length > 0 ? keyVariables.join(", ") : "none"),
                    verdict: keyless ? "ok" : "broken",
                    basis: keyless
                        ? "ai-service uses DefaultAzureCredential (scope https://cognitiveservices.azure.com/.default) and finds no key"
                        : "ai-service uses DefaultAzureCredential only with USE_AZURE_AD=True, and prefers a key when one is set",
                    ifBroken: "the app calls Azure OpenAI with an API key (or none) instead of its identity",
                },
            ],
        };
    },
};
