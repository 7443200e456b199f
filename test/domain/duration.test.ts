import {
  describeDuration,
  describeIsoDuration,
  describeRoughly,
  DurationError,
  parseHumanDuration,
  parseIsoDuration,
  toIsoDuration,
} from "../../shared/domain/duration";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe("parseIsoDuration", () => {
  it.each([
    ["P7D", 7 * DAY],
    ["PT4H", 4 * HOUR],
    ["PT30M", 30 * MINUTE],
    ["PT90S", 90_000],
    ["PT1.5S", 1_500],
    ["P1W", 7 * DAY],
    ["P1DT12H", 36 * HOUR],
    ["P2DT3H4M5S", 2 * DAY + 3 * HOUR + 4 * MINUTE + 5_000],
    ["pt4h", 4 * HOUR],
    ["PT0S", 0],
  ])("reads %s as its exact length", (text, ms) => {
    expect(parseIsoDuration(text)).toBe(ms);
  });

  it("reads M after T as minutes, not months", () => {
    expect(parseIsoDuration("PT1M")).toBe(MINUTE);
  });

  it.each(["P1M", "P1Y", "P1Y2D", "P2MT4H"])("refuses the calendar unit in %s because its length varies", (text) => {
    expect(() => parseIsoDuration(text)).toThrow(DurationError);
    expect(() => parseIsoDuration(text)).toThrow(/length varies/);
  });

  it.each(["", "P", "PT", "P1DT", "7D", "-P1D", "P1.5D", "P1H", "one day", "PT4H30"])(
    "refuses %j as not a duration",
    (text) => {
      expect(() => parseIsoDuration(text)).toThrow(/not an ISO 8601 duration/);
    },
  );
});

describe("describeDuration", () => {
  it.each([
    [3 * DAY + 4 * HOUR + 5 * MINUTE, "3 days 4 hours"],
    [DAY, "1 day"],
    [DAY + 30 * MINUTE, "1 day"],
    [4 * HOUR, "4 hours"],
    [HOUR + MINUTE, "1 hour 1 minute"],
    [45 * MINUTE, "45 minutes"],
    [30_000, "less than a minute"],
    [-5 * MINUTE, "less than a minute"],
  ])("describes %d ms as %s", (ms, words) => {
    expect(describeDuration(ms)).toBe(words);
  });
});

describe("durations as people write and say them", () => {
  it.each([
    ["7 days", 7 * DAY],
    ["1 day", DAY],
    ["4 hours", 4 * HOUR],
    ["1 day 12 hours", DAY + 12 * HOUR],
    ["1 day and 12 hours", DAY + 12 * HOUR],
    ["4h", 4 * HOUR],
    ["30 min", 30 * MINUTE],
    ["2 weeks", 14 * DAY],
    [" 12 Hours ", 12 * HOUR],
    ["P7D", 7 * DAY],
    ["pt4h", 4 * HOUR],
  ])("reads %s", (text, ms) => {
    expect(parseHumanDuration(text)).toBe(ms);
  });

  it.each([["7 dais"], ["seven days"], ["7"], [""], ["1 month"], ["7 days!"]])(
    "refuses %s, saying what it takes",
    (text) => {
      expect(() => parseHumanDuration(text)).toThrow(DurationError);
      expect(() => parseHumanDuration(text)).toThrow(/days|hours|months/);
    },
  );

  it("stores what it read as ISO 8601", () => {
    expect([7 * DAY, 4 * HOUR, DAY + 12 * HOUR, 30 * MINUTE].map(toIsoDuration)).toEqual([
      "P7D",
      "PT4H",
      "P1DT12H",
      "PT30M",
    ]);
    expect(describeIsoDuration("P7D")).toBe("7 days");
    expect(describeIsoDuration("PT12H")).toBe("12 hours");
  });

  it.each([
    [6 * DAY + 23 * HOUR, "7 days"],
    [23 * HOUR + 33 * MINUTE, "1 day"],
    [3 * HOUR + 49 * MINUTE, "4 hours"],
    [7 * DAY, "7 days"],
    [DAY + 12 * HOUR, "1 day 12 hours"],
    [2 * HOUR + 30 * MINUTE, "2 hours 30 minutes"],
    [HOUR, "1 hour"],
    [45 * MINUTE, "45 minutes"],
    [10_000, "less than a minute"],
  ])("says %d ms as %s", (ms, words) => {
    expect(describeRoughly(ms)).toBe(words);
  });
});
