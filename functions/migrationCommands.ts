/**
 * The admin API's commands (docs/design.md#http-surface), JSON: extend the deadline, cancel, ask the approvers
 * again, resume, and the per-person ones (exempt, resend the invitation, extend one person's deadline). Each needs the Admin role or a function key
 * (functions/access.ts), parses its body, calls the use case (app/) and answers 202 with what was accepted, or why not.
 */
import type * as df from "durable-functions";
import type { HttpResponseInit } from "@azure/functions";
import {
  cancelMigration,
  CANCEL_ACCEPTED,
  extendDeadline,
  requestApprovalAgain,
  requestPilotReview,
  resumeMigration,
} from "../app/adminCommands";
import type { CommandResult } from "../app/ports";
import { exemptPerson, extendPersonDeadline, resendPersonInvitation } from "../app/people";
import { services } from "../shared/services";
import { apiAccess } from "./access";
import { badRequest, durableRunner, json, migrationIdOf, noSuchMigration, readJson } from "./http";

/** An admin command's answer: 202 with what was accepted, or why not. */
function commandResponse<T extends object>(id: string, result: CommandResult<T>, accepted: (r: T) => object) {
  switch (result.kind) {
    case "accepted":
      return json(202, { id, ...accepted(result) });
    case "conflict":
      return json(409, { error: result.reason });
    case "invalid":
      return badRequest(result.errors);
    case "notFound":
      return noSuchMigration();
  }
}

/** The route's migration, the command's body (JSON; `emptyAs` when an empty body is fine) and who asks. */
const command =
  (
    run: (id: string, body: unknown, actor: string, client: df.DurableClient) => Promise<HttpResponseInit>,
    emptyAs?: unknown,
  ): df.HttpDurableClientHandler =>
  async (request, client) => {
    const access = await apiAccess(request, services().settings, "command");
    if (!access.ok) return access.response;
    const id = migrationIdOf(request);
    if (!id) return noSuchMigration();
    const body = await readJson(request, emptyAs);
    if (!body.ok) return body.response;
    return run(id, body.value, access.actor, client);
  };

const postDeadline = command(async (id, body, actor, client) =>
  commandResponse(id, await extendDeadline(services(), durableRunner(client), id, body, actor), (r) => ({
    deadline: r.deadline,
  })),
);

const postCancel = command(async (id, body, actor, client) => {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return badRequest([{ field: "body", message: 'must be a JSON object such as {"reason": "…"}' }]);
  const reason = (body as { reason?: unknown }).reason;
  return commandResponse(id, await cancelMigration(services(), durableRunner(client), id, reason, actor), (r) =>
    r.already ? { status: "already requested" } : { message: CANCEL_ACCEPTED },
  );
}, {});

const postApproval = command(
  async (id, _body, actor, client) =>
    commandResponse(id, await requestApprovalAgain(services(), durableRunner(client), id, actor), () => ({})),
  {},
);

/** POST /api/migrations/{id}/pilot-review: the admins are asked again whether the wave on hold goes on. */
const postPilotReview = command(
  async (id, _body, actor, client) =>
    commandResponse(id, await requestPilotReview(services(), durableRunner(client), id, actor), () => ({
      message: "The admins get a new pilot review now.",
    })),
  {},
);

const postResume = command(
  async (id, _body, actor, client) =>
    commandResponse(id, await resumeMigration(services(), durableRunner(client), id, actor), () => ({
      message: "The failed step is tried again now.",
    })),
  {},
);

/** POST /api/migrations/{id}/people/exempt {"user", "reason"}: one person gets no more mail, counted apart. */
const postExemption = command(async (id, body, actor, client) =>
  commandResponse(id, await exemptPerson(services(), durableRunner(client), id, body, actor), (r) => ({
    exemption: r.exemption,
  })),
);

/** POST /api/migrations/{id}/people/deadline {"user", "deadline", "reason"?}: one person's own, later deadline. */
const postPersonDeadline = command(async (id, body, actor, client) =>
  commandResponse(id, await extendPersonDeadline(services(), durableRunner(client), id, body, actor), (r) => ({
    extension: r.extension,
  })),
);

/** POST /api/migrations/{id}/people/resend {"user"}: the invitation to one person again, now. */
const postResend = command(async (id, body, actor) =>
  commandResponse(id, await resendPersonInvitation(services(), id, body, actor), (r) => ({
    to: r.to,
    sender: r.sender,
  })),
);

/** The command routes, registered with the rest of the admin API (functions/migrations.ts). */
export const commandRoutes: [name: string, method: "POST", route: string, handler: df.HttpDurableClientHandler][] = [
  ["extendDeadline", "POST", "migrations/{id}/deadline", postDeadline],
  ["cancelMigration", "POST", "migrations/{id}/cancel", postCancel],
  ["resumeMigration", "POST", "migrations/{id}/resume", postResume],
  ["requestApprovalAgain", "POST", "migrations/{id}/approval", postApproval],
  ["exemptPerson", "POST", "migrations/{id}/people/exempt", postExemption],
  ["resendInvitation", "POST", "migrations/{id}/people/resend", postResend],
  ["extendPersonDeadline", "POST", "migrations/{id}/people/deadline", postPersonDeadline],
  ["requestPilotReview", "POST", "migrations/{id}/pilot-review", postPilotReview],
];
