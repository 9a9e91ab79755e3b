import { startHttpsServer, type RunningServer, type TestTls } from "../../tests/support/tls";
import type { KubeApi } from "./kubeApi";

/**
 * Stand-in for the OIDC issuer endpoint AKS hosts for a cluster (`https://<region>.oic.prod-aks.azure.com/<tenant>/
 * <cluster>/`), the Azure side of workload identity that Entra ID reads. Like AKS's, it republishes the API server's
 * own documents: the discovery document from `/.well-known/openid-configuration` and the signing keys from
 * `/openid/v1/jwks`, fetched from the local API server on every request, so a key the API server rotates is what
 * Entra sees. The API server is started with `--service-account-issuer` and `--service-account-jwks-uri` pointing here.
 */
export class IssuerHost {
    readonly requests: string[] = [];
    private api: KubeApi | undefined;

    private constructor(
        private readonly server: RunningServer,
        readonly issuerUrl: string,
    ) {}

    /** Listens on 127.0.0.1 before the API server starts (its flags need the URL); serves once `attach` is called. */
    static async start(tls: TestTls, tenantId: string, clusterGuid: string): Promise<IssuerHost> {
        const holder: { host?: IssuerHost } = {};
        const server = await startHttpsServer(tls, (req, res) => {
            const answer = (status: number, body: unknown) => {
                res.writeHead(status, { "content-type": "application/json" });
                res.end(JSON.stringify(body));
            };
            const url = new URL(req.url ?? "/", "https://127.0.0.1");
            holder.host?.requests.push(url.pathname);
            const prefix = `/${tenantId}/${clusterGuid}/`;
            const upstream =
                url.pathname === `${prefix}.well-known/openid-configuration`
                    ? "/.well-known/openid-configuration"
                    : url.pathname === `${prefix}openid/v1/jwks`
                      ? "/openid/v1/jwks"
                      : undefined;
            const api = holder.host?.api;
            if (req.method !== "GET" || upstream === undefined || api === undefined) {
                answer(404, { error: "not_found", path: url.pathname });
                return;
            }
            // The API server serves its keys only as application/jwk-set+json, as an issuer host must.
            api.get(upstream, upstream === "/openid/v1/jwks" ? "application/jwk-set+json" : "application/json").then(
                (document) => answer(200, document),
                (error: Error) => answer(502, { error: "upstream", message: error.message }),
            );
        });
        holder.host = new IssuerHost(server, `${server.url}${tenantId}/${clusterGuid}/`);
        return holder.host;
    }

    /** Where the API server says its keys are (`--service-account-jwks-uri`). */
    get jwksUri(): string {
        return `${this.issuerUrl}openid/v1/jwks`;
    }

    attach(api: KubeApi): void {
        this.api = api;
    }

    close(): Promise<void> {
        return this.server.close();
    }
}
