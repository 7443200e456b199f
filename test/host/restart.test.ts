/** A host restarted against Azure Table Storage (Azurite) resumes instances where they were. */
import { TableInstanceStore } from "../../local/host/instanceStore";
import { VirtualClock } from "../../local/host/clocks";
import { createTestHost } from "../../local/host/testHost";
import { calls, resetCalls } from "../../local/host/contractFixtures";
import { DAY } from "../../shared/domain/duration";

const connection = () => {
  const c = process.env.TEST_STORAGE_CONNECTION;
  if (!c) throw new Error("TEST_STORAGE_CONNECTION is not set: jest's globalSetup starts Azurite");
  return c;
};

describe("host restart against Azurite", () => {
  beforeEach(resetCalls);

  it("resumes a waiting instance: timers keep their times and events still arrive", async () => {
    const table = `restart${Date.now()}`;
    const clock = new VirtualClock("2026-12-01T09:00:00Z");
    const first = await createTestHost({ clock, store: TableInstanceStore.fromConnectionString(connection(), table) });
    const id = await first.client.startNew("approvalWindow");
    await first.advanceBy(3 * DAY);
    expect(calls.remind).toHaveLength(1);
    await first.stop();

    // A new host process: nothing in memory, the same table.
    const second = await createTestHost({ clock, store: TableInstanceStore.fromConnectionString(connection(), table) });
    try {
      expect(second.instance(id).status).toBe("Running");
      await second.advanceBy(2 * DAY);
      expect(calls.remind).toHaveLength(2); // day 4, not re-sent
      await second.client.raiseEvent(id, "approval", "ciso");
      const done = await second.runToCompletion(id);
      expect(done.output).toMatchObject({ outcome: "approved", reminders: 2, by: "ciso" });
    } finally {
      await second.stop();
    }
  });

  it("runs again an activity that was scheduled but not finished when the host stopped", async () => {
    const table = `rerun${Date.now()}`;
    const clock = new VirtualClock();
    const store = TableInstanceStore.fromConnectionString(connection(), table);
    const record = await (async () => {
      // Stop the first host while "echo" is still in flight: its result is never recorded.
      let release!: () => void;
      const blocked = new Promise<void>((r) => (release = r));
      const first = await createTestHost({ clock, store, activities: { echo: async () => blocked } });
      const id = await first.client.startNew("waitsForGo");
      // Wait until the scheduled activity is in the store (a fixed pause flaked on a loaded machine).
      let snapshot = await store.load(id);
      for (const deadline = Date.now() + 20_000; !snapshot?.work.length && Date.now() < deadline;)
        snapshot = await new Promise((r) => setTimeout(r, 20)).then(() => store.load(id));
      first.engine.crash();
      await first.server.close();
      release();
      return snapshot!;
    })();
    expect(record.work.map((w) => w.name)).toEqual(["echo"]);

    const second = await createTestHost({ clock, store: TableInstanceStore.fromConnectionString(connection(), table) });
    try {
      await second.idle();
      expect(calls.echo).toEqual(["before wait"]);
      await second.client.raiseEvent(record.instanceId, "go", "resumed");
      expect((await second.runToCompletion(record.instanceId)).output).toBe("resumed");
    } finally {
      await second.stop();
    }
  });
});

describe("the instance store on Azurite", () => {
  it("reads one whole saved generation while another save replaces it (never the rows a save just deleted)", async () => {
    const store = TableInstanceStore.fromConnectionString(connection(), `reads${Date.now()}`);
    const record = (n: number) =>
      ({ instanceId: "racing", status: "Running", history: [], work: [], input: "x".repeat(n) }) as never;
    await store.save(record(1));
    let saving = true;
    const saves = (async () => {
      for (let n = 2; n <= 40; n++) await store.save(record(n));
      saving = false;
    })();
    const seen = new Set<number>();
    while (saving) {
      const loaded = (await store.load("racing")) as unknown as { input: string };
      seen.add(loaded.input.length);
    }
    await saves;
    expect(seen.size).toBeGreaterThan(1);
  });
});
