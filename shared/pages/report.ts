/**
 * The migration report: the runbook's "Confirm your setup" checklist with its evidence, Phase 2
 * results, the approvals (who, when), what was deleted, and what step 5 (federation) needs next.
 */
import type { WaveView } from "../domain/waves";
import { formatHuman } from "../domain/humanTime";
import { figureLines, phase2Sentence, type MigrationFigures } from "../domain/figures";
import { capitalised, gateInWords } from "../domain/inWords";
import { peigIdpEndpoints } from "../entra/entityIds";

const DECISIONS: Record<string, string> = {
  approve: "approved",
  reject: "rejected",
  delegate: "handed it to a colleague",
};
import { checklistHtml, escapeHtml, page, table, timeHtml } from "./layout";
import type { ChecklistItem } from "../workflow";
import { bouncedTable, personalDeadlinesTable, wavesHtml, type BouncedUser } from "./statusPage";
import type { Exemption } from "../domain/exemptions";
import type { PersonalDeadline } from "../domain/personalDeadlines";

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
  /** Every number the report shows, each with what it counts (migrationFigures over the stored state). */
  figures: MigrationFigures;
  checklist: ChecklistItem[];
  phase2: {
    /** The users listed for Phase 2, and what became of each as far as the app can see. */
    listed: { userPrincipalName: string; account: string; onboardedSince: boolean }[];
    failed: { userPrincipalName: string; error: string }[];
    skipped: boolean;
  };
  /** `level`: whether they were asked as an approver, a fallback approver, or a colleague an approver handed the task to. */
  approvals: { round: string; by: string; decision: string; at: string; reason?: string; level?: string }[];
  /** Approvers out of office for a whole round, so not asked (absent on older reports). */
  outOfOffice?: { round: string; approver: string; until: string | null }[];
  /** Users whose last mail bounced: they may never have read the invitation or a reminder. */
  bounced?: BouncedUser[];
  /** A migration with waves: each wave, when it ran, its pilot review (its figures are `figures.waves`). */
  waves?: WaveView[];
  /** What admins did about single people: exemptions (with why) and invitations sent again (absent on older reports). */
  people?: {
    exemptions: Exemption[];
    /** People given a later deadline of their own (absent on older reports). */
    personalDeadlines?: PersonalDeadline[];
    invitationsResent: { user: string; to: string; by: string; at: string }[];
  };
  deleted: { what: string; at: string; detail: string }[];
  nextStep: { title: string; needs: string[] };
}

/**
 * Step 5's needs with the values the app knows: the domain, and Peig's IdP endpoints on the [SERVER] read at setup
 * (from Peig's SAML IDP Info, or from the IDP Entity ID given at start). Peig's own IdP certificate is never read
 * by the app: the admin copies it from SAML IDP Info.
 */
export function federationNextStep(domain: string, server: string | undefined): MigrationReport["nextStep"] {
  const idp = server ? peigIdpEndpoints(server) : undefined;
  return {
    title: "Step 5: Federation setup",
    needs: [
      `The verified corporate domain ${domain}, the same one as the Microsoft 365 Active Provider's Domain.`,
      idp
        ? `The Peig SAML IDP Info: IDP Entity ID ${idp.idpEntityId}, sign-in URL ${idp.signInUrl}, sign-out URL ${idp.signOutUrl}, and the IDP certificate from Configuration > SAML IDP Info, without whitespace or BEGIN/END lines.`
        : "The Peig SAML IDP Info from Configuration > SAML IDP Info: the IDP Entity ID, the sign-in and sign-out URLs, and the IDP certificate without whitespace or BEGIN/END lines.",
      "Windows PowerShell with the Microsoft.Graph module, and a Global Administrator of the tenant.",
      "A quiet time slot: federation can be enabled or disabled only once every 10 minutes, and users without a finished Peig onboarding lose access.",
      "Only after federation: assign the Microsoft 365 service to users in Peig (doing it earlier forces removing and re-adding the provider).",
    ],
  };
}

/** Each count says what it counts, in the words every other view uses. */
function countsHtml(report: MigrationReport): string {
  return `<ul id="counts">${figureLines(report.figures)
    .map((l) => `<li>${escapeHtml(l)}</li>`)
    .join("")}</ul>`;
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
  ${report.waves?.length ? wavesHtml(report.waves, report.figures, when) : ""}
  <h2>Confirm your setup</h2>${checklistHtml(report.checklist)}
  <h2>Phase 2</h2>${report.figures.phase2 ? `<p id="phase2-figures">${escapeHtml(phase2Sentence(report.figures.phase2))}</p>` : `<p class="muted">Not needed: nobody was listed for Phase 2.</p>`}
  ${table(
    ["Listed user", "Peig account", "Signed in since"],
    report.phase2.listed.map((c) => [c.userPrincipalName, c.account, c.onboardedSince ? "yes" : "not yet"]),
    "Nobody was listed for Phase 2.",
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
  <h2>Exempted people</h2>${table(
    ["User", "UPN", "Why", "Exempted by", "When"],
    (report.people?.exemptions ?? []).map((e) => [e.displayName, e.userPrincipalName, e.reason, e.by, when(e.at)]),
    "Nobody was exempted.",
  )}
  ${personalDeadlinesTable(report.people?.personalDeadlines ?? [], when)}
  ${
    report.people?.invitationsResent.length
      ? `<h2>Invitations sent again</h2>${table(
          ["User", "Sent to", "Asked by", "When"],
          report.people.invitationsResent.map((r) => [r.user, r.to, r.by, when(r.at)]),
        )}`
      : ""
  }
  <h2>Approvals</h2>${table(
    ["Round", "Approver", "Asked as", "Decision", "When", "Reason"],
    report.approvals.map((a) => [
      capitalised(gateInWords(a.round)),
      a.by,
      a.level ?? "approver",
      DECISIONS[a.decision] ?? a.decision,
      when(a.at),
      a.reason ?? "",
    ]),
    "No approval decision recorded.",
  )}
  ${
    report.outOfOffice?.length
      ? `<h2>Approvers out of office</h2>${table(
          ["Round", "Approver", "Automatic replies on until", "What happened"],
          report.outOfOffice.map((o) => [
            capitalised(gateInWords(o.round)),
            o.approver,
            o.until ? when(o.until) : "turned off",
            "not asked; the fallback approvers were asked at once",
          ]),
        )}`
      : ""
  }
  <h2>Deleted</h2>${table(
    ["What", "When", "Detail"],
    report.deleted.map((d) => [d.what, when(d.at), d.detail]),
    "Nothing was deleted.",
  )}
  <h2>Next: ${escapeHtml(report.nextStep.title)}</h2><ul>${report.nextStep.needs.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>`;
  return page(`Peig migration report ${report.workspace}`, body);
}
