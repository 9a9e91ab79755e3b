import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, it } from "node:test";

import type { ResourceValidationPolicy } from "@pulumi/policy";

import { UnknownValueError } from "../policy/engineInternals";
import { enginePresented, evaluatePolicies, resourceArgs, stackArgs } from "../tools/engine/policyHarness";
import { resourcePolicies } from "../policy/resourcePolicies";
import { plainProps, UNKNOWN as POLICY_UNKNOWN, UNKNOWN_SENTINELS } from "../policy/values";
import {
    chain,
    federatedCredential,
    identity,
    openAiAccount,
    POD_KINDS,
    recorded,
    roleAssignment,
    serviceAccount,
    UNKNOWN,
    withInput,
    workload,
} from "./support/policyFixtures";
import type { RegisteredResource } from "./support/program";

/**
 * Values are unknown during preview. The harness presents them as the engine does (sentinels behind @pulumi/policy's
 * proxy, which throws when read); the policies must never report a violation on a value they cannot judge, and must
 * still report what they can.
 */

type Path = readonly (string | number)[];

/** Every property path of a value (objects and arrays, not the root). */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
    if (value === null || typeof value !== "object") {
        return [];
    }
    return Object.entries(value).flatMap(([key, child]) => {
        const path = [...prefix, Array.isArray(value) ? Number(key) : key];
        return [path, ...pathsOf(child, path)];
    });
}

function withUnknownAt<T>(value: T, path: Path): T {
    const copy = structuredClone(value) as Record<string | number, unknown>;
    let current = copy;
    for (const key of path.slice(0, -1)) {
        current = current[key] as Record<string | number, unknown>;
    }
    current[path[path.length - 1]] = UNKNOWN;
    return copy as T;
}

/** The resource with one input (and the same output) made unknown. */
function unknownInput(resource: RegisteredResource, path: Path): RegisteredResource {
    return { ...resource, inputs: withUnknownAt(resource.inputs, path), state: withUnknownAt(resource.state, path) };
}

const COMPLIANT: readonly RegisteredResource[] = [
    roleAssignment(),
    federatedCredential(),
    serviceAccount(),
    openAiAccount(),
    identity(),
    ...POD_KINDS.map((kind) => workload(kind)),
];

describe("the harness presents recorded resources the way the engine does", () => {
    it("uses the engine's unknown sentinels (the ones @pulumi/policy checks)", () => {
        const proxy = createRequire(__filename)("@pulumi/policy/proxy") as Record<string, unknown>;
        assert.deepEqual(UNKNOWN_SENTINELS, {
            boolean: proxy.unknownBooleanValue,
            number: proxy.unknownNumberValue,
            string: proxy.unknownStringValue,
            array: proxy.unknownArrayValue,
            asset: proxy.unknownAssetValue,
            archive: proxy.unknownArchiveValue,
            object: proxy.unknownObjectValue,
        });
    });

    it("throws UnknownValueError when a policy reads an unknown, as the analyzer server's proxy does", () => {
        const props = enginePresented({ scope: UNKNOWN, principalType: "ServicePrincipal" });
        assert.equal(props.principalType, "ServicePrincipal");
        assert.throws(() => props.scope, UnknownValueError);
    });

    it("drops internal keys (the engine marshals with SkipInternalKeys)", () => {
        const props = enginePresented({ __provider: "serialized-closure", clusterName: "aks" });
        assert.deepEqual(Object.keys(props), ["clusterName"]);
    });

    it("gives resource policies the inputs, and stack policies the outputs with parents and dependencies resolved", () => {
        const id = identity();
        const credential = {
            ...federatedCredential(),
            parent: id.urn,
            dependencies: [id.urn],
            propertyDependencies: { resourceName: [id.urn] },
        };
        const args = resourceArgs(id);
        assert.equal(args.props.clientId, undefined, "inputs have no clientId");
        assert.equal(args.opts.protect, false);

        const [identityResource, credentialResource] = stackArgs([id, credential]).resources;
        assert.equal(identityResource.props.clientId, id.state.clientId);
        assert.equal(credentialResource.parent, identityResource);
        assert.deepEqual(credentialResource.dependencies, [identityResource]);
        assert.deepEqual(credentialResource.propertyDependencies.resourceName, [identityResource]);
    });

    it("records a policy that trips over an unknown the way the engine prints it: advisory, not a violation", async () => {
        const naive: ResourceValidationPolicy = {
            name: "naive-scope-check",
            description: "Reads scope without caring whether it is known.",
            enforcementLevel: "mandatory",
            validateResource: (args, report) => {
                if (!String(args.props.scope).includes("/accounts/")) {
                    report("not an account");
                }
            },
        };
        const { violations, gaveUp } = await evaluatePolicies([roleAssignment({ scope: UNKNOWN })], [naive]);
        assert.deepEqual(violations, []);
        assert.deepEqual(
            gaveUp.map((d) => [d.policyName, d.enforcementLevel, d.message]),
            [
                [
                    "naive-scope-check",
                    "advisory",
                    "can't run policy 'naive-scope-check' during preview: string value at .scope can't be known during preview",
                ],
            ],
        );
    });
});

describe("the policies read unknowns safely", () => {
    it("copy proxied properties into plain data, unknowns marked", () => {
        const props = plainProps(
            enginePresented({ metadata: { name: "chat", annotations: UNKNOWN }, list: [UNKNOWN] }),
        );
        assert.deepEqual(props, { metadata: { name: "chat", annotations: POLICY_UNKNOWN }, list: [POLICY_UNKNOWN] });
    });

    it("recognise raw sentinels of every kind too (other SDKs send typed unknowns)", () => {
        const raw = Object.fromEntries(Object.entries(UNKNOWN_SENTINELS).map(([kind, sentinel]) => [kind, sentinel]));
        assert.ok(Object.values(plainProps(raw)).every((value) => value === POLICY_UNKNOWN));
    });
});

describe("no false violations on unknown values", () => {
    it("every compliant resource stays compliant with any one of its values unknown (resource policies)", async () => {
        let cases = 0;
        for (const resource of COMPLIANT) {
            for (const path of pathsOf(resource.inputs)) {
                const { violations, gaveUp } = await evaluatePolicies(
                    [unknownInput(resource, path)],
                    [...resourcePolicies],
                );
                assert.deepEqual(
                    [...violations, ...gaveUp].map((d) => d.message),
                    [],
                    `${resource.name} with ${path.join(".")} unknown`,
                );
                cases++;
            }
        }
        assert.ok(cases > 200, `only ${cases} cases`);
    });

    it("the compliant chain stays compliant with any one value of any of its resources unknown (all policies)", async () => {
        const resources = chain();
        let cases = 0;
        for (const [index, resource] of resources.entries()) {
            for (const path of pathsOf(resource.state)) {
                const changed = resources.map((r, i) => (i === index ? unknownInput(r, path) : r));
                const { violations, gaveUp } = await evaluatePolicies(changed);
                assert.deepEqual(
                    [...violations, ...gaveUp].map((d) => d.message),
                    [],
                    `${resource.name} with ${path.join(".")} unknown`,
                );
                cases++;
            }
        }
        assert.ok(cases > 60, `only ${cases} cases`);
    });
});

describe("what can be judged is judged, unknowns elsewhere notwithstanding", () => {
    it("a literal OPENAI_API_KEY is reported although the image and the ServiceAccount are unknown", async () => {
        const deployment = withInput(
            withInput(
                withInput(workload("Deployment"), "spec.template.spec.containers.0.image", UNKNOWN),
                "spec.template.spec.serviceAccountName",
                UNKNOWN,
            ),
            "spec.template.spec.containers.0.env",
            [{ name: "OPENAI_API_KEY", value: UNKNOWN }],
        );
        const { violations } = await evaluatePolicies([deployment], [...resourcePolicies]);
        assert.deepEqual(
            violations.map((d) => d.policyName),
            ["pod-no-credential-env"],
        );
        assert.match(violations[0].message, /sets OPENAI_API_KEY as a literal value/);
    });

    it("a bare role GUID is reported although the principal and the scope are unknown", async () => {
        const assignment = roleAssignment({
            principalId: UNKNOWN,
            scope: UNKNOWN,
            roleDefinitionId: "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
        });
        const { violations } = await evaluatePolicies([assignment], [...resourcePolicies]);
        assert.deepEqual(
            violations.map((d) => d.policyName),
            ["role-assignment-well-formed"],
        );
    });

    it("a wrong audience is reported although the issuer is unknown", async () => {
        const credential = federatedCredential({ issuer: UNKNOWN, audiences: ["api://wrong"] });
        const { violations } = await evaluatePolicies([credential], [...resourcePolicies]);
        assert.deepEqual(
            violations.map((d) => d.policyName),
            ["federated-credential-kubernetes-form"],
        );
    });

    it("a Contributor role is reported for a workload identity whose principal id is unknown, by dependency", async () => {
        const [id] = chain();
        const contributor = recorded(
            "azure-native:authorization:RoleAssignment",
            "chat-contributor",
            {
                ...roleAssignment().inputs,
                principalId: UNKNOWN,
                roleDefinitionId: String(roleAssignment().inputs.roleDefinitionId).replace(
                    /[0-9a-f-]{36}$/,
                    "b24988ac-6180-42a0-ab88-20f7382dd24c",
                ),
            },
            { propertyDependencies: { principalId: [id.urn] } },
        );
        const { violations } = await evaluatePolicies([...chain(), contributor]);
        assert.deepEqual(violations.map((d) => [d.policyName, d.enforcementLevel]).sort(), [
            ["no-privileged-role-to-service-principal", "advisory"],
            ["workload-identity-least-privilege", "mandatory"],
        ]);
    });
});
