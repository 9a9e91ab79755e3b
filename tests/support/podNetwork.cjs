"use strict";
/**
 * The network of the simulated pod, preloaded (`node --require`) into the child process that runs the real
 * @azure/identity client. The pod calls the real host names (AZURE_AUTHORITY_HOST https://login.microsoftonline.com/,
 * the account's https://<subdomain>.openai.azure.com/), exactly as the webhook and the Deployment configure it; like a
 * hosts-file entry, LOOPBACK_ROUTES ({"host:port": loopbackPort}) sends each of those connections to a stand-in on
 * 127.0.0.1 instead, and every other connection that would leave loopback (IMDS at 169.254.169.254, instance discovery)
 * is refused before a packet is sent and recorded. TLS still checks the host name (the test CA signs the stand-ins'
 * certificate for those names, trusted through NODE_EXTRA_CA_CERTS in this process only).
 */
const net = require("node:net");

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost", "::ffff:127.0.0.1"]);
const routes = JSON.parse(process.env.LOOPBACK_ROUTES || "{}");
const routed = [];
const blocked = [];
const originalConnect = net.Socket.prototype.connect;

net.Socket.prototype.connect = function connect(...args) {
    // net.createConnection (what http.Agent uses) passes its already-normalized [options, callback] array as the one
    // argument; normalizing that again would lose the host and let the connection through.
    const [options, callback] = Array.isArray(args[0]) ? args[0] : net._normalizeArgs(args);
    // `path` set means IPC, not TCP (https passes `path: null` for TCP).
    if (!options.path) {
        const host = options.host === undefined ? "localhost" : String(options.host);
        const target = `${host}:${options.port}`;
        if (Object.prototype.hasOwnProperty.call(routes, target)) {
            routed.push(target);
            const rerouted = { ...options, host: "127.0.0.1", port: routes[target] };
            delete rerouted.lookup;
            return originalConnect.call(this, rerouted, callback);
        }
        if (!LOOPBACK.has(host)) {
            blocked.push(target);
            const error = new Error(`pod network: connection to ${target} refused; only loopback routes exist here`);
            error.code = "ECONNREFUSED";
            process.nextTick(() => this.destroy(error));
            return this;
        }
    }
    return originalConnect.apply(this, args);
};

/** Connections sent to a stand-in, and refused ones, as `host:port`, in order. */
globalThis.__podNetwork = { routed, blocked };
