import { generateTenant, inScopeUsers } from "../../local/fixtures/tenant";
import { reconcile, type Reconciliation, type UserReconciliation } from "../../shared/domain/reconcile";
import type { M365User, MigrationSignIn, OnboardingRequest, PeigState } from "../../shared/domain/types";
import { addressesOf, m365User, peigState, peigStateAtDeadline, request } from "./builders";

const api = (users: M365User[], peig: PeigState) => reconcile({ mode: "api", users, peig });
const userIn = (result: Reconciliation, id: string): UserReconciliation => {
  const found = result.users.find((u) => u.userId === id);
  if (!found) throw new Error(`no result for ${id}`);
  return found;
};

// Each reconciliation is made in a beforeEach, inside the test: `npm run mutation` (perTest coverage) credits code run
// while a file loads to no test, and would not run these tests against a mutant of it.
describe("reconcile, api mode: what counts as onboarded", () => {
  const users = [
    m365User("active"),
    m365User("placeholder"),
    m365User("unlinked"),
    m365User("suspended"),
    m365User("ghost"),
  ];
  const peig = peigState(users, { active: "Active", placeholder: "Not Onboarded", suspended: "Suspended" });
  // "ghost" is missing from the Microsoft 365 Accounts tab altogether.
  let result: Reconciliation;
  beforeEach(() => {
    result = api(users, { ...peig, microsoft365Accounts: peig.microsoft365Accounts.filter((a) => a.id !== "ghost") });
  });

  it("counts a user linked to an Active Peig account as onboarded", () => {
    expect(userIn(result, "active")).toMatchObject({ state: "onboarded", linked: true, peigAccountId: "peig-active" });
    expect(userIn(result, "active").evidence[0]).toMatch(/linked to Peig account peig-active .*status Active/);
  });

  it("counts a linked placeholder that is still Not Onboarded as awaiting onboarding, not onboarded", () => {
    expect(userIn(result, "placeholder")).toMatchObject({ state: "awaitingOnboarding", linked: true });
  });

  it("does not count a suspended Peig user as onboarded", () => {
    expect(userIn(result, "suspended")).toMatchObject({ state: "notOnboarded", linked: true });
    expect(userIn(result, "suspended").evidence[0]).toMatch(/Suspended/);
  });

  it("reports unlinked users and users missing from the accounts tab as not onboarded, with why", () => {
    expect(userIn(result, "unlinked")).toMatchObject({ state: "notOnboarded", linked: false, peigAccountId: null });
    expect(userIn(result, "unlinked").evidence).toEqual(["Microsoft 365 account is not linked to a Peig account"]);
    expect(userIn(result, "ghost").evidence).toEqual(["not listed on MS365 Identifiers > Microsoft 365 Accounts"]);
  });

  it("lists users without a linked Peig account as Phase 2's work", () => {
    expect(result.usersWithoutPeigAccount).toEqual(["unlinked", "ghost"]);
  });

  it("does not treat a link to a Peig account that Users & Access does not list as onboarded", () => {
    const lonely = [m365User("a")];
    const state = peigState(lonely, { a: "Active" });
    const broken = api(lonely, { ...state, users: [] });
    expect(userIn(broken, "a")).toMatchObject({ state: "notOnboarded", linked: true });
    expect(userIn(broken, "a").evidence[0]).toMatch(/does not list/);
  });

  it("counts each state once per user", () => {
    expect(result.counts).toEqual({
      inScope: 5,
      onboarded: 1,
      pendingRequest: 0,
      mismatched: 0,
      awaitingOnboarding: 1,
      notOnboarded: 3,
      mismatchedRequests: 0,
      unmatchedRequests: 0,
      withoutPeigAccount: 2,
    });
  });
});

describe("reconcile, api mode: pending requests and mismatched e-mails", () => {
  const jane = m365User("jane", {
    mail: "jane.smith@contoso.com",
    userPrincipalName: "j.smith@contoso.com",
    proxyAddresses: [
      "SMTP:jane.smith@contoso.com",
      "smtp:jane@contoso.com",
      "x500:/o=ExchangeLabs/cn=jane",
      "sip:jane.sip@contoso.com",
    ],
    otherMails: ["jane.private@gmail.com"],
  });
  const bob = m365User("bob", { mail: "bob@contoso.com", otherMails: ["shared@gmail.com"] });
  const carol = m365User("carol", {
    mail: "carol@contoso.com",
    proxyAddresses: ["SMTP:carol@contoso.com", "smtp:jane.private@gmail.com"],
    otherMails: ["shared@gmail.com"],
  });
  const noMailbox = m365User("nomail", { mail: null, userPrincipalName: "kiosk@contoso.com" });
  const users = [jane, bob, carol, noMailbox];

  const run = (requests: OnboardingRequest[], linked: Parameters<typeof peigState>[1] = {}) =>
    api(users, peigState(users, linked, requests));

  it("treats a request with the account's own address, in any case, as that user's pending request", () => {
    const result = run([request("r1", "Jane.Smith@CONTOSO.com")]);
    expect(userIn(result, "jane").state).toBe("pendingRequest");
    expect(userIn(result, "jane").evidence).toContain(
      "pending onboarding request r1 from Jane.Smith@CONTOSO.com, submitted 2026-06-02T09:00:00Z",
    );
    expect(result.mismatchedRequests).toEqual([]);
  });

  it("uses the UPN as the own address of a user without a mailbox", () => {
    expect(userIn(run([request("r1", "kiosk@contoso.com")]), "nomail").state).toBe("pendingRequest");
  });

  it("suggests merging a request typed with the user's UPN into that user", () => {
    const result = run([request("r1", "j.smith@contoso.com")]);
    expect(result.mismatchedRequests).toHaveLength(1);
    expect(result.mismatchedRequests[0].suggestedMergeTarget).toEqual({
      userId: "jane",
      userPrincipalName: "j.smith@contoso.com",
      peigAccountId: null,
      matchedBy: "userPrincipalName",
    });
    expect(result.mismatchedRequests[0].reason).toMatch(/not the account's address jane\.smith@contoso\.com/);
    expect(userIn(result, "jane").state).toBe("mismatched");
  });

  it("suggests merging a request typed with an smtp alias, with the prefix stripped", () => {
    const result = run([request("r1", "JANE@contoso.com")]);
    expect(result.mismatchedRequests[0].suggestedMergeTarget).toMatchObject({
      userId: "jane",
      matchedBy: "proxyAddress",
    });
  });

  it("ignores x500 and sip proxy addresses: they are not mail addresses", () => {
    const result = run([request("r1", "jane.sip@contoso.com"), request("r2", "/o=ExchangeLabs/cn=jane")]);
    expect(result.mismatchedRequests).toEqual([]);
    expect(result.unmatchedRequests.map((u) => u.request.id)).toEqual(["r1", "r2"]);
    expect(userIn(result, "jane").state).toBe("notOnboarded");
  });

  it("prefers a proxy address match over an otherMails match of another user", () => {
    // jane.private@gmail.com is jane's otherMails but carol's smtp alias.
    const result = run([request("r1", "jane.private@gmail.com")]);
    expect(result.mismatchedRequests[0].suggestedMergeTarget).toMatchObject({
      userId: "carol",
      matchedBy: "proxyAddress",
    });
  });

  it("falls back to otherMails, with a caution, when no primary address matches", () => {
    const solo = m365User("solo", { mail: "solo@contoso.com", otherMails: ["Solo.Home@outlook.com"] });
    const result = api([solo], peigState([solo], {}, [request("r1", "solo.home@OUTLOOK.com")]));
    expect(result.mismatchedRequests[0].suggestedMergeTarget).toMatchObject({
      userId: "solo",
      matchedBy: "otherMails",
    });
    expect(result.mismatchedRequests[0].reason).toMatch(/confirm with the person/);
  });

  it("makes no suggestion when the typed address belongs to several users, and names them", () => {
    const result = run([request("r1", "shared@gmail.com")]);
    expect(result.mismatchedRequests[0].suggestedMergeTarget).toBeNull();
    expect(result.mismatchedRequests[0].reason).toMatch(
      /matches 2 in-scope users: bob@contoso\.com \(otherMails\), carol@contoso\.com \(otherMails\)/,
    );
    expect(userIn(result, "bob").state).toBe("notOnboarded");
    expect(userIn(result, "carol").state).toBe("notOnboarded");
  });

  it("lists a request that matches nobody as unmatched", () => {
    const result = run([request("r1", "jnae.smith@contoso.com")]);
    expect(result.unmatchedRequests).toEqual([
      { request: request("r1", "jnae.smith@contoso.com"), reason: expect.stringMatching(/matches no mail, UPN/) },
    ]);
    expect(result.counts.unmatchedRequests).toBe(1);
  });

  it("names the Peig account to merge into when the target already has one", () => {
    const result = run([request("r1", "jane@contoso.com")], { jane: "Not Onboarded" });
    expect(result.mismatchedRequests[0].suggestedMergeTarget?.peigAccountId).toBe("peig-jane");
  });

  it("keeps an onboarded user onboarded when a stray request names them, and records the request", () => {
    const result = run([request("r1", "bob@contoso.com")], { bob: "Active" });
    expect(userIn(result, "bob").state).toBe("onboarded");
    expect(userIn(result, "bob").evidence).toHaveLength(2);
  });
});

describe("reconcile, operator mode", () => {
  const users = [m365User("a"), m365User("b", { userPrincipalName: "B.User@contoso.com" }), m365User("c")];
  const signIns: MigrationSignIn[] = [
    { userId: "a", userPrincipalName: "a@contoso.com", createdDateTime: "2026-06-03T10:00:00Z" },
    { userId: "a", userPrincipalName: "a@contoso.com", createdDateTime: "2026-06-02T08:00:00Z" },
    { userId: "", userPrincipalName: "b.user@CONTOSO.com", createdDateTime: "2026-06-04T12:00:00Z" },
  ];
  let result: Reconciliation;
  beforeEach(() => {
    result = reconcile({ mode: "operator", users, signIns });
  });

  it("counts a successful sign-in to the migration app as onboarded, citing the first one", () => {
    expect(userIn(result, "a")).toMatchObject({ state: "onboarded", linked: true, peigAccountId: null });
    expect(userIn(result, "a").evidence).toEqual([
      "signed in to the migration app at 2026-06-02T08:00:00Z (Entra sign-in logs)",
    ]);
  });

  it("matches a sign-in by UPN when the log entry has no user id", () => {
    expect(userIn(result, "b").state).toBe("onboarded");
  });

  it("reports users without a sign-in as not onboarded and as Phase 2's work", () => {
    expect(userIn(result, "c").state).toBe("notOnboarded");
    expect(result.usersWithoutPeigAccount).toEqual(["c"]);
    expect(result.counts).toMatchObject({ inScope: 3, onboarded: 2, notOnboarded: 1, mismatchedRequests: 0 });
  });

  it("says it was made from the sign-in logs (operator mode), with no Peig requests to match", () => {
    expect(result).toMatchObject({ mode: "operator", mismatchedRequests: [], unmatchedRequests: [] });
  });
});

describe("reconcile a generated tenant", () => {
  const tenant = generateTenant({ users: 1_000, seed: 42 });
  const users = inScopeUsers(tenant);
  let result: Reconciliation;
  beforeEach(() => {
    result = api(users, peigStateAtDeadline(users));
  });

  it("classifies every in-scope user exactly once", () => {
    expect(result.users).toHaveLength(users.length);
    const { inScope, onboarded, pendingRequest, mismatched, awaitingOnboarding, notOnboarded } = result.counts;
    expect(onboarded + pendingRequest + mismatched + awaitingOnboarding + notOnboarded).toBe(inScope);
  });

  it("finds as onboarded exactly the people who onboarded with their own address", () => {
    const expected = users.filter((u) => u.behaviour.onboardsAt !== null && !u.behaviour.typedEmail).map((u) => u.id);
    expect(result.users.filter((u) => u.state === "onboarded").map((u) => u.userId)).toEqual(expected);
    expect(result.usersWithoutPeigAccount).toHaveLength(users.length - expected.length);
  });

  it("suggests the right person for every request typed with one of their addresses, and none for typos", () => {
    const typists = users.filter((u) => u.behaviour.onboardsAt !== null && u.behaviour.typedEmail);
    expect(typists.length).toBeGreaterThan(10);
    const suggestions = new Map(result.mismatchedRequests.map((m) => [m.request.id, m.suggestedMergeTarget?.userId]));
    const unmatched = new Set(result.unmatchedRequests.map((u) => u.request.id));
    for (const user of typists) {
      const onRecord = addressesOf(user).includes(user.behaviour.typedEmail!.toLowerCase());
      if (onRecord) expect(suggestions.get(`req-${user.id}`)).toBe(user.id);
      else expect(unmatched.has(`req-${user.id}`)).toBe(true);
    }
    expect(result.counts.mismatchedRequests + result.counts.unmatchedRequests).toBe(typists.length);
  });

  it("marks users with a suggested merge as mismatched", () => {
    const targets = new Set(result.mismatchedRequests.map((m) => m.suggestedMergeTarget?.userId));
    for (const user of result.users) expect(user.state === "mismatched").toBe(targets.has(user.userId));
  });
});

describe("reconcile at scale", () => {
  it("reconciles 100,000 users", () => {
    const tenant = generateTenant({ users: 100_000, seed: 7 });
    const users = inScopeUsers(tenant);
    const result = api(users, peigStateAtDeadline(users));
    expect(result.users).toHaveLength(users.length);
    expect(result.counts.inScope).toBeGreaterThan(90_000);
    const onboarded = users.filter((u) => u.behaviour.onboardsAt !== null && !u.behaviour.typedEmail).length;
    expect(result.counts.onboarded).toBe(onboarded);
    expect(result.counts.withoutPeigAccount).toBe(users.length - onboarded);
  });
});
