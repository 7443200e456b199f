/**
 * Azure Storage can deliver a TimerFired up to about a second before its time (conformance/ saw it on the real
 * extension). A timer that won the wait means its time has come: the next execution acts on it at once, not
 * after more short sleeps for the rest of the second.
 */
import { auditOf, DAY, startBody, startScenario, type Scenario } from "./harness";

let s: Scenario | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

/** Executions (continueAsNew) of the migration from the approval gate's opening until its first reminder round. */
async function executionsUntilGateReminder(timerEarlyMs: number): Promise<number> {
  let executions = 0;
  s = await startScenario({
    tenant: { users: 12, missRate: 0, mismatchRate: 0 },
    timerEarlyMs,
    onContinueAsNew: () => void executions++,
  });
  const scenario = s;
  const id = await scenario.start(startBody({ requiredApprovals: 2 }));
  await scenario.runUntil(async () => (await scenario.phase(id)) === "approval");
  executions = 0;
  await scenario.runUntil(async () => (await auditOf(scenario, id, "tasks.reminded")).length === 1, 2 * DAY);
  await scenario.stop();
  s = undefined;
  return executions;
}

describe("timers that fire early, as on Azure Storage", () => {
  it("sends the gate's reminder on the early timer, in as many executions as an exact timer takes", async () => {
    const exact = await executionsUntilGateReminder(0);
    const early = await executionsUntilGateReminder(900);
    expect(exact).toBeGreaterThan(0);
    expect(early).toBe(exact);
  });
});
