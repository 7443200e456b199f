import { monitorTimes, nextMonitorAt, nextReminder, reminderTimes } from "../../shared/domain/schedule";
import { HOUR, DAY } from "../../shared/domain/duration";

const deadline = new Date("2026-06-15T17:00:00Z");
const before = (ms: number) => new Date(deadline.getTime() - ms);
const iso = (reminders: { at: Date; label: string }[]) => reminders.map((r) => [r.at.toISOString(), r.label]);

describe("reminderTimes", () => {
  it("lists reminders earliest first, whatever order they were configured in", () => {
    expect(iso(reminderTimes(deadline, ["PT4H", "P7D", "P1D"], before(30 * DAY)))).toEqual([
      ["2026-06-08T17:00:00.000Z", "P7D"],
      ["2026-06-14T17:00:00.000Z", "P1D"],
      ["2026-06-15T13:00:00.000Z", "PT4H"],
    ]);
  });

  it("drops reminders whose time has passed, including one due exactly now", () => {
    expect(reminderTimes(deadline, ["P7D", "P1D", "PT4H"], before(2 * DAY)).map((r) => r.label)).toEqual([
      "P1D",
      "PT4H",
    ]);
    expect(reminderTimes(deadline, ["P1D", "PT4H"], before(DAY)).map((r) => r.label)).toEqual(["PT4H"]);
  });

  it("sends one reminder when two durations land on the same instant, labelled by the first listed", () => {
    expect(iso(reminderTimes(deadline, ["PT24H", "P1D"], before(30 * DAY)))).toEqual([
      ["2026-06-14T17:00:00.000Z", "PT24H"],
    ]);
  });

  it("moves every later reminder when the deadline is extended", () => {
    const reminders = ["P7D", "P3D", "P1D", "PT4H"];
    const now = before(5 * DAY); // the P7D reminder has gone out
    expect(reminderTimes(deadline, reminders, now).map((r) => r.label)).toEqual(["P3D", "P1D", "PT4H"]);

    const extended = new Date(deadline.getTime() + 7 * DAY);
    const moved = reminderTimes(extended, reminders, now);
    expect(iso(moved)).toEqual([
      ["2026-06-15T17:00:00.000Z", "P7D"],
      ["2026-06-19T17:00:00.000Z", "P3D"],
      ["2026-06-21T17:00:00.000Z", "P1D"],
      ["2026-06-22T13:00:00.000Z", "PT4H"],
    ]);
  });

  it("returns nothing once the deadline has passed", () => {
    expect(reminderTimes(deadline, ["P1D"], new Date(deadline.getTime() + HOUR))).toEqual([]);
  });
});

describe("nextReminder", () => {
  it("returns the first reminder after the given time", () => {
    expect(nextReminder(deadline, ["P1D", "PT4H"], before(2 * DAY))).toEqual({ at: before(DAY), label: "P1D" });
  });

  it("returns the following one when asked at the instant a reminder fired", () => {
    expect(nextReminder(deadline, ["P1D", "PT4H"], before(DAY))?.label).toBe("PT4H");
  });

  it("returns null after the last reminder", () => {
    expect(nextReminder(deadline, ["P1D", "PT4H"], before(HOUR))).toBeNull();
  });
});

describe("nextMonitorAt and monitorTimes", () => {
  it("schedules the next check one interval later", () => {
    expect(nextMonitorAt(before(10 * HOUR), "PT1H", deadline)).toEqual(before(9 * HOUR));
  });

  it("never schedules past the deadline, which gets a final check", () => {
    expect(nextMonitorAt(before(30 * 60_000), "PT1H", deadline)).toEqual(deadline);
  });

  it("stops at the deadline", () => {
    expect(nextMonitorAt(deadline, "PT1H", deadline)).toBeNull();
    expect(nextMonitorAt(new Date(deadline.getTime() + HOUR), "PT1H", deadline)).toBeNull();
  });

  it("lists every check up to and including the deadline", () => {
    expect(monitorTimes(before(3 * HOUR), "PT1H", deadline)).toEqual([before(2 * HOUR), before(HOUR), deadline]);
    expect(monitorTimes(before(3 * HOUR), "PT2H", deadline)).toEqual([before(HOUR), deadline]);
  });

  it("counts hourly checks over a 14-day window", () => {
    expect(monitorTimes(before(14 * DAY), "PT1H", deadline)).toHaveLength(14 * 24);
  });

  it("refuses a zero interval instead of looping forever", () => {
    expect(() => monitorTimes(before(HOUR), "PT0S", deadline)).toThrow(/longer than zero/);
  });
});
