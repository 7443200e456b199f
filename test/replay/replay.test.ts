/**
 * Replays every recorded history (test/fixtures/histories, written by `npm run record-histories`)
 * against the current orchestrator code through the real durable-functions replay engine. A change to
 * the actions an orchestration returns for a recorded history fails here: a running instance would no
 * longer replay in Azure. Histories of older versions must still replay under their own version.
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
import { registerOrchestrations } from "../../orchestrations";
import { compareVersions } from "../../shared/versions";

registerOrchestrations();

const ROOT = path.resolve(__dirname, "..", "fixtures", "histories");
const fixtures = readFixtures(ROOT);

describe("recorded histories", () => {
  it("include the version host.json deploys, and none newer", () => {
    const current = hostJsonDefaultVersion()!;
    const versions = new Set(fixtures.map((f) => f.recorded.version));
    expect(versions).toContain(current);
    expect([...versions].filter((v) => compareVersions(v, current) > 0)).toEqual([]);
  });

  it("of an older version only where that version's code path is kept", () => {
    // Nothing older than the baseline has run in Azure, so no older code path is kept. A version raised once
    // instances of the one before may be waiting keeps that version's branch and lists it here with its histories
    // (docs/architecture.md, "Versions").
    const keptOlderVersions: string[] = [];
    const current = hostJsonDefaultVersion()!;
    const older = [...new Set(fixtures.map((f) => f.recorded.version))].filter((v) => v !== current);
    expect(older.filter((v) => !keptOlderVersions.includes(v))).toEqual([]);
  });

  it("cover an api-mode and an operator-mode migration", () => {
    expect(new Set(fixtures.map((f) => f.recorded.scenario))).toEqual(
      new Set([
        "api-rejection-2of3-reminders",
        "api-deadline-extension-outage-phase2-faults",
        "api-merge-task",
        "operator-start-to-finish",
      ]),
    );
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
