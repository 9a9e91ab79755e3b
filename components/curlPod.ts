import { SMOKE_TEST_RUN_AS_USER } from "./constants";

/**
 * How the project's short-lived curl pods run (the smoke test's Job in `pulumi up`, verify's caller pod behind
 * ai-service's NetworkPolicy): they only speak HTTP to ai-service, so no Kubernetes API access, no Azure identity, no
 * privileges, and the `restricted` Pod Security Standard. One definition, so the two cannot drift apart.
 */

/** Pod-level settings (a fresh object each call: callers spread it into their own spec). */
export function curlPodSpec() {
    return {
        restartPolicy: "Never",
        // No Kubernetes API access and no Azure identity: the pod only speaks HTTP to ai-service.
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        nodeSelector: { "kubernetes.io/os": "linux" },
        securityContext: {
            runAsNonRoot: true,
            runAsUser: SMOKE_TEST_RUN_AS_USER,
            seccompProfile: { type: "RuntimeDefault" },
        },
    };
}

/** Container-level settings: curl and a shell. */
export function curlContainerSettings() {
    return {
        resources: {
            requests: { cpu: "10m", memory: "16Mi" },
            limits: { cpu: "100m", memory: "64Mi" },
        },
        securityContext: {
            allowPrivilegeEscalation: false,
            privileged: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
        },
    };
}
