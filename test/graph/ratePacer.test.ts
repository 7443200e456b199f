/** RatePacer (shared/pacer.ts): a rolling-window limit kept on the virtual clock, as the simulators count it. */
import { VirtualClock } from "../../local/host/clocks";
import { RatePacer } from "../../shared/pacer";

const start = Date.parse("2026-01-01T00:00:00Z");

describe("RatePacer", () => {
  it("lets a window's worth go at once, then each request when the one a window before it leaves", async () => {
    const clock = new VirtualClock(new Date(start));
    const pacer = new RatePacer(clock, 5, 10_000);
    const times: number[] = [];
    for (let i = 0; i < 11; i++) {
      await pacer.take(1);
      times.push(clock.now().getTime() - start);
    }
    expect(times).toEqual([0, 0, 0, 0, 0, 10_000, 10_000, 10_000, 10_000, 10_000, 20_000]);
  });

  it("counts a paced request from its answer, so a slow request does not let the next window open early", async () => {
    const clock = new VirtualClock(new Date(start));
    const pacer = new RatePacer(clock, 1, 10_000);
    // The service may count the first request as late as its answer, 3 s after it was sent.
    await pacer.paced(() => clock.sleep(3_000));
    await pacer.paced(async () => undefined);
    expect(clock.now().getTime() - start).toBe(13_000);
  });

  it("still counts a request that failed", async () => {
    const clock = new VirtualClock(new Date(start));
    const pacer = new RatePacer(clock, 1, 10_000);
    await expect(pacer.paced(() => Promise.reject(new Error("503")))).rejects.toThrow("503");
    await pacer.take(1);
    expect(clock.now().getTime() - start).toBe(10_000);
  });

  it("refuses more at once than the window holds", async () => {
    await expect(new RatePacer(new VirtualClock(), 5, 10_000).take(6)).rejects.toThrow(/limit is 5 per window/);
  });
});
