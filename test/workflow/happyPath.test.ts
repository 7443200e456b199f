import { startScenario, type Scenario } from "./harness";

let s: Scenario;
afterEach(() => s?.stop());

describe("a migration where everyone onboards before the deadline", () => {
  it("needs no Phase 2, asks for approval, deletes the Peig configuration and the Entra app, and reports all four items met", async () => {
    s = await startScenario({ tenant: { users: 40, missRate: 0, mismatchRate: 0 } });
    const id = await s.start();
    await s.runUntil(async () => (await s.phase(id)) === "approval");
    const [link] = s.taskLinks("cio@contoso.com");
    expect(link).toBeDefined();
    const decided = await s.decide(link, "approve");
    expect(decided.status).toBe(200);
    await s.runToEnd(id);
    expect(await s.phase(id)).toBe("completed");
    const status = await s.status(id);
    const checklist = status.checklist as { id: string; met: boolean }[];
    expect(checklist.map((i) => [i.id, i.met])).toEqual([
      ["allOnboarded", true],
      ["accountsLinked", true],
      ["phase2Completed", true],
      ["configurationDeleted", true],
    ]);
    const report = await s.api(`migrations/${id}/report?format=json`);
    expect(report.status).toBe(200);
    const audit = (status.audit as { action: string }[]).map((a) => a.action);
    expect(audit).toEqual(
      expect.arrayContaining([
        "entraApp.created",
        "peig.migrationConfig.saved",
        "peig.migrationConfig.deleted",
        "entraApp.deleted",
        "report.written",
      ]),
    );
    expect(audit).not.toContain("peig.account.created");
    expect(s.stack.peig.requestLog.filter((r) => r.operationId === "createPeigAccount")).toHaveLength(0);
  });
});
