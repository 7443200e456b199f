/**
 * The wire side of the Peig admin API contract (docs/peig-admin-api.md and
 * docs/peig-admin-api.openapi.yaml): the operations with their method and path under the base URL
 * `https://[SERVER]/admin-api/v1`, and the JSON bodies. Shared by the api adapter and the simulator so
 * both speak exactly the documented paths; a test checks this table against the OpenAPI file.
 */
import type { Microsoft365Account, PeigAccount, PeigErrorCode, PeigUser, RequestResolution } from "./port";

export const peigApiPathPrefix = "/admin-api/v1";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

const migrationConfiguration = "/providers/microsoft365/migration-configuration";
const microsoft365Account = "/ms365-identifiers/microsoft365-accounts/{microsoft365UserId}";

/** operationId → method and path template (relative to the base URL). */
export const peigOperations = {
  getSamlIdpInfo: { method: "GET", path: "/saml-idp-info" },
  getMigrationConfiguration: { method: "GET", path: migrationConfiguration },
  validateMigrationConfiguration: { method: "POST", path: `${migrationConfiguration}/validate` },
  saveMigrationConfiguration: { method: "PUT", path: migrationConfiguration },
  deleteMigrationConfiguration: { method: "DELETE", path: migrationConfiguration },
  listUsers: { method: "GET", path: "/users" },
  listOnboardingRequests: { method: "GET", path: "/onboarding-requests" },
  approveOnboardingRequest: { method: "POST", path: "/onboarding-requests/{requestId}/approve" },
  denyOnboardingRequest: { method: "POST", path: "/onboarding-requests/{requestId}/deny" },
  mergeOnboardingRequest: { method: "POST", path: "/onboarding-requests/{requestId}/merge" },
  listPeigAccounts: { method: "GET", path: "/ms365-identifiers/peig-accounts" },
  listMicrosoft365Accounts: { method: "GET", path: "/ms365-identifiers/microsoft365-accounts" },
  getMicrosoft365Account: { method: "GET", path: microsoft365Account },
  createPeigAccount: { method: "POST", path: `${microsoft365Account}/peig-account` },
} as const satisfies Record<string, { method: HttpMethod; path: string }>;

export type PeigOperationId = keyof typeof peigOperations;

/** Fills `{name}` placeholders, URL-encoding each value. */
export function expandPath(template: string, params: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${template}`);
    return encodeURIComponent(value);
  });
}

/** Paging: `?pageSize=` (1..500, default 100) and `?cursor=` from the previous page's `nextCursor`. */
export const defaultPageSize = 100;
export const maxPageSize = 500;

export interface Page<T> {
  items: T[];
  /** null on the last page. */
  nextCursor: string | null;
}

export interface SamlIdpInfoBody {
  idpEntityId: string;
  signInUrl: string;
  signOutUrl: string;
  /** PEM. */
  idpCertificate: string;
}

export interface MigrationConfigurationBody {
  applicationId: string;
  /** PEM ("Certificate (Base64)" as Entra downloads it). */
  idpCertificate: string;
}

export interface ValidationProblem {
  field: "applicationId" | "idpCertificate";
  message: string;
}

export interface ValidationBody {
  valid: boolean;
  problems: ValidationProblem[];
}

export interface SavedMigrationConfigurationBody {
  applicationId: string;
  certificateThumbprint: string;
  certificateNotAfter: string;
  savedAt: string;
}

export interface SaveResultBody {
  changed: boolean;
  configuration: SavedMigrationConfigurationBody;
}

export interface HandledRequestBody {
  id: string;
  email: string;
  displayName: string;
  submittedAt: string;
  resolution: RequestResolution;
  handledAt: string;
}

export interface RequestActionResultBody {
  request: HandledRequestBody;
  /** The account the request was approved into or merged with; absent for deny. */
  user?: PeigUser;
}

export interface MergeRequestBody {
  targetUserId: string;
}

/** The wire shape is the port's shape. */
export type Microsoft365AccountBody = Microsoft365Account;

export type PeigAccountBody = PeigAccount;

export interface ErrorBody {
  error: {
    code: PeigErrorCode;
    message: string;
    /** accountAlreadyExists: the existing account. */
    peigAccountId?: string;
    /** requestAlreadyHandled: how the request was resolved. */
    resolution?: RequestResolution;
    /** invalidMigrationConfiguration: what is wrong. */
    problems?: ValidationProblem[];
    /** migrationConfigurationNotFound after a delete: when it was deleted (absent when it was never saved). */
    deletedAt?: string;
  };
}

/** The rate limit the contract documents for every API key (docs/peig-admin-api.md, Conventions > Rate limit). */
export const contractRateLimit = { requestsPerSecond: 10, burst: 20 } as const;
