import { PolicyPack } from "@pulumi/policy";

import { policies } from "./policies";

// The pack only serves the policies; they live in policies.ts so that tests and tools can run them without the engine.
new PolicyPack("aks-openai-wi-guardrails", { policies });
