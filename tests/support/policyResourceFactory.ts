import type { PolicyResource } from "@pulumi/policy";

/**
 * Hand-built resources as the policy engine hands them to a stack policy, for the tests that call the policy pack's
 * graph builders directly (tests/policyGraph.test.ts, tests/policyNetworkGraph.test.ts). Each test file gets its own
 * project name, so the URNs it prints say which fixture they came from.
 */
export interface PolicyResourceFactory {
    /** A resource; `dependsOn` maps a property to the URNs of the resources its value came from. */
    resource(
        type: string,
        name: string,
        props: Record<string, unknown>,
        dependsOn?: Record<string, string[]>,
    ): PolicyResource;
    /** The URN `resource(type, name, ...)` gets. */
    urnOf(type: string, name: string): string;
}

export function policyResourceFactory(project: string): PolicyResourceFactory {
    const urnOf = (type: string, name: string) => `urn:pulumi:test::${project}::${type}::${name}`;
    return {
        urnOf,
        resource(type, name, props, dependsOn = {}) {
            const propertyDependencies: Record<string, { urn: string }[]> = {};
            for (const [property, urns] of Object.entries(dependsOn)) {
                propertyDependencies[property] = urns.map((urn) => ({ urn }));
            }
            // The engine's PolicyResource also carries methods (isType, asType) these graph builders never call.
            return {
                urn: urnOf(type, name),
                type,
                name,
                props,
                propertyDependencies,
                dependencies: [],
            } as unknown as PolicyResource;
        },
    };
}
