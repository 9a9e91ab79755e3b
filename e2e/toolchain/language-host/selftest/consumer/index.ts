import * as pulumi from "@pulumi/pulumi";

const producer = new pulumi.StackReference(new pulumi.Config().require("producer"));
export const greeting = producer.requireOutput("message");
