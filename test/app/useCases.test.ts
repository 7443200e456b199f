/**
 * The use cases without HTTP or an engine: an in-memory store, a virtual clock, a recording runner and a fake
 * Peig. What each command accepts or refuses (and why), what it records, when the page offers it, and the start's
 * refusal of a workspace that is not free, before anything outside the store is read or written.
 */
import { randomUUID } from "node:crypto";
import {
  allowedActions,
  cancelMigration,
  extendDeadline,
  requestApprovalAgain,
  resumeMigration,
} from "../../app/adminCommands";
import { listMigrations, migrationStatus } from "../../app/migrationViews";
import { exemptPerson, extendPersonDeadline } from "../../app/people";
import type { AppDeps, MigrationRunner } from "../../app/ports";
import { startMigration } from "../../app/startMigration";
import { sampleStartRequest, START } from "../../local/fixtures/startRequest";
import { VirtualClock } from "../../local/host/clocks";
import { loadSettings } from "../../shared/config";
import type { EntraPort } from "../../shared/entra/port";
import type { MailPort } from "../../shared/mail/port";
import type { MigrationConfigurationState, PeigPort } from "../../shared/peig/port";
import { RequestCounter } from "../../shared/requestCounter";
import { MemoryMigrationStore, type MigrationRecord, type TaskRecord } from "../../shared/store";
import type { Attention, MigrationState } from "../../shared/workflow";
import { sampleRuntime } from "../store/adapters";

interface Rig {
  deps: AppDeps;
  runner: MigrationRunner & { started: string[]; woken: string[]; runtimeStatus: string | undefined };
  clock: VirtualClock;
  peig: { configuration: MigrationConfigurationState };
}

/** Entra, mail and (unless given) Peig throw when touched: a refused start must not reach them. */
function rig(options: { peigMode?: "api" | "operator" } = {}): Rig {
  const clock = new VirtualClock(START);
  const untouched = <T extends object>(name: string) =>
    new Proxy({} as T, {
      get: (_t, key) => () => {
        throw new Error(`${name}.${String(key)} must not be called`);
      },
    });
  const peig = { configuration: { state: "none" } as MigrationConfigurationState };
  const peigPort = new Proxy({} as PeigPort, {
    get: (_t, key) =>
      key === "getMigrationConfiguration"
        ? async () => peig.configuration
        : () => {
            throw new Error(`peig.${String(key)} must not be called`);
          },
  });
  const mode = options.peigMode ?? "api";
  const settings = loadSettings({
    MIGRATION_STORAGE_CONNECTION: "memory",
    MAIL_SENDER: "migration@contoso.com",
    PUBLIC_BASE_URL: "https://migrate.contoso.com",
    PEIG_MODE: mode,
    ...(mode === "api" ? { PEIG_API_BASE_URL: "https://pap01.contoso.com/admin-api/v1", PEIG_API_KEY: "k" } : {}),
  });
  const runner = {
    started: [] as string[],
    woken: [] as string[],
    runtimeStatus: "Running" as string | undefined,
    start: async (id: string, _input: MigrationState) => void runner.started.push(id),
    wake: async (id: string) => void runner.woken.push(id),
    status: async () => (runner.runtimeStatus ? { runtimeStatus: runner.runtimeStatus } : undefined),
  };
  const deps: AppDeps = {
    settings,
    clock,
    store: new MemoryMigrationStore({ clock }),
    entra: untouched<EntraPort>("entra"),
    mail: untouched<MailPort>("mail"),
    peig: mode === "api" ? peigPort : undefined,
    counters: { graph: new RequestCounter(), peig: new RequestCounter(), store: new RequestCounter() },
  };
  return { deps, runner, clock, peig };
}

/** A migration row as a start writes it, in `phase`, with `runtime` changes. */
async function migrationIn(
  r: Rig,
  phase: string,
  change: Partial<MigrationRecord["runtime"]> = {},
  workspace = "contoso",
): Promise<string> {
  const id = randomUUID();
  const runtime = sampleRuntime({ ...change, request: { ...(change.request ?? sampleRuntime().request), workspace } });
  await r.deps.store.createMigration({
    id,
    workspace,
    domain: "contoso.com",
    phase: "setup",
    deadline: runtime.request.deadline,
    runtime,
  });
  if (phase !== "setup")
    await r.deps.store.updateMigration(id, { phase, status: phase === "completed" ? "completed" : "running" });
  return id;
}

const attention = (nextAttemptAt?: string): Attention => ({
  step: "monitorOnboarding",
  service: "graph",
  status: 503,
  message: "unavailable",
  fix: "wait",
  incident: 1,
  since: START,
  failures: 3,
  lastAttemptAt: START,
  nextAttemptAt,
  needed: true,
});
const actionsOf = async (r: Rig, id: string, tasks: Partial<TaskRecord>[] = []) =>
  allowedActions((await r.deps.store.getMigration(id))!, tasks as TaskRecord[]);
const auditActions = async (r: Rig, id: string) => (await r.deps.store.listAudit(id)).map((a) => a.action);

describe("which commands the status page offers", () => {
  it("offers the deadline, cancel and the per-person commands while the window is open, never on a finished migration", async () => {
    const r = rig();
    expect(await actionsOf(r, await migrationIn(r, "onboarding"))).toEqual([
      "extendDeadline",
      "cancel",
      "exemptPerson",
      "resendInvitation",
      "extendPersonDeadline",
    ]);
    expect(await actionsOf(r, await migrationIn(r, "verification", {}, "fabrikam"))).toEqual(["cancel"]);
    expect(await actionsOf(r, await migrationIn(r, "completed", {}, "tailspin"))).toEqual([]);
  });

  it("offers resume only while a step is failing, and cancel not again once requested or after deletion began", async () => {
    const r = rig();
    const failing = await migrationIn(r, "onboarding", { attention: attention() });
    expect(await actionsOf(r, failing)).toEqual([
      "extendDeadline",
      "cancel",
      "resume",
      "exemptPerson",
      "resendInvitation",
      "extendPersonDeadline",
    ]);
    const cancelling = await migrationIn(
      r,
      "onboarding",
      { commands: { cancelRequested: { reason: "x", by: "a", at: START } } },
      "fabrikam",
    );
    expect(await actionsOf(r, cancelling)).toEqual(["extendDeadline"]);
    const deleting = await migrationIn(r, "closing", { deletionStartedAt: START }, "tailspin");
    expect(await actionsOf(r, deleting)).toEqual([]);
  });

  it("offers asking the approvers again at the approval gate only when no approval link is open", async () => {
    const r = rig();
    const id = await migrationIn(r, "approval");
    expect(await actionsOf(r, id)).toEqual(["cancel", "requestApprovalAgain"]);
    expect(await actionsOf(r, id, [{ gate: "deletionApproval-2" }])).toEqual(["cancel"]);
    // Another gate's task (the Peig admin's merge task) does not hold the approvers back.
    expect(await actionsOf(r, id, [{ gate: "peigMerges-1" }])).toEqual(["cancel", "requestApprovalAgain"]);
  });
});

describe("extending the deadline", () => {
  it("accepts a later deadline, records from and to, and wakes the orchestration", async () => {
    const r = rig();
    const id = await migrationIn(r, "onboarding");
    const result = await extendDeadline(r.deps, r.runner, id, { deadline: "2026-12-20T09:00:00Z" }, "ann");
    expect(result).toEqual({ kind: "accepted", deadline: "2026-12-20T09:00:00.000Z" });
    expect((await r.deps.store.getMigration(id))!.deadline).toBe("2026-12-20T09:00:00.000Z");
    expect((await r.deps.store.listAudit(id)).at(-1)).toMatchObject({
      actor: "admin:ann",
      action: "deadline.extended",
      details: { from: "2026-12-15T09:00:00Z", to: "2026-12-20T09:00:00.000Z" },
    });
    expect(r.runner.woken).toEqual([id]);
  });

  it("reads the status page's date and time in the migration's zone; the JSON API's must carry an offset", async () => {
    const r = rig();
    const id = await migrationIn(r, "onboarding", {
      request: { ...sampleRuntime().request, timeZone: "Europe/Prague" },
    });
    const wallClock = { deadline: "2026-12-20T18:00" };
    expect(await extendDeadline(r.deps, r.runner, id, wallClock, "ann", { wallClock: true })).toEqual({
      kind: "accepted",
      deadline: "2026-12-20T17:00:00.000Z",
    });
    expect(await extendDeadline(r.deps, r.runner, id, { deadline: "2026-12-21T18:00" }, "ann")).toMatchObject({
      kind: "invalid",
      errors: [{ field: "deadline" }],
    });
  });

  it("names the field for an earlier deadline, refuses once the window closed, and knows no unknown migration", async () => {
    const r = rig();
    const open = await migrationIn(r, "onboarding");
    const earlier = await extendDeadline(r.deps, r.runner, open, { deadline: "2026-12-10T09:00:00Z" }, "ann");
    expect(earlier).toMatchObject({ kind: "invalid", errors: [{ field: "deadline" }] });
    const closed = await migrationIn(r, "verification", {}, "fabrikam");
    const late = await extendDeadline(r.deps, r.runner, closed, { deadline: "2026-12-20T09:00:00Z" }, "ann");
    expect(late).toMatchObject({ kind: "conflict", reason: expect.stringMatching(/too late/) });
    expect(await extendDeadline(r.deps, r.runner, randomUUID(), { deadline: "2026-12-20T09:00:00Z" }, "ann")).toEqual({
      kind: "notFound",
    });
    expect(r.runner.woken).toEqual([]);
  });
});

describe("one person's later deadline", () => {
  const DEADLINE = sampleRuntime().request.deadline;
  async function withPeople(r: Rig, phase = "onboarding") {
    const id = await migrationIn(r, phase);
    await r.deps.store.upsertUsers(id, [
      { userId: "u-ann", userPrincipalName: "ann@contoso.com", displayName: "Ann", state: "notOnboarded" },
      { userId: "u-bob", userPrincipalName: "bob@contoso.com", displayName: "Bob", state: "onboarded" },
    ]);
    return id;
  }
  const later = (days: number) => new Date(Date.parse(DEADLINE) + days * 86_400_000).toISOString();

  it("records theirs with the one it replaces, audits it and wakes the workflow; a second one moves it on", async () => {
    const r = rig();
    const id = await withPeople(r);
    const first = await extendPersonDeadline(
      r.deps,
      r.runner,
      id,
      { user: "ANN@contoso.com", deadline: later(7) },
      "it",
    );
    expect(first).toMatchObject({
      kind: "accepted",
      extension: { userId: "u-ann", deadline: later(7), from: DEADLINE },
    });
    const second = await extendPersonDeadline(
      r.deps,
      r.runner,
      id,
      { user: "u-ann", deadline: later(10), reason: " still away " },
      "it",
    );
    expect(second).toMatchObject({ kind: "accepted", extension: { from: later(7), reason: "still away" } });
    const runtime = (await r.deps.store.getMigration(id))!.runtime;
    expect(runtime.personalDeadlines?.map((p) => [p.userId, p.deadline])).toEqual([["u-ann", later(10)]]);
    expect(await auditActions(r, id)).toEqual(["person.deadlineExtended", "person.deadlineExtended"]);
    expect(r.runner.woken).toEqual([id, id]);
  });

  it("names the field for a date not later than theirs or too far, and refuses who cannot have one", async () => {
    const r = rig();
    const id = await withPeople(r);
    const field = async (body: unknown) => {
      const result = await extendPersonDeadline(r.deps, r.runner, id, body, "it");
      return result.kind === "invalid" ? result.errors.map((e) => e.field) : result.kind;
    };
    expect(await field({ user: "ann@contoso.com", deadline: DEADLINE })).toEqual(["deadline"]);
    expect(await field({ user: "ann@contoso.com", deadline: later(400) })).toEqual(["deadline"]);
    expect(await field({ user: "ann@contoso.com" })).toEqual(["deadline"]);
    expect(await field({ user: "zed@contoso.com", deadline: later(7) })).toEqual(["user"]);
    expect(await field({ user: "ann@contoso.com", deadline: later(7), until: "x" })).toEqual(["body"]);
    expect(
      await extendPersonDeadline(r.deps, r.runner, id, { user: "bob@contoso.com", deadline: later(7) }, "it"),
    ).toEqual({
      kind: "conflict",
      reason: "bob@contoso.com has already onboarded",
    });
    const over = await withPeople(r, "phase2");
    expect(
      await extendPersonDeadline(r.deps, r.runner, over, { user: "ann@contoso.com", deadline: later(7) }, "it"),
    ).toEqual({
      kind: "conflict",
      reason: "too late: the onboarding window is over (the migration is in phase2)",
    });
    expect(await auditActions(r, id)).toEqual([]);
  });

  it("is dropped when the person is exempted, who then can have none", async () => {
    const r = rig();
    const id = await withPeople(r);
    await extendPersonDeadline(r.deps, r.runner, id, { user: "ann@contoso.com", deadline: later(7) }, "it");
    expect(await exemptPerson(r.deps, r.runner, id, { user: "ann@contoso.com", reason: "left" }, "it")).toMatchObject({
      kind: "accepted",
    });
    expect((await r.deps.store.getMigration(id))!.runtime.personalDeadlines).toEqual([]);
    expect(
      await extendPersonDeadline(r.deps, r.runner, id, { user: "ann@contoso.com", deadline: later(8) }, "it"),
    ).toEqual({
      kind: "conflict",
      reason: "ann@contoso.com is exempted: there is no deadline to extend",
    });
  });
});

describe("cancelling", () => {
  it("records the first request only; a repeat is accepted as already requested and records nothing", async () => {
    const r = rig();
    const id = await migrationIn(r, "onboarding");
    expect(await cancelMigration(r.deps, r.runner, id, "wrong deadline", "ann")).toEqual({
      kind: "accepted",
      already: false,
    });
    expect(await cancelMigration(r.deps, r.runner, id, "again", "bob")).toEqual({ kind: "accepted", already: true });
    expect(await auditActions(r, id)).toEqual(["migration.cancelRequested"]);
    expect((await r.deps.store.getMigration(id))!.runtime.commands.cancelRequested).toMatchObject({
      reason: "wrong deadline",
      by: "ann",
    });
    expect(r.runner.woken).toEqual([id]);
  });

  it("closes the migration itself when no orchestration runs that could act on it, freeing the workspace", async () => {
    const r = rig();
    const id = await migrationIn(r, "onboarding");
    await r.deps.store.claimWorkspace("contoso", id);
    r.runner.runtimeStatus = "Failed";
    await cancelMigration(r.deps, r.runner, id, undefined, "ann");
    expect(await r.deps.store.getMigration(id)).toMatchObject({ phase: "cancelled", status: "cancelled" });
    expect(await r.deps.store.claimWorkspace("contoso", randomUUID())).toEqual({ claimed: true });
  });

  it("refuses after deletion started, naming when, and a reason that is too long", async () => {
    const r = rig();
    const id = await migrationIn(r, "closing", { deletionStartedAt: START });
    expect(await cancelMigration(r.deps, r.runner, id, undefined, "ann")).toEqual({
      kind: "conflict",
      reason: "cancellation refused: deletion started at Tue 1 Dec 2026, 09:00 UTC; it cannot be cancelled any more",
    });
    expect(await cancelMigration(r.deps, r.runner, id, "x".repeat(501), "ann")).toMatchObject({
      kind: "invalid",
      errors: [{ field: "reason" }],
    });
  });
});

describe("resume and asking the approvers again", () => {
  it("resumes a failing step (recorded, woken) and refuses when nothing fails", async () => {
    const r = rig();
    const failing = await migrationIn(r, "onboarding", { attention: attention() });
    expect(await resumeMigration(r.deps, r.runner, failing, "ann")).toEqual({ kind: "accepted" });
    expect((await r.deps.store.getMigration(failing))!.runtime.commands.resumeRequested).toEqual({
      by: "ann",
      at: START,
    });
    const fine = await migrationIn(r, "onboarding", {}, "fabrikam");
    expect(await resumeMigration(r.deps, r.runner, fine, "ann")).toEqual({
      kind: "conflict",
      reason: "resume refused: nothing to resume: no step is failing",
    });
    expect(r.runner.woken).toEqual([failing]);
  });

  it("asks the approvers again only at the approval gate", async () => {
    const r = rig();
    const gate = await migrationIn(r, "approval");
    expect(await requestApprovalAgain(r.deps, r.runner, gate, "ann")).toEqual({ kind: "accepted" });
    expect((await r.deps.store.getMigration(gate))!.runtime.commands.approvalRequested).toBe(true);
    const window = await migrationIn(r, "onboarding", {}, "fabrikam");
    expect(await requestApprovalAgain(r.deps, r.runner, window, "ann")).toMatchObject({ kind: "conflict" });
  });
});

describe("reading", () => {
  it("projects the status with the commands allowed and the engine's state, without reading user rows", async () => {
    const r = rig();
    const id = await migrationIn(r, "onboarding", { attention: attention("2026-12-01T10:00:00.000Z") });
    const status = await migrationStatus(r.deps, r.runner, id);
    expect(status).toMatchObject({
      id,
      phase: "onboarding",
      runtimeStatus: "Running",
      actions: ["extendDeadline", "cancel", "resume", "exemptPerson", "resendInvitation", "extendPersonDeadline"],
      needsAttention: { step: "monitorOnboarding", nextAttemptAt: "2026-12-01T10:00:00.000Z" },
    });
    expect(await migrationStatus(r.deps, r.runner, randomUUID())).toBeUndefined();
  });

  it("lists the migrations page by page and names a bad `top` or cursor", async () => {
    const r = rig();
    await migrationIn(r, "onboarding");
    await migrationIn(r, "onboarding", {}, "fabrikam");
    const first = await listMigrations(r.deps, { top: "1" });
    expect(first).toMatchObject({ kind: "ok", migrations: [expect.any(Object)], cursor: expect.any(String) });
    const second = await listMigrations(r.deps, { top: "1", cursor: first.kind === "ok" ? first.cursor : "" });
    expect(second).toMatchObject({ kind: "ok", cursor: undefined });
    expect(await listMigrations(r.deps, { top: "0" })).toMatchObject({ kind: "invalid", errors: [{ field: "top" }] });
    expect(await listMigrations(r.deps, { cursor: "nonsense" })).toMatchObject({
      kind: "invalid",
      errors: [{ field: "cursor" }],
    });
  });
});

describe("starting on a workspace that is not free", () => {
  const start = (r: Rig, body: Record<string, unknown> = {}) =>
    startMigration(r.deps, r.runner, sampleStartRequest(body), "ann");

  it("refuses (conflict) a workspace whose Peig migration configuration was deleted, reading neither Entra nor mail", async () => {
    const r = rig();
    r.peig.configuration = { state: "deleted", deletedAt: "2026-11-20T10:00:00.000Z" };
    const result = await start(r);
    expect(result).toMatchObject({
      kind: "conflict",
      message: expect.stringMatching(/deleted on Fri 20 Nov 2026, 10:00 UTC.*federation/),
    });
    expect(r.runner.started).toEqual([]);
    expect(await r.deps.store.listMigrations()).toEqual([]);
  });

  it("refuses a workspace whose configuration another migration saved, but not one a cancelled migration of this app left", async () => {
    const r = rig();
    const saved = (applicationId: string): MigrationConfigurationState => ({
      state: "saved",
      configuration: { applicationId, certificateThumbprint: "AB", certificateNotAfter: START, savedAt: START },
    });
    r.peig.configuration = saved("11111111-1111-4111-8111-111111111111");
    expect(await start(r)).toMatchObject({ kind: "conflict", message: expect.stringMatching(/Another migration/) });

    const cancelled = await migrationIn(r, "cancelled", {
      app: {
        appId: "22222222-2222-4222-8222-222222222222",
        applicationObjectId: "o",
        servicePrincipalId: "sp",
        entityId: "e",
        replyUrl: "r",
        thumbprint: "AB",
        certificateNotAfter: START,
        certificatePem: "pem",
      },
    });
    await r.deps.store.updateMigration(cancelled, { status: "cancelled" });
    r.peig.configuration = saved("22222222-2222-4222-8222-222222222222");
    // Free: the start goes on to read the tenant and Peig's IdP info (which this rig refuses to be read).
    await expect(start(r)).rejects.toThrow(/(entra|peig)\.\w+ must not be called/);
  });

  it("refuses a workspace another migration of this app runs on, naming it", async () => {
    const r = rig({ peigMode: "operator" });
    const running = await migrationIn(r, "onboarding");
    expect(await start(r, { workspace: "CONTOSO" })).toMatchObject({
      kind: "conflict",
      activeMigrationId: running,
    });
    expect(r.runner.started).toEqual([]);
  });

  it("names each invalid field before reading anything", async () => {
    const r = rig();
    expect(await start(r, { deadline: "soon", approvers: [] })).toMatchObject({
      kind: "invalid",
      errors: expect.arrayContaining([expect.objectContaining({ field: "deadline" })]),
    });
  });
});
