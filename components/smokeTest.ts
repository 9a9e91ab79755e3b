import { readFileSync } from "node:fs";
import * as path from "node:path";

import * as batchv1 from "@pulumi/kubernetes/batch/v1";
import * as pulumi from "@pulumi/pulumi";

import {
    SMOKE_TEST_AWAIT_MARGIN_SECONDS,
    SMOKE_TEST_BACKOFF_INITIAL_SECONDS,
    SMOKE_TEST_BACKOFF_MAX_SECONDS,
    SMOKE_TEST_GIVE_UP_AFTER,
    SMOKE_TEST_LABELS,
    SMOKE_TEST_REQUEST_TIMEOUT_SECONDS,
    SMOKE_TEST_START_ALLOWANCE_SECONDS,
    SMOKE_TEST_TTL_SECONDS,
} from "./constants";
import { curlContainerSettings, curlPodSpec } from "./curlPod";
import { shortHash } from "./naming";

/** The check itself, a POSIX sh script; the Job runs it verbatim, and the tests run the same file. */
export const SMOKE_TEST_SCRIPT_PATH = path.join(__dirname, "smokeTest.sh");

/** ai-service's cheap end-to-end route: one chat completion through the identity's token. */
export const DESCRIPTION_PATH = "generate/description";

export function smokeTestScript(): string {
    return readFileSync(SMOKE_TEST_SCRIPT_PATH, "utf8");
}

export interface SmokeTestTimings {
    /** How long the script keeps retrying. */
    readonly retryForSeconds: number;
    /** Longest single request. */
    readonly requestTimeoutSeconds: number;
    /** The Job's activeDeadlineSeconds: the script's worst case plus scheduling and image pull. */
    readonly activeDeadlineSeconds: number;
    /** `pulumi.com/timeoutSeconds`: longer than the deadline, so Pulumi reports the Job's failure, not its own timeout. */
    readonly awaitSeconds: number;
}

/**
 * The time budget, from the innermost bound outwards: the script stops starting attempts after `retryForSeconds`, its
 * last attempt ends within one request timeout, the Job's deadline adds the time to schedule and pull, and Pulumi
 * waits a margin beyond that. Each layer fails before the one around it, so the message a user sees is the script's.
 */
export function smokeTestTimings(retryForSeconds: number): SmokeTestTimings {
    const requestTimeoutSeconds = SMOKE_TEST_REQUEST_TIMEOUT_SECONDS;
    const activeDeadlineSeconds = retryForSeconds + requestTimeoutSeconds + SMOKE_TEST_START_ALLOWANCE_SECONDS;
    return {
        retryForSeconds,
        requestTimeoutSeconds,
        activeDeadlineSeconds,
        awaitSeconds: activeDeadlineSeconds + SMOKE_TEST_AWAIT_MARGIN_SECONDS,
    };
}

/** Everything a smoke-test run depends on; any change gives the Job a new name. */
export interface SmokeTestSubject {
    /** What it verifies: the identity the pods act as, */
    readonly identityClientId: string;
    /** the federation that lets them (the cluster's issuer and the pods' ServiceAccount subject), */
    readonly oidcIssuerUrl: string;
    readonly serviceAccountSubject: string;
    /** the account they call, */
    readonly openAiEndpoint: string;
    /** the model deployment and API version they call it with, */
    readonly openAiDeploymentName: string;
    readonly openAiApiVersion: string;
    /** and the code that makes the call. */
    readonly aiServiceImage: string;
    /** How it verifies: the URL it calls, its image and script, and its retry budget. */
    readonly url: string;
    readonly image: string;
    readonly script: string;
    readonly retryForSeconds: number;
}

/**
 * `ai-service-smoke-<hash>`: the Job's name is a hash of what it verifies (identity, federation, account, deployment,
 * API version, ai-service's image) and how (URL, image, script, retry budget). A Job's pod template is immutable and
 * a finished Job never runs again, so a new name is how the test runs again: exactly when one of these changes (Pulumi
 * creates the new Job and then deletes the old one), and never on a `pulumi up` that changes nothing it verifies.
 */
export function smokeTestJobName(subject: SmokeTestSubject): string {
    const digest = shortHash(
        JSON.stringify([
            subject.identityClientId.toLowerCase(),
            subject.oidcIssuerUrl,
            subject.serviceAccountSubject,
            subject.openAiEndpoint,
            subject.openAiDeploymentName,
            subject.openAiApiVersion,
            subject.aiServiceImage,
            subject.url,
            subject.image,
            shortHash(subject.script),
            subject.retryForSeconds,
        ]),
    );
    return `ai-service-smoke-${digest}`;
}

export interface SmokeTestArgs {
    /** Namespace of ai-service; the Job runs next to it. */
    readonly namespace: string;
    /** In-cluster base URL of ai-service with a trailing slash, e.g. `http://ai-service.default:5001/`. */
    readonly aiServiceUrl: pulumi.Input<string>;
    /** Client id of the identity ai-service's ServiceAccount is annotated with. */
    readonly identityClientId: pulumi.Input<string>;
    /** The cluster's OIDC issuer URL its federated credential trusts (a re-created cluster has a new one). */
    readonly oidcIssuerUrl: pulumi.Input<string>;
    /** Subject of ai-service's federated credential, `system:serviceaccount:<namespace>:<name>`. */
    readonly serviceAccountSubject: pulumi.Input<string>;
    /** Azure OpenAI endpoint ai-service calls. */
    readonly openAiEndpoint: pulumi.Input<string>;
    /** Model deployment ai-service calls. */
    readonly openAiDeploymentName: pulumi.Input<string>;
    /** API version ai-service calls with. */
    readonly openAiApiVersion: string;
    /** ai-service's image. */
    readonly aiServiceImage: string;
    /** Image with /bin/sh and curl that runs the check, pinned. */
    readonly image: string;
    /** How long the check keeps retrying before it fails. */
    readonly retryForSeconds: number;
    /**
     * The ai-service Deployment and Service (and its NetworkPolicy, which must admit the test). Pulumi waits for the
     * Deployment's rollout before it creates the Job, so the test talks to the new pods. Put on the Job itself: a
     * component's dependsOn does not reach its children.
     */
    readonly startAfter: readonly pulumi.Resource[];
}

/**
 * A Kubernetes Job, created by `pulumi up` after ai-service rolls out, that asks ai-service for one product description
 * and succeeds only on HTTP 200 with a non-empty description: the first request that proves the workload identity
 * works end to end (`/health` never touches Azure). `pulumi up` waits for it and fails with its diagnosis.
 *
 * Await and lifecycle, per pulumi-kubernetes' Job awaiter:
 * - awaited by default (no `pulumi.com/skipAwait`); it fails fast on `BackoffLimitExceeded` and `DeadlineExceeded`, so
 *   `backoffLimit: 0` makes the first failed pod fail `pulumi up`; the retries live in the script, with one deadline.
 * - the awaiter reports the pod's termination message, never its logs: the script writes its diagnosis to
 *   /dev/termination-log, and `FallbackToLogsOnError` covers a script killed before it could.
 * - `pulumi.com/timeoutSeconds` exceeds `activeDeadlineSeconds`, so the Job fails (with the script's message) before
 *   Pulumi gives up waiting.
 * - `pulumi.com/replaceUnready`: a failed Job stays failed and a finished Job never reruns; with this annotation the
 *   next `pulumi up` replaces a Job that did not complete, so waiting out a slow role assignment and running
 *   `pulumi up` again runs the test again.
 * - `ttlSecondsAfterFinished` deletes the finished Job after a day. A plain `pulumi up` diffs against its state, so it
 *   does not notice; a `pulumi refresh` after that day finds the Job gone, drops it from the state, and the next
 *   `pulumi up` runs the test once more. That extra run is accepted: it is one request, it re-proves a live path,
 *   and no option (ignoreChanges, retainOnDelete) stops a refresh from forgetting a deleted object. See docs/verify.md.
 */
export class SmokeTest extends pulumi.ComponentResource {
    public readonly job: batchv1.Job;
    /** Name of the Job, for `kubectl logs job/<name>`. */
    public readonly jobName: pulumi.Output<string>;

    constructor(name: string, args: SmokeTestArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aks-openai-wi:app:SmokeTest", name, {}, opts);

        const script = smokeTestScript();
        const timings = smokeTestTimings(args.retryForSeconds);
        const url = pulumi.interpolate`${args.aiServiceUrl}${DESCRIPTION_PATH}`;
        const jobName = pulumi
            .all([
                url,
                args.identityClientId,
                args.oidcIssuerUrl,
                args.serviceAccountSubject,
                args.openAiEndpoint,
                args.openAiDeploymentName,
            ])
            .apply(([u, clientId, issuer, subject, endpoint, deployment]) =>
                smokeTestJobName({
                    identityClientId: clientId,
                    oidcIssuerUrl: issuer,
                    serviceAccountSubject: subject,
                    openAiEndpoint: endpoint,
                    openAiDeploymentName: deployment,
                    openAiApiVersion: args.openAiApiVersion,
                    aiServiceImage: args.aiServiceImage,
                    url: u,
                    image: args.image,
                    script,
                    retryForSeconds: args.retryForSeconds,
                }),
            );

        this.job = new batchv1.Job(
            `${name}-job`,
            {
                metadata: {
                    name: jobName,
                    namespace: args.namespace,
                    labels: { ...SMOKE_TEST_LABELS },
                    annotations: {
                        "pulumi.com/timeoutSeconds": String(timings.awaitSeconds),
                        "pulumi.com/replaceUnready": "true",
                    },
                },
                spec: {
                    backoffLimit: 0,
                    activeDeadlineSeconds: timings.activeDeadlineSeconds,
                    ttlSecondsAfterFinished: SMOKE_TEST_TTL_SECONDS,
                    template: {
                        metadata: { labels: { ...SMOKE_TEST_LABELS } },
                        spec: {
                            ...curlPodSpec(),
                            containers: [
                                {
                                    name: "smoke-test",
                                    image: args.image,
                                    command: ["/bin/sh", "-c", script],
                                    env: [
                                        { name: "SMOKE_URL", value: url },
                                        { name: "SMOKE_RETRY_FOR_SECONDS", value: String(timings.retryForSeconds) },
                                        {
                                            name: "SMOKE_REQUEST_TIMEOUT_SECONDS",
                                            value: String(timings.requestTimeoutSeconds),
                                        },
                                        {
                                            name: "SMOKE_BACKOFF_INITIAL_SECONDS",
                                            value: String(SMOKE_TEST_BACKOFF_INITIAL_SECONDS),
                                        },
                                        {
                                            name: "SMOKE_BACKOFF_MAX_SECONDS",
                                            value: String(SMOKE_TEST_BACKOFF_MAX_SECONDS),
                                        },
                                        { name: "SMOKE_GIVE_UP_AFTER", value: String(SMOKE_TEST_GIVE_UP_AFTER) },
                                        { name: "SMOKE_NAMESPACE", value: args.namespace },
                                        // For the messages only: the fix commands name the identity and deployment.
                                        { name: "SMOKE_IDENTITY_CLIENT_ID", value: args.identityClientId },
                                        { name: "SMOKE_OPENAI_DEPLOYMENT", value: args.openAiDeploymentName },
                                        { name: "SMOKE_OPENAI_ENDPOINT", value: args.openAiEndpoint },
                                    ],
                                    ...curlContainerSettings(),
                                    terminationMessagePolicy: "FallbackToLogsOnError",
                                },
                            ],
                        },
                    },
                },
            },
            { parent: this, dependsOn: [...args.startAfter] },
        );
        this.jobName = this.job.metadata.name;

        this.registerOutputs({ jobName: this.jobName });
    }
}
