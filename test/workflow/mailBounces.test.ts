import { startScenario, type Scenario, DAY } from "./harness";

let s: Scenario;
afterEach(() => s?.stop());

interface Bounced {
  userPrincipalName: string;
  address: string;
  cause: string;
  reason: string;
}

describe("mail Exchange bounces", () => {
  it("shows users whose invitation bounced (unknown mailbox, full quota) on the status page and in the report, and mails a fixed one personally", async () => {
    s = await startScenario({ tenant: { users: 40, missRate: 1, mismatchRate: 0 } });
    const inScope = s.stack.tenant.users.filter(
      (u) => u.mail && u.accountEnabled && u.userType === "Member" && u.userPrincipalName.endsWith("@contoso.com"),
    );
    const [gone, full] = inScope.map((u) => u.mail!.toLowerCase());
    s.stack.graph.setUndeliverable(gone, "recipientNotFound");
    s.stack.graph.setUndeliverable(full, "mailboxFull");

    const id = await s.start();
    // The invitation goes at once; the first monitor pass (12 h later) reads the non-delivery reports.
    await s.runUntil(async () => ((await s.status(id)).bounced as Bounced[]).length > 0, 2 * DAY);
    const bounced = (await s.status(id)).bounced as Bounced[];
    expect(bounced.map((b) => [b.address, b.cause]).sort()).toEqual(
      [
        [full, "mailboxFull"],
        [gone, "recipientNotFound"],
      ].sort(),
    );
    expect(bounced.find((b) => b.address === gone)?.reason).toMatch(/^550 5\.1\.10 /);
    const page = await (await s.asAdmin(`migrations/${id}/page`)).text();
    expect(page).toContain("Mail bounced (2)");
    expect(page).toContain(gone);

    // The full mailbox is emptied; the missing one stays missing.
    s.stack.graph.setUndeliverable(full, undefined);
    const reminderAt = Date.parse("2026-12-08T09:00:00Z");
    await s.runUntil(() => s.clock.now().getTime() > reminderAt + 13 * 3_600_000, 8 * DAY);
    const afterReminder = s.stack.graph.outbox.filter((m) => Date.parse(m.sentAt) >= reminderAt);
    const personal = afterReminder.filter((m) => m.to.map((a) => a.toLowerCase()).includes(full));
    expect(personal).toHaveLength(1);
    expect(personal[0].bcc).toEqual([]);
    expect(afterReminder.some((m) => [...m.to, ...m.bcc].map((a) => a.toLowerCase()).includes(gone))).toBe(false);
    const later = (await s.status(id)).bounced as Bounced[];
    expect(later.map((b) => b.address)).toEqual([gone]);

    await s.runUntil(async () => (await s.phase(id)) === "approval", 10 * DAY);
    await s.decide(s.taskLinks("cio@contoso.com").at(-1)!, "approve");
    await s.runToEnd(id);
    const report = JSON.parse(await (await s.api(`migrations/${id}/report?format=json`)).text()) as {
      bounced: Bounced[];
    };
    expect(report.bounced.map((b) => [b.address, b.cause])).toEqual([[gone, "recipientNotFound"]]);
    expect(await (await s.api(`migrations/${id}/report`)).text()).toContain("Mail bounced (1)");
  });
});
