/**
 * Wall-clock times in a zone, as an HTML `datetime-local` input gives and shows them ("2026-12-18T17:00"), to and from
 * instants. The zone's offset comes from Intl (ICU's tz database), so daylight saving is the zone's own.
 */
import { findIana } from "windows-iana";

const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's wall clock at `ms`, read back as if it were UTC (the difference is the zone's offset then). */
function wallClockAsUtc(ms: number, timeZone: string): number {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, format);
  }
  const p = Object.fromEntries(format.formatToParts(ms).map((part) => [part.type, Number(part.value)]));
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}

/**
 * The instant a `datetime-local` value means in `timeZone`, or undefined when `text` is no such value. A time
 * skipped by a daylight-saving change is taken one offset later, as clocks read it after the change.
 */
export function instantOfWallClock(text: string, timeZone: string): Date | undefined {
  const m = WALL_CLOCK.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = m.slice(1).map(Number);
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  if (new Date(asUtc).getUTCMonth() !== month - 1 || hour > 23 || minute > 59) return undefined;
  const first = asUtc - (wallClockAsUtc(asUtc, timeZone) - asUtc);
  // Once more at the instant found: the offset there is the one that applies (across a DST change it differs).
  return new Date(asUtc - (wallClockAsUtc(first, timeZone) - first));
}

/** The `datetime-local` value showing `date` in `timeZone` ("2026-12-18T17:00"). */
export function wallClockOf(date: Date, timeZone: string): string {
  return new Date(wallClockAsUtc(date.getTime(), timeZone)).toISOString().slice(0, 16);
}

const knownToIntl = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/**
 * The IANA zone a time zone name means: an IANA name as it is, a Windows one ("Pacific Standard Time", as Exchange
 * mailboxes often name theirs) as CLDR's windowsZones maps it for the world (windows-iana); undefined otherwise.
 */
export function ianaZoneOf(name: string): string | undefined {
  if (name && knownToIntl(name)) return name;
  return findIana(name).find(knownToIntl);
}
