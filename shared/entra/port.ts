/**
 * The Entra port: the temporary SAML enterprise app the Peig migration signs users into, the users in
 * scope, and the sign-ins that prove a user onboarded. Values are JSON-safe because Durable persists
 * activity results.
 */
import type { MigrationScope, ScopeDecision } from "../domain/scope";

export interface MigrationAppSpec {
  /** "PeigMigrationManager" in the runbook. */
  displayName: string;
  /** Peig [SERVER] (host[:port]) taken from the IDP Entity ID. */
  server: string;
  /** appId remembered from an earlier run; looked up first. */
  knownAppId?: string;
  /** Requested end of the SAML signing certificate (at most 3 years from now). */
  certificateEndDateTime: Date;
  migrationId: string;
  /**
   * Ended migrations (cancelled or failed, app left in place) whose app this migration may take over
   * when that app holds the Peig server's Entity ID: identifierUris are unique in a tenant, so a second
   * app for the same server could never get it.
   */
  adoptableMigrationIds?: string[];
  /**
   * The app an earlier run of this migration instantiated (its ids were stored first thing): it exists, so a 404
   * on it is replication, waited out, and lists that do not show it yet are not asked.
   */
  instantiated?: InstantiatedApp;
  /** Called right after instantiate answers, before any other request: the caller stores the ids durably. */
  onInstantiated?: (app: InstantiatedApp) => Promise<void>;
}

/** The ids instantiate answered with: enough to find the app again while lists still lag. */
export interface InstantiatedApp {
  appId: string;
  applicationObjectId: string;
  servicePrincipalId?: string;
}

export interface MigrationApp {
  appId: string;
  applicationObjectId: string;
  servicePrincipalId: string;
  /** "" when the app has no identifier URI yet (only from findMigrationApp). */
  entityId: string;
  /** "" when the app has no redirect URI yet (only from findMigrationApp). */
  replyUrl: string;
  /** "" when no signing key is active yet (only from findMigrationApp). */
  thumbprint: string;
  /** ISO 8601; "" when no signing key is active. */
  certificateNotAfter: string;
  /** The portal's "Certificate (Base64)": PEM of the active signing certificate; "" when none. */
  certificatePem: string;
  /** True when this call instantiated the app. */
  created: boolean;
  /** The ended migration this call took the app over from (only from ensureMigrationApp). */
  adoptedFrom?: string;
}

export interface DirectoryUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string | null;
  proxyAddresses: string[];
  otherMails: string[];
}

export interface MigrationSignIn {
  id: string;
  userId: string;
  userPrincipalName: string;
  createdDateTime: string;
}

export interface DeleteMigrationAppResult {
  servicePrincipal: "deleted" | "alreadyGone";
  application: "deleted" | "alreadyGone";
}

/** One identifier-URI restriction of the tenant's app management policy, as read. */
export interface IdentifierUriRestrictionRead {
  name: "uriAdditionWithoutUniqueTenantIdentifier" | "nonDefaultUriAddition";
  state: "enabled" | "disabled" | null;
  excludeSaml: boolean | null;
  restrictForAppsCreatedAfterDateTime: string | null;
}

/** What a real tenant can refuse, read before anything is created (the preflight). */
export interface TenantReadiness {
  /** Application permissions in the app's own token (`roles`); null when no token could be read, with why. */
  roles: string[] | null;
  rolesError?: string;
  identifierUriPolicy:
    | { readable: true; isEnabled: boolean; restrictions: IdentifierUriRestrictionRead[] }
    | { readable: false; error: string };
  /** Sign-in logs, when asked for (operator mode). */
  signInLogs: "readable" | "notLicensed" | "forbidden" | "notChecked" | { error: string };
  /** Each sender: its user object, and whether Exchange has a mailbox for it (read with Mail.ReadWrite). */
  senders: { address: string; exists: boolean; mailbox: "yes" | "none" | "unknown"; mailboxError?: string }[];
}

export interface EntraPort {
  /** Find-or-create; completes any missing step on an existing app. Idempotent. */
  ensureMigrationApp(spec: MigrationAppSpec): Promise<MigrationApp>;
  findMigrationApp(
    spec: Pick<MigrationAppSpec, "displayName" | "knownAppId" | "migrationId">,
  ): Promise<MigrationApp | null>;
  deleteMigrationApp(ref: { appId: string }): Promise<DeleteMigrationAppResult>;
  /** The users a migration covers (`shared/domain/scope.ts`). */
  listUsersInScope(scope: MigrationScope): Promise<DirectoryUser[]>;
  /** The same, with how many users each scope rule left out and a few of their names (the dry-run plan). */
  readScope(scope: MigrationScope): Promise<ScopeDecision<DirectoryUser>>;
  /** The ids of a group's users, nested groups followed (which wave a person is in: shared/domain/waves.ts). */
  listGroupUserIds(groupId: string): Promise<string[]>;
  /**
   * Each group's display name (a start names groups by their object ids): null when no group has that id, absent
   * when the app may not read groups (the preflight names that permission).
   */
  readGroupNames(groupIds: readonly string[]): Promise<Map<string, string | null>>;
  listMigrationSignIns(query: { appId: string; since?: string }): Promise<MigrationSignIn[]>;
  /** Reads only: the token's roles, the identifier-URI policy, whether sign-in logs can be read, the sender mailboxes. */
  readTenantReadiness(query: { senders: string[]; signInLogs: boolean }): Promise<TenantReadiness>;
}
