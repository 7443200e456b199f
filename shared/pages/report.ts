/**
 * The migration report: the runbook's "Confirm your setup" checklist with its evidence, Phase 2
 * results, the approvals (who, when), what was deleted, and what step 5 (federation) needs next.
 */
import { formatHuman } from "../domain/humanTime";
import { capitalised, gateInWords } from "../domain/inWords";

const DECISIONS: Record<string, string> = { approve: "approved", reject: "rejected" };
import { checklistHtml, escapeHtml, page, table, timeHtml } from "./layout";
import type { ChecklistItem } from "../workflow";
import { bouncedTable, type BouncedUser } from "./statusPage";

export interface MigrationReport {
  migrationId: string;
  workspace: string;
  domain: string;
  generatedAt: string;
  outcome: string;
  deadline: string;
  /** IANA zone the dates are shown in (absent: UTC); the JSON keeps ISO 8601 UTC. */
  timeZone?: string;
  counts: Record<string, number>;
  /**
   * Every account Phase 2 created, and where each is counted now: a user who signed in after their account was
   * created is among the onboarded, so `counts.phase2Created` (awaiting a first sign-in) can be smaller than `created`.
   */
  phase2Accounts?: { created: number; awaitingFirstSignIn: number; onboardedSince: number; failed: number };
  checklist: ChecklistItem[];
  phase2: {
    created: { userPrincipalName: string; peigAccountId?: string }[];
    failed: { userPrincipalName: string; error: string }[];
    skipped: boolean;
  };
  approvals: { round: string; by: string; decision: string; at: string; reason?: string }[];
  /** Users whose last mail bounced: they may never have read the invitation or a reminder. */
  bounced?: BouncedUser[];
  deleted: { what: string; at: string; detail: string }[];
  nextStep: { title: string; needs: string[] };
}

export function federationNextStep(domain: string): MigrationReport["nextStep"] {
  return {
    title: "Step 5: Federation setup",
    needs: [
      `The verified corporate domain ${domain}, the same one as the Microsoft 365 Active Provider's Domain.`,
      "The Peig SAML IDP Info: IDP Entity ID https://[SERVER]/idp/shibboleth, sign-in URL https://[SERVER]/idp/profile/SAML2/POST/SSO, sign-out URL https://[SERVER]/idp/profile/Logout, and the IDP certificate without whitespace or BEGIN/END lines.",
      "Windows PowerShell with the Microsoft.Graph module, and a Global Administrator of the tenant.",
      "A quiet time slot: federation can be enabled or disabled only once every 10 minutes, and users without a finished Peig onboarding lose access.",
      "Only after federation: assign the Microsoft 365 service to users in Peig (doing it earlier forces removing and re-adding the provider).",
    ],
  };
}

/** Each count says what it counts (the status page's words), and Phase 2's accounts add up to what it created. */
function countsHtml(report: MigrationReport): string {
  const c = report.counts;
  const a = report.phase2Accounts;
  const lines = [
    `${c.inScope} users in scope`,
    `${c.onboarded} onboarded (linked to a Peig account)`,
    `${c.phase2Created} with a Phase 2 account, awaiting their first sign-in`,
    `${c.notOnboarded} not onboarded`,
    `${c.pending} with a pending request, ${c.mismatched} mismatched requests`,
    ...(a
      ? [
          `Phase 2 created ${a.created} Peig accounts: ${a.awaitingFirstSignIn} still awaiting their first sign-in, ${a.onboardedSince} signed in since (counted as onboarded); ${a.failed} failed`,
        ]
      : []),
  ];
  return `<ul id="counts">${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join("")}</ul>`;
}

export function renderReportHtml(report: MigrationReport): string {
  const allMet = report.checklist.every((i) => i.met);
  const now = new Date(report.generatedAt);
  const when = (iso: string) => ({ html: timeHtml(iso, now, report.timeZone) });
  const body = `
  <h1>Peig migration report: ${escapeHtml(report.workspace)}</h1>
  <p class="muted">${escapeHtml(report.domain)} · migration ${escapeHtml(report.migrationId)} · ${escapeHtml(formatHuman(now, report.timeZone))}</p>
  <div class="card"><strong class="${allMet ? "ok" : "bad"}">${allMet ? "Every checklist item is confirmed: ready for step 5 (federation)." : "Not every checklist item is met: resolve them before step 5."}</strong>
  <p>Outcome: ${escapeHtml(report.outcome)} · deadline ${when(report.deadline).html}</p>${countsHtml(report)}</div>
  <h2>Confirm your setup</h2>${checklistHtml(report.checklist)}
  <h2>Phase 2</h2>${report.phase2.skipped ? `<p class="muted">Not needed, or skipped.</p>` : ""}
  ${table(
    ["Account created for", "Peig account"],
    report.phase2.created.map((c) => [c.userPrincipalName, c.peigAccountId ?? ""]),
    "No account was created in Phase 2.",
  )}
  ${
    report.phase2.failed.length
      ? `<h2 class="bad">Phase 2 failures</h2>${table(
          ["User", "Error"],
          report.phase2.failed.map((f) => [f.userPrincipalName, f.error]),
        )}`
      : ""
  }
  ${bouncedTable(report.bounced ?? [], undefined, when)}
  <h2>Approvals</h2>${table(
    ["Round", "Approver", "Decision", "When", "Reason"],
    report.approvals.map((a) => [
      capitalised(gateInWords(a.round)),
      a.by,
      DECISIONS[a.decision] ?? a.decision,
      when(a.at),
      a.reason ?? "",
    ]),
    "No approval decision recorded.",
  )}
  <h2>Deleted</h2>${table(
    ["What", "When", "Detail"],
    report.deleted.map((d) => [d.what, when(d.at), d.detail]),
    "Nothing was deleted.",
  )}
  <h2>Next: ${escapeHtml(report.nextStep.title)}</h2><ul>${report.nextStep.needs.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>`;
  return page(`Peig migration report ${report.workspace}`, body);
}
