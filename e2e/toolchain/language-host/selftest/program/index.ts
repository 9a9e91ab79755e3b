import * as pulumi from "@pulumi/pulumi";

// A dynamic provider is serialized into the state and run by the pulumi-resource-pulumi-nodejs plugin; this one has
// no side effects, so the test can assert on exactly what it returns.
const greetingProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: { who: string }) {
        return { id: `greeting-${inputs.who}`, outs: { who: inputs.who, message: `hello ${inputs.who}` } };
    },
    async diff(_id: string, olds: { who: string }, news: { who: string }) {
        return { changes: olds.who !== news.who, replaces: olds.who !== news.who ? ["who"] : [] };
    },
};

class Greeting extends pulumi.dynamic.Resource {
    // `declare`, not `message!:`: with target ES2022 a class field would be reset to undefined after super().
    declare readonly message: pulumi.Output<string>;
    constructor(name: string, args: { who: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions) {
        super(greetingProvider, name, { message: undefined, ...args }, opts);
    }
}

export = async () => {
    const config = new pulumi.Config();
    const greeting = new Greeting("greeting", { who: config.require("who") });
    // The secret proves PULUMI_CONFIG_SECRET_KEYS reached node: a secret read as plain would be an error below.
    const token = config.requireSecret("token");
    return {
        message: greeting.message,
        tokenLength: token.apply((t) => t.length),
        stack: pulumi.getStack(),
        project: pulumi.getProject(),
        dryRunAtStart: pulumi.runtime.isDryRun(),
    };
};
