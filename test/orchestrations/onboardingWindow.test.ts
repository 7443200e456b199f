/**
 * The onboarding window's schedule, fast: the orchestration with scripted activities (fakeActivities.ts).
 * The sample request: a 14-day window from START, reminders P7D, P3D, P1D and PT4H before the deadline,
 * the monitor every 12 hours.
 */
import { DAY, HOUR } from "../../shared/domain/duration";
import type { MigrationRequest, MigrationCounts } from "../../shared/workflow";
import { afterStart, runWithFakes, type Fakes, type FakeRun } from "./fakeActivities";

const DEADLINE = 14 * DAY;
const counts = (onboarded: number): MigrationCounts => ({
  inScope: 10,
  onboarded,
  pending: 0,
  mismatched: 0,
  notOnboarded: 10 - onboarded,
  phase2Created: 0,
  phase2Failed: 0,
});

/** A migration whose setup is done: the window opens at START. */
const inWindow = (options: { request?: Partial<MigrationRequest>; fakes?: Fakes } = {}) =>
  runWithFakes({ ...options, state: { phase: "onboarding" } });

describe("the onboarding window (scripted activities)", () => {
  let run: FakeRun;
  afterEach(() => run.stop());

  it("invites once at the start, sends each reminder once at its time, and no key the activity can derive", async () => {
    run = await inWindow({});
    await run.host.advanceTo(afterStart(DEADLINE));
    expect(run.callsOf("sendInvitations").map((c) => [c.at, c.input.deadline])).toEqual([
      [afterStart(0), "2026-12-15T09:00:00Z"],
    ]);
    expect(run.callsOf("sendReminders").map((c) => [c.at, c.input])).toEqual(
      (
        [
          ["P7D", 7 * DAY],
          ["P3D", 11 * DAY],
          ["P1D", 13 * DAY],
          ["PT4H", DEADLINE - 4 * HOUR],
        ] as const
      ).map(([label, at]) => [afterStart(at), { migrationId: run.id, label, deadline: "2026-12-15T09:00:00Z" }]),
    );
  });

  it("monitors at the start, every monitorEvery, and once more at the deadline, then ends the window", async () => {
    run = await inWindow({ request: { monitorEvery: "PT10H" } });
    await run.host.advanceTo(afterStart(DEADLINE));
    const passes = run.callsOf("monitorOnboarding").map((c) => c.at);
    // Every 10 hours from the start: 33 passes fit before the deadline (330 h < 336 h), then the deadline's own.
    expect(passes).toEqual([...Array.from({ length: 34 }, (_, k) => afterStart(k * 10 * HOUR)), afterStart(DEADLINE)]);
    const phase2 = run.callsOf("recordPhase")[0];
    expect([phase2.at, phase2.input.phase, phase2.input.detail]).toEqual([
      afterStart(DEADLINE),
      "phase2",
      "deadline reached",
    ]);
  });

  it("sleeps until the next reminder or monitor pass, whichever comes first, and never longer than a day", async () => {
    run = await inWindow({ request: { monitorEvery: "P2D", reminders: ["P6DT12H", "PT4H"] } });
    await run.host.advanceTo(afterStart(DEADLINE));
    // Each execution begins by reading the admin commands: these are the times the window woke up.
    const wakeUps = [...new Set(run.callsOf("readAdminCommands").map((c) => c.at))];
    // Daily (the longest wait) up to day 7; the reminder at 180 h; the monitor pass due at 192 h (2 days after
    // the one at 168 h), not a day after the reminder; daily again; the reminder at 332 h; the deadline.
    const hours = [0, 24, 48, 72, 96, 120, 144, 168, 180, 192, 216, 240, 264, 288, 312, 332, 336];
    expect(wakeUps).toEqual(hours.map((h) => afterStart(h * HOUR)));
    expect(run.callsOf("monitorOnboarding").map((c) => c.at)).toEqual(
      [0, 48, 96, 144, 192, 240, 288, 336].map((h) => afterStart(h * HOUR)),
    );
  });

  it("with endEarly, ends the window at the first pass that finds everyone onboarded", async () => {
    let pass = 0;
    run = await inWindow({
      request: { endEarly: true },
      fakes: { monitorOnboarding: () => counts(++pass >= 3 ? 10 : 4) },
    });
    await run.host.advanceTo(afterStart(2 * DAY));
    expect(run.callsOf("monitorOnboarding")).toHaveLength(3);
    const phase2 = run.callsOf("recordPhase")[0];
    expect([phase2.at, phase2.input.phase, phase2.input.detail]).toEqual([
      afterStart(24 * HOUR),
      "phase2",
      "everyone onboarded before the deadline",
    ]);
  });

  it("after an extended deadline, reminders count down to the new one and are sent again", async () => {
    const extended = afterStart(DEADLINE + 7 * DAY);
    let deadline = "2026-12-15T09:00:00Z";
    run = await inWindow({ fakes: { readAdminCommands: () => ({ deadline }) } });
    await run.host.advanceTo(afterStart(8 * DAY));
    deadline = extended;
    await run.host.advanceTo(extended);
    expect(run.callsOf("sendReminders").map((c) => [c.at, c.input.label, c.input.deadline])).toEqual([
      [afterStart(7 * DAY), "P7D", "2026-12-15T09:00:00Z"],
      [afterStart(14 * DAY), "P7D", extended],
      [afterStart(18 * DAY), "P3D", extended],
      [afterStart(20 * DAY), "P1D", extended],
      [afterStart(DEADLINE + 7 * DAY - 4 * HOUR), "PT4H", extended],
    ]);
  });

  it("with one person's later deadline, reminds them towards it, keeps monitoring and closes the window only then", async () => {
    const theirs = afterStart(DEADLINE + 7 * DAY);
    const personal: string[] = [];
    run = await inWindow({
      request: { monitorEvery: "P1D" },
      fakes: {
        readAdminCommands: () => ({
          deadline: "2026-12-15T09:00:00Z",
          ...(personal.length > 0 ? { personalDeadlines: [...personal] } : {}),
        }),
      },
    });
    await run.host.advanceTo(afterStart(8 * DAY));
    personal.push(theirs); // an admin gives one person a week more
    await run.host.advanceTo(theirs);
    const migration = "2026-12-15T09:00:00Z";
    expect(run.callsOf("sendReminders").map((c) => [c.at, c.input.label, c.input.deadline])).toEqual([
      [afterStart(7 * DAY), "P7D", migration],
      [afterStart(11 * DAY), "P3D", migration],
      [afterStart(13 * DAY), "P1D", migration],
      [afterStart(DEADLINE - 4 * HOUR), "PT4H", migration],
      [afterStart(14 * DAY), "P7D", theirs],
      [afterStart(18 * DAY), "P3D", theirs],
      [afterStart(20 * DAY), "P1D", theirs],
      [afterStart(DEADLINE + 7 * DAY - 4 * HOUR), "PT4H", theirs],
    ]);
    // The monitor goes on daily past the migration's deadline, with a last pass at theirs.
    const passes = run.callsOf("monitorOnboarding").map((c) => c.at);
    expect(passes.slice(-2)).toEqual([afterStart(20 * DAY), theirs]);
    const phase2 = run.callsOf("recordPhase")[0];
    expect([phase2.at, phase2.input.phase, phase2.input.detail]).toEqual([
      theirs,
      "phase2",
      "the last personal deadline reached",
    ]);
  });
});
