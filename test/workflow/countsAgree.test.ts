/**
 * Numbers that agree, end to end: after a migration with Phase 2, in both Peig modes, the status JSON, the status
 * page, the report (JSON and page), and the approvers' evidence say the same figures in the same words, and the
 * figures are what happened (in operator mode, what the Peig admin did in Peig, next to the sign-ins the app saw).
 * test/domain/figures.property.test.ts checks the same over generated stored states.
 */
import { figureLines, type MigrationFigures } from "../../shared/domain/figures";
import { unescapeHtml } from "../../local/demo/autoApprove";
import { DAY, peigAdminFollows, startScenario, type Scenario, openGate as isOpen } from "./harness";

let s: Scenario;
afterEach(() => s?.stop());

interface ReportJson {
  counts: Record<string, number>;
  figures: MigrationFigures;
  phase2: { listed: { userPrincipalName: string; onboardedSince: boolean }[]; failed: unknown[] };
  checklist: { id: string; met: boolean; evidence: string[] }[];
}

const openGate = (id: string, purpose: string) => isOpen(s, id, purpose);

/** Text as a person reads it on a page: tags and entities gone. */
const textOf = (html: string) => unescapeHtml(html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " "));

async function everyViewAgrees(id: string): Promise<ReportJson> {
  const report = (await (await s.api(`migrations/${id}/report?format=json`)).json()) as ReportJson;
  const status = (await s.status(id)) as { counts: Record<string, number>; figures: MigrationFigures };
  expect(report.figures).toEqual(status.figures);
  expect(report.counts).toEqual(status.counts);
  const page = textOf(await (await s.asAdmin(`migrations/${id}/page`)).text());
  const reportHtml = textOf(await (await s.api(`migrations/${id}/report`)).text());
  for (const line of figureLines(status.figures)) {
    expect(page).toContain(line);
    expect(reportHtml).toContain(line);
  }
  // The checklist's evidence names the same figures.
  const evidence = report.checklist.flatMap((i) => i.evidence).join("\n");
  expect(evidence).toContain(status.figures.onboarded.text);
  expect(report.phase2.listed).toHaveLength(status.figures.phase2!.listed.value - status.figures.phase2!.failed.value);
  expect(report.phase2.listed.filter((u) => u.onboardedSince)).toHaveLength(status.figures.phase2!.signedInSince.value);
  return report;
}

describe("counts after a migration with Phase 2", () => {
  it("agree in api mode between the status JSON and page, the report and its checklist", async () => {
    s = await startScenario({ tenant: { users: 30, seed: 5, missRate: 0.3, mismatchRate: 0 } });
    const id = await s.start();
    await s.runUntil(async () => (await s.phase(id)) === "approval");
    // One user finishes onboarding on their Phase 2 account before the end: created by Phase 2, counted as onboarded.
    const late = (await s.stack.store.getUsers(id)).find((u) => u.phase2.result === "created");
    expect(late).toBeDefined();
    expect(s.stack.peig.onboardUser(late!.userId)).toBe("completedPlaceholder");
    const approval = s.taskLinks("cio@contoso.com").at(-1)!;
    expect((await s.decide(approval, "approve")).status).toBe(200);
    await s.runUntil(async () => (await s.phase(id)) === "completed", 5 * DAY);

    const report = await everyViewAgrees(id);
    const p = report.figures.phase2!;
    expect(p.created.value).toBe(p.listed.value);
    expect(p.signedInSince.value).toBe(1);
    expect(report.figures.awaitingFirstSignIn.value).toBe(p.created.value - 1);
    expect(report.checklist.every((i) => i.met)).toBe(true);
  });

  it("agree in operator mode, Phase 2's figures being what the Peig admin did and the app's sign-ins since", async () => {
    s = await startScenario({ peigMode: "operator", tenant: { users: 30, seed: 7, missRate: 0.3, mismatchRate: 0 } });
    const admin = "it@contoso.com";
    const id = await s.start();
    await peigAdminFollows(s, s.taskLinks(admin).at(-1)!);
    await s.runUntil(() => openGate(id, "peigAccounts"), 30 * DAY);
    const listed = (await s.stack.store.getUsers(id)).filter((u) => u.phase2.planned).map((u) => u.userId);
    expect(listed.length).toBeGreaterThan(2);
    // One listed user signs in before the Peig admin gets to them: Create Peig Account answers "already linked".
    s.stack.peig.onboardUser(listed[0]);
    const accounts = await peigAdminFollows(s, s.taskLinks(admin).at(-1)!);
    expect(accounts.confirmed.status).toBe(200);
    // Another completes onboarding on the Phase 2 account the Peig admin made.
    expect(s.stack.peig.onboardUser(listed[1])).toBe("completedPlaceholder");
    await s.runUntil(() => openGate(id, "peigChecklist"), 5 * DAY);
    expect((await peigAdminFollows(s, s.taskLinks(admin).at(-1)!)).confirmed.status).toBe(200);
    await s.runUntil(() => openGate(id, "deletionApproval"), 5 * DAY);
    // The approvers see the checklist completed by the Peig admin's figures, every item that gates deletion met.
    const approval = await s.openTask(s.taskLinks("cio@contoso.com").at(-1)!);
    const evidence = textOf(approval.html);
    expect(evidence).toContain("The Peig admin it@contoso.com reported: Users & Access showed 0 pending requests");
    expect(evidence).not.toContain("waiting for the Peig admin");
    expect((await s.decide(s.taskLinks("cio@contoso.com").at(-1)!, "approve")).status).toBe(200);
    await s.runUntil(() => openGate(id, "peigDeletion"), DAY);
    await peigAdminFollows(s, s.taskLinks(admin).at(-1)!);
    expect(await s.runToEnd(id)).toBe("completed");

    const report = await everyViewAgrees(id);
    const p = report.figures.phase2!;
    expect([p.listed.value, p.created.value, p.alreadyLinked?.value, p.failed.value]).toEqual([
      listed.length,
      listed.length - 1,
      1,
      0,
    ]);
    expect(p.signedInSince.value).toBe(2);
    expect(report.figures.awaitingFirstSignIn.value).toBe(listed.length - 2);
    expect(report.checklist.every((i) => i.met)).toBe(true);
    const reportHtml = textOf(await (await s.api(`migrations/${id}/report`)).text());
    expect(reportHtml).toContain(
      `the Peig admin created ${listed.length - 1} Peig accounts; 1 was already linked (Create Peig Account answered already linked); 0 failed; 2 of the listed users signed in to the migration app since the list was made`,
    );
    expect(reportHtml).not.toContain("[SERVER]");
    expect(reportHtml).toContain("IDP Entity ID https://");
  });
});
