/**
 * What a failed activity tells the orchestration: which service, which HTTP status, and the likely fix. The
 * facts travel inside the error's message (shared/domain/stepFailure.ts says how and why); this side works
 * them out from what the adapters threw (Graph SDK errors, Peig client errors, Table Storage errors).
 */
import { GraphError } from "@microsoft/microsoft-graph-client";
import { appFailure, failureMessageOf, stepFailureMessage } from "./domain/stepFailure";
import { PeigApiError, PeigTransportError } from "./peig/apiClient";
import { RetriesExhaustedError } from "./retry";
import type { StepFailure } from "./workflow";

/** The Graph request kind (GraphCaller's counter label) that failed, attached by GraphCaller. */
export const graphRequestOf = (error: unknown): string | undefined =>
  (error as { graphRequest?: string } | null)?.graphRequest;

/** Which application permission each Graph request kind needs (docs/permissions.md). */
const graphPermission: Record<string, { permission: string; feature: string; note?: string }> = {
  listUsers: { permission: "User.Read.All", feature: "users" },
  listGroupMembers: { permission: "GroupMember.Read.All", feature: "groupScope" },
  getGroup: { permission: "GroupMember.Read.All", feature: "groupScope" },
  listSignIns: {
    permission: "AuditLog.Read.All",
    feature: "signIns",
    note: "reading sign-in logs also needs Microsoft Entra ID P1 (Business Premium includes it)",
  },
  sendMail: { permission: "Mail.Send", feature: "mail", note: "or the Exchange RBAC grant for MAIL_SENDER" },
  batch: { permission: "Mail.Send", feature: "mail", note: "or the Exchange RBAC grant for MAIL_SENDER" },
};
const applicationPermission = { permission: "Application.ReadWrite.All", feature: "setup" };

/** Where in Peig's admin UI each API operation lives (docs/peig-admin-api.md): the right the API key's admin needs. */
function peigRight(operation: string): string {
  if (/MigrationConfiguration$/.test(operation)) return "Configuration > Microsoft 365 Active Provider > Migration";
  if (operation === "getSamlIdpInfo") return "Configuration > SAML IDP Info";
  if (/OnboardingRequest|^listUsers$/.test(operation)) return "Users & Access";
  return "MS365 Identifiers";
}

function unwrap(error: unknown): unknown {
  return error instanceof RetriesExhaustedError ? error.lastError : error;
}

/** An adapter's failure that knows its own service, status, fix and patience (e.g. an Entity ID Entra refuses). */
export interface ExplainedFailure {
  explained: Omit<StepFailure, "step" | "message">;
}

function isExplained(error: unknown): error is ExplainedFailure {
  return typeof error === "object" && error !== null && "explained" in error;
}

/** The facts of an activity's failure, with the fix an admin would apply. */
export function describeFailure(step: string, thrown: unknown): StepFailure {
  const error = unwrap(thrown);
  const message = failureMessageOf(thrown);
  if (isExplained(error)) return { step, message, ...error.explained };
  if (error instanceof GraphError) {
    const status = error.statusCode === -1 ? null : error.statusCode;
    const kind = graphRequestOf(error) ?? graphRequestOf(thrown);
    return { step, service: "graph", status, code: error.code ?? undefined, message, fix: graphFix(status, kind) };
  }
  if (error instanceof PeigApiError) {
    return {
      step,
      service: "peig",
      status: error.status,
      code: error.code,
      message,
      fix: peigFix(error.status, error.operation),
    };
  }
  if (error instanceof PeigTransportError) {
    return {
      step,
      service: "peig",
      status: null,
      message,
      fix: "Peig did not answer: check that PEIG_API_BASE_URL is reachable from the Function App, then resume.",
    };
  }
  if ((error as { name?: string } | null)?.name === "RestError") {
    const status = (error as { statusCode?: number }).statusCode ?? null;
    return {
      step,
      service: "store",
      status,
      message,
      fix: "Table Storage is unavailable or refuses the app: check the storage account and the MIGRATION_STORAGE_* settings (and the identity's Storage Table Data Contributor role).",
    };
  }
  return appFailure(step, message);
}

/** The requests on the sender mailboxes, which Exchange RBAC for Applications scopes. */
const mailboxRequests = ["createMessage", "sendMessage", "findSent", "listInbox", "sendMail", "batch"];

function graphFix(status: number | null, kind: string | undefined): string {
  if (status === 403 && kind !== undefined && mailboxRequests.includes(kind)) {
    // "Changes to app permissions are subject to cache maintenance that varies between 30 minutes and 2 hours"
    // (https://learn.microsoft.com/en-us/exchange/permissions-exo/application-rbac).
    return (
      `Exchange refused ${kind} on a sender mailbox: the Exchange RBAC grant for the app (the roles Application Mail.Send and ` +
      `Application Mail.ReadWrite, scoped to the MAIL_SENDERS mailboxes, docs/permissions.md) is missing, or was made in the last ` +
      `2 hours and has not reached Exchange yet. Check the grant (Get-ManagementRoleAssignment -RoleAssignee <the app's service principal>); ` +
      `nobody is mailed twice when the step runs again.`
    );
  }
  if (status === 403) {
    const needed = (kind && graphPermission[kind]) || applicationPermission;
    const note = "note" in needed && needed.note ? ` (${needed.note})` : "";
    return `Microsoft Graph refused ${kind ?? "the request"}: grant the managed identity the application permission ${needed.permission}${note} with npm run grant-permissions -- --features ${needed.feature}, then resume.`;
  }
  if (status === 401)
    return "Microsoft Graph refused the app's token: check the managed identity (AZURE_CLIENT_ID) and GRAPH_CLOUD.";
  return `Microsoft Graph is unavailable or throttling (${status ?? "no response"}): wait until it recovers, or resume to try at once.`;
}

function peigFix(status: number, operation: string): string {
  if (status === 401) return "Peig refused PEIG_API_KEY: renew the key (a Key Vault reference in Azure), then resume.";
  if (status === 403)
    return `Peig refused ${operation}: the API key's admin needs the right to ${peigRight(operation)} in Peig; grant it, then resume.`;
  return `Peig answered ${status} to ${operation}: wait until it recovers, or resume to try at once.`;
}

/** The error an activity fails with: readable text, plus the tag the orchestration reads back (as StepFailedError). */
export class ActivityFailedError extends Error {
  constructor(readonly failure: StepFailure) {
    super(stepFailureMessage(failure));
    this.name = "ActivityFailedError";
  }
}

/**
 * A per-user failure Phase 2 records and moves past (Peig refused this one account), as opposed to a
 * service failure that would fail every user alike and pauses the migration instead.
 */
export function isPerUserFailure(thrown: unknown): boolean {
  const error = unwrap(thrown);
  return (
    error instanceof PeigApiError &&
    error.status >= 400 &&
    error.status < 500 &&
    ![401, 403, 408, 429].includes(error.status) &&
    !(thrown instanceof RetriesExhaustedError)
  );
}
