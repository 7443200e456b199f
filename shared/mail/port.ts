/** The Mail port: invitations, reminders, notices and approval mails from the configured sender mailboxes. */
export interface MailResult {
  /** Messages the service accepted. */
  messages: number;
  recipients: { address: string; status: "sent" | "failed"; error?: string }[];
}

export interface PersonalisedMessage {
  to: string;
  subject: string;
  html: string;
  /** Identifies this message across retries and redeliveries (deterministic per migration, purpose and recipient). */
  key?: string;
}

export interface BulkMessage {
  subject: string;
  html: string;
  recipients: string[];
  /** Identifies this send across retries and redeliveries; each message of it gets `key#i`. */
  key?: string;
  /** One of `senders`; the first by default. */
  sender?: string;
}

/** Why Exchange did not deliver, from the NDR's enhanced status code. */
export type BounceCause = "recipientNotFound" | "mailboxFull" | "recipientRateLimit" | "other";

/** One recipient of one non-delivery report found in a sender mailbox. */
export interface Bounce {
  address: string;
  cause: BounceCause;
  /** The remote server's status line as the NDR gives it ("550 5.1.10 RESOLVER.ADR.RecipientNotFound; …"). */
  status: string;
  sender: string;
  /** ISO 8601: when the NDR arrived. */
  at: string;
  /** The NDR's subject ("Undeliverable: <original subject>"). */
  subject: string;
}

/** Exchange Online's recipients per message (To + Cc + Bcc), docs/graph-facts.md#mail-and-exchange-limits. */
export const RECIPIENTS_PER_MESSAGE = 500;

import type { AutomaticReplies } from "../domain/outOfOffice";

export type { AutomaticReplies };

export interface MailPort {
  /** The sender mailboxes, in the order the mail plan uses them. */
  readonly senders: readonly string[];
  /** Same message to many recipients: BCC batches of ≤ 500, ≤ 30 messages/minute per sender (paced on the Clock). */
  sendBulk(message: BulkMessage): Promise<MailResult>;
  /** One message per recipient (personalised), at most 4 at a time for the sender mailbox. */
  sendPersonalised(messages: PersonalisedMessage[], options?: { sender?: string }): Promise<MailResult>;
  /** Recipients named by the non-delivery reports that reached the sender mailboxes since `since` (ISO 8601). */
  readBounces(since: string): Promise<Bounce[]>;
  /** The automatic replies of `address`'s mailbox (GET /users/{address}/mailboxSettings/automaticRepliesSetting). */
  readAutomaticReplies(address: string): Promise<AutomaticReplies>;
}
