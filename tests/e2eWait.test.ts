import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { freePort, GaveUp, PORT_RANGE, waitFor } from "../e2e/cluster/wait";

/**
 * The e2e harness's waiting and port choice (e2e/cluster/wait.ts), found wrong by a fresh-clone `.ci/run`: a port
 * chosen from the kernel's ephemeral range was taken by a client connection before kube-apiserver bound it, and the
 * harness then polled the dead API server 600 times.
 */
describe("the e2e harness", () => {
    it("hands out ports below the kernel's ephemeral range, never one twice", async () => {
        const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
        assert.equal(new Set(ports).size, 20);
        for (const port of ports) {
            assert.ok(port >= PORT_RANGE.from && port < 32768, `port ${port}`);
        }
    });

    it("stops waiting at once when the probe gives up (the process exited), with its reason", async () => {
        let attempts = 0;
        await assert.rejects(
            waitFor(
                "kube-apiserver /readyz",
                async () => {
                    attempts++;
                    throw new GaveUp("kube-apiserver exited with code 1");
                },
                { attempts: 5, intervalMs: 0 },
            ),
            { message: "kube-apiserver /readyz: kube-apiserver exited with code 1" },
        );
        assert.equal(attempts, 1);
    });

    it("keeps polling through ordinary errors, and names the last one when out of attempts", async () => {
        let attempts = 0;
        await assert.rejects(
            waitFor(
                "readyz",
                async () => {
                    attempts++;
                    throw new Error(`refused ${attempts}`);
                },
                { attempts: 3, intervalMs: 0 },
            ),
            { message: "readyz: not ready after 3 attempts; last: refused 3" },
        );
        assert.equal(attempts, 3);
    });
});
