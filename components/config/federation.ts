import { MAX_FEDERATED_CREDENTIALS_PER_IDENTITY } from "../constants";
import { defaultFederatedCredentialName, serviceAccountSubject } from "../naming";
import { ConfigObject, fixCommand, fullKey, Problems, show } from "./reader";
import { RULES, SERVICE_ACCOUNT_ENTRY_KEYS } from "./schema";
import type { FederatedServiceAccount } from "./settings";

/**
 * `additionalServiceAccounts`, and the limits every federated ServiceAccount shares: one identity holds at most 20
 * credentials, each (issuer, subject) once.
 */

export function readAdditionalServiceAccounts(problems: Problems, raw: unknown): FederatedServiceAccount[] {
    if (raw === undefined || raw === null) {
        return [];
    }
    if (!Array.isArray(raw)) {
        problems.add(
            `${fullKey("additionalServiceAccounts")} = ${show(raw)}: must be a list of {namespace, name, federatedCredentialName?}. ` +
                `Fix: ${fixCommand("additionalServiceAccounts[0].name", "<serviceaccount>")}`,
        );
        return [];
    }
    return raw.map((entry: unknown, index) => {
        const item = new ConfigObject(
            problems,
            `additionalServiceAccounts[${index}]`,
            entry,
            SERVICE_ACCOUNT_ENTRY_KEYS,
        );
        const namespace = item.requiredString("namespace", RULES.namespace);
        const name = item.requiredString("name", RULES.serviceAccountName);
        return {
            namespace,
            name,
            federatedCredentialName: item.string(
                "federatedCredentialName",
                RULES.federatedCredentialName,
                defaultFederatedCredentialName(namespace, name),
            ),
        };
    });
}

/** One identity holds at most 20 credentials, and (issuer, subject) and credential names must be unique on it. */
export function checkFederationLimits(
    problems: Problems,
    aiService: FederatedServiceAccount,
    additional: readonly FederatedServiceAccount[],
    identityName: string,
): void {
    const all = [
        { path: "aiService", account: aiService },
        ...additional.map((account, i) => ({ path: `additionalServiceAccounts[${i}]`, account })),
    ];
    if (all.length > MAX_FEDERATED_CREDENTIALS_PER_IDENTITY) {
        problems.add(
            `${fullKey("additionalServiceAccounts")} lists ${additional.length} ServiceAccounts; with ai-service's that makes ` +
                `${all.length} federated credentials on identity "${identityName}", and Azure allows at most ` +
                `${MAX_FEDERATED_CREDENTIALS_PER_IDENTITY} per identity. Fix: remove ${all.length - MAX_FEDERATED_CREDENTIALS_PER_IDENTITY} ` +
                `entries, or give those workloads a stack (and identity) of their own`,
        );
    }
    const bySubject = new Map<string, string>();
    const byCredentialName = new Map<string, string>();
    for (const { path, account } of all) {
        if (account.namespace === "" || account.name === "") {
            continue;
        }
        const subject = serviceAccountSubject(account.namespace, account.name);
        const firstWithSubject = bySubject.get(subject);
        if (firstWithSubject !== undefined) {
            problems.add(
                `${fullKey(path)} repeats ServiceAccount ${account.namespace}/${account.name} of ${fullKey(firstWithSubject)}: ` +
                    `subject "${subject}" can be federated only once per identity. Fix: remove the duplicate entry`,
            );
        } else {
            bySubject.set(subject, path);
        }
        const credentialName = account.federatedCredentialName;
        const firstWithName = byCredentialName.get(credentialName.toLowerCase());
        if (firstWithName !== undefined) {
            problems.add(
                `${fullKey(`${path}.federatedCredentialName`)} = ${show(credentialName)} is already used by ${fullKey(firstWithName)}: ` +
                    `credential names are unique per identity. Fix: ${fixCommand(`${path}.federatedCredentialName`, "<unique-name>")}`,
            );
        } else {
            byCredentialName.set(credentialName.toLowerCase(), path);
        }
    }
}
