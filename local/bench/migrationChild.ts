/**
 * One full migration in a process of its own (`node -r sucrase/register/ts
 * local/bench/migrationChild.ts <users> [api|operator]`), so that its peak RSS is its own: prints one JSON line.
 */
import { installCoreShim } from "../host/installCoreShim";
import type { MigrationRunResult } from "./migrationRun";

installCoreShim();

export interface ChildRun {
  users: number;
  peigMode: "api" | "operator";
  inScope: number;
  wallMs: number;
  finalPhase: string;
  peakRssBytes: number;
  mail: { senders: number; undelivered: number; maxRecipientsPer24h: number; messagesSent: number };
  signInLog: MigrationRunResult["signInLog"];
  phaseDetail: MigrationRunResult["phaseDetail"];
  measured: MigrationRunResult["measured"];
}

async function main(): Promise<void> {
  const users = Number(process.argv[2]);
  if (!Number.isInteger(users) || users < 1)
    throw new Error(`usage: migrationChild.ts <users> [api|operator], got ${process.argv[2]}`);
  const peigMode = process.argv[3] ?? "api";
  if (peigMode !== "api" && peigMode !== "operator")
    throw new Error(`usage: migrationChild.ts <users> [api|operator], got ${peigMode}`);
  const { runMigration } = await import("./migrationRun");
  const run = await runMigration({ tenant: { users, seed: 7, mismatchRate: 0 }, peigMode });
  // resourceUsage().maxRSS is in kilobytes (https://nodejs.org/api/process.html#processresourceusage).
  const result: ChildRun = {
    users,
    peigMode,
    inScope: run.inScope,
    wallMs: run.wallMs,
    finalPhase: run.finalPhase,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    mail: {
      senders: run.mail.senders,
      undelivered: run.mail.undelivered,
      maxRecipientsPer24h: run.mail.maxRecipientsPer24h,
      messagesSent: run.mail.messagesSent,
    },
    signInLog: run.signInLog,
    phaseDetail: run.phaseDetail,
    measured: run.measured,
  };
  console.log(JSON.stringify(result));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
