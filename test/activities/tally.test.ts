/**
 * The approval quorum counts people, not rows: a person may hold several decided rows for one gate (a task re-issued
 * by a reminder and the old link used at the same moment, or a task opened twice after a retry), and an address may
 * come back in another case. k approvals means k different people.
 */
import { closeHumanTasks, tallyHumanTasks } from "../../activities/gateTasks";
import { taskPayload } from "../../shared/taskPayloads";
import { hashToken, newToken } from "../../shared/tokens";
import { activityWorld, MIGRATION, type ActivityWorld } from "./services";

const GATE = "deletionApproval-1";

let world: ActivityWorld;
beforeEach(async () => {
  world = await activityWorld("approval");
});

/** One task row for `assignee` on `gate`, decided as `decision` (open when no decision). */
async function row(assignee: string, decision?: "approve" | "reject" | "done", gate = GATE, decidedBy = assignee) {
  const token = newToken();
  const { runtime } = (await world.store.getMigration(MIGRATION))!;
  await world.store.createTask({
    id: `task-${token.slice(0, 8)}`,
    migrationId: MIGRATION,
    kind: decision === "done" ? "operatorStep" : "approval",
    gate,
    assignee,
    tokenHash: hashToken(token),
    expiresAt: "2026-12-18T17:00:00.000Z",
    payload: taskPayload("deletionApproval", { request: runtime.request, appId: "app-1" }),
  });
  if (!decision) return;
  const task = (await world.store.getTaskByTokenHash(hashToken(token)))!;
  const result = await world.store.decideTask(hashToken(token), decision, {
    decidedBy,
    decidedAt: world.clock.now().toISOString(),
    reason: decision === "reject" ? "not now" : undefined,
    etag: task.etag,
  });
  expect(result.outcome).toBe("decided");
}

const tally = () => tallyHumanTasks({ migrationId: MIGRATION, gate: GATE }, world.s);

describe("the approval tally", () => {
  it("counts one approval for a person who approved on two rows, whatever the case of the address", async () => {
    await row("cio@contoso.com", "approve");
    await row("CIO@Contoso.com", "approve");
    await row("ciso@contoso.com");
    const result = await tally();
    expect(result.approvals).toHaveLength(1);
    expect(result.approvals).toEqual(["cio@contoso.com"]);
    expect(result.open).toBe(1);
  });

  it("counts two approvals for two people, each with two decided rows", async () => {
    for (const who of ["cio@contoso.com", "Cio@contoso.com", "ciso@contoso.com", "CISO@CONTOSO.COM"])
      await row(who, "approve");
    expect((await tally()).approvals.sort()).toEqual(["cio@contoso.com", "ciso@contoso.com"]);
  });

  it("counts one 'done' per person, and a rejection stops the gate whoever else approved", async () => {
    await row("it@contoso.com", "done");
    await row("IT@contoso.com", "done");
    // The rejection names who decided as the sign-in gave it, not only the address the link went to.
    await row("cfo@contoso.com", "reject", GATE, "Chief Financial Officer <cfo@contoso.com>");
    await row("cio@contoso.com", "approve");
    const result = await tally();
    expect(result.done).toEqual(["it@contoso.com"]);
    expect(result.rejections).toEqual([{ by: "Chief Financial Officer <cfo@contoso.com>", reason: "not now" }]);
    expect(result.approvals).toEqual(["cio@contoso.com"]);
    expect(result.open).toBe(0);
  });

  it("counts only decided rows of this gate: open, closed and other gates' rows are not approvals", async () => {
    await row("cio@contoso.com");
    await world.store.closeOpenTasks(MIGRATION, "expired", { gate: GATE, closedAs: "expired" });
    await row("ciso@contoso.com");
    await row("cfo@contoso.com", "approve", "deletionApproval-2");
    await row("cfo@contoso.com", "reject", "phase2Approval-1");
    const result = await tally();
    expect(result).toEqual({ gate: GATE, approvals: [], rejections: [], done: [], open: 1 });
  });
});

describe("closing a gate's links", () => {
  const statuses = async () =>
    (await world.store.listTasks(MIGRATION)).map((t) => [t.gate, t.assignee, t.status, t.closedAs ?? null]);

  it("expires the gate's open links when it expired, and leaves decided rows and other gates alone", async () => {
    await row("cio@contoso.com");
    await row("ciso@contoso.com", "approve");
    await row("cfo@contoso.com", undefined, "deletionApproval-2");
    expect(await closeHumanTasks({ migrationId: MIGRATION, gate: GATE, outcome: "expired" }, world.s)).toBe(1);
    expect(await statuses()).toEqual(
      expect.arrayContaining([
        [GATE, "cio@contoso.com", "expired", "expired"],
        [GATE, "ciso@contoso.com", "decided", null],
        ["deletionApproval-2", "cfo@contoso.com", "open", null],
      ]),
    );
    const [entry] = await world.store.listAudit(MIGRATION);
    expect(entry).toMatchObject({
      actor: "system",
      action: "tasks.closed",
      details: { gate: GATE, outcome: "expired", closedLinks: 1 },
    });
  });

  it("cancels the open links of every gate, saying why, when no gate is named", async () => {
    await row("cio@contoso.com");
    await row("cfo@contoso.com", undefined, "deletionApproval-2");
    expect(await closeHumanTasks({ migrationId: MIGRATION, outcome: "approved" }, world.s)).toBe(2);
    expect((await statuses()).map(([, , status, closedAs]) => [status, closedAs])).toEqual([
      ["cancelled", "approved"],
      ["cancelled", "approved"],
    ]);
    const [entry] = await world.store.listAudit(MIGRATION);
    expect(entry.details).toEqual({ gate: "all", outcome: "approved", closedLinks: 2 });
  });
});
