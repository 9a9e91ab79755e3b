import type { RegisteredResource } from "../engine/runProgram";

/**
 * The plan's order of resources: every resource after its parent, its provider and the resources it depends on, ties
 * broken by URN.
 *
 * Why not the order the program registered them in: that order is not the program's. A resource registers when its
 * inputs' promises settle, and how they interleave depends on what the process did before (the first registration of
 * the dynamic provider waits for Pulumi's closure serializer; a module loaded earlier resolves a lazy import sooner).
 * The same stack file gave two orders in one process, so two plans of an unchanged stack would differ, and a reviewer
 * comparing them would see moves that are not changes. This order depends only on what was registered.
 */
export function canonicalOrder(resources: readonly RegisteredResource[]): RegisteredResource[] {
    const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
    const before = new Map(
        resources.map((resource) => [
            resource.urn,
            new Set(
                [resource.parent, providerUrn(resource.provider), ...resource.dependencies].filter(
                    (urn) => urn !== resource.urn && byUrn.has(urn),
                ),
            ),
        ]),
    );
    const ordered: RegisteredResource[] = [];
    const placed = new Set<string>();
    const remaining = [...byUrn.keys()].sort(compareUrns);
    while (remaining.length > 0) {
        const index = remaining.findIndex((urn) => [...before.get(urn)!].every((dependency) => placed.has(dependency)));
        // A cycle cannot be registered (Pulumi would wait forever), but a plan must not loop: place the first by URN.
        const next = remaining.splice(index === -1 ? 0 : index, 1)[0];
        placed.add(next);
        ordered.push(byUrn.get(next)!);
    }
    return ordered;
}

/** A provider reference is `<urn>::<id>`; URNs hold `::` themselves, so the id is what follows the last one. */
function providerUrn(reference: string): string {
    const separator = reference.lastIndexOf("::");
    return separator === -1 ? reference : reference.slice(0, separator);
}

function compareUrns(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}
