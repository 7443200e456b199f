/**
 * Fast orchestration tests (as Temporal's tests mock activities): the real orchestrations on the local host
 * with a virtual clock, every activity replaced by a scripted fake. No simulators, no store: a test says
 * what each activity answers and checks which activities the orchestration called, with what, and when.
 */
import { sampleStartRequest, START } from "../../local/fixtures/startRequest";
import { VirtualClock } from "../../local/host/clocks";
import type { ActivityHandler } from "../../local/host/engine";
import type { InstanceRecord } from "../../local/host/instanceStore";
import { createTestHost, type TestHost } from "../../local/host/testHost";
import { registerOrchestrations } from "../../orchestrations";
import type { ActivityInput, ActivityName, ActivityResult } from "../../orchestrations/common";
import { defaultTimings } from "../../shared/domain/waits";
import type { MigrationRuntime } from "../../shared/migrationRuntime";
import { Events, gateId, initialState, type MigrationRequest, type MigrationState } from "../../shared/workflow";

registerOrchestrations();

export type Fakes = { [K in ActivityName]?: (input: ActivityInput<K>) => ActivityResult<K> };

export interface Call {
  name: ActivityName;
  input: Record<string, unknown>;
  /** The virtual time the activity ran at. */
  at: string;
}

export interface FakeRun {
  host: TestHost;
  id: string;
  calls: Call[];
  /** The calls of one activity, in order. */
  callsOf(name: ActivityName): Call[];
  /** The phases recorded through recordPhase, in order. */
  phases(): string[];
  wake(): Promise<void>;
  stop(): Promise<void>;
}

/** What every activity answers unless the test scripts it: a migration where everything simply works. */
function defaults(deadline: () => string): Required<Fakes> {
  const tally = (gate: string) => ({ gate, approvals: [], rejections: [], done: [], open: 3 });
  return {
    resolvePeigServer: () => "pap01.contoso.com",
    createMigrationApp: () => ({ appId: "app-1", thumbprint: "T", certificateNotAfter: "2029-12-01T00:00:00.000Z" }),
    configurePeigMigration: () => "saved",
    openHumanTasks: (i) => ({ gate: gateId(i.purpose, i.round), assignees: 3 }),
    tallyHumanTasks: (i) => tally(i.gate),
    remindHumanTasks: () => 3,
    closeHumanTasks: () => 3,
    escalateHumanTasks: () => 2,
    sendInvitations: () => ({ recipients: 10, messages: 1 }),
    sendReminders: () => ({ recipients: 10, messages: 1 }),
    monitorOnboarding: () => ({
      inScope: 10,
      onboarded: 0,
      pending: 0,
      mismatched: 0,
      notOnboarded: 10,
      phase2Created: 0,
      phase2Failed: 0,
    }),
    readAdminCommands: () => ({ deadline: deadline() }),
    planPhase2: () => ({ users: 0, batches: 0 }),
    createPeigAccounts: () => ({ created: 0, failed: 0 }),
    verifyChecklist: () => ({ checklist: [], readyForDeletion: true, reasons: [] }),
    recordPhase: () => undefined,
    beginDeletion: () => ({ ok: true }),
    deletePeigMigrationConfiguration: () => "deleted",
    deleteMigrationApp: () => ({ servicePrincipal: "deleted", application: "deleted" }),
    writeReport: () => ({ checklist: [] }),
    notifyAdmins: () => undefined,
    planMerges: () => ({ asks: 0, requests: 0 }),
    performMerges: () => ({ merged: 0, alreadyHandled: 0, failed: 0 }),
    recordAttention: () => undefined,
    recordWave: () => undefined,
  };
}

/**
 * Starts the migration orchestration at `state` (from `initialState` of the sample request, changed by the
 * test) at START, with `fakes` over the defaults.
 */
export async function runWithFakes(options: {
  request?: Partial<MigrationRequest>;
  state?: Partial<MigrationState>;
  fakes?: Fakes;
  /** Sees each execution's last state as it continues as new (the timers it still holds, say). */
  onContinueAsNew?: (record: InstanceRecord) => void;
  /** The orchestration version the host gives the instance (default: host.json's). */
  version?: string;
}): Promise<FakeRun> {
  const request = { ...sampleStartRequest(), ...options.request } as MigrationRequest;
  const runtime: MigrationRuntime = {
    request,
    peigMode: "api",
    taskLinkTtlMs: 2 * 86_400_000,
    timings: defaultTimings,
    commands: {},
    sent: [],
  };
  const id = "00000000-0000-4000-8000-000000000001";
  const state: MigrationState = { ...initialState(id, runtime), ...options.state };
  const calls: Call[] = [];
  const clock = new VirtualClock(START);
  const table: Fakes = { ...defaults(() => state.deadline), ...options.fakes };
  const handlers: Record<string, ActivityHandler> = {};
  for (const name of Object.keys(table) as ActivityName[]) {
    handlers[name] = (input) => {
      calls.push({ name, input: input as Record<string, unknown>, at: clock.now().toISOString() });
      return (table[name] as (input: unknown) => unknown)(input);
    };
  }
  const host = await createTestHost({
    clock,
    activities: handlers,
    onContinueAsNew: options.onContinueAsNew,
    ...(options.version ? { defaultVersion: options.version } : {}),
  });
  await host.client.startNew("migration", { instanceId: id, input: state });
  await host.idle();
  return {
    host,
    id,
    calls,
    callsOf: (name) => calls.filter((c) => c.name === name),
    phases: () => calls.filter((c) => c.name === "recordPhase").map((c) => String(c.input.phase)),
    wake: async () => {
      await host.client.raiseEvent(id, Events.wake, {});
      await host.idle();
    },
    stop: () => host.stop(),
  };
}

/** `START` plus `ms`, as the ISO text activity calls are stamped with. */
export const afterStart = (ms: number) => new Date(Date.parse(START) + ms).toISOString();
