/**
 * A deploy in the middle of an onboarding window (synthetic versions 1.0 and 1.1): the running migration
 * keeps the version it started with to the end, its Phase 2 batches run under it too, and a migration started
 * after the deploy runs under the new one. This is what lets a raised version keep an older code path for the
 * instances that were waiting (docs/architecture.md, "Versions").
 */
import { VirtualClock } from "../../local/host/clocks";
import { MemoryInstanceStore, type InstanceRecord } from "../../local/host/instanceStore";
import { createTestHost, type TestHost } from "../../local/host/testHost";
import { startLocalStack, type LocalStack } from "../../local/stack";
import { DAY, START, startBody } from "./harness";

const TENANT = { users: 160, seed: 5, missRate: 0.85, mismatchRate: 0 };

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

/** The versions the migration's Phase 2 batch sub-orchestrations ran under (one entry per batch). */
function phase2Versions(host: TestHost, id: string): (string | undefined)[] {
  return host.engine
    .listInstances()
    .filter((r: InstanceRecord) => r.parent?.instanceId === id && r.instanceId.includes("-phase2-"))
    .map((r) => r.version);
}

describe("deploying a new version mid-window", () => {
  it("lets the running migration finish under the version it started with, its batches too, while a new one runs under the new version", async () => {
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

      // The deploy: the old host stops, the new code (defaultVersion 1.1) takes over the same task hub.
      await v1.stop();
      const v2 = await createTestHost({ clock, store, defaultVersion: "1.1", port });
      hosts.push(v2);
      await finish(v2, stack, first);
      expect(v2.instance(first).version).toBe("1.0");
      const firstBatches = phase2Versions(v2, first);
      expect(firstBatches.length).toBeGreaterThan(1);
      expect(new Set(firstBatches)).toEqual(new Set(["1.0"]));
      expect((await stack.store.getMigration(first))!.phase).toBe("completed");

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
      expect(v2.instance(second).version).toBe("1.1");
      expect(new Set(phase2Versions(v2, second))).toEqual(new Set(["1.1"]));
      expect((await stack.store.getMigration(second))!.phase).toBe("completed");
    } finally {
      for (const h of hosts) await h.stop().catch(() => undefined);
      await stack.stop();
    }
  });
});
