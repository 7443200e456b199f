/**
 * MailPort over Graph sendMail (https://learn.microsoft.com/en-us/graph/api/user-sendmail?view=graph-rest-1.0:
 * 202 Accepted, empty body — accepted, not yet delivered). Exchange Online limits per sender mailbox
 * (docs/graph-facts.md#mail-and-exchange-limits): 500 recipients per message (To+Cc+Bcc), 30 messages per minute, 10,000 recipients per day.
 * Delivery is at least once: a request retried after 503/504 or a lost response may send a message twice,
 * which for invitations and reminders is better than not sending it.
 */
import { parseRetryAfter, backoffDelay, isTransientStatus } from "../retry";
import { GraphCaller, describeGraphError, type GraphAdapterDeps } from "../graph/graphCaller";
import { RatePacer } from "../pacer";
import { RECIPIENTS_PER_MESSAGE, type MailPort, type MailResult, type PersonalisedMessage } from "./port";

/**
 * BCC only, no To: Exchange counts To + Cc + Bcc against the 500 (docs/graph-facts.md#mail-and-exchange-limits), so a BCC-only message
 * carries the full 500 and a bulk send takes exactly ⌈n/500⌉ messages.
 */
const bccPerMessage = RECIPIENTS_PER_MESSAGE;
/** JSON batching: "JSON batch requests are currently limited to 20 individual requests" (https://learn.microsoft.com/en-us/graph/json-batching). */
const requestsPerBatch = 20;

export interface GraphMailDeps extends GraphAdapterDeps {
  /** UPN or id of the mailbox that sends (MAIL_SENDER). */
  sender: string;
  /** Shared by every adapter that sends from this mailbox; one per adapter by default. */
  pacer?: RatePacer;
}

interface BatchResponseItem {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body?: { error?: { code?: string; message?: string } } | null;
}

type RecipientStatus = MailResult["recipients"][number];

export class GraphMail implements MailPort {
  private readonly graph: GraphCaller;
  private readonly sender: string;
  private readonly pacer: RatePacer;

  constructor(deps: GraphMailDeps) {
    if (!deps.sender.trim()) throw new Error("MAIL_SENDER (the sending mailbox) is not set");
    this.graph = new GraphCaller(deps);
    this.sender = deps.sender.trim();
    this.pacer = deps.pacer ?? new RatePacer(deps.clock);
  }

  /** One message per ≤ 500 recipients, all in BCC so recipients never see each other. */
  async sendBulk(message: { subject: string; html: string; recipients: string[] }): Promise<MailResult> {
    const result: MailResult = { messages: 0, recipients: [] };
    const recipients = uniqueAddresses(message.recipients);
    for (let start = 0; start < recipients.length; start += bccPerMessage) {
      const chunk = recipients.slice(start, start + bccPerMessage);
      await this.pacer.take(1);
      const body = this.mailBody(message.subject, message.html, [], chunk);
      try {
        await this.graph.call("sendMail", () => this.graph.client.api(this.sendMailPath()).post(body));
        result.messages++;
        result.recipients.push(...chunk.map((address): RecipientStatus => ({ address, status: "sent" })));
      } catch (error) {
        const reason = describeGraphError(error);
        result.recipients.push(...chunk.map((address): RecipientStatus => ({ address, status: "failed", error: reason })));
      }
    }
    return result;
  }

  /**
   * Batches of ≤ 20 sendMail requests. Graph evaluates throttling per item and the SDK does not retry
   * inner 429s (https://learn.microsoft.com/en-us/graph/throttling#throttling-and-batching), so throttled
   * items go into a later batch after the longest Retry-After, each at most retryPolicy.maxAttempts times.
   */
  async sendPersonalised(messages: PersonalisedMessage[]): Promise<MailResult> {
    const statuses: RecipientStatus[] = messages.map((m) => ({ address: m.to, status: "failed", error: "not sent" }));
    let accepted = 0;
    const queue = messages.map((message, index) => ({ message, index, attempts: 0 }));
    while (queue.length > 0) {
      const batch = queue.splice(0, requestsPerBatch);
      await this.pacer.take(batch.length);
      const requests = batch.map(({ message, index }) => ({
        id: String(index),
        method: "POST",
        url: this.sendMailPath(),
        headers: { "Content-Type": "application/json" },
        body: this.mailBody(message.subject, message.html, [message.to], []),
      }));
      let responses: BatchResponseItem[];
      try {
        const envelope: { responses: BatchResponseItem[] } = await this.graph.call("batch", () => this.graph.client.api("/$batch").post({ requests }));
        responses = envelope.responses;
      } catch (error) {
        for (const item of batch) statuses[item.index] = { address: item.message.to, status: "failed", error: describeGraphError(error) };
        continue;
      }
      const byId = new Map(responses.map((r) => [r.id, r]));
      const retry: typeof batch = [];
      let wait = 0;
      for (const item of batch) {
        item.attempts++;
        const response = byId.get(String(item.index));
        const address = item.message.to;
        if (response && response.status >= 200 && response.status < 300) {
          accepted++;
          statuses[item.index] = { address, status: "sent" };
        } else if (response && isTransientStatus(response.status) && item.attempts < this.graph.policy.maxAttempts) {
          retry.push(item);
          const retryAfter = parseRetryAfter(headerValue(response.headers, "Retry-After"), this.graph.clock.now());
          wait = Math.max(wait, retryAfter ?? backoffDelay(this.graph.policy, item.attempts));
        } else {
          statuses[item.index] = { address, status: "failed", error: response ? describeBatchItem(response) : "missing from the batch response" };
        }
      }
      if (retry.length > 0) {
        await this.graph.clock.sleep(Math.min(this.graph.policy.maxDelayMs, wait));
        queue.unshift(...retry);
      }
    }
    return { messages: accepted, recipients: statuses };
  }

  private sendMailPath(): string {
    return `/users/${encodeURIComponent(this.sender)}/sendMail`;
  }

  /** saveToSentItems false: thousands of copies in the sender's Sent Items help nobody. */
  private mailBody(subject: string, html: string, to: string[], bcc: string[]): object {
    const recipients = (addresses: string[]) => addresses.map((address) => ({ emailAddress: { address } }));
    return {
      message: {
        subject,
        body: { contentType: "HTML", content: html },
        toRecipients: recipients(to),
        ...(bcc.length > 0 ? { bccRecipients: recipients(bcc) } : {}),
      },
      saveToSentItems: false,
    };
  }
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

function headerValue(headers: Record<string, string> | undefined, name: string): string | undefined {
  const key = Object.keys(headers ?? {}).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers?.[key];
}

function describeBatchItem(response: BatchResponseItem): string {
  const error = response.body?.error;
  return `${response.status} ${error?.code ?? "error"}: ${error?.message ?? "no message"}`;
}
