/**
 * The app's log lines (shared/migrationLog.ts) on the local host, through the functions' invocation loggers as in
 * Azure: every line of a migration names it, every audit entry is logged once, a failing activity is logged as an
 * error with the service and the status, and no line carries an e-mail address. The alert rules and the workbook
 * (infra/app/alerts.bicep) query exactly these events.
 */
import { parseLogLine, type MigrationLogLine } from "../../shared/migrationLog";
import { DAY, HOUR, playEveryone, startScenario, type Scenario } from "./harness";

let s: Scenario;
afterEach(() => s?.stop());

describe("the log lines of a migration with a Graph outage", () => {
  it("all name the migration, log every audit entry once, and show the failures the alerts fire on", async () => {
    const lines: { level: string; line: MigrationLogLine }[] = [];
    const keep = (level: string, message: string) => {
      const line = parseLogLine(message);
      if (line) lines.push({ level, line });
    };
    s = await startScenario({
      tenant: { users: 20, seed: 3, missRate: 0.3, mismatchRate: 0 },
      hostLog: (level, _source, message) => keep(level, message),
      stack: { log: (line) => keep(line.level, `peig-migration ${JSON.stringify(line)}`) },
    });
    const id = await s.start();
    const outageStart = s.clock.now().getTime() + 5 * DAY;
    await s.runUntil(() => s.clock.now().getTime() >= outageStart);
    s.stack.graph.setFaults({
      scripted: [{ method: "GET", pathIncludes: "/users", exact: true, status: 503, times: 1_000_000 }],
    });
    await s.runUntil(() => s.clock.now().getTime() >= outageStart + 14 * HOUR);
    s.stack.graph.setFaults({ scripted: [] });
    expect(await playEveryone(s, id)).toBe("completed");

    expect(lines.length).toBeGreaterThan(10);
    expect(lines.filter(({ line }) => line.migrationId !== id)).toEqual([]);
    const events = lines.map(({ line }) => line.event);
    for (const event of [
      "migration.started",
      "phase.onboarding",
      "tasks.opened",
      "monitor.progress",
      "attention.needed",
      "attention.cleared",
      "report.written",
      "phase.completed",
    ])
      expect(events).toContain(event);

    // Every audit entry once, in the same order; the failures besides.
    const audit = (await s.stack.store.listAudit(id, { limit: 10_000 })).map((a) => a.action);
    expect(events.filter((e) => e !== "activity.failed")).toEqual(audit);

    const failed = lines.filter(({ line }) => line.event === "activity.failed");
    expect(failed.length).toBeGreaterThanOrEqual(3);
    expect(failed.every(({ level }) => level === "error")).toBe(true);
    expect(failed[0].line.details).toMatchObject({ service: "graph", status: 503 });
    expect(lines.find(({ line }) => line.event === "attention.needed")!.level).toBe("warning");
    expect(lines.find(({ line }) => line.event === "tasks.opened")!.line.details).toMatchObject({
      expiresAt: expect.any(String),
      assignees: expect.any(Number),
    });
    expect(lines.filter(({ line }) => JSON.stringify(line).includes("@"))).toEqual([]);
  });
});
