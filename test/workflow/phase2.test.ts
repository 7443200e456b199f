import { inScopeUsers } from "../../local/fixtures/tenant";
import {
  approveDeletion,
  auditOf,
  beforeActivity,
  mailsWithSubject,
  startScenario,
  unlinkInPeig,
  type Scenario,
} from "./harness";

let s: Scenario;
let undo: (() => void) | undefined;
afterEach(async () => {
  undo?.();
  undo = undefined;
  await s?.stop();
});

describe("Phase 2 after the deadline", () => {
  it("creates exactly one Peig account for each user who missed the deadline, even when every activity runs twice, then closes with all items met", async () => {
    s = await startScenario({
      tenant: { users: 80, seed: 5, missRate: 0.3, mismatchRate: 0 },
      runActivitiesTwice: true,
    });
    const inScope = inScopeUsers(s.stack.tenant);
    const missed = new Set(inScope.filter((u) => u.behaviour.onboardsAt === null).map((u) => u.id));
    const onboarded = new Set(inScope.filter((u) => u.behaviour.onboardsAt !== null).map((u) => u.id));
    expect(missed.size).toBe(Math.round(0.3 * inScope.length));

    const id = await s.start();
    await approveDeletion(s, id);
    await s.runToEnd(id);
    expect(await s.phase(id)).toBe("completed");

    // Peig: one linked account per in-scope user (missed ones got a Phase 2 placeholder), nothing for anyone else.
    const linkedTo = s.stack.peig.state
      .peigAccounts()
      .map((a) => a.microsoft365UserId)
      .filter((userId): userId is string => userId !== null);
    expect(linkedTo).toHaveLength(new Set(linkedTo).size);
    expect(new Set(linkedTo)).toEqual(new Set([...missed, ...onboarded]));
    expect(s.stack.peig.state.peigAccounts()).toHaveLength(missed.size + onboarded.size);
    const placeholders = s.stack.peig.state.users().filter((u) => u.status === "Not Onboarded");
    expect(placeholders).toHaveLength(missed.size);

    // The Peig request log: one successful "Create Peig Account" per missed user, no conflicts, no retries.
    const creates = s.stack.peig.requestLog.filter((r) => r.operationId === "createPeigAccount");
    expect(creates.map((r) => r.status)).toEqual(creates.map(() => 201));
    const createdFor = creates.map((r) => /microsoft365-accounts\/([^/]+)\/peig-account/.exec(r.path)?.[1]);
    expect(createdFor.sort()).toEqual([...missed].sort());

    const status = await s.status(id);
    expect((status.checklist as { id: string; met: boolean }[]).map((i) => [i.id, i.met])).toEqual([
      ["allOnboarded", true],
      ["accountsLinked", true],
      ["phase2Completed", true],
      ["configurationDeleted", true],
    ]);
    const report = (await (await s.api(`migrations/${id}/report?format=json`)).json()) as {
      phase2: { skipped: boolean; listed: unknown[]; failed: unknown[] };
      figures: { phase2: { listed: { value: number }; created: { value: number }; failed: { value: number } } };
    };
    expect(report.phase2).toMatchObject({ skipped: false, failed: [] });
    expect(report.phase2.listed).toHaveLength(missed.size);
    expect(report.figures.phase2.created.value).toBe(missed.size);
    expect(report.figures.phase2.listed.value).toBe(missed.size);
    expect(await auditOf(s, id, "peig.account.created")).toHaveLength(missed.size);
    expect(s.stack.peig.state.summary().configuration).toBeNull();
  });
});

describe("the re-check between approval and deletion", () => {
  it("deletes nothing when a user fell back to unlinked after the approval, returns to the approval gate and tells the admins", async () => {
    s = await startScenario({ tenant: { users: 40, seed: 3, missRate: 0, mismatchRate: 0 } });
    const victim = inScopeUsers(s.stack.tenant)[0];
    const id = await s.start();
    await s.runUntil(async () => (await s.phase(id)) === "approval");
    const appId = ((await s.status(id)).app as { appId: string }).appId;

    // The approval is recorded first; the user is unlinked before the orchestration re-checks Peig.
    undo = beforeActivity("verifyChecklist", (input) => {
      if ((input as { approved?: unknown }).approved) unlinkInPeig(s.stack.peig, victim.id);
    });
    await approveDeletion(s, id);

    expect(await s.phase(id)).toBe("approval");
    const status = await s.status(id);
    expect(status.deletionStartedAt).toBeNull();
    const actions = (status.audit as { action: string }[]).map((a) => a.action);
    expect(actions).not.toContain("deletion.started");
    expect(actions).toContain("checklist.rechecked");
    expect(s.stack.peig.requestLog.filter((r) => r.operationId === "deleteMigrationConfiguration")).toHaveLength(0);
    expect(s.stack.peig.state.summary().configuration?.applicationId).toBe(appId);
    const apps = s.stack.graph.state.directory.summary().applications as { appId: string }[];
    expect(apps.map((a) => a.appId)).toContain(appId);

    const notices = mailsWithSubject(s.stack, /deletion stopped: the re-check failed/);
    expect(notices).toHaveLength(1);
    expect(notices[0].bcc).toEqual(["it@contoso.com"]);
    expect(notices[0].html).toContain(victim.userPrincipalName);
    expect(notices[0].html).not.toContain("The migration configuration has been deleted");
    // Back at the gate: a new approval round goes out with the fresh, unmet checklist as evidence.
    expect(status.openTasks as { gate: string }[]).toEqual(
      expect.arrayContaining([expect.objectContaining({ gate: "deletionApproval-2" })]),
    );
  });
});
