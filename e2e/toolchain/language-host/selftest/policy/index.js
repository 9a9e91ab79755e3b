// Fails a Greeting whose `who` is "mallory" and reports, as an advisory on every greeting, the stack it ran for:
// proof that the language host passed the stack configuration to the pack.
const { PolicyPack } = require("@pulumi/policy");
const pulumi = require("@pulumi/pulumi");

new PolicyPack("lh-selftest-policy", {
    policies: [
        {
            name: "no-greeting-for-mallory",
            description: "Greetings must not address mallory.",
            enforcementLevel: "mandatory",
            validateResource: (args, reportViolation) => {
                if (args.type === "pulumi-nodejs:dynamic:Resource" && args.props.who === "mallory") {
                    reportViolation("greeting addresses mallory");
                }
            },
        },
        {
            name: "report-stack",
            description: "Reports the stack the pack was configured for.",
            enforcementLevel: "advisory",
            validateResource: (args, reportViolation) => {
                if (args.type === "pulumi-nodejs:dynamic:Resource") {
                    reportViolation(`configured for stack ${pulumi.getStack()}`);
                }
            },
        },
    ],
});
