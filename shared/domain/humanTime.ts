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

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      weekday: "short",
      day: "numeric",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** "Tue 15 Dec 2026, 18:00 CET" (en-GB's parts, joined in a fixed order so an ICU update cannot reshuffle them). */
export function formatHuman(date: Date, timeZone: string = DEFAULT_TIME_ZONE): string {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
}

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

/** "in 3 days", "2 hours ago", "now": the largest whole unit, so the text stays short. */
export function formatRelative(date: Date, now: Date): string {
  const diff = date.getTime() - now.getTime();
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms) return relative.format(Math.trunc(diff / ms), unit);
  }
  return "now";
}

/** "Tue 15 Dec 2026, 18:00 CET (in 3 days)": what pages show. */
export function formatHumanWithRelative(date: Date, now: Date, timeZone: string = DEFAULT_TIME_ZONE): string {
  return `${formatHuman(date, timeZone)} (${formatRelative(date, now)})`;
}
