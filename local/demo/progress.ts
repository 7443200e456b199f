/**
 * The demo's progress line, rendered from the status JSON of GET /api/migrations/{id} (a pure function),
 * and the terminal writer that shows it: redrawn in place on a TTY, one line per change otherwise (CI
 * logs have no TTY, and a line per poll would flood them).
 */
import { MINUTE, HOUR, DAY } from "../../shared/domain/duration";
import { phase2Sentence, type MigrationFigures } from "../../shared/domain/figures";
import type { MigrationCounts } from "../../shared/workflow";

/** The part of the status JSON the progress line reads. */
export interface MigrationStatusView {
  id: string;
  phase: string;
  deadline: string;
  nextReminder: string | null;
  waitingFor: string | null;
  counts: MigrationCounts;
  /** Every number about the migration with its words (the status JSON's `figures`). */
  figures: MigrationFigures;
  /** The people the workflow waits on (who and what; the link is in their e-mail). */
  waitingOn?: { who: string[]; what: string; since?: string; expiresAt: string }[];
  /** The simulated time the status was read at. */
  generatedAt: string;
}

/** "Waiting for the Peig admin to review the merge task: 2 pending requests … (task e-mailed to it@contoso.com)": one line per person-wait. */
export function renderWaitingOn(status: Pick<MigrationStatusView, "waitingOn">): string[] {
  return (status.waitingOn ?? []).map((w) => `Waiting for ${w.what} (task e-mailed to ${w.who.join(", ")}).`);
}

const BAR_WIDTH = 24;

/** "6d 12h", "4h 05m", "12m", "<1m" — coarse on purpose: the line is read at a glance. */
export function formatDuration(ms: number): string {
  if (ms < MINUTE) return "<1m";
  const days = Math.floor(ms / DAY);
  const hours = Math.floor((ms % DAY) / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  if (days > 0) return `${days}d ${String(hours).padStart(2, "0")}h`;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, "0")}m`;
  return `${minutes}m`;
}

export function progressBar(done: number, total: number, width = BAR_WIDTH): string {
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
}

export function renderProgress(status: MigrationStatusView): string {
  const now = Date.parse(status.generatedAt);
  const { onboarded, inScope, phase2 } = status.figures;
  const parts = [
    `${status.phase.padEnd(12)} ${progressBar(onboarded.value, inScope.value)} ${onboarded.text}, of ${inScope.text}`,
  ];
  if (phase2) parts.push(phase2Sentence(phase2));
  if (status.nextReminder) parts.push(`next reminder in ${formatDuration(Date.parse(status.nextReminder) - now)}`);
  const left = Date.parse(status.deadline) - now;
  parts.push(left > 0 ? `deadline in ${formatDuration(left)}` : "deadline passed");
  if (status.waitingFor) parts.push(`waiting for ${status.waitingFor}`);
  return parts.join(" · ");
}

/** What counts as a change for the line-per-change output: everything but the ticking time. */
export function progressKey(status: MigrationStatusView): string {
  const f = status.figures;
  return [
    status.phase,
    f.onboarded.value,
    f.inScope.value,
    f.phase2 ? phase2Sentence(f.phase2) : "",
    status.nextReminder ?? "",
    status.waitingFor ?? "",
  ].join("|");
}

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Writes progress lines and messages to a stream without messages and the redrawn line tearing each other. */
export class ProgressDisplay {
  private shown = "";
  private phase = "";
  /** Lines already printed in this phase: a phase that re-checks on a schedule alternates between a few. */
  private printed = new Set<string>();
  /** The status the line on a terminal shows. */
  private last?: MigrationStatusView;

  constructor(private readonly out: ProgressOutput) {}

  update(status: MigrationStatusView): void {
    const line = renderProgress(status);
    if (this.out.isTTY) {
      this.last = status;
      this.redraw(line);
      return;
    }
    if (status.phase !== this.phase) {
      this.phase = status.phase;
      this.printed.clear();
    }
    const key = progressKey(status);
    if (this.printed.has(key)) return;
    this.printed.add(key);
    this.out.write(`${line}\n`);
  }

  /**
   * On a terminal, the last status's line as of `now` (simulated): the countdowns run on between reads of the status,
   * which the demo reads again only when the host has worked. Without a terminal only changes are printed: nothing.
   */
  tick(now: Date): void {
    if (this.out.isTTY && this.last && this.shown)
      this.redraw(renderProgress({ ...this.last, generatedAt: now.toISOString() }));
  }

  private redraw(line: string): void {
    const width = (this.out.columns ?? 120) - 1;
    const shown = line.length > width ? `${line.slice(0, width - 1)}…` : line;
    if (shown === this.shown) return;
    this.shown = shown;
    this.out.write(`\r\x1b[2K${this.shown}`);
  }

  /** A line of its own above the progress line. */
  message(text: string): void {
    if (this.out.isTTY && this.shown) this.out.write(`\r\x1b[2K${text}\n${this.shown}`);
    else this.out.write(`${text}\n`);
  }

  /** Leaves the last progress line on screen and moves below it. */
  end(): void {
    if (this.out.isTTY && this.shown) this.out.write("\n");
    this.shown = "";
    this.last = undefined;
  }
}
