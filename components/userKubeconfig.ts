import type * as containerservice from "@pulumi/azure-native/containerservice";
import * as pulumi from "@pulumi/pulumi";

import type { KubeloginMode } from "./config";
import { decodeKubeconfig, withNonInteractiveLogin } from "./kubeconfig";

/** The first user kubeconfig of `listManagedClusterUserCredentials`, decoded, made non-interactive, and secret. */
export function userKubeconfig(
    credentials: pulumi.Output<containerservice.ListManagedClusterUserCredentialsResult>,
    kubeloginMode: KubeloginMode,
    /** Azure Resource Manager endpoint; a national cloud's is named to kubelogin (`--environment`). */
    armEndpoint?: string,
): pulumi.Output<string> {
    return pulumi.secret(
        credentials.kubeconfigs.apply((kubeconfigs) => firstUserKubeconfig(kubeconfigs, kubeloginMode, armEndpoint)),
    );
}

/** The first of the kubeconfigs AKS listed, decoded and made non-interactive; an error naming the fix if none. */
export function firstUserKubeconfig(
    kubeconfigs: readonly { value: string }[],
    kubeloginMode: KubeloginMode,
    armEndpoint?: string,
): string {
    const first = kubeconfigs[0];
    if (first === undefined) {
        throw new Error(
            "The cluster returned no user kubeconfig; check that you may list its user credentials (az aks get-credentials).",
        );
    }
    return withNonInteractiveLogin(decodeKubeconfig(first.value), kubeloginMode, armEndpoint);
}
