import { defaultFederatedCredentialName } from "../naming";
import { isPinnedImage, unpinnedKind } from "./image";
import { ConfigObject, fixCommand, fullKey, Problems, show } from "./reader";
import {
    AI_SERVICE_KEYS,
    DEFAULTS,
    NETWORK_POLICY_KEYS,
    QUANTITY_KEYS,
    RESOURCES_KEYS,
    RULES,
    RUN_AS_USER,
} from "./schema";
import type {
    AiServiceSettings,
    ClusterSettings,
    ContainerResources,
    NetworkPolicySettings,
    ResourceQuantities,
} from "./settings";

/** `aiService`: the workload's Deployment, ServiceAccount, image, resources and optional NetworkPolicy. */

export function readAiService(
    problems: Problems,
    raw: unknown,
    clusterMode: ClusterSettings["mode"],
): AiServiceSettings {
    const aiService = new ConfigObject(problems, "aiService", raw, AI_SERVICE_KEYS);
    const namespace = aiService.string("namespace", RULES.namespace, DEFAULTS.namespace);
    const serviceAccountName = aiService.string(
        "serviceAccountName",
        RULES.serviceAccountName,
        DEFAULTS.serviceAccountName,
    );
    const federatedCredentialName = aiService.string(
        "federatedCredentialName",
        RULES.federatedCredentialName,
        defaultFederatedCredentialName(namespace, serviceAccountName),
    );
    const image = readImage(problems, aiService);
    return {
        serviceAccount: { namespace, name: serviceAccountName, federatedCredentialName },
        createNamespace: aiService.boolean("createNamespace", false),
        image,
        replicas: aiService.integer("replicas", { min: 1, max: 50, example: "2" }, DEFAULTS.replicas),
        resources: readResources(problems, aiService),
        // On an existing cluster the quickstart's kubectl-created ai-service is the usual starting point.
        adoptExisting: aiService.boolean("adoptExisting", clusterMode === "existing"),
        runAsUser: readRunAsUser(problems, aiService),
        networkPolicy: readNetworkPolicy(aiService),
    };
}

/**
 * Opt-in: the upstream image declares no USER, so it runs as root; `runAsNonRoot` alone would make the kubelet
 * refuse to start it ("image will run as root"). A UID makes it run, but whether every code path of the image works
 * without root (it writes nothing today that we know of) is for the operator to verify, hence not the default.
 */
function readRunAsUser(problems: Problems, aiService: ConfigObject): number | undefined {
    const raw = aiService.raw("runAsUser");
    if (raw === 0 || raw === "0") {
        problems.add(
            `${fullKey("aiService.runAsUser")} = ${show(raw)}: UID 0 is root, and the pod also sets runAsNonRoot, so the ` +
                `kubelet would refuse to start it. Fix: ${fixCommand("aiService.runAsUser", RUN_AS_USER.example)} ` +
                `(any non-root UID), or remove the key to keep the image's own user`,
        );
        return undefined;
    }
    // Absent or invalid (the problem is recorded): no UID, the image's own user.
    const uid = aiService.integer("runAsUser", RUN_AS_USER, -1);
    return uid === -1 ? undefined : uid;
}

function readNetworkPolicy(aiService: ConfigObject): NetworkPolicySettings {
    const networkPolicy = aiService.object("networkPolicy", NETWORK_POLICY_KEYS);
    return { enabled: networkPolicy.boolean("enabled", false) };
}

function readImage(problems: Problems, aiService: ConfigObject): string {
    const image = aiService.string("image", RULES.image, DEFAULTS.image);
    // Absent or invalid, the image is the default, which is pinned: only a value the user set can be unpinned.
    if (!isPinnedImage(image)) {
        problems.add(
            `${fullKey("aiService.image")} = ${show(image)}: pin a version tag or digest; ` +
                `${unpinnedKind(image)} moves on every push to the sample's main branch, ` +
                `so two rollouts can run different code. Fix: ${fixCommand("aiService.image", DEFAULTS.image)}`,
        );
    }
    return image;
}

function readResources(problems: Problems, aiService: ConfigObject): ContainerResources {
    const resources = aiService.object("resources", RESOURCES_KEYS);
    const read = (kind: "requests" | "limits"): ResourceQuantities => {
        const quantities = resources.object(kind, QUANTITY_KEYS);
        return {
            cpu: quantities.string("cpu", RULES.cpu, DEFAULTS.resources[kind].cpu),
            memory: quantities.string("memory", RULES.memory, DEFAULTS.resources[kind].memory),
        };
    };
    const requests = read("requests");
    const limits = read("limits");
    for (const resource of ["cpu", "memory"] as const) {
        const request = parseQuantity(requests[resource]);
        const limit = parseQuantity(limits[resource]);
        if (request !== undefined && limit !== undefined && request > limit) {
            problems.add(
                `${fullKey(`aiService.resources.requests.${resource}`)} = ${show(requests[resource])} is more than ` +
                    `${fullKey(`aiService.resources.limits.${resource}`)} = ${show(limits[resource])}: Kubernetes rejects a request above its limit. ` +
                    `Fix: ${fixCommand(`aiService.resources.limits.${resource}`, requests[resource])}`,
            );
        }
    }
    return { requests, limits };
}

/** Parses a Kubernetes quantity into a number (cores or bytes), for comparing a request with its limit. */
export function parseQuantity(quantity: string): number | undefined {
    const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
    if (!match) {
        return undefined;
    }
    const factors: Record<string, number> = {
        "": 1,
        m: 1e-3,
        k: 1e3,
        M: 1e6,
        G: 1e9,
        T: 1e12,
        Ki: 2 ** 10,
        Mi: 2 ** 20,
        Gi: 2 ** 30,
        Ti: 2 ** 40,
    };
    return Number(match[1]) * factors[match[2] ?? ""];
}
