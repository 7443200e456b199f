import {
  formatDuration,
  progressBar,
  progressKey,
  ProgressDisplay,
  renderProgress,
  renderWaitingOn,
  type MigrationStatusView,
} from "../../local/demo/progress";
import { HOUR, DAY } from "../../shared/domain/duration";
import { migrationFigures, type Phase2Ending } from "../../shared/domain/figures";

const NOW = Date.parse("2026-12-01T09:00:00Z");

/** A status JSON as the app serves it: the figures are migrationFigures over its counts (api mode, Phase 2 as given). */
function status(
  overrides: Partial<Omit<MigrationStatusView, "figures">> = {},
  phase2: Phase2Ending | null = null,
): MigrationStatusView {
  const view = {
    id: "m1",
    phase: "onboarding",
    deadline: new Date(NOW + 6 * DAY + 12 * HOUR).toISOString(),
    nextReminder: new Date(NOW + 2 * DAY + 4 * HOUR).toISOString(),
    waitingFor: null,
    counts: {
      inScope: 200,
      onboarded: 50,
      pending: 2,
      mismatched: 1,
      notOnboarded: 147,
      phase2Created: 0,
      phase2Failed: 0,
    },
    generatedAt: new Date(NOW).toISOString(),
    ...overrides,
  };
  return { ...view, figures: migrationFigures({ mode: "api", counts: view.counts, phase2 }) };
}

describe("renderProgress", () => {
  it("shows the phase, a bar, onboarded of total, the next reminder and the time left", () => {
    expect(renderProgress(status())).toBe(
      "onboarding   [######------------------] 50 onboarded (linked to an Active Peig account), of 200 users in scope · next reminder in 2d 04h · deadline in 6d 12h",
    );
  });

  it("adds Phase 2 results and what the workflow waits for, and says when the deadline has passed", () => {
    const line = renderProgress(
      status(
        {
          phase: "approval",
          nextReminder: null,
          deadline: new Date(NOW - HOUR).toISOString(),
          waitingFor: "1 of 2 approvers",
          counts: {
            inScope: 200,
            onboarded: 140,
            pending: 0,
            mismatched: 0,
            notOnboarded: 0,
            phase2Created: 60,
            phase2Failed: 2,
            phase2Planned: 62,
            phase2Made: 60,
            phase2SignedInSince: 0,
          },
        },
        { created: 60, failed: 2, skipped: false },
      ),
    );
    expect(line).toBe(
      "approval     [#################-------] 140 onboarded (linked to an Active Peig account), of 200 users in scope · Phase 2 (62 users without a Peig account listed for Phase 2): Phase 2 created 60 Peig accounts; 2 failed; 0 of the listed users onboarded since the list was made · deadline passed · waiting for 1 of 2 approvers",
    );
  });

  it("draws an empty bar before anyone is in scope", () => {
    expect(progressBar(0, 0, 4)).toBe("[----]");
    expect(progressBar(3, 3, 4)).toBe("[####]");
  });
});

describe("formatDuration", () => {
  it.each([
    [30_000, "<1m"],
    [12 * 60_000, "12m"],
    [4 * HOUR + 5 * 60_000, "4h 05m"],
    [6 * DAY + 3 * HOUR, "6d 03h"],
  ])("formats %d ms as %s", (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe("progressKey", () => {
  it("ignores the ticking clock but not the counts, the phase or the waiting reason", () => {
    const later = status({ generatedAt: new Date(NOW + HOUR).toISOString() });
    expect(progressKey(later)).toBe(progressKey(status()));
    expect(progressKey(status({ phase: "phase2" }))).not.toBe(progressKey(status()));
    expect(progressKey(status({ waitingFor: "users to onboard" }))).not.toBe(progressKey(status()));
  });
});

describe("ProgressDisplay", () => {
  function capture(isTTY: boolean) {
    const writes: string[] = [];
    return { writes, out: { isTTY, columns: 200, write: (text: string) => writes.push(text) } };
  }

  it("without a TTY prints one line per change, and a line seen before in the same phase only once", () => {
    const { writes, out } = capture(false);
    const display = new ProgressDisplay(out);
    display.update(status());
    display.update(status({ generatedAt: new Date(NOW + HOUR).toISOString() }));
    display.update(status({ waitingFor: "users to onboard" }));
    display.update(status());
    display.update(status({ counts: { ...status().counts, onboarded: 51 } }));
    expect(writes).toHaveLength(3);
    expect(writes.every((w) => w.endsWith("\n") && !w.includes("\r"))).toBe(true);
  });

  it("on a TTY redraws the line in place and keeps it below messages", () => {
    const { writes, out } = capture(true);
    const display = new ProgressDisplay(out);
    display.update(status());
    display.message("Approval link for cio@contoso.com");
    expect(writes[0]).toMatch(/^\r\x1b\[2Konboarding/);
    expect(writes[1]).toMatch(/^\r\x1b\[2KApproval link for cio@contoso.com\nonboarding/);
  });
});

describe("ProgressDisplay between reads of the status", () => {
  it("on a terminal moves the countdowns on with the clock, rewriting the line only when it changes", () => {
    const writes: string[] = [];
    const display = new ProgressDisplay({ isTTY: true, columns: 200, write: (text: string) => writes.push(text) });
    display.tick(new Date(NOW + HOUR)); // nothing read yet: nothing to draw
    display.update(status());
    display.tick(new Date(NOW + 30_000)); // the same minute: the same line
    display.tick(new Date(NOW + HOUR));
    expect(writes).toHaveLength(2);
    expect(writes[1]).toMatch(/^\r\x1b\[2Konboarding .* next reminder in 2d 03h · deadline in 6d 11h$/);
  });

  it("without a terminal prints nothing: only changes are printed", () => {
    const writes: string[] = [];
    const display = new ProgressDisplay({ isTTY: false, write: (text: string) => writes.push(text) });
    display.update(status());
    display.tick(new Date(NOW + HOUR));
    expect(writes).toHaveLength(1);
  });
});

describe("who the workflow waits on", () => {
  it("says who and what for each wait on people, and nothing when it waits on none", () => {
    const waitingOn = [
      {
        who: ["it@contoso.com"],
        what: "the Peig admin to review the merge task: 9 pending requests typed with another e-mail",
        since: "2026-12-01T09:00:00Z",
        expiresAt: "2026-12-08T09:00:00Z",
      },
      {
        who: ["cio@contoso.com", "ciso@contoso.com"],
        what: "1 of 2 approvers to approve deleting the migration configuration",
        expiresAt: "2026-12-08T09:00:00Z",
      },
    ];
    expect(renderWaitingOn(status({ waitingOn }))).toEqual([
      "Waiting for the Peig admin to review the merge task: 9 pending requests typed with another e-mail (task e-mailed to it@contoso.com).",
      "Waiting for 1 of 2 approvers to approve deleting the migration configuration (task e-mailed to cio@contoso.com, ciso@contoso.com).",
    ]);
    expect(renderWaitingOn(status())).toEqual([]);
  });
});
