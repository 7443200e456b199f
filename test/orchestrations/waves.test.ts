/**
 * Waves in the onboarding window, fast (scripted activities, fakeActivities.ts): each wave invited once, in turn, at
 * its own time; a "Hold" keeps the next wave waiting until an admin asks for the review again, and that request,
 * once acted on, does not reopen a later wave's hold by itself.
 */
import { DAY } from "../../shared/domain/duration";
import type { HumanTaskTally } from "../../shared/workflow";
import { afterStart, runWithFakes, type FakeRun } from "./fakeActivities";

const SECOND = "8f3a2c1e-0b4d-4e5f-9a6b-000000000002";
const PILOT = "8f3a2c1e-0b4d-4e5f-9a6b-000000000001";

describe("waves in the onboarding window (scripted activities)", () => {
  let run: FakeRun;
  afterEach(() => run.stop());

  it("holds each reviewed wave until its own review goes on; an old request for a review never reopens a later hold", async () => {
    let askedAt: string | undefined = undefined;
    const decided: Record<string, Partial<HumanTaskTally>> = {
      "pilotReview-1": { rejections: [{ by: "it@contoso.com" }], open: 0 },
      "pilotReview-2": { approvals: ["it@contoso.com"], open: 0 },
      "pilotReview-3": { rejections: [{ by: "it@contoso.com" }], open: 0 },
    };
    run = await runWithFakes({
      state: { phase: "onboarding" },
      request: {
        waves: [
          { name: "Pilot", group: PILOT, deadline: "2026-12-03T09:00:00Z", reminders: [] },
          { name: "Second", group: SECOND, deadline: "2026-12-06T09:00:00Z", reminders: [], review: true },
          { name: "Rest", deadline: "2026-12-15T09:00:00Z", reminders: [], review: true },
        ],
      },
      fakes: {
        tallyHumanTasks: (i) => ({
          gate: i.gate,
          approvals: [],
          rejections: [],
          done: [],
          open: 1,
          ...decided[i.gate],
        }),
        readAdminCommands: () => ({
          deadline: "2026-12-15T09:00:00Z",
          ...(askedAt ? { pilotReviewRequested: { by: "it@contoso.com", at: askedAt } } : {}),
        }),
      },
    });
    const invitations = () => run.callsOf("sendInvitations").map((c) => [c.at, c.input.wave, c.input.deadline]);
    const held = () => run.callsOf("notifyAdmins").filter((c) => c.input.event === "pilotReview.held");

    // The second wave's review opens at the pilot's deadline; "Hold": nothing goes to it, the admins are told once.
    await run.host.advanceTo(afterStart(4 * DAY));
    expect(invitations()).toEqual([[afterStart(0), 0, "2026-12-03T09:00:00Z"]]);
    expect(held()).toHaveLength(1);
    expect(run.phases()).toEqual([]);

    // Asked again: a second round, approved; the second wave goes at once.
    askedAt = afterStart(4 * DAY);
    await run.wake();
    await run.host.advanceTo(afterStart(5 * DAY));
    expect(invitations().map(([, wave]) => wave)).toEqual([0, 1]);

    // At its deadline the last wave's review (round 3) is held too, and the old request does not reopen it.
    await run.host.advanceTo(afterStart(12 * DAY));
    expect(run.callsOf("openHumanTasks").map((c) => [c.input.purpose, c.input.round])).toEqual([
      ["pilotReview", 1],
      ["pilotReview", 2],
      ["pilotReview", 3],
    ]);
    expect(held()).toHaveLength(2);
    expect(invitations().map(([, wave]) => wave)).toEqual([0, 1]);
    expect(run.phases()).toEqual([]);
    expect(run.callsOf("recordWave").map((c) => [c.input.wave, c.input.started ?? c.input.review])).toEqual([
      [0, true],
      [1, { round: 1, outcome: "open" }],
      [1, { round: 1, outcome: "held" }],
      [1, { round: 2, outcome: "open" }],
      [1, { round: 2, outcome: "approved" }],
      [1, true],
      [2, { round: 3, outcome: "open" }],
      [2, { round: 3, outcome: "held" }],
    ]);
  });
});
