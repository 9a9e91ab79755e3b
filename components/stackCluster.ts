import * as pulumi from "@pulumi/pulumi";

import type { ClusterConnection } from "./clusterConnection";
import type { KubeloginMode } from "./config";
import { isKubeconfigDocument, withNonInteractiveLogin } from "./kubeconfig";

export interface StackClusterArgs {
    /** Fully qualified name of the stack that owns the cluster: `<organization>/<project>/<stack>`. */
    readonly stackReference: string;
    /** Name of that stack's output holding the cluster's OIDC issuer URL. */
    readonly issuerUrlOutput: string;
    /** Name of that stack's output holding a kubeconfig for the cluster. */
    readonly kubeconfigOutput: string;
    /** Non-interactive kubelogin mode, applied only where the kubeconfig would log in interactively. */
    readonly kubeloginMode: KubeloginMode;
}

/**
 * A cluster owned by another Pulumi stack, read through a StackReference. Both outputs are checked before this stack
 * creates anything: a missing output or an issuer URL that was normalised (no trailing '/') fails with a clear error.
 * Nothing on the cluster is changed: the producer stack owns the OIDC issuer and workload identity settings.
 */
export async function readStackCluster(args: StackClusterArgs): Promise<ClusterConnection> {
    const reference = new pulumi.StackReference(args.stackReference);
    const [issuer, kubeconfig] = await Promise.all([
        reference.getOutputDetails(args.issuerUrlOutput),
        reference.getOutputDetails(args.kubeconfigOutput),
    ]);

    const problems: string[] = [];
    const issuerValue = issuer.value ?? issuer.secretValue;
    if (issuerValue === undefined) {
        problems.push(
            missingOutput(args, "issuerUrlOutput", args.issuerUrlOutput, "cluster.oidcIssuerProfile.issuerURL"),
        );
    } else if (typeof issuerValue !== "string" || !/^https:\/\/\S+\/$/.test(issuerValue)) {
        problems.push(
            `aks-openai-wi:cluster.issuerUrlOutput = "${args.issuerUrlOutput}": output of stack ${args.stackReference} is ` +
                `${JSON.stringify(issuerValue)}, not an https URL ending with '/'. AKS issuer URLs end with '/', and a federated ` +
                `credential with a normalised issuer is rejected (AADSTS70021). Fix: export oidcIssuerProfile.issuerURL verbatim from ` +
                `the producer stack, or point cluster.issuerUrlOutput at the output that does.`,
        );
    }
    const kubeconfigValue = kubeconfig.value ?? kubeconfig.secretValue;
    if (kubeconfigValue === undefined) {
        problems.push(missingOutput(args, "kubeconfigOutput", args.kubeconfigOutput, "a kubeconfig (as a secret)"));
    } else if (typeof kubeconfigValue !== "string" || !isKubeconfigDocument(kubeconfigValue)) {
        problems.push(
            `aks-openai-wi:cluster.kubeconfigOutput = "${args.kubeconfigOutput}": output of stack ${args.stackReference} is not ` +
                `a kubeconfig document (no top-level 'clusters' list). Fix: export the kubeconfig document as text ` +
                `(YAML or JSON) from the producer stack.`,
        );
    }
    if (problems.length > 0) {
        throw new pulumi.RunError(problems.join("\n"));
    }

    return {
        oidcIssuerUrl: pulumi.output(issuerValue as string),
        // Secret regardless of how the producer exported it.
        kubeconfig: pulumi.secret(withNonInteractiveLogin(kubeconfigValue as string, args.kubeloginMode)),
        clusterIdentifier: `stack:${args.stackReference}`,
        workloadIdentityReady: [],
    };
}

function missingOutput(args: StackClusterArgs, key: string, output: string, holds: string): string {
    return (
        `aks-openai-wi:cluster.${key} = "${output}": stack ${args.stackReference} has no output named "${output}". ` +
        `Fix: export ${holds} from that stack under this name, or set ${key} to the name it uses ` +
        `(pulumi stack output -s ${args.stackReference}).`
    );
}
