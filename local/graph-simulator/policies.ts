/**
 * The tenant's app management policy on identifier URIs
 * (https://learn.microsoft.com/en-us/graph/api/resources/tenantappmanagementpolicy?view=graph-rest-1.0,
 * https://learn.microsoft.com/en-us/graph/api/resources/identifieruriconfiguration?view=graph-rest-1.0,
 * https://learn.microsoft.com/en-us/graph/api/resources/identifierurirestriction?view=graph-rest-1.0): what
 * `GET /policies/defaultAppManagementPolicy` returns and what the identifier-URI check of the directory enforces,
 * so both always agree.
 */
import { GraphHttpError, ok, type SimRequest, type SimResponse } from "./http";

export interface SimIdentifierUriRestriction {
  state: "enabled" | "disabled";
  excludeSaml: boolean;
  excludeAppsReceivingV2Tokens: boolean;
  /** ISO time; the restriction applies to apps created after it (null: to all). */
  restrictForAppsCreatedAfterDateTime: string | null;
}

export interface SimIdentifierUriPolicy {
  isEnabled: boolean;
  /** Blocks URIs without a verified domain, tenant id or app id (the policy Microsoft enabled in 2025). */
  uriAdditionWithoutUniqueTenantIdentifier: SimIdentifierUriRestriction;
  /** Blocks every URI but api://{appId} and api://{tenantId}/{appId}. */
  nonDefaultUriAddition: SimIdentifierUriRestriction;
}

/**
 * Microsoft's rollout default: the unique-identifier restriction enabled with SAML apps exempt ("Applications
 * that are configured to use the SAML protocol … are exempted",
 * https://learn.microsoft.com/en-us/entra/identity-platform/identifier-uri-restrictions).
 */
export function defaultIdentifierUriPolicy(samlExempt: boolean): SimIdentifierUriPolicy {
  const restriction = (state: "enabled" | "disabled"): SimIdentifierUriRestriction => ({
    state,
    excludeSaml: samlExempt,
    excludeAppsReceivingV2Tokens: true,
    restrictForAppsCreatedAfterDateTime: null,
  });
  return {
    isEnabled: true,
    uriAdditionWithoutUniqueTenantIdentifier: restriction("enabled"),
    nonDefaultUriAddition: restriction("disabled"),
  };
}

/** The error text of the 2025 policy (identifier-uri-restrictions page, "Policy behavior"). */
export function identifierUriPolicyError(uri: string): GraphHttpError {
  return new GraphHttpError(
    400,
    "Request_BadRequest",
    `Failed to add identifier URI ${uri}. All newly added URIs must contain a tenant verified domain, tenant ID, or app ID, as per the default tenant policy of your organization. See https://aka.ms/identifier-uri-addition-error for more information on this error.`,
  );
}

function applies(restriction: SimIdentifierUriRestriction, app: { createdDateTime: string; saml: boolean }): boolean {
  if (restriction.state !== "enabled" || (restriction.excludeSaml && app.saml)) return false;
  const after = restriction.restrictForAppsCreatedAfterDateTime;
  return after === null || Date.parse(app.createdDateTime) > Date.parse(after);
}

/** Whether the policy refuses an https identifier URI on an app (SAML as Entra sees it at this moment). */
export function policyRefuses(
  policy: SimIdentifierUriPolicy,
  uri: { verifiedHost: boolean },
  app: { createdDateTime: string; saml: boolean },
): boolean {
  if (!policy.isEnabled) return false;
  return (
    applies(policy.nonDefaultUriAddition, app) ||
    (!uri.verifiedHost && applies(policy.uriAdditionWithoutUniqueTenantIdentifier, app))
  );
}

/** GET /policies/defaultAppManagementPolicy (https://learn.microsoft.com/en-us/graph/api/tenantappmanagementpolicy-get?view=graph-rest-1.0, 200). */
export function handlePolicies(
  request: SimRequest,
  policy: SimIdentifierUriPolicy,
  baseUrl: string,
): SimResponse | undefined {
  if (request.method !== "GET") return undefined;
  if (request.path === "/policies/defaultAppManagementPolicy") {
    return ok({
      "@odata.context": `${baseUrl}v1.0/$metadata#policies/defaultAppManagementPolicy/$entity`,
      id: "00000000-0000-0000-0000-000000000000",
      displayName: "Default app management tenant policy",
      isEnabled: policy.isEnabled,
      applicationRestrictions: {
        passwordCredentials: [],
        keyCredentials: [],
        identifierUris: {
          nonDefaultUriAddition: { ...policy.nonDefaultUriAddition, isStateSetByMicrosoft: false },
          uriAdditionWithoutUniqueTenantIdentifier: {
            ...policy.uriAdditionWithoutUniqueTenantIdentifier,
            isStateSetByMicrosoft: true,
          },
        },
      },
      servicePrincipalRestrictions: { passwordCredentials: [], keyCredentials: [] },
    });
  }
  return undefined;
}
