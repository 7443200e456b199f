import { describeDuration, DurationError, parseIsoDuration } from "../../shared/domain/duration";

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
