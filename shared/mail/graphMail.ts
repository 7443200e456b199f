/**
 * MailPort over Graph, sending each message at most once. sendMail is not idempotent and a 504 can come
 * after Exchange accepted the message, so a blind retry sends it twice. Instead each message is created as a
 * draft carrying a unique single-value extended property (its send key), then the draft is sent
 * (https://learn.microsoft.com/en-us/graph/api/user-post-messages?view=graph-rest-1.0,
 * https://learn.microsoft.com/en-us/graph/api/message-send?view=graph-rest-1.0). After an uncertain failure
 * the key is looked up in Sent Items before sending again
 * (`$filter=singleValueExtendedProperties/Any(ep: ep/id eq '…' and ep/value eq '…')`,
 * https://learn.microsoft.com/en-us/graph/api/singlevaluelegacyextendedproperty-get?view=graph-rest-1.0);
 * and a sent draft has left Drafts, so sending its id again cannot send it twice (404).
 * Exchange Online limits per sender mailbox: 500 recipients per message (To+Cc+Bcc), 30 messages per minute,
 * 10,000 recipients per rolling 24 hours (the mail plan keeps within those), and Outlook runs at most 4
 * requests per mailbox at once (https://learn.microsoft.com/en-us/graph/throttling-limits#outlook-service-limits).
 */
import { randomUUID } from "crypto";
import {
  GraphCaller,
  describeGraphError,
  graphErrorCode,
  graphStatus,
  isTransientGraphError,
  odataString,
  queryPath,
  type GraphAdapterDeps,
} from "../graph/graphCaller";
import { ianaZoneOf, instantOfWallClock } from "../domain/wallClock";
import { RatePacer } from "../pacer";
import { parseNonDeliveryReport } from "./nonDelivery";
import {
  RECIPIENTS_PER_MESSAGE,
  type AutomaticReplies,
  type Bounce,
  type BulkMessage,
  type MailPort,
  type MailResult,
  type PersonalisedMessage,
} from "./port";

/** Outlook's concurrent requests per mailbox. */
const concurrentPerMailbox = 4;
/**
 * The send key's extended property: a named string property in this app's own property set
 * (https://learn.microsoft.com/en-us/graph/api/resources/extended-properties-overview?view=graph-rest-1.0#id-formats).
 */
export const SEND_KEY_PROPERTY = "String {6d3c7f0e-2b1a-4c5d-9e8f-0a1b2c3d4e5f} Name PeigMigrationSendKey";

export interface GraphMailDeps extends GraphAdapterDeps {
  /** UPNs or ids of the mailboxes that send (MAIL_SENDERS, or MAIL_SENDER alone). */
  senders: readonly string[];
  /** One per sender mailbox by default (the 30 messages per minute are per mailbox). */
  pacers?: Map<string, RatePacer>;
  /** The tenant's recipients per message (MAIL_RECIPIENTS_PER_MESSAGE, 1–1,000); default Exchange Online's 500. */
  recipientsPerMessage?: number;
}

type RecipientStatus = MailResult["recipients"][number];

interface Content {
  subject: string;
  html: string;
  to: string[];
  bcc: string[];
}

/**
 * A dateTimeTimeZone's instant. Its zone is an IANA name or a Windows one ("Pacific Standard Time"), whichever the
 * mailbox's administrator set up (user-get-mailboxsettings); a Windows name is read as CLDR's windowsZones maps it
 * (windows-iana). Undefined for a zone neither knows.
 */
function instantOf(value: { dateTime?: string; timeZone?: string } | undefined): Date | undefined {
  const wallClock = value?.dateTime?.slice(0, 16);
  const zone = ianaZoneOf(value?.timeZone ?? "");
  return wallClock && zone ? instantOfWallClock(wallClock, zone) : undefined;
}

export class GraphMail implements MailPort {
  readonly senders: readonly string[];
  private readonly graph: GraphCaller;
  private readonly pacers: Map<string, RatePacer>;
  /** BCC only, no To: Exchange counts To + Cc + Bcc against the limit, so a BCC-only message carries all of it. */
  private readonly bccPerMessage: number;

  constructor(deps: GraphMailDeps) {
    const senders = deps.senders.map((s) => s.trim()).filter(Boolean);
    if (senders.length === 0) throw new Error("MAIL_SENDERS (the sending mailboxes) is not set");
    this.senders = senders;
    this.graph = new GraphCaller(deps);
    this.pacers = deps.pacers ?? new Map(senders.map((s) => [s, new RatePacer(deps.clock)]));
    this.bccPerMessage = deps.recipientsPerMessage ?? RECIPIENTS_PER_MESSAGE;
  }

  /** One message per ≤ MAIL_RECIPIENTS_PER_MESSAGE recipients, all in BCC so recipients never see each other. */
  async sendBulk(message: BulkMessage): Promise<MailResult> {
    const sender = this.sender(message.sender);
    const key = message.key ?? randomUUID();
    const result: MailResult = { messages: 0, recipients: [] };
    const recipients = uniqueAddresses(message.recipients);
    for (let start = 0, i = 0; start < recipients.length; start += this.bccPerMessage, i++) {
      const chunk = recipients.slice(start, start + this.bccPerMessage);
      await this.sendChunk(sender, message, chunk, `${key}#${i}`, result);
    }
    return result;
  }

  /**
   * One BCC message. Refused for too many recipients (a tenant limit below the setting), it is split in two and each
   * half sent under its own key, never dropped; a redelivered activity finds each part in Sent Items by its key.
   */
  private async sendChunk(
    sender: string,
    message: BulkMessage,
    chunk: string[],
    sendKey: string,
    result: MailResult,
  ): Promise<void> {
    try {
      // A redelivered activity may already have sent this batch: one look-up per message.
      if (!(await this.alreadySent(sender, sendKey)))
        await this.deliver(sender, { subject: message.subject, html: message.html, to: [], bcc: chunk }, sendKey);
      result.messages++;
      result.recipients.push(...chunk.map((address): RecipientStatus => ({ address, status: "sent" })));
    } catch (error) {
      if (isMailboxRefusal(error)) throw error;
      if (isTooManyRecipients(error) && chunk.length > 1) {
        const half = Math.ceil(chunk.length / 2);
        await this.sendChunk(sender, message, chunk.slice(0, half), `${sendKey}.1`, result);
        await this.sendChunk(sender, message, chunk.slice(half), `${sendKey}.2`, result);
        return;
      }
      const reason = describeGraphError(error);
      result.recipients.push(
        ...chunk.map((address): RecipientStatus => ({ address, status: "failed", error: reason })),
      );
    }
  }

  /** One message each, at most 4 in flight for the mailbox (Outlook's limit). */
  async sendPersonalised(messages: PersonalisedMessage[], options: { sender?: string } = {}): Promise<MailResult> {
    const sender = this.sender(options.sender);
    const statuses: RecipientStatus[] = [];
    for (let start = 0; start < messages.length; start += concurrentPerMailbox) {
      const chunk = messages.slice(start, start + concurrentPerMailbox);
      statuses.push(
        ...(await Promise.all(
          chunk.map(async (m): Promise<RecipientStatus> => {
            try {
              await this.deliver(
                sender,
                { subject: m.subject, html: m.html, to: [m.to], bcc: [] },
                m.key ?? randomUUID(),
              );
              return { address: m.to, status: "sent" };
            } catch (error) {
              if (isMailboxRefusal(error)) throw error;
              return { address: m.to, status: "failed", error: describeGraphError(error) };
            }
          }),
        )),
      );
    }
    return { messages: statuses.filter((s) => s.status === "sent").length, recipients: statuses };
  }

  /** NDRs in each sender's Inbox since `since`, one entry per failed recipient. */
  async readBounces(since: string): Promise<Bounce[]> {
    const bounces: Bounce[] = [];
    for (const sender of this.senders) {
      const path = queryPath(`${this.userPath(sender)}/mailFolders/inbox/messages`, {
        $filter: `receivedDateTime ge ${new Date(since).toISOString()}`,
        $select: "subject,body,receivedDateTime",
        $top: "100",
      });
      const messages = await this.graph.listAll<{
        subject?: string;
        body?: { content?: string };
        receivedDateTime?: string;
      }>("listInbox", path);
      for (const m of messages) {
        for (const failed of parseNonDeliveryReport(m.subject ?? "", m.body?.content ?? "")) {
          bounces.push({ ...failed, sender, at: m.receivedDateTime ?? since, subject: m.subject ?? "" });
        }
      }
    }
    return bounces;
  }

  /**
   * One GET (https://learn.microsoft.com/en-us/graph/api/user-get-mailboxsettings; application permission
   * MailboxSettings.Read). Its scheduled times are dateTimeTimeZone: a wall-clock time and the zone it is in, an IANA
   * or a Windows name (a zone the app does not know says so rather than guess). A 403 (no permission,
   * or Exchange keeps the app from that mailbox, microsoft-graph-docs issue 3289) and a 404 (no mailbox) are answers,
   * not failures.
   */
  async readAutomaticReplies(address: string): Promise<AutomaticReplies> {
    interface DateTimeTimeZone {
      dateTime?: string;
      timeZone?: string;
    }
    let setting: {
      status?: string;
      scheduledStartDateTime?: DateTimeTimeZone;
      scheduledEndDateTime?: DateTimeTimeZone;
    };
    try {
      setting = await this.graph.call("readAutomaticReplies", () =>
        this.graph.client.api(`${this.userPath(address)}/mailboxSettings/automaticRepliesSetting`).get(),
      );
    } catch (error) {
      const status = graphStatus(error);
      if (status === 403) return { status: "unreadable", why: "notPermitted", detail: describeGraphError(error) };
      if (status === 404) return { status: "unreadable", why: "noMailbox", detail: describeGraphError(error) };
      throw error;
    }
    const status = setting.status?.toLowerCase();
    if (status === "alwaysenabled") return { status: "alwaysEnabled" };
    if (status !== "scheduled") return { status: "disabled" };
    const start = instantOf(setting.scheduledStartDateTime);
    const end = instantOf(setting.scheduledEndDateTime);
    if (!start || !end)
      return {
        status: "unreadable",
        why: "unknownTimeZone",
        detail: `scheduled in the time zone ${setting.scheduledStartDateTime?.timeZone ?? "(none)"}, which the app cannot convert`,
      };
    return { status: "scheduled", start: start.toISOString(), end: end.toISOString() };
  }

  private sender(requested: string | undefined): string {
    if (requested === undefined) return this.senders[0];
    if (!this.senders.includes(requested))
      throw new Error(`${requested} is not one of the sender mailboxes (MAIL_SENDERS)`);
    return requested;
  }

  /** Draft with the send key, then send it. A failed create is retried (an extra draft is never sent). */
  private async deliver(sender: string, content: Content, key: string): Promise<void> {
    const draft: { id: string } = await this.graph.call("createMessage", () =>
      this.graph.client.api(`${this.userPath(sender)}/messages`).post(this.messageBody(content, key)),
    );
    await this.sendDraft(sender, draft.id, key);
  }

  /** Sends the draft; after a failure that may hide a send (anything but 429), looks in Sent Items first. */
  private async sendDraft(sender: string, draftId: string, key: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.pacers.get(sender)!.take(1);
      try {
        // No request body, Content-Length: 0 (message-send page); the SDK sends a string as it is.
        await this.graph.once("sendMessage", () =>
          this.graph.client.api(`${this.userPath(sender)}/messages/${encodeURIComponent(draftId)}/send`).post(""),
        );
        return;
      } catch (error) {
        const status = graphStatus(error);
        // 404: the draft is gone, so an earlier attempt sent it (or someone deleted it).
        if (!isTransientGraphError(error) && status !== 404) throw error;
        if (status !== 429 && (await this.alreadySent(sender, key))) return;
        if (status === 404 || attempt >= this.graph.policy.maxAttempts) throw error;
        await this.graph.pauseAfter(error, attempt);
      }
    }
  }

  private async alreadySent(sender: string, key: string): Promise<boolean> {
    const path = queryPath(`${this.userPath(sender)}/mailFolders/sentitems/messages`, {
      $filter: `singleValueExtendedProperties/Any(ep: ep/id eq ${odataString(SEND_KEY_PROPERTY)} and ep/value eq ${odataString(key)})`,
      $select: "id",
      $top: "1",
    });
    const found: { value: unknown[] } = await this.graph.call("findSent", () => this.graph.client.api(path).get());
    return found.value.length > 0;
  }

  private userPath(sender: string): string {
    return `/users/${encodeURIComponent(sender)}`;
  }

  private messageBody(content: Content, key: string): object {
    const recipients = (addresses: string[]) => addresses.map((address) => ({ emailAddress: { address } }));
    return {
      subject: content.subject,
      body: { contentType: "HTML", content: content.html },
      ...(content.to.length > 0 ? { toRecipients: recipients(content.to) } : {}),
      ...(content.bcc.length > 0 ? { bccRecipients: recipients(content.bcc) } : {}),
      singleValueExtendedProperties: [{ id: SEND_KEY_PROPERTY, value: key }],
    };
  }
}

/**
 * Exchange refusing the app on the sender mailbox (403: no Exchange RBAC grant yet, or one still propagating) fails
 * every recipient alike: the step fails with it (and names the grant) instead of recording each person as failed.
 */
function isMailboxRefusal(error: unknown): boolean {
  return graphStatus(error) === 403;
}

/**
 * A message over the tenant's recipients-per-message limit (admins may set 1–1,000, Set-Mailbox -RecipientLimits;
 * Exchange Online limits page). Graph's exact code for it is not documented: 400 naming recipients is taken as it.
 */
function isTooManyRecipients(error: unknown): boolean {
  return (
    graphStatus(error) === 400 &&
    (graphErrorCode(error) === "ErrorTooManyRecipients" ||
      /too many recipients|recipients per message/i.test(error instanceof Error ? error.message : ""))
  );
}

/** Trimmed, non-empty, first spelling kept; addresses compare case-insensitively. */
function uniqueAddresses(addresses: string[]): string[] {
  const seen = new Map<string, string>();
  for (const raw of addresses) {
    const address = raw.trim();
    if (address && !seen.has(address.toLowerCase())) seen.set(address.toLowerCase(), address);
  }
  return [...seen.values()];
}
