/**
 * The reconciliation of a 100,000-user tenant (api mode): wall time of `reconcile` alone, best of 3, and
 * the memory it takes. Peak RSS comes from the kernel's high-water mark (reset just before the call,
 * Linux /proc/self/clear_refs); the heap figure is what stays allocated for the result once garbage is
 * collected.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { reconcile, type Reconciliation } from "../../shared/domain/reconcile";
import type { M365User, Microsoft365Account, OnboardingRequest, PeigState, PeigUser } from "../../shared/domain/types";
import { generateTenant, inScopeUsers, type Tenant } from "../fixtures/tenant";
import type { BenchRow } from "./benchRow";

const USERS = 100_000;
const MB = 1024 * 1024;

/**
 * What Peig shows at the deadline for this tenant's behaviour: onboarders linked and Active, except that
 * every 50th has a request still pending under their own address; those who typed another address have
 * a mismatched pending request; every 20th who missed the window has a Phase 2 placeholder (Not Onboarded).
 */
export function peigStateAtDeadline(tenant: Tenant): PeigState {
  const users: PeigUser[] = [];
  const pendingRequests: OnboardingRequest[] = [];
  const accounts: Microsoft365Account[] = [];
  const members = tenant.users.filter((u) => u.accountEnabled && u.userType === "Member");
  members.forEach((user, i) => {
    const address = user.mail ?? user.userPrincipalName;
    const link = (status: PeigUser["status"]) => {
      users.push({ id: `peig-${i}`, email: address, displayName: user.displayName, status });
      accounts.push({
        id: user.id,
        userPrincipalName: user.userPrincipalName,
        mail: user.mail,
        linkStatus: "linked",
        peigAccountId: `peig-${i}`,
      });
    };
    const request = (email: string) =>
      pendingRequests.push({
        id: `req-${i}`,
        email,
        displayName: user.displayName,
        submittedAt: "2026-12-02T10:00:00Z",
      });
    const { onboardsAt, typedEmail } = user.behaviour;
    if (onboardsAt !== null && typedEmail) request(typedEmail);
    else if (onboardsAt !== null && i % 50 === 0) request(address);
    else if (onboardsAt !== null) return link("Active");
    else if (i % 20 === 0) return link("Not Onboarded");
    accounts.push({
      id: user.id,
      userPrincipalName: user.userPrincipalName,
      mail: user.mail,
      linkStatus: "unlinked",
      peigAccountId: null,
    });
  });
  return { users, pendingRequests, microsoft365Accounts: accounts };
}

const asGraphReturnsThem = (tenant: Tenant): M365User[] =>
  inScopeUsers(tenant).map((u) => ({
    id: u.id,
    displayName: u.displayName,
    userPrincipalName: u.userPrincipalName,
    mail: u.mail,
    proxyAddresses: u.proxyAddresses,
    otherMails: u.otherMails,
  }));

function collectGarbage(): () => void {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  return () => {
    gc();
    gc();
  };
}

/** Resets the kernel's peak-RSS mark; false where that is not possible (not Linux, no permission). */
function resetPeakRss(): boolean {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

const peakRssBytes = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0) * 1024;

export async function reconcileBenchmarks(): Promise<BenchRow[]> {
  const tenant = generateTenant({ users: USERS });
  const input = { mode: "api" as const, users: asGraphReturnsThem(tenant), peig: peigStateAtDeadline(tenant) };
  const gc = collectGarbage();

  const times: number[] = [];
  for (let run = 0; run < 3; run++) {
    gc();
    const start = performance.now();
    reconcile(input);
    times.push(performance.now() - start);
  }
  const best = Math.min(...times);

  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  const canReset = resetPeakRss();
  let kept: Reconciliation | undefined = reconcile(input);
  const peakRss = canReset ? peakRssBytes() - rssBefore : undefined;
  gc();
  const retainedHeap = process.memoryUsage().heapUsed - heapBefore;
  const { counts } = kept;
  kept = undefined;

  const linkedActive = input.peig.users.filter((u) => u.status === "Active").length;
  const memoryMb = (peakRss ?? retainedHeap) / MB;
  const mix = `${input.users.length.toLocaleString("en")} in scope: ${counts.onboarded} onboarded, ${counts.pendingRequest} pending, ${counts.mismatched} mismatched, ${counts.awaitingOnboarding} awaiting, ${counts.notOnboarded} not onboarded; ${input.peig.pendingRequests.length} requests`;
  return [
    {
      benchmark: `reconcile 100,000 users (api mode), best of 3`,
      figure: `${best.toFixed(0)} ms (runs: ${times.map((t) => t.toFixed(0)).join(", ")} ms)`,
      target: "≤ 1 s",
      met: best <= 1000,
      note: `Tenant generateTenant({users: 100000}); ${mix}. Peig state: ${linkedActive.toLocaleString("en")} linked + Active (${((linkedActive / input.users.length) * 100).toFixed(0)}% of in scope). Timed: reconcile() alone.`,
    },
    {
      benchmark: `reconcile 100,000 users: memory`,
      figure:
        peakRss === undefined
          ? `${(retainedHeap / MB).toFixed(0)} MB retained heap`
          : `${(peakRss / MB).toFixed(0)} MB peak RSS rise; ${(retainedHeap / MB).toFixed(0)} MB heap retained by the result`,
      target: "≤ 300 MB",
      met: memoryMb <= 300,
      note:
        (peakRss === undefined
          ? "Peak RSS unavailable (no /proc/self/clear_refs): judged on the heap the result retains after GC. "
          : "Judged on the peak RSS rise: the kernel's high-water mark (VmHWM) reset just before the call, minus RSS before it. ") +
        "Heap retained = heapUsed after a full GC with the result alive, minus before.",
    },
  ];
}
