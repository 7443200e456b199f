/**
 * The minimal shapes the pure domain logic reads. Declared here, structurally, so shared/domain depends on no
 * adapter: the Entra port's DirectoryUser/MigrationSignIn and the Peig port's PeigUser/OnboardingRequest/
 * Microsoft365Account all satisfy them as they are.
 */

/** A Microsoft 365 (Entra) user as Graph returns it with `$select=id,displayName,userPrincipalName,mail,proxyAddresses,otherMails`. */
export interface M365User {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string | null;
  /** "SMTP:x" = primary, "smtp:x" = alias; other prefixes ("x500:", "sip:") are not e-mail addresses. */
  proxyAddresses: readonly string[];
  otherMails: readonly string[];
}

/**
 * Users & Access status. "Not Onboarded" is the runbook's word; "Active" and "Suspended" are Peig's user states
 * (https://docs.peig.io/welcome-to-peig-documentation/admin-guide/managing-access). "Active" is what the runbook
 * calls onboarded.
 */
export type PeigUserStatus = "Active" | "Not Onboarded" | "Suspended";

export interface PeigUser {
  id: string;
  email: string;
  displayName: string;
  status: PeigUserStatus;
}

/** A pending request on the Users & Access dashboard; `email` is what the person typed. */
export interface OnboardingRequest {
  id: string;
  email: string;
  displayName: string;
  /** ISO 8601. */
  submittedAt: string;
}

/** A row of MS365 Identifiers > Microsoft 365 Accounts. `id` is the Entra object id of the user. */
export interface Microsoft365Account {
  id: string;
  userPrincipalName: string;
  mail: string | null;
  linkStatus: "linked" | "unlinked";
  /** The linked Peig account (= Peig user id); null when unlinked. */
  peigAccountId: string | null;
}

/** What Peig shows in api mode. */
export interface PeigState {
  users: readonly PeigUser[];
  pendingRequests: readonly OnboardingRequest[];
  microsoft365Accounts: readonly Microsoft365Account[];
}

/** A successful sign-in to the migration app (Entra sign-in logs filtered by its appId): operator mode's evidence. */
export interface MigrationSignIn {
  userId: string;
  userPrincipalName: string;
  /** ISO 8601. */
  createdDateTime: string;
}
