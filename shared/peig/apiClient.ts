/**
 * The "api" Peig adapter: an HTTP client for the contract in docs/peig-admin-api.md. Every request is
 * counted by operation and goes through the one retry layer (shared/retry.ts: 429/503/504 and lost
 * responses, Retry-After honoured, bounded). The API key only ever travels in the Authorization header:
 * it is never part of an error message.
 */
import { randomUUID } from "node:crypto";
import type { Clock } from "../clock";
import { RequestCounter } from "../requestCounter";
import { isTransientStatus, parseRetryAfter, withRetry, type RetryDecision, type RetryPolicy } from "../retry";
import { TokenBucketPacer } from "../pacer";
import {
  contractRateLimit,
  expandPath,
  maxPageSize,
  peigOperations,
  type ErrorBody,
  type MergeRequestBody,
  type MigrationConfigurationBody,
  type Microsoft365AccountBody,
  type Page,
  type PeigAccountBody,
  type PeigOperationId,
  type SamlIdpInfoBody,
  type SaveResultBody,
  type SavedMigrationConfigurationBody,
  type ValidationBody,
} from "./contract";
import type {
  CreatePeigAccountResult,
  Microsoft365Account,
  MigrationConfiguration,
  MigrationConfigurationState,
  MigrationConfigurationInput,
  OnboardingRequest,
  PeigAccount,
  PeigPort,
  PeigUser,
  RequestResolution,
  SamlIdpInfo,
  ValidationResult,
} from "./port";

export interface PeigApiClientOptions {
  /** PEIG_API_BASE_URL, e.g. `https://pap01.contoso.com/admin-api/v1`. */
  baseUrl: string;
  /** PEIG_API_KEY, sent as `Authorization: Bearer <key>`. */
  apiKey: string;
  clock: Clock;
  counter?: RequestCounter;
  retryPolicy?: RetryPolicy;
  /** Per request; a request that takes longer counts as a lost response. Default 30 s. */
  requestTimeoutMs?: number;
  /** The app's request budget this client keeps to (a token bucket); default appPeigBudget, null = unpaced. */
  budget?: { requestsPerSecond: number; burst: number } | null;
}

/**
 * The app's Peig budget: the contract's sustained rate (docs/peig-admin-api.md, Conventions > Rate limit:
 * 10 requests/s, bursts of 20 per API key), with a burst of 15. Requests sent within this budget still fit
 * Peig's bucket when the network delays some by up to half a second more than others, bunching them up on
 * arrival (5 more tokens at 10/s).
 */
export const appPeigBudget = {
  requestsPerSecond: contractRateLimit.requestsPerSecond,
  burst: contractRateLimit.burst - contractRateLimit.requestsPerSecond / 2,
} as const;

/** Peig answered with an error status. */
export class PeigApiError extends Error {
  constructor(
    readonly operation: PeigOperationId,
    readonly status: number,
    readonly code: string,
    readonly detail: ErrorBody["error"] | undefined,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`Peig ${operation} failed: HTTP ${status} ${code}${detail?.message ? `: ${detail.message}` : ""}`);
    this.name = "PeigApiError";
  }
}

/** No answer (network failure or timeout): the request may or may not have taken effect. */
export class PeigTransportError extends Error {
  constructor(
    readonly operation: PeigOperationId,
    cause: unknown,
  ) {
    super(`Peig ${operation} got no response: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "PeigTransportError";
  }
}

interface RequestSpec {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}

function classify(error: unknown): RetryDecision {
  if (error instanceof PeigTransportError) return { retry: true };
  if (error instanceof PeigApiError && isTransientStatus(error.status))
    return { retry: true, retryAfterMs: error.retryAfterMs };
  return { retry: false };
}

function isPeigError(error: unknown, code: string): error is PeigApiError {
  return error instanceof PeigApiError && error.code === code;
}

/** A throttled request was refused before Peig did anything; any other failure leaves the outcome open. */
function outcomeUnknown(error: unknown): boolean {
  return error instanceof PeigTransportError || (error instanceof PeigApiError && error.status !== 429);
}

export class PeigApiClient implements PeigPort {
  private readonly baseUrl: string;
  readonly counter: RequestCounter;
  /** This client's part of the app's budget (all of it unless made by sharedBy). */
  private readonly pacer?: TokenBucketPacer;

  constructor(private readonly options: PeigApiClientOptions) {
    const url = new URL(options.baseUrl); // throws early on a malformed setting
    if (url.username || url.password) throw new Error("PEIG_API_BASE_URL must not contain credentials");
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    if (!options.apiKey) throw new Error("PEIG_API_KEY is empty");
    this.counter = options.counter ?? new RequestCounter();
    const budget = options.budget === undefined ? appPeigBudget : options.budget;
    if (budget) this.pacer = new TokenBucketPacer(options.clock, budget.requestsPerSecond, budget.burst);
  }

  /**
   * A client with 1/peers of this one's budget: rate and burst both divided, since token buckets add up
   * (shared/pacer.ts). Each burst keeps at least one token, so `peers` may not exceed the budget's burst.
   */
  sharedBy(peers: number): PeigApiClient {
    const budget = this.options.budget === undefined ? appPeigBudget : this.options.budget;
    if (!budget || peers === 1) return new PeigApiClient({ ...this.options, counter: this.counter });
    if (!Number.isInteger(peers) || peers < 1 || peers > budget.burst)
      throw new Error(`cannot share a Peig budget of burst ${budget.burst} between ${peers} activities`);
    return new PeigApiClient({
      ...this.options,
      counter: this.counter,
      budget: { requestsPerSecond: budget.requestsPerSecond / peers, burst: budget.burst / peers },
    });
  }

  async getSamlIdpInfo(): Promise<SamlIdpInfo> {
    const body = await this.call<SamlIdpInfoBody>("getSamlIdpInfo");
    return {
      idpEntityId: body.idpEntityId,
      signInUrl: body.signInUrl,
      signOutUrl: body.signOutUrl,
      idpCertificatePem: body.idpCertificate,
    };
  }

  async getMigrationConfiguration(): Promise<MigrationConfigurationState> {
    try {
      const body = await this.call<SavedMigrationConfigurationBody>("getMigrationConfiguration");
      return { state: "saved", configuration: toConfiguration(body) };
    } catch (error) {
      if (!isPeigError(error, "migrationConfigurationNotFound")) throw error;
      const deletedAt = error.detail?.deletedAt;
      return deletedAt ? { state: "deleted", deletedAt } : { state: "none" };
    }
  }

  async validateMigrationConfiguration(config: MigrationConfigurationInput): Promise<ValidationResult> {
    const body = await this.call<ValidationBody>("validateMigrationConfiguration", { body: toBody(config) });
    return { valid: body.valid, problems: body.problems.map((p) => `${p.field}: ${p.message}`) };
  }

  async saveMigrationConfiguration(config: MigrationConfigurationInput): Promise<"saved" | "unchanged"> {
    const body = await this.call<SaveResultBody>("saveMigrationConfiguration", { body: toBody(config) });
    return body.changed ? "saved" : "unchanged";
  }

  async deleteMigrationConfiguration(): Promise<"deleted" | "alreadyDeleted"> {
    try {
      await this.call<void>("deleteMigrationConfiguration");
      return "deleted";
    } catch (error) {
      // Also what a retry sees after a delete whose response was lost: the configuration is gone either way.
      if (isPeigError(error, "migrationConfigurationNotFound")) return "alreadyDeleted";
      throw error;
    }
  }

  listUsers(): Promise<PeigUser[]> {
    return this.listAll<PeigUser>("listUsers");
  }

  listPendingRequests(): Promise<OnboardingRequest[]> {
    return this.listAll<OnboardingRequest>("listOnboardingRequests");
  }

  approveRequest(requestId: string): Promise<void> {
    return this.resolveRequest("approveOnboardingRequest", requestId, "approved");
  }

  denyRequest(requestId: string): Promise<void> {
    return this.resolveRequest("denyOnboardingRequest", requestId, "denied");
  }

  mergeRequest(requestId: string, targetUserId: string): Promise<void> {
    const body: MergeRequestBody = { targetUserId };
    return this.resolveRequest("mergeOnboardingRequest", requestId, "merged", body);
  }

  listMicrosoft365Accounts(): Promise<Microsoft365Account[]> {
    return this.listAll<Microsoft365AccountBody>("listMicrosoft365Accounts");
  }

  async getMicrosoft365Account(microsoft365UserId: string): Promise<Microsoft365Account | null> {
    try {
      return await this.call<Microsoft365AccountBody>("getMicrosoft365Account", { params: { microsoft365UserId } });
    } catch (error) {
      if (isPeigError(error, "microsoft365AccountNotFound")) return null;
      throw error;
    }
  }

  listPeigAccounts(): Promise<PeigAccount[]> {
    return this.listAll<PeigAccountBody>("listPeigAccounts");
  }

  /**
   * Creating an account is not idempotent by nature, so it is never retried blindly: after a failure whose
   * outcome is unknown (lost response, 5xx) the next attempt first looks the account up on the Microsoft 365
   * Accounts tab. Every attempt of one call carries the same Idempotency-Key as a second safety net.
   */
  async createPeigAccount(microsoft365UserId: string): Promise<CreatePeigAccountResult> {
    const params = { microsoft365UserId };
    const headers = { "Idempotency-Key": randomUUID() };
    let lookUpFirst = false;
    return withRetry(
      async () => {
        if (lookUpFirst) {
          const existing = await this.send<Microsoft365AccountBody>("getMicrosoft365Account", { params });
          if (existing.peigAccountId) return { peigAccountId: existing.peigAccountId, created: false };
        }
        try {
          const account = await this.send<PeigAccountBody>("createPeigAccount", { params, headers });
          return { peigAccountId: account.id, created: true };
        } catch (error) {
          if (isPeigError(error, "accountAlreadyExists") && error.detail?.peigAccountId) {
            return { peigAccountId: error.detail.peigAccountId, created: false };
          }
          lookUpFirst = lookUpFirst || outcomeUnknown(error);
          throw error;
        }
      },
      { clock: this.options.clock, policy: this.options.retryPolicy, classify },
    );
  }

  private async resolveRequest(
    operation: PeigOperationId,
    requestId: string,
    resolution: RequestResolution,
    body?: unknown,
  ): Promise<void> {
    try {
      await this.call<unknown>(operation, { params: { requestId }, body });
    } catch (error) {
      // Approve/Deny/Merge are safe to repeat: the same resolution again (e.g. a retry after a lost response) is done.
      if (isPeigError(error, "requestAlreadyHandled") && error.detail?.resolution === resolution) return;
      throw error;
    }
  }

  private async listAll<T>(operation: PeigOperationId): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string> = { pageSize: String(maxPageSize) };
      if (cursor) query.cursor = cursor;
      const page: Page<T> = await this.call<Page<T>>(operation, { query });
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  private call<T>(operation: PeigOperationId, spec: RequestSpec = {}): Promise<T> {
    return withRetry(() => this.send<T>(operation, spec), {
      clock: this.options.clock,
      policy: this.options.retryPolicy,
      classify,
    });
  }

  /** One HTTP request, no retry. */
  private async send<T>(operation: PeigOperationId, spec: RequestSpec): Promise<T> {
    const { method, path } = peigOperations[operation];
    const url = new URL(this.baseUrl + expandPath(path, spec.params));
    for (const [name, value] of Object.entries(spec.query ?? {})) url.searchParams.set(name, value);
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.options.apiKey}`,
      Accept: "application/json",
      ...spec.headers,
    };
    if (spec.body !== undefined) headers["Content-Type"] = "application/json";

    await this.pacer?.take();
    this.counter.count(operation);
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000),
      });
      text = await response.text();
    } catch (error) {
      throw new PeigTransportError(operation, error);
    }
    if (!response.ok) {
      const detail = parseErrorBody(text);
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), this.options.clock.now());
      throw new PeigApiError(
        operation,
        response.status,
        detail?.code ?? `http${response.status}`,
        detail,
        retryAfterMs,
      );
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

function parseErrorBody(text: string): ErrorBody["error"] | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<ErrorBody>;
    return typeof parsed.error?.code === "string" ? parsed.error : undefined;
  } catch {
    return undefined;
  }
}

function toBody(config: MigrationConfigurationInput): MigrationConfigurationBody {
  return { applicationId: config.applicationId, idpCertificate: config.idpCertificatePem };
}

function toConfiguration(body: SavedMigrationConfigurationBody): MigrationConfiguration {
  return {
    applicationId: body.applicationId,
    certificateThumbprint: body.certificateThumbprint,
    certificateNotAfter: body.certificateNotAfter,
    savedAt: body.savedAt,
  };
}
