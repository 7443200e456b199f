/**
 * ISO 8601 durations as the start request uses them ("P7D", "PT4H", "P1W"), converted to exact milliseconds.
 * Months and years are refused because their length varies (28–31 days, 365–366 days), so "P1M before the
 * deadline" would not be one well-defined instant. The time units (in milliseconds) are defined here, once.
 */

export class DurationError extends Error {
  override readonly name = "DurationError";
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,3})?)S)?)?$/;
/** Y anywhere, or M before the T, is a calendar unit. */
const CALENDAR_UNIT = /^P(?:[^T]*[YM])/;

/** Milliseconds in an ISO 8601 duration (weeks, days, hours, minutes, seconds); throws DurationError with the reason. */
export function parseIsoDuration(text: string): number {
  const upper = text.trim().toUpperCase();
  if (CALENDAR_UNIT.test(upper)) {
    throw new DurationError(
      `"${text}" uses months or years, whose length varies; use weeks, days, hours or minutes (e.g. P30D)`,
    );
  }
  const match = DURATION.exec(upper);
  if (!match || upper === "P" || upper.endsWith("T")) {
    throw new DurationError(`"${text}" is not an ISO 8601 duration such as P7D, PT4H, P1DT12H or PT30M`);
  }
  const [, weeks, days, hours, minutes, seconds] = match;
  const amount = (value: string | undefined) => (value === undefined ? 0 : Number(value));
  return (
    amount(weeks) * WEEK +
    amount(days) * DAY +
    amount(hours) * HOUR +
    amount(minutes) * MINUTE +
    Math.round(amount(seconds) * 1000)
  );
}

/** "3 days 4 hours", "45 minutes", "less than a minute": for e-mails and warnings. Largest two units only. */
export function describeDuration(ms: number): string {
  const units: [number, string][] = [
    [DAY, "day"],
    [HOUR, "hour"],
    [MINUTE, "minute"],
  ];
  const parts: string[] = [];
  let rest = Math.max(0, ms);
  for (const [size, name] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count} ${name}${count === 1 ? "" : "s"}`);
    if (parts.length === 2) break;
    if (parts.length === 1 && count === 0) break; // "2 days" rather than "2 days 0 hours 5 minutes"
  }
  return parts.length === 0 ? "less than a minute" : parts.join(" ");
}
