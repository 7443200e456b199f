/**
 * Whom the workflow targets: reminders go to the users in state "not onboarded", Phase 2 lists the users without a
 * linked Peig account, by id. A user linked to a Peig account that has not onboarded yet is neither reminded as
 * "not onboarded" nor listed for Phase 2: they are awaiting onboarding.
 */
import { reconcile } from "../../shared/domain/reconcile";
import { m365User, peigState } from "./builders";

describe("targeting", () => {
  const users = [m365User("a"), m365User("b"), m365User("c"), m365User("d")];
  // Reconciled inside each test, not when the file loads: the mutation run counts only code a test runs.
  const reconciled = () =>
    reconcile({ mode: "api", users, peig: peigState(users, { a: "Active", b: "Not Onboarded" }) });

  it("tells onboarded, awaiting onboarding and not onboarded apart", () => {
    const result = reconciled();
    expect(["a", "b", "c", "d"].map((id) => result.users.find((u) => u.userId === id)?.state)).toEqual([
      "onboarded",
      "awaitingOnboarding",
      "notOnboarded",
      "notOnboarded",
    ]);
    expect(result.counts).toMatchObject({ onboarded: 1, awaitingOnboarding: 1, notOnboarded: 2 });
  });

  it("lists for Phase 2 exactly the users without a linked Peig account, by id", () => {
    expect(reconciled().usersWithoutPeigAccount).toEqual(["c", "d"]);
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

describe("targeting in operator mode (migration sign-ins)", () => {
  const users = [m365User("a"), m365User("b"), m365User("c"), m365User("d")];
  const signIn = (fields: { userId?: string; userPrincipalName?: string }, at: string) =>
    ({ userId: "", userPrincipalName: "", createdDateTime: at, ...fields }) as never;
  const reconciled = () =>
    reconcile({
      mode: "operator",
      users,
      signIns: [
        signIn({ userId: "a" }, "2026-12-03T09:00:00Z"),
        signIn({ userPrincipalName: "B@Contoso.com" }, "2026-12-04T09:00:00Z"),
        signIn({ userId: "c", userPrincipalName: "c@contoso.com" }, "2026-12-06T09:00:00Z"),
        signIn({ userId: "c", userPrincipalName: "c@contoso.com" }, "2026-12-05T09:00:00Z"),
        signIn({ userId: "c" }, "2026-12-07T09:00:00Z"),
      ],
    } as Parameters<typeof reconcile>[0]);

  it("counts a sign-in matched by object id or by UPN in any case, and keeps each user's first", () => {
    const result = reconciled();
    const user = (id: string) => result.users.find((u) => u.userId === id)!;
    expect(["a", "b", "c", "d"].map((id) => user(id).state)).toEqual([
      "onboarded",
      "onboarded",
      "onboarded",
      "notOnboarded",
    ]);
    expect(user("c").evidence).toEqual(["signed in to the migration app at 2026-12-05T09:00:00Z (Entra sign-in logs)"]);
    expect(user("d").evidence).toEqual(["no successful sign-in to the migration app (Entra sign-in logs)"]);
    expect(user("d").linked).toBe(false);
    expect(result.usersWithoutPeigAccount).toEqual(["d"]);
    expect(result.mismatchedRequests).toEqual([]);
    expect(result.unmatchedRequests).toEqual([]);
  });
});
