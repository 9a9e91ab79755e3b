import * as policySdk from "@pulumi/policy";

/**
 * Two things @pulumi/policy exports at run time (index.js) whose types it strips as @internal: the proxy its
 * analyzer server wraps every resource's properties in, and the error that proxy throws when a policy reads a value
 * that is unknown during preview. The pack needs the error to recognise unknowns; the test harness needs the proxy to
 * present recorded resources exactly as the server does.
 */
interface PolicySdkInternals {
    readonly UnknownValueError: new (...args: never[]) => Error;
    readonly unknownCheckingProxy: <T extends object>(value: T) => T;
}

const internals = policySdk as unknown as PolicySdkInternals;

export const UnknownValueError = internals.UnknownValueError;
export const unknownCheckingProxy = internals.unknownCheckingProxy;
