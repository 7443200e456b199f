/**
 * A step that keeps failing, fast: the orchestration with scripted activities (fakeActivities.ts). The default
 * timings: quick re-tries after 1 and 5 minutes, then "needs attention" with re-tries after 15 minutes, 1, 3 and
 * 6 hours (the last repeating), for 3 days after the first failure; then only a resume tries again.
 */
import { DAY, HOUR, MINUTE } from "../../shared/domain/duration";
import type { AdminCommands, Attention } from "../../shared/workflow";
import { afterStart, runWithFakes, type FakeRun } from "./fakeActivities";
import { failing, onboardingCounts, serviceDown } from "./scripted";

const APP = { appId: "app-1", thumbprint: "T", certificateNotAfter: "2029-12-01T00:00:00.000Z" };

/** Setup whose app creation fails while `graph.down`; `resume()` records an admin's resume and wakes it. */
async function failingSetup() {
  const graph = { down: true };
  const commands: Partial<AdminCommands> = {};
  const run = await runWithFakes({
    fakes: {
      createMigrationApp: () => {
        if (graph.down) throw serviceDown("createMigrationApp", "graph", 403);
        return APP;
      },
      readAdminCommands: () => ({ deadline: "2026-12-15T09:00:00Z", ...commands }),
    },
  });
  const resume = async () => {
    commands.resumeRequested = { by: "it@contoso.com", at: run.host.clock.now().toISOString() };
    await run.wake();
  };
  return { run, graph, resume };
}

const attempts = (run: FakeRun) => run.callsOf("createMigrationApp").map((c) => c.at);
const recorded = (run: FakeRun) => run.callsOf("recordAttention").map((c) => c.input.attention as Attention | null);

describe("a failing step (scripted activities)", () => {
  let run: FakeRun;
  afterEach(() => run.stop());

  it("is tried again after 1 and 5 minutes, then needs attention and is tried on the longer schedule", async () => {
    ({ run } = await failingSetup());
    await run.host.advanceTo(afterStart(17 * HOUR));
    const minutes = [0, 1, 6, 21, 81, 261, 621, 981];
    expect(attempts(run)).toEqual(minutes.map((m) => afterStart(m * MINUTE)));
    // Each failure is recorded, one incident; from the third it needs attention.
    expect(recorded(run).map((a) => [a?.incident, a?.failures, a?.needed])).toEqual(
      minutes.map((_, i) => [1, i + 1, i >= 2]),
    );
    expect(recorded(run)[0]).toMatchObject({
      step: "createMigrationApp",
      service: "graph",
      status: 403,
      since: afterStart(0),
      nextAttemptAt: afterStart(MINUTE),
    });
    // The setup step done before the failure is not run again.
    expect(run.callsOf("resolvePeigServer")).toHaveLength(1);
    expect(run.phases()).toEqual([]);
  });

  it("shows on the status only once it needs attention, with the step, the service, the status and the fix", async () => {
    ({ run } = await failingSetup());
    expect(run.host.instance(run.id).customStatus).not.toHaveProperty("needsAttention");
    expect(run.host.instance(run.id).customStatus).toMatchObject({
      waitingFor: "a retry of creating the Entra app PeigMigrationManager",
    });
    await run.host.advanceTo(afterStart(6 * MINUTE));
    expect(run.host.instance(run.id).customStatus).toMatchObject({
      needsAttention: {
        step: "createMigrationApp",
        service: "graph",
        status: 403,
        fix: expect.any(String),
        since: afterStart(0),
        nextAttemptAt: afterStart(21 * MINUTE),
      },
    });
  });

  it("once it succeeds, the attention is cleared and the phase goes on", async () => {
    let graph: { down: boolean };
    ({ run, graph } = await failingSetup());
    await run.host.advanceTo(afterStart(6 * MINUTE));
    graph.down = false;
    await run.host.advanceTo(afterStart(21 * MINUTE));
    expect(attempts(run).at(-1)).toBe(afterStart(21 * MINUTE));
    expect(recorded(run).at(-1)).toBeNull();
    expect(run.phases()[0]).toBe("onboarding");
    expect(run.host.instance(run.id).customStatus).not.toHaveProperty("needsAttention");
  });

  it("a new failure after the recovery is a new incident", async () => {
    run = await runWithFakes({
      fakes: {
        createMigrationApp: failing(
          1,
          () => serviceDown("createMigrationApp"),
          () => APP,
        ),
        monitorOnboarding: failing(
          1,
          () => serviceDown("monitorOnboarding"),
          () => onboardingCounts(),
        ),
      },
    });
    await run.host.advanceTo(afterStart(2 * MINUTE));
    expect(recorded(run).map((a) => a && [a.step, a.incident])).toEqual([
      ["createMigrationApp", 1],
      null,
      ["monitorOnboarding", 2],
      null,
    ]);
  });

  it("stops trying by itself 3 days after the first failure; a resume then tries at once, and counts once", async () => {
    let resume: () => Promise<void>;
    ({ run, resume } = await failingSetup());
    await run.host.advanceTo(afterStart(5 * DAY));
    const last = attempts(run).at(-1)!;
    expect(Date.parse(last)).toBeLessThan(Date.parse(afterStart(3 * DAY + 6 * HOUR)));
    expect(recorded(run).at(-1)).toMatchObject({ needed: true });
    expect(recorded(run).at(-1)).not.toHaveProperty("nextAttemptAt");
    const before = attempts(run).length;
    await resume();
    expect(attempts(run)).toHaveLength(before + 1);
    expect(attempts(run).at(-1)).toBe(afterStart(5 * DAY));
    // The same resume, read again at a later wake-up, is not a new one.
    await run.wake();
    await run.host.advanceBy(2 * DAY);
    expect(attempts(run)).toHaveLength(before + 1);
  });

  it("a resume tries at once, without waiting for the next attempt's time", async () => {
    let resume: () => Promise<void>;
    let graph: { down: boolean };
    ({ run, resume, graph } = await failingSetup());
    await run.host.advanceTo(afterStart(10 * MINUTE));
    expect(attempts(run)).toHaveLength(3);
    graph.down = false;
    await resume();
    expect(attempts(run).at(-1)).toBe(afterStart(10 * MINUTE));
    expect(run.phases()[0]).toBe("onboarding");
  });
});
