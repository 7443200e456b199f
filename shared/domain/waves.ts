/**
 * Waves: a migration may invite its people in ordered waves (a pilot group, then everyone else), each with its own
 * invitation date, deadline and reminders, inside one migration, one Entra app and one Peig configuration. A person
 * is in the first wave whose Entra group holds them (transitively); the last wave may name no group: everyone else
 * in scope. A wave starts at its invitation date (a later wave: at the earlier wave's deadline when it gives none),
 * or, when it asks for a pilot review, once the admins said "Go on" after seeing the earlier waves' results. Phase 2
 * and the deletion gate come after the last wave, whose deadline is the migration's (an extension moves it).
 * A migration without waves is one implicit wave: everything here then answers as before waves existed. Pure.
 */
import { parseIsoDuration } from "./duration";
import { formatHuman } from "./humanTime";

/** One wave as the start request stores it (validated: deadlines increasing, the last one the migration's). */
export interface Wave {
  name: string;
  /** The Entra group whose members are in this wave; absent (the last wave only): everyone else in scope. */
  group?: string;
  /** The group's display name, as Entra gave it at the start (set by the app, not the request). */
  groupName?: string;
  /** ISO 8601: when its invitation goes; absent: at once (the first wave) or at the earlier wave's deadline. */
  invitationDate?: string;
  /** ISO 8601: the wave's deadline; the last wave's is the migration's deadline (an extension moves that one). */
  deadline: string;
  /** Durations before the wave's deadline (ISO 8601), as the migration's own reminders. */
  reminders: string[];
  /** Start only after the admins approved a pilot review of the earlier waves' results (never the first wave). */
  review?: boolean;
}

/** The request fields waves are read from. */
export interface WaveFields {
  waves?: Wave[];
  deadline: string;
  reminders: string[];
}

/** The waves of a request, each with the deadline in force (the last one's is `currentDeadline`, which an admin may extend). */
export function wavesOf(request: WaveFields, currentDeadline: string = request.deadline): Wave[] {
  const waves = request.waves;
  if (!waves || waves.length === 0)
    return [{ name: "everyone", deadline: currentDeadline, reminders: request.reminders }];
  return waves.map((wave, i) => (i === waves.length - 1 ? { ...wave, deadline: currentDeadline } : wave));
}

/** Whether the request defines waves of its own (the implicit single wave is not one). */
export const hasWaves = (request: { waves?: Wave[] }): boolean => (request.waves?.length ?? 0) > 0;

/**
 * When wave `index` may start: its invitation date, else the earlier wave's deadline; null for a first wave with
 * no date (at once).
 */
export function waveStartsAt(waves: readonly Wave[], index: number): Date | null {
  const wave = waves[index];
  if (wave.invitationDate) return new Date(wave.invitationDate);
  return index === 0 ? null : new Date(waves[index - 1].deadline);
}

/** The Entra groups the waves name, in wave order (the last wave may name none). */
export const waveGroups = (waves: readonly Wave[]): string[] => waves.flatMap((w) => (w.group ? [w.group] : []));

/**
 * When every wave names a group, those groups are the scope (there is nobody else for a wave to take); otherwise
 * the request's include groups are.
 */
export function scopeGroupsOfWaves(request: { waves?: Wave[] }): string[] | undefined {
  const waves = request.waves ?? [];
  return waves.length > 0 && waves.every((w) => w.group) ? waveGroups(waves) : undefined;
}

/**
 * Which wave each person is in: the first whose group holds them; else the last wave when it names no group.
 * `members[i]` holds the ids of wave i's group (empty for a wave without a group). Undefined: in no wave (only when
 * every wave names a group and the person came into scope some other way, which the scope rules prevent).
 */
export function waveOfPerson(waves: readonly Wave[], members: readonly ReadonlySet<string>[], userId: string) {
  for (let i = 0; i < waves.length; i++) if (waves[i].group && members[i]?.has(userId)) return i;
  const last = waves.length - 1;
  return waves[last] && !waves[last].group ? last : undefined;
}

/** Where one wave's people stand, as the reconciliation pass counts them (per state of their user rows). */
export interface WaveCounts {
  inScope: number;
  onboarded: number;
  /** Own-address requests waiting in Users & Access (api mode). */
  pending: number;
  /** People whose request was typed with another e-mail (api mode). */
  mismatched: number;
  notOnboarded: number;
  exempted: number;
  /** People with a Phase 2 account who have not finished onboarding. */
  phase2Created: number;
}

export const emptyWaveCounts = (): WaveCounts => ({
  inScope: 0,
  onboarded: 0,
  pending: 0,
  mismatched: 0,
  notOnboarded: 0,
  exempted: 0,
  phase2Created: 0,
});

/** Where a wave is, as the orchestration records it on the migration row (the status page reads it). */
export interface WaveProgress {
  /** ISO 8601: when its invitation went out. */
  startedAt?: string;
  /** The pilot review before it: open, held (an admin said "Hold", or nobody answered), or approved. */
  review?: { round: number; outcome: "open" | "approved" | "held" | "expired"; at: string; by?: string };
}

/** A wave's state in words, as pages and e-mails say it. */
export function waveStateInWords(
  waves: readonly Wave[],
  index: number,
  progress: WaveProgress | undefined,
  now: Date,
  timeZone?: string,
): string {
  const wave = waves[index];
  const deadline = new Date(wave.deadline);
  if (progress?.startedAt)
    return now >= deadline
      ? `over since ${formatHuman(deadline, timeZone)}`
      : `invited ${formatHuman(new Date(progress.startedAt), timeZone)}, open until ${formatHuman(deadline, timeZone)}`;
  const review = progress?.review;
  if (review?.outcome === "open") return "waiting for the admins' pilot review";
  if (review?.outcome === "held" || review?.outcome === "expired")
    return review.outcome === "held"
      ? `on hold: ${review.by ?? "an admin"} answered "Hold" to the pilot review`
      : "on hold: nobody answered the pilot review";
  const startsAt = waveStartsAt(waves, index);
  const after = wave.review && review?.outcome !== "approved" ? ", after the admins' pilot review" : "";
  return startsAt ? `starts ${formatHuman(startsAt, timeZone)}${after}` : `starts at once${after}`;
}

/** "Pilot" (group) / "Everyone else" (everyone else in scope): who a wave takes, in words. */
export const waveMembersInWords = (wave: Wave): string =>
  wave.group ? `members of the Entra group ${wave.groupName ?? wave.group}` : "everyone else in scope";

/** One wave as the status JSON, the status page and the report show it (dates ISO in JSON, in words on pages). */
export interface WaveView {
  name: string;
  /** Who it takes, in words. */
  members: string;
  /** Where it stands, in words (dates in the migration's zone). */
  state: string;
  /** ISO 8601: when it may start (null: at once). */
  startsAt: string | null;
  /** ISO 8601: when its invitation went out. */
  startedAt: string | null;
  deadline: string;
  reminders: string[];
  /** It waits for the admins' pilot review of the earlier waves. */
  reviewFirst: boolean;
  review: WaveProgress["review"] | null;
}

/** Every wave of a migration as the views show it; empty without waves. */
export function waveViews(
  request: WaveFields,
  currentDeadline: string,
  progress: readonly WaveProgress[] | undefined,
  now: Date,
  timeZone?: string,
): WaveView[] {
  if (!hasWaves(request)) return [];
  const waves = wavesOf(request, currentDeadline);
  return waves.map((wave, i) => ({
    name: wave.name,
    members: waveMembersInWords(wave),
    state: waveStateInWords(waves, i, progress?.[i], now, timeZone),
    startsAt: waveStartsAt(waves, i)?.toISOString() ?? null,
    startedAt: progress?.[i]?.startedAt ?? null,
    deadline: wave.deadline,
    reminders: wave.reminders,
    reviewFirst: !!wave.review,
    review: progress?.[i]?.review ?? null,
  }));
}

/** The next reminder of any wave after `now` (a wave not started yet counts from its start). */
export function nextWaveReminderAt(waves: readonly Wave[], now: Date): Date | null {
  let next: number | null = null;
  waves.forEach((wave, i) => {
    const from = Math.max(now.getTime(), waveStartsAt(waves, i)?.getTime() ?? 0);
    for (const label of wave.reminders) {
      const at = Date.parse(wave.deadline) - parseIsoDuration(label);
      if (at > from && (next === null || at < next)) next = at;
    }
  });
  return next === null ? null : new Date(next);
}
