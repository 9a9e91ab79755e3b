import * as managedidentity from "@pulumi/azure-native/managedidentity";
// Submodules, not the package root: the root's declarations pull every Kubernetes API group into the type-check.
import * as appsv1 from "@pulumi/kubernetes/apps/v1";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import { Provider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";

import {
    CLIENT_ID_ANNOTATION,
    federatedCredentialName,
    parseIdentityId,
    PRODUCER_OUTPUTS,
    producerProblems,
    serviceAccountSubject,
    TENANT_ID_ANNOTATION,
    TOKEN_EXCHANGE_AUDIENCE,
    USE_WORKLOAD_IDENTITY_LABEL,
    type ProducerOutput,
} from "./wiring";

/**
 * A team's second workload in the cluster of an aks-openai-wi stack, acting as the same managed identity: one more
 * ServiceAccount annotated with the producer's client and tenant ids, one more federated credential on the producer's
 * identity (the producer's issuer URL, this ServiceAccount's subject), and a Deployment that reaches the producer's
 * Azure OpenAI deployment with no key. Every value comes from the producer's outputs (contract v1); nothing is copied.
 */
export = async () => {
    const config = new pulumi.Config();
    const producerStack = config.require("producerStack");
    const namespace = config.require("namespace");
    const createNamespace = config.requireBoolean("createNamespace");
    const serviceAccountName = config.require("serviceAccountName");
    const image = config.require("image");

    const producer = new pulumi.StackReference("producer", { name: producerStack });
    const read = (name: ProducerOutput): pulumi.Output<string> => producer.requireOutput(name) as pulumi.Output<string>;

    // Checked before anything is created: the contract version, every output this project reads, and that the
    // producer does not federate this ServiceAccount already.
    const details = await Promise.all(PRODUCER_OUTPUTS.map((name) => producer.getOutputDetails(name)));
    const problems = producerProblems({
        producerStack,
        outputs: Object.fromEntries(
            PRODUCER_OUTPUTS.map((name, i) => [name, details[i].value ?? details[i].secretValue]),
        ),
        subject: serviceAccountSubject(namespace, serviceAccountName),
    });
    if (problems.length > 0) {
        throw new pulumi.RunError(problems.join("\n"));
    }

    // The producer's kubeconfig already logs in non-interactively (its cluster.kubeloginMode); it stays secret.
    const kubernetes = new Provider("producer-cluster", {
        kubeconfig: read("kubeconfig"),
        clusterIdentifier: `stack:${producerStack}`,
        enableServerSideApply: true,
    });

    const namespaceResource = createNamespace
        ? new corev1.Namespace(namespace, { metadata: { name: namespace } }, { provider: kubernetes })
        : undefined;

    const serviceAccount = new corev1.ServiceAccount(
        `${serviceAccountName}-sa`,
        {
            metadata: {
                name: serviceAccountName,
                namespace,
                annotations: {
                    [CLIENT_ID_ANNOTATION]: read("identityClientId"),
                    [TENANT_ID_ANNOTATION]: read("tenantId"),
                },
            },
        },
        { provider: kubernetes, dependsOn: namespaceResource ? [namespaceResource] : [] },
    );

    // The subject comes from the ServiceAccount object the pods run as, the issuer verbatim from the producer.
    const subject = pulumi
        .all([serviceAccount.metadata.namespace, serviceAccount.metadata.name])
        .apply(([ns, name]) => serviceAccountSubject(ns, name));
    const credential = new managedidentity.FederatedIdentityCredential(
        `${serviceAccountName}-fic`,
        {
            resourceGroupName: read("identityResourceId").apply((id) => parseIdentityId(id).resourceGroupName),
            resourceName: read("identityName"),
            federatedIdentityCredentialResourceName: federatedCredentialName(namespace, serviceAccountName),
            issuer: read("oidcIssuerUrl"),
            subject,
            audiences: [TOKEN_EXCHANGE_AUDIENCE],
        },
        // One (issuer, subject) per identity: the old credential must go before its replacement is created.
        { deleteBeforeReplace: true },
    );

    const labels = { app: serviceAccountName };
    new appsv1.Deployment(
        serviceAccountName,
        {
            metadata: { name: serviceAccountName, namespace },
            spec: {
                replicas: 1,
                selector: { matchLabels: labels },
                template: {
                    metadata: { labels: { ...labels, [USE_WORKLOAD_IDENTITY_LABEL]: "true" } },
                    spec: {
                        serviceAccountName: serviceAccount.metadata.name,
                        containers: [
                            {
                                name: serviceAccountName,
                                image,
                                env: [
                                    { name: "AZURE_OPENAI_ENDPOINT", value: read("openAiEndpoint") },
                                    { name: "AZURE_OPENAI_DEPLOYMENT_NAME", value: read("openAiDeploymentName") },
                                ],
                            },
                        ],
                    },
                },
            },
        },
        // Pods get their token at creation: they must not start before the credential exists.
        { provider: kubernetes, dependsOn: [credential] },
    );

    return {
        producerStack,
        serviceAccount: pulumi.interpolate`${serviceAccount.metadata.namespace}/${serviceAccount.metadata.name}`,
        subject,
        federatedCredentialName: credential.name,
    };
};
