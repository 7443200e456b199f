/**
 * Dates for people: in the migration's time zone (an IANA name such as "Europe/Prague"), spelled so nobody
 * misreads 03/04, and independent of the server's locale and zone. All zone arithmetic is Intl's (ICU's tz
 * database); JSON keeps ISO 8601 UTC.
 */

export const DEFAULT_TIME_ZONE = "UTC";

/** Whether Intl knows the zone: constructing a DateTimeFormat with an unknown one throws RangeError (ECMA-402 §11.1.2). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: name });
    return true;
  } catch (error) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The en-GB formatter of one shape ("human", "day") in one zone, made once (constructing one is costly). */
function formatterFor(shape: keyof typeof SHAPES, timeZone: string): Intl.DateTimeFormat {
  const key = `${shape} ${timeZone}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-GB", { timeZone, ...SHAPES[shape] });
    formatters.set(key, formatter);
  }
  return formatter;
}

const SHAPES = {
  human: {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  },
  day: { weekday: "short", day: "numeric", month: "short" },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

/** The formatted parts by type ("weekday", "day", …). */
const partsOf = (shape: keyof typeof SHAPES, date: Date, timeZone: string): Record<string, string> =>
  Object.fromEntries(
    formatterFor(shape, timeZone)
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );

/** "Tue 15 Dec 2026, 18:00 CET" (en-GB's parts, joined in a fixed order so an ICU update cannot reshuffle them). */
export function formatHuman(date: Date, timeZone: string = DEFAULT_TIME_ZONE): string {
  const parts = partsOf("human", date, timeZone);
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
}

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

/**
 * "in 3 days", "2 hours ago", "now": one unit, rounded as people say it (6 days 23 hours ahead is "in 7 days", 23
 * hours 33 minutes "tomorrow"), so the text stays short.
 */
export function formatRelative(date: Date, now: Date): string {
  const diff = date.getTime() - now.getTime();
  for (const [unit, ms] of UNITS) {
    // A unit is used from just under one of it (23.5 hours is "in 1 day"), and its count rounded.
    if (Math.abs(diff) >= ms - ms / 48) return relative.format(Math.round(diff / ms), unit);
  }
  return "now";
}

/** "Mon 8 Mar": a day in the zone, for lists of dates close together ("reminders on Mon 8 Mar, Fri 12 Mar"). */
export function formatDay(date: Date, timeZone: string = DEFAULT_TIME_ZONE): string {
  const parts = partsOf("day", date, timeZone);
  return `${parts.weekday} ${parts.day} ${parts.month}`;
}

/** "Tue 15 Dec 2026, 18:00 CET (in 3 days)": what pages show. */
export function formatHumanWithRelative(date: Date, now: Date, timeZone: string = DEFAULT_TIME_ZONE): string {
  return `${formatHuman(date, timeZone)} (${formatRelative(date, now)})`;
}
