/**
 * Instances started before the activities read these facts from the store still call them with the old
 * input fields: the activities keep working (and the store, not the input, decides where it has the fact).
 */
import { sendReminders } from "../../activities/onboarding";
import { verifyChecklist } from "../../activities/closing";
import { updateRuntime } from "../../shared/migrationRecord";
import { DAY, startScenario, type Scenario } from "./harness";

let s: Scenario;
afterEach(() => s.stop());

const phase2Evidence = async (id: string, input: object) =>
  (await verifyChecklist({ migrationId: id, ...input }, s.stack.services)).checklist.find(
    (i) => i.id === "phase2Completed",
  )!.evidence[0];

describe("activities called with an earlier instance's input", () => {
  it("verifyChecklist takes how Phase 2 ended from the store, and from the old phase2 field only where the store has none", async () => {
    s = await startScenario({ tenant: { users: 10, missRate: 0, mismatchRate: 0 } });
    const id = await s.start();
    await s.runUntil(async () => (await s.phase(id)) === "approval", 20 * DAY);
    // Nobody missed the window: Phase 2 ended as not needed, and the move to verification recorded it.
    expect((await s.stack.store.getMigration(id))!.runtime.phase2).toEqual({ created: 0, failed: 0, skipped: true });
    const ran = { phase2: { created: 0, failed: 0, skipped: false } };
    expect(await phase2Evidence(id, ran)).toBe("nobody missed the onboarding window: Phase 2 not needed");

    // An instance that finished Phase 2 before the outcome was recorded: the old input field counts.
    await updateRuntime(s.stack.services, id, (rt) => void delete rt.phase2);
    expect(await phase2Evidence(id, ran)).toBe(
      "Phase 2 (0 users without a Peig account listed for Phase 2): Phase 2 created 0 Peig accounts; 0 failed; 0 of the listed users onboarded since",
    );
    expect(await phase2Evidence(id, {})).toBe("nobody missed the onboarding window: Phase 2 not needed");
  });

  it("sendReminders derives the reminder's key from its label and deadline, whatever key it is passed", async () => {
    s = await startScenario({ tenant: { users: 10, missRate: 1, mismatchRate: 0 } });
    const id = await s.start();
    await s.runUntil(async () => (await s.phase(id)) === "onboarding");
    const deadline = (await s.stack.store.getMigration(id))!.deadline;
    await sendReminders(
      { migrationId: id, label: "P2D", deadline, key: "stale" } as Parameters<typeof sendReminders>[0],
      s.stack.services,
    );
    const mailed = (await s.stack.store.getUsers(id)).filter((u) => u.lastMail?.startsWith("reminder:"));
    expect(mailed.length).toBeGreaterThan(0);
    expect(new Set(mailed.map((u) => u.lastMail))).toEqual(new Set([`reminder:P2D@${deadline}`]));
  });
});
