import { applyScope, migrationScope } from "../../shared/domain/scope";
import { scopeCandidate } from "../../shared/entra/scopeFilters";
import { inScopeUsers } from "../../local/fixtures/tenant";
import { rawRequest, startWorld, type World } from "./world";

describe("users in scope and migration sign-ins through the Graph SDK", () => {
  let world: World;
  afterEach(async () => world.sim.stop());

  it("pages 2,500 users at 999 per page and returns exactly the in-scope set", async () => {
    world = await startWorld({ users: 2_500, seed: 11 });
    const users = await world.entra.listUsersInScope(migrationScope({ domain: "contoso.com" }));

    const expected = inScopeUsers(world.tenant)
      .map((u) => u.id)
      .sort();
    expect(users.map((u) => u.id).sort()).toEqual(expected);
    const pages = world.sim.requestLog.filter((r) => r.path.startsWith("/users"));
    expect(pages).toHaveLength(3);
    expect(pages.slice(1).every((r) => r.path.includes("$skiptoken=") && r.status === 200)).toBe(true);
    expect(world.counter.get("listUsers")).toBe(3);
    const sample = users.find((u) => u.proxyAddresses.length > 1);
    expect(sample).toEqual(
      expect.objectContaining({ proxyAddresses: expect.arrayContaining([expect.stringMatching(/^SMTP:/)]) }),
    );
  });

  it("filters the built-in exclusions on the server: a pass pages through the kept users only, the plan reads each rule's removed users once more", async () => {
    // A tenant where a fifth are guests, a tenth of the members are disabled, plus unlicensed shared mailboxes and
    // service accounts: unfiltered, a pass would read 3 pages of 999.
    const tenantShape = { guestRate: 0.2, disabledRate: 0.1, sharedMailboxes: 30, serviceAccounts: 10 };
    world = await startWorld({ users: 2_400, seed: 11, tenantShape });
    const all = world.tenant.users;
    const kept = all.filter((u) => u.userType === "Member" && u.accountEnabled && u.assignedLicenses.length > 0);
    expect(Math.ceil(all.length / 999)).toBe(3);
    expect(Math.ceil(kept.length / 999)).toBe(2);
    const scope = migrationScope({ domain: "contoso.com" });

    const users = await world.entra.listUsersInScope(scope);
    expect(users.map((u) => u.id).sort()).toEqual(
      inScopeUsers(world.tenant)
        .map((u) => u.id)
        .sort(),
    );
    const passPages = world.sim.requestLog.filter((r) => r.path.startsWith("/users"));
    // 200s: the simulator refuses the advanced query without ConsistencyLevel: eventual and $count=true.
    expect(passPages.map((r) => r.status)).toEqual([200, 200]);
    const filter = new URL(passPages[0].path, "http://x").searchParams.get("$filter");
    expect(filter).toBe("userType eq 'Member' and assignedLicenses/$count ne 0 and accountEnabled eq true");

    world.sim.requestLog.length = 0;
    const plan = await world.entra.readScope(scope);
    // What the rules decide over every user of the tenant, read unfiltered.
    const everyone = applyScope(all.map(scopeCandidate), scope, new Set());
    const counted = everyone.removed.filter((r) => r.count > 0).map((r) => r.rule);
    expect(counted).toEqual(expect.arrayContaining(["guests", "unlicensed", "disabledAccounts"]));
    expect(plan.removed).toEqual(everyone.removed);
    expect(plan.users.map((u) => u.id)).toEqual(everyone.users.map((u) => u.id));
    const planReads = world.sim.requestLog.filter((r) => r.path.startsWith("/users"));
    expect(planReads.map((r) => new URL(r.path, "http://x").searchParams.get("$filter"))).toEqual([
      filter,
      filter,
      "userType ne 'Member'",
      "userType eq 'Member' and assignedLicenses/$count eq 0",
      "accountEnabled ne true",
    ]);
    expect(planReads.every((r) => r.status === 200)).toBe(true);
  });

  it("returns a group's transitive members, resending ConsistencyLevel on every page", async () => {
    world = await startWorld({ users: 2_500, seed: 11 });
    const wave = world.tenant.groups.find((g) => g.displayName === "Migration wave 1");
    const allStaff = world.tenant.groups.find((g) => g.displayName === "All staff");
    if (!wave || !allStaff) throw new Error("fixture groups missing");

    const waveUsers = await world.entra.listUsersInScope(
      migrationScope({ domain: "contoso.com", includeGroups: [wave.id] }),
    );
    expect(waveUsers.map((u) => u.id).sort()).toEqual(
      inScopeUsers(world.tenant, wave.id)
        .map((u) => u.id)
        .sort(),
    );
    const direct = new Set(wave.memberIds);
    expect(waveUsers.some((u) => !direct.has(u.id))).toBe(true); // members of the nested "Sales" group

    // The simulator refuses an advanced query page without the header, so 3 good pages prove it was resent.
    const everyone = await world.entra.listUsersInScope(
      migrationScope({ domain: "contoso.com", includeGroups: [allStaff.id] }),
    );
    expect(everyone).toHaveLength(inScopeUsers(world.tenant).length);
    const pages = world.sim.requestLog.filter((r) => r.path.includes(allStaff.id));
    expect(pages.map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it("reads groups' display names by object id: null for an id no group has (404), one request per group", async () => {
    world = await startWorld({ users: 20 });
    const wave = world.tenant.groups.find((g) => g.displayName === "Migration wave 1")!;
    const unknown = "00000000-0000-4000-8000-00000000dead";
    const names = await world.entra.readGroupNames([wave.id, unknown, wave.id]);
    expect([...names]).toEqual([
      [wave.id, "Migration wave 1"],
      [unknown, null],
    ]);
    const reads = world.sim.requestLog.filter((r) => r.path.startsWith("/groups/"));
    expect(reads.map((r) => r.status)).toEqual([200, 404]);
  });

  it("refuses an advanced query without ConsistencyLevel and a page size above 999", async () => {
    world = await startWorld();
    const group = world.tenant.groups[0];
    const noHeader = await rawRequest(
      world.sim,
      "GET",
      `/v1.0/groups/${group.id}/transitiveMembers/microsoft.graph.user?$filter=accountEnabled eq true`,
    );
    expect(noHeader.status).toBe(400);
    expect(noHeader.body).toMatchObject({ error: { code: "Request_UnsupportedQuery" } });
    const tooBig = await rawRequest(world.sim, "GET", "/v1.0/users?$top=1000");
    expect(tooBig.status).toBe(400);
    expect(JSON.stringify(tooBig.body)).toContain("Must be between 1 and 999 inclusive");
  });

  it("lists successful sign-ins to the migration app only, across pages and since a time", async () => {
    world = await startWorld({ users: 1_500, seed: 3 });
    const appId = "11111111-2222-4333-8444-555555555555";
    const users = world.tenant.users;
    for (const user of users.slice(0, 1_200)) {
      world.sim.recordSignIn(user.id, appId);
      await world.clock.sleep(1_000);
    }
    world.sim.recordSignIn(users[1_300].id, appId, 50126); // a failed sign-in
    world.sim.recordSignIn(users[1_301].id, "99999999-2222-4333-8444-555555555555"); // another app

    const all = await world.entra.listMigrationSignIns({ appId });
    expect(all).toHaveLength(1_200);
    expect(new Set(all.map((s) => s.userId))).toEqual(new Set(users.slice(0, 1_200).map((u) => u.id)));
    expect(world.counter.get("listSignIns")).toBe(2);

    const since = new Date(Date.parse("2026-12-01T09:00:00Z") + 1_000_000).toISOString();
    const recent = await world.entra.listMigrationSignIns({ appId, since });
    expect(recent).toHaveLength(200);
    expect(recent.every((s) => s.createdDateTime >= since)).toBe(true);
  });

  it("keeps the sign-in log as Entra does: entries arrive late, are kept 30 days, five reads per 10 seconds", async () => {
    world = await startWorld({ users: 10, signInLogLatencyMs: 30 * 60_000 });
    const appId = "11111111-2222-4333-8444-555555555555";
    const [old, recent, late] = world.tenant.users;
    const list = async () =>
      rawRequest(world.sim, "GET", `/v1.0/auditLogs/signIns?$filter=appId eq '${appId}'`).then((r) => ({
        status: r.status,
        retryAfter: r.headers.get("Retry-After"),
        users: ((r.body as { value?: { userId: string }[] }).value ?? []).map((x) => x.userId),
      }));
    world.sim.recordSignIn(old.id, appId);
    await world.clock.sleep(25 * 24 * 60 * 60_000);
    world.sim.recordSignIn(recent.id, appId);
    await world.clock.sleep(6 * 24 * 60 * 60_000);
    world.sim.recordSignIn(late.id, appId);
    await world.clock.sleep(10 * 60_000);

    // 31 days after the first sign-in it is gone; the newest has not arrived 10 minutes after it happened.
    expect((await list()).users).toEqual([recent.id]);
    await world.clock.sleep(20 * 60_000);
    expect((await list()).users).toEqual([late.id, recent.id]);
    // Five reads in 10 seconds, then 429 with a Retry-After.
    for (let i = 0; i < 4; i++) expect((await list()).status).toBe(200);
    const throttled = await list();
    expect(throttled.status).toBe(429);
    expect(Number(throttled.retryAfter)).toBeGreaterThan(0);
  });

  it("waits out a 429 on the sign-in log (Retry-After) instead of failing the pass", async () => {
    world = await startWorld({ users: 10 });
    const appId = "11111111-2222-4333-8444-555555555555";
    for (const user of world.tenant.users) world.sim.recordSignIn(user.id, appId);
    for (let i = 0; i < 5; i++) await rawRequest(world.sim, "GET", `/v1.0/auditLogs/signIns?$top=1`);
    const read = await world.entra.listMigrationSignIns({ appId });
    expect(read).toHaveLength(10);
    expect(world.sim.requestLog.filter((r) => r.status === 429).length).toBeGreaterThan(0);
  });

  it("paces its sign-in log page reads under Graph's limit: a burst gets no 429, each read waits for its window", async () => {
    world = await startWorld({ users: 50 });
    const appId = "11111111-2222-4333-8444-555555555555";
    // 2,600 sign-ins are 3 pages of 1,000; four monitors reading at once are 12 page reads in one burst.
    for (let i = 0; i < 2_600; i++) world.sim.recordSignIn(world.tenant.users[i % 50].id, appId);
    const started = world.clock.now().getTime();
    const reads = await Promise.all([1, 2, 3, 4].map(() => world.entra.listMigrationSignIns({ appId })));

    expect(reads.map((read) => read.length)).toEqual([2_600, 2_600, 2_600, 2_600]);
    const logReads = world.sim.requestLog.filter((r) => r.path.startsWith("/auditLogs/signIns"));
    expect(logReads.map((r) => r.status)).toEqual(Array<number>(12).fill(200));
    // Each read is at least 10 seconds after the fifth before it (five per 10 s), so 12 reads span ≥ 20 s.
    const at = logReads.map((r) => Date.parse(r.at) - started);
    at.slice(5).forEach((t, i) => expect(t - at[i]).toBeGreaterThanOrEqual(10_000));
    expect(at.at(-1)).toBeGreaterThanOrEqual(20_000);
  });

  it("reads non-interactive sign-ins too, which v1.0 leaves out (beta signInEventTypes filter)", async () => {
    world = await startWorld({ users: 10 });
    const appId = "11111111-2222-4333-8444-555555555555";
    const [sso, typed] = world.tenant.users;
    world.sim.recordSignIn(sso.id, appId, 0, { interactive: false });
    world.sim.recordSignIn(typed.id, appId);

    const v1 = await rawRequest(world.sim, "GET", `/v1.0/auditLogs/signIns?$filter=appId eq '${appId}'`);
    expect((v1.body as { value: { userId: string }[] }).value.map((x) => x.userId)).toEqual([typed.id]);
    const read = await world.entra.listMigrationSignIns({ appId });
    expect(new Set(read.map((x) => x.userId))).toEqual(new Set([sso.id, typed.id]));
    expect(world.sim.requestLog.at(-1)?.path).toMatch(
      /signInEventTypes\/any\(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser'\)/,
    );
  });
});
