/**
 * The daily history purge (app/purgeHistories.ts): a timer function with the Durable client, which deletes finished
 * migrations' instances once their retention has passed. A timer trigger runs on one instance at a time (the host
 * holds a blob lease for it), and a missed run is made up at the next start (`runOnStartup` stays off: a restart
 * loop must not purge in a loop).
 */
import * as df from "durable-functions";
import { purgeFinishedHistories } from "../app/purgeHistories";
import type { InstanceHistory } from "../app/ports";
import { services } from "../shared/services";

/** Every day at 02:30 UTC (NCRONTAB: second minute hour day month weekday). */
export const HISTORY_PURGE_SCHEDULE = "0 30 2 * * *";

/** The task hub's instances through the Durable client (the management API the extension serves). */
export function durableInstanceHistory(client: df.DurableClient): InstanceHistory {
  return {
    runtimeStatus: async (id) => {
      const status = await client.getStatus(id, { showInput: false }).catch(() => undefined);
      return status ? String(status.runtimeStatus) : undefined;
    },
    createdBetween: async (from, to) =>
      (await client.getStatusBy({ createdTimeFrom: from, createdTimeTo: to })).map((s) => ({
        instanceId: s.instanceId,
        runtimeStatus: String(s.runtimeStatus),
      })),
    purge: async (id) => (await client.purgeInstanceHistory(id)).instancesDeleted,
  };
}

export function registerRetentionFunctions(): void {
  df.app.client.timer("purgeFinishedHistories", {
    schedule: HISTORY_PURGE_SCHEDULE,
    // Each purge is audited (`history.purged`), and so logged with its migration's id.
    handler: async (_timer, client) => void (await purgeFinishedHistories(services(), durableInstanceHistory(client))),
  });
}
