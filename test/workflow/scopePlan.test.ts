/**
 * The dry-run plan of a tenant with guests, disabled accounts, shared mailboxes and service accounts: each scope
 * rule's count and sample, read through the Graph simulator, against the tenant counted here by hand; switching a
 * built-in exclusion off brings its accounts back; a real start then works with the plan's scope.
 */
import type { TenantUser } from "../../local/fixtures/tenant";
import { startScenario, startBody, type Scenario } from "./harness";

let s: Scenario | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

interface Plan {
  usersInScope: number;
  leftOut: { rule: string; description: string; count: number; sample: string[] }[];
}

const tenant = { users: 240, seed: 5, guestRate: 0.08, disabledRate: 0.06, sharedMailboxes: 5, serviceAccounts: 3 };

async function dryRun(sc: Scenario, fields: Record<string, unknown>): Promise<Plan> {
  const res = await sc.api("migrations", {
    method: "POST",
    body: JSON.stringify(startBody({ dryRun: true, ...fields })),
    headers: { "content-type": "application/json" },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { plan: Plan }).plan;
}

const inDomain = (u: TenantUser) =>
  [u.userPrincipalName, u.mail ?? "", ...u.proxyAddresses.map((p) => p.slice(5))].some((a) =>
    a.toLowerCase().endsWith("@contoso.com"),
  );

describe("the dry-run plan lists who each scope rule left out", () => {
  it("counts guests, shared mailboxes and service accounts, disabled accounts and an exclude group's members", async () => {
    const sc = (s = await startScenario({ tenant }));
    const users = sc.stack.tenant.users;
    const sales = sc.stack.tenant.groups.find((g) => g.displayName === "Sales");
    const allStaff = sc.stack.tenant.groups.find((g) => g.displayName === "All staff");
    if (!sales || !allStaff) throw new Error("fixture groups missing");
    const salesIds = new Set(sales.memberIds);
    const rest = users.filter((u) => !salesIds.has(u.id));
    const guests = rest.filter((u) => u.userType === "Guest");
    const unlicensed = rest.filter((u) => u.userType === "Member" && u.assignedLicenses.length === 0);
    const disabled = rest.filter((u) => u.userType === "Member" && u.assignedLicenses.length > 0 && !u.accountEnabled);
    const people = rest.filter((u) => u.userType === "Member" && u.assignedLicenses.length > 0 && u.accountEnabled);
    // The tenant has every kind, so no count below is zero by accident.
    expect([salesIds.size, guests.length, unlicensed.length, disabled.length].every((n) => n > 0)).toBe(true);

    const plan = await dryRun(sc, { includeGroups: [allStaff.id], excludeGroups: [sales.id] });
    const counts = Object.fromEntries(plan.leftOut.map((r) => [r.rule, r.count]));
    expect(counts).toEqual({
      excludeGroups: salesIds.size,
      guests: guests.length,
      unlicensed: unlicensed.length,
      disabledAccounts: disabled.length,
      outsideDomain: people.filter((u) => !inDomain(u)).length,
    });
    expect(plan.usersInScope).toBe(people.filter(inDomain).length);
    // Every user is either in scope or left out by exactly one rule.
    expect(plan.usersInScope + plan.leftOut.reduce((sum, r) => sum + r.count, 0)).toBe(users.length);
    const shared = plan.leftOut.find((r) => r.rule === "unlicensed");
    expect(shared?.description).toMatch(/without a licence \(shared and room mailboxes, service accounts\)/);
    expect(shared?.sample).toEqual(expect.arrayContaining([expect.stringMatching(/^Info \(info@contoso\.com\)$/)]));
    for (const rule of plan.leftOut) expect(rule.sample.length).toBe(Math.min(5, rule.count));

    // The built-in exclusions switched off: guests outside the domain are still left out, by the domain rule.
    const everyone = await dryRun(sc, {
      includeGroups: [allStaff.id],
      excludeGuests: false,
      excludeDisabledAccounts: false,
      excludeUnlicensed: false,
    });
    expect(everyone.usersInScope).toBe(users.filter(inDomain).length);
    expect(everyone.leftOut.filter((r) => r.count > 0).map((r) => r.rule)).toEqual(["outsideDomain"]);

    // Guests kept, the other exclusions on: Graph refuses `or` beside assignedLicenses, so the kept users are read as
    // guests and as licensed members; the counts stay exact and the guests meet the domain rule instead.
    const unlicensedMember = (u: TenantUser) => u.userType === "Member" && u.assignedLicenses.length === 0;
    const enabledRest = rest.filter((u) => !unlicensedMember(u) && u.accountEnabled);
    const withGuests = await dryRun(sc, {
      includeGroups: [allStaff.id],
      excludeGroups: [sales.id],
      excludeGuests: false,
    });
    expect(Object.fromEntries(withGuests.leftOut.map((r) => [r.rule, r.count]))).toEqual({
      excludeGroups: salesIds.size,
      guests: 0,
      unlicensed: unlicensed.length,
      disabledAccounts: rest.filter((u) => !unlicensedMember(u) && !u.accountEnabled).length,
      outsideDomain: enabledRest.filter((u) => !inDomain(u)).length,
    });
    expect(withGuests.usersInScope).toBe(enabledRest.filter(inDomain).length);
    expect(enabledRest.filter((u) => u.userType === "Guest" && !inDomain(u)).length).toBeGreaterThan(0);

    // The start works with the plan's scope.
    const id = await sc.start(startBody({ includeGroups: [allStaff.id], excludeGroups: [sales.id] }));
    await sc.runUntil(async () => ((await sc.status(id)).counts as { inScope: number }).inScope > 0);
    expect(((await sc.status(id)).counts as { inScope: number }).inScope).toBe(plan.usersInScope);
  });

  it("takes the scope from the home form, the built-in exclusions ticked by default, and shows the plan's left-out table", async () => {
    const sc = (s = await startScenario({ tenant }));
    const home = await (await sc.asAdmin("home")).text();
    for (const box of ["excludeGuests", "excludeDisabledAccounts", "excludeUnlicensed"])
      expect(home).toMatch(new RegExp(`name="${box}" checked`));
    const sales = sc.stack.tenant.groups.find((g) => g.displayName === "Sales");
    const sample = startBody();
    const form = (boxes: Record<string, string>) =>
      sc.asAdmin("home/plan", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          workspace: "fabrikam",
          domain: sample.domain,
          idpEntityId: sample.idpEntityId,
          deadlineDate: new Date(sc.clock.now().getTime() + 14 * 86_400_000).toISOString().slice(0, 10),
          deadlineTime: "17:00",
          reminders: "7 days, 1 day",
          monitorEvery: "12 hours",
          excludeGroups: ` ${sales?.id ?? ""} `,
          approvers: sample.approvers.join(", "),
          requiredApprovals: "1",
          admins: sample.admins.join(", "),
          phase2: "auto",
          ...boxes,
        }),
      });
    const cell = (html: string, rule: string) =>
      new RegExp(`<tr data-rule="${rule}"><td>([^<]*)</td><td>(\\d+)</td>`).exec(html)?.slice(1);
    const ticked = await (
      await form({ excludeGuests: "on", excludeDisabledAccounts: "on", excludeUnlicensed: "on" })
    ).text();
    const api = await dryRun(sc, { excludeGroups: [sales?.id] });
    for (const removal of api.leftOut)
      expect(cell(ticked, removal.rule)).toEqual([expect.stringMatching(/^[A-Z]/), String(removal.count)]);
    expect(cell(ticked, "unlicensed")?.[0]).toBe(
      "Accounts without a licence (shared and room mailboxes, service accounts)",
    );
    // Unticked: nobody is left out as a guest, a disabled or an unlicensed account.
    const unticked = await (await form({})).text();
    for (const rule of ["guests", "disabledAccounts", "unlicensed"]) expect(cell(unticked, rule)?.[1]).toBe("0");
  });

  it("refuses a group that is both included and excluded, naming the field", async () => {
    const sc = (s = await startScenario({ tenant: { users: 20 } }));
    const id = "8f3a2c1e-0b4d-4e5f-9a6b-7c8d9e0f1a2b";
    const res = await sc.api("migrations", {
      method: "POST",
      body: JSON.stringify(startBody({ dryRun: true, includeGroups: [id], excludeGroups: [id.toUpperCase()] })),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    const { errors } = (await res.json()) as { errors: { field: string; message: string }[] };
    expect(errors).toEqual([{ field: "excludeGroups.0", message: expect.stringMatching(/also an include group/) }]);
  });
});
