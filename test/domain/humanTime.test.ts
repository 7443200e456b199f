import {
  formatDay,
  formatHuman,
  formatHumanWithRelative,
  formatRelative,
  isTimeZone,
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

describe("days and relative times", () => {
  it("gives an instant's day in short", () => {
    expect(formatDay(new Date("2027-03-08T16:00:00Z"), "Europe/Prague")).toBe("Mon 8 Mar");
  });

  it("rounds how far away an instant is as people say it", () => {
    const now = new Date("2027-03-01T00:00:00Z");
    expect(formatRelative(new Date(now.getTime() + (6 * 24 + 23) * 3_600_000), now)).toBe("in 7 days");
    expect(formatRelative(new Date(now.getTime() + (3 * 60 + 49) * 60_000), now)).toBe("in 4 hours");
  });
});
