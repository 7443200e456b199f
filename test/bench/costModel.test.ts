/**
 * The cost estimate's arithmetic (local/bench/costModel.ts) on a fixed measurement, and docs/cost.md naming every price
 * the bench uses with the same figure and source.
 */
import { readFileSync } from "fs";
import { join } from "path";
import {
  estimateCost,
  manualAdminHours,
  PRICES,
  taskHubQueueOperations,
  taskHubTableTransactions,
  type MeasuredRun,
} from "../../local/bench/costModel";

const run: MeasuredRun = {
  users: 10_000,
  days: 10,
  durable: {
    orchestratorEpisodes: 100,
    orchestratorMs: 1_000,
    activityExecutions: 50,
    activityMs: 9_000,
    queueMessages: 200,
    historyEventsWritten: 500,
    historyEventsRead: 2_000,
  },
  httpInvocations: 10,
  storeTransactions: 5_000,
  remoteCalls: 0,
  logLines: { count: 100, bytes: 50_000 },
  mailMessages: 40,
  phase2Accounts: 600,
  mismatched: 30,
};

describe("the cost estimate", () => {
  it("prices what the run measured, line by line", () => {
    const { lines, totalUsd } = estimateCost(run);
    const line = (item: string) => lines.find((l) => l.item === item)!.usd;
    expect(line("Functions executions")).toBeCloseTo((160 / 1e6) * 0.4, 10);
    expect(line("Functions execution time")).toBeCloseTo(10 * 2 * 0.000016, 10);
    expect(line("Functions always-ready baseline")).toBeCloseTo(10 * 86_400 * 2 * 0.000004, 6);
    expect(line("E-mail")).toBe(0);
    expect(totalUsd).toBeCloseTo(
      lines.reduce((a, l) => a + l.usd, 0),
      10,
    );
  });

  it("derives the task hub's storage work from the host's counts", () => {
    // writes max(100, 5) + 100 instance updates + reads max(100, 2)
    expect(taskHubTableTransactions(run.durable)).toBe(300);
    // 200 messages × 3, and 10 days of polls of 5 queues every 10 s
    expect(taskHubQueueOperations(run.durable, 10)).toBe(600 + 432_000);
  });

  it("sets the manual runbook's hours by the stated assumptions", () => {
    // 8 h + (100 × 1 min × 3 checks) + 600 × 1 min + 30 × 2 min = 8 h + 960 min
    expect(manualAdminHours(run)).toBeCloseTo(8 + 960 / 60, 6);
  });

  it("has every price in docs/cost.md with its figure and source page", () => {
    const doc = readFileSync(join(__dirname, "../../docs/cost.md"), "utf8");
    for (const [key, price] of Object.entries(PRICES)) {
      const row = doc.split("\n").find((l) => l.startsWith(`| \`${key}\``));
      expect(row).toBeDefined();
      expect(row).toContain(`$${price.usd}`);
      const page = /https:\/\/[^\s)]+/.exec(price.source)![0];
      expect(doc).toContain(page.replace(/\/$/, ""));
    }
    expect(doc).toContain("May 2025");
  });
});
