import type * as pulumi from "@pulumi/pulumi";

/** The Azure OpenAI account and deployment ai-service calls, whether the stack reads it or creates it. */
export interface OpenAiTarget {
    /** ARM id of the account: the scope of the role assignment (least privilege: this account only). */
    readonly accountId: pulumi.Output<string>;
    readonly accountName: string;
    /** Custom-subdomain endpoint (`https://<subdomain>.openai.azure.com/`): the only kind that accepts Entra tokens. */
    readonly endpoint: pulumi.Output<string>;
    /** Model deployment name passed to the app as AZURE_OPENAI_DEPLOYMENT_NAME. */
    readonly deploymentName: pulumi.Output<string>;
}
