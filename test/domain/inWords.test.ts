import { activityDefinitions } from "../../activities";
import { actorInWords, auditInWords, gateInWords, stepInWords, valueInWords } from "../../shared/domain/inWords";

describe("the workflow's records in words", () => {
  it("names rounds of tasks", () => {
    expect(gateInWords("deletionApproval-1")).toBe("round 1 of the deletion approval");
    expect(gateInWords("peigMerges-3")).toBe("round 3 of the Peig admin's merge task");
    expect(gateInWords("all")).toBe("every open task");
  });

  it("names who did it", () => {
    expect(actorInWords("system")).toBe("the workflow");
    expect(actorInWords("approver:cio@contoso.com")).toBe("cio@contoso.com");
    expect(actorInWords("admin:function key")).toBe("an admin (function key)");
  });

  it("says each audit entry as a sentence, with no JSON, ISO time or task id", () => {
    const sentences = [
      auditInWords({ action: "task.decided", details: { gate: "peigDeletion-1", decision: "done", reason: null } }),
      auditInWords({
        action: "tasks.closed",
        details: { gate: "deletionApproval-2", outcome: "expired", closedLinks: 3 },
      }),
      auditInWords(
        { action: "deadline.extended", details: { from: "2026-12-15T17:00:00.000Z", to: "2026-12-22T17:00:00.000Z" } },
        "Europe/Prague",
      ),
      auditInWords({ action: "mail.reminder.sent", details: { reminder: "P7D", recipients: 12 } }),
      auditInWords({
        action: "something.new",
        details: { at: "2026-12-15T17:00:00.000Z", every: "PT4H", nested: { a: 1 } },
      }),
    ];
    expect(sentences).toEqual([
      "Confirmed round 1 of the Peig admin's task to delete the migration configuration.",
      "Closed round 2 of the deletion approval: expired.",
      "Moved the deadline from Tue 15 Dec 2026, 18:00 CET to Tue 22 Dec 2026, 18:00 CET.",
      "Sent the reminder 7 days before the deadline to 12 people.",
      "Something new: at Tue 15 Dec 2026, 17:00 UTC, every 4 hours, nested a 1.",
    ]);
    for (const sentence of sentences) expect(sentence).not.toMatch(/\{"|\d{4}-\d\d-\d\dT|\bP(?:\d+[WD]|T\d)|-\d\b/);
  });

  it("spells values and steps out", () => {
    expect(valueInWords(["P1D", true, null])).toBe("1 day, yes, none");
    expect(stepInWords("createMigrationApp")).toBe("creating the Entra app PeigMigrationManager");
    expect(stepInWords("monitorOnboarding")).toBe("checking onboarding progress");
  });

  it("has the runbook step in words for every activity, not its name split at capitals", () => {
    const splitName = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
    const withoutWords = Object.keys(activityDefinitions).filter((name) => stepInWords(name) === splitName(name));
    expect(withoutWords).toEqual([]);
  });
});
