/**
 * Human tasks' side effects: open a gate (one task and one personal e-mail per assignee), tally the
 * decisions the task endpoints recorded, remind those who have not decided, close the gate. Tokens
 * exist only in the e-mails: the store keeps their SHA-256.
 */
import { randomUUID } from "node:crypto";
import { approvalRequestEmail, operatorTaskEmail, type EmailContent } from "../shared/mail/templates";
import { assigneesFor, taskKind } from "../shared/domain/assignees";
import { taskPayload, type TaskPayload } from "../shared/taskPayloads";
import { loadMigration, once, type MigrationRuntime } from "../shared/migrationRecord";
import type { Services } from "../shared/services";
import type { TaskRecord } from "../shared/store";
import { hashToken, newToken } from "../shared/tokens";
import { currentMergeList } from "./merges";
import { gateId, type HumanTaskPurpose, type HumanTaskTally, type OpenHumanTasksInput } from "../shared/workflow";

export async function openHumanTasks(
  input: OpenHumanTasksInput,
  s: Services,
): Promise<{ gate: string; assignees: number }> {
  const gate = gateId(input.purpose, input.round);
  const { runtime } = await loadMigration(s, input.migrationId);
  const assignees = assigneesFor(input.purpose, runtime.request);
  await once(s, input.migrationId, `tasks:${gate}`, async () => {
    // An earlier attempt may have stored tasks whose links never went out: retire them, issue new ones.
    await s.store.closeOpenTasks(input.migrationId, "cancelled", { gate });
    const payload = taskPayload(input.purpose, await payloadFacts(s, input.migrationId, input.purpose, runtime));
    const messages = [];
    for (const assignee of assignees) messages.push(await issueTask(s, input, gate, assignee, payload));
    await sendAll(s, messages);
    await s.store.appendAudit({
      migrationId: input.migrationId,
      actor: "system",
      action: "tasks.opened",
      details: { gate, purpose: input.purpose, assignees, expiresAt: input.expiresAt },
    });
  });
  return { gate, assignees: assignees.length };
}

/** Approvals count once per person, whatever they clicked twice; one rejection is enough to stop. */
export async function tallyHumanTasks(
  input: { migrationId: string; gate: string },
  s: Services,
): Promise<HumanTaskTally> {
  const tasks = await s.store.listTasks(input.migrationId, { gate: input.gate });
  const decided = tasks.filter((t) => t.status === "decided");
  const people = (decision: string) => [
    ...new Set(decided.filter((t) => t.decision === decision).map((t) => t.assignee.toLowerCase())),
  ];
  return {
    gate: input.gate,
    approvals: people("approve"),
    rejections: decided
      .filter((t) => t.decision === "reject")
      .map((t) => ({ by: t.decidedBy ?? t.assignee, reason: t.reason })),
    done: people("done"),
    open: tasks.filter((t) => t.status === "open").length,
  };
}

/** The original links cannot be re-sent (only their hashes exist): each undecided person gets a fresh link, the old one stops working. */
export async function remindHumanTasks(input: { migrationId: string; gate: string }, s: Services): Promise<number> {
  const open = await s.store.listTasks(input.migrationId, { gate: input.gate, status: "open" });
  const now = s.clock.now();
  const messages = [];
  for (const task of open) {
    if (new Date(task.expiresAt) <= now) continue;
    await s.store.closeOpenTasks(input.migrationId, "cancelled", { gate: input.gate, assignee: task.assignee });
    const request = {
      migrationId: input.migrationId,
      purpose: task.payload.purpose,
      round: 0,
      expiresAt: task.expiresAt,
    };
    messages.push(await issueTask(s, request, input.gate, task.assignee, task.payload, true));
  }
  await sendAll(s, messages);
  if (messages.length)
    await s.store.appendAudit({
      migrationId: input.migrationId,
      actor: "system",
      action: "tasks.reminded",
      details: { gate: input.gate, assignees: open.map((t) => t.assignee) },
    });
  return messages.length;
}

export async function closeHumanTasks(
  input: { migrationId: string; gate?: string; outcome: string },
  s: Services,
): Promise<number> {
  const closed = await s.store.closeOpenTasks(
    input.migrationId,
    input.outcome === "expired" ? "expired" : "cancelled",
    input.gate ? { gate: input.gate } : undefined,
  );
  await s.store.appendAudit({
    migrationId: input.migrationId,
    actor: "system",
    action: "tasks.closed",
    details: { gate: input.gate ?? "all", outcome: input.outcome, closedLinks: closed },
  });
  return closed;
}

async function issueTask(
  s: Services,
  input: OpenHumanTasksInput,
  gate: string,
  assignee: string,
  payload: TaskPayload,
  reminder = false,
) {
  const token = newToken();
  const task: Pick<TaskRecord, "expiresAt"> = await s.store.createTask({
    id: randomUUID(),
    migrationId: input.migrationId,
    kind: taskKind(payload.purpose),
    gate,
    assignee,
    tokenHash: hashToken(token),
    expiresAt: input.expiresAt,
    payload,
  });
  const link = `${s.settings.PUBLIC_BASE_URL.replace(/\/$/, "")}/api/tasks/${token}`;
  const content = taskEmail(payload, link, new Date(task.expiresAt));
  return { to: assignee, subject: reminder ? `Reminder: ${content.subject}` : content.subject, html: content.html };
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

async function sendAll(s: Services, messages: { to: string; subject: string; html: string }[]): Promise<void> {
  if (messages.length === 0) return;
  const result = await s.mail.sendPersonalised(messages);
  const failed = result.recipients.filter((r) => r.status === "failed");
  if (failed.length)
    throw new Error(
      `task e-mails failed for ${failed.map((f) => `${f.address} (${f.error ?? "unknown"})`).join(", ")}`,
    );
}

async function payloadFacts(s: Services, migrationId: string, purpose: HumanTaskPurpose, runtime: MigrationRuntime) {
  const needsAccounts = purpose === "peigAccounts" || purpose === "phase2Approval";
  const accountsToCreate = needsAccounts
    ? (await s.store.getUsers(migrationId))
        .filter((u) => u.phase2.planned)
        .map((u) => ({
          microsoft365UserId: u.userId,
          userPrincipalName: u.userPrincipalName,
          displayName: u.displayName,
        }))
    : undefined;
  // The page lists at most 200 (the task row must stay small); the status page has them all.
  const usersToCheck =
    purpose === "peigChecklist"
      ? (await s.store.getUsers(migrationId))
          .filter((u) => u.state !== "onboarded")
          .slice(0, 200)
          .map((u) => ({ userPrincipalName: u.userPrincipalName, displayName: u.displayName }))
      : undefined;
  const merges = purpose === "peigMerges" ? await currentMergeList(s, runtime) : undefined;
  return {
    request: runtime.request,
    appId: runtime.app?.appId,
    certificatePem: runtime.app?.certificatePem,
    checklist: runtime.checklist,
    accountsToCreate,
    usersToCheck,
    merges,
  };
}

/** This file's activities, under the names the orchestrations call them by (activities/index.ts). */
export const gateTaskActivities = { openHumanTasks, tallyHumanTasks, remindHumanTasks, closeHumanTasks };
