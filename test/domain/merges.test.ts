/** The merge gate's decisions: what a round lists, when a new round is due, what confirming does per request. */
import {
  MANUAL_PER_ROUND,
  MERGES_PER_ROUND,
  mergeAction,
  mergeList,
  newRequests,
  type MergeItem,
} from "../../shared/domain/merges";
import { reconcile } from "../../shared/domain/reconcile";
import { m365User, peigState, request } from "./builders";

const jane = m365User("jane", {
  mail: "jane.smith@contoso.com",
  proxyAddresses: ["SMTP:jane.smith@contoso.com", "smtp:js@contoso.com"],
});
const john = m365User("john", { otherMails: ["shared@example.net"] });
const joan = m365User("joan", { otherMails: ["shared@example.net"], mail: "joan@contoso.com" });
const linkedJane = m365User("linked", {
  mail: "linked@contoso.com",
  proxyAddresses: ["SMTP:linked@contoso.com", "smtp:lk@contoso.com"],
});

function reconciled(
  requests = [
    request("r1", "js@contoso.com"),
    request("r2", "shared@example.net"),
    request("r3", "nobody@example.org"),
    request("r4", "lk@contoso.com"),
  ],
) {
  const users = [jane, john, joan, linkedJane];
  return reconcile({ mode: "api", users, peig: peigState(users, { linked: "Not Onboarded" }, requests) });
}

describe("a merge round's list", () => {
  it("merges a request with exactly one candidate into that user's Peig account, or none yet", () => {
    const list = mergeList(reconciled());
    expect(list.merges.map((m) => [m.requestId, m.userPrincipalName, m.peigAccountId])).toEqual([
      ["r1", "jane@contoso.com", null],
      ["r4", "linked@contoso.com", "peig-linked"],
    ]);
    expect(list.merges[0].reason).toContain("proxyAddress");
  });

  it("leaves requests with several candidates or none to the Peig admin, saying what to do in Peig", () => {
    const { manual } = mergeList(reconciled());
    expect(manual.map((m) => m.requestId)).toEqual(["r2", "r3"]);
    expect(manual[0].reason).toMatch(/matches 2 in-scope users/);
    expect(manual[0].whatToDo).toMatch(/click Merge/);
    expect(manual[1].whatToDo).toMatch(/Approve .*Deny/);
  });

  it("keeps a round small and counts what is left for the next one", () => {
    const many = Array.from({ length: MERGES_PER_ROUND + 5 }, (_, i) =>
      m365User(`u${i}`, { otherMails: [`p${i}@example.net`] }),
    );
    const typos = Array.from({ length: MANUAL_PER_ROUND + 3 }, (_, i) => request(`t${i}`, `typo${i}@example.org`));
    const requests = [...many.map((_, i) => request(`m${i}`, `p${i}@example.net`)), ...typos];
    const list = mergeList(reconcile({ mode: "api", users: many, peig: peigState(many, {}, requests) }));
    expect(list.merges).toHaveLength(MERGES_PER_ROUND);
    expect(list.manual).toHaveLength(MANUAL_PER_ROUND);
    expect(list.more).toBe(5 + 3);
  });
});

describe("when a new round is due", () => {
  it("only for requests that hold up the checklist and no earlier round listed", () => {
    const list = mergeList(reconciled());
    expect(newRequests(list, new Set())).toEqual(["r1", "r4", "r2"]);
    // A declined or expired round's requests are not asked again by themselves.
    expect(newRequests(list, new Set(["r1", "r2", "r4"]))).toEqual([]);
    expect(newRequests(mergeList(reconciled([request("r3", "nobody@example.org")])), new Set())).toEqual([]);
  });
});

describe("what confirming does to one request", () => {
  const item: MergeItem = {
    requestId: "r1",
    typedEmail: "js@contoso.com",
    requestName: "Jane",
    userId: "jane",
    userPrincipalName: "jane@contoso.com",
    peigAccountId: null,
    reason: "",
  };

  it("merges into the account Peig shows linked now, whatever the list said", () => {
    expect(mergeAction(item, { pending: true, account: { linkStatus: "linked", peigAccountId: "peig-7" } })).toEqual({
      kind: "merge",
      targetUserId: "peig-7",
    });
  });

  it("creates the Peig account first when the user has none", () => {
    expect(mergeAction(item, { pending: true, account: { linkStatus: "unlinked", peigAccountId: null } })).toEqual({
      kind: "createAccountThenMerge",
      microsoft365UserId: "jane",
    });
  });

  it("skips a request handled meanwhile (a retry after a lost answer) or a user gone from the tab", () => {
    expect(mergeAction(item, { pending: false, account: null })).toMatchObject({
      kind: "skip",
      why: expect.stringContaining("no longer pending"),
    });
    expect(mergeAction(item, { pending: true, account: null })).toMatchObject({
      kind: "skip",
      why: expect.stringContaining("Microsoft 365 Accounts tab"),
    });
  });
});
