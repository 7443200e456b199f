/**
 * Validation of the start contract (docs/design.md#http-surface) and of a deadline extension. Every rule answers with the field's
 * dotted path ("reminders.2") and a plain reason, so the HTTP trigger can return 400 {"errors": [...]} and start
 * nothing. Rules that depend on "now" take it as an argument: the result is deterministic.
 */
import { z } from "zod";
import {
  describeDuration,
  describeIsoDuration,
  DurationError,
  parseHumanDuration,
  parseIsoDuration,
  toIsoDuration,
} from "../domain/duration";
import { DEFAULT_TIME_ZONE, formatHuman, isTimeZone } from "../domain/humanTime";
import type { Wave } from "../domain/waves";
import { operatorModeUnavailable, type GraphCloud } from "../graph/cloud";

export { DurationError, parseIsoDuration };

const DAY_MS = 86_400_000;

export const startRequestLimits = {
  /** A window longer than half a year is a plan, not a migration; the certificate and delta tokens argue for short ones. */
  maxDeadlineDays: 180,
  maxReminders: 20,
  minMonitorEveryMs: 15 * 60_000,
  maxMonitorEveryMs: DAY_MS,
  maxApprovers: 10,
  maxAdmins: 10,
  /** Include and exclude groups, each: every group is one more transitive-members listing per reconciliation pass. */
  maxScopeGroups: 20,
  /** RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets, so an address is at most 254. */
  maxEmailChars: 254,
  /** RFC 1035 §2.3.4: a domain name is at most 255 octets on the wire, 253 characters as text. */
  maxHostChars: 253,
  /** "https://" + a 253-character host + ":65535" + "/idp/shibboleth". */
  maxIdpEntityIdChars: 8 + 253 + 6 + 15,
  workspaceChars: 63,
  /** Longer than any sensible ISO 8601 duration or date-time; keeps hostile strings out of the parsers. */
  maxDurationChars: 32,
  maxDeadlineChars: 40,
  /** Reason given with a cancellation. */
  maxReasonChars: 500,
  /** The admins' own line in the invitation and reminders: one or two sentences, not a second e-mail. */
  maxNoteChars: 500,
  /** The longest IANA zone name is 30 characters ("America/Argentina/ComodRivadavia"); room to spare. */
  maxTimeZoneChars: 64,
  /** Waves in one migration: a pilot or two, then everyone else. */
  maxWaves: 10,
  maxWaveNameChars: 60,
} as const;

export interface FieldError {
  /** Dotted path of the offending field ("approvers.0"); "body" when the body itself is wrong. */
  field: string;
  message: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

const WORKSPACE = new RegExp(`^[A-Za-z0-9-]{1,${startRequestLimits.workspaceChars}}$`);
/** Labels of 1–63 letters/digits/hyphens (no hyphen at either end), at least two labels, an alphabetic or IDN top-level label. */
const DNS_DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
const IDP_ENTITY_ID_FORM = "https://[SERVER]/idp/shibboleth";

/**
 * Exactly the form Peig shows: https, a host name or IPv4 address, an optional port, the fixed path. Nothing that
 * a URL parser would normalise first (whitespace, newlines, backslashes, "..", percent-escapes, user info, query).
 */
const PEIG_IDP_ENTITY_ID = /^https:\/\/([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?\/idp\/shibboleth$/;

function isPeigIdpEntityId(text: string): boolean {
  const match = PEIG_IDP_ENTITY_ID.exec(text);
  if (!match) return false;
  const [, host, port] = match;
  return (
    host.length <= startRequestLimits.maxHostChars &&
    !host.includes("..") &&
    (port === undefined || Number(port) <= 65_535)
  );
}

/** An ISO 8601 instant with an explicit offset, strictly after `now`, at most maxDeadlineDays ahead. */
function deadlineSchema(now: Date) {
  const latest = now.getTime() + startRequestLimits.maxDeadlineDays * DAY_MS;
  return z
    .string({ error: "must be an ISO 8601 date and time with seconds and an offset, e.g. 2026-12-15T17:00:00Z" })
    .max(startRequestLimits.maxDeadlineChars, {
      error: `must be at most ${startRequestLimits.maxDeadlineChars} characters`,
      abort: true,
    })
    .pipe(
      z.iso.datetime({
        offset: true,
        abort: true, // the refinements below need a parseable date
        error:
          "must be an ISO 8601 date and time with seconds and an offset, e.g. 2026-12-15T17:00:00Z or 2026-12-15T18:00:00+01:00",
      }),
    )
    .refine((text) => Date.parse(text) > now.getTime(), {
      error: `must be in the future (it is now ${formatHuman(now)})`,
    })
    .refine((text) => Date.parse(text) <= latest, {
      error: `must be at most ${startRequestLimits.maxDeadlineDays} days from now`,
    });
}

function durationMsOrNull(text: string): number | null {
  try {
    return parseIsoDuration(text);
  } catch {
    return null;
  }
}

const DURATION_EXAMPLE = 'a duration such as "7 days", "4 hours" or "1 day 12 hours" (or ISO 8601: P7D, PT4H)';

/**
 * A duration as people write it ("7 days") or in ISO 8601 ("P7D"), kept as ISO 8601 text (upper-cased) because
 * schedules are recomputed from it after a deadline change.
 */
const durationSchema = z
  .string({ error: `must be ${DURATION_EXAMPLE}` })
  .max(startRequestLimits.maxDurationChars, {
    error: `must be at most ${startRequestLimits.maxDurationChars} characters`,
    abort: true,
  })
  .superRefine((text, ctx) => {
    try {
      if (parseHumanDuration(text) <= 0) ctx.addIssue({ code: "custom", message: "must be longer than zero" });
    } catch (error) {
      ctx.addIssue({ code: "custom", message: error instanceof DurationError ? error.message : String(error) });
    }
  })
  .transform((text) => {
    const trimmed = text.trim().toUpperCase();
    return trimmed.startsWith("P") ? trimmed : toIsoDuration(parseHumanDuration(text));
  });

/** E-mail addresses are compared case-insensitively everywhere (Exchange does), so they are stored lower-cased. */
const emailSchema = z
  .string({ error: "must be an e-mail address such as it@contoso.com" })
  .max(startRequestLimits.maxEmailChars, {
    error: `must be an e-mail address of at most ${startRequestLimits.maxEmailChars} characters`,
    abort: true,
  })
  .pipe(z.email({ error: "must be an e-mail address such as it@contoso.com" }))
  .transform((text) => text.toLowerCase());

function uniqueEmails(what: string, max: number) {
  return z
    .array(emailSchema, { error: `must be a list of ${what} e-mail addresses` })
    .min(1, { error: `must name at least one ${what.replace(/s$/, "")}` })
    .max(max, { error: `must name at most ${max} ${what}` })
    .superRefine((addresses, ctx) => {
      const seen = new Map<string, number>();
      addresses.forEach((address, index) => {
        const first = seen.get(address);
        if (first === undefined) seen.set(address, index);
        else
          ctx.addIssue({ code: "custom", path: [index], message: `repeats ${address} (already at position ${first})` });
      });
    });
}

/** Entra group object ids, each once (compared case-insensitively, stored lower-cased as Graph returns them). */
function groupIds(kind: "include" | "exclude") {
  return z
    .array(
      z.guid({ error: "must be the object id (GUID) of an Entra group" }).transform((id) => id.toLowerCase()),
      { error: `must be a list of Entra group object ids (GUIDs) to ${kind}` },
    )
    .max(startRequestLimits.maxScopeGroups, {
      error: `must name at most ${startRequestLimits.maxScopeGroups} groups`,
    })
    .superRefine((ids, ctx) => {
      ids.forEach((id, index) => {
        const first = ids.indexOf(id);
        if (first !== index)
          ctx.addIssue({ code: "custom", path: [index], message: `repeats ${id} (already at position ${first})` });
      });
    });
}

const remindersSchema = z
  .array(durationSchema, {
    error: 'must be a list of durations before the deadline, e.g. ["7 days", "4 hours"] or ["P7D", "PT4H"]',
  })
  .max(startRequestLimits.maxReminders, { error: `must hold at most ${startRequestLimits.maxReminders} reminders` })
  .superRefine((reminders, ctx) => {
    const seen = new Map<number, number>();
    reminders.forEach((text, index) => {
      const ms = durationMsOrNull(text); // array checks run even when an element failed
      if (ms === null) return;
      const first = seen.get(ms);
      if (first === undefined) seen.set(ms, index);
      else
        ctx.addIssue({
          code: "custom",
          path: [index],
          message: `${describeIsoDuration(text)} before the deadline is the same moment as reminder ${first + 1}`,
        });
    });
  });

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * One wave as the request gives it: the last wave's deadline is the migration's (given or not), every wave's
 * reminders default to the migration's. Dates and order are checked across the waves (`addWaveIssues`).
 */
function waveSchema(now: Date, reminders: z.ZodType<string[]>) {
  return z.strictObject(
    {
      name: z
        .string({ error: 'must be the wave\'s name in words, e.g. "pilot" or "everyone else"' })
        .transform((text) => text.trim())
        .pipe(
          z
            .string()
            .min(1, { error: "must not be empty" })
            .max(startRequestLimits.maxWaveNameChars, {
              error: `must be at most ${startRequestLimits.maxWaveNameChars} characters`,
            })
            .refine((text) => !CONTROL_CHARACTERS.test(text), { error: "must be plain text on one line" }),
        ),
      group: z
        .guid({ error: "must be the object id (GUID) of an Entra group" })
        .transform((id) => id.toLowerCase())
        .optional(),
      invitationDate: deadlineSchema(now).optional(),
      deadline: deadlineSchema(now).optional(),
      reminders: reminders.optional(),
      review: z.boolean({ error: "must be true or false" }).optional(),
    },
    { error: "must be a wave: {name, group, invitationDate, deadline, reminders, review}" },
  );
}

function fieldSchemas(now: Date) {
  return {
    workspace: z.string({ error: "must be the Peig workspace name (text)" }).regex(WORKSPACE, {
      error: `must be a Peig workspace name: 1–${startRequestLimits.workspaceChars} characters, letters, digits and hyphens only`,
    }),
    domain: z
      .string({ error: "must be the corporate DNS domain (text)" })
      .max(startRequestLimits.maxHostChars, {
        error: `must be a DNS domain of at most ${startRequestLimits.maxHostChars} characters`,
        abort: true,
      })
      .transform((text) => text.trim().toLowerCase())
      .refine((text) => DNS_DOMAIN.test(text), { error: "must be a DNS domain such as contoso.com" })
      .refine((text) => text !== "onmicrosoft.com" && !text.endsWith(".onmicrosoft.com"), {
        error:
          "must be the corporate domain verified in Entra, not the initial *.onmicrosoft.com domain (Peig's Microsoft 365 guide requires the corporate domain)",
      }),
    idpEntityId: z
      .string({ error: `must be the Peig IDP Entity ID (text) of the form ${IDP_ENTITY_ID_FORM}` })
      .max(startRequestLimits.maxIdpEntityIdChars, {
        error: `must be at most ${startRequestLimits.maxIdpEntityIdChars} characters (a host name has at most ${startRequestLimits.maxHostChars})`,
        abort: true,
      })
      .refine(isPeigIdpEntityId, {
        error: `must have exactly the form ${IDP_ENTITY_ID_FORM}, as Peig shows it (Configuration > SAML IDP Info): no spaces, backslashes, "..", or escapes`,
      })
      .optional(),
    deadline: deadlineSchema(now),
    reminders: remindersSchema,
    monitorEvery: durationSchema.refine(
      (text) => {
        const ms = durationMsOrNull(text);
        return ms !== null && ms >= startRequestLimits.minMonitorEveryMs && ms <= startRequestLimits.maxMonitorEveryMs;
      },
      { error: "must be between 15 minutes and 1 day" },
    ),
    includeGroups: groupIds("include").optional(),
    excludeGroups: groupIds("exclude").optional(),
    /** The older name of a single include group, still accepted. */
    scopeGroupId: z.guid({ error: "must be the object id (GUID) of an Entra group" }).optional(),
    excludeGuests: z.boolean({ error: "must be true or false" }).default(true),
    excludeDisabledAccounts: z.boolean({ error: "must be true or false" }).default(true),
    excludeUnlicensed: z.boolean({ error: "must be true or false" }).default(true),
    approvers: uniqueEmails("approvers", startRequestLimits.maxApprovers),
    requiredApprovals: z.int({ error: "must be a whole number of approvals" }).min(1, { error: "must be at least 1" }),
    admins: uniqueEmails("admins", startRequestLimits.maxAdmins),
    fallbackApprovers: uniqueEmails("fallback approvers", startRequestLimits.maxApprovers).optional(),
    /** How long a deletion approval round waits for its quorum before the fallback approvers are asked too. */
    escalateAfter: durationSchema.optional(),
    phase2: z.enum(["auto", "approve", "skip"], { error: 'must be "auto", "approve" or "skip"' }),
    endEarly: z.boolean({ error: "must be true or false" }),
    dryRun: z.boolean({ error: "must be true or false" }),
    timeZone: z
      .string({ error: 'must be an IANA time zone name such as "Europe/Prague" or "UTC"' })
      .max(startRequestLimits.maxTimeZoneChars, {
        error: `must be at most ${startRequestLimits.maxTimeZoneChars} characters`,
        abort: true,
      })
      .refine(isTimeZone, { error: 'must be an IANA time zone name such as "Europe/Prague" or "UTC"' })
      .default(DEFAULT_TIME_ZONE),
    note: z
      .string({ error: "must be plain text" })
      .transform((text) => text.trim())
      .pipe(
        z
          .string()
          .max(startRequestLimits.maxNoteChars, {
            error: `must be at most ${startRequestLimits.maxNoteChars} characters`,
          })
          // Control characters other than line breaks would reach mail clients as they are.
          .refine((text) => !/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f]/.test(text), {
            error: "must be plain text without control characters",
          }),
      )
      .optional(),
    personalisedReminders: z.boolean({ error: "must be true or false" }).default(false),
    waves: z
      .array(waveSchema(now, remindersSchema), { error: "must be a list of waves, in the order they start" })
      .min(2, { error: "must hold at least two waves (leave it out for one wave of everyone in scope)" })
      .max(startRequestLimits.maxWaves, { error: `must hold at most ${startRequestLimits.maxWaves} waves` })
      .optional(),
    /** Start even when the mail plan cannot reach everyone in time (its shortfalls become warnings). */
    acceptPlanWarnings: z.boolean({ error: "must be true or false" }).default(false),
  };
}

/** Rules between fields; each side is re-parsed alone so they run (and stay quiet) even when other fields are wrong. */
function addCrossFieldIssues(
  fields: ReturnType<typeof fieldSchemas>,
  raw: Record<string, unknown>,
  now: Date,
  ctx: z.RefinementCtx,
): void {
  const deadline = fields.deadline.safeParse(raw.deadline);
  const reminders = fields.reminders.safeParse(raw.reminders);
  if (deadline.success && reminders.success) {
    const window = Date.parse(deadline.data) - now.getTime();
    reminders.data.forEach((text, index) => {
      if (parseIsoDuration(text) >= window) {
        ctx.addIssue({
          code: "custom",
          path: ["reminders", index],
          message: `${describeIsoDuration(text)} before the deadline would be in the past: the deadline is only ${describeDuration(window)} away`,
        });
      }
    });
  }
  const include = fields.includeGroups.safeParse(raw.includeGroups);
  const exclude = fields.excludeGroups.safeParse(raw.excludeGroups);
  if (include.success && include.data && raw.scopeGroupId !== undefined)
    ctx.addIssue({
      code: "custom",
      path: ["scopeGroupId"],
      message: "is the older name of includeGroups: give the group in includeGroups instead",
    });
  if (exclude.success && exclude.data) {
    const included = new Set([
      ...(include.success ? (include.data ?? []) : []),
      ...(typeof raw.scopeGroupId === "string" ? [raw.scopeGroupId.toLowerCase()] : []),
    ]);
    exclude.data.forEach((id, index) => {
      if (included.has(id))
        ctx.addIssue({
          code: "custom",
          path: ["excludeGroups", index],
          message: `${id} is also an include group: a group cannot be both`,
        });
    });
  }
  const approversForFallback = fields.approvers.safeParse(raw.approvers);
  const fallback = fields.fallbackApprovers.safeParse(raw.fallbackApprovers);
  if (fallback.success && fallback.data && raw.escalateAfter === undefined)
    ctx.addIssue({
      code: "custom",
      path: ["escalateAfter"],
      message: 'is required with fallbackApprovers: how long a round waits before asking them, e.g. "2 days"',
    });
  if (raw.escalateAfter !== undefined && raw.fallbackApprovers === undefined)
    ctx.addIssue({
      code: "custom",
      path: ["fallbackApprovers"],
      message: "is required with escalateAfter: whom to ask",
    });
  if (fallback.success && fallback.data && approversForFallback.success)
    fallback.data.forEach((address, index) => {
      if (approversForFallback.data.includes(address))
        ctx.addIssue({
          code: "custom",
          path: ["fallbackApprovers", index],
          message: `${address} is already an approver`,
        });
    });
  addWaveIssues(fields, raw, now, ctx);
  const approvers = fields.approvers.safeParse(raw.approvers);
  const required = fields.requiredApprovals.safeParse(raw.requiredApprovals);
  if (approvers.success && required.success && required.data > approvers.data.length) {
    ctx.addIssue({
      code: "custom",
      path: ["requiredApprovals"],
      message: `must be at most the number of approvers (${approvers.data.length})`,
    });
  }
}

/** The waves among themselves and against the migration's deadline, scope and exclude groups. */
function addWaveIssues(
  fields: ReturnType<typeof fieldSchemas>,
  raw: Record<string, unknown>,
  now: Date,
  ctx: z.RefinementCtx,
): void {
  const parsed = fields.waves.safeParse(raw.waves);
  if (!parsed.success || !parsed.data) return;
  const waves = parsed.data;
  const issue = (index: number, field: string, message: string) =>
    ctx.addIssue({ code: "custom", path: ["waves", index, field], message });
  const last = waves.length - 1;
  const deadline = fields.deadline.safeParse(raw.deadline);
  const reminders = fields.reminders.safeParse(raw.reminders);
  const excluded = new Set(fields.excludeGroups.safeParse(raw.excludeGroups).data ?? []);
  const seenNames = new Map<string, number>();
  const seenGroups = new Map<string, number>();
  let previousDeadline: number | undefined;
  waves.forEach((wave, i) => {
    const name = wave.name.toLowerCase();
    if (seenNames.has(name)) issue(i, "name", `repeats the name of wave ${seenNames.get(name)! + 1}`);
    else seenNames.set(name, i);
    if (!wave.group && i < last)
      issue(
        i,
        "group",
        "is required: every wave but the last names the Entra group it takes (the last may take everyone else in scope)",
      );
    if (wave.group) {
      if (seenGroups.has(wave.group))
        issue(i, "group", `is already the group of the wave "${waves[seenGroups.get(wave.group)!].name}"`);
      else seenGroups.set(wave.group, i);
      if (excluded.has(wave.group))
        issue(i, "group", `${wave.group} is an exclude group: its members are not in scope`);
    }
    if (i === 0 && wave.review)
      issue(i, "review", "cannot be set on the first wave: a pilot review looks at the waves before the one it starts");
    const ownDeadline =
      i === last
        ? deadline.success
          ? Date.parse(deadline.data)
          : undefined
        : wave.deadline
          ? Date.parse(wave.deadline)
          : undefined;
    if (i === last && wave.deadline && ownDeadline !== undefined && Date.parse(wave.deadline) !== ownDeadline)
      issue(i, "deadline", "is the migration's deadline for the last wave: leave it out, or give the same as deadline");
    if (i < last && !wave.deadline)
      issue(i, "deadline", "is required (only the last wave takes the migration's deadline)");
    if (ownDeadline !== undefined && previousDeadline !== undefined && ownDeadline <= previousDeadline)
      issue(
        i,
        "deadline",
        `must be later than the deadline of the wave "${waves[i - 1].name}" (${formatHuman(new Date(previousDeadline))})`,
      );
    const invitation = wave.invitationDate ? Date.parse(wave.invitationDate) : undefined;
    if (invitation !== undefined && previousDeadline !== undefined && invitation < previousDeadline)
      issue(
        i,
        "invitationDate",
        `must be on or after the deadline of the wave "${waves[i - 1].name}" (${formatHuman(new Date(previousDeadline))}): waves run one after another`,
      );
    if (invitation !== undefined && ownDeadline !== undefined && invitation >= ownDeadline)
      issue(i, "invitationDate", "must be before the wave's deadline");
    const start = invitation ?? previousDeadline ?? now.getTime();
    const ownReminders = wave.reminders ?? (reminders.success ? reminders.data : []);
    if (ownDeadline !== undefined)
      ownReminders.forEach((text, r) => {
        if (ownDeadline - parseIsoDuration(text) <= start)
          ctx.addIssue({
            code: "custom",
            path: wave.reminders ? ["waves", i, "reminders", r] : ["reminders", r],
            message: `${describeIsoDuration(text)} before the deadline of the wave "${wave.name}" would be before that wave starts`,
          });
      });
    previousDeadline = ownDeadline ?? previousDeadline;
  });
  if (waves.every((w) => w.group) && (raw.includeGroups !== undefined || raw.scopeGroupId !== undefined))
    ctx.addIssue({
      code: "custom",
      path: [raw.includeGroups !== undefined ? "includeGroups" : "scopeGroupId"],
      message:
        "cannot be given when every wave names a group: the waves' groups are then the scope (or leave the last wave's group out for everyone else in these groups)",
    });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function startRequestSchema(now: Date) {
  const fields = fieldSchemas(now);
  return z
    .strictObject(fields, { error: "the request body must be a JSON object" })
    .superRefine((value, ctx) => addCrossFieldIssues(fields, value, now, ctx), {
      when: (payload) => isRecord(payload.value),
    });
}

export type StartRequest = z.output<ReturnType<typeof startRequestSchema>>;

/**
 * The schema for the last `now` asked for: building it takes longer than most parses (zod compiles each object
 * schema), and requests on a clock that has not moved (a virtual one, or a burst within a millisecond) share it.
 * Zod schemas are immutable, so sharing one changes nothing but the time.
 */
let lastSchema: { at: number; schema: ReturnType<typeof startRequestSchema> } | undefined;
function startRequestSchemaAt(now: Date): ReturnType<typeof startRequestSchema> {
  const at = now.getTime();
  // Its own Date: the schema keeps the one it is built with, and a caller may change theirs.
  if (lastSchema?.at !== at) lastSchema = { at, schema: startRequestSchema(new Date(at)) };
  return lastSchema.schema;
}

function toFieldErrors(issues: readonly z.core.$ZodIssue[], allowedFields: readonly string[]): FieldError[] {
  return issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      // The allowed fields once, on the first unknown one: a body with thousands of unknown keys stays a short answer.
      return issue.keys.map((key, i) => ({
        field: unknownFieldName(key),
        message:
          i === 0
            ? `is not a field of this request (allowed: ${allowedFields.join(", ")})`
            : "is not a field of this request",
      }));
    }
    const field = issue.path.map(String).join(".") || "body";
    return [
      { field, message: issue.code === "invalid_type" && issue.input === undefined ? "is required" : issue.message },
    ];
  });
}

/** An unknown key as the error names it: never empty, never longer than a real field name could be. */
function unknownFieldName(key: string): string {
  if (key === "") return '""';
  return key.length > 64 ? `${key.slice(0, 64)}…` : key;
}

function parseWith<T>(schema: z.ZodObject & z.ZodType<T>, body: unknown): ParseResult<T> {
  // reportInput: tells a missing field (input undefined) from one of the wrong type.
  const result = schema.safeParse(body, { reportInput: true });
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, errors: toFieldErrors(result.error.issues, Object.keys(schema.shape)) };
}

/** The start request as stored: each wave with its deadline and reminders filled in (shared/domain/waves.ts). */
export type ParsedStartRequest = Omit<StartRequest, "waves"> & { waves?: Wave[] };

export function parseStartRequest(body: unknown, now: Date): ParseResult<ParsedStartRequest> {
  const parsed = parseWith(startRequestSchemaAt(now), body);
  if (!parsed.ok || !parsed.value.waves) return parsed as ParseResult<ParsedStartRequest>;
  const { deadline, reminders } = parsed.value;
  const waves = parsed.value.waves.map((wave, i, all) => ({
    name: wave.name,
    ...(wave.group ? { group: wave.group } : {}),
    ...(wave.invitationDate ? { invitationDate: wave.invitationDate } : {}),
    deadline: i === all.length - 1 ? deadline : wave.deadline!,
    reminders: wave.reminders ?? reminders,
    ...(wave.review ? { review: true } : {}),
  }));
  return { ok: true, value: { ...parsed.value, waves } };
}

/**
 * The mail plan's shortfalls (the invitation not reaching everyone before the first reminder, a reminder not
 * before the deadline) refuse a start, naming each and its fix, unless the request accepts them.
 */
export function planShortfallErrors(shortfalls: readonly string[], acceptPlanWarnings: boolean): FieldError[] {
  if (acceptPlanWarnings) return [];
  return shortfalls.map((message) => ({
    field: "reminders",
    message: `${message} (or set acceptPlanWarnings: true to start anyway)`,
  }));
}

export interface DeadlineExtension {
  /** As given (ISO 8601 with offset). */
  deadline: string;
}

/** POST /api/migrations/{id}/deadline: the same deadline rules, and the new deadline must be later than the current one. */
export function parseDeadlineExtension(
  body: unknown,
  now: Date,
  currentDeadline: Date,
): ParseResult<DeadlineExtension> {
  const schema = z.strictObject(
    {
      deadline: deadlineSchema(now).refine((text) => Date.parse(text) > currentDeadline.getTime(), {
        error: `must be later than the current deadline, ${formatHuman(currentDeadline)}`,
      }),
    },
    { error: "the request body must be a JSON object" },
  );
  return parseWith(schema, body);
}

/**
 * What the deployment's settings make impossible for any start: operator mode in a cloud without sign-in logs.
 * Named by the setting, since no request field can change it.
 */
export function startSettingsErrors(settings: { peigMode: "api" | "operator"; cloud: GraphCloud }): FieldError[] {
  const unavailable = settings.peigMode === "operator" ? operatorModeUnavailable(settings.cloud) : undefined;
  return unavailable ? [{ field: "PEIG_MODE", message: `GRAPH_CLOUD is ${settings.cloud}: ${unavailable}` }] : [];
}
