import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { RequestListener } from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";

/**
 * TLS for the local HTTPS stand-ins of Azure Resource Manager, Entra ID and Azure OpenAI. Each test makes its own
 * throwaway CA and a server certificate for 127.0.0.1 (openssl, in a temp directory; no key is ever committed). Clients
 * that must trust it run in a child process started with `NODE_EXTRA_CA_CERTS` (see `trustingEnv`), because Node reads
 * that variable only at start-up, and because the real clients (a dynamic provider, a pod) run in processes of their own.
 */

export interface TestTls {
    /** Directory holding the files. */
    readonly dir: string;
    /** CA certificate path, for NODE_EXTRA_CA_CERTS. */
    readonly caPath: string;
    readonly cert: string;
    readonly key: string;
}

export interface TestTlsOptions {
    /**
     * More host names for the server certificate, for clients that must call a real Azure host name (the pod's
     * AZURE_AUTHORITY_HOST, an account's endpoint) while a loopback route in their process sends it to a stand-in.
     */
    readonly dnsNames?: readonly string[];
}

export function createTestTls(options: TestTlsOptions = {}): TestTls {
    const dir = mkdtempSync(path.join(tmpdir(), "aks-openai-wi-tls-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    const file = (name: string) => path.join(dir, name);
    const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });

    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=aks-openai-wi test CA",
        "-keyout",
        file("ca.key"),
        "-out",
        file("ca.pem"),
    );
    openssl(
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        file("server.key"),
        "-out",
        file("server.csr"),
    );
    const names = ["IP:127.0.0.1", "DNS:localhost", ...(options.dnsNames ?? []).map((name) => `DNS:${name}`)];
    writeFileSync(file("server.ext"), `subjectAltName=${names.join(",")}\nextendedKeyUsage=serverAuth\n`);
    openssl(
        "x509",
        "-req",
        "-in",
        file("server.csr"),
        "-CA",
        file("ca.pem"),
        "-CAkey",
        file("ca.key"),
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        file("server.ext"),
        "-out",
        file("server.pem"),
    );

    return {
        dir,
        caPath: file("ca.pem"),
        cert: readFileSync(file("server.pem"), "utf8"),
        key: readFileSync(file("server.key"), "utf8"),
    };
}

export interface RunningServer {
    /** `https://127.0.0.1:<port>/`, with a trailing slash. */
    readonly url: string;
    close(): Promise<void>;
}

/** Starts an HTTPS server on an ephemeral port of 127.0.0.1 (never any other address). */
export async function startHttpsServer(tls: TestTls, handler: RequestListener, port = 0): Promise<RunningServer> {
    const server = https.createServer({ cert: tls.cert, key: tls.key }, handler);
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", resolve);
    });
    const { port: bound } = server.address() as AddressInfo;
    return {
        url: `https://127.0.0.1:${bound}/`,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

/**
 * Environment for a child process that trusts the test CA and cannot reach anything but loopback by accident: proxies
 * are cleared, and Azure SDK variables from the developer's shell are dropped so only what the test sets is used; so
 * are GitHub Actions' OIDC variables when the suite itself runs in Actions (components/azureCredential.ts reads them).
 */
export function trustingEnv(tls: TestTls, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
        if (
            !/^(AZURE_|ARM_|MSI_|IDENTITY_|ACTIONS_ID_TOKEN_REQUEST_|GITHUB_ACTIONS$|HTTPS?_PROXY|https?_proxy|NO_PROXY|no_proxy)/.test(
                key,
            )
        ) {
            env[key] = value;
        }
    }
    return { ...env, NODE_EXTRA_CA_CERTS: tls.caPath, ...extra };
}
