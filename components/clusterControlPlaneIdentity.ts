import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as pulumi from "@pulumi/pulumi";

import { NETWORK_CONTRIBUTOR_ROLE_ID } from "./constants";
import { roleAssignmentName, roleDefinitionId } from "./naming";

export interface ClusterControlPlaneIdentityArgs {
    readonly resourceGroupName: string;
    readonly location: string;
    /** Name of the user-assigned identity. */
    readonly identityName: string;
    /** Subscription of the subnet, for the full role-definition id. */
    readonly subscriptionId: string;
    /** The node subnet the cluster joins: the role's scope (least privilege: this subnet only). */
    readonly nodeSubnetId: pulumi.Input<string>;
}

/**
 * The control-plane identity of a managed cluster in a network the stack creates, with Network Contributor on the
 * node subnet. User-assigned, not the cluster's system-assigned identity: that one exists only once the cluster does,
 * so its role could not be in place before AKS joins the subnet, and the create would fail (LinkedAuthorizationFailed).
 */
export class ClusterControlPlaneIdentity extends pulumi.ComponentResource {
    public readonly identityId: pulumi.Output<string>;
    public readonly principalId: pulumi.Output<string>;
    public readonly identity: managedidentity.UserAssignedIdentity;
    public readonly subnetRole: authorization.RoleAssignment;

    constructor(name: string, args: ClusterControlPlaneIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aks-openai-wi:cluster:ClusterControlPlaneIdentity", name, {}, opts);

        this.identity = new managedidentity.UserAssignedIdentity(
            `${name}-identity`,
            { resourceGroupName: args.resourceGroupName, resourceName: args.identityName, location: args.location },
            { parent: this },
        );
        const role = roleDefinitionId(args.subscriptionId, NETWORK_CONTRIBUTOR_ROLE_ID);
        this.subnetRole = new authorization.RoleAssignment(
            `${name}-subnet-role`,
            {
                principalId: this.identity.principalId,
                // A freshly created identity is not yet replicated in Entra ID: without the type, PrincipalNotFound.
                principalType: authorization.PrincipalType.ServicePrincipal,
                roleDefinitionId: role,
                scope: args.nodeSubnetId,
                roleAssignmentName: pulumi
                    .all([args.nodeSubnetId, this.identity.principalId])
                    .apply(([scope, principal]) => roleAssignmentName(scope, principal, role)),
            },
            // One assignment per (scope, principal, role): a replacement must delete first (RoleAssignmentExists).
            { parent: this, deleteBeforeReplace: true },
        );

        this.identityId = this.identity.id;
        this.principalId = this.identity.principalId;
        this.registerOutputs({ identityId: this.identityId, principalId: this.principalId });
    }
}
