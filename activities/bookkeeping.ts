/**
 * The orchestration's paperwork: read admin commands from the store, record phase changes (and free
 * the workspace when a migration ends), tell the admins about events, and write the final report.
 */
import { openDeadlines, windowDeadlines } from "../shared/domain/personalDeadlines";
import { auditInWords, capitalised, serviceInWords, stepInWords } from "../shared/domain/inWords";
import { adminNoticeEmail, reportReadyEmail } from "../shared/mail/templates";
import { loadMigration, once, updateRuntime } from "../shared/migrationRecord";
import { sendKey } from "../shared/mail/sendKey";
import { federationNextStep, renderReportHtml, type MigrationReport } from "../shared/pages/report";
import { bouncedUsers } from "../shared/pages/statusPage";
import type { Services } from "../shared/services";
import {
  isFinalPhase,
  type AdminCommands,
  type Attention,
  type ChecklistItem,
  type MigrationCounts,
  type Phase,
  type Phase2Outcome,
} from "../shared/workflow";
import { freshChecklist, recordsPeigConfigurationDeletion } from "../shared/migrationChecklist";
import { hasWaves, waveViews } from "../shared/domain/waves";

export async function readAdminCommands(input: { migrationId: string }, s: Services): Promise<AdminCommands> {
  const { record, runtime } = await loadMigration(s, input.migrationId);
  const { cancelRequested, approvalRequested, resumeRequested, pilotReviewRequested } = runtime.commands;
  // Only the instants the window counts down to: who has which is the reminder activity's to read.
  const personal = windowDeadlines(record.deadline, openDeadlines(runtime.personalDeadlines)).slice(1);
  return {
    deadline: record.deadline,
    ...(personal.length > 0 ? { personalDeadlines: personal } : {}),
    cancelRequested,
    approvalRequested,
    resumeRequested,
    ...(pilotReviewRequested ? { pilotReviewRequested } : {}),
  };
}

/** `phase2`: how Phase 2 ended, given when it does (the checklist and the report read it from the store). */
export async function recordPhase(
  input: { migrationId: string; phase: Phase; detail?: string; instanceId: string; phase2?: Phase2Outcome },
  s: Services,
): Promise<void> {
  // A final phase is also the row's final status.
  const status = isFinalPhase(input.phase) ? input.phase : undefined;
  const { record } = await updateRuntime(s, input.migrationId, (rt, current) => {
    if (input.phase2) rt.phase2 = input.phase2;
    // A new approval round consumes the admin's request for it.
    if (input.phase === "verification") rt.commands.approvalRequested = undefined;
    // A migration that ends has nothing left to attend to.
    if (status) rt.attention = undefined;
    if (current.phase === input.phase && !status) return false;
    return { phase: input.phase, ...(status ? { status } : {}) };
  });
  if (status) await s.store.releaseWorkspace(record.workspace, input.migrationId);
  await s.store.appendAudit({
    migrationId: input.migrationId,
    actor: "system",
    action: `phase.${input.phase}`,
    details: input.detail ? { detail: input.detail } : {},
    instanceId: input.instanceId,
  });
}

export async function notifyAdmins(
  input: { migrationId: string; event: string; details: Record<string, unknown> },
  s: Services,
): Promise<void> {
  const { runtime } = await loadMigration(s, input.migrationId);
  const notice = adminNoticeEmail({
    workspace: runtime.request.workspace,
    event: input.event,
    details: input.details,
    statusPageUrl: statusPageUrl(s, input.migrationId),
    timeZone: runtime.request.timeZone,
  });
  await s.mail.sendBulk({
    subject: notice.subject,
    html: notice.html,
    recipients: runtime.request.admins,
    key: sendKey(input.migrationId, `notice.${input.event}`, input.details),
  });
  await s.store.appendAudit({
    migrationId: input.migrationId,
    actor: "system",
    action: `admins.notified.${input.event}`,
    details: input.details,
  });
}

/**
 * Sets (or clears) the needs-attention flag on the migration row. The first time an incident needs
 * attention it is audited and the admins are mailed, once per incident; a mail that cannot go out now
 * (Graph may be what is down) is tried again with the next failure, and its failure fails nothing.
 */
export async function recordAttention(
  input: { migrationId: string; attention: Attention | null; instanceId: string },
  s: Services,
): Promise<void> {
  const { attention, migrationId } = input;
  const { runtime } = await loadMigration(s, migrationId);
  const previous = runtime.attention;
  await updateRuntime(s, migrationId, (rt) => void (rt.attention = attention ?? undefined));
  if (!attention) {
    if (previous)
      await s.store.appendAudit({
        migrationId,
        actor: "system",
        action: "attention.cleared",
        details: {
          step: previous.step,
          incident: previous.incident,
          failures: previous.failures,
          since: previous.since,
        },
        instanceId: input.instanceId,
      });
    return;
  }
  if (!attention.needed) return;
  // Waiting on people: no service answered anything; the message says what went unanswered.
  const people = attention.service === "people";
  const details = {
    step: attention.step,
    service: attention.service,
    ...(people ? {} : { status: attention.status }),
    message: attention.message,
    fix: attention.fix,
    ...(people ? { waitingSince: attention.since } : { since: attention.since }),
    nextAttemptAt: attention.nextAttemptAt ?? "only when resumed",
  };
  await once(
    s,
    migrationId,
    `attention:${attention.incident}:audit`,
    async () =>
      void (await s.store.appendAudit({
        migrationId,
        actor: "system",
        action: "attention.needed",
        details,
        instanceId: input.instanceId,
      })),
  );
  const { step, service, ...rest } = details;
  const notice = adminNoticeEmail({
    workspace: runtime.request.workspace,
    event: people ? "waitsForPeople" : "needsAttention",
    // The audit keeps the activity's name; people read the runbook step it belongs to (and no service when it waits on people).
    details: {
      step: capitalised(stepInWords(step)),
      ...(people ? {} : { service: serviceInWords(service) }),
      ...rest,
    },
    statusPageUrl: statusPageUrl(s, migrationId),
    timeZone: runtime.request.timeZone,
  });
  await once(s, migrationId, `attention:${attention.incident}:mail`, async () => {
    const sent = await s.mail.sendBulk({
      subject: notice.subject,
      html: notice.html,
      recipients: runtime.request.admins,
    });
    if (!sent.recipients.some((r) => r.status === "sent"))
      throw new Error("the needs-attention notice was not accepted");
    await s.store.appendAudit({
      migrationId,
      actor: "system",
      action: "admins.notified.needsAttention",
      details: { step: attention.step, incident: attention.incident },
    });
  }).catch(() => false);
}

/** The counts as the report's JSON lists them: numbers only (each wave's are in `figures.waves`). */
function flatCounts(counts: MigrationCounts): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts).filter((entry): entry is [string, number] => typeof entry[1] === "number"),
  );
}

export async function writeReport(
  input: { migrationId: string },
  s: Services,
): Promise<{ checklist: ChecklistItem[] }> {
  const { record, runtime } = await loadMigration(s, input.migrationId);
  const phase2 = runtime.phase2 ?? null;
  const { checklist, figures } = await freshChecklist(s, input.migrationId, runtime, phase2);
  const [users, tasks, audit, { record: counted }] = await Promise.all([
    s.store.getUsers(input.migrationId),
    s.store.listTasks(input.migrationId),
    s.store.listAudit(input.migrationId),
    // The counts the checklist's pass just wrote: the figures above are theirs.
    loadMigration(s, input.migrationId),
  ]);
  const operator = runtime.peigMode === "operator";
  const report: MigrationReport = {
    migrationId: input.migrationId,
    workspace: record.workspace,
    domain: record.domain,
    generatedAt: s.clock.now().toISOString(),
    outcome: checklist.every((i) => i.met) ? "completed: ready for federation" : "completed with open checklist items",
    deadline: record.deadline,
    timeZone: runtime.request.timeZone,
    counts: flatCounts(counted.counts),
    figures,
    checklist,
    phase2: {
      skipped: phase2?.skipped ?? true,
      listed: users
        .filter((u) => u.phase2.planned && u.phase2.result !== "failed")
        .map((u) => ({
          userPrincipalName: u.userPrincipalName,
          account: operator ? "as the Peig admin reported (figures above)" : (u.phase2.peigAccountId ?? "not made"),
          onboardedSince: u.state === "onboarded",
        })),
      failed: users
        .filter((u) => u.phase2.result === "failed")
        .map((u) => ({ userPrincipalName: u.userPrincipalName, error: u.phase2.error ?? "unknown" })),
    },
    approvals: tasks
      .filter((t) => t.kind === "approval" && t.status === "decided")
      .map((t) => ({
        round: t.gate ?? "",
        by: t.decidedBy ?? t.assignee,
        decision: t.decision ?? "",
        at: t.decidedAt ?? "",
        reason: t.reason,
        level: t.gate?.startsWith("pilotReview-") ? "admin" : approverLevel(runtime.request, t.assignee),
      })),
    // Approvers out of office for a whole round: not asked (the fallback approvers were, at once).
    outOfOffice: audit
      .filter((a) => a.action === "approver.outOfOffice")
      .map((a) => ({
        round: String(a.details.gate),
        approver: String(a.details.approver),
        until: typeof a.details.until === "string" ? a.details.until : null,
      })),
    bounced: bouncedUsers(users),
    ...(hasWaves(runtime.request)
      ? { waves: waveViews(runtime.request, record.deadline, runtime.waves, s.clock.now(), runtime.request.timeZone) }
      : {}),
    people: {
      exemptions: runtime.exemptions ?? [],
      personalDeadlines: runtime.personalDeadlines ?? [],
      invitationsResent: audit
        .filter((a) => a.action === "person.invitationResent")
        .map((a) => ({
          user: String(a.details.user),
          to: String(a.details.to),
          by: a.actor.replace(/^admin:/, ""),
          at: a.at,
        })),
    },
    deleted: audit
      .filter((a) => recordsPeigConfigurationDeletion(a) || a.action === "entraApp.deleted")
      .map((a) => ({
        what: a.action === "entraApp.deleted" ? "Entra app PeigMigrationManager" : "Peig migration configuration",
        at: a.at,
        detail: auditInWords(a, runtime.request.timeZone),
      })),
    nextStep: federationNextStep(record.domain, runtime.server),
  };
  await s.store.saveReport(input.migrationId, {
    json: JSON.stringify(report, null, 2),
    html: renderReportHtml(report),
  });
  await updateRuntime(s, input.migrationId, (rt) => void (rt.checklist = checklist));
  const mail = reportReadyEmail({
    workspace: record.workspace,
    checklist,
    link: `${statusPageUrl(s, input.migrationId).replace(/\/page$/, "")}/report`,
  });
  await s.mail.sendBulk({
    subject: mail.subject,
    html: mail.html,
    recipients: runtime.request.admins,
    key: sendKey(input.migrationId, "report"),
  });
  await s.store.appendAudit({
    migrationId: input.migrationId,
    actor: "system",
    action: "report.written",
    details: { allMet: checklist.every((i) => i.met) },
  });
  return { checklist };
}

const statusPageUrl = (s: Services, migrationId: string) =>
  `${s.settings.PUBLIC_BASE_URL.replace(/\/$/, "")}/api/migrations/${migrationId}/page`;

/** This file's activities, under the names the orchestrations call them by (activities/index.ts). */
export const bookkeepingActivities = { readAdminCommands, recordPhase, notifyAdmins, recordAttention, writeReport };

/** Who was asked at which level: the approvers, the fallback approvers (escalation), or a colleague handed the task. */
function approverLevel(request: { approvers: string[]; fallbackApprovers?: string[] }, assignee: string): string {
  const is = (list: readonly string[] | undefined) => !!list?.some((a) => a.toLowerCase() === assignee.toLowerCase());
  if (is(request.approvers)) return "approver";
  if (is(request.fallbackApprovers)) return "fallback approver (escalated)";
  return "colleague an approver handed it to";
}
