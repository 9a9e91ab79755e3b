"use strict";
/**
 * Preloaded by `npm test` (tests/support/runTests.cjs) before node:test: makes the test runner's own async_hooks hook
 * ignore promises. Measured on the dev and prod program tests: 21.8 s -> 12.1 s of wall time on one core.
 *
 * Why: node:test (Node 20 and 24 alike, lib/internal/test_runner/harness.js) installs an async_hooks hook with `init`
 * and `destroy` for every async resource, to know which test an error or a late callback belongs to. With a `destroy`
 * hook enabled, Node tracks every promise for garbage collection (`promiseInitHookWithDestroyTracking`). A Pulumi
 * program run creates tens of thousands of promises (every Output, every RPC), and the hook's bookkeeping took about
 * a quarter of the suite's CPU, plus the garbage collector's work on it.
 *
 * What changes: only the hook node:test creates, recognised by its caller in the stack, and only for promises. Timers,
 * sockets, child processes and every other resource are still mapped to the test that made them, so an uncaught
 * exception from a server or a timer still fails its own test. An unhandled rejection is still caught by node:test and
 * fails the run, as a diagnostic of the run rather than of one test. No test registers a test from inside a promise
 * (after an `await` in a describe body), the one thing that needed promise tracking to find its parent.
 * Every other async_hooks user (Pulumi's AsyncLocalStorage, anything else) is left as it is.
 */
const asyncHooks = require("node:async_hooks");

const createHook = asyncHooks.createHook;

asyncHooks.createHook = function createHookWithoutPromisesForTheTestRunner(callbacks) {
    if (!isTestRunnerHarness(new Error().stack)) {
        return createHook.call(this, callbacks);
    }
    const init = callbacks.init;
    return createHook.call(this, {
        init(asyncId, type, triggerAsyncId, resource) {
            if (type !== "PROMISE") {
                init(asyncId, type, triggerAsyncId, resource);
            }
        },
        // No destroy: without it Node does not track each promise for the garbage collector. The harness's map then
        // keeps the ids of finished non-promise resources; each entry is two numbers and a test already in memory.
    });
};

/** Whether createHook was called by node:test's harness (the frame right after this module's). */
function isTestRunnerHarness(stack) {
    return /\(node:internal\/test_runner\/harness:\d+:\d+\)/.test(stack ?? "");
}

module.exports = { isTestRunnerHarness };
