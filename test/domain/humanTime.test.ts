import {
  formatDay,
  formatHuman,
  formatHumanWithRelative,
  formatRelative,
  instantFromWallClock,
  isTimeZone,
  wallClockIn,
} from "../../shared/domain/humanTime";

describe("human time", () => {
  it("shows an instant in the migration's zone, with weekday, short month, 24-hour clock and the zone's abbreviation", () => {
    expect(formatHuman(new Date("2026-12-15T17:00:00Z"), "Europe/Prague")).toBe("Tue 15 Dec 2026, 18:00 CET");
    expect(formatHuman(new Date("2026-07-15T17:00:00Z"), "Europe/Prague")).toBe("Wed 15 Jul 2026, 19:00 CEST");
  });

  it("shows UTC when no zone is given, whatever the server's zone", () => {
    expect(formatHuman(new Date("2026-03-04T05:06:00+02:00"))).toBe("Wed 4 Mar 2026, 03:06 UTC");
  });

  it("writes midnight as 00, not 24", () => {
    expect(formatHuman(new Date("2026-12-15T23:00:00Z"), "Europe/Prague")).toBe("Wed 16 Dec 2026, 00:00 CET");
  });

  it("says how far away an instant is in the largest whole unit", () => {
    const now = new Date("2026-12-12T17:00:00Z");
    expect(formatRelative(new Date("2026-12-15T17:00:00Z"), now)).toBe("in 3 days");
    expect(formatRelative(new Date("2026-12-12T15:00:00Z"), now)).toBe("2 hours ago");
    expect(formatRelative(new Date("2026-12-13T17:00:00Z"), now)).toBe("tomorrow");
    expect(formatRelative(new Date("2026-12-12T17:00:20Z"), now)).toBe("now");
    expect(formatHumanWithRelative(new Date("2026-12-15T17:00:00Z"), now, "Europe/Prague")).toBe(
      "Tue 15 Dec 2026, 18:00 CET (in 3 days)",
    );
  });

  it("knows IANA zones and UTC, and refuses made-up ones", () => {
    expect(isTimeZone("Europe/Prague")).toBe(true);
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("Europe/Atlantis")).toBe(false);
    expect(isTimeZone("")).toBe(false);
  });
});

describe("wall-clock times in a zone", () => {
  it("reads a date and a time as the instant they stand for in the zone, across summer time", () => {
    expect(instantFromWallClock("2027-03-15", "17:00", "Europe/Prague")?.toISOString()).toBe(
      "2027-03-15T16:00:00.000Z",
    );
    expect(instantFromWallClock("2027-07-15", "17:00", "Europe/Prague")?.toISOString()).toBe(
      "2027-07-15T15:00:00.000Z",
    );
    expect(instantFromWallClock("2027-03-15", "17:00", "UTC")?.toISOString()).toBe("2027-03-15T17:00:00.000Z");
    expect(instantFromWallClock("2027-03-15", "09:30", "America/New_York")?.toISOString()).toBe(
      "2027-03-15T13:30:00.000Z",
    );
  });

  it("takes the first of a time that happens twice, and a skipped time just after the change", () => {
    // Europe/Prague: 31 Oct 2027 03:00 CEST goes back to 02:00 CET; 28 Mar 2027 02:00 CET jumps to 03:00 CEST.
    expect(instantFromWallClock("2027-10-31", "02:30", "Europe/Prague")?.toISOString()).toBe(
      "2027-10-31T00:30:00.000Z",
    );
    expect(instantFromWallClock("2027-03-28", "02:30", "Europe/Prague")?.toISOString()).toBe(
      "2027-03-28T01:30:00.000Z",
    );
  });

  it("refuses text that is no date or time", () => {
    expect(instantFromWallClock("2027-02-30", "17:00", "UTC")).toBeUndefined();
    expect(instantFromWallClock("15/03/2027", "17:00", "UTC")).toBeUndefined();
    expect(instantFromWallClock("2027-03-15", "5pm", "UTC")).toBeUndefined();
  });

  it("gives the wall clock of an instant, and its day in short", () => {
    expect(wallClockIn(new Date("2027-03-15T16:00:00Z"), "Europe/Prague")).toEqual({
      date: "2027-03-15",
      time: "17:00",
    });
    expect(formatDay(new Date("2027-03-08T16:00:00Z"), "Europe/Prague")).toBe("Mon 8 Mar");
  });

  it("rounds how far away an instant is as people say it", () => {
    const now = new Date("2027-03-01T00:00:00Z");
    expect(formatRelative(new Date(now.getTime() + (6 * 24 + 23) * 3_600_000), now)).toBe("in 7 days");
    expect(formatRelative(new Date(now.getTime() + (3 * 60 + 49) * 60_000), now)).toBe("in 4 hours");
  });
});
