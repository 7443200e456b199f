/**
 * Links to human tasks (docs/design.md#human-tasks): each e-mail to a person carries a link of its own, and every
 * link of an open task works until the task is decided, closed or expires. A reminder (or a fresh link asked for
 * from a dead one) adds a link; it never revokes the earlier ones, which were mailed too and may be the one a person
 * opens. Only the tokens' hashes are stored; the token itself exists only in the e-mail.
 */
import { approvalRequestEmail, operatorTaskEmail, type EmailContent } from "./mail/templates";
import type { TaskPayload } from "./taskPayloads";
import type { Services } from "./services";
import type { TaskRecord } from "./store";
import { hashToken, newToken } from "./tokens";

/** Why a task link is mailed: the subject says which e-mail this is. */
export type LinkMail = "first" | "reminder" | "fresh";

/** At most one fresh link per task in this time, however often a dead link's button is pressed. */
export const FRESH_LINK_INTERVAL_MS = 15 * 60_000;

export interface TaskMessage {
  to: string;
  subject: string;
  html: string;
}

/** A new token for the task's link and where it leads; the caller stores `hash` and mails `link`. */
export function newTaskLink(s: Services): { token: string; hash: string; link: string } {
  const token = newToken();
  return { token, hash: hashToken(token), link: `${s.settings.PUBLIC_BASE_URL.replace(/\/$/, "")}/api/tasks/${token}` };
}

/** The e-mail that carries `link` to the task's assignee. */
export function taskMessage(
  task: Pick<TaskRecord, "assignee" | "expiresAt" | "payload">,
  link: string,
  why: LinkMail,
): TaskMessage {
  const content = taskEmail(task.payload, link, new Date(task.expiresAt));
  const prefix = { first: "", reminder: "Reminder: ", fresh: "Your new link: " }[why];
  return { to: task.assignee, subject: `${prefix}${content.subject}`, html: content.html };
}

/** Adds a link to the open task and returns the e-mail carrying it (undefined when the task is no longer open). */
export async function addLinkMessage(
  s: Services,
  task: TaskRecord,
  why: Exclude<LinkMail, "first">,
  options: { etag?: string } = {},
): Promise<TaskMessage | undefined> {
  const { hash, link } = newTaskLink(s);
  const stamped = await s.store.addTaskLink(task.tokenHash, hash, { at: s.clock.now().toISOString(), ...options });
  return stamped && taskMessage(stamped, link, why);
}

function taskEmail(payload: TaskPayload, link: string, expiresAt: Date): EmailContent {
  if (payload.purpose === "deletionApproval") {
    return approvalRequestEmail({
      workspace: payload.workspace,
      requiredApprovals: payload.requiredApprovals ?? 1,
      deletes: { applicationId: payload.deletesApplicationId ?? "unknown", appDisplayName: "PeigMigrationManager" },
      checklist: payload.evidence ?? [],
      link,
      expiresAt,
      timeZone: payload.timeZone,
    });
  }
  return operatorTaskEmail({
    workspace: payload.workspace,
    title: payload.title,
    steps: payload.instructions ?? payload.whatHappens,
    values: payload.values ?? [],
    link,
    expiresAt,
    timeZone: payload.timeZone,
  });
}

/** Sends the task e-mails; throws naming every address that failed (the activity is retried, the links stay valid). */
export async function sendTaskMessages(s: Services, messages: readonly TaskMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const result = await s.mail.sendPersonalised([...messages]);
  const failed = result.recipients.filter((r) => r.status === "failed");
  if (failed.length)
    throw new Error(
      `task e-mails failed for ${failed.map((f) => `${f.address} (${f.error ?? "unknown"})`).join(", ")}`,
    );
}
