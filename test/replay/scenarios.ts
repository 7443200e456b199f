/**
 * The migrations whose histories are recorded for the replay test (`npm run record-histories`): fixed
 * tenant seeds, the virtual clock from START, the same clicks at the same virtual times, so a new
 * recording differs from the last only where the code does (and in the random ids the app draws).
 */
import type { InstanceRecord } from "../../local/host/instanceStore";
import { plural } from "../../shared/domain/plural";
import { recordExecution, writeFixtures, type RecordedExecution } from "../../local/host/replay";
import {
  DAY,
  HOUR,
  peigAdminFollows,
  startBody,
  startScenario,
  type Scenario,
  type ScenarioOptions,
} from "../workflow/harness";

const CIO = "cio@contoso.com";
const CFO = "cfo@contoso.com";
const ADMIN = "it@contoso.com";
const openGate = (s: Scenario, id: string, purpose: string) => async () =>
  (await s.stack.store.listTasks(id, { status: "open" })).some((t) => t.gate?.startsWith(`${purpose}-`));

interface RecordingScenario {
  name: string;
  options: ScenarioOptions;
  run(s: Scenario): Promise<void>;
}

export const SCENARIOS: RecordingScenario[] = [
  {
    // api mode, 2 of 3: a rejection, a new round, one approval, a reminder round, the second approval.
    name: "api-rejection-2of3-reminders",
    options: { tenant: { users: 30, seed: 11, missRate: 0, mismatchRate: 0 } },
    run: async (s) => {
      const id = await s.start(startBody({ requiredApprovals: 2 }));
      await s.runUntil(async () => (await s.phase(id)) === "approval");
      await expectStatus(s.decide(s.taskLinks(CIO)[0], "reject", { reason: "finance users still travelling" }), 200);
      await expectStatus(s.api(`migrations/${id}/approval`, { method: "POST" }), 202);
      await s.host.idle();
      await expectStatus(s.decide(s.taskLinks(CIO).at(-1)!, "approve"), 200);
      await s.host.advanceBy(DAY + 1);
      await expectStatus(s.decide(s.taskLinks(CFO).at(-1)!, "approve"), 200);
      await s.runToEnd(id);
      await expectPhase(s, id, "completed");
    },
  },
  {
    // api mode: the deadline extended mid-window, a Graph outage (needs attention, then a resume once it is over),
    // Phase 2 for those who missed the window, Peig answering 503 now and then.
    name: "api-deadline-extension-outage-phase2-faults",
    options: {
      tenant: { users: 40, seed: 5, missRate: 0.3, mismatchRate: 0 },
      stack: { faults: { serverErrorRate: 0.05, seed: 3 } },
    },
    run: async (s) => {
      const id = await s.start();
      await s.host.advanceBy(3 * DAY);
      await expectStatus(
        s.api(`migrations/${id}/deadline`, {
          method: "POST",
          body: JSON.stringify({ deadline: "2026-12-18T09:00:00Z" }),
          headers: { "content-type": "application/json" },
        }),
        202,
      );
      await s.host.advanceBy(DAY);
      s.stack.graph.setFaults({
        scripted: [{ method: "GET", pathIncludes: "/users", status: 503, times: 1_000_000_000 }],
      });
      await s.runUntil(async () => (await s.status(id)).needsAttention != null, 2 * DAY);
      await s.host.advanceBy(6 * HOUR);
      s.stack.graph.setFaults({ scripted: [] });
      await expectStatus(s.api(`migrations/${id}/resume`, { method: "POST" }), 202);
      await s.host.idle();
      if ((await s.status(id)).needsAttention != null)
        throw new Error("the migration still needs attention after the resume");
      await s.runUntil(async () => (await s.phase(id)) === "approval", 30 * DAY);
      await expectStatus(s.decide(s.taskLinks(CIO).at(-1)!, "approve"), 200);
      await s.runToEnd(id);
      await expectPhase(s, id, "completed");
    },
  },
  {
    // api mode: users who typed another e-mail into Peig; the Peig admin confirms each merge task as it comes.
    name: "api-merge-task",
    options: { tenant: { users: 30, seed: 7, missRate: 0, mismatchRate: 0.1 } },
    run: async (s) => {
      const id = await s.start();
      const followed = new Set<string>();
      await s.runUntil(async () => {
        for (const link of s.taskLinks(ADMIN).filter((l) => !followed.has(l))) {
          followed.add(link);
          if ((await s.openTask(link)).status === 200) await peigAdminFollows(s, link);
        }
        return (await s.phase(id)) === "approval";
      }, 30 * DAY);
      await expectStatus(s.decide(s.taskLinks(CIO).at(-1)!, "approve"), 200);
      await s.runToEnd(id);
      await expectPhase(s, id, "completed");
    },
  },
  {
    // operator mode: every Peig step is a task for the Peig admin, progress comes from Entra sign-ins.
    name: "operator-start-to-finish",
    options: { peigMode: "operator", tenant: { users: 30, seed: 7, missRate: 0.2, mismatchRate: 0 } },
    run: async (s) => {
      const id = await s.start();
      const latest = () => s.taskLinks(ADMIN).at(-1)!;
      await peigAdminFollows(s, latest());
      await s.runUntil(openGate(s, id, "peigAccounts"), 30 * DAY);
      await peigAdminFollows(s, latest());
      await operatorMigrationEnds(s, id);
    },
  },
  {
    // operator mode, Phase 2 not done: its task expires (round 2 goes out), then is confirmed with two accounts not
    // made, so the verification asks again (round 3), which makes them; then on to the end.
    name: "operator-phase2-rounds",
    options: { peigMode: "operator", tenant: { users: 30, seed: 7, missRate: 0.2, mismatchRate: 0 } },
    run: async (s) => {
      const id = await s.start();
      const latest = () => s.taskLinks(ADMIN).at(-1)!;
      await peigAdminFollows(s, latest());
      await s.runUntil(openGate(s, id, "peigAccounts"), 30 * DAY);
      const second = async () => (await s.stack.store.listTasks(id, { gate: "peigAccounts-2" })).length > 0;
      await s.runUntil(second, 8 * DAY);
      const listed = (await s.stack.store.getUsers(id)).filter((u) => u.phase2.planned);
      for (const user of listed.slice(2)) s.stack.peig.state.createPeigAccount(user.userId);
      const page = await s.openTask(latest());
      const failed = { created: String(listed.length - 2), alreadyLinked: "0", failed: "2" };
      await expectStatus(
        s.postTask(latest(), { ...failed, csrf: page.csrf, decision: "done" }, { cookie: page.cookie }),
        200,
      );
      const third = async () => (await s.stack.store.listTasks(id, { gate: "peigAccounts-3" })).length > 0;
      await s.runUntil(third, DAY);
      await peigAdminFollows(s, latest());
      await operatorMigrationEnds(s, id);
    },
  },
];

/** Runs one scenario and returns every execution of every instance it started, in a stable order. */
export async function recordScenario(scenario: RecordingScenario): Promise<RecordedExecution[]> {
  const earlier: Promise<RecordedExecution>[] = [];
  const onContinueAsNew = (record: InstanceRecord) =>
    earlier.push(recordExecution(scenario.name, record, "continuedAsNew"));
  const s = await startScenario({ ...scenario.options, onContinueAsNew });
  try {
    await scenario.run(s);
    await s.host.idle();
    const instances = s.host.engine.listInstances();
    const last = await Promise.all(instances.map((r) => recordExecution(scenario.name, r, r.status)));
    const order = new Map(instances.map((r, i) => [r.instanceId, i]));
    return [...(await Promise.all(earlier)), ...last].sort(
      (a, b) => order.get(a.instanceId)! - order.get(b.instanceId)! || a.execution - b.execution,
    );
  } finally {
    await s.stop();
  }
}

export async function recordAll(root: string, log: (line: string) => void = () => {}): Promise<string[]> {
  const written: string[] = [];
  for (const scenario of SCENARIOS) {
    const executions = await recordScenario(scenario);
    const files = writeFixtures(root, scenario.name, executions);
    log(
      `${scenario.name}: ${plural(executions.length, "execution")} of ${plural(new Set(executions.map((e) => e.instanceId)).size, "instance")}`,
    );
    written.push(...files);
  }
  return written;
}

/** Operator mode from Phase 2's end: the Peig admin confirms the checklist, the CIO approves, the Peig admin deletes. */
async function operatorMigrationEnds(s: Scenario, id: string): Promise<void> {
  const latest = () => s.taskLinks(ADMIN).at(-1)!;
  await s.runUntil(openGate(s, id, "peigChecklist"), 5 * DAY);
  await peigAdminFollows(s, latest());
  await s.runUntil(async () => (await s.phase(id)) === "approval", 5 * DAY);
  await expectStatus(s.decide(s.taskLinks(CIO).at(-1)!, "approve"), 200);
  await s.runUntil(openGate(s, id, "peigDeletion"), 5 * DAY);
  await peigAdminFollows(s, latest());
  await s.runToEnd(id);
  await expectPhase(s, id, "completed");
}

async function expectPhase(s: Scenario, id: string, phase: string): Promise<void> {
  const now = await s.phase(id);
  if (now !== phase) throw new Error(`the migration ended in phase ${now}, not ${phase}`);
}

async function expectStatus(response: Promise<Response>, status: number): Promise<void> {
  const res = await response;
  if (res.status !== status) throw new Error(`expected HTTP ${status}, got ${res.status}: ${await res.text()}`);
}
