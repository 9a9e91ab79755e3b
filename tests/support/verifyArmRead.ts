import { azureCredential } from "../../components/azureCredential";
import { AzureResourceManager } from "../../tools/verify/arm";

/**
 * What `npm run verify` reads from Azure Resource Manager, signed in as verify signs in (components/azureCredential.ts
 * from this process's environment), for tests that run it in a child process against the stand-ins.
 */
export async function readAsVerify(args: {
    readonly armEndpoint: string;
    readonly clusterId: string;
    readonly identityId: string;
    readonly scope: string;
    readonly principalId: string;
}) {
    const arm = new AzureResourceManager(args.armEndpoint, await azureCredential(process.env));
    return {
        cluster: await arm.getCluster(args.clusterId),
        credentials: await arm.listFederatedCredentials(args.identityId),
        assignments: await arm.listRoleAssignments(args.scope, args.principalId),
    };
}
