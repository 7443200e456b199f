/**
 * The simulated Peig workspace: the state behind the admin API contract (docs/peig-admin-api.md) and the
 * behaviour of the migration window, without HTTP. Onboarding is evaluated lazily against the clock:
 * `advance()` (called before every request) replays every onboarding that is due, in time order, so the
 * outcome depends only on the tenant, the clock and the calls made, never on wall time.
 */
import { assertUsableForMigration, CertificateError, parseCertificate } from "../../shared/certificates";
import type { Clock } from "../../shared/clock";
import type {
  HandledRequestBody,
  Microsoft365AccountBody,
  SavedMigrationConfigurationBody,
  ValidationProblem,
} from "../../shared/peig/contract";
import type { PeigAccount, PeigErrorCode, PeigUser, PeigUserStatus, RequestResolution } from "../../shared/peig/port";
import type { Tenant, TenantUser } from "../fixtures/tenant";
import { IdOrdered } from "./idOrdered";

/** An error the contract defines; the HTTP layer turns it into `{ "error": { code, message, ... } }`. */
export class PeigSimulatorError extends Error {
  constructor(
    readonly status: number,
    readonly code: PeigErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "PeigSimulatorError";
  }
}

interface AccountRecord extends PeigUser {
  microsoft365UserId: string | null;
}

interface RequestRecord {
  id: string;
  email: string;
  displayName: string;
  submittedAt: string;
  resolution: RequestResolution | null;
  handledAt: string | null;
}

interface ConfigurationRecord extends SavedMigrationConfigurationBody {
  /** applicationId (lower-case) + certificate thumbprint: what "the same values" means. */
  fingerprint: string;
}

interface ScheduledOnboarding {
  at: number;
  user: TenantUser;
}

export interface PeigWorkspaceOptions {
  clock: Clock;
  tenant: Tenant;
  onboardingWindowMs: number;
  autoApproveMatched: boolean;
  onMigrationSignIn?: (user: TenantUser, applicationId: string) => void;
}

/** The workspace's whole state, JSON-safe (the tenant comes from its seed, so it is not in it). */
export interface PeigWorkspaceSnapshot {
  accounts: AccountRecord[];
  requests: RequestRecord[];
  validatedFingerprints: string[];
  idempotentCreates: [string, { microsoft365UserId: string; account: PeigAccount }][];
  migratedUserIds: string[];
  configuration: ConfigurationRecord | null;
  migrationClosedAt: string | null;
  /** When the onboarding window opened (ms on the clock); the schedule is rebuilt from it. */
  windowOpenedAt: number | null;
  nextScheduled: number;
  accountSequence: number;
  requestSequence: number;
  signIns: number;
}

export type OnboardOutcome = "linked" | "pendingRequest" | "completedPlaceholder" | "alreadyOnboarded";

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The address Peig matches a typed e-mail against: the mailbox address, or the UPN for users without one. */
function primaryAddress(user: TenantUser): string {
  return (user.mail ?? user.userPrincipalName).toLowerCase();
}

export class PeigWorkspace {
  // Lists the API pages through are kept in id order (keyset paging, docs/peig-admin-api.md).
  private readonly accounts = new IdOrdered<AccountRecord>();
  /** Lower-cased e-mail → the first account with it (Approve matches a pre-created account by e-mail). */
  private readonly accountsByEmail = new Map<string, AccountRecord>();
  private readonly requests = new IdOrdered<RequestRecord>();
  /** The MS365 Identifiers > Microsoft 365 Accounts tab: the tenant's enabled members. */
  private readonly microsoft365Users = new IdOrdered<TenantUser>();
  private readonly microsoft365UsersByAddress: Map<string, TenantUser>;
  /** Microsoft 365 user id → the Peig account linked to it (at most one). */
  private readonly accountsByMicrosoft365UserId = new Map<string, AccountRecord>();
  private readonly validatedFingerprints = new Set<string>();
  private readonly idempotentCreates = new Map<string, { microsoft365UserId: string; account: PeigAccount }>();
  private readonly migratedUserIds = new Set<string>();
  private configuration: ConfigurationRecord | null = null;
  private migrationClosedAt: string | null = null;
  private schedule: ScheduledOnboarding[] = [];
  private windowOpenedAt: number | null = null;
  private nextScheduled = 0;
  private accountSequence = 0;
  private requestSequence = 0;
  private signIns = 0;

  constructor(private readonly options: PeigWorkspaceOptions) {
    const members = options.tenant.users.filter((u) => u.accountEnabled && u.userType === "Member");
    // Sorted first, so that each set is an append.
    for (const member of [...members].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)))
      this.microsoft365Users.set(member.id, member);
    this.microsoft365UsersByAddress = new Map(members.map((u) => [primaryAddress(u), u]));
  }

  private nowIso(): string {
    return this.options.clock.now().toISOString();
  }

  /** Runs every scheduled onboarding that is due at the clock's current time. */
  advance(): void {
    const now = this.options.clock.now().getTime();
    while (this.nextScheduled < this.schedule.length && this.schedule[this.nextScheduled].at <= now) {
      const { at, user } = this.schedule[this.nextScheduled++];
      if (!this.migratedUserIds.has(user.id)) this.onboard(user, new Date(at).toISOString());
    }
  }

  // --- Configuration > Microsoft 365 Active Provider > Migration -------------------------------------------

  getConfiguration(): SavedMigrationConfigurationBody {
    if (!this.configuration) throw this.noConfiguration();
    const { fingerprint: _fingerprint, ...body } = this.configuration;
    return body;
  }

  /** 404 for a read or delete with no configuration; after a delete it says when (a new migration's preflight tells "over" from "never"). */
  private noConfiguration(): PeigSimulatorError {
    return this.migrationClosedAt
      ? new PeigSimulatorError(
          404,
          "migrationConfigurationNotFound",
          `The Microsoft 365 Active Provider has no migration configuration: it was deleted at ${this.migrationClosedAt}, and deleting cannot be undone.`,
          { deletedAt: this.migrationClosedAt },
        )
      : new PeigSimulatorError(
          404,
          "migrationConfigurationNotFound",
          "The Microsoft 365 Active Provider has no migration configuration.",
        );
  }

  /** The Validate button: GUID format, a parseable certificate, valid now. Records a pass for Save. */
  validate(applicationId: string, idpCertificate: string): ValidationProblem[] {
    const problems: ValidationProblem[] = [];
    if (!guidPattern.test(applicationId.trim())) {
      problems.push({
        field: "applicationId",
        message:
          "must be the Application ID (a GUID such as 00000000-0000-0000-0000-000000000000) from the Entra app's Overview page",
      });
    }
    let fingerprint: string | null = null;
    try {
      const certificate = parseCertificate(idpCertificate);
      const now = this.options.clock.now();
      assertUsableForMigration(certificate, { now, deadline: now, marginMs: 0 });
      fingerprint = `${applicationId.trim().toLowerCase()}|${certificate.thumbprint}`;
    } catch (error) {
      if (!(error instanceof CertificateError)) throw error;
      problems.push({ field: "idpCertificate", message: error.message });
    }
    if (problems.length === 0 && fingerprint) this.validatedFingerprints.add(fingerprint);
    return problems;
  }

  /** The Save button. Returns whether anything changed and whether the configuration is new. */
  save(
    applicationId: string,
    idpCertificate: string,
  ): { changed: boolean; created: boolean; configuration: SavedMigrationConfigurationBody } {
    if (this.migrationClosedAt) {
      throw new PeigSimulatorError(
        409,
        "migrationClosed",
        `The migration configuration was deleted at ${this.migrationClosedAt}; deleting it cannot be undone.`,
      );
    }
    const fingerprint = this.fingerprintOf(applicationId, idpCertificate);
    if (!fingerprint || !this.validatedFingerprints.has(fingerprint)) {
      throw new PeigSimulatorError(
        409,
        "validationRequired",
        "Validate these exact values (POST .../migration-configuration/validate) before saving them.",
      );
    }
    if (this.configuration?.fingerprint === fingerprint)
      return { changed: false, created: false, configuration: this.getConfiguration() };
    // Validated earlier, but the certificate may have expired since: check again.
    const problems = this.validate(applicationId, idpCertificate);
    if (problems.length > 0) {
      throw new PeigSimulatorError(
        422,
        "invalidMigrationConfiguration",
        "The migration configuration is no longer valid.",
        { problems },
      );
    }
    const certificate = parseCertificate(idpCertificate);
    const created = this.configuration === null;
    this.configuration = {
      applicationId: applicationId.trim(),
      certificateThumbprint: certificate.thumbprint,
      certificateNotAfter: certificate.notAfter.toISOString(),
      savedAt: this.nowIso(),
      fingerprint,
    };
    if (created) this.openWindow();
    return { changed: true, created, configuration: this.getConfiguration() };
  }

  /** Irreversible: afterwards nobody onboards through the migration app and the configuration cannot be saved again. */
  delete(): void {
    if (!this.configuration) throw this.noConfiguration();
    this.configuration = null;
    this.migrationClosedAt = this.nowIso();
  }

  private fingerprintOf(applicationId: string, idpCertificate: string): string | null {
    try {
      return `${applicationId.trim().toLowerCase()}|${parseCertificate(idpCertificate).thumbprint}`;
    } catch (error) {
      if (error instanceof CertificateError) return null;
      throw error;
    }
  }

  /** The onboarding window starts when the configuration is first saved; each user onboards at their fraction of it. */
  private openWindow(start = this.options.clock.now().getTime()): void {
    this.windowOpenedAt = start;
    this.schedule = [...this.microsoft365Users.values()]
      .filter((u) => u.behaviour.onboardsAt !== null)
      .map((user) => ({
        at: start + Math.round((user.behaviour.onboardsAt as number) * this.options.onboardingWindowMs),
        user,
      }))
      .sort((a, b) => a.at - b.at || a.user.id.localeCompare(b.user.id));
    this.nextScheduled = 0;
  }

  // --- Onboarding -----------------------------------------------------------------------------------------

  /** A user joins the workspace now (the /_sim/ control route); the same rules as a scheduled onboarding. */
  onboardNow(microsoft365UserId: string): OnboardOutcome {
    const user = this.microsoft365Users.get(microsoft365UserId);
    if (!user)
      throw new PeigSimulatorError(
        404,
        "microsoft365AccountNotFound",
        `No enabled Microsoft 365 member ${microsoft365UserId}.`,
      );
    const outcome = this.onboard(user, this.nowIso());
    if (!outcome) {
      throw new PeigSimulatorError(
        409,
        "migrationClosed",
        "There is no migration configuration, and the user has no Peig account to complete.",
      );
    }
    return outcome;
  }

  private onboard(user: TenantUser, at: string): OnboardOutcome | null {
    const account = this.accountLinkedTo(user.id);
    if (!this.configuration) {
      // Without migration a user can only complete a placeholder account made by Create Peig Account (docs/peig-ui.md#related-facts-from-the-admin-guide).
      if (!account) return null;
      return this.complete(account, at);
    }
    if (this.migratedUserIds.has(user.id)) return "alreadyOnboarded";
    this.migratedUserIds.add(user.id);
    this.signIns++;
    this.options.onMigrationSignIn?.(user, this.configuration.applicationId);
    if (account) return this.complete(account, at);
    const typed = user.behaviour.typedEmail;
    if (typed && typed.toLowerCase() !== primaryAddress(user)) {
      this.addRequest(typed, user.displayName, at);
      return "pendingRequest";
    }
    if (!this.options.autoApproveMatched) {
      this.addRequest(user.mail ?? user.userPrincipalName, user.displayName, at);
      return "pendingRequest";
    }
    this.addAccount({
      displayName: user.displayName,
      email: user.mail ?? user.userPrincipalName,
      status: "Active",
      at,
      microsoft365UserId: user.id,
    });
    return "linked";
  }

  private complete(account: AccountRecord, at: string): OnboardOutcome {
    if (account.status !== "Not Onboarded") return "alreadyOnboarded";
    this.activate(account, at);
    return "completedPlaceholder";
  }

  /** A registered device makes a Not Onboarded account Active; a Suspended user stays suspended. */
  private activate(account: AccountRecord, at: string): void {
    if (account.status !== "Not Onboarded") return;
    account.status = "Active";
    account.onboardedAt = at;
  }

  // --- Users & Access -------------------------------------------------------------------------------------

  users(): PeigUser[] {
    return [...this.usersAfter("")];
  }

  /** Users & Access in id order, from just after `after` (one API page reads only what it returns). */
  *usersAfter(after: string): IterableIterator<PeigUser> {
    for (const account of this.accounts.after(after)) yield this.userOf(account);
  }

  pendingRequests(): { id: string; email: string; displayName: string; submittedAt: string }[] {
    return [...this.pendingRequestsAfter("")];
  }

  *pendingRequestsAfter(
    after: string,
  ): IterableIterator<{ id: string; email: string; displayName: string; submittedAt: string }> {
    for (const { id, email, displayName, submittedAt, resolution } of this.requests.after(after))
      if (resolution === null) yield { id, email, displayName, submittedAt };
  }

  /** Approve: the request becomes an active account; linked when its e-mail is an unlinked Microsoft 365 account's address. */
  approve(requestId: string): { request: HandledRequestBody; user: PeigUser } {
    const request = this.pendingRequest(requestId);
    const at = this.nowIso();
    // A pre-created account with the same e-mail is matched automatically (admin-guide/managing-users).
    let account = this.accountsByEmail.get(request.email.toLowerCase());
    if (account) this.activate(account, at);
    else {
      account = this.addAccount({
        displayName: request.displayName,
        email: request.email,
        status: "Active",
        at,
        microsoft365UserId: null,
      });
    }
    this.linkByEmail(account);
    return { request: this.handle(request, "approved"), user: this.userOf(account) };
  }

  deny(requestId: string): { request: HandledRequestBody } {
    return { request: this.handle(this.pendingRequest(requestId), "denied") };
  }

  /** Merge: the request (mistyped e-mail) is attached to an existing account, which becomes active. */
  merge(requestId: string, targetUserId: string): { request: HandledRequestBody; user: PeigUser } {
    const request = this.pendingRequest(requestId);
    const target = this.accounts.get(targetUserId);
    if (!target)
      throw new PeigSimulatorError(404, "userNotFound", `No Peig user ${targetUserId} to merge the request into.`);
    this.activate(target, this.nowIso());
    this.linkByEmail(target);
    return { request: this.handle(request, "merged"), user: this.userOf(target) };
  }

  private pendingRequest(requestId: string): RequestRecord {
    const request = this.requests.get(requestId);
    if (!request) throw new PeigSimulatorError(404, "onboardingRequestNotFound", `No onboarding request ${requestId}.`);
    if (request.resolution) {
      throw new PeigSimulatorError(
        409,
        "requestAlreadyHandled",
        `Onboarding request ${requestId} was already ${request.resolution}.`,
        {
          resolution: request.resolution,
        },
      );
    }
    return request;
  }

  private handle(request: RequestRecord, resolution: RequestResolution): HandledRequestBody {
    request.resolution = resolution;
    request.handledAt = this.nowIso();
    const { id, email, displayName, submittedAt } = request;
    return { id, email, displayName, submittedAt, resolution, handledAt: request.handledAt };
  }

  private linkByEmail(account: AccountRecord): void {
    if (account.microsoft365UserId) return;
    const match = this.microsoft365UsersByAddress.get(account.email.toLowerCase());
    if (match && !this.accountLinkedTo(match.id)) this.link(account, match.id);
  }

  // --- MS365 Identifiers ----------------------------------------------------------------------------------

  peigAccounts(): PeigAccount[] {
    return [...this.peigAccountsAfter("")];
  }

  *peigAccountsAfter(after: string): IterableIterator<PeigAccount> {
    for (const account of this.accounts.after(after)) yield this.peigAccountOf(account);
  }

  microsoft365Accounts(): Microsoft365AccountBody[] {
    return [...this.microsoft365AccountsAfter("")];
  }

  *microsoft365AccountsAfter(after: string): IterableIterator<Microsoft365AccountBody> {
    for (const user of this.microsoft365Users.after(after)) yield this.microsoft365AccountOf(user);
  }

  microsoft365Account(microsoft365UserId: string): Microsoft365AccountBody {
    const user = this.microsoft365Users.get(microsoft365UserId);
    if (!user)
      throw new PeigSimulatorError(
        404,
        "microsoft365AccountNotFound",
        `No Microsoft 365 account ${microsoft365UserId} on the Microsoft 365 Accounts tab.`,
      );
    return this.microsoft365AccountOf(user);
  }

  /** Create Peig Account: a placeholder, pre-linked, "Not Onboarded" until the user completes onboarding (docs/peig-ui.md#related-facts-from-the-admin-guide). */
  createPeigAccount(microsoft365UserId: string, idempotencyKey?: string): PeigAccount {
    const user = this.microsoft365Users.get(microsoft365UserId);
    if (!user)
      throw new PeigSimulatorError(
        404,
        "microsoft365AccountNotFound",
        `No Microsoft 365 account ${microsoft365UserId} on the Microsoft 365 Accounts tab.`,
      );
    const earlier = idempotencyKey ? this.idempotentCreates.get(idempotencyKey) : undefined;
    if (earlier) {
      if (earlier.microsoft365UserId !== microsoft365UserId) {
        throw new PeigSimulatorError(
          422,
          "idempotencyKeyReused",
          "This Idempotency-Key was used for a different Microsoft 365 account.",
        );
      }
      return earlier.account;
    }
    const existing = this.accountLinkedTo(microsoft365UserId);
    if (existing) {
      throw new PeigSimulatorError(
        409,
        "accountAlreadyExists",
        `Microsoft 365 account ${microsoft365UserId} is already linked to Peig account ${existing.id}.`,
        {
          peigAccountId: existing.id,
        },
      );
    }
    const account = this.addAccount({
      displayName: user.displayName,
      email: user.mail ?? user.userPrincipalName,
      status: "Not Onboarded",
      at: this.nowIso(),
      microsoft365UserId,
    });
    const result = this.peigAccountOf(account);
    if (idempotencyKey) this.idempotentCreates.set(idempotencyKey, { microsoft365UserId, account: result });
    return result;
  }

  // --- Records --------------------------------------------------------------------------------------------

  private addAccount(fields: {
    displayName: string;
    email: string;
    status: PeigUserStatus;
    at: string;
    microsoft365UserId: string | null;
  }): AccountRecord {
    const account: AccountRecord = {
      id: `peig-${String(++this.accountSequence).padStart(6, "0")}`,
      displayName: fields.displayName,
      email: fields.email,
      status: fields.status,
      createdAt: fields.at,
      onboardedAt: fields.status === "Active" ? fields.at : null,
      microsoft365UserId: null,
    };
    this.addAccountRecord(account);
    if (fields.microsoft365UserId) this.link(account, fields.microsoft365UserId);
    return account;
  }

  /**
   * A link lost after the fact (an admin's mistake, or identifiers that drifted apart): the account
   * stays, the Microsoft 365 account shows unlinked. Tests use it to model a regression. Returns the
   * Peig account that was linked.
   */
  unlink(microsoft365UserId: string): string {
    const account = this.accountLinkedTo(microsoft365UserId);
    if (!account)
      throw new PeigSimulatorError(
        404,
        "microsoft365AccountNotFound",
        `Microsoft 365 account ${microsoft365UserId} is not linked to a Peig account.`,
      );
    account.microsoft365UserId = null;
    this.accountsByMicrosoft365UserId.delete(microsoft365UserId);
    return account.id;
  }

  private addAccountRecord(account: AccountRecord): void {
    this.accounts.set(account.id, account);
    const email = account.email.toLowerCase();
    if (!this.accountsByEmail.has(email)) this.accountsByEmail.set(email, account);
  }

  private link(account: AccountRecord, microsoft365UserId: string): void {
    account.microsoft365UserId = microsoft365UserId;
    this.accountsByMicrosoft365UserId.set(microsoft365UserId, account);
  }

  private addRequest(email: string, displayName: string, at: string): void {
    const id = `req-${String(++this.requestSequence).padStart(6, "0")}`;
    this.requests.set(id, { id, email, displayName, submittedAt: at, resolution: null, handledAt: null });
  }

  private accountLinkedTo(microsoft365UserId: string): AccountRecord | undefined {
    return this.accountsByMicrosoft365UserId.get(microsoft365UserId);
  }

  private userOf({ id, displayName, email, status, createdAt, onboardedAt }: AccountRecord): PeigUser {
    return { id, displayName, email, status, createdAt, onboardedAt };
  }

  private peigAccountOf(a: AccountRecord): PeigAccount {
    return {
      id: a.id,
      displayName: a.displayName,
      email: a.email,
      linkStatus: a.microsoft365UserId ? "linked" : "unlinked",
      microsoft365UserId: a.microsoft365UserId,
    };
  }

  private microsoft365AccountOf(u: TenantUser): Microsoft365AccountBody {
    const account = this.accountLinkedTo(u.id);
    return {
      id: u.id,
      userPrincipalName: u.userPrincipalName,
      mail: u.mail,
      displayName: u.displayName,
      linkStatus: account ? "linked" : "unlinked",
      peigAccountId: account?.id ?? null,
    };
  }

  // --- Saving and restoring (the demo resumes after a restart) ---------------------------------------------

  snapshot(): PeigWorkspaceSnapshot {
    return structuredClone({
      accounts: [...this.accounts.values()],
      requests: [...this.requests.values()],
      validatedFingerprints: [...this.validatedFingerprints],
      idempotentCreates: [...this.idempotentCreates.entries()],
      migratedUserIds: [...this.migratedUserIds],
      configuration: this.configuration,
      migrationClosedAt: this.migrationClosedAt,
      windowOpenedAt: this.windowOpenedAt,
      nextScheduled: this.nextScheduled,
      accountSequence: this.accountSequence,
      requestSequence: this.requestSequence,
      signIns: this.signIns,
    });
  }

  /** Replaces the whole state with a snapshot's; onboardings already run stay run. */
  restore(snapshot: PeigWorkspaceSnapshot): void {
    const copy = structuredClone(snapshot);
    this.accounts.clear();
    this.accountsByEmail.clear();
    this.accountsByMicrosoft365UserId.clear();
    for (const account of copy.accounts) {
      this.addAccountRecord(account);
      if (account.microsoft365UserId) this.accountsByMicrosoft365UserId.set(account.microsoft365UserId, account);
    }
    this.requests.clear();
    for (const request of copy.requests) this.requests.set(request.id, request);
    this.validatedFingerprints.clear();
    for (const fingerprint of copy.validatedFingerprints) this.validatedFingerprints.add(fingerprint);
    this.idempotentCreates.clear();
    for (const [key, value] of copy.idempotentCreates) this.idempotentCreates.set(key, value);
    this.migratedUserIds.clear();
    for (const id of copy.migratedUserIds) this.migratedUserIds.add(id);
    this.configuration = copy.configuration;
    this.migrationClosedAt = copy.migrationClosedAt;
    this.schedule = [];
    this.windowOpenedAt = null;
    if (copy.windowOpenedAt !== null) this.openWindow(copy.windowOpenedAt);
    this.nextScheduled = copy.nextScheduled;
    this.accountSequence = copy.accountSequence;
    this.requestSequence = copy.requestSequence;
    this.signIns = copy.signIns;
  }

  /** For /_sim/state and tests. */
  summary(): {
    configuration: SavedMigrationConfigurationBody | null;
    migrationClosedAt: string | null;
    usersByStatus: Record<PeigUserStatus, number>;
    pendingRequests: number;
    linkedMicrosoft365Accounts: number;
    microsoft365Accounts: number;
    migrationSignIns: number;
  } {
    const usersByStatus: Record<PeigUserStatus, number> = { "Not Onboarded": 0, Active: 0, Suspended: 0 };
    for (const a of this.accounts.values()) usersByStatus[a.status]++;
    return {
      configuration: this.configuration ? this.getConfiguration() : null,
      migrationClosedAt: this.migrationClosedAt,
      usersByStatus,
      pendingRequests: this.pendingRequests().length,
      linkedMicrosoft365Accounts: this.microsoft365Accounts().filter((a) => a.linkStatus === "linked").length,
      microsoft365Accounts: this.microsoft365Users.size,
      migrationSignIns: this.signIns,
    };
  }
}
