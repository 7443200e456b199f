/**
 * Whom the workflow targets: reminders go to the users in state "not onboarded", Phase 2 lists the users without a
 * linked Peig account, by id. A user linked to a Peig account that has not onboarded yet is neither reminded as
 * "not onboarded" nor listed for Phase 2: they are awaiting onboarding.
 */
import { reconcile } from "../../shared/domain/reconcile";
import { m365User, peigState } from "./builders";

describe("targeting", () => {
  const users = [m365User("a"), m365User("b"), m365User("c"), m365User("d")];
  const result = reconcile({
    mode: "api",
    users,
    peig: peigState(users, { a: "Active", b: "Not Onboarded" }),
  });
  const stateOf = (id: string) => result.users.find((u) => u.userId === id)?.state;

  it("tells onboarded, awaiting onboarding and not onboarded apart", () => {
    expect(["a", "b", "c", "d"].map(stateOf)).toEqual([
      "onboarded",
      "awaitingOnboarding",
      "notOnboarded",
      "notOnboarded",
    ]);
    expect(result.counts).toMatchObject({ onboarded: 1, awaitingOnboarding: 1, notOnboarded: 2 });
  });

  it("lists for Phase 2 exactly the users without a linked Peig account, by id", () => {
    expect(result.usersWithoutPeigAccount).toEqual(["c", "d"]);
  });

  it("in operator mode lists every user without a migration sign-in, by id", () => {
    const operator = reconcile({
      mode: "operator",
      users,
      signIns: [{ userId: "b", userPrincipalName: "b@contoso.com", createdDateTime: "2026-12-02T09:00:00Z" }],
    } as Parameters<typeof reconcile>[0]);
    expect(operator.usersWithoutPeigAccount).toEqual(["a", "c", "d"]);
  });
});
