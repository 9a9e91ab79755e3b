import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as pulumi from "@pulumi/pulumi";

import type { FederatedServiceAccount } from "./config";
import { CLIENT_ID_ANNOTATION, OPENAI_USER_ROLE_ID, TENANT_ID_ANNOTATION, TOKEN_EXCHANGE_AUDIENCE } from "./constants";
import { roleAssignmentName, roleDefinitionId, serviceAccountSubject } from "./naming";

export interface WorkloadIdentityArgs {
    /** Resource group for the managed identity. */
    readonly resourceGroupName: string;
    /** Region of the managed identity. */
    readonly location: string;
    /** Name of the user-assigned managed identity. */
    readonly identityName: string;
    /** Subscription that holds the role definition; from `authorization.getClientConfigOutput()`. */
    readonly subscriptionId: pulumi.Input<string>;
    /** Tenant of the identity, annotated on each ServiceAccount. */
    readonly tenantId: pulumi.Input<string>;
    /** ARM id of the Azure OpenAI account: the one scope the identity gets a role on. */
    readonly openAiAccountId: pulumi.Input<string>;
    /** The cluster's OIDC issuer URL, verbatim. */
    readonly oidcIssuerUrl: pulumi.Input<string>;
    /** ServiceAccounts to create, annotate and federate; the first is the main workload's. */
    readonly serviceAccounts: readonly FederatedServiceAccount[];
    /** Namespaces the stack creates before the ServiceAccounts in them (default: none; they must exist). */
    readonly namespacesToCreate?: readonly string[];
}

/** One federated ServiceAccount as created: the objects and the subject built from the ServiceAccount itself. */
export interface FederatedServiceAccountResources {
    readonly serviceAccount: corev1.ServiceAccount;
    readonly credential: managedidentity.FederatedIdentityCredential;
    readonly namespace: pulumi.Output<string>;
    readonly name: pulumi.Output<string>;
    readonly subject: pulumi.Output<string>;
}

/**
 * A user-assigned managed identity that one set of Kubernetes ServiceAccounts can act as, allowed exactly one thing:
 * "Cognitive Services OpenAI User" on one Azure OpenAI account.
 *
 * Each value flows from its source: the role's principal is the identity's principal id; each ServiceAccount's
 * annotation is its client id; each credential's issuer is the cluster's issuer URL, and its subject is built from
 * the very ServiceAccount object the pods run as. Give the component the Kubernetes provider through `providers`.
 */
export class WorkloadIdentity extends pulumi.ComponentResource {
    public readonly identity: managedidentity.UserAssignedIdentity;
    public readonly roleAssignment: authorization.RoleAssignment;
    public readonly serviceAccounts: readonly FederatedServiceAccountResources[];
    public readonly clientId: pulumi.Output<string>;
    public readonly principalId: pulumi.Output<string>;
    public readonly tenantId: pulumi.Output<string>;

    constructor(name: string, args: WorkloadIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aks-openai-wi:identity:WorkloadIdentity", name, {}, opts);

        this.identity = new managedidentity.UserAssignedIdentity(
            `${name}-identity`,
            { resourceGroupName: args.resourceGroupName, resourceName: args.identityName, location: args.location },
            { parent: this },
        );
        this.clientId = this.identity.clientId;
        this.principalId = this.identity.principalId;
        this.tenantId = pulumi.output(args.tenantId);

        const roleDefinition = pulumi
            .output(args.subscriptionId)
            .apply((id) => roleDefinitionId(id, OPENAI_USER_ROLE_ID));
        const scope = pulumi.output(args.openAiAccountId);
        this.roleAssignment = new authorization.RoleAssignment(
            `${name}-openai-user`,
            {
                scope,
                principalId: this.identity.principalId,
                // Without it a freshly created identity fails with PrincipalNotFound (Entra replication delay).
                principalType: authorization.PrincipalType.ServicePrincipal,
                roleDefinitionId: roleDefinition,
                roleAssignmentName: pulumi
                    .all([scope, this.identity.principalId, roleDefinition])
                    .apply(([s, principal, role]) => roleAssignmentName(s, principal, role)),
                description: `Keyless inference on one Azure OpenAI account for workloads federated with ${args.identityName}.`,
            },
            // Azure allows one assignment per (scope, principal, role): the old one must go before its replacement.
            { parent: this, deleteBeforeReplace: true },
        );

        const createdNamespaces = new Map(
            (args.namespacesToCreate ?? []).map((namespace) => [
                namespace,
                new corev1.Namespace(
                    `${name}-ns-${namespace}`,
                    { metadata: { name: namespace } },
                    // Deleting a namespace deletes everything in it, including the store's workloads this stack never
                    // created (and, with upsert, a namespace that existed before): `pulumi destroy` leaves it.
                    { parent: this, retainOnDelete: true },
                ),
            ]),
        );

        const issuer = pulumi.output(args.oidcIssuerUrl).apply((url) => {
            if (!url) {
                throw new Error(
                    "The cluster's OIDC issuer URL is empty, so no federated credential can match its tokens. " +
                        "Check that the OIDC issuer is enabled: az aks show --query oidcIssuerProfile",
                );
            }
            return url; // verbatim: AKS matches the trailing '/' exactly (azure-workload-identity#1700)
        });

        const created: FederatedServiceAccountResources[] = [];
        let previousCredential: managedidentity.FederatedIdentityCredential | undefined;
        for (const [index, account] of args.serviceAccounts.entries()) {
            const childName = `${name}-${account.namespace}-${account.name}`;
            const serviceAccount = new corev1.ServiceAccount(
                `${childName}-sa`,
                {
                    metadata: {
                        name: account.name,
                        namespace: account.namespace,
                        annotations: {
                            [CLIENT_ID_ANNOTATION]: this.identity.clientId,
                            [TENANT_ID_ANNOTATION]: this.tenantId,
                        },
                    },
                },
                {
                    parent: this,
                    dependsOn: [createdNamespaces.get(account.namespace)].filter((ns) => ns !== undefined),
                },
            );
            // The subject comes from the ServiceAccount object itself, never from a second copy of its name.
            const saNamespace = serviceAccount.metadata.namespace;
            const saName = serviceAccount.metadata.name;
            const subject = pulumi.all([saNamespace, saName]).apply(([ns, sa]) => serviceAccountSubject(ns, sa));
            const credentialKey = credentialResourceName(name, index, account.federatedCredentialName);
            const credential: managedidentity.FederatedIdentityCredential =
                new managedidentity.FederatedIdentityCredential(
                    credentialKey,
                    {
                        resourceGroupName: args.resourceGroupName,
                        resourceName: this.identity.name,
                        federatedIdentityCredentialResourceName: account.federatedCredentialName,
                        issuer,
                        subject,
                        audiences: [TOKEN_EXCHANGE_AUDIENCE],
                    },
                    {
                        parent: this,
                        // Azure rejects concurrent credential writes on one identity (409
                        // ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity, pulumi-azure-native#4343):
                        // chain them, and delete before replacing so (issuer, subject) never exists twice.
                        dependsOn: previousCredential ? [previousCredential] : [],
                        deleteBeforeReplace: true,
                        // Stacks deployed before the credential's Pulumi name followed its Azure name knew it by its
                        // ServiceAccount: the same credential, not a new one.
                        aliases: credentialKey === `${childName}-fic` ? [] : [{ name: `${childName}-fic` }],
                    },
                );
            previousCredential = credential;
            created.push({ serviceAccount, credential, namespace: saNamespace, name: saName, subject });
        }
        this.serviceAccounts = created;

        this.registerOutputs({
            clientId: this.clientId,
            principalId: this.principalId,
            tenantId: this.tenantId,
            roleAssignmentId: this.roleAssignment.id,
        });
    }
}

/**
 * The Pulumi name of a federated credential, which decides whether a change is an update, a replacement or a new
 * credential. Azure knows a credential by its name, and allows one credential per (issuer, subject) on an identity:
 * - the workload's own credential (the first) has one Pulumi name whatever its namespace, ServiceAccount or Azure
 *   name: a new subject under the same Azure name updates it in place, and a new Azure name replaces it delete-first,
 *   so neither "already exists" (a create under a name Azure already holds) nor a duplicate (issuer, subject) occurs;
 * - every additional one is named by its Azure name: an entry whose Azure name is new is a new credential, created
 *   before the old entry's is deleted.
 */
export function credentialResourceName(component: string, index: number, federatedCredentialName: string): string {
    return index === 0 ? `${component}-primary-fic` : `${component}-${federatedCredentialName}-fic`;
}
