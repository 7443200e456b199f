/**
 * An admin's commands about one person: exempt them (with a reason), give them a later deadline of their own, or
 * send them the invitation again. Each names
 * the person by their address (UPN or mail) or their Entra object id, is allowed only while it can take effect,
 * is audited, and answers with what was done or why not. The JSON API and the status page's buttons both come here.
 */
import { z } from "zod";
import { resendInvitation as sendInvitationAgain } from "../activities/onboarding";
import { MAX_EXEMPTION_REASON_CHARS, MAX_EXEMPTIONS, type Exemption } from "../shared/domain/exemptions";
import { DEFAULT_TIME_ZONE, formatHuman } from "../shared/domain/humanTime";
import {
  deadlineOf,
  MAX_EXTENSION_REASON_CHARS,
  MAX_PERSONAL_DEADLINES,
  type PersonalDeadline,
} from "../shared/domain/personalDeadlines";
import { instantOfWallClock } from "../shared/domain/wallClock";
import { parseDeadlineExtension } from "../shared/validation/startRequest";
import { updateRuntime } from "../shared/migrationRecord";
import { PreconditionFailedError, type MigrationRecord, type UserRecord } from "../shared/store";
import type { AppDeps, CommandResult, FieldError, MigrationRunner } from "./ports";

/** Phases in which an exemption still changes something: before Phase 2 lists who gets an account. */
const EXEMPTABLE = new Set(["setup", "onboarding"]);

/** Why an exemption cannot be recorded on the migration as it is, or undefined when it can. */
export function exemptionRefusal(record: Pick<MigrationRecord, "phase">): string | undefined {
  return EXEMPTABLE.has(record.phase)
    ? undefined
    : `too late: Phase 2 has listed who gets an account (the migration is in ${record.phase})`;
}

/** Phases in which the onboarding window is still open, so a later deadline can take effect. */
const WINDOW_OPEN = new Set(["setup", "onboarding"]);

/** Why a deadline (the migration's or one person's) cannot be moved on the migration as it is, or undefined. */
export function deadlineRefusal(record: Pick<MigrationRecord, "phase">): string | undefined {
  return WINDOW_OPEN.has(record.phase)
    ? undefined
    : `too late: the onboarding window is over (the migration is in ${record.phase})`;
}

/**
 * A deadline command's body as parseDeadlineExtension reads it: the JSON API sends `deadline` in ISO 8601 with an
 * offset; the status page's date-and-time input sends the migration's wall clock, read in its time zone.
 */
export function deadlineBody(
  deadline: unknown,
  record: Pick<MigrationRecord, "runtime">,
  wallClock: boolean | undefined,
): { deadline: unknown } {
  const instant =
    wallClock && typeof deadline === "string"
      ? instantOfWallClock(deadline, record.runtime.request.timeZone ?? DEFAULT_TIME_ZONE)
      : undefined;
  return { deadline: instant ? instant.toISOString() : deadline };
}

/** Why the invitation cannot be sent again now, or undefined when it can. */
export function resendRefusal(record: Pick<MigrationRecord, "phase">): string | undefined {
  return record.phase === "onboarding"
    ? undefined
    : record.phase === "setup"
      ? "the invitation has not gone out yet: it goes to everyone when setup is done"
      : `too late: the onboarding window is over (the migration is in ${record.phase})`;
}

const plainText = (what: string, max: number) =>
  z
    .string({ error: `must be ${what} (text)` })
    .transform((text) => text.trim())
    .pipe(
      z
        .string()
        .min(1, { error: `must not be empty: give ${what}` })
        .max(max, { error: `must be at most ${max} characters` })
        .refine((text) => !/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f]/.test(text), {
          error: "must be plain text without control characters",
        }),
    );

const personField = plainText("the person's e-mail address (UPN or mail) or Entra object id", 254);
const exemptSchema = z.strictObject(
  { user: personField, reason: plainText("the reason", MAX_EXEMPTION_REASON_CHARS) },
  { error: 'the request body must be a JSON object such as {"user": "jane@contoso.com", "reason": "…"}' },
);
const extendSchema = z.strictObject(
  {
    user: personField,
    deadline: z.unknown(), // read by parseDeadlineExtension, against the person's own deadline
    reason: plainText("the reason", MAX_EXTENSION_REASON_CHARS).optional(),
  },
  {
    error:
      'the request body must be a JSON object such as {"user": "jane@contoso.com", "deadline": "2027-01-15T17:00:00Z", "reason": "…"}',
  },
);
const resendSchema = z.strictObject(
  { user: personField },
  { error: 'the request body must be a JSON object such as {"user": "jane@contoso.com"}' },
);

function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    field: issue.path.map(String).join(".") || "body",
    message: issue.code === "invalid_type" && issue.input === undefined ? "is required" : issue.message,
  }));
}

/** The person's row among the migration's users: by object id, UPN or mail (case-insensitive). */
async function findPerson(deps: AppDeps, id: string, who: string): Promise<UserRecord | undefined> {
  const key = who.toLowerCase();
  let found: UserRecord | undefined;
  await deps.store.forEachUserPage(id, (page) => {
    found ??= page.find(
      (u) =>
        u.userId.toLowerCase() === key || u.userPrincipalName.toLowerCase() === key || u.mail?.toLowerCase() === key,
    );
  });
  return found;
}

const notInScope = (who: string): FieldError => ({
  field: "user",
  message: `${who} is nobody in this migration's scope (the status page lists who is)`,
});

/**
 * The person a command names, when it can still be about them: in scope (else a 400 on `user`), not onboarded and
 * not exempted (else a 409 saying so; `exemptedMeans` says why an exemption stops this command).
 */
async function stillToOnboard(
  deps: AppDeps,
  record: MigrationRecord,
  user: string,
  exemptedMeans: string,
): Promise<
  { ok: true; person: UserRecord } | { ok: false; result: Extract<CommandResult, { kind: "invalid" | "conflict" }> }
> {
  const person = await findPerson(deps, record.id, user);
  if (!person) return { ok: false, result: { kind: "invalid", errors: [notInScope(user)] } };
  const name = person.userPrincipalName;
  if (person.state === "onboarded")
    return { ok: false, result: { kind: "conflict", reason: `${name} has already onboarded` } };
  if (record.runtime.exemptions?.some((e) => e.userId === person.userId))
    return { ok: false, result: { kind: "conflict", reason: `${name} is exempted: ${exemptedMeans}` } };
  return { ok: true, person };
}

/** Exempts one person: no more mail, counted apart, no Phase 2 account; the checklist names them. */
export async function exemptPerson(
  deps: AppDeps,
  runner: MigrationRunner,
  id: string,
  body: unknown,
  actor: string,
): Promise<CommandResult<{ exemption: Exemption }>> {
  const record = await deps.store.getMigration(id);
  if (!record) return { kind: "notFound" };
  const parsed = exemptSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) return { kind: "invalid", errors: fieldErrors(parsed.error) };
  const early = exemptionRefusal(record);
  if (early) return { kind: "conflict", reason: early };
  const person = await findPerson(deps, id, parsed.data.user);
  if (!person) return { kind: "invalid", errors: [notInScope(parsed.data.user)] };
  if (person.state === "onboarded")
    return { kind: "conflict", reason: `${person.userPrincipalName} has already onboarded: nothing to exempt` };
  const exemption: Exemption = {
    userId: person.userId,
    userPrincipalName: person.userPrincipalName,
    displayName: person.displayName,
    reason: parsed.data.reason,
    by: actor,
    at: deps.clock.now().toISOString(),
  };
  let refused: string | undefined;
  try {
    await updateRuntime(deps, id, (rt, current) => {
      const exemptions = rt.exemptions ?? [];
      refused =
        exemptionRefusal(current) ??
        (exemptions.some((e) => e.userId === person.userId)
          ? `${person.userPrincipalName} is already exempted`
          : exemptions.length >= MAX_EXEMPTIONS
            ? `at most ${MAX_EXEMPTIONS} people can be exempted one at a time: leave the rest out with an exclude group`
            : undefined);
      if (refused) return false;
      rt.exemptions = [...exemptions, exemption];
      // An exempted person has no deadline left to keep the window open for.
      if (rt.personalDeadlines?.some((p) => p.userId === person.userId))
        rt.personalDeadlines = rt.personalDeadlines.filter((p) => p.userId !== person.userId);
      // The figures follow at once, as the next pass would count them: not onboarded, now counted apart.
      if (person.state !== "notOnboarded") return undefined;
      const counts = current.counts;
      return {
        counts: {
          ...counts,
          notOnboarded: Math.max(0, counts.notOnboarded - 1),
          exempted: (counts.exempted ?? 0) + 1,
        },
      };
    });
  } catch (err) {
    if (err instanceof PreconditionFailedError)
      return { kind: "conflict", reason: "the migration changed while the request was being handled: send it again" };
    throw err;
  }
  if (refused) return { kind: "conflict", reason: refused };
  if (person.state === "notOnboarded") await deps.store.updateUser(id, person.userId, { state: "exempted" });
  await deps.store.appendAudit({
    migrationId: id,
    actor: `admin:${actor}`,
    action: "person.exempted",
    details: {
      user: person.userPrincipalName,
      displayName: person.displayName,
      reason: exemption.reason,
      state: person.state,
    },
    instanceId: id,
  });
  await runner.wake(id);
  return { kind: "accepted", exemption };
}

/**
 * Gives one person a later deadline of their own: their reminders count down to it, the window stays open until
 * the latest one, and Phase 2 does not take them before it. Later than the deadline they have now, within the
 * start's limits; a second extension of the same person replaces the first.
 */
export async function extendPersonDeadline(
  deps: AppDeps,
  runner: MigrationRunner,
  id: string,
  body: unknown,
  actor: string,
  options: { wallClock?: boolean } = {},
): Promise<CommandResult<{ extension: PersonalDeadline }>> {
  const record = await deps.store.getMigration(id);
  if (!record) return { kind: "notFound" };
  const parsed = extendSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) return { kind: "invalid", errors: fieldErrors(parsed.error) };
  if (parsed.data.deadline === undefined)
    return { kind: "invalid", errors: [{ field: "deadline", message: "is required" }] };
  const early = deadlineRefusal(record);
  if (early) return { kind: "conflict", reason: early };
  const found = await stillToOnboard(deps, record, parsed.data.user, "there is no deadline to extend");
  if (!found.ok) return found.result;
  const { person } = found;
  const name = person.userPrincipalName;
  const current = deadlineOf(person.userId, record.deadline, record.runtime.personalDeadlines);
  const deadline = parseDeadlineExtension(
    deadlineBody(parsed.data.deadline, record, options.wallClock),
    deps.clock.now(),
    new Date(current),
  );
  if (!deadline.ok) return { kind: "invalid", errors: deadline.errors };
  const to = new Date(deadline.value.deadline).toISOString();
  let extension: PersonalDeadline | undefined;
  let refused: string | undefined;
  try {
    // Decided against the version being written: parallel requests cannot move anyone's deadline earlier.
    await updateRuntime(deps, id, (rt, latest) => {
      const others = (rt.personalDeadlines ?? []).filter((p) => p.userId !== person.userId);
      const from = deadlineOf(person.userId, latest.deadline, rt.personalDeadlines);
      refused =
        deadlineRefusal(latest) ??
        (Date.parse(from) >= Date.parse(to)
          ? `${name}'s deadline is already ${when(from, latest)}, not earlier than ${when(to, latest)}`
          : others.length >= MAX_PERSONAL_DEADLINES
            ? `at most ${MAX_PERSONAL_DEADLINES} people can have a deadline of their own: extend the migration's deadline instead`
            : undefined);
      if (refused) return false;
      extension = {
        userId: person.userId,
        userPrincipalName: name,
        displayName: person.displayName,
        deadline: to,
        from,
        ...(parsed.data.reason ? { reason: parsed.data.reason } : {}),
        by: actor,
        at: deps.clock.now().toISOString(),
      };
      rt.personalDeadlines = [...others, extension];
    });
  } catch (err) {
    if (err instanceof PreconditionFailedError)
      return { kind: "conflict", reason: "the migration changed while the request was being handled: send it again" };
    throw err;
  }
  if (refused || !extension) return { kind: "conflict", reason: refused ?? "not recorded" };
  await deps.store.appendAudit({
    migrationId: id,
    actor: `admin:${actor}`,
    action: "person.deadlineExtended",
    details: {
      user: name,
      displayName: person.displayName,
      from: extension.from,
      to: extension.deadline,
      ...(extension.reason ? { reason: extension.reason } : {}),
    },
    instanceId: id,
  });
  // Woken so the window schedules the person's reminders and its new closing time at once.
  await runner.wake(id);
  return { kind: "accepted", extension };
}

const when = (iso: string, record: Pick<MigrationRecord, "runtime">) =>
  formatHuman(new Date(iso), record.runtime.request.timeZone);

/** Sends one person the invitation again, now, from a sender mailbox with room. */
export async function resendPersonInvitation(
  deps: AppDeps,
  id: string,
  body: unknown,
  actor: string,
): Promise<CommandResult<{ to: string; sender: string }>> {
  const record = await deps.store.getMigration(id);
  if (!record) return { kind: "notFound" };
  const parsed = resendSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) return { kind: "invalid", errors: fieldErrors(parsed.error) };
  const refused = resendRefusal(record);
  if (refused) return { kind: "conflict", reason: refused };
  const found = await stillToOnboard(deps, record, parsed.data.user, "exempted people get no more mail");
  if (!found.ok) return found.result;
  const { person } = found;
  const name = person.userPrincipalName;
  if (!person.mail) return { kind: "conflict", reason: `${name} has no mailbox: mail cannot reach them` };
  if (person.bounce?.cause === "recipientNotFound" && person.bounce.address.toLowerCase() === person.mail.toLowerCase())
    return {
      kind: "conflict",
      reason: `the last mail to ${person.mail} bounced on ${formatHuman(new Date(person.bounce.at), record.runtime.request.timeZone)}: that address does not exist; fix the mailbox first`,
    };
  const requestedAt = deps.clock.now().toISOString();
  const result = await sendInvitationAgain(
    deps,
    id,
    { userId: person.userId, displayName: person.displayName, mail: person.mail },
    requestedAt,
  );
  if (!result.sent) return { kind: "conflict", reason: result.reason };
  await deps.store.appendAudit({
    migrationId: id,
    actor: `admin:${actor}`,
    action: "person.invitationResent",
    details: { user: name, to: person.mail, sender: result.sender },
    instanceId: id,
  });
  return { kind: "accepted", to: person.mail, sender: result.sender };
}
