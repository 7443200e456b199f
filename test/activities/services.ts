/**
 * Activities run directly, on an in-memory store and a virtual clock, with one migration in it. Services other than
 * the store and the clock throw when touched, so a test also shows what an activity does not reach for.
 */
import { VirtualClock } from "../../local/host/clocks";
import type { MigrationRunner } from "../../app/ports";
import type { Services } from "../../shared/services";
import { MemoryMigrationStore } from "../../shared/store/memoryStore";
import type { MigrationStore } from "../../shared/store/port";
import { sampleRuntime } from "../store/adapters";

export const MIGRATION = "m1";

export interface ActivityWorld {
  s: Services;
  store: MigrationStore;
  clock: VirtualClock;
  /** An orchestration that is running (a cancel is only recorded, for it to act on). */
  runner: MigrationRunner;
}

export async function activityWorld(phase = "closing"): Promise<ActivityWorld> {
  const clock = new VirtualClock("2026-12-16T09:00:00Z");
  const store = new MemoryMigrationStore({ clock });
  const runtime = sampleRuntime();
  await store.createMigration({
    id: MIGRATION,
    workspace: runtime.request.workspace,
    domain: runtime.request.domain,
    phase,
    runtime,
    deadline: runtime.request.deadline,
  });
  const provided: Partial<Services> = { store, clock };
  const s = new Proxy(provided as Services, {
    get: (target, key) => {
      if (key in target) return target[key as keyof Services];
      throw new Error(`the activity touched services.${String(key)}`);
    },
  });
  const runner: MigrationRunner = {
    start: async () => {},
    wake: async () => {},
    status: async () => ({ runtimeStatus: "Running" }),
  };
  return { s, store, clock, runner };
}
