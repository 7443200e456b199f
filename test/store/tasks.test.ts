import { sampleStartRequest } from "../../local/fixtures/startRequest";
import { VirtualClock } from "../../local/host/clocks";
import { taskPayload } from "../../shared/taskPayloads";
import { ConflictError, NotFoundError, PreconditionFailedError } from "../../shared/store/errors";
import type { MigrationStore, NewTask, TaskRecord } from "../../shared/store/port";
import { hashToken, newToken } from "../../shared/tokens";
import type { Entity, EntityTable, EntityTables } from "../../shared/store/entityTable";
import { EntityMigrationStore } from "../../shared/store/entityStore";
import { MemoryEntityTables } from "../../shared/store/memoryStore";
import { storeAdapters, uniquePrefix } from "./adapters";

const decider = { decidedBy: "cio@contoso.com", decidedAt: "2026-12-16T10:00:00.000Z" };

function newTask(token: string, overrides: Partial<NewTask> = {}): NewTask {
  return {
    id: `task-${token.slice(0, 8)}`,
    migrationId: "m1",
    kind: "approval",
    gate: "deletionApproval",
    assignee: "cio@contoso.com",
    tokenHash: hashToken(token),
    csrfHash: hashToken(`csrf-${token}`),
    expiresAt: "2026-12-18T17:00:00.000Z",
    payload: taskPayload("deletionApproval", {
      request: { ...sampleStartRequest(), deadline: "2026-12-18T17:00:00.000Z" },
      appId: "app-1",
    }),
    ...overrides,
  };
}

describe.each(storeAdapters())("human tasks: $name", (adapter) => {
  let store: MigrationStore;
  let clock: VirtualClock;
  beforeEach(() => {
    clock = new VirtualClock("2026-12-16T09:00:00Z");
    store = adapter.createStore({ tablePrefix: uniquePrefix(), clock });
  });

  async function openTask(overrides: Partial<NewTask> = {}): Promise<{ token: string; task: TaskRecord }> {
    const token = newToken();
    return { token, task: await store.createTask(newTask(token, overrides)) };
  }

  it("opens a task that its token's hash finds with a point read, and never stores the token", async () => {
    const { token, task } = await openTask();
    expect(task).toMatchObject({ status: "open", createdAt: "2026-12-16T09:00:00.000Z", tokenHash: hashToken(token) });
    const found = await store.getTaskByTokenHash(hashToken(token));
    expect(found).toEqual(task);
    expect(JSON.stringify(found)).not.toContain(token);
  });

  it("returns undefined for an unknown or malformed token hash", async () => {
    await expect(store.getTaskByTokenHash(hashToken(newToken()))).resolves.toBeUndefined();
    await expect(store.getTaskByTokenHash("not-a-hash/../x")).resolves.toBeUndefined();
  });

  it("refuses a second task with the same token hash with ConflictError", async () => {
    const token = newToken();
    await store.createTask(newTask(token));
    await expect(store.createTask(newTask(token, { id: "other" }))).rejects.toBeInstanceOf(ConflictError);
  });

  it("records a decision once; a later decision is told it was already decided", async () => {
    const { task } = await openTask();
    const first = await store.decideTask(task.tokenHash, "approve", { ...decider, etag: task.etag });
    expect(first).toMatchObject({ outcome: "decided", task: { status: "decided", decision: "approve", ...decider } });
    const second = await store.decideTask(task.tokenHash, "reject", { ...decider, etag: first.task.etag });
    expect(second).toEqual({ outcome: "alreadyDecided", task: first.task });
    await expect(store.getTaskByTokenHash(task.tokenHash)).resolves.toStrictEqual(first.task);
  });

  it("lets exactly one of two racing decisions win", async () => {
    const { task } = await openTask();
    const results = await Promise.all([
      store.decideTask(task.tokenHash, "approve", { ...decider, etag: task.etag }),
      store.decideTask(task.tokenHash, "reject", { ...decider, decidedBy: "ciso@contoso.com", etag: task.etag }),
    ]);
    expect(results.map((r) => r.outcome).sort()).toEqual(["alreadyDecided", "decided"]);
    const winner = results.find((r) => r.outcome === "decided");
    await expect(store.getTaskByTokenHash(task.tokenHash)).resolves.toEqual(winner?.task);
    for (const result of results) expect(result.task).toEqual(winner?.task);
  });

  it("refuses a decision with an etag that is not the task's current version", async () => {
    const { task } = await openTask();
    const stale = `W/"datetime'2000-01-01T00%3A00%3A00.0000000Z'"`;
    await expect(store.decideTask(task.tokenHash, "approve", { ...decider, etag: stale })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    await expect(store.decideTask(task.tokenHash, "approve", { ...decider, etag: stale })).rejects.toThrow(
      `task ${task.id} changed since it was read`,
    );
    await expect(store.getTaskByTokenHash(task.tokenHash)).resolves.toEqual(task);
  });

  it("refuses a decision whose write lost to a new link that left the task open, so the caller reads again", async () => {
    const { task } = await openTask();
    const read = store.getTaskByTokenHash.bind(store);
    let raced = false;
    // Between the decision's read and its write, a reminder adds a link: the row changes, the task stays open.
    store.getTaskByTokenHash = async (hash) => {
      const found = await read(hash);
      if (!raced) {
        raced = true;
        await store.addTaskLink(task.tokenHash, hashToken(newToken()), { at: clock.now().toISOString() });
      }
      return found;
    };
    await expect(store.decideTask(task.tokenHash, "approve", { ...decider, etag: task.etag })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect((await read(task.tokenHash))?.status).toBe("open");
  });

  it("reports a decision after the expiry as expired and leaves the task open", async () => {
    const { task } = await openTask();
    const result = await store.decideTask(task.tokenHash, "approve", {
      ...decider,
      decidedAt: "2026-12-18T17:00:00.000Z",
      etag: task.etag,
    });
    expect(result).toEqual({ outcome: "expired", task });
  });

  it("throws NotFoundError when deciding an unknown token", async () => {
    await expect(store.decideTask(hashToken(newToken()), "approve", { ...decider, etag: "*" })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(store.decideTask(hashToken(newToken()), "approve", { ...decider, etag: "*" })).rejects.toThrow(
      "no task for this token",
    );
  });

  it("closes the rest of a gate, leaving decided tasks and other gates alone", async () => {
    const a = await openTask();
    clock.set(new Date("2026-12-16T09:01:00Z"));
    const b = await openTask();
    const c = await openTask();
    const operator = await openTask({ kind: "operatorStep", gate: "peig.migrationConfig" });
    await openTask({ migrationId: "m2" });
    await store.decideTask(a.task.tokenHash, "approve", { ...decider, etag: a.task.etag });

    await expect(store.closeOpenTasks("m1", "cancelled", { gate: "deletionApproval" })).resolves.toBe(2);

    const closed = await store.decideTask(b.task.tokenHash, "approve", { ...decider, etag: b.task.etag });
    expect(closed).toMatchObject({ outcome: "closed", task: { status: "cancelled" } });
    await expect(store.getTaskByTokenHash(c.task.tokenHash)).resolves.toMatchObject({ status: "cancelled" });
    await expect(store.getTaskByTokenHash(operator.task.tokenHash)).resolves.toMatchObject({ status: "open" });
    await expect(store.listTasks("m2", { status: "open" })).resolves.toHaveLength(1);
    await expect(store.closeOpenTasks("m1", "expired")).resolves.toBe(1);
  });

  it("never both closes and decides a task when the two race", async () => {
    const { task } = await openTask();
    const [decision, closedCount] = await Promise.all([
      store.decideTask(task.tokenHash, "approve", { ...decider, etag: task.etag }),
      store.closeOpenTasks("m1", "expired"),
    ]);
    const final = await store.getTaskByTokenHash(task.tokenHash);
    if (decision.outcome === "decided") {
      expect(closedCount).toBe(0);
      expect(final).toMatchObject({ status: "decided" });
    } else {
      expect(closedCount).toBe(1);
      expect(final).toMatchObject({ status: "expired" });
    }
  });

  it("keeps the decider's reason with a rejection", async () => {
    const { task } = await openTask();
    const result = await store.decideTask(task.tokenHash, "reject", {
      ...decider,
      reason: "users still missing",
      etag: task.etag,
    });
    expect(result.task).toMatchObject({ decision: "reject", reason: "users still missing" });
    await expect(store.getTaskByTokenHash(task.tokenHash)).resolves.toEqual(result.task);
  });

  it("lists a migration's tasks oldest first, optionally by status or gate", async () => {
    const first = await openTask();
    clock.set(new Date("2026-12-16T10:00:00Z"));
    const second = await openTask({
      kind: "operatorStep",
      payload: taskPayload("peigAccounts", {
        request: sampleStartRequest(),
        accountsToCreate: [{ microsoft365UserId: "u1", userPrincipalName: "a@contoso.com", displayName: "A" }],
      }),
    });
    await store.decideTask(first.task.tokenHash, "reject", { ...decider, etag: first.task.etag });
    expect((await store.listTasks("m1")).map((t) => t.id)).toEqual([first.task.id, second.task.id]);
    expect((await store.listTasks("m1", { status: "open" })).map((t) => t.id)).toEqual([second.task.id]);
    expect((await store.listTasks("m1", { status: "decided" }))[0]).toMatchObject({ decision: "reject" });
    expect((await store.listTasks("m1", { gate: "deletionApproval", status: "decided" })).map((t) => t.id)).toEqual([
      first.task.id,
    ]);
    await expect(store.listTasks("m1", { gate: "other" })).resolves.toEqual([]);
  });
  it("adds links to an open task: each finds it, any of them decides it once, and none is listed as a task of its own", async () => {
    const { task } = await openTask();
    const later = hashToken(newToken());
    clock.set(new Date("2026-12-16T09:01:00Z"));
    const stamped = await store.addTaskLink(task.tokenHash, later, { at: clock.now().toISOString() });
    expect(stamped).toMatchObject({ id: task.id, tokenHash: task.tokenHash, lastLinkAt: "2026-12-16T09:01:00.000Z" });
    await expect(store.getTaskByTokenHash(later)).resolves.toEqual(stamped);
    await expect(store.listTasks("m1")).resolves.toEqual([stamped]);

    const decided = await store.decideTask(later, "approve", { ...decider, etag: stamped!.etag });
    expect(decided).toMatchObject({ outcome: "decided", task: { id: task.id, status: "decided" } });
    const first = await store.getTaskByTokenHash(task.tokenHash);
    await expect(store.decideTask(task.tokenHash, "reject", { ...decider, etag: first!.etag })).resolves.toMatchObject({
      outcome: "alreadyDecided",
    });
    // A decided task takes no further link.
    await expect(
      store.addTaskLink(task.tokenHash, hashToken(newToken()), { at: clock.now().toISOString() }),
    ).resolves.toBeUndefined();
  });

  it("adds a link only to the version read when given its ETag, and records why a task was closed", async () => {
    const { task } = await openTask();
    await store.addTaskLink(task.tokenHash, hashToken(newToken()), { at: clock.now().toISOString() });
    await expect(
      store.addTaskLink(task.tokenHash, hashToken(newToken()), { at: clock.now().toISOString(), etag: task.etag }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(store.closeOpenTasks("m1", "cancelled", { closedAs: "approved" })).resolves.toBe(1);
    await expect(store.getTaskByTokenHash(task.tokenHash)).resolves.toMatchObject({
      status: "cancelled",
      closedAs: "approved",
    });
  });
  it("closes a task even when a new link is stamped on it at the same time", async () => {
    for (let i = 0; i < 5; i++) {
      const { task } = await openTask({ id: `race-${i}`, gate: `race-${i}` });
      await Promise.all([
        store.addTaskLink(task.tokenHash, hashToken(newToken()), { at: clock.now().toISOString() }),
        store.closeOpenTasks("m1", "cancelled", { gate: `race-${i}`, closedAs: "approved" }),
      ]);
      await expect(store.getTaskByTokenHash(task.tokenHash)).resolves.toMatchObject({ status: "cancelled" });
    }
  });
});

describe("a decision whose write fails for another reason than a lost race", () => {
  it("passes the failure on even when the task reads as decided afterwards: a write that landed is not someone else's decision", async () => {
    const account = new MemoryEntityTables();
    let answerLost = false;
    // The write lands, then the answer is lost (a connection reset after the service committed it).
    const tables: EntityTables = {
      table(name) {
        const table = account.table(name);
        if (!name.endsWith("Tasks")) return table;
        return Object.assign(Object.create(table) as EntityTable, {
          async replace(entity: Entity, etag: string) {
            const written = await table.replace(entity, etag);
            if (!answerLost) return written;
            throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
          },
        });
      },
    };
    const store = new EntityMigrationStore(tables, { tablePrefix: uniquePrefix() });
    const token = newToken();
    const task = await store.createTask(newTask(token));
    answerLost = true;
    await expect(store.decideTask(task.tokenHash, "approve", { ...decider, etag: task.etag })).rejects.toThrow(
      "socket hang up",
    );
    await expect(store.getTaskByTokenHash(task.tokenHash)).resolves.toMatchObject({
      status: "decided",
      decidedBy: decider.decidedBy,
    });
  });
});
