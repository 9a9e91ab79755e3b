import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/**
 * Microsoft Entra ID in front of the local kube-apiserver, the way an AKS cluster with AKS-managed Entra integration
 * has it: the API server accepts Entra access tokens for the AKS server application, takes the user name from `oid`
 * and the groups from `groups`, and keeps its own client-certificate and service-account authentication (which the
 * harness, the controller-manager and the webhook use). Here the issuer is the Entra stand-in's v2.0 issuer for the
 * test tenant, through the API server's structured authentication configuration (`--authentication-config`,
 * apiserver.config.k8s.io/v1, GA since Kubernetes 1.34).
 *
 * Writes are recorded in an audit log, so a scenario can read who made them (the `oid`, not a certificate).
 */

/**
 * The application id of the "Azure Kubernetes Service AAD Server" application: the audience of the Entra tokens an
 * AKS-managed Entra cluster accepts, the same in every tenant (https://learn.microsoft.com/azure/aks/kubelogin-authentication,
 * "--server-id"). Written out here rather than imported from the program, so the scenario checks the program's value.
 */
export const AKS_SERVER_APPLICATION_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

export interface EntraApiServer {
    /** The `iss` of the tokens the API server accepts: the Entra stand-in's, `https://127.0.0.1:<port>/<tenant>/v2.0`. */
    readonly issuerUrl: string;
    /** CA of the stand-in's serving certificate: the API server fetches the issuer's discovery document and keys. */
    readonly issuerCaPath: string;
}

export interface EntraApiServerFiles {
    /** kube-apiserver flags: the authentication configuration and the audit log. */
    readonly args: readonly string[];
    /** The audit log (JSON lines, one event per write, level Metadata). */
    readonly auditLogPath: string;
}

/** Writes the authentication configuration and the audit policy into `dir` and returns the flags that load them. */
export function entraApiServerFiles(dir: string, entra: EntraApiServer): EntraApiServerFiles {
    const authenticationConfigPath = path.join(dir, "authentication-config.json");
    writeFileSync(
        authenticationConfigPath,
        JSON.stringify(
            {
                apiVersion: "apiserver.config.k8s.io/v1",
                kind: "AuthenticationConfiguration",
                jwt: [
                    {
                        issuer: {
                            url: entra.issuerUrl,
                            audiences: [AKS_SERVER_APPLICATION_ID],
                            certificateAuthority: readFileSync(entra.issuerCaPath, "utf8"),
                        },
                        // No prefix: RBAC subjects on AKS name Entra object ids as they are (the admin groups'
                        // ClusterRoleBinding names the group ids; a user binding names the object id).
                        claimMappings: {
                            username: { claim: "oid", prefix: "" },
                            groups: { claim: "groups", prefix: "" },
                        },
                    },
                ],
            },
            null,
            2,
        ),
    );
    const auditPolicyPath = path.join(dir, "audit-policy.json");
    writeFileSync(
        auditPolicyPath,
        JSON.stringify({
            apiVersion: "audit.k8s.io/v1",
            kind: "Policy",
            omitStages: ["RequestReceived"],
            rules: [{ level: "Metadata", verbs: ["create", "update", "patch", "delete"] }],
        }),
    );
    const auditLogPath = path.join(dir, "audit.log");
    return {
        args: [
            `--authentication-config=${authenticationConfigPath}`,
            `--audit-policy-file=${auditPolicyPath}`,
            `--audit-log-path=${auditLogPath}`,
            // Each event is written before the request returns, so a scenario reads every write of a finished command.
            "--audit-log-mode=blocking",
        ],
        auditLogPath,
    };
}

/** One audit event, the fields a scenario reads. */
export interface AuditEvent {
    readonly verb: string;
    readonly stage: string;
    readonly user: { readonly username: string; readonly groups?: readonly string[] };
    readonly userAgent?: string;
    readonly objectRef?: {
        readonly resource?: string;
        readonly subresource?: string;
        readonly namespace?: string;
        readonly name?: string;
    };
    readonly responseStatus?: { readonly code?: number };
}

/** The completed requests in the audit log (stage ResponseComplete), in order. */
export function readAuditLog(auditLogPath: string): AuditEvent[] {
    return readFileSync(auditLogPath, "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as AuditEvent)
        .filter((event) => event.stage === "ResponseComplete");
}
