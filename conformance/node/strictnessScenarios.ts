/**
 * Scenarios where a host more lenient than the Durable extension would differ (issue 24, L1–L3; the fixtures are
 * in fixtures/strictness.ts, the local host's side in local/host/shim.ts and engine.ts). Each failed on the local
 * host as it was before; conformance/README.md (divergences 6–9) says which change each one pins.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { holds } from "../fixtures/holds";
import { Strictness } from "../fixtures/names";
import type { Scenario } from "./scenarios";
import { TERMINAL, type Side, type Status } from "./sides";

const finished = (s: Status) => TERMINAL.includes(s.runtimeStatus);

/**
 * Starts `name` with a cfHold activity keyed per side, raises `wake` while that activity runs, and lets it finish
 * once `release` holds (by default 800 ms later: the extension has delivered the wake, in its own episode).
 */
async function wakeWhileHeld(
  side: Side,
  name: string,
  id: string,
  input: Record<string, unknown>,
  release: (s: Status) => boolean = () => true,
): Promise<string> {
  const holdKey = `${id}-${side.name}`;
  await side.client().startNew(name, { instanceId: id, input: { ...input, holdKey } });
  await holds.started(holdKey);
  await side.client().raiseEvent(id, "wake", {});
  await sleep(800);
  await side.until(id, (s) => release(s) || finished(s), "ready to let the held activity finish");
  holds.release(holdKey);
  await side.until(id, finished, "finished");
  return id;
}

export const strictnessScenarios: Scenario[] = [
  {
    name: "L1: continueAsNew with a timer still open",
    checks:
      "an execution takes 'go', leaves its 10 s timer uncancelled and continues as new: it stays Running until the timer " +
      "fires (DTFx TaskOrchestrationExecutor `if (!HasOpenTasks)`), then the next execution starts",
    async run({ side }) {
      const id = "cf-open-timer";
      // 10 s: "go" must win on the extension even on a busy machine.
      await side
        .client()
        .startNew(Strictness.openTimerAtContinue, { instanceId: id, input: { generation: 0, timerMs: 10_000 } });
      await side.until(
        id,
        (s) => (s.customStatus as { generation?: number } | null)?.generation === 0,
        "first execution waiting",
      );
      await side.client().raiseEvent(id, "go", {});
      await side.until(id, finished, "second execution finished");
      return id;
    },
  },
  {
    name: "L2: Task.all with a failing child",
    checks:
      "two sub-orchestrations at once, one fails at once, the other takes 3 s; the failure is recorded by an activity, " +
      "which the extension's shim (awaiting a .NET Task.WhenAll) schedules only after the slow child is done",
    async run({ side }) {
      const id = "cf-failed-fanout";
      await side.client().startNew(Strictness.failedFanOut, { instanceId: id, input: { slowMs: 3000 } });
      await side.until(id, finished, "finished");
      return id;
    },
  },
  {
    name: "L3: an event while an activity runs has its own episode",
    checks:
      "Task.any of a running activity and a wake: the wake raised while the activity runs is delivered at once and " +
      "wins; the follow-up activity is scheduled, and completes, before the first one does",
    run: ({ side }) =>
      wakeWhileHeld(side, Strictness.wakeWhileRunning, "cf-wake-running", {}, (s) => s.customStatus === "recorded"),
  },
  {
    name: "L3: a wake during the last activity before continueAsNew",
    checks:
      "a wake raised during the execution's last activity arrives in its own episode, before the one that continues " +
      "as new, so DTFx does not carry it: the next execution wakes on its 2 s timer",
    run: ({ side }) =>
      wakeWhileHeld(side, Strictness.wakeBeforeContinue, "cf-wake-before-continue", { generation: 0, timerMs: 2000 }),
  },
  {
    name: "custom status over 16 KB",
    checks:
      "a custom status of 8,704 characters of JSON (17 KB in UTF-16) fails the instance with the extension's message " +
      "(DurableOrchestrationContext.SetCustomStatus, MaxCustomStatusPayloadSizeInKB = 16)",
    async run({ side }) {
      const id = "cf-big-status";
      await side.client().startNew(Strictness.bigStatus, { instanceId: id, input: { chars: 8704 } });
      const status = await side.until(id, finished, "finished");
      const output = typeof status.output === "string" ? status.output : JSON.stringify(status.output);
      if (
        status.runtimeStatus !== "Failed" ||
        !/must not exceed 16 KB\. The current payload size is 17 KB/.test(output)
      )
        throw new Error(`expected Failed for a 17 KB custom status, got ${status.runtimeStatus} ${output}`);
      return id;
    },
  },
];
