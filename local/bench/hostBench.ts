/** The local host on the virtual clock: how long simulated weeks and wide fan-outs take in wall time. */
import { performance } from "node:perf_hooks";
import { createTestHost } from "../host/testHost";
import type { BenchRow } from "./benchRow";
import "../host/contractFixtures";

async function timed(run: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

export async function hostBenchmarks(): Promise<BenchRow[]> {
  const host = await createTestHost();
  try {
    const window = await timed(async () => {
      const id = await host.client.startNew("approvalWindow");
      const done = await host.runToCompletion(id);
      if ((done.output as { reminders: number }).reminders !== 6)
        throw new Error("14-day scenario did not send 6 reminders");
    });
    const fanOut = await timed(async () => {
      const id = await host.client.startNew("fanOut", { input: 1000 });
      const done = await host.runToCompletion(id);
      if (done.status !== "Completed") throw new Error("fan-out did not complete");
    });
    return [
      {
        benchmark: "host: 14-day window, 6 reminders, long timer (virtual clock)",
        figure: `${window.toFixed(0)} ms wall`,
      },
      { benchmark: "host: fan-out/fan-in of 1,000 activities", figure: `${fanOut.toFixed(0)} ms wall` },
    ];
  } finally {
    await host.stop();
  }
}
