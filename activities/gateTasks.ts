/**
 * Human tasks' side effects: open a gate (one task and one personal e-mail per assignee), tally the
 * decisions the task endpoints recorded, remind those who have not decided (a further link to the same task),
 * close the gate. Tokens exist only in the e-mails: the store keeps their SHA-256.
 */
import { randomUUID } from "node:crypto";
import { assigneesFor, taskKind } from "../shared/domain/assignees";
import { taskPayload, type PayloadFacts, type TaskDecision, type TaskPayload } from "../shared/taskPayloads";
import { freshChecklist } from "../shared/migrationChecklist";
import { loadMigration, once, recordFigures, updateRuntime, type MigrationRuntime } from "../shared/migrationRecord";
import { waveStartsAt, wavesOf } from "../shared/domain/waves";
import { reconcileAndRecord } from "../shared/reconciliationPass";
import type { Services } from "../shared/services";
import type { TaskRecord } from "../shared/store";
import { addLinkMessage, newTaskLink, sendTaskMessages, taskMessage, type TaskMessage } from "../shared/taskLinks";
import { currentMergeList } from "./merges";
import { notifyAdmins } from "./bookkeeping";
import { checkOutOfOffice } from "./outOfOffice";
import { parseIsoDuration } from "../shared/domain/duration";
import type { PeigAccountsAgain } from "../shared/peig/operatorSteps";
import { extendPhase2Plan } from "./phase2";
import { gateId, type HumanTaskTally, type OpenHumanTasksInput } from "../shared/workflow";

export async function openHumanTasks(
  input: OpenHumanTasksInput,
  s: Services,
): Promise<{ gate: string; assignees: number; escalateAfterMs?: number; escalated?: boolean; away?: string[] }> {
  const gate = gateId(input.purpose, input.round);
  const { runtime } = await loadMigration(s, input.migrationId);
  const { fallbackApprovers, escalateAfter } = runtime.request;
  // Only the deletion approval escalates: it is the gate that must not stall (Phase 2's approval has the deadline).
  const fallback = input.purpose === "deletionApproval" ? (fallbackApprovers ?? []) : [];
  const escalates = fallback.length > 0 && !!escalateAfter;
  const assignees = assigneesFor(input.purpose, runtime.request);
  // Approvers away for the whole round are not asked when there is someone to ask instead (a re-run finds the check).
  let check = runtime.outOfOffice?.gate === gate ? runtime.outOfOffice : undefined;
  const away = () => new Set((check?.away ?? []).map((a) => a.approver.toLowerCase()));
  await once(s, input.migrationId, `tasks:${gate}`, async () => {
    // An earlier attempt may have stored tasks whose links never went out: retire them, issue new ones.
    await s.store.closeOpenTasks(input.migrationId, "cancelled", { gate, closedAs: "reissued" });
    if (fallback.length > 0) check = await checkOutOfOffice(s, input.migrationId, gate, assignees, input.expiresAt);
    const skipped = away();
    const asked = assignees.filter((a) => !skipped.has(a.toLowerCase()));
    // Asked at once in their place: the fallback approvers not already among the approvers.
    const instead =
      skipped.size > 0 ? fallback.filter((f) => !assignees.some((a) => a.toLowerCase() === f.toLowerCase())) : [];
    const payload = taskPayload(input.purpose, await payloadFacts(s, input, runtime));
    const messages = [];
    for (const assignee of [...asked, ...instead]) messages.push(await issueTask(s, input, gate, assignee, payload));
    await sendTaskMessages(s, messages);
    await s.store.appendAudit({
      migrationId: input.migrationId,
      actor: "system",
      action: "tasks.opened",
      details: { gate, purpose: input.purpose, assignees: asked, expiresAt: input.expiresAt },
    });
    if (instead.length > 0) await recordEscalation(s, input.migrationId, gate, instead, "outOfOffice", escalateAfter);
  });
  const skipped = (check?.away ?? []).map((a) => a.approver);
  return {
    gate,
    assignees: assignees.length - skipped.length,
    ...(skipped.length > 0
      ? { escalated: true, away: skipped }
      : escalates
        ? { escalateAfterMs: parseIsoDuration(escalateAfter!) }
        : {}),
  };
}

/** Approvals count once per person, whatever they clicked twice; one rejection is enough to stop. */
export async function tallyHumanTasks(
  input: { migrationId: string; gate: string },
  s: Services,
): Promise<HumanTaskTally> {
  const tasks = await s.store.listTasks(input.migrationId, { gate: input.gate });
  // The store records a decision only as it decides the task (decideTask): a row with one is a decided task.
  const decided = (decision: TaskDecision) => tasks.filter((t) => t.decision === decision);
  const people = (decision: TaskDecision) => [...new Set(decided(decision).map((t) => t.assignee.toLowerCase()))];
  return {
    gate: input.gate,
    approvals: people("approve"),
    rejections: decided("reject").map((t) => ({ by: t.decidedBy ?? t.assignee, reason: t.reason })),
    done: people("done"),
    open: tasks.filter((t) => t.status === "open").length,
  };
}

/**
 * The original links cannot be re-sent (only their hashes exist): each undecided person gets a further link to the
 * same task. The earlier links keep working, and whichever one decides, the task is decided once.
 */
export async function remindHumanTasks(input: { migrationId: string; gate: string }, s: Services): Promise<number> {
  const open = await s.store.listTasks(input.migrationId, { gate: input.gate, status: "open" });
  const now = s.clock.now();
  const messages: TaskMessage[] = [];
  for (const task of open) {
    if (new Date(task.expiresAt) <= now) continue;
    const message = await addLinkMessage(s, task, "reminder");
    if (message) messages.push(message);
  }
  await sendTaskMessages(s, messages);
  if (messages.length)
    await s.store.appendAudit({
      migrationId: input.migrationId,
      actor: "system",
      action: "tasks.reminded",
      // The expiry again, so that a log reader (the "task past its expiry" alert) needs no older line than this one.
      details: {
        gate: input.gate,
        assignees: messages.map((m) => m.to),
        expiresAt: open.map((t) => t.expiresAt).reduce((a, b) => (a > b ? a : b)),
      },
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
    { gate: input.gate, closedAs: input.outcome },
  );
  await s.store.appendAudit({
    migrationId: input.migrationId,
    actor: "system",
    action: "tasks.closed",
    details: { gate: input.gate ?? "all", outcome: input.outcome, closedLinks: closed },
  });
  return closed;
}

/**
 * The same task for a colleague the assignee handed it to: same gate, payload and expiry, a link of their own. Not
 * an activity: the assignee's request does it, after their own task was closed as delegated.
 */
export async function delegatedTask(s: Services, task: TaskRecord, delegate: string): Promise<TaskMessage> {
  const { hash, link } = newTaskLink(s);
  const created = await s.store.createTask({
    id: randomUUID(),
    migrationId: task.migrationId,
    kind: task.kind,
    gate: task.gate,
    assignee: delegate,
    tokenHash: hash,
    expiresAt: task.expiresAt,
    payload: task.payload,
  });
  return taskMessage(created, link, "first");
}

async function issueTask(
  s: Services,
  input: OpenHumanTasksInput,
  gate: string,
  assignee: string,
  payload: TaskPayload,
): Promise<TaskMessage> {
  const { hash, link } = newTaskLink(s);
  const task = await s.store.createTask({
    id: randomUUID(),
    migrationId: input.migrationId,
    kind: taskKind(payload.purpose),
    gate,
    assignee,
    tokenHash: hash,
    expiresAt: input.expiresAt,
    payload,
  });
  return taskMessage(task, link, "first");
}

async function payloadFacts(s: Services, input: OpenHumanTasksInput, runtime: MigrationRuntime) {
  const { migrationId, purpose } = input;
  // Phase 2's task asked again lists whoever needs an account now (read fresh), before the list is taken below.
  if (purpose === "peigAccounts" && input.round > 1) await extendPhase2Plan(s, migrationId, runtime);
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
  // Exempted people are not checked: they are listed apart, with the reason, and need no Peig account.
  const usersToCheck =
    purpose === "peigChecklist"
      ? (await s.store.getUsers(migrationId))
          .filter((u) => u.state !== "onboarded" && u.state !== "exempted")
          .slice(0, 200)
          .map((u) => ({ userPrincipalName: u.userPrincipalName, displayName: u.displayName }))
      : undefined;
  const merges = purpose === "peigMerges" ? await currentMergeList(s, runtime) : undefined;
  const waveReview = purpose === "pilotReview" ? await pilotReviewFacts(s, migrationId) : undefined;
  return {
    request: runtime.request,
    appId: runtime.app?.appId,
    certificatePem: runtime.app?.certificatePem,
    checklist: purpose === "deletionApproval" ? await approvalEvidence(s, migrationId, runtime) : runtime.checklist,
    accountsToCreate,
    usersToCheck,
    exempted:
      purpose === "peigChecklist"
        ? (runtime.exemptions ?? []).slice(0, 200).map((e) => ({
            userPrincipalName: e.userPrincipalName,
            displayName: e.displayName,
            reason: e.reason,
          }))
        : undefined,
    merges,
    peigAccountsAgain:
      purpose === "peigAccounts" && input.round > 1 ? await peigAccountsAgain(s, input, runtime) : undefined,
    waveReview,
  };
}

/**
 * The pilot review's facts: the wave it starts (the first not started yet: waves start in order), how many people it
 * takes, and every earlier wave's figures as the last reconciliation pass counted them (migrationFigures).
 */
async function pilotReviewFacts(s: Services, migrationId: string): Promise<PayloadFacts["waveReview"]> {
  // A fresh pass first: the admins decide on the figures as they are now, not as at the last monitor pass.
  await reconcileAndRecord(s, migrationId, (await loadMigration(s, migrationId)).runtime);
  const { record, runtime } = await loadMigration(s, migrationId);
  const waves = wavesOf(runtime.request, record.deadline);
  const index = waves.findIndex((_, i) => !runtime.waves?.[i]?.startedAt);
  if (index <= 0) throw new Error("a pilot review opens only before a wave after the first, not started yet");
  const figures = recordFigures(record).waves ?? [];
  const startsAt = waveStartsAt(waves, index);
  return {
    wave: waves[index],
    people: figures[index]?.inScope.value ?? 0,
    startsAt: startsAt && startsAt > s.clock.now() ? startsAt : null,
    earlier: figures.slice(0, index),
  };
}

/** Phase 2's task asked again: how the round before ended (confirmed, with the failures reported, or expired). */
async function peigAccountsAgain(
  s: Services,
  input: OpenHumanTasksInput,
  runtime: MigrationRuntime,
): Promise<PeigAccountsAgain> {
  const before = await s.store.listTasks(input.migrationId, { gate: gateId("peigAccounts", input.round - 1) });
  const confirmed = before.some((t) => t.status === "decided" && t.decision === "done");
  return confirmed
    ? { round: input.round, earlier: "incomplete", failed: runtime.operatorReports?.phase2?.failed }
    : { round: input.round, earlier: "expired" };
}

/**
 * What the approvers see: the verified checklist; in operator mode verified again, since the Peig admin's
 * confirmation of what Peig shows came after the verification and completes "correctly created and linked".
 */
async function approvalEvidence(s: Services, migrationId: string, runtime: MigrationRuntime) {
  if (runtime.peigMode !== "operator") return runtime.checklist;
  const { checklist } = await freshChecklist(s, migrationId, runtime, runtime.phase2 ?? null);
  await updateRuntime(s, migrationId, (rt) => void (rt.checklist = checklist));
  return checklist;
}

/** This file's activities, under the names the orchestrations call them by (activities/index.ts). */
/**
 * A round without its quorum in time: the same task for each fallback approver not asked yet (same gate, question
 * and expiry, so their approvals count toward the same quorum), and a notice to the admins. Once per gate.
 */
export async function escalateHumanTasks(
  input: { migrationId: string; gate: string; expiresAt: string },
  s: Services,
): Promise<number> {
  const { runtime } = await loadMigration(s, input.migrationId);
  const tasks = await s.store.listTasks(input.migrationId, { gate: input.gate });
  const asked = new Set(tasks.map((t) => t.assignee.toLowerCase()));
  const fallback = (runtime.request.fallbackApprovers ?? []).filter((a) => !asked.has(a.toLowerCase()));
  const template = tasks[0];
  if (!template || fallback.length === 0) return 0;
  await once(s, input.migrationId, `escalate:${input.gate}`, async () => {
    const messages = [];
    for (const assignee of fallback) messages.push(await delegatedTask(s, template, assignee));
    await sendTaskMessages(s, messages);
    await recordEscalation(s, input.migrationId, input.gate, fallback, "noQuorum", runtime.request.escalateAfter);
  });
  return fallback.length;
}

/**
 * The fallback approvers were asked: audited with why (no quorum in time, or an approver out of office for the whole
 * round), and the admins are told.
 */
async function recordEscalation(
  s: Services,
  migrationId: string,
  gate: string,
  to: string[],
  because: "noQuorum" | "outOfOffice",
  after: string | undefined,
): Promise<void> {
  await s.store.appendAudit({
    migrationId,
    actor: "system",
    action: "tasks.escalated",
    details: { gate, to, because, after: because === "noQuorum" ? (after ?? null) : null },
  });
  await notifyAdmins(
    {
      migrationId,
      event: because === "outOfOffice" ? "escalated.outOfOffice" : "escalated",
      details: { round: gate, to },
    },
    s,
  );
}

export const gateTaskActivities = {
  openHumanTasks,
  tallyHumanTasks,
  remindHumanTasks,
  closeHumanTasks,
  escalateHumanTasks,
};
