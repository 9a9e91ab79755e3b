/**
 * The Azure Resource Manager api-versions the project's own Azure SDK calls use, pinned here rather than left to each
 * SDK package's default. The api-version decides the shape of what ARM returns and accepts; the existing-cluster update
 * PUTs back the cluster it read, so its version must be chosen, not changed silently by a dependency bump (Dependabot
 * updates the SDKs weekly). Changing a version here is a reviewed change, with tests/armStandin accepting the new one.
 *
 * Chosen 2026-11-29 (issue 11): the newest GA version each SDK in package-lock.json was generated for, so the pinned
 * version and the SDK's models describe the same API.
 */

/** Microsoft.ContainerService (managed clusters): @azure/arm-containerservice 25.3.0's default; GA. */
export const CONTAINER_SERVICE_API_VERSION = "2026-04-01";

/** Microsoft.ManagedIdentity (federated identity credentials): @azure/arm-msi 2.2.0's default; GA. */
export const MANAGED_IDENTITY_API_VERSION = "2024-11-30";

/**
 * Microsoft.Authorization (role assignments): @azure/arm-authorization 9.0.0 sends 2022-04-01 for role assignments
 * and has no client option for it, so verify sets it per request (see `pinnedApiVersionPolicy`).
 */
export const AUTHORIZATION_API_VERSION = "2022-04-01";

/**
 * Microsoft.Insights (diagnostic settings, which `npm run verify` lists with one REST call: no SDK client of this
 * project covers it): the version azure-native 3.28's DiagnosticSetting writes them with ("Uses Azure REST API version
 * 2021-05-01-preview"), so verify reads them in the shape they were written.
 */
export const DIAGNOSTIC_SETTINGS_API_VERSION = "2021-05-01-preview";
