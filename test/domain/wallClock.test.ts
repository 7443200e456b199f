import { ianaZoneOf, instantOfWallClock, wallClockOf } from "../../shared/domain/wallClock";

describe("wall-clock times of a date-and-time input, in the migration's zone", () => {
  it("reads the wall clock in the zone, daylight saving included", () => {
    expect(instantOfWallClock("2026-12-18T17:00", "UTC")?.toISOString()).toBe("2026-12-18T17:00:00.000Z");
    expect(instantOfWallClock("2026-12-18T17:00", "Europe/Prague")?.toISOString()).toBe("2026-12-18T16:00:00.000Z");
    expect(instantOfWallClock("2026-07-01T09:30", "Europe/Prague")?.toISOString()).toBe("2026-07-01T07:30:00.000Z");
    expect(instantOfWallClock("2026-12-18T09:00", "America/New_York")?.toISOString()).toBe("2026-12-18T14:00:00.000Z");
  });

  it("takes a time a spring-forward skipped as the clocks read it after the change", () => {
    // Europe/Prague skips 02:00–03:00 on 29 March 2026: 02:30 does not exist; 03:30 CEST is 01:30 UTC.
    expect(instantOfWallClock("2026-03-29T02:30", "Europe/Prague")?.toISOString()).toBe("2026-03-29T01:30:00.000Z");
  });

  it("is no wall-clock value when it is not one (ISO with an offset, a day that does not exist, words)", () => {
    for (const text of ["2026-12-18T17:00:00Z", "2026-02-30T10:00", "2026-12-18T24:00", "next week", ""])
      expect(instantOfWallClock(text, "UTC")).toBeUndefined();
  });

  it("shows an instant as the input's value in the zone, and reads back the same instant", () => {
    const deadline = new Date("2026-12-15T09:00:00Z");
    expect(wallClockOf(deadline, "Europe/Prague")).toBe("2026-12-15T10:00");
    expect(instantOfWallClock(wallClockOf(deadline, "Asia/Kolkata"), "Asia/Kolkata")).toEqual(deadline);
  });
});

describe("the IANA zone a mailbox's time zone name means", () => {
  it("keeps an IANA name, maps a Windows one as CLDR does, and knows nothing of an unknown one", () => {
    expect(ianaZoneOf("Europe/Amsterdam")).toBe("Europe/Amsterdam");
    expect(ianaZoneOf("UTC")).toBe("UTC");
    expect(ianaZoneOf("Pacific Standard Time")).toBe("America/Los_Angeles");
    expect(ianaZoneOf("W. Europe Standard Time")).toBe("Europe/Berlin");
    expect(ianaZoneOf("Mars Standard Time")).toBeUndefined();
    expect(ianaZoneOf("")).toBeUndefined();
  });
});
