/**
 * A host that stops mid-migration and starts again on the same Azure Table Storage (Azurite) carries
 * on where it was: timers keep their times, e-mailed links keep working, and nothing is sent twice.
 */
import {
  approveDeletion,
  startScenario,
  restartHost,
  startBody,
  type Scenario,
  type ScenarioOptions,
  DAY,
  START,
} from "./harness";
import type { SentMail } from "../../local/graph-simulator/mailbox";

let s: Scenario | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

let tables = 0;
function azuriteBacked(): ScenarioOptions {
  const connection = process.env.TEST_STORAGE_CONNECTION;
  if (!connection) throw new Error("TEST_STORAGE_CONNECTION is not set: jest's globalSetup starts Azurite");
  return {
    tenant: { users: 40, missRate: 0.25, mismatchRate: 0 },
    storage: { connection, tablePrefix: `Restart${Date.now().toString(36)}${tables++}` },
  };
}

const isUserMail = (m: SentMail) => /^Action needed: set up Peig|^Reminder: .* left to set up Peig/.test(m.subject);
/** What users were sent, in order, without the random parts: when, what, to whom. */
const userMails = (outbox: readonly SentMail[]) =>
  outbox.filter(isUserMail).map((m) => ({ at: m.sentAt, subject: m.subject, bcc: [...m.bcc].sort() }));

async function runToApprovalAndApprove(sc: Scenario, id: string): Promise<void> {
  await approveDeletion(sc, id);
  await sc.runToEnd(id);
}

describe("a host restarted mid-window against Azurite", () => {
  it("resumes the onboarding window and sends the invitation and each reminder exactly once", async () => {
    // The same migration without a restart, for comparison.
    s = await startScenario({ tenant: azuriteBacked().tenant });
    const uninterrupted = await s.start();
    await runToApprovalAndApprove(s, uninterrupted);
    const expected = userMails(s.stack.graph.outbox);
    await s.stop();
    s = undefined;

    const options = azuriteBacked();
    s = await startScenario(options);
    const id = await s.start(startBody());
    const stopAt = new Date(new Date(START).getTime() + 9 * DAY); // after the P7D reminder, before P3D
    await s.host.advanceTo(stopAt);
    const before = userMails(s.stack.graph.outbox);
    expect(before.map((m) => m.subject)).toEqual([
      expect.stringMatching(/^Action needed/),
      expect.stringMatching(/^Reminder: 7 days left/),
    ]);

    s = await restartHost(s, options);
    expect(s.host.instance(id).status).toBe("Running");
    expect(await s.phase(id)).toBe("onboarding");
    await runToApprovalAndApprove(s, id);

    expect(await s.phase(id)).toBe("completed");
    const sent = userMails(s.stack.graph.outbox);
    expect(sent.slice(0, before.length)).toEqual(before);
    expect(sent).toEqual(expected);
    const subjects = sent.map((m) => m.subject);
    expect(new Set(subjects).size).toBe(subjects.length);
    expect(subjects.filter((x) => x.startsWith("Action needed"))).toHaveLength(1);
    expect(subjects.filter((x) => x.startsWith("Reminder:"))).toHaveLength(4);
  });

  it("resumes at the approval gate: a link mailed before the restart still decides, once", async () => {
    const options = azuriteBacked();
    s = await startScenario(options);
    const id = await s.start();
    await s.runUntil(async () => (await s!.phase(id)) === "approval");
    const [link] = s.taskLinks("ciso@contoso.com");
    const mailsBefore = s.stack.graph.outbox.length;

    s = await restartHost(s, options);
    await s.host.idle();
    expect(s.stack.graph.outbox).toHaveLength(mailsBefore); // the restart itself sends nothing
    expect(await s.phase(id)).toBe("approval");
    expect((await s.decide(link, "approve")).status).toBe(200);
    await s.runToEnd(id);
    expect(await s.phase(id)).toBe("completed");
    const audit = (await s.stack.store.listAudit(id)).map((a) => a.action);
    for (const once of [
      "tasks.opened",
      "deletion.started",
      "peig.migrationConfig.deleted",
      "entraApp.deleted",
      "report.written",
    ]) {
      expect(audit.filter((a) => a === once)).toHaveLength(1);
    }
  });
});
