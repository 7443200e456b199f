/**
 * Exchange Online mailboxes as Graph shows them: sendMail, drafts sent with `send`, Sent Items and the
 * Inbox with non-delivery reports, within Exchange Online's sending limits per mailbox.
 * - sendMail: 202, empty body (https://learn.microsoft.com/en-us/graph/api/user-sendmail?view=graph-rest-1.0).
 * - Create message: POST /users/{id}/messages → 201 with the draft, which may carry singleValueExtendedProperties
 *   (https://learn.microsoft.com/en-us/graph/api/user-post-messages?view=graph-rest-1.0,
 *   https://learn.microsoft.com/en-us/graph/api/singlevaluelegacyextendedproperty-post-singlevalueextendedproperties?view=graph-rest-1.0).
 * - Send: POST /users/{id}/messages/{id}/send → 202; the draft moves to Sent Items, so sending the same id
 *   again finds no draft (404 ErrorItemNotFound) (https://learn.microsoft.com/en-us/graph/api/message-send?view=graph-rest-1.0).
 * - List: GET /users/{id}/mailFolders/{sentitems|inbox|drafts}/messages with
 *   `$filter=singleValueExtendedProperties/Any(ep: ep/id eq '…' and ep/value eq '…')` (value compared
 *   case-insensitively) or `receivedDateTime ge …`, `$top` (default 10) and `$skip` paging
 *   (https://learn.microsoft.com/en-us/graph/api/singlevaluelegacyextendedproperty-get?view=graph-rest-1.0,
 *   https://learn.microsoft.com/en-us/graph/api/mailfolder-list-messages?view=graph-rest-1.0).
 * - Limits (https://learn.microsoft.com/en-us/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#sending-limits-1):
 *   30 messages per minute (over it Exchange accepts and holds a message until the minute has room: delayed, not
 *   refused — `deliveredAt`), 500 recipients per message (400), 10,000 recipients per rolling 24 hours —
 *   beyond it the request still gets 202 and the sender receives an NDR 550 5.1.90.
 * - Non-delivery reports land in the sender's Inbox as "Undeliverable: <subject>" from Microsoft Outlook, naming
 *   each failed recipient with the remote server's status: 550 5.1.10 (recipient not found), 554 5.2.2 (mailbox
 *   full), 550 5.1.90 (the sender's daily recipient limit)
 *   (https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online).
 */
import { randomUUID } from "crypto";
import type { Clock } from "../../shared/clock";
import { GraphHttpError, badRequest, empty, ok, requireObject, type SimRequest, type SimResponse } from "./http";
import { methodNotAllowed } from "./directory";
import { ianaZoneOf, wallClockOf } from "../../shared/domain/wallClock";

export interface MailLimits {
  /** "Message rate limit: 30 messages per minute". */
  messagesPerMinute: number;
  /** "Recipient limit: 500 recipients" per message (To + Cc + Bcc). */
  recipientsPerMessage: number;
  /** "Recipient rate limit: 10,000 recipients per day" (rolling 24 h). */
  recipientsPerDay: number;
}

export const exchangeOnlineLimits: MailLimits = {
  messagesPerMinute: 30,
  recipientsPerMessage: 500,
  recipientsPerDay: 10_000,
};

/** Why Exchange would not deliver to an address (the tenant fixture cannot tell, so tests say). */
export type UndeliverableCause = "recipientNotFound" | "mailboxFull";

/**
 * A mailbox owner's automatic replies (Outlook's "out of office"), as they set them: off, on until turned off, or on
 * between two instants, which Graph shows as wall-clock times in `timeZone` (an IANA or a Windows name, as the
 * mailbox's administrator set zones up; default UTC).
 */
export type SimAutomaticReplies =
  | { status: "disabled" }
  | { status: "alwaysEnabled" }
  | { status: "scheduled"; start: string; end: string; timeZone?: string };

const ndrStatus: Record<UndeliverableCause | "recipientRateLimit", string> = {
  recipientNotFound: "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
  mailboxFull:
    "554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded",
  recipientRateLimit:
    "550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients",
};

export interface ExtendedProperty {
  id: string;
  value: string;
}

export interface SentMail {
  id: string;
  sender: string;
  subject: string;
  to: string[];
  cc: string[];
  bcc: string[];
  html: string;
  saveToSentItems: boolean;
  /** ISO time on the simulator's clock: when Graph accepted it (202). */
  sentAt: string;
  /** When Exchange let it out: later than sentAt when the mailbox was over 30 messages a minute (rate limit delays). */
  deliveredAt: string;
  /** Set when Exchange would bounce the message after accepting it: the NDR's status for the first failed recipient. */
  nonDelivery?: string;
  /** Recipients Exchange did not deliver to, with the NDR status of each. */
  undelivered?: { address: string; status: string }[];
  singleValueExtendedProperties?: ExtendedProperty[];
}

interface StoredMessage {
  id: string;
  subject: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  html: string;
  createdDateTime: string;
  sentDateTime?: string;
  receivedDateTime?: string;
  isDraft: boolean;
  singleValueExtendedProperties: ExtendedProperty[];
}

interface Folders {
  drafts: Map<string, StoredMessage>;
  sentitems: StoredMessage[];
  inbox: StoredMessage[];
}

const userMailPath = /^\/users\/([^/]+)\/(sendMail|messages|messages\/([^/]+)\/send|mailFolders\/([^/]+)\/messages)$/;
/** GET /users/{id | userPrincipalName}/mailboxSettings/automaticRepliesSetting (user-get-mailboxsettings). */
const automaticRepliesPath = /^\/users\/([^/]+)\/mailboxSettings\/automaticRepliesSetting$/i;
const minuteMs = 60_000;
const dayMs = 24 * 60 * minuteMs;
/** Graph's default page for messages is 10 (https://learn.microsoft.com/en-us/graph/api/user-list-messages?view=graph-rest-1.0). */
const defaultPageSize = 10;
const extendedPropertyFilter =
  /^singleValueExtendedProperties\/any\(\s*(\w+)\s*:\s*\1\/id eq '((?:[^']|'')*)' and \1\/value eq '((?:[^']|'')*)'\s*\)$/i;
const receivedFilter = /^receivedDateTime ge (\S+)$/;
/** "String {GUID} Name X" (https://learn.microsoft.com/en-us/graph/api/resources/extended-properties-overview?view=graph-rest-1.0#id-formats). */
const namedPropertyId = /^String \{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\} Name \S+$/i;

function addresses(list: unknown, field: string): string[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw badRequest(`${field} must be an array of recipients.`, "ErrorInvalidRecipients");
  return list.map((entry) => {
    const address = (entry as { emailAddress?: { address?: unknown } } | null)?.emailAddress?.address;
    if (typeof address !== "string" || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address)) {
      throw badRequest(`At least one recipient is not valid: ${JSON.stringify(address)}.`, "ErrorInvalidRecipients");
    }
    return address;
  });
}

function extendedProperties(list: unknown): ExtendedProperty[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw badRequest("singleValueExtendedProperties must be an array.", "ErrorInvalidRequest");
  return list.map((entry) => {
    const { id, value } = requireObject(entry);
    if (typeof id !== "string" || !namedPropertyId.test(id) || typeof value !== "string") {
      throw badRequest(`The extended property id '${String(id)}' is not valid.`, "ErrorInvalidProperty");
    }
    return { id, value };
  });
}

const unquote = (literal: string) => literal.replace(/''/g, "'");
const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export class MailboxSimulator {
  readonly outbox: SentMail[] = [];
  private readonly folders = new Map<string, Folders>();
  private readonly undeliverable = new Map<string, UndeliverableCause>();
  private readonly automaticReplies = new Map<string, SimAutomaticReplies>();
  /**
   * One copy of each recipient address and body, however many messages carry it: a 100,000-user run sends
   * five bulk mails to everyone, and each parsed request would otherwise keep its own copy of every address.
   */
  private readonly interned = new Map<string, string>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: MailLimits,
    /** Resolves {id | userPrincipalName} to the mailbox's primary address, or undefined. */
    private readonly resolveMailbox: (idOrUpn: string) => string | undefined,
    private readonly baseUrl: () => string = () => "http://127.0.0.1/",
    /** Whether {id | userPrincipalName} is a user object (which may have no mailbox). */
    private readonly isUser: (idOrUpn: string) => boolean = () => false,
  ) {}

  /** From now on Exchange bounces mail to `address` for `cause`; undefined delivers again. */
  setUndeliverable(address: string, cause: UndeliverableCause | undefined): void {
    if (cause) this.undeliverable.set(address.toLowerCase(), cause);
    else this.undeliverable.delete(address.toLowerCase());
  }

  /** From now on `address`'s automatic replies are `setting` (undefined: off, as a new mailbox has them). */
  setAutomaticReplies(address: string, setting: SimAutomaticReplies | undefined): void {
    if (setting) this.automaticReplies.set(address.toLowerCase(), setting);
    else this.automaticReplies.delete(address.toLowerCase());
  }

  /** The mailbox a sendMail/messages path targets (for the $batch concurrency rule), or undefined. */
  mailboxOf(path: string): string | undefined {
    const match = userMailPath.exec(path);
    return match ? (this.resolveMailbox(match[1]) ?? match[1].toLowerCase()) : undefined;
  }

  handle(request: SimRequest): SimResponse | undefined {
    const replies = automaticRepliesPath.exec(request.path);
    if (replies) return this.expect(request, "GET", () => this.readAutomaticReplies(this.mailboxFor(replies[1])));
    const match = userMailPath.exec(request.path);
    if (!match) return undefined;
    const sender = this.mailboxFor(match[1]);
    const [, , route, draftId, folder] = match;
    if (route === "sendMail") return this.expect(request, "POST", () => this.sendMail(sender, request.body));
    if (route === "messages") return this.expect(request, "POST", () => this.createDraft(sender, request.body));
    if (draftId !== undefined) return this.expect(request, "POST", () => this.sendDraft(sender, draftId, request));
    return this.expect(request, "GET", () => this.list(sender, folder, request));
  }

  /** The mailbox of {id | userPrincipalName}, or Exchange's 404 for a user without one or nobody at all. */
  private mailboxFor(idOrUpn: string): string {
    const sender = this.resolveMailbox(idOrUpn);
    if (!sender && this.isUser(idOrUpn)) {
      // A user without an Exchange Online mailbox (no licence, on-premises, a guest): microsoft-graph-docs-contrib#405.
      throw new GraphHttpError(
        404,
        "MailboxNotEnabledForRESTAPI",
        "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
      );
    }
    if (!sender) throw new GraphHttpError(404, "ErrorInvalidUser", `The requested user '${idOrUpn}' is invalid.`);
    return sender;
  }

  /**
   * The automaticRepliesSetting object (https://learn.microsoft.com/en-us/graph/api/user-get-mailboxsettings, example
   * 2; resource automaticrepliessetting): `status` disabled, alwaysEnabled or scheduled, and the scheduled start and
   * end as dateTimeTimeZone (a wall-clock time with seven decimals, and its zone), present whatever the status.
   * Off, a mailbox shows the next day from now as its schedule [D].
   */
  private readAutomaticReplies(address: string): SimResponse {
    const setting = this.automaticReplies.get(address) ?? { status: "disabled" as const };
    const now = this.clock.now();
    const scheduled =
      setting.status === "scheduled"
        ? { start: setting.start, end: setting.end, timeZone: setting.timeZone ?? "UTC" }
        : { start: now.toISOString(), end: new Date(now.getTime() + dayMs).toISOString(), timeZone: "UTC" };
    const dateTimeTimeZone = (iso: string) => ({
      dateTime: `${wallClockOf(new Date(iso), ianaZoneOf(scheduled.timeZone) ?? "UTC")}:00.0000000`,
      timeZone: scheduled.timeZone,
    });
    return ok({
      "@odata.context": `${this.baseUrl()}v1.0/$metadata#users('${address}')/mailboxSettings/automaticRepliesSetting`,
      status: setting.status,
      externalAudience: "all",
      scheduledStartDateTime: dateTimeTimeZone(scheduled.start),
      scheduledEndDateTime: dateTimeTimeZone(scheduled.end),
      internalReplyMessage: setting.status === "disabled" ? "" : "<html><body><p>I am away.</p></body></html>",
      externalReplyMessage: "",
    });
  }

  private expect(request: SimRequest, method: string, run: () => SimResponse): SimResponse {
    if (request.method !== method) throw methodNotAllowed(request);
    return run();
  }

  private mailbox(address: string): Folders {
    let folders = this.folders.get(address);
    if (!folders) this.folders.set(address, (folders = { drafts: new Map(), sentitems: [], inbox: [] }));
    return folders;
  }

  private parseMessage(sender: string, raw: unknown): StoredMessage {
    const m = requireObject(raw);
    const content = (m.body as { content?: unknown } | undefined)?.content;
    return {
      id: randomUUID(),
      subject: typeof m.subject === "string" ? m.subject : "",
      from: sender,
      to: addresses(m.toRecipients, "toRecipients").map((a) => this.intern(a)),
      cc: addresses(m.ccRecipients, "ccRecipients").map((a) => this.intern(a)),
      bcc: addresses(m.bccRecipients, "bccRecipients").map((a) => this.intern(a)),
      html: typeof content === "string" ? this.intern(content) : "",
      createdDateTime: this.clock.now().toISOString(),
      isDraft: true,
      singleValueExtendedProperties: extendedProperties(m.singleValueExtendedProperties),
    };
  }

  private intern(text: string): string {
    const known = this.interned.get(text);
    if (known !== undefined) return known;
    this.interned.set(text, text);
    return text;
  }

  private sendMail(sender: string, rawBody: unknown): SimResponse {
    const body = requireObject(rawBody);
    if (typeof body.message !== "object" || body.message === null)
      throw badRequest("The 'message' parameter is missing.", "ErrorInvalidRequest");
    // saveToSentItems defaults to true (user-sendmail page).
    this.submit(sender, this.parseMessage(sender, body.message), body.saveToSentItems !== false);
    return empty(202);
  }

  private createDraft(sender: string, rawBody: unknown): SimResponse {
    const draft = this.parseMessage(sender, rawBody);
    this.mailbox(sender).drafts.set(draft.id, draft);
    return ok(this.view(draft), 201);
  }

  /**
   * "Don't supply a request body for this method", with the header "Content-Length: 0. Required."
   * (https://learn.microsoft.com/en-us/graph/api/message-send?view=graph-rest-1.0): a body is refused [D: the code].
   */
  private sendDraft(sender: string, id: string, request: SimRequest): SimResponse {
    if (request.body !== undefined)
      throw badRequest("This method takes no request body: send it with Content-Length: 0.", "ErrorInvalidRequest");
    const drafts = this.mailbox(sender).drafts;
    const draft = drafts.get(id);
    if (!draft) throw new GraphHttpError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
    this.submit(sender, draft, true);
    drafts.delete(id);
    return empty(202);
  }

  /** Checks the limits, records the message as sent (and in Sent Items), and bounces what Exchange would. */
  private submit(sender: string, message: StoredMessage, saveToSentItems: boolean): void {
    const recipients = [...message.to, ...message.cc, ...message.bcc];
    if (recipients.length === 0) throw badRequest("At least one recipient is required.", "ErrorInvalidRecipients");
    if (recipients.length > this.limits.recipientsPerMessage) {
      // Simulator's error code [D]; the limit itself is Exchange's 500 recipients per message.
      throw badRequest(
        `The message has ${recipients.length} recipients; the limit is ${this.limits.recipientsPerMessage} per message (To + Cc + Bcc).`,
        "ErrorTooManyRecipients",
      );
    }
    const now = this.clock.now().getTime();
    const { deliveredAt, lastDay } = this.sendingHistory(sender, now);
    const overLimit = lastDay + recipients.length > this.limits.recipientsPerDay;
    const undelivered = recipients.flatMap((address) => {
      const cause = overLimit ? "recipientRateLimit" : this.undeliverable.get(address.toLowerCase());
      return cause ? [{ address, status: ndrStatus[cause] }] : [];
    });
    const sentAt = new Date(now).toISOString();
    const sent = { ...message, isDraft: false, sentDateTime: sentAt };
    if (saveToSentItems) this.mailbox(sender).sentitems.push(sent);
    this.outbox.push({
      id: message.id,
      sender,
      subject: message.subject,
      to: message.to,
      cc: message.cc,
      bcc: message.bcc,
      html: message.html,
      saveToSentItems,
      sentAt,
      deliveredAt: new Date(deliveredAt).toISOString(),
      ...(undelivered.length > 0 ? { nonDelivery: undelivered[0].status, undelivered } : {}),
      ...(message.singleValueExtendedProperties.length > 0
        ? { singleValueExtendedProperties: message.singleValueExtendedProperties }
        : {}),
    });
    if (undelivered.length > 0)
      this.mailbox(sender).inbox.push(this.nonDeliveryReport(sender, message, undelivered, sentAt));
  }

  /**
   * What the sender's earlier messages mean for the next one, read in one pass over the outbox (it grows by every
   * message a test file sends):
   * - `deliveredAt`: the earliest time from `now` at which the mailbox has delivered fewer than 30 messages in the
   *   minute before: over the message rate limit Exchange Online queues the message and sends it later instead of
   *   refusing it (https://learn.microsoft.com/en-us/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#sending-limits-1,
   *   "Message rate limit");
   * - `lastDay`: the recipients of the messages it sent in the 24 hours before `now` (those refused for the
   *   recipient rate limit do not count).
   */
  private sendingHistory(sender: string, now: number): { deliveredAt: number; lastDay: number } {
    const limit = this.limits.messagesPerMinute;
    // toISOString's fixed-width form sorts as the time does: no Date.parse per message.
    const dayAgo = new Date(now - dayMs).toISOString();
    let deliveredAt = now;
    let lastDay = 0;
    let seen = 0;
    for (let i = this.outbox.length - 1; i >= 0; i--) {
      const mail = this.outbox[i];
      if (mail.sender !== sender) continue;
      // In order of delivery, any 30 consecutive messages span at least a minute.
      if (++seen === limit) deliveredAt = Math.max(now, Date.parse(mail.deliveredAt) + minuteMs);
      if (mail.sentAt > dayAgo && mail.nonDelivery !== ndrStatus.recipientRateLimit)
        lastDay += mail.to.length + mail.cc.length + mail.bcc.length;
    }
    return { deliveredAt, lastDay };
  }

  /** The NDR's text follows Exchange Online's ("Delivery has failed to these recipients or groups", "Remote Server returned '…'"). */
  private nonDeliveryReport(
    sender: string,
    original: StoredMessage,
    undelivered: { address: string; status: string }[],
    at: string,
  ): StoredMessage {
    const failed = undelivered.map((u) => `<p><b>${escapeHtml(u.address)}</b></p>`).join("");
    const diagnostics = undelivered
      .map((u) => `<p>${escapeHtml(u.address)}<br>Remote Server returned '${escapeHtml(u.status)}'</p>`)
      .join("");
    return {
      id: randomUUID(),
      subject: `Undeliverable: ${original.subject}`,
      from: `MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@${sender.split("@")[1]}`,
      to: [sender],
      cc: [],
      bcc: [],
      html: `<p>Delivery has failed to these recipients or groups:</p>${failed}<p>Diagnostic information for administrators:</p>${diagnostics}`,
      createdDateTime: at,
      sentDateTime: at,
      receivedDateTime: at,
      isDraft: false,
      singleValueExtendedProperties: [],
    };
  }

  private list(sender: string, folderName: string, request: SimRequest): SimResponse {
    const folders = this.mailbox(sender);
    const folder = folderName.toLowerCase();
    const items =
      folder === "drafts"
        ? [...folders.drafts.values()]
        : folder === "sentitems" || folder === "inbox"
          ? folders[folder]
          : undefined;
    if (!items)
      throw new GraphHttpError(404, "ErrorInvalidIdMalformed", `Id is malformed: mail folder '${folderName}'.`);
    const filter = request.query.get("$filter");
    let selected = items;
    if (filter) {
      const byProperty = extendedPropertyFilter.exec(filter.trim());
      const byReceived = receivedFilter.exec(filter.trim());
      if (byProperty) {
        const [id, value] = [unquote(byProperty[2]), unquote(byProperty[3]).toLowerCase()];
        selected = items.filter((m) =>
          m.singleValueExtendedProperties.some((p) => p.id === id && p.value.toLowerCase() === value),
        );
      } else if (byReceived && !Number.isNaN(Date.parse(byReceived[1]))) {
        const since = Date.parse(byReceived[1]);
        selected = items.filter((m) => Date.parse(m.receivedDateTime ?? m.createdDateTime) >= since);
      } else {
        throw new GraphHttpError(
          400,
          "ErrorInvalidUrlQueryFilter",
          `The simulator does not model the filter '${filter}'.`,
        );
      }
    }
    const top = Number(request.query.get("$top") ?? defaultPageSize);
    const skip = Number(request.query.get("$skip") ?? 0);
    if (!Number.isInteger(top) || top < 1 || top > 1000 || !Number.isInteger(skip) || skip < 0)
      throw badRequest("$top must be 1..1000 and $skip ≥ 0.", "ErrorInvalidUrlQuery");
    const pageItems = selected.slice(skip, skip + top);
    const next = new URLSearchParams(request.query);
    next.set("$skip", String(skip + top));
    const nextLink =
      skip + top < selected.length ? `${this.baseUrl()}v1.0${request.path}?${next.toString()}` : undefined;
    return ok({ value: pageItems.map((m) => this.view(m)), ...(nextLink ? { "@odata.nextLink": nextLink } : {}) });
  }

  private view(m: StoredMessage): Record<string, unknown> {
    const recipients = (list: string[]) => list.map((address) => ({ emailAddress: { address } }));
    return {
      id: m.id,
      subject: m.subject,
      createdDateTime: m.createdDateTime,
      ...(m.sentDateTime ? { sentDateTime: m.sentDateTime } : {}),
      ...(m.receivedDateTime ? { receivedDateTime: m.receivedDateTime } : {}),
      isDraft: m.isDraft,
      from: { emailAddress: { address: m.from } },
      toRecipients: recipients(m.to),
      ccRecipients: recipients(m.cc),
      bccRecipients: recipients(m.bcc),
      body: { contentType: "html", content: m.html },
    };
  }
}
