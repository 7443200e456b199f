/**
 * Reads Exchange Online's non-delivery reports: "Undeliverable: <subject>", the failed recipients, and per
 * recipient "Remote Server returned '<status>'" with an enhanced status code
 * (https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online):
 * 5.1.1/5.1.10 the recipient does not exist, 5.2.2 the recipient's mailbox is full, 5.1.90 the sender passed its
 * daily recipient limit. Pure, so the adapter and its tests share it.
 */
import type { BounceCause } from "./port";

const diagnostic = /([^\s<>'"]+@[^\s<>'"]+)\s*(?:<br\s*\/?>\s*)?Remote Server returned '([^']+)'/gi;

export function bounceCause(status: string): BounceCause {
  const code = /\b5\.\d{1,3}\.\d{1,3}\b/.exec(status)?.[0];
  if (code === "5.1.1" || code === "5.1.10") return "recipientNotFound";
  if (code === "5.2.2") return "mailboxFull";
  if (code === "5.1.90") return "recipientRateLimit";
  return "other";
}

/** The failed recipients an NDR names; none when the message is not an NDR. */
export function parseNonDeliveryReport(
  subject: string,
  html: string,
): { address: string; status: string; cause: BounceCause }[] {
  if (!/^Undeliverable:/i.test(subject.trim())) return [];
  const text = html.replace(/&#39;/g, "'").replace(/&amp;/g, "&");
  return [...text.matchAll(diagnostic)].map((m) => ({
    address: m[1].toLowerCase(),
    status: m[2],
    cause: bounceCause(m[2]),
  }));
}
