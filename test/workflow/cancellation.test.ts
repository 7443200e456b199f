import {
  afterActivity,
  beforeActivity,
  DAY,
  mailsWithSubject,
  START,
  startBody,
  startScenario,
  type Scenario,
} from "./harness";

let s: Scenario;
let undo: (() => void) | undefined;
afterEach(async () => {
  undo?.();
  undo = undefined;
  await s?.stop();
});

const cancel = (id: string, body: unknown) =>
  s.api(`migrations/${id}/cancel`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
const entraAppIds = () =>
  (s.stack.graph.state.directory.summary().applications as { appId: string }[]).map((a) => a.appId);

describe("cancelling a migration", () => {
  it("before deletion: stops it, leaves the Peig migration configuration and the Entra app in place, says so to the caller and the admins, and frees the workspace", async () => {
    s = await startScenario({ tenant: { users: 40, seed: 4, missRate: 0.3, mismatchRate: 0 } });
    const id = await s.start();
    await s.runUntil(() => s.clock.now().getTime() >= Date.parse(START) + 3 * DAY);
    expect(await s.phase(id)).toBe("onboarding");
    const appId = ((await s.status(id)).app as { appId: string }).appId;

    const res = await cancel(id, { reason: "postponed to January" });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { message: string };
    expect(body.message).toMatch(/Nothing is deleted/);
    expect(body.message).toMatch(/Peig migration configuration and the Entra app PeigMigrationManager stay in place/);
    await s.host.idle();

    expect(await s.phase(id)).toBe("cancelled");
    const status = await s.status(id);
    expect(status).toMatchObject({ status: "cancelled", runtimeStatus: "Completed", deletionStartedAt: null });
    expect(s.host.engine.nextTimer()).toBeUndefined();

    // Both simulators still hold what setup made.
    expect(s.stack.peig.state.summary().configuration?.applicationId).toBe(appId);
    expect(s.stack.peig.requestLog.filter((r) => r.operationId === "deleteMigrationConfiguration")).toHaveLength(0);
    expect(entraAppIds()).toContain(appId);
    expect(s.stack.graph.requestLog.filter((r) => r.method === "DELETE")).toHaveLength(0);

    const notices = mailsWithSubject(s.stack, /^Peig migration "contoso": cancelled$/);
    expect(notices).toHaveLength(1);
    expect(notices[0].bcc).toEqual(["it@contoso.com"]);
    expect(notices[0].html).toContain("are left in place");
    expect(notices[0].html).toContain("postponed to January");

    // The workspace is free again: a new migration of it is accepted.
    const again = await s.api("migrations", {
      method: "POST",
      body: JSON.stringify(startBody({ deadline: "2026-12-20T09:00:00Z" })),
      headers: { "content-type": "application/json" },
    });
    expect(again.status).toBe(202);
    expect(((await again.json()) as { id: string }).id).not.toBe(id);
    await s.host.idle();
  });

  it("after deletion started: refuses with 409 and the reason, and the deletion finishes", async () => {
    s = await startScenario({ tenant: { users: 40, seed: 4, missRate: 0, mismatchRate: 0 } });
    const id = await s.start();
    await s.runUntil(async () => (await s.phase(id)) === "approval");
    // Peig goes down just as the deletion begins: the orchestration waits to retry with deletion started.
    undo = beforeActivity("deletePeigMigrationConfiguration", () => s.stack.peig.setFaults({ serverErrorRate: 1 }));
    const [link] = s.taskLinks("cio@contoso.com");
    expect((await s.decide(link, "approve")).status).toBe(200);
    expect(await s.phase(id)).toBe("closing");
    expect((await s.status(id)).deletionStartedAt).not.toBeNull();

    const res = await cancel(id, { reason: "changed our minds" });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toMatch(/deletion started at .*cannot be cancelled/);
    expect((await s.status(id)).cancelRequested).toBeNull();

    undo();
    undo = undefined;
    s.stack.peig.setFaults({});
    await s.runToEnd(id, 2 * DAY);
    expect(await s.phase(id)).toBe("completed");
    expect(s.stack.peig.state.summary().configuration).toBeNull();
    expect(mailsWithSubject(s.stack, /cancelled/)).toHaveLength(0);
  });
});

describe("a cancel recorded around the closing re-check", () => {
  // The approval is in; the orchestration is about to re-check the checklist and then start deleting. An admin's
  // cancel that lands before the re-check or while it runs must win: beginDeletion refuses, nothing is deleted.
  it.each([
    ["before the re-check starts", beforeActivity],
    ["while the re-check runs", afterActivity],
  ])("%s: the migration ends cancelled and nothing is deleted", async (_when, around) => {
    s = await startScenario({ tenant: { users: 30, seed: 5, missRate: 0, mismatchRate: 0 } });
    const id = await s.start();
    await s.runUntil(async () => (await s.phase(id)) === "approval");
    const appId = ((await s.status(id)).app as { appId: string }).appId;
    const cancels: number[] = [];
    undo = around("verifyChecklist", async (input: unknown) => {
      if (!(input as { approved?: unknown }).approved || cancels.length > 0) return;
      cancels.push((await cancel(id, { reason: "postponed to January" })).status);
    });
    const [link] = s.taskLinks("cio@contoso.com");
    expect((await s.decide(link, "approve")).status).toBe(200);
    await s.runToEnd(id, 2 * DAY);

    expect(cancels).toEqual([202]);
    expect(await s.phase(id)).toBe("cancelled");
    expect((await s.status(id)).deletionStartedAt).toBeNull();
    const actions = ((await s.status(id)).audit as { action: string }[]).map((a) => a.action);
    expect(actions).toContain("checklist.rechecked");
    expect(actions).not.toContain("deletion.started");
    expect(s.stack.peig.state.summary().configuration?.applicationId).toBe(appId);
    expect(s.stack.peig.requestLog.filter((r) => r.operationId === "deleteMigrationConfiguration")).toHaveLength(0);
    expect(entraAppIds()).toContain(appId);
    expect(s.stack.graph.requestLog.filter((r) => r.method === "DELETE")).toHaveLength(0);
  });
});

describe("cancelling a migration whose orchestration is no longer running", () => {
  it("closes it at once and frees the workspace, since nothing would act on the request", async () => {
    s = await startScenario({ tenant: { users: 30 } });
    const id = await s.start();
    await s.host.advanceBy(DAY);
    // Stands in for an orchestration that failed after its retries.
    await s.host.client.terminate(id, "simulated failure");
    const res = await cancel(id, { reason: "stuck" });
    expect(res.status).toBe(202);
    expect(await s.phase(id)).toBe("cancelled");
    expect((await s.stack.store.getMigration(id))!.status).toBe("cancelled");
    const again = await s.api("migrations", {
      method: "POST",
      body: JSON.stringify(startBody()),
      headers: { "content-type": "application/json" },
    });
    expect(again.status).toBe(202);
  });
});
