/**
 * Numbers that agree: after a migration with Phase 2, the report's counts, its Phase 2 accounts, its list of
 * created accounts and the status page count the same things the same way, each saying what it counts.
 */
import { DAY, startScenario, type Scenario } from "./harness";

let s: Scenario;
afterEach(() => s?.stop());

interface ReportJson {
  counts: Record<string, number>;
  phase2Accounts: { created: number; awaitingFirstSignIn: number; onboardedSince: number; failed: number };
  phase2: { created: unknown[]; failed: unknown[] };
}

describe("counts after a migration with Phase 2", () => {
  it("agree between the report and the status page, and Phase 2's created accounts add up to where each is counted", async () => {
    s = await startScenario({ tenant: { users: 30, seed: 5, missRate: 0.3, mismatchRate: 0 } });
    const id = await s.start();
    await s.runUntil(async () => (await s.phase(id)) === "approval");
    // One user finishes onboarding on their Phase 2 account before the end: created by Phase 2, counted as onboarded.
    const late = (await s.stack.store.getUsers(id)).find((u) => u.phase2.result === "created");
    expect(late).toBeDefined();
    expect(s.stack.peig.onboardUser(late!.userId)).toBe("completedPlaceholder");
    expect((await s.decide(s.taskLinks("cio@contoso.com").at(-1)!, "approve")).status).toBe(200);
    await s.runUntil(async () => (await s.phase(id)) === "completed", 5 * DAY);

    const report = (await (await s.api(`migrations/${id}/report?format=json`)).json()) as ReportJson;
    const status = (await (await s.api(`migrations/${id}`)).json()) as { counts: Record<string, number> };
    const a = report.phase2Accounts;
    expect(a.created).toBeGreaterThan(1);
    expect(a.onboardedSince).toBe(1);
    expect(a.created).toBe(report.phase2.created.length);
    expect(a.awaitingFirstSignIn + a.onboardedSince).toBe(a.created);
    expect(a.failed).toBe(report.phase2.failed.length);
    expect(report.counts).toEqual(status.counts);
    expect(status.counts.phase2Created).toBe(a.awaitingFirstSignIn);

    const page = await (
      await fetch(`${s.host.baseUrl}/api/migrations/${id}/page?code=${encodeURIComponent(s.host.functionKey)}`)
    ).text();
    expect(page).toContain(`with a Phase 2 account, awaiting their first sign-in ${status.counts.phase2Created}`);
    const reportHtml = await (await s.api(`migrations/${id}/report`)).text();
    expect(reportHtml).toContain(`${status.counts.phase2Created} with a Phase 2 account, awaiting their first sign-in`);
    expect(reportHtml).toContain(
      `Phase 2 created ${a.created} Peig accounts: ${a.awaitingFirstSignIn} still awaiting their first sign-in, ${a.onboardedSince} signed in since`,
    );
    // The checklist's sentences name the same numbers as the report's own line.
    expect(reportHtml).toContain(
      `${a.awaitingFirstSignIn} have a Phase 2 account and finish onboarding at their first sign-in`,
    );
    // The checklist's sentence about Phase 2 names the same number as the report's own line.
    expect(reportHtml).toContain(`Phase 2 created ${a.created} Peig accounts; ${a.failed} failed`);
  });
});
