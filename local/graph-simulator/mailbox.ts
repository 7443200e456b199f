/**
 * POST /users/{id | userPrincipalName}/sendMail with Exchange Online's sending limits per mailbox
 * (https://learn.microsoft.com/en-us/graph/api/user-sendmail?view=graph-rest-1.0;
 * https://learn.microsoft.com/en-us/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#sending-limits-1).
 */
import { randomUUID } from "crypto";
import type { Clock } from "../../shared/clock";
import { GraphHttpError, badRequest, empty, requireObject, type SimRequest, type SimResponse } from "./http";
import { methodNotAllowed } from "./directory";

export interface MailLimits {
  /** "Message rate limit: 30 messages per minute". */
  messagesPerMinute: number;
  /** "Recipient limit: 500 recipients" per message (To + Cc + Bcc). */
  recipientsPerMessage: number;
  /** "Recipient rate limit: 10,000 recipients per day" (rolling 24 h). */
  recipientsPerDay: number;
}

export const exchangeOnlineLimits: MailLimits = { messagesPerMinute: 30, recipientsPerMessage: 500, recipientsPerDay: 10_000 };

export interface SentMail {
  id: string;
  sender: string;
  subject: string;
  to: string[];
  cc: string[];
  bcc: string[];
  html: string;
  saveToSentItems: boolean;
  /** ISO time on the simulator's clock. */
  sentAt: string;
  /**
   * Set when Exchange would bounce the message after accepting it: over the daily recipient limit the
   * request still gets 202 and the sender receives NDR 550 5.1.90.
   */
  nonDelivery?: string;
}

const sendMailPath = /^\/users\/([^/]+)\/sendMail$/;
const minuteMs = 60_000;
const dayMs = 24 * 60 * minuteMs;

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

export class MailboxSimulator {
  readonly outbox: SentMail[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly limits: MailLimits,
    /** Resolves {id | userPrincipalName} to the mailbox's primary address, or undefined. */
    private readonly resolveMailbox: (idOrUpn: string) => string | undefined,
  ) {}

  handle(request: SimRequest): SimResponse | undefined {
    const match = sendMailPath.exec(request.path);
    if (!match) return undefined;
    if (request.method !== "POST") throw methodNotAllowed(request);
    const sender = this.resolveMailbox(match[1]);
    if (!sender) throw new GraphHttpError(404, "ErrorInvalidUser", `The requested user '${match[1]}' is invalid.`);
    return this.send(sender, request.body);
  }

  private send(sender: string, rawBody: unknown): SimResponse {
    const body = requireObject(rawBody);
    const message = body.message;
    if (typeof message !== "object" || message === null) throw badRequest("The 'message' parameter is missing.", "ErrorInvalidRequest");
    const m = message as Record<string, unknown>;
    const to = addresses(m.toRecipients, "toRecipients");
    const cc = addresses(m.ccRecipients, "ccRecipients");
    const bcc = addresses(m.bccRecipients, "bccRecipients");
    const recipientCount = to.length + cc.length + bcc.length;
    if (recipientCount === 0) throw badRequest("At least one recipient is required.", "ErrorInvalidRecipients");
    if (recipientCount > this.limits.recipientsPerMessage) {
      // Simulator's error code [D]; the limit itself is Exchange's 500 recipients per message.
      throw badRequest(`The message has ${recipientCount} recipients; the limit is ${this.limits.recipientsPerMessage} per message (To + Cc + Bcc).`, "ErrorTooManyRecipients");
    }
    const now = this.clock.now().getTime();
    const mine = this.outbox.filter((mail) => mail.sender === sender);
    const lastMinute = mine.filter((mail) => Date.parse(mail.sentAt) > now - minuteMs);
    if (lastMinute.length >= this.limits.messagesPerMinute) {
      const oldest = Math.min(...lastMinute.map((mail) => Date.parse(mail.sentAt)));
      const retryAfter = Math.max(1, Math.ceil((oldest + minuteMs - now) / 1000));
      throw new GraphHttpError(429, "ApplicationThrottled", `Mailbox ${sender} is over its limit of ${this.limits.messagesPerMinute} messages per minute.`, {
        "Retry-After": String(retryAfter),
      });
    }
    const lastDay = mine
      .filter((mail) => Date.parse(mail.sentAt) > now - dayMs && mail.nonDelivery === undefined)
      .reduce((sum, mail) => sum + mail.to.length + mail.cc.length + mail.bcc.length, 0);
    const content = (m.body as { content?: unknown } | undefined)?.content;
    this.outbox.push({
      id: randomUUID(),
      sender,
      subject: typeof m.subject === "string" ? m.subject : "",
      to,
      cc,
      bcc,
      html: typeof content === "string" ? content : "",
      // saveToSentItems defaults to true (user-sendmail page).
      saveToSentItems: body.saveToSentItems !== false,
      sentAt: new Date(now).toISOString(),
      ...(lastDay + recipientCount > this.limits.recipientsPerDay
        ? { nonDelivery: "550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients" }
        : {}),
    });
    return empty(202);
  }
}
