import { createLocalJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JSONWebKeySet } from "jose";

import { ENTRA, type EntraError } from "../../tools/plan/azureErrors";

/**
 * Entra ID's side of workload identity federation, as a client-authentication rule for the Entra token endpoint
 * stand-in: a client assertion is accepted only if (1) the client id names a managed identity, (2) one of that
 * identity's federated credentials has the assertion's issuer, (3) the assertion's signature verifies against that
 * issuer's published keys (OIDC discovery, then JWKS, fetched over HTTPS) and it is within its lifetime, and (4) a
 * credential with that issuer also has exactly the assertion's subject and one of its audiences. Mismatches answer
 * with Entra's codes, in Entra's order: AADSTS700016, 70021 (no credential at all), 700211 (issuer), 700213
 * (subject), 700212 (audience). Matching is exact and case-sensitive, as Entra's is.
 */

export interface FederatedIdentity {
    readonly name: string;
    readonly clientId: string;
    readonly principalId: string;
}

export interface FederatedCredential {
    /** Name of the identity the credential belongs to (its `resourceName`). */
    readonly identityName: string;
    readonly issuer: string;
    readonly subject: string;
    readonly audiences: readonly string[];
}

/** What Entra knows: the identities and their federated credentials. */
export interface Federation {
    readonly tenantId: string;
    readonly identities: readonly FederatedIdentity[];
    readonly credentials: readonly FederatedCredential[];
}

/** The identity a token is issued to. */
export interface FederatedPrincipal {
    readonly objectId: string;
    readonly appId: string;
}

/** An error as the token endpoint answers it (the shape of tests/support/entraStandin.ts). */
export interface TokenEndpointError {
    readonly error: string;
    readonly error_description: string;
    readonly status: number;
}

export interface AssertionRequest {
    readonly tenantId: string;
    readonly clientId: string;
    /** The client assertion (the projected service-account token), or undefined when the client sent none. */
    readonly assertion: string | undefined;
}

export function isTokenEndpointError(
    decision: FederatedPrincipal | TokenEndpointError,
): decision is TokenEndpointError {
    return "error" in decision;
}

/**
 * @param federation what Entra knows, read per request (tests change it between cases)
 * @param fetchJson how Entra reaches the issuer's discovery document and keys
 * @param now Entra's clock in seconds since the epoch (tests inject a simulated one); the real time by default
 */
export function federatedAuthenticator(
    federation: () => Federation,
    fetchJson: (url: string) => Promise<unknown>,
    now: () => number = () => Date.now() / 1000,
): (request: AssertionRequest) => Promise<FederatedPrincipal | TokenEndpointError> {
    return async ({ tenantId, clientId, assertion }) => {
        const world = federation();
        const identity = world.identities.find((candidate) => candidate.clientId === clientId);
        if (identity === undefined || tenantId !== world.tenantId) {
            return answer(ENTRA.unknownClient(clientId, tenantId));
        }
        if (assertion === undefined) {
            return {
                error: "invalid_client",
                error_description:
                    "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
                status: 401,
            };
        }
        let claims: Record<string, unknown>;
        try {
            claims = decodeJwt(assertion);
        } catch {
            return answer(ENTRA.assertionSignatureInvalid());
        }
        const issuer = String(claims.iss ?? "");
        const subject = String(claims.sub ?? "");
        const audiences = ([] as unknown[]).concat(claims.aud ?? []).map(String);

        const credentials = world.credentials.filter((credential) => credential.identityName === identity.name);
        if (credentials.length === 0) {
            return answer(ENTRA.noFederatedRecord(issuer, subject, audiences.join(",")));
        }
        const withIssuer = credentials.filter((credential) => credential.issuer === issuer);
        if (withIssuer.length === 0) {
            return answer(ENTRA.issuerMismatch(issuer));
        }

        try {
            const discovery = (await fetchJson(`${issuer.replace(/\/?$/, "/")}.well-known/openid-configuration`)) as {
                issuer?: string;
                jwks_uri?: string;
            };
            if (discovery.issuer !== issuer || typeof discovery.jwks_uri !== "string") {
                return answer(ENTRA.assertionSignatureInvalid());
            }
            const keys = (await fetchJson(discovery.jwks_uri)) as JSONWebKeySet;
            await jwtVerify(assertion, createLocalJWKSet(keys), { issuer, currentDate: new Date(now() * 1000) });
        } catch (error) {
            if (error instanceof joseErrors.JWTExpired) {
                return answer(ENTRA.assertionExpired(now(), numberOrUndefined(claims.nbf), Number(claims.exp)));
            }
            return answer(ENTRA.assertionSignatureInvalid());
        }

        const withSubject = withIssuer.filter((credential) => credential.subject === subject);
        if (withSubject.length === 0) {
            return answer(ENTRA.subjectMismatch(subject));
        }
        if (!withSubject.some((credential) => credential.audiences.some((audience) => audiences.includes(audience)))) {
            return answer(ENTRA.audienceMismatch(audiences.join(",")));
        }
        return { objectId: identity.principalId, appId: identity.clientId };
    };
}

function answer(error: EntraError): TokenEndpointError {
    return { error: error.error, error_description: error.description, status: error.status };
}

function numberOrUndefined(value: unknown): number | undefined {
    return typeof value === "number" ? value : undefined;
}
