/**
 * The Peig port: what the migration workflow needs from a Peig workspace. Peig publishes no admin API
 * (every step is a UI action, https://docs.peig.io/welcome-to-peig-documentation/admin-guide), so the
 * "api" adapter speaks the contract in docs/peig-admin-api.md and "operator" mode turns the writes into
 * human tasks (operatorSteps.ts). Values are JSON-safe (dates as ISO 8601 strings) because Durable
 * persists activity results.
 */

/** Configuration > SAML IDP Info. */
export interface SamlIdpInfo {
  /** `https://[SERVER]/idp/shibboleth` */
  idpEntityId: string;
  /** `https://[SERVER]/idp/profile/SAML2/POST/SSO` */
  signInUrl: string;
  /** `https://[SERVER]/idp/profile/Logout` */
  signOutUrl: string;
  /** Peig's own IdP signing certificate (PEM). Used at Step 5 (federation), never in the Migration section. */
  idpCertificatePem: string;
}

/** The values typed into Configuration > Microsoft 365 Active Provider > Migration. */
export interface MigrationConfigurationInput {
  /** Application (client) ID of the Entra app PeigMigrationManager. */
  applicationId: string;
  /** Entra's SAML signing certificate of PeigMigrationManager ("Certificate (Base64)"), PEM. */
  idpCertificatePem: string;
}

/** A saved migration configuration as Peig reports it back (the certificate by its thumbprint). */
export interface MigrationConfiguration {
  applicationId: string;
  /** SHA-1 of the certificate's DER, upper-case hex. */
  certificateThumbprint: string;
  /** ISO 8601. */
  certificateNotAfter: string;
  /** ISO 8601; the onboarding window opens here. */
  savedAt: string;
}

/** What Configuration > Microsoft 365 Active Provider > Migration shows: nothing yet, a saved configuration, or that it was deleted (for good). */
export type MigrationConfigurationState =
  | { state: "none" }
  | { state: "saved"; configuration: MigrationConfiguration }
  | { state: "deleted"; /** ISO 8601. */ deletedAt: string };

export interface ValidationResult {
  valid: boolean;
  /** Human-readable, one per problem, each naming the field ("applicationId: …", "idpCertificate: …"). */
  problems: string[];
}

/**
 * Users & Access status. "Not Onboarded" is the runbook's word; "Active"/"Suspended" are the user
 * states of https://docs.peig.io/welcome-to-peig-documentation/admin-guide/managing-access.
 */
export const peigUserStatuses = ["Not Onboarded", "Active", "Suspended"] as const;
export type PeigUserStatus = (typeof peigUserStatuses)[number];

/** A Users & Access user (the same entity as a Peig account on the MS365 Identifiers tab). */
export interface PeigUser {
  id: string;
  displayName: string;
  email: string;
  status: PeigUserStatus;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601; null until a device is registered. */
  onboardedAt: string | null;
}

/** A pending request at the top of the Users & Access dashboard. */
export interface OnboardingRequest {
  id: string;
  /** The e-mail the user typed into Peig; may not match their Microsoft 365 account. */
  email: string;
  displayName: string;
  /** ISO 8601. */
  submittedAt: string;
}

export type LinkStatus = "linked" | "unlinked";

/** MS365 Identifiers > Peig Accounts tab. */
export interface PeigAccount {
  id: string;
  displayName: string;
  email: string;
  linkStatus: LinkStatus;
  /** The linked Microsoft 365 user's object id; null when unlinked. */
  microsoft365UserId: string | null;
}

/** MS365 Identifiers > Microsoft 365 Accounts tab. */
export interface Microsoft365Account {
  /** Entra object id. */
  id: string;
  userPrincipalName: string;
  mail: string | null;
  displayName: string;
  linkStatus: LinkStatus;
  /** The linked Peig account; null when unlinked. */
  peigAccountId: string | null;
}

export interface CreatePeigAccountResult {
  peigAccountId: string;
  /** False when the account already existed (including one made by an earlier attempt whose response was lost). */
  created: boolean;
}

export interface PeigPort {
  /**
   * The same workspace through a client that keeps to 1/`peers` of the app's Peig request budget: the
   * `peers` activities the orchestration runs at once each take one, so together they stay within Peig's
   * limit on however many instances they run (docs/architecture.md#limits-for-the-whole-app).
   */
  sharedBy(peers: number): PeigPort;
  getSamlIdpInfo(): Promise<SamlIdpInfo>;
  /** The saved configuration, or that there is none: never saved, or deleted (and when). */
  getMigrationConfiguration(): Promise<MigrationConfigurationState>;
  validateMigrationConfiguration(config: MigrationConfigurationInput): Promise<ValidationResult>;
  /** Needs a passing validation of the same values first. Idempotent: the same values again = "unchanged". */
  saveMigrationConfiguration(config: MigrationConfigurationInput): Promise<"saved" | "unchanged">;
  /** Irreversible. A configuration that is already gone is "alreadyDeleted", not an error. */
  deleteMigrationConfiguration(): Promise<"deleted" | "alreadyDeleted">;
  /** All pages. */
  listUsers(): Promise<PeigUser[]>;
  /** All pages. */
  listPendingRequests(): Promise<OnboardingRequest[]>;
  /** Each resolves a pending request; repeating the same resolution is a no-op, a different one throws. */
  approveRequest(requestId: string): Promise<void>;
  denyRequest(requestId: string): Promise<void>;
  mergeRequest(requestId: string, targetUserId: string): Promise<void>;
  /** All pages. */
  listMicrosoft365Accounts(): Promise<Microsoft365Account[]>;
  /** null when the tenant has no such (enabled member) account. */
  getMicrosoft365Account(microsoft365UserId: string): Promise<Microsoft365Account | null>;
  /** All pages. */
  listPeigAccounts(): Promise<PeigAccount[]>;
  /** "Create Peig Account": a placeholder account pre-linked to the Microsoft 365 account. Idempotent. */
  createPeigAccount(microsoft365UserId: string): Promise<CreatePeigAccountResult>;
}

/** Error codes of the contract (docs/peig-admin-api.md, "Errors"). */
export const peigErrorCodes = [
  "invalidRequest",
  "invalidCursor",
  "unauthorized",
  "notFound",
  "methodNotAllowed",
  "migrationConfigurationNotFound",
  "validationRequired",
  "invalidMigrationConfiguration",
  "migrationClosed",
  "onboardingRequestNotFound",
  "requestAlreadyHandled",
  "userNotFound",
  "microsoft365AccountNotFound",
  "accountAlreadyExists",
  "idempotencyKeyReused",
  "throttled",
  "serviceUnavailable",
  "internalError",
] as const;
export type PeigErrorCode = (typeof peigErrorCodes)[number];

/** How a handled onboarding request was resolved (returned with 409 requestAlreadyHandled). */
export type RequestResolution = "approved" | "denied" | "merged";
