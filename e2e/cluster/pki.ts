import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

import type { TestTls } from "../../tests/support/tls";

/**
 * Every key and certificate of one local cluster run, made with openssl in the run's directory (never committed,
 * removed with the run): one CA that signs the API server's serving certificate, the admin client certificate
 * (group system:masters), the workload-identity webhook's serving certificate and the certificate the HTTPS stand-ins
 * for Azure serve; plus the RSA key pair that signs service-account tokens. One CA keeps trust simple: every client
 * (kubectl, the Pulumi providers, the real Azure SDK clients) trusts exactly `caPath`, nothing from the system.
 */
export interface ClusterPki {
    readonly dir: string;
    readonly caPath: string;
    readonly apiServer: KeyPair;
    readonly admin: KeyPair;
    readonly webhook: KeyPair;
    /** Service-account token signing key (private) and verification key (public), PEM files. */
    readonly serviceAccountKeyPath: string;
    readonly serviceAccountPublicKeyPath: string;
    /** The stand-ins' TLS, in the shape tests/support's HTTPS servers take. */
    readonly standins: TestTls;
}

export interface KeyPair {
    readonly certPath: string;
    readonly keyPath: string;
}

/** Host names the Azure stand-ins answer for, besides 127.0.0.1 (a client's loopback route sends them there). */
export interface PkiOptions {
    readonly standinDnsNames?: readonly string[];
}

export function createClusterPki(dir: string, options: PkiOptions = {}): ClusterPki {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
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
        "/CN=aks-openai-wi e2e CA",
        "-keyout",
        file("ca.key"),
        "-out",
        file("ca.pem"),
    );

    const issue = (name: string, subject: string, extensions: string): KeyPair => {
        const keyPath = file(`${name}.key`);
        const certPath = file(`${name}.pem`);
        openssl(
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-subj",
            subject,
            "-keyout",
            keyPath,
            "-out",
            file(`${name}.csr`),
        );
        writeFileSync(file(`${name}.ext`), extensions);
        openssl(
            "x509",
            "-req",
            "-in",
            file(`${name}.csr`),
            "-CA",
            file("ca.pem"),
            "-CAkey",
            file("ca.key"),
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            file(`${name}.ext`),
            "-out",
            certPath,
        );
        return { certPath, keyPath };
    };
    const serving = (names: readonly string[]) =>
        `subjectAltName=${["IP:127.0.0.1", "DNS:localhost", ...names.map((n) => `DNS:${n}`)].join(",")}\n` +
        "extendedKeyUsage=serverAuth\n";

    const apiServer = issue(
        "apiserver",
        "/CN=kube-apiserver",
        serving(["kubernetes", "kubernetes.default", "kubernetes.default.svc"]),
    );
    const admin = issue("admin", "/O=system:masters/CN=e2e-admin", "extendedKeyUsage=clientAuth\n");
    const webhook = issue("webhook", "/CN=azure-wi-webhook", serving([]));
    const standin = issue("standins", "/CN=azure-standins", serving(options.standinDnsNames ?? []));

    // Service-account tokens are RS256-signed, as AKS's are.
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", file("sa.key"));
    openssl("pkey", "-in", file("sa.key"), "-pubout", "-out", file("sa.pub"));

    return {
        dir,
        caPath: file("ca.pem"),
        apiServer,
        admin,
        webhook,
        serviceAccountKeyPath: file("sa.key"),
        serviceAccountPublicKeyPath: file("sa.pub"),
        standins: {
            dir,
            caPath: file("ca.pem"),
            cert: readFileSync(standin.certPath, "utf8"),
            key: readFileSync(standin.keyPath, "utf8"),
        },
    };
}
