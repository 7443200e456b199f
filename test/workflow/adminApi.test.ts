/**
 * The admin API's input handling (docs/design.md#http-surface): bad input gets a 400 naming the field and starts
 * nothing; a dry run plans without side effects; one active migration per workspace; unknown ids 404.
 */
import { startScenario, startBody, type Scenario } from "./harness";

/** Each test's own scenario; the bad-input table shares one (`shared`). */
let s: Scenario | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});
let shared: Scenario;
const current = () => s ?? shared;

const post = (path: string, body: unknown) =>
  current().api(path, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });

/** No trace of a start: no migration row, no durable instance, no mail, no Entra app. */
async function expectNothingStarted(): Promise<void> {
  const sc = current();
  await sc.host.idle();
  expect(await sc.stack.store.listMigrations()).toEqual([]);
  expect(sc.host.engine.listInstances()).toEqual([]);
  expect(sc.stack.graph.outbox).toEqual([]);
  expect(sc.stack.graph.requestLog.filter((r) => r.method !== "GET")).toEqual([]);
}

const without = (field: string) => {
  const body = startBody();
  delete body[field];
  return body;
};

/** [what is wrong, the body, the field the 400 must name]. */
const invalidBodies: [string, unknown, string][] = [
  ["workspace missing", without("workspace"), "workspace"],
  ["workspace empty", startBody({ workspace: "" }), "workspace"],
  ["workspace with a space", startBody({ workspace: "con toso" }), "workspace"],
  ["workspace a number", startBody({ workspace: 42 }), "workspace"],
  ["domain missing", without("domain"), "domain"],
  ["domain not a DNS name", startBody({ domain: "not a domain" }), "domain"],
  ["domain the initial onmicrosoft.com domain", startBody({ domain: "contoso.onmicrosoft.com" }), "domain"],
  ["idpEntityId over http", startBody({ idpEntityId: "http://pap01.contoso.com/idp/shibboleth" }), "idpEntityId"],
  ["idpEntityId with the wrong path", startBody({ idpEntityId: "https://pap01.contoso.com/saml" }), "idpEntityId"],
  ["deadline missing", without("deadline"), "deadline"],
  ["deadline a date only", startBody({ deadline: "2026-12-15" }), "deadline"],
  ["deadline without an offset", startBody({ deadline: "2026-12-15T09:00:00" }), "deadline"],
  ["deadline in the past", startBody({ deadline: "2026-11-01T09:00:00Z" }), "deadline"],
  ["deadline more than 180 days ahead", startBody({ deadline: "2027-12-01T09:00:00Z" }), "deadline"],
  ["reminders not a list", startBody({ reminders: "P7D" }), "reminders"],
  ["reminder not a duration", startBody({ reminders: ["P7D", "7 days"] }), "reminders.1"],
  ["reminder in months", startBody({ reminders: ["P1M"] }), "reminders.0"],
  ["reminder of zero", startBody({ reminders: ["P0D"] }), "reminders.0"],
  ["reminders repeating a moment", startBody({ reminders: ["P7D", "P1W"] }), "reminders.1"],
  ["reminder before the window opens", startBody({ reminders: ["P30D"] }), "reminders.0"],
  ["monitorEvery too often", startBody({ monitorEvery: "PT5M" }), "monitorEvery"],
  ["monitorEvery too rare", startBody({ monitorEvery: "P2D" }), "monitorEvery"],
  ["scopeGroupId not a GUID", startBody({ scopeGroupId: "finance" }), "scopeGroupId"],
  ["approvers empty", startBody({ approvers: [] }), "approvers"],
  ["approver not an e-mail address", startBody({ approvers: ["cio"] }), "approvers.0"],
  [
    "approver repeated in another case",
    startBody({ approvers: ["cio@contoso.com", "CIO@contoso.com"] }),
    "approvers.1",
  ],
  [
    "more than 10 approvers",
    startBody({ approvers: Array.from({ length: 11 }, (_, i) => `a${i}@contoso.com`) }),
    "approvers",
  ],
  ["requiredApprovals zero", startBody({ requiredApprovals: 0 }), "requiredApprovals"],
  ["requiredApprovals above the number of approvers", startBody({ requiredApprovals: 4 }), "requiredApprovals"],
  ["requiredApprovals a fraction", startBody({ requiredApprovals: 1.5 }), "requiredApprovals"],
  ["admins missing", without("admins"), "admins"],
  ["admin not an e-mail address", startBody({ admins: ["it"] }), "admins.0"],
  ["phase2 unknown", startBody({ phase2: "sometimes" }), "phase2"],
  ["endEarly a string", startBody({ endEarly: "yes" }), "endEarly"],
  ["dryRun a string", startBody({ dryRun: "false" }), "dryRun"],
  ["personalisedReminders a string", startBody({ personalisedReminders: "no" }), "personalisedReminders"],
  ["an unknown field", startBody({ surprise: true }), "surprise"],
  ["a JSON array", [startBody()], "body"],
  ["JSON null", null, "body"],
  ["not JSON", "{workspace: contoso", "body"],
  ["an empty body", "", "body"],
];

describe("POST /api/migrations with bad input", () => {
  beforeAll(async () => {
    shared = await startScenario({ tenant: { users: 30 } });
  });
  afterAll(() => shared.stop());

  it.each(invalidBodies)("rejects %s with 400 naming the field", async (_what, body, field) => {
    const res = await post("migrations", body === null ? "null" : body);
    expect(res.status).toBe(400);
    const { errors } = (await res.json()) as { errors: { field: string; message: string }[] };
    expect(errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    for (const e of errors) expect(e.message).toEqual(expect.any(String));
  });

  it("has started nothing after all of them", async () => {
    expect(invalidBodies.length).toBeGreaterThanOrEqual(25);
    await expectNothingStarted();
  });
});

describe("a dry run", () => {
  it("returns the plan (users in scope, messages per reminder, warnings) and starts nothing", async () => {
    const sc = (s = await startScenario({ tenant: { users: 60 } }));
    const res = await post("migrations", startBody({ dryRun: true }));
    expect(res.status).toBe(200);
    const { plan } = (await res.json()) as {
      plan: {
        usersInScope: number;
        recipients: number;
        reminders: { label: string; recipients: number; messages: number }[];
        warnings: string[];
        invitation: { messages: number };
      };
    };
    expect(plan.usersInScope).toBeGreaterThan(0);
    expect(plan.reminders.map((r) => [r.label, r.messages])).toEqual([
      ["P7D", 1],
      ["P3D", 1],
      ["P1D", 1],
      ["PT4H", 1],
    ]);
    expect(plan.invitation.messages).toBe(1);
    expect(Array.isArray(plan.warnings)).toBe(true);
    await expectNothingStarted();

    // Personalised mail: one message per recipient. A domain with nobody in it: a warning.
    const personal = (await (
      await post("migrations", startBody({ dryRun: true, personalisedReminders: true }))
    ).json()) as { plan: typeof plan };
    expect(personal.plan.reminders.every((r) => r.messages === personal.plan.recipients)).toBe(true);
    const empty = (await (await post("migrations", startBody({ dryRun: true, domain: "fabrikam.com" }))).json()) as {
      plan: typeof plan;
    };
    expect(empty.plan.usersInScope).toBe(0);
    expect(empty.plan.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/no users are in scope/)]));
    await expectNothingStarted();

    // The plan's scope is the one a real start then works with.
    const id = await sc.start();
    expect(((await sc.status(id)).counts as { inScope: number }).inScope).toBe(plan.usersInScope);
  });
});

describe("one migration per workspace", () => {
  it("answers a second start for the same workspace with 409 and the existing id", async () => {
    // Operator mode: another workspace is another Peig server (its IDP Entity ID in the request). In api mode the
    // deployment's one Peig API is one workspace, which a running migration holds (test/graph/preflight.test.ts).
    const sc = (s = await startScenario({ peigMode: "operator", tenant: { users: 30 } }));
    const id = await sc.start();
    const again = await post("migrations", startBody({ domain: "contoso.com", deadline: "2026-12-20T09:00:00Z" }));
    expect(again.status).toBe(409);
    const body = (await again.json()) as { id: string; statusUrl: string };
    expect(body.id).toBe(id);
    expect(body.statusUrl).toMatch(new RegExp(`/api/migrations/${id}$`));
    expect((await sc.stack.store.listMigrations()).map((m) => m.id)).toEqual([id]);
    // Another workspace is free.
    const other = startBody({ workspace: "fabrikam", idpEntityId: "https://pap01.fabrikam.com/idp/shibboleth" });
    expect((await post("migrations", other)).status).toBe(202);
  });
});

describe("an unknown migration id", () => {
  it("gets 404 on status, page, deadline, cancel and approval", async () => {
    const sc = (s = await startScenario({ tenant: { users: 30 } }));
    const unknown = "00000000-0000-4000-8000-000000000000";
    expect((await sc.api(`migrations/${unknown}`)).status).toBe(404);
    expect((await sc.asAdmin(`migrations/${unknown}/page`)).status).toBe(404);
    expect((await post(`migrations/${unknown}/deadline`, { deadline: "2026-12-20T09:00:00Z" })).status).toBe(404);
    expect((await post(`migrations/${unknown}/cancel`, { reason: "test" })).status).toBe(404);
    expect((await post(`migrations/${unknown}/approval`, {})).status).toBe(404);
    await expectNothingStarted();
  });
});
