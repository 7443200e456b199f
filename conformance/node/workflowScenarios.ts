/**
 * Scenarios over the app's own `migration` orchestrator (its activities stubbed, fixtures/appMigration.ts) through
 * the parts of the runbook the fixture scenarios do not reach, plus the version upgrade of a waiting instance.
 * Each starts the migration as production does (`startApp`: no version named) and ends in a terminal state, so
 * nothing of it runs on into the next scenario. Timings are seconds of real time on the extension.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { appStore, countsOf, migrationAtPhase2, migrationInWindow } from "../fixtures/appStore";
import { holds } from "../fixtures/holds";
import { Fixture, NEW_PATH_FROM } from "../fixtures/names";
import { compareVersions } from "../../shared/versions";
import { hostJsonVersioning } from "./realHost";
import { APP_TIMINGS, finished, SETTLE_MS, startApp, waitingFor, custom, type Scenario } from "./scenarios";
import type { Side } from "./sides";

const SECOND = 1000;

/** An onboarding window from the host's now: deadline `deadlineMs` away, the rest of the request as given. */
function windowRequest(side: Side, deadlineMs: number, request: Record<string, unknown>) {
  return { deadline: new Date(side.now().getTime() + deadlineMs).toISOString(), ...request };
}

/**
 * The phases after the one a scenario is about lead to the deletion approval, where the migration waits for
 * people; the scenario ends it there as an admin could in the portal (terminate).
 */
async function terminateAtApproval(side: Side, id: string): Promise<void> {
  await side.until(id, waitingFor("2 of 3 approvers", 1), "waiting for the deletion approval", 90_000);
  await sleep(SETTLE_MS);
  await side.client().terminate(id, "the scenario ends at the deletion approval");
  await side.until(id, finished, "terminated");
}

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected))
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

export const workflowScenarios: Scenario[] = [
  {
    name: "app: onboarding window, two reminders, the deadline",
    checks:
      "the app's window from its start: invitations and a monitor pass, a wait per cycle until each of two reminders " +
      "(16 and 8 seconds before a deadline 24 seconds away), the monitor at the deadline, Phase 2 skipped, verification, " +
      "then the deletion approval (terminated there)",
    timeoutMs: 180_000,
    async run({ side }) {
      const id = "cf-app-window";
      appStore.reset();
      const request = windowRequest(side, 24 * SECOND, {
        reminders: ["PT16S", "PT8S"],
        monitorEvery: "PT1H",
        phase2: "skip",
      });
      await startApp(side, migrationInWindow(id, APP_TIMINGS, request));
      await terminateAtApproval(side, id);
      expectEqual(appStore.mailed, ["invitation", "reminder PT16S", "reminder PT8S"], "mail sent in the window");
      return id;
    },
  },
  {
    name: "app: Phase 2, one batch fails while another is held",
    checks:
      "the app's Phase 2 wave of two createPeigAccountsBatch sub-orchestrations: batch 1's Peig call fails (it ends " +
      "with a typed failure) while batch 2's is still running; the parent waits for both (Task.all), pauses the " +
      "migration for a quick re-try, runs the wave again under new instance ids (batch 2 held again until batch 1 is done), " +
      "and goes on to verification",
    timeoutMs: 180_000,
    async run({ side }) {
      const id = "cf-app-phase2";
      appStore.reset();
      const key = `phase2-${side.name}`;
      Object.assign(appStore.phase2, { batches: 2, holdKey: key });
      appStore.phase2.fail.add("0#1");
      // Completions that race are delivered however they arrive: holding one batch of each wave orders them.
      appStore.phase2.hold.add("1#1").add("1#2");
      // A re-try timer longer than an activity takes on the extension, so it is never due when created.
      await startApp(side, migrationAtPhase2(id, { ...APP_TIMINGS, stepRetryMs: [3000] }));
      await holds.started(`${key}-1#1`);
      await side.until(`${id}-phase2-0`, finished, "batch 1 ended with its failure");
      await sleep(SETTLE_MS);
      holds.release(`${key}-1#1`);
      // After the re-try timer: on the local host only Side.until lets virtual time reach it.
      await side.until(id, () => holds.hasStarted(`${key}-1#2`), "batch 2 of the re-tried wave running");
      await side.until(`${id}-phase2-0-r1`, finished, "batch 1 of the re-tried wave done");
      await sleep(SETTLE_MS);
      holds.release(`${key}-1#2`);
      await terminateAtApproval(side, id);
      // The batches' first calls race: compared per batch, not in the order they ran.
      expectEqual(
        [...appStore.phase2.calls].sort(([a], [b]) => a - b),
        [
          [0, 2],
          [1, 2],
        ],
        "createPeigAccounts calls per batch",
      );
      return id;
    },
  },
  {
    name: "app: cancel command",
    checks:
      "the app's window waits for users to onboard; an admin cancels (the command row, then a wake): the next execution " +
      "reads the command first, closes the task links, tells the admins and ends cancelled",
    timeoutMs: 120_000,
    async run({ side }) {
      const id = "cf-app-cancel";
      appStore.reset();
      const request = windowRequest(side, 600 * SECOND, { reminders: ["PT5M"], monitorEvery: "PT1H" });
      const wake = await startApp(side, migrationInWindow(id, APP_TIMINGS, request));
      await side.until(id, waitingFor("users to onboard"), "waiting for users to onboard");
      await sleep(SETTLE_MS);
      appStore.commands.cancelRequested = {
        reason: "wrong tenant",
        by: "it@contoso.com",
        at: side.now().toISOString(),
      };
      await wake();
      const status = await side.until(id, finished, "cancelled");
      expectEqual(
        (status.output as { phase?: string } | null)?.phase,
        "cancelled",
        "the migration's outcome after the cancel command",
      );
      return id;
    },
  },
  {
    name: "app: merge task",
    checks:
      "the app's monitor pass finds two requests typed with another address: the Peig admin's merge task opens " +
      "alongside the window's wait; the admin confirms (a wake): the task closes, the merges run, the window " +
      "monitors again at once, finds everyone onboarded and ends early (Phase 2 skipped, verification, approval)",
    timeoutMs: 150_000,
    async run({ side }) {
      const id = "cf-app-merge";
      appStore.reset();
      appStore.counts = countsOf({ inScope: 5, onboarded: 3, mismatched: 2 });
      const request = windowRequest(side, 600 * SECOND, {
        reminders: ["PT5M"],
        monitorEvery: "PT1H",
        endEarly: true,
        phase2: "skip",
      });
      const wake = await startApp(side, migrationInWindow(id, APP_TIMINGS, request));
      await side.until(
        id,
        (s) => appStore.opened.includes("peigMerges-1") && waitingFor("users to onboard")(s),
        "the merge task open",
      );
      await sleep(SETTLE_MS);
      appStore.decisions.push({ by: "peig-admin@contoso.com", done: true });
      await wake();
      await terminateAtApproval(side, id);
      expectEqual(appStore.merged, 2, "requests merged");
      return id;
    },
  },
  {
    name: "an uncaught activity failure fails the instance",
    checks:
      "cfFailing calls an activity that throws and does not catch it: Failed on both hosts, with the same message " +
      "(the extension's prefix and stack aside)",
    async run({ side }) {
      const id = "cf-failing";
      await side.client().startNew(Fixture.failing, { instanceId: id, input: {} });
      const status = await side.until(id, finished, "failed");
      expectEqual(status.runtimeStatus, "Failed", "how the instance ended");
      return id;
    },
  },
  {
    name: "version upgrade while an instance waits",
    checks:
      "host.json's versioning (defaultVersion, versionMatchStrategy, versionFailureStrategy) on the host; an instance " +
      "started as production starts one (no version named) gets the defaultVersion; the host restarts with a raised " +
      "defaultVersion while it waits: it replays and finishes on its own version's path, a new instance takes the new one",
    timeoutMs: 240_000,
    async run({ side }) {
      const waiting = "cf-version";
      const fresh = "cf-version-new";
      const deployed = hostJsonVersioning.defaultVersion;
      if (compareVersions(deployed, NEW_PATH_FROM) >= 0)
        throw new Error(`host.json's defaultVersion ${deployed} is not below the scenario's raised ${NEW_PATH_FROM}`);
      const isWaiting = custom((c) => c.waiting === true);
      await side.client().startNew(Fixture.versioned, { instanceId: waiting, input: {} });
      await side.until(waiting, isWaiting, "the first instance waiting");
      await sleep(SETTLE_MS);
      try {
        await side.restart({ ...hostJsonVersioning, defaultVersion: NEW_PATH_FROM });
        await side.client().startNew(Fixture.versioned, { instanceId: fresh, input: {} });
        await side.until(fresh, isWaiting, "the new instance waiting", 90_000);
        await sleep(SETTLE_MS);
        for (const id of [waiting, fresh]) await side.client().raiseEvent(id, "go", {});
        const outputs = [];
        for (const id of [waiting, fresh]) outputs.push((await side.until(id, finished, `${id} finished`)).output);
        // Without the host assigning versions both would read "" here and take the old path: nothing else would tell.
        expectEqual(
          outputs,
          [
            { version: deployed, path: "old" },
            { version: NEW_PATH_FROM, path: "new" },
          ],
          "the version each instance ran under (the host must assign its defaultVersion to an instance started without one)",
        );
      } finally {
        await side.restart(); // host.json's versioning again, for the scenarios after this one
      }
      return waiting;
    },
  },
  {
    name: "version rollback: an older host leaves a newer instance alone",
    checks:
      "host.json's versionMatchStrategy CurrentOrOlder and versionFailureStrategy Reject: an instance started under a " +
      "raised defaultVersion waits; the host goes back to host.json's version (a rolled-back deploy) and the instance's " +
      "event does not run it there; once the raised version is back, it runs and finishes on its new path",
    timeoutMs: 300_000,
    async run({ side }) {
      const id = "cf-version-rollback";
      const raised = { ...hostJsonVersioning, defaultVersion: NEW_PATH_FROM };
      const isWaiting = custom((c) => c.waiting === true);
      try {
        await side.restart(raised);
        await side.client().startNew(Fixture.versioned, { instanceId: id, input: {} });
        await side.until(id, isWaiting, "waiting under the raised version", 90_000);
        await sleep(SETTLE_MS);
        await side.restart();
        await side.client().raiseEvent(id, "go", {});
        const ranOnOlderHost = await side.until(id, finished, "not run by the older host", 8_000).then(
          () => true,
          () => false,
        );
        if (ranOnOlderHost)
          throw new Error(
            `a host of version ${hostJsonVersioning.defaultVersion} ran an instance of ${NEW_PATH_FROM} ` +
              `(versionMatchStrategy ${hostJsonVersioning.versionMatchStrategy} not applied)`,
          );
        await side.restart(raised);
        const status = await side.until(id, finished, "finished once the raised version is back", 150_000);
        expectEqual(status.output, { version: NEW_PATH_FROM, path: "new" }, "the instance's version and path");
      } finally {
        await side.restart(); // host.json's versioning again, for the scenarios after this one
      }
      return id;
    },
  },
];
