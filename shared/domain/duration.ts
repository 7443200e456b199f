/**
 * Durations as the start request takes them: ISO 8601 ("P7D", "PT4H", "P1W", what the JSON API has always taken) or
 * as people write them ("7 days", "1 day 12 hours", "4h", "30 min"), converted to exact milliseconds; and durations
 * in words for pages and e-mails. Months and years are refused because their length varies (28–31 days, 365–366
 * days), so "1 month before the deadline" would not be one well-defined instant. The time units (in milliseconds)
 * are defined here, once.
 */
import { plural } from "./plural";

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

const WORD_UNITS: [RegExp, number][] = [
  [/^(?:w|wk|wks|weeks?)$/, WEEK],
  [/^(?:d|days?)$/, DAY],
  [/^(?:h|hrs?|hours?)$/, HOUR],
  [/^(?:m|mins?|minutes?)$/, MINUTE],
];
const CALENDAR_WORDS = /^(?:mo|mos|months?|y|yrs?|years?)$/;

/**
 * Milliseconds in a duration as people write it ("7 days", "1 day 12 hours", "4h", "1 week, 2 days" is two), or in
 * ISO 8601; throws DurationError saying what it understands.
 */
export function parseHumanDuration(text: string): number {
  const trimmed = text.trim();
  if (/^p/i.test(trimmed)) return parseIsoDuration(trimmed);
  const words = trimmed.toLowerCase().replace(/\band\b/g, " ");
  const parts = [...words.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)/g)];
  const leftover = words.replace(/(\d+(?:\.\d+)?)\s*([a-z]+)/g, "").trim();
  if (parts.length === 0 || leftover !== "")
    throw new DurationError(`"${text}" is not a duration such as "7 days", "4 hours" or "1 day 12 hours"`);
  let ms = 0;
  for (const [, amount, unit] of parts) {
    if (CALENDAR_WORDS.test(unit))
      throw new DurationError(`"${text}" uses months or years, whose length varies; use weeks, days or hours`);
    const size = WORD_UNITS.find(([pattern]) => pattern.test(unit))?.[1];
    if (size === undefined)
      throw new DurationError(`"${text}": "${unit}" is not a unit; use weeks, days, hours or minutes`);
    ms += Math.round(Number(amount) * size);
  }
  return ms;
}

/** The ISO 8601 duration of `ms` in days, hours, minutes and seconds ("P7D", "PT4H", "P1DT12H"): what the request stores. */
export function toIsoDuration(ms: number): string {
  let rest = Math.max(0, Math.round(ms));
  const take = (size: number) => {
    const count = Math.floor(rest / size);
    rest -= count * size;
    return count;
  };
  const [d, h, m] = [take(DAY), take(HOUR), take(MINUTE)];
  const sec = rest / SECOND;
  const time = `${h ? `${h}H` : ""}${m ? `${m}M` : ""}${sec ? `${sec}S` : ""}`;
  const iso = `P${d ? `${d}D` : ""}${time ? `T${time}` : ""}`;
  return iso === "P" ? "PT0S" : iso;
}

/** An ISO 8601 duration in words ("P7D": "7 days", "PT4H": "4 hours"); text that is no such duration as it is. */
export function describeIsoDuration(text: string): string {
  try {
    return describeDuration(parseIsoDuration(text));
  } catch (error) {
    if (error instanceof DurationError) return text;
    throw error;
  }
}

/**
 * A duration as people say it: rounded to the largest unit when that is close ("6 days 23 hours": "7 days",
 * "23 hours 33 minutes": "1 day", "3 hours 49 minutes": "4 hours"), with the next unit only when it matters
 * ("1 day 12 hours"). For "how long is left" in e-mails and on pages.
 */
export function describeRoughly(ms: number): string {
  const rounded = (size: number, tolerance: number) => {
    const whole = Math.round(ms / size);
    return Math.abs(ms - whole * size) <= tolerance ? whole : undefined;
  };
  if (ms < 30 * SECOND) return "less than a minute";
  if (ms < 55 * MINUTE) return plural(Math.max(1, Math.round(ms / MINUTE)), "minute");
  const days = ms >= 22 * HOUR ? rounded(DAY, 90 * MINUTE) : undefined;
  if (days) return plural(days, "day");
  if (ms >= DAY) return `${plural(Math.floor(ms / DAY), "day")} ${plural(Math.round((ms % DAY) / HOUR), "hour")}`;
  const hours = rounded(HOUR, 15 * MINUTE);
  if (hours) return plural(hours, "hour");
  return `${plural(Math.floor(ms / HOUR), "hour")} ${plural(Math.round((ms % HOUR) / MINUTE), "minute")}`;
}
