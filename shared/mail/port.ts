/** The Mail port: invitations, reminders and approval mails from one sender mailbox. */
export interface MailResult {
  /** Messages the service accepted. */
  messages: number;
  recipients: { address: string; status: "sent" | "failed"; error?: string }[];
}

export interface PersonalisedMessage {
  to: string;
  subject: string;
  html: string;
}

/** Exchange Online's recipients per message (To + Cc + Bcc), docs/graph-facts.md#mail-and-exchange-limits. */
export const RECIPIENTS_PER_MESSAGE = 500;

export interface MailPort {
  /** Same message to many recipients: BCC batches of ≤ 500, ≤ 30 messages/minute per sender (paced on the Clock). */
  sendBulk(message: { subject: string; html: string; recipients: string[] }): Promise<MailResult>;
  /** One message per recipient (personalised): JSON $batch of ≤ 20 sendMail requests; inner 429s retried after their Retry-After. */
  sendPersonalised(messages: PersonalisedMessage[]): Promise<MailResult>;
}
