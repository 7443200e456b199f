/**
 * The gate before deletion, item by item: ready only when each of the three gating items is there and met (in
 * operator mode, met or waiting only for the Peig admin's confirmation); the re-check after approval names each
 * gating item that is not met, and says which of them were met when the approvers approved.
 */
import {
  checklistLabels,
  compareWithApproved,
  readyForDeletion,
  readyForPeigConfirmation,
  type ChecklistItem,
  type ChecklistItemId,
} from "../../shared/domain/checklist";

const item = (id: ChecklistItemId, met: boolean, extra: Partial<ChecklistItem> = {}): ChecklistItem => ({
  id,
  label: checklistLabels[id],
  met,
  evidence: [`evidence of ${id}`],
  ...extra,
});

/** The four items with only `met` met (the configuration is never deleted before deletion). */
const checklistWith = (...met: ChecklistItemId[]): ChecklistItem[] =>
  (["allOnboarded", "accountsLinked", "phase2Completed", "configurationDeleted"] as const).map((id) =>
    item(id, met.includes(id)),
  );

describe("readyForDeletion", () => {
  it("holds when the three gating items are met, whatever the fourth", () => {
    expect(readyForDeletion(checklistWith("allOnboarded", "accountsLinked", "phase2Completed"))).toBe(true);
  });

  it.each(["allOnboarded", "accountsLinked", "phase2Completed"] as const)(
    "does not hold when %s alone is unmet",
    (unmet) => {
      const met = (["allOnboarded", "accountsLinked", "phase2Completed"] as const).filter((id) => id !== unmet);
      expect(readyForDeletion(checklistWith(...met, "configurationDeleted"))).toBe(false);
    },
  );

  it("does not hold when a gating item is missing from the checklist", () => {
    const checklist = checklistWith("allOnboarded", "accountsLinked", "phase2Completed").filter(
      (i) => i.id !== "phase2Completed",
    );
    expect(readyForDeletion(checklist)).toBe(false);
    expect(readyForDeletion([])).toBe(false);
  });
});

describe("readyForPeigConfirmation (operator mode)", () => {
  it("holds when each gating item is met or waits only for the Peig admin's confirmation", () => {
    const checklist = checklistWith("allOnboarded", "phase2Completed").map((i) =>
      i.id === "accountsLinked" ? { ...i, awaitsPeigConfirmation: true } : i,
    );
    expect(readyForPeigConfirmation(checklist)).toBe(true);
    expect(readyForDeletion(checklist)).toBe(false);
  });

  it("does not hold when one gating item is neither met nor waiting for the confirmation", () => {
    const checklist = checklistWith("allOnboarded").map((i) =>
      i.id === "accountsLinked" ? { ...i, awaitsPeigConfirmation: true } : i,
    );
    expect(readyForPeigConfirmation(checklist)).toBe(false);
  });

  it("does not hold when a gating item is missing, and reads the flag only of the item it is on", () => {
    expect(readyForPeigConfirmation([])).toBe(false);
    const onlyFourth = checklistWith("allOnboarded", "accountsLinked", "phase2Completed")
      .filter((i) => i.id !== "accountsLinked")
      .concat(item("configurationDeleted", false, { awaitsPeigConfirmation: true }));
    expect(readyForPeigConfirmation(onlyFourth)).toBe(false);
  });
});

describe("compareWithApproved (the re-check after approval)", () => {
  const approved = checklistWith("allOnboarded", "accountsLinked", "phase2Completed");

  it("is ready, with no reason, when every gating item is still met", () => {
    expect(compareWithApproved(approved, approved)).toEqual({ ready: true, regressions: [], reasons: [] });
  });

  it("names an item that regressed since the approval, with its fresh evidence", () => {
    const fresh = checklistWith("allOnboarded", "phase2Completed");
    expect(compareWithApproved(approved, fresh)).toEqual({
      ready: false,
      regressions: ["accountsLinked"],
      reasons: [
        `"${checklistLabels.accountsLinked}" was met when approved but is not any more: evidence of accountsLinked`,
      ],
    });
  });

  it("gives every line of an item's fresh evidence, separated", () => {
    const fresh = checklistWith("allOnboarded", "phase2Completed").map((i) =>
      i.id === "accountsLinked"
        ? { ...i, evidence: ["ada@contoso.com is unlinked", "bob@contoso.com is unlinked"] }
        : i,
    );
    expect(compareWithApproved(approved, fresh).reasons).toEqual([
      `"${checklistLabels.accountsLinked}" was met when approved but is not any more: ada@contoso.com is unlinked; bob@contoso.com is unlinked`,
    ]);
  });

  it("says 'is not met' for an item that was not met when approved either, and is not a regression", () => {
    const approvedWithout = checklistWith("allOnboarded", "phase2Completed");
    const fresh = checklistWith("allOnboarded", "phase2Completed");
    expect(compareWithApproved(approvedWithout, fresh)).toEqual({
      ready: false,
      regressions: [],
      reasons: [`"${checklistLabels.accountsLinked}" is not met: evidence of accountsLinked`],
    });
  });

  it("refuses when a gating item is missing from the re-check, and reads each item's own approval", () => {
    const fresh = checklistWith("allOnboarded", "accountsLinked").filter((i) => i.id !== "phase2Completed");
    const approvedOnlyThird = [item("phase2Completed", true), item("allOnboarded", false)];
    expect(compareWithApproved(approvedOnlyThird, fresh)).toEqual({
      ready: false,
      regressions: ["phase2Completed"],
      reasons: [
        `"${checklistLabels.phase2Completed}" was met when approved but is not any more: missing from the re-check`,
      ],
    });
    expect(compareWithApproved([], fresh).regressions).toEqual([]);
  });
});
