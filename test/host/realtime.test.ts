/** The demo's mode: real time on an accelerated clock, and the app loaded in plain Node through the shim. */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { AcceleratedClock } from "../../local/host/clocks";
import { LocalDurableEngine } from "../../local/host/engine";
import { RealTimeScheduler } from "../../local/host/timeDrivers";
import "../../local/host/contractFixtures";

describe("real, accelerated time", () => {
  it("fires a 14-day window's timers on an accelerated clock without anyone driving time", async () => {
    // 14 simulated days in about a quarter of a second of real time.
    const clock = new AcceleratedClock(14 * 86_400 * 4, new Date("2026-12-01T09:00:00Z"));
    const engine = new LocalDurableEngine({ clock });
    const scheduler = new RealTimeScheduler(engine, clock);
    try {
      const id = await engine.startNew("approvalWindow");
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (engine.getInstance(id)?.status === "Completed") {
            clearInterval(poll);
            resolve();
          }
        }, 10);
      });
      const output = engine.getInstance(id)?.output as { outcome: string; reminders: number; at: string };
      expect(output.outcome).toBe("expired");
      // Each reminder is set from the time the previous one was handled, so on a busy machine real
      // lateness (multiplied by the acceleration) can push the last one past the deadline.
      expect(output.reminders).toBeGreaterThanOrEqual(1);
      expect(output.reminders).toBeLessThanOrEqual(6);
      // Real timers fire at or after their time, never before (the extension behaves the same).
      expect(new Date(output.at).getTime()).toBeGreaterThanOrEqual(new Date("2026-12-15T09:00:00Z").getTime());
    } finally {
      scheduler.stop();
      await engine.stop();
    }
  });
});

describe("a paused accelerated clock (the demo waiting on a person)", () => {
  it("stands still, fires no timer while paused, and runs on from where it stopped", async () => {
    const clock = new AcceleratedClock(14 * 86_400 * 4, new Date("2026-12-01T09:00:00Z"));
    const engine = new LocalDurableEngine({ clock });
    const scheduler = new RealTimeScheduler(engine, clock);
    try {
      clock.pause();
      const pausedAt = clock.now().getTime();
      const id = await engine.startNew("approvalWindow");
      await new Promise((resolve) => setTimeout(resolve, 400)); // longer than the whole window at this speed
      expect(clock.now().getTime()).toBe(pausedAt);
      expect(clock.realDelayUntil(new Date(pausedAt + 1))).toBe(Infinity);
      expect(engine.getInstance(id)?.status).toBe("Running");

      clock.resume();
      expect(clock.now().getTime() - pausedAt).toBeLessThan(86_400_000); // on from the pause, not from the wall clock
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (engine.getInstance(id)?.status === "Completed") {
            clearInterval(poll);
            resolve();
          }
        }, 10);
      });
      expect((engine.getInstance(id)?.output as { outcome: string }).outcome).toBe("expired");
    } finally {
      scheduler.stop();
      await engine.stop();
    }
  });
});

describe("plain Node", () => {
  it("captures registrations through the core shim with no test-mode warning", () => {
    const root = path.resolve(__dirname, "../..");
    const script = `
      require("./local/host/installCoreShim").installCoreShim();
      require("./local/host/contractFixtures");
      console.log("registered", require("./local/host/fakeCore").registry.size);`;
    const run = spawnSync(process.execPath, ["-r", "sucrase/register/ts", "-e", script], {
      cwd: root,
      encoding: "utf8",
    });
    expect(run.stderr).not.toMatch(/test mode/);
    expect(run.stdout).toMatch(/registered \d{2}/);
  });
});
