/**
 * The estimated Azure cost of the migrations the scale section ran (1,000, 10,000 and 100,000 users), beside the
 * admin hours the manual runbook would take for the same tenant. Figures from what each run measured; prices and
 * assumptions in local/bench/costModel.ts, explained in docs/cost.md.
 */
import type { BenchRow } from "./benchRow";
import type { ChildRun } from "./migrationChild";
import { estimateCost, manualAdminHours, MANUAL, PRICES } from "./costModel";

const usd = (x: number) => (x > 0 && x < 0.005 ? "under $0.01" : `$${x < 10 ? x.toFixed(2) : x.toFixed(0)}`);

export function costRows(runs: ChildRun[]): BenchRow[] {
  const sources = [...new Set(Object.values(PRICES).map((p) => `${p.source}, ${p.asOf}`))].join("; ");
  return runs.map((run, i) => {
    const { lines, totalUsd } = estimateCost(run.measured);
    const hours = manualAdminHours(run.measured);
    return {
      benchmark: `estimated Azure cost, ${run.users.toLocaleString("en")} users (${run.peigMode} mode, ${run.measured.days.toFixed(0)} days, ended ${run.finalPhase})`,
      figure: `${usd(totalUsd)}: ${lines.map((l) => `${l.item} ${usd(l.usd)} (${l.quantity})`).join("; ")}. By hand: about ${Math.round(hours)} admin hours`,
      target: "priced in docs/cost.md",
      note:
        i === 0
          ? `List prices (USD, East US, pay-as-you-go) with their sources: ${sources}. Counted in the run: orchestrator episodes, activity executions, HTTP calls, queue messages and history rows (the local host), the app store's Table transactions, the app's log lines, the mail sent; the task hub's storage work is derived from those per DurableTask.AzureStorage, and an always-ready instance's idle queue polls are added for the whole migration. Manual hours: ${MANUAL.fixedHours} h fixed, ${MANUAL.minutesPer100UsersPerCheck} min per 100 users per check (${MANUAL.checksPerWeek} checks a week), ${MANUAL.minutesPerAccount} min per Phase 2 account, ${MANUAL.minutesPerMerge} min per merge.`
          : undefined,
    };
  });
}
