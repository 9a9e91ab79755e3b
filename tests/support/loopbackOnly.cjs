"use strict";
/**
 * Preloaded (`node --require`) into every child process that runs a real Azure client against the local stand-ins.
 * Every TCP connection goes through `net.Socket.prototype.connect` (http, https, tls, undici's fetch), so refusing
 * any host but loopback there makes it impossible for a test to reach Azure, Entra ID or IMDS (169.254.169.254) by
 * accident, and records the attempt: MSAL's instance discovery on login.microsoftonline.com or a managed identity
 * probe shows up in `blockedConnections()` and on stderr, and the test helpers fail the test when it is not empty.
 * Plain CommonJS so it also runs in the plain-node process that mimics Pulumi's dynamic provider host.
 */
const net = require("node:net");

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost", "::ffff:127.0.0.1"]);
const blocked = [];
const originalConnect = net.Socket.prototype.connect;

net.Socket.prototype.connect = function connect(...args) {
    // net.createConnection (what http.Agent uses, e.g. for IMDS on port 80) passes its already-normalized
    // [options, callback] array as the one argument; normalizing it again loses the host and lets it through.
    const [options] = Array.isArray(args[0]) ? args[0] : net._normalizeArgs(args);
    // Node treats a connection as IPC when `path` is set (https passes `path: null` for TCP).
    if (!options.path) {
        const host = options.host === undefined ? "localhost" : String(options.host);
        if (!LOOPBACK.has(host)) {
            const target = `${host}:${options.port}`;
            blocked.push(target);
            process.stderr.write(`loopback-guard: blocked a connection to ${target}\n`);
            const error = new Error(`loopback-guard: connection to ${target} refused; tests may reach 127.0.0.1 only`);
            error.code = "ECONNREFUSED";
            process.nextTick(() => this.destroy(error));
            return this;
        }
    }
    return originalConnect.apply(this, args);
};

/** Hosts this process tried to reach and was refused, as `host:port`, in order. */
globalThis.__loopbackGuardBlocked = blocked;
