/**
 * A monitor pass writes the user rows whose state changed, and only those: Table Storage transactions
 * per pass follow the users who moved, not the tenant's size.
 */
import { monitorOnboarding } from "../../activities/onboarding";
import { DAY, START, startScenario, type Scenario } from "./harness";

describe("store writes per monitor pass", () => {
  let s: Scenario;
  afterEach(() => s.stop());

  it("writes no user row when nobody moved, and ⌈moved / 100⌉ transactions when some did", async () => {
    s = await startScenario({ tenant: { users: 1_200, seed: 3 } });
    const id = await s.start();
    await s.runUntil(
      async () => (await s.phase(id)) === "onboarding" && s.clock.now().getTime() >= Date.parse(START) + 2 * DAY,
    );
    const transactions = s.stack.services.counters.store;
    const pass = async () => {
      const before = transactions.get("table.transaction");
      await monitorOnboarding({ migrationId: id }, s.stack.services);
      return transactions.get("table.transaction") - before;
    };
    await pass();
    expect(await pass()).toBe(0);

    const waiting = (await s.stack.store.getUsers(id)).filter((u) => u.state === "notOnboarded");
    expect(waiting.length).toBeGreaterThan(150);
    const onboarding = new Set(waiting.slice(0, 150).map((u) => u.userId));
    for (const userId of onboarding) s.stack.peig.onboardUser(userId);
    const written = await pass();
    // Most now show as onboarded or pending; one whose typed e-mail matches nobody stays not onboarded.
    const moved = (await s.stack.store.getUsers(id)).filter(
      (u) => onboarding.has(u.userId) && u.state !== "notOnboarded",
    ).length;
    expect(moved).toBeGreaterThan(100);
    expect(written).toBe(Math.ceil(moved / 100));
    expect(await pass()).toBe(0);
  });
});
