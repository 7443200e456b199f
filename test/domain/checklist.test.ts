import {
  buildChecklist,
  compareWithApproved,
  readyForDeletion,
  readyForPeigConfirmation,
  type ChecklistInput,
  type ChecklistItem,
  type DeletionStatus,
  type Phase2Result,
} from "../../shared/domain/checklist";
import { reconcile } from "../../shared/domain/reconcile";
import type { PeigUserStatus } from "../../shared/domain/types";
import { figuresOf, m365User, peigState, request } from "./builders";

const present: DeletionStatus = { migrationConfiguration: "present", migrationApp: "present" };
const users = [m365User("a"), m365User("b"), m365User("c")];
const apiReconciliation = (linked: Record<string, PeigUserStatus>, requests = [] as ReturnType<typeof request>[]) =>
  reconcile({ mode: "api", users, peig: peigState(users, linked, requests) });
const completed = (created: string[], failed: Phase2Result["failed"] = []): Phase2Result => ({
  status: "completed",
  created,
  failed,
});
/** The checklist with the figures a pass would have recorded for the same state. */
const build = (input: Omit<ChecklistInput, "figures">) =>
  buildChecklist({
    ...input,
    figures: figuresOf(input.reconciliation, input.phase2, input.peigChecklist && { checklist: input.peigChecklist }),
  });
const byId = (checklist: ChecklistItem[]) => Object.fromEntries(checklist.map((i) => [i.id, i]));

describe("buildChecklist", () => {
  it("uses the runbook's four items and wording, in order", () => {
    const checklist = build({ reconciliation: apiReconciliation({}), phase2: null, deletion: present });
    expect(checklist.map((i) => i.label)).toEqual([
      "All users have been onboarded to Peig",
      "All accounts are correctly created and linked",
      "Phase 2 was completed if any users missed the onboarding window",
      "The migration configuration has been deleted",
    ]);
  });

  it("is ready for deletion when everyone onboarded and Phase 2 was not needed", () => {
    const checklist = build({
      reconciliation: apiReconciliation({ a: "Active", b: "Active", c: "Active" }),
      phase2: null,
      deletion: present,
    });
    const items = byId(checklist);
    expect([
      items.allOnboarded.met,
      items.accountsLinked.met,
      items.phase2Completed.met,
      items.configurationDeleted.met,
    ]).toEqual([true, true, true, false]);
    expect(items.allOnboarded.evidence).toEqual([
      "3 onboarded (linked to an Active Peig account), of 3 users in scope",
    ]);
    expect(items.phase2Completed.evidence).toEqual(["nobody missed the onboarding window: Phase 2 not needed"]);
    expect(readyForDeletion(checklist)).toBe(true);
  });

  it("is not ready while users missed the window and Phase 2 has not run, naming them", () => {
    const checklist = build({
      reconciliation: apiReconciliation({ a: "Active" }),
      phase2: { status: "notRun", created: [], failed: [] },
      deletion: present,
    });
    const items = byId(checklist);
    expect(items.allOnboarded.met).toBe(false);
    expect(items.allOnboarded.evidence).toContain(
      "b@contoso.com: notOnboarded (Microsoft 365 account is not linked to a Peig account)",
    );
    expect(items.phase2Completed.met).toBe(false);
    expect(items.phase2Completed.evidence.slice(0, 2)).toEqual([
      "Phase 2 has not run",
      "2 in-scope users still have no Peig account",
    ]);
    expect(readyForDeletion(checklist)).toBe(false);
  });

  it("counts users with a Phase 2 account as covered once Phase 2 completed", () => {
    const reconciliation = apiReconciliation({ a: "Active", b: "Not Onboarded", c: "Not Onboarded" });
    const checklist = build({ reconciliation, phase2: completed(["b", "c"]), deletion: present });
    const items = byId(checklist);
    expect(items.allOnboarded.met).toBe(true);
    expect(items.allOnboarded.evidence).toContain(
      "2 with a Phase 2 account, awaiting their first sign-in (Phase 2 onboards them at that sign-in)",
    );
    expect(items.accountsLinked.met).toBe(true);
    expect(items.phase2Completed.met).toBe(true);
    expect(items.phase2Completed.evidence[0]).toBe(
      "Phase 2 (2 users without a Peig account listed for Phase 2): Phase 2 created 2 Peig accounts; 0 failed; 0 of the listed users onboarded since the list was made",
    );
    expect(readyForDeletion(checklist)).toBe(true);
  });

  it("does not count a placeholder that Phase 2 did not create", () => {
    const checklist = build({
      reconciliation: apiReconciliation({ a: "Active", b: "Active", c: "Not Onboarded" }),
      phase2: null,
      deletion: present,
    });
    expect(byId(checklist).allOnboarded.met).toBe(false);
  });

  it("fails Phase 2 when some account creations failed, with the reason", () => {
    const reconciliation = apiReconciliation({ a: "Active", b: "Not Onboarded" });
    const checklist = build({
      reconciliation,
      phase2: completed(["b"], [{ userId: "c", reason: "429 after 5 retries" }]),
      deletion: present,
    });
    const items = byId(checklist);
    expect(items.phase2Completed.met).toBe(false);
    expect(items.phase2Completed.evidence).toContain("c: 429 after 5 retries");
    expect(items.phase2Completed.evidence).toContain("1 in-scope users still have no Peig account");
  });

  it("fails Phase 2 when it was skipped although users missed the window", () => {
    const checklist = build({
      reconciliation: apiReconciliation({ a: "Active", b: "Active" }),
      phase2: { status: "skipped", created: [], failed: [] },
      deletion: present,
    });
    expect(byId(checklist).phase2Completed).toMatchObject({
      met: false,
      evidence: expect.arrayContaining(["Phase 2 was skipped"]),
    });
  });

  it("fails the linking item while a mismatched request is unresolved", () => {
    const reconciliation = apiReconciliation({ a: "Active", b: "Active", c: "Active" }, [
      request("r9", "C@contoso.com.other"),
    ]);
    expect(byId(build({ reconciliation, phase2: null, deletion: present })).accountsLinked.met).toBe(true); // unmatched: not an in-scope account

    const aliased = [m365User("a"), m365User("b", { proxyAddresses: ["SMTP:b@contoso.com", "smtp:bee@contoso.com"] })];
    const withMismatch = reconcile({
      mode: "api",
      users: aliased,
      peig: peigState(aliased, { a: "Active", b: "Active" }, [request("r1", "bee@contoso.com")]),
    });
    const linked = byId(build({ reconciliation: withMismatch, phase2: null, deletion: present })).accountsLinked;
    expect(linked.met).toBe(false);
    expect(linked.evidence.some((e) => e.startsWith("request r1 (bee@contoso.com) is unresolved"))).toBe(true);
  });

  it("is never met for an empty scope", () => {
    const reconciliation = reconcile({
      mode: "api",
      users: [],
      peig: { users: [], pendingRequests: [], microsoft365Accounts: [] },
    });
    const checklist = build({ reconciliation, phase2: null, deletion: present });
    expect(byId(checklist).allOnboarded.evidence[0]).toMatch(/no users are in scope/);
    expect(readyForDeletion(checklist)).toBe(false);
  });

  it("meets the last item once the migration configuration is deleted", () => {
    const checklist = build({
      reconciliation: apiReconciliation({ a: "Active", b: "Active", c: "Active" }),
      phase2: null,
      deletion: { migrationConfiguration: "deleted", migrationApp: "deleted" },
    });
    expect(byId(checklist).configurationDeleted).toMatchObject({
      met: true,
      evidence: ["Peig migration configuration: deleted", "Entra app PeigMigrationManager: deleted"],
    });
  });

  it("lists at most 20 offending users and counts the rest", () => {
    const many = Array.from({ length: 25 }, (_, i) => m365User(`u${i}`));
    const reconciliation = reconcile({ mode: "api", users: many, peig: peigState(many, {}) });
    const evidence = byId(build({ reconciliation, phase2: null, deletion: present })).allOnboarded.evidence;
    expect(evidence.filter((e) => e.includes("@contoso.com:"))).toHaveLength(20);
    expect(evidence[evidence.length - 1]).toBe("…and 5 more");
  });

  describe("in operator mode", () => {
    const reconciliation = reconcile({
      mode: "operator",
      users,
      signIns: [{ userId: "a", userPrincipalName: "a@contoso.com", createdDateTime: "2026-06-03T10:00:00Z" }],
    });
    const confirmed = { pendingRequests: 0, notOnboarded: 2, linkedAccounts: 3, by: "it@contoso.com", at: "x" };

    it("counts the Phase 2 accounts and waits for the Peig admin's confirmation of Peig before it is ready", () => {
      const checklist = build({ reconciliation, phase2: completed(["b", "c"]), deletion: present });
      const linked = byId(checklist).accountsLinked;
      expect(linked).toMatchObject({ met: false, awaitsPeigConfirmation: true });
      expect(linked.evidence).toContain(
        "waiting for the Peig admin to confirm in Peig: no pending request in Users & Access, every Microsoft 365 account linked in MS365 Identifiers",
      );
      expect(readyForDeletion(checklist)).toBe(false);
      expect(readyForPeigConfirmation(checklist)).toBe(true);
      expect(readyForPeigConfirmation(build({ reconciliation, phase2: completed(["b"]), deletion: present }))).toBe(
        false,
      );
    });

    it("is ready once the Peig admin's figures from Peig support the linking item", () => {
      const checklist = build({
        reconciliation,
        phase2: completed(["b", "c"]),
        deletion: present,
        peigChecklist: confirmed,
      });
      expect(readyForDeletion(checklist)).toBe(true);
      expect(byId(checklist).accountsLinked.evidence).toContain(
        "The Peig admin it@contoso.com reported: Users & Access showed 0 pending requests, 2 users with the status Not Onboarded; MS365 Identifiers showed 3 Microsoft 365 accounts linked to a Peig account",
      );
    });

    it("stays red when the recorded figures show a request pending or too few linked accounts, and asks again", () => {
      for (const report of [
        { ...confirmed, pendingRequests: 13 },
        { ...confirmed, linkedAccounts: 2 },
      ]) {
        const checklist = build({
          reconciliation,
          phase2: completed(["b", "c"]),
          deletion: present,
          peigChecklist: report,
        });
        expect(byId(checklist).accountsLinked).toMatchObject({ met: false });
        expect(readyForDeletion(checklist)).toBe(false);
        // The workflow asks the Peig admin again rather than waiting for ever on figures that no longer hold.
        expect(byId(checklist).accountsLinked.awaitsPeigConfirmation).toBe(true);
      }
    });
  });
});

describe("compareWithApproved", () => {
  const approved = build({
    reconciliation: apiReconciliation({ a: "Active", b: "Active", c: "Active" }),
    phase2: null,
    deletion: present,
  });

  it("lets the deletion go ahead when nothing changed", () => {
    expect(compareWithApproved(approved, approved)).toEqual({ ready: true, regressions: [], reasons: [] });
  });

  it("stops the deletion when a user fell back to unlinked, saying who", () => {
    const fresh = build({
      reconciliation: apiReconciliation({ a: "Active", c: "Active" }),
      phase2: null,
      deletion: present,
    });
    const result = compareWithApproved(approved, fresh);
    expect(result.ready).toBe(false);
    expect(result.regressions).toEqual(["allOnboarded", "accountsLinked", "phase2Completed"]);
    expect(result.reasons[1]).toMatch(
      /^"All accounts are correctly created and linked" was met when approved but is not any more: .*b@contoso\.com: Microsoft 365 account is not linked/,
    );
  });

  it("reports unmet items that were never met without calling them regressions", () => {
    const notReady = build({
      reconciliation: apiReconciliation({ a: "Active" }),
      phase2: null,
      deletion: present,
    });
    const result = compareWithApproved(notReady, notReady);
    expect(result.ready).toBe(false);
    expect(result.regressions).toEqual([]);
    expect(result.reasons[0]).toMatch(/^"All users have been onboarded to Peig" is not met/);
  });

  it("treats an item missing from the re-check as not met", () => {
    const result = compareWithApproved(approved, approved.slice(1));
    expect(result).toMatchObject({ ready: false, regressions: ["allOnboarded"] });
  });
});
