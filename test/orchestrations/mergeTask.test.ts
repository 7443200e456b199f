/**
 * The Peig admin's merge task during the onboarding window (api mode), fast: the orchestration with scripted
 * activities (fakeActivities.ts). The monitor runs every 12 hours; the task's links are reminded daily.
 * Verification's use of the same task is in verification.test.ts.
 */
import { HOUR } from "../../shared/domain/duration";
import { afterStart, runWithFakes, type Fakes, type FakeRun } from "./fakeActivities";
import { onboardingCounts, tallyOnceAnswered } from "./scripted";

/** The window with `mismatched` requests typed with another e-mail; `decide()` gives the Peig admin's answer. */
function mistyped(mismatched: number, decision: "done" | "rejected" = "done") {
  let decided = false;
  let asks = mismatched;
  const fakes: Fakes = {
    monitorOnboarding: () => onboardingCounts(mismatched),
    // A round lists what no earlier round listed: after one, nothing new unless the test says so.
    planMerges: () => {
      const plan = { asks, requests: mismatched };
      asks = 0;
      return plan;
    },
    tallyHumanTasks: tallyOnceAnswered(() => decided, decision),
    performMerges: () => {
      mismatched = 0;
      return { merged: 2, alreadyHandled: 0, failed: 0 };
    },
  };
  return {
    fakes,
    decide: () => void (decided = true),
    newRequest: () => {
      mismatched++;
      asks = 1;
    },
  };
}

const inWindow = (fakes: Fakes, peigMode: "api" | "operator" = "api") =>
  runWithFakes({ state: { phase: "onboarding", peigMode }, fakes });
const opened = (run: FakeRun) => run.callsOf("openHumanTasks").map((c) => `${c.input.purpose}-${c.input.round}`);

describe("the merge task in the onboarding window (scripted activities)", () => {
  let run: FakeRun;
  afterEach(() => run.stop());

  it("is not planned while the monitor counts no mistyped request", async () => {
    run = await inWindow(mistyped(0).fakes);
    await run.host.advanceTo(afterStart(24 * HOUR));
    expect(run.callsOf("monitorOnboarding")).toHaveLength(3);
    expect(run.callsOf("planMerges")).toEqual([]);
  });

  it("opens one task when a monitor pass finds mistyped requests, and the window keeps monitoring while it is open", async () => {
    run = await inWindow(mistyped(2).fakes);
    expect(run.callsOf("planMerges").map((c) => c.input)).toEqual([{ migrationId: run.id, round: 1 }]);
    expect(opened(run)).toEqual(["peigMerges-1"]);
    await run.host.advanceTo(afterStart(36 * HOUR));
    expect(run.callsOf("monitorOnboarding").map((c) => c.at)).toEqual([0, 12, 24, 36].map((h) => afterStart(h * HOUR)));
    // The open task is looked at, not planned or opened again.
    expect(run.callsOf("planMerges")).toHaveLength(1);
    expect(opened(run)).toEqual(["peigMerges-1"]);
    expect(run.callsOf("remindHumanTasks").map((c) => [c.at, c.input.gate])).toEqual([
      [afterStart(24 * HOUR), "peigMerges-1"],
    ]);
  });

  it("confirmed: merges the requests and monitors again at once, so the merged users count as onboarded", async () => {
    const { fakes, decide } = mistyped(2);
    run = await inWindow(fakes);
    await run.host.advanceBy(3 * HOUR);
    decide();
    await run.wake();
    expect(run.callsOf("performMerges").map((c) => [c.at, c.input])).toEqual([
      [afterStart(3 * HOUR), { migrationId: run.id, round: 1 }],
    ]);
    expect(run.callsOf("monitorOnboarding").map((c) => c.at)).toEqual([afterStart(0), afterStart(3 * HOUR)]);
  });

  it("declined: the admins hear of it, and a new round opens only for a new mistyped request", async () => {
    const { fakes, decide, newRequest } = mistyped(2, "rejected");
    run = await inWindow(fakes);
    decide();
    await run.wake();
    expect(run.callsOf("notifyAdmins").map((c) => [c.input.event, c.input.details])).toEqual([
      ["merges.rejected", { round: 1 }],
    ]);
    await run.host.advanceTo(afterStart(24 * HOUR));
    // Each monitor pass plans again (the next round's number), but nothing new means no task.
    expect(run.callsOf("planMerges").map((c) => c.input.round)).toEqual([1, 2, 2]);
    expect(opened(run)).toEqual(["peigMerges-1"]);
    newRequest();
    await run.host.advanceTo(afterStart(36 * HOUR));
    expect(opened(run)).toEqual(["peigMerges-1", "peigMerges-2"]);
    expect(run.callsOf("performMerges")).toEqual([]);
  });

  it("is never asked in operator mode", async () => {
    run = await inWindow(mistyped(2).fakes, "operator");
    await run.host.advanceTo(afterStart(24 * HOUR));
    expect(run.callsOf("planMerges")).toEqual([]);
    expect(opened(run)).toEqual([]);
  });
});
