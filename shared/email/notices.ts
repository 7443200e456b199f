/** Short notices to the migration admins about events that need their attention. */
import { escapeHtml } from "../pages/layout";
import type { EmailContent } from "./templates";

const EVENTS: Record<string, { subject: string; lead: string }> = {
  cancelled: { subject: "cancelled", lead: "The migration was cancelled before anything was deleted. The Peig migration configuration and the Entra app PeigMigrationManager are left in place: remove them yourself when you no longer need them." },
  notReady: { subject: "not ready for deletion", lead: "The onboarding window is over but the checklist is not complete, so no approval was requested. The check runs again on the monitor schedule." },
  "approval.rejected": { subject: "deletion rejected", lead: "An approver rejected deleting the migration configuration. Nothing was deleted. Request approval again when the concerns are resolved (POST /api/migrations/{id}/approval)." },
  "approval.expired": { subject: "approval expired", lead: "The approval links expired without enough approvals. Nothing was deleted. Request approval again (POST /api/migrations/{id}/approval)." },
  regressed: { subject: "deletion stopped: the re-check failed", lead: "After approval, the final re-check found something had regressed, so nothing was deleted. The migration is back at the approval gate." },
};

export function adminNoticeEmail(input: { workspace: string; event: string; details: Record<string, unknown>; statusPageUrl: string }): EmailContent {
  const known = EVENTS[input.event] ?? { subject: input.event, lead: `Event: ${input.event}.` };
  const subject = `Peig migration "${input.workspace}": ${known.subject}`;
  const lines = Object.entries(input.details).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join("; ") : typeof v === "object" ? JSON.stringify(v) : String(v)}`);
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif"><p>${escapeHtml(known.lead)}</p><ul>${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join("")}</ul><p><a href="${escapeHtml(input.statusPageUrl)}">Open the status page</a></p></body></html>`;
  return { subject, html, text: [known.lead, ...lines, input.statusPageUrl].join("\n") };
}
