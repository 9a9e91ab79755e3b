/**
 * Why each mutant left alive by `npm run mutation` is left alive, in one line: an equivalent program, a behaviour only
 * a real engine or cluster shows, or a test added after the recorded run (rerun the file to see it killed).
 * docs/mutation.md prints these next to the survivors they match; a survivor with no entry is "Not explained". Match:
 * same file and Stryker mutator, `original` occurs in the mutated source text, and `replacement` (when given) occurs
 * in the mutant's replacement.
 */
export interface ExplainedSurvivor {
    readonly file: string;
    readonly mutator: string;
    readonly original: string;
    readonly replacement?: string;
    readonly reason: string;
}

const SEED = "tests/program.test.ts, seed stack";

/** A component's registerOutputs({...}) emptied: nothing reads a component's recorded outputs. */
function registeredOutputs(file: string, original: string): ExplainedSurvivor {
    return {
        file,
        mutator: "ObjectLiteral",
        original,
        replacement: "{}",
        reason: "Equivalent for every reader: registerOutputs only records the component's outputs in the state, and every reader (index.ts, the other components) takes them from the component's fields.",
    };
}

/**
 * Every remaining survivor of `mutator` in `file`: killed by `test`, written after the recorded run, and checked mutant
 * by mutant by applying each one to the file and running that test. Listed after the file's specific reasons, which
 * take precedence; a rerun of the file replaces these with its own result.
 */
function killedSince(file: string, mutator: string, test: string): ExplainedSurvivor {
    return {
        file,
        mutator,
        original: "",
        reason: `Killed since this run by ${test}, written after it (checked by applying the mutant and running the test); rerun the file to see it.`,
    };
}

export const EXPLAINED: readonly ExplainedSurvivor[] = [
    {
        file: "components/aiService.ts",
        mutator: "BooleanLiteral",
        original: "true",
        replacement: "false",
        reason: `Killed since this run by ${SEED}, "adopts the quickstart's kubectl-created Deployment and Service by importing them" (asserts retainOnDelete).`,
    },
    {
        file: "components/aiService.ts",
        mutator: "ArrayDeclaration",
        original: '[{ name: "http", containerPort: AI_SERVICE_PORT }]',
        reason: `Killed since this run by ${SEED}, "pins the image, sets the configured resources and /health probes on port 5001" (asserts the ports).`,
    },
    {
        file: "components/aiService.ts",
        mutator: "StringLiteral",
        original: '"http"',
        reason: `Killed since this run by ${SEED}, "pins the image, sets the configured resources and /health probes on port 5001" (asserts the ports).`,
    },
    {
        file: "components/aiService.ts",
        mutator: "StringLiteral",
        original: '"ClusterIP"',
        reason: `Killed since this run by ${SEED}, "adopts the quickstart's kubectl-created Deployment and Service by importing them" (asserts spec.type).`,
    },
    {
        file: "components/aiService.ts",
        mutator: "ObjectLiteral",
        original: "{ url: this.url }",
        reason: "Equivalent for every reader: registerOutputs only records the component's outputs in the state; index.ts exports `url` from the field, and the mock engine does not record component outputs.",
    },
    {
        file: "components/workloadIdentity.ts",
        mutator: "StringLiteral",
        original: "`Keyless inference on one Azure OpenAI account",
        reason: `Killed since this run by ${SEED}, "grants the identity's PRINCIPAL id exactly 'Cognitive Services OpenAI User' on exactly the account" (asserts the description).`,
    },
    {
        file: "components/workloadIdentity.ts",
        mutator: "ArrayDeclaration",
        original: "[]",
        replacement: '["Stryker was here"]',
        reason: 'Killed since this run by tests/workloadIdentity.test.ts, "federates with a given issuer URL verbatim, and creates no namespace it was not asked to" (index.ts always passes namespacesToCreate).',
    },
    {
        file: "components/workloadIdentity.ts",
        mutator: "ObjectLiteral",
        original: "{ clientId: this.clientId,",
        reason: "Equivalent for every reader: registerOutputs only records the component's outputs in the state; index.ts reads the fields, and the mock engine does not record component outputs.",
    },
    {
        file: "components/didYouMean.ts",
        mutator: "EqualityOperator",
        original: "distance < bestDistance",
        replacement: "distance <= bestDistance",
        reason: 'Killed since this run by tests/didYouMean.test.ts, "keeps the first of equally near candidates".',
    },
    {
        file: "components/didYouMean.ts",
        mutator: "EqualityOperator",
        original: "bestDistance <= Math.max",
        replacement: "bestDistance < Math.max",
        reason: 'Killed since this run by tests/didYouMean.test.ts, "accepts a short word at two edits and refuses it at three".',
    },
    {
        file: "components/didYouMean.ts",
        mutator: "MethodExpression",
        original: "Math.max(2, Math.floor(word.length / 4))",
        reason: 'Killed since this run by tests/didYouMean.test.ts, "allows a long word one edit per four letters".',
    },
    {
        file: "components/didYouMean.ts",
        mutator: "EqualityOperator",
        original: "i <= a.length",
        replacement: "i < a.length",
        reason: 'Killed since this run by tests/didYouMean.test.ts, "compares the whole word, its last letter too".',
    },
    {
        file: "components/kubernetesProvider.ts",
        mutator: "BooleanLiteral",
        original: "true",
        reason: `Killed since this run by ${SEED}, "gives the Kubernetes provider a non-interactive kubeconfig and a stable cluster identifier" (asserts enableServerSideApply).`,
    },
    {
        file: "components/userKubeconfig.ts",
        mutator: "ConditionalExpression",
        original: "first === undefined",
        reason: 'Killed since this run by tests/kubeconfig.test.ts, "is refused when AKS returns none, with how to check the permission".',
    },
    {
        file: "components/userKubeconfig.ts",
        mutator: "BlockStatement",
        original: "The cluster returned no user kubeconfig",
        reason: 'Killed since this run by tests/kubeconfig.test.ts, "is refused when AKS returns none, with how to check the permission".',
    },
    {
        file: "components/userKubeconfig.ts",
        mutator: "StringLiteral",
        original: "The cluster returned no user kubeconfig",
        reason: 'Killed since this run by tests/kubeconfig.test.ts, "is refused when AKS returns none, with how to check the permission" (asserts the message).',
    },
    {
        file: "components/armApiVersions.ts",
        mutator: "StringLiteral",
        original: '"2024-11-30"',
        replacement: '""',
        reason: "Equivalent while @azure/arm-msi's own default is the same version: an empty apiVersion option falls back to it, and tests/verifyCommand.test.ts sees 2024-11-30 sent either way; a dependency bump that changes the default makes that test fail.",
    },
    {
        file: "components/config/image.ts",
        mutator: "Regex",
        original: "/@sha256:[a-f0-9]{64}$/",
        replacement: "/@sha256:[a-f0-9]{64}/",
        reason: "Equivalent for every reference that reaches it: RULES.image admits a digest only at the end of a reference, so a digest anywhere is a digest at the end.",
    },
    {
        file: "components/config/audit.ts",
        mutator: "StringLiteral",
        original: '""',
        replacement: '"Stryker was here!"',
        reason: "Equivalent: the id returned next to a recorded problem is never read, because parseSettings throws ConfigError with every problem before any setting is used.",
    },
    {
        file: "policy/auditPolicies.ts",
        mutator: "Regex",
        original: "/^urn:pulumi:([^:]+)::/",
        reason: "Equivalent: every URN the policy engine hands over starts with `urn:pulumi:`, so the unanchored pattern captures the same stack name.",
    },
    {
        file: "policy/auditPolicies.ts",
        mutator: "OptionalChaining",
        original: "resource.propertyDependencies?.resourceUri",
        reason: "Equivalent: @pulumi/policy's analyzer always sets `propertyDependencies` (at least `{}`) on a stack resource, so the optional chain never short-circuits.",
    },
    {
        file: "policy/auditPolicies.ts",
        mutator: "ArrayDeclaration",
        original: "[]",
        replacement: '["Stryker was here"]',
        reason: "Equivalent: a string entry has no `enabled` property, so the loop skips it as it skips an empty list (a setting without logs is asserted to send none of them).",
    },
    {
        file: "policy/auditPolicies.ts",
        mutator: "StringLiteral",
        original: '" and "',
        reason: "Equivalent: a setting sending both categories is either compliant (the account is not reported) or reported as having no destination, so the join never has two items in a message.",
    },
    registeredOutputs("components/clusterNetwork.ts", "{ virtualNetworkId: this.virtualNetworkId, nodeSubnetId"),
    registeredOutputs("components/clusterControlPlaneIdentity.ts", "{ identityId: this.identityId, principalId"),
    registeredOutputs("components/openAiPrivateEndpoint.ts", "{ privateEndpointId: this.privateEndpointId"),
    {
        file: "components/privateNetworking.ts",
        mutator: "ConditionalExpression",
        original: 'settings.network.access === "private"',
        replacement: "false",
        reason: "Code removed since this run (accountNetworkFor): in private mode the account reads only `access` of what it is given (accountNetworkProperties), so index.ts now passes settings.network as it is.",
    },
    {
        file: "components/privateNetworking.ts",
        mutator: "StringLiteral",
        original: '"openai.network is private with a stack network, but none was created',
        reason: "Unreachable by design: index.ts creates the stack network whenever the account is private with placement stack; the guard turns a future wiring mistake into a clear error instead of an endpoint in no subnet.",
    },
    registeredOutputs("components/openAiAuditLog.ts", "{ workspaceId: this.workspaceId, workspaceCustomerId"),
    {
        file: "components/entraKubeconfig.ts",
        mutator: "StringLiteral",
        original: '"get-token"',
        reason: "Equivalent: the replaced user is interactive, so withNonInteractiveLogin always rebuilds its args from `get-token --login <mode>` and the flags the mode keeps; these two never reach the output.",
    },
    {
        file: "components/entraKubeconfig.ts",
        mutator: "StringLiteral",
        original: '"--login"',
        reason: "Equivalent: the replaced user is interactive, so withNonInteractiveLogin always rebuilds its args from `get-token --login <mode>` and the flags the mode keeps; these two never reach the output.",
    },
    registeredOutputs("components/smokeTest.ts", "{ jobName: this.jobName }"),
    {
        file: "components/smokeTest.ts",
        mutator: "MethodExpression",
        original: "subject.identityClientId.toLowerCase()",
        replacement: "toUpperCase()",
        reason: "Equivalent in what the name promises: one id in any letter case gives one name and another id another (both asserted); the digest itself is no interface, and a change would only run the smoke test once more.",
    },
    registeredOutputs("components/managedOpenAiAccount.ts", "{ accountId: this.accountId, endpoint: this.endpoint"),
    registeredOutputs("components/existingCluster.ts", "{ oidcIssuerUrl: this.oidcIssuerUrl, clusterIdentifier"),
    {
        file: "components/existingCluster.ts",
        mutator: "ObjectLiteral",
        original: "{ parent: this }",
        reason: "Equivalent: an invoke has no URN, and its parent only picks its provider; the component's is the stack's default azure-native provider either way.",
    },
    registeredOutputs("components/managedCluster.ts", "{ oidcIssuerUrl: this.oidcIssuerUrl, clusterIdentifier"),
    {
        file: "components/managedCluster.ts",
        mutator: "ObjectLiteral",
        original: "{ parent: this }",
        reason: "Equivalent: an invoke has no URN, and its parent only picks its provider; the component's is the stack's default azure-native provider either way.",
    },
    {
        file: "components/managedCluster.ts",
        mutator: "StringLiteral",
        original: '"exec"',
        replacement: '""',
        reason: "Equivalent for the kubeconfig the provider gets: only an Entra-only cluster has Entra users, and entraExecKubeconfig replaces any user that does not run kubelogin (the legacy azure auth provider AKS returns without format=exec included) with the kubelogin user AKS issues; asking for exec keeps the read itself honest.",
    },
    {
        file: "components/managedCluster.ts",
        mutator: "StringLiteral",
        original: '""',
        replacement: '"Stryker was here!"',
        reason: "Unreachable on Azure: AKS returns the issuer URL of every cluster created with the OIDC issuer on, which this one always is; the fallback only keeps the output a string.",
    },
    {
        file: "policy/azure.ts",
        mutator: "StringLiteral",
        original: '""',
        replacement: '"Stryker was here!"',
        reason: 'Unreachable (no coverage): in roleGuidOf, split always returns at least one element, so pop() never yields undefined and `?? ""` is there for the type only.',
    },
    {
        file: "policy/azure.ts",
        mutator: "OptionalChaining",
        original: "exec(armId)?.[1]?.toLowerCase",
        reason: "Equivalent: capture group 1 is mandatory in the pattern, so whenever exec matches, [1] is a string and the second ?. never short-circuits.",
    },
    {
        file: "policy/azure.ts",
        mutator: "OptionalChaining",
        original: "FULL_ROLE_DEFINITION_ID.exec(roleDefinitionId)?.[1]?.toLowerCase",
        reason: "Equivalent: capture group 1 is mandatory in the pattern, so whenever exec matches, [1] is a string and the second ?. never short-circuits.",
    },
    {
        file: "policy/stackGraph.ts",
        mutator: "ConditionalExpression",
        original: "accountName === undefined",
        replacement: "false",
        reason: "Equivalent: with no account name, equalKnown(account.accountName, undefined) is false for every account, so the search finds nothing, as the guard does.",
    },
    {
        file: "policy/stackGraph.ts",
        mutator: "ConditionalExpression",
        original: "subdomain === undefined",
        replacement: "false",
        reason: "Equivalent: with no subdomain, equalKnown(account.subdomain, undefined) is false for every account, so the search finds nothing, as the guard does.",
    },
    {
        file: "policy/stackGraph.ts",
        mutator: "ConditionalExpression",
        original: 'typeof a === "string"',
        replacement: "true",
        reason: 'Equivalent: the remaining conjuncts, typeof b === "string" && a === b, already imply that a is a string.',
    },
    {
        file: "policy/stackGraph.ts",
        mutator: "ConditionalExpression",
        original: 'typeof b === "string"',
        replacement: "true",
        reason: 'Equivalent: the remaining conjuncts, typeof a === "string" && a === b, already imply that b is a string.',
    },
    {
        file: "components/azureCredential.ts",
        mutator: "ConditionalExpression",
        original: "env[name] === undefined",
        replacement: "false",
        reason: 'Equivalent: for an unset variable the remaining test (=== "") is false and the function returns env[name], which is undefined anyway.',
    },
    {
        file: "components/azureCredential.ts",
        mutator: "StringLiteral",
        original: '" and "',
        reason: "Equivalent: the branch runs only when one of the two ACTIONS_ID_TOKEN_REQUEST_* variables is set, so at most one name is missing and the separator is never used.",
    },
    {
        file: "components/azureCredential.ts",
        mutator: "BlockStatement",
        original: "{ body = undefined; }",
        reason: "Equivalent: body is declared without a value and JSON.parse threw before assigning it, so it is undefined already.",
    },
    {
        file: "policy/resourcePolicies.ts",
        mutator: "Regex",
        original: "/^https:\\/\\/[^/\\s]+/i",
        replacement: "/^https:\\/\\/[^/\\s]/i",
        reason: "Equivalent: the pattern has no end anchor and is only used with test(), so `[^/\\s]+` matches exactly when one `[^/\\s]` does.",
    },
    {
        file: "components/constants.ts",
        mutator: "StringLiteral",
        original: "",
        reason: 'Killed since this run by tests/independentFacts.test.ts, "the program (read by `npm run verify`), the plan and the pack name the same credential variables" (checked by applying each mutant and running the test); rerun the file to see it.',
    },
    {
        file: "components/stackCluster.ts",
        mutator: "ConditionalExpression",
        original: 'typeof kubeconfigValue !== "string"',
        replacement: "false",
        reason: 'Killed since this run by tests/discovery.test.ts, "refuses a kubeconfig output that is not a kubeconfig document": isKubeconfigDocument now parses outside a try, so a non-string output throws instead of reading as "not a document" (checked by applying the mutant and running the test).',
    },
    {
        file: "components/aksWorkloadIdentityProvider.ts",
        mutator: "BooleanLiteral",
        original: "false",
        replacement: "true",
        reason: "Code removed since this run: readClusterFeatures computed an enabledByStack that read() always overwrote; it now takes the one the state recorded.",
    },
    {
        file: "components/aksWorkloadIdentityProvider.ts",
        mutator: "ObjectLiteral",
        original: "{ id, props }",
        replacement: "{}",
        reason: "Equivalent: Pulumi's dynamic provider host reads __provider from the read request's properties before it calls read(), so props is always an object and this branch (there for the optional parameter's type) never runs.",
    },
    {
        file: "components/aksWorkloadIdentityProvider.ts",
        mutator: "StringLiteral",
        original: '""',
        replacement: '"Stryker was here!"',
        reason: 'Unreachable on Azure: ARM returns the id of every managed cluster it returns from GET or PUT; the fallback (cluster.id ?? "") only keeps clusterId a string.',
    },
    {
        file: "components/aksWorkloadIdentityProvider.ts",
        mutator: "ConditionalExpression",
        original: 'typeof error === "object" && error !== null && "statusCode" in error',
        replacement: "true",
        reason: "Equivalent: reading statusCode of any value but null or undefined gives undefined when it has none, exactly as the guard does, and the awaited SDK calls (@azure/core-client, @azure/identity) reject only with Error objects.",
    },
    ...[
        "ArrayDeclaration",
        "ArrowFunction",
        "BlockStatement",
        "ConditionalExpression",
        "EqualityOperator",
        "LogicalOperator",
        "MethodExpression",
        "Regex",
        "StringLiteral",
    ].map((mutator) =>
        killedSince("components/aksWorkloadIdentityProvider.ts", mutator, "tests/clusterFeaturesProvider.test.ts"),
    ),
    {
        file: "components/kubeconfig.ts",
        mutator: "BlockStatement",
        original: "{ return false; }",
        reason: "Code removed since this run: isKubeconfigDocument reads parseDocument's errors instead of catching parse's exception, whose emptied catch left the document undefined and so refused as well.",
    },
    {
        file: "components/kubeconfig.ts",
        mutator: "ConditionalExpression",
        original: 'typeof document === "object"',
        replacement: "true",
        reason: "Code removed since this run: isKubeconfigDocument reads `clusters` through `?.` of the parsed value, whose primitives have no such property either.",
    },
    // policy/networkGraph.ts
    {
        file: "policy/networkGraph.ts",
        mutator: "ArrayDeclaration",
        original: "[]",
        replacement: '["Stryker was here"]',
        reason: 'Equivalent: groupIds is only read by `.some((group) => group === OPENAI_PRIVATE_LINK_GROUP)`, and a "Stryker was here" entry for a connection without a groupIds list never equals "account" (tests/policyNetworkGraph.test.ts pins openAiAccount for missing, non-list and unknown group ids).',
    },

    {
        file: "components/config/reader.ts",
        mutator: "ArithmeticOperator",
        original: 'key.indexOf(":") + 1',
        replacement: 'key.indexOf(":") - 1',
        reason: "Equivalent for every namespace that does not end with '.': starting the slice one character before the colon only adds that character and the colon to the text searched for '.', and the program's namespaces (aks-openai-wi, azure-native) do not end with '.'.",
    },
    {
        file: "components/config/schema.ts",
        mutator: "Regex",
        original: "(?::\\d+)?\\/)?",
        replacement: "(?::\\d+)\\/)?",
        reason: "Equivalent for every DNS host name: with the port required, a registry without a port is matched as the first repository path component instead, and a host name (alphanumeric runs joined by '.' or '-') is always a valid path component.",
    },
    {
        file: "components/config/parse.ts",
        mutator: "ArrayDeclaration",
        original: "[]",
        replacement: '["Stryker was here"]',
        reason: 'Equivalent: checkNamespaces reports only a key named location or a top-level key, so an extra bare key "Stryker was here" is skipped.',
    },
    {
        file: "components/config/load.ts",
        mutator: "ArrayDeclaration",
        original: "[]",
        replacement: '["Stryker was here"]',
        reason: 'Equivalent: checkNamespaces reports only a key named location or a top-level key, so an extra bare key "Stryker was here" in otherKeys is skipped.',
    },
    {
        file: "components/config/load.ts",
        mutator: "BlockStatement",
        original: "return value;",
        replacement: "{}",
        reason: "Equivalent: with the catch block emptied, a value that is not JSON falls through to the `return value` right after the if, the same result.",
    },
    {
        file: "components/config/parse.ts",
        mutator: "StringLiteral",
        original: '""',
        replacement: '"Stryker was here!"',
        reason: "Equivalent: the location or resource group name returned next to a recorded problem is never read, because parseSettings throws ConfigError with every problem before any setting is used.",
    },
    {
        file: "components/config/parse.ts",
        mutator: "LogicalOperator",
        original: 'value !== null && typeof value === "object" && !Object.isFrozen(value)',
        replacement: "|| !Object.isFrozen(value)",
        reason: "Equivalent: Object.isFrozen is true for null and every primitive, so only objects pass either way; an already frozen object is at most frozen again, its tree being finite.",
    },
    {
        file: "components/config/parse.ts",
        mutator: "LogicalOperator",
        original: 'value !== null && typeof value === "object"',
        replacement: 'value !== null || typeof value === "object"',
        reason: "Equivalent: the guard ends in !Object.isFrozen(value), which is false for null and every primitive, so only objects pass either way.",
    },
    {
        file: "components/config/parse.ts",
        mutator: "ConditionalExpression",
        original: "value !== null",
        replacement: "true",
        reason: "Equivalent: the guard ends in !Object.isFrozen(value), which is false for null and every primitive, so the null and typeof checks never decide.",
    },
    {
        file: "components/config/parse.ts",
        mutator: "ConditionalExpression",
        original: 'typeof value === "object"',
        replacement: "true",
        reason: "Equivalent: the guard ends in !Object.isFrozen(value), which is false for every primitive, and Settings holds no functions, so the typeof check never decides.",
    },
    {
        file: "components/config/parse.ts",
        mutator: "ConditionalExpression",
        original: "colon === -1",
        replacement: "false",
        reason: "Equivalent: without a colon, key.slice(colon + 1) is key.slice(0), the whole key, which is what the other branch returns.",
    },

    {
        file: "components/config/cidr.ts",
        mutator: "ConditionalExpression",
        original: "octet >= 0",
        replacement: "true",
        reason: "Equivalent: an octet is \\d{1,3} read as 0-999, or NaN for a leading zero; NaN also fails `octet <= 255`, so the lower bound never decides.",
    },
    {
        file: "components/config/cidr.ts",
        mutator: "ConditionalExpression",
        original: "prefix >= 0",
        replacement: "true",
        reason: "Equivalent: the prefix regex yields 0-99 or NaN; NaN also fails `prefix <= 32`, so the lower bound never decides.",
    },
    {
        file: "components/config/cidr.ts",
        mutator: "ConditionalExpression",
        original: "slash === -1",
        replacement: "false",
        reason: "Equivalent: without a '/', prefixText is the whole text and the address is the text minus its last character; a 1-2 digit text is never both, so parseCidr returns undefined anyway.",
    },
    {
        file: "components/config/cidr.ts",
        mutator: "UnaryOperator",
        original: "-1",
        replacement: "+1",
        reason: "Equivalent: a text without '/' is refused below anyway (see slash === -1), and one whose '/' is at index 1 has a one-character address, never valid.",
    },
    {
        file: "components/config/cidr.ts",
        mutator: "BlockStatement",
        original: "{ return undefined; }",
        reason: "Equivalent (the `slash === -1` early return): without a '/', the address and prefix parsed below cannot both be valid.",
    },
    {
        file: "components/config/network.ts",
        mutator: "ConditionalExpression",
        original: "raw !== null",
        replacement: "true",
        reason: "Equivalent: keysOnly then passes null on as the plain object, and ConfigObject and `Object.keys(plain ?? {})` treat null as absent, exactly like undefined.",
    },
    {
        file: "components/config/network.ts",
        mutator: "StringLiteral",
        original: '""',
        replacement: '"Stryker was here!"',
        reason: 'Equivalent (readClusterNetwork\'s `value(key) ?? ""`): value() is called only for ranges that parsed, in conflict() and in the return after no problem, so the fallback is never used.',
    },
    {
        file: "components/config/clusterAccess.ts",
        mutator: "ArrayDeclaration",
        original: "[]",
        replacement: '["Stryker was here"]',
        reason: "Equivalent (readGroupIds' flatMap `return []` after a refused item): every such item records a problem, and then the whole list is discarded (undefined).",
    },
    // policy/networkPolicies.ts
    {
        file: "policy/networkPolicies.ts",
        mutator: "ConditionalExpression",
        original: 'cluster === "aks-managed"',
        replacement: "false",
        reason: 'Equivalent on lines 85 and 144: a network key is `<resource group>/<name>`, never "aks-managed", so without the branch links.includes("aks-managed") / clusterNetworks ["aks-managed"] match nothing either and the same violation is reported (line 153\'s mutant changes the message and is killed by tests/policyNetworkMessages.test.ts).',
    },
    {
        file: "policy/networkPolicies.ts",
        mutator: "StringLiteral",
        original: '"aks-managed"',
        replacement: '""',
        reason: 'Equivalent on lines 85 and 144: an AKS-managed cluster then takes the known-network branch with "aks-managed" as its network, which no `<resource group>/<name>` key equals, so the same violation is reported (line 153\'s mutant changes the message and is killed by tests/policyNetworkMessages.test.ts).',
    },
    {
        file: "policy/networkPolicies.ts",
        mutator: "ArrayDeclaration",
        original: "[]",
        replacement: '["Stryker was here"]',
        reason: 'Equivalent on lines 144 (aks-managed cluster) and 196 (`rules ?? []`): a placeholder network is never the endpoint\'s `<rg>/<name>` and the aks-managed message does not print the list; a placeholder ip rule that is a string has no "value" (stringAt gives undefined), so the ranges stay empty and "allows no address" is reported alike. (Line 144\'s `openAiZone?.links ?? []` mutant is killed by tests/policyNetworkMessages.test.ts.)',
    },
    {
        file: "policy/networkPolicies.ts",
        mutator: "ConditionalExpression",
        original: "acls === undefined",
        replacement: "false",
        reason: 'Equivalent: without it, absent ACLs go on to stringAt(undefined, "defaultAction"), which is undefined !== "Deny", so the account is skipped by the next condition just the same.',
    },
];
