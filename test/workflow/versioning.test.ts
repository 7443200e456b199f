/**
 * A deploy in the middle of an onboarding window: the running migration finishes under the rules it
 * started with (version 1.0: Phase 2 in waves of 4 batches), while a migration started after the
 * deploy runs under version 3.0 (waves of 8, as since 2.0).
 */
import { VirtualClock } from "../../local/host/clocks";
import { MemoryInstanceStore, type InstanceRecord } from "../../local/host/instanceStore";
import { createTestHost, type TestHost } from "../../local/host/testHost";
import { startLocalStack, type LocalStack } from "../../local/stack";
import { DAY, START, startBody } from "./harness";

const TENANT = { users: 600, seed: 5, missRate: 0.85, mismatchRate: 0 };

async function start(host: TestHost, body: Record<string, unknown>): Promise<string> {
  const res = await host.fetchApi("migrations", {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

/** Plays the approvers: approves every deletion link as it arrives, until the migration completes. */
async function finish(host: TestHost, stack: LocalStack, id: string): Promise<void> {
  const approved = new Set<string>();
  for (let steps = 0; steps < 10_000; steps++) {
    const phase = (await stack.store.getMigration(id))!.phase;
    if (["completed", "failed", "cancelled"].includes(phase)) return;
    for (const mail of stack.graph.outbox) {
      for (const [, link] of mail.html.matchAll(/href="([^"]*\/api\/tasks\/[^"]+)"/g)) {
        if (approved.has(link)) continue;
        approved.add(link);
        const page = await fetch(link);
        if (page.status !== 200) continue;
        const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1];
        const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0];
        await fetch(link, {
          method: "POST",
          body: new URLSearchParams({ csrf, decision: "approve" }),
          headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        });
      }
    }
    await host.idle();
    const next = host.engine.nextTimer();
    if (next) await host.advanceTo(next.fireAt);
  }
  throw new Error("migration did not finish");
}

/** Phase 2 sub-orchestrations grouped by the parent execution that scheduled them: the wave sizes. */
function phase2Waves(host: TestHost, id: string): number[] {
  const children = host.engine
    .listInstances()
    .filter((r: InstanceRecord) => r.parent?.instanceId === id && r.instanceId.includes("-phase2-"));
  const waves = new Map<number, number>();
  for (const child of children) waves.set(child.parent!.executionId, (waves.get(child.parent!.executionId) ?? 0) + 1);
  return [...waves.entries()].sort(([a], [b]) => a - b).map(([, n]) => n);
}

describe("deploying version 3.0 mid-window", () => {
  it("lets the running migration finish under 1.0 (waves of 4) while a new one runs under 3.0 (waves of 8)", async () => {
    const clock = new VirtualClock(START);
    const store = new MemoryInstanceStore();
    const v1 = await createTestHost({ clock, store, defaultVersion: "1.0" });
    const port = Number(new URL(v1.baseUrl).port);
    let stack = await startLocalStack({ clock, publicBaseUrl: v1.baseUrl, tenant: TENANT });
    const hosts: TestHost[] = [v1];
    try {
      const first = await start(v1, startBody({ approvers: ["cio@contoso.com"], monitorEvery: "P1D" }));
      await v1.advanceBy(5 * DAY);
      expect((await stack.store.getMigration(first))!.phase).toBe("onboarding");

      // The deploy: the old host stops, the new code (defaultVersion 3.0) takes over the same task hub.
      await v1.stop();
      const v2 = await createTestHost({ clock, store, defaultVersion: "3.0", port });
      hosts.push(v2);
      await finish(v2, stack, first);
      expect(v2.instance(first).version).toBe("1.0");
      expect(phase2Waves(v2, first)).toEqual([4, 4, 2]);

      await stack.stop();
      stack = await startLocalStack({ clock, publicBaseUrl: v2.baseUrl, tenant: TENANT });
      const second = await start(
        v2,
        startBody({
          approvers: ["cio@contoso.com"],
          monitorEvery: "P1D",
          deadline: new Date(clock.now().getTime() + 14 * DAY).toISOString(),
        }),
      );
      await finish(v2, stack, second);
      expect(v2.instance(second).version).toBe("3.0");
      expect(phase2Waves(v2, second)).toEqual([8, 2]);
      expect((await stack.store.getMigration(second))!.phase).toBe("completed");
    } finally {
      for (const h of hosts) await h.stop().catch(() => undefined);
      await stack.stop();
    }
  });
});
