/**
 * Replays every recorded history against the current orchestrator code through the real durable-functions
 * replay engine: the local host's (test/fixtures/histories, written by `npm run record-histories`) and the real
 * Durable extension's (test/fixtures/extension-histories, written by the conformance tier with
 * --record-fixtures), whose episodes are shaped by DTFx and whose timers may have fired early. A change to the
 * actions an orchestration returns for a recorded history fails here: a running instance would no longer
 * replay in Azure. Histories of older versions must still replay under their own version.
 */
import path from "node:path";
import { hostJsonDefaultVersion } from "../../local/host/history";
import {
  compareActions,
  label,
  longTimerSegments,
  readFixtures,
  replayExecution,
  reyields,
} from "../../local/host/replay";
import { EventType } from "../../local/host/history";
import { registerOrchestrations } from "../../orchestrations";
import { compareVersions } from "../../shared/versions";

registerOrchestrations();

const FIXTURES = path.resolve(__dirname, "..", "fixtures");
const onLocalHost = readFixtures(path.join(FIXTURES, "histories")).map((f) => ({ ...f, file: `histories/${f.file}` }));
const onExtension = readFixtures(path.join(FIXTURES, "extension-histories")).map((f) => ({
  ...f,
  file: `extension-histories/${f.file}`,
}));
const fixtures = [...onLocalHost, ...onExtension];

describe("recorded histories", () => {
  it("include the version host.json deploys, and none newer", () => {
    const current = hostJsonDefaultVersion()!;
    const versions = new Set(fixtures.map((f) => f.recorded.version));
    expect(versions).toContain(current);
    expect([...versions].filter((v) => compareVersions(v, current) > 0)).toEqual([]);
  });

  it("of an older version only where that version's code path is kept", () => {
    // A version raised once instances of the one before may be waiting keeps that version's branch and lists it here
    // with its histories (docs/architecture.md, "Versions"). 1.0: operator-mode instances waiting in Phase 2 or the
    // verification, where 1.1 asks the Peig admin again (shared/versions.ts, since.peigAccountsRounds).
    const keptOlderVersions: string[] = ["1.0"];
    const current = hostJsonDefaultVersion()!;
    const older = [...new Set(fixtures.map((f) => f.recorded.version))].filter((v) => v !== current);
    expect(older.filter((v) => !keptOlderVersions.includes(v))).toEqual([]);
  });

  it("cover an api-mode and an operator-mode migration", () => {
    expect(new Set(onLocalHost.map((f) => f.recorded.scenario))).toEqual(
      new Set([
        "api-rejection-2of3-reminders",
        "api-deadline-extension-outage-phase2-faults",
        "api-merge-task",
        "operator-start-to-finish",
        "operator-phase2-rounds",
      ]),
    );
  });

  it("include the real extension's, with its episode shapes and a timer it delivered early", () => {
    expect(new Set(onExtension.map((f) => f.recorded.scenario))).toEqual(
      new Set([
        "app-deletion-approval-gate",
        "app-needs-attention-then-resume",
        "app-onboarding-window-two-reminders-the-deadline",
        "app-phase-2-one-batch-fails-while-another-is-held",
        "app-cancel-command",
        "app-merge-task",
      ]),
    );
    // DTFx closes a continued execution's first episode with an OrchestratorCompleted of its own, before what
    // that episode scheduled (the local host writes one per episode).
    const extraClose = onExtension.some(({ recorded }) =>
      recorded.history.some(
        (e, i) =>
          e.EventType === EventType.OrchestratorCompleted &&
          recorded.history[i + 1]?.EventType === EventType.TaskScheduled,
      ),
    );
    // Azure Storage's visibility delay can end before a timer's FireAt: TimerFired in an episode that started earlier.
    const early = onExtension.some(({ recorded }) => {
      let episodeStart = 0;
      return recorded.history.some((e) => {
        if (e.EventType === EventType.OrchestratorStarted) episodeStart = Date.parse(e.Timestamp);
        return e.EventType === EventType.TimerFired && episodeStart < Date.parse(e.FireAt!);
      });
    });
    expect({ extraClose, early }).toEqual({ extraClose: true, early: true });
  });

  it.each(fixtures.map((f) => [f.file, f.recorded] as const))(
    "%s replays to the recorded actions",
    async (_file, recorded) => {
      const replay = await replayExecution(recorded);
      const difference = compareActions(recorded, replay.actions);
      if (difference) throw new Error(difference);
    },
  );
});

describe("rules every recorded history keeps", () => {
  it("no durable timer is longer than 6 days", async () => {
    const found: string[] = [];
    for (const { recorded } of fixtures) {
      for (const segment of longTimerSegments(recorded, (await replayExecution(recorded)).actions))
        found.push(`${label(recorded)}: long timer segment ${segment}`);
    }
    expect(found).toEqual([]);
  });

  it("no task object is yielded twice", async () => {
    const found: string[] = [];
    for (const { recorded } of fixtures)
      for (const r of reyields((await replayExecution(recorded)).actions)) found.push(`${label(recorded)}: ${r}`);
    expect(found).toEqual([]);
  });
});
