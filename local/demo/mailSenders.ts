/**
 * How many sender mailboxes the demo's tenant needs. Exchange Online lets each mailbox send to 10,000
 * recipients per rolling 24 hours (shared/domain/mailPlan.ts), so a tenant of some thousands cannot be
 * invited and reminded in time from one: the app refuses such a start (its mail plan falls short). The demo
 * plans its own start request on the same tenant and gives the stack as many mailboxes as that plan needs.
 */
import { sendersNeeded } from "../../shared/domain/mailPlan";
import { plural } from "../../shared/domain/plural";
import { inScopeUsers, type Tenant } from "../fixtures/tenant";
import { MAIL_SENDER } from "../stack";
import { startRequestBody } from "./startRequest";

export interface DemoMailSenders {
  senders: string[];
  /** In-scope users with a mailbox: whom the invitation and reminders go to. */
  recipients: number;
}

/** The demo start request's mail plan on `tenant`, over `deadlineDays`, and the mailboxes it needs. */
export function demoMailSenders(tenant: Tenant, deadlineDays: number): DemoMailSenders {
  const recipients = inScopeUsers(tenant).filter((u) => u.mail).length;
  // The plan depends only on times relative to the start, so any start gives the same count (a resumed demo too).
  const start = new Date(0);
  const request = startRequestBody(start, deadlineDays, tenant.domain) as unknown as Parameters<
    typeof sendersNeeded
  >[0];
  const needed = sendersNeeded(request, recipients, start);
  if (needed === undefined)
    throw new Error(
      `${recipients} recipients cannot be invited and reminded within ${plural(deadlineDays, "day")} from 100 sender mailboxes: give the demo more --deadline-days`,
    );
  const [local, domain] = MAIL_SENDER.split("@");
  return {
    senders: Array.from({ length: needed }, (_, i) => (i === 0 ? MAIL_SENDER : `${local}-${i + 1}@${domain}`)),
    recipients,
  };
}
