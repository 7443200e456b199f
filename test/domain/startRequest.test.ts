import { parseDeadlineExtension, parseStartRequest } from "../../shared/validation/startRequest";

const now = new Date("2026-06-01T00:00:00Z");

const GROUP_A = "8f3a2c1e-0b4d-4e5f-9a6b-7c8d9e0f1a2b";
const manyGroups = (n: number) =>
  Array.from({ length: n }, (_, i) => `8f3a2c1e-0b4d-4e5f-9a6b-${String(i).padStart(12, "0")}`);
const validBody = {
  workspace: "contoso",
  domain: "contoso.com",
  idpEntityId: "https://pap01.contoso.com/idp/shibboleth",
  deadline: "2026-06-15T17:00:00Z",
  reminders: ["P7D", "P3D", "P1D", "PT4H"],
  monitorEvery: "PT1H",
  scopeGroupId: "00000000-0000-0000-0000-000000000000",
  approvers: ["cio@contoso.com", "ciso@contoso.com"],
  requiredApprovals: 1,
  admins: ["it@contoso.com"],
  phase2: "auto",
  endEarly: true,
  dryRun: false,
};

function without(field: keyof typeof validBody): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...validBody };
  delete copy[field];
  return copy;
}

const eleven = Array.from({ length: 11 }, (_, i) => `person${i}@contoso.com`);
const twentyOneReminders = Array.from({ length: 21 }, (_, i) => `PT${i + 1}H`);

/** [what is wrong, body, the one field the error must name] */
const invalidBodies: [string, unknown, string][] = [
  ["workspace missing", without("workspace"), "workspace"],
  ["workspace empty", { ...validBody, workspace: "" }, "workspace"],
  ["workspace with a space", { ...validBody, workspace: "con toso" }, "workspace"],
  ["workspace with an underscore", { ...validBody, workspace: "con_toso" }, "workspace"],
  ["workspace of 64 characters", { ...validBody, workspace: "a".repeat(64) }, "workspace"],
  ["workspace not text", { ...validBody, workspace: 42 }, "workspace"],
  ["domain with one label", { ...validBody, domain: "contoso" }, "domain"],
  ["domain is the initial onmicrosoft.com domain", { ...validBody, domain: "contoso.onmicrosoft.com" }, "domain"],
  ["domain starting with a hyphen", { ...validBody, domain: "-contoso.com" }, "domain"],
  ["domain given as a URL", { ...validBody, domain: "https://contoso.com" }, "domain"],
  ["idpEntityId over http", { ...validBody, idpEntityId: "http://pap01.contoso.com/idp/shibboleth" }, "idpEntityId"],
  [
    "idpEntityId with another path",
    { ...validBody, idpEntityId: "https://pap01.contoso.com/idp/shibboleth/extra" },
    "idpEntityId",
  ],
  [
    "idpEntityId with a query",
    { ...validBody, idpEntityId: "https://pap01.contoso.com/idp/shibboleth?x=1" },
    "idpEntityId",
  ],
  ["idpEntityId not a URL", { ...validBody, idpEntityId: "pap01.contoso.com" }, "idpEntityId"],
  ["deadline missing", without("deadline"), "deadline"],
  ["deadline without an offset", { ...validBody, deadline: "2026-06-15T17:00:00" }, "deadline"],
  ["deadline as a date only", { ...validBody, deadline: "2026-06-15" }, "deadline"],
  ["deadline on a day that does not exist", { ...validBody, deadline: "2026-06-31T17:00:00Z" }, "deadline"],
  ["deadline in the past", { ...validBody, deadline: "2026-05-01T00:00:00Z" }, "deadline"],
  ["deadline equal to now", { ...validBody, deadline: "2026-06-01T00:00:00Z" }, "deadline"],
  ["deadline more than 180 days ahead", { ...validBody, deadline: "2026-12-01T00:00:00Z" }, "deadline"],
  ["reminders not a list", { ...validBody, reminders: "P7D" }, "reminders"],
  ["reminder in months", { ...validBody, reminders: ["P1M"] }, "reminders.0"],
  ["reminder in years, second in the list", { ...validBody, reminders: ["P7D", "P1Y"] }, "reminders.1"],
  ["reminder in words", { ...validBody, reminders: ["P7D", "P3D", "7 days"] }, "reminders.2"],
  ["reminder of zero length", { ...validBody, reminders: ["PT0S"] }, "reminders.0"],
  ["reminder not text", { ...validBody, reminders: [7] }, "reminders.0"],
  ["reminder repeated", { ...validBody, reminders: ["P7D", "P7D"] }, "reminders.1"],
  ["two reminders at the same instant", { ...validBody, reminders: ["P1D", "PT24H"] }, "reminders.1"],
  ["reminder before the window opens", { ...validBody, reminders: ["P30D"] }, "reminders.0"],
  ["more than 20 reminders", { ...validBody, reminders: twentyOneReminders }, "reminders"],
  ["monitorEvery below PT15M", { ...validBody, monitorEvery: "PT5M" }, "monitorEvery"],
  ["monitorEvery above P1D", { ...validBody, monitorEvery: "P2D" }, "monitorEvery"],
  ["monitorEvery missing", without("monitorEvery"), "monitorEvery"],
  ["scopeGroupId not a GUID", { ...validBody, scopeGroupId: "sales" }, "scopeGroupId"],
  [
    "an include group not a GUID",
    { ...validBody, scopeGroupId: undefined, includeGroups: ["sales"] },
    "includeGroups.0",
  ],
  ["an exclude group twice", { ...validBody, excludeGroups: [GROUP_A, GROUP_A.toUpperCase()] }, "excludeGroups.1"],
  ["21 include groups", { ...validBody, scopeGroupId: undefined, includeGroups: manyGroups(21) }, "includeGroups"],
  ["scopeGroupId beside includeGroups", { ...validBody, includeGroups: [GROUP_A] }, "scopeGroupId"],
  ["excludeGuests not a boolean", { ...validBody, excludeGuests: "no" }, "excludeGuests"],
  [
    "fallback approvers without escalateAfter",
    { ...validBody, fallbackApprovers: ["ceo@contoso.com"] },
    "escalateAfter",
  ],
  ["escalateAfter without fallback approvers", { ...validBody, escalateAfter: "2 days" }, "fallbackApprovers"],
  [
    "a fallback approver who is an approver",
    { ...validBody, fallbackApprovers: ["CIO@contoso.com"], escalateAfter: "2 days" },
    "fallbackApprovers.0",
  ],
  [
    "escalateAfter not a duration",
    { ...validBody, fallbackApprovers: ["ceo@contoso.com"], escalateAfter: "soon" },
    "escalateAfter",
  ],
  ["no approvers", { ...validBody, approvers: [] }, "approvers"],
  ["approver not an e-mail address", { ...validBody, approvers: ["not-an-email"] }, "approvers.0"],
  [
    "approver repeated in another case",
    { ...validBody, approvers: ["cio@contoso.com", "CIO@contoso.com"] },
    "approvers.1",
  ],
  ["eleven approvers", { ...validBody, approvers: eleven }, "approvers"],
  ["requiredApprovals zero", { ...validBody, requiredApprovals: 0 }, "requiredApprovals"],
  ["requiredApprovals fractional", { ...validBody, requiredApprovals: 1.5 }, "requiredApprovals"],
  ["requiredApprovals as text", { ...validBody, requiredApprovals: "1" }, "requiredApprovals"],
  ["requiredApprovals above the number of approvers", { ...validBody, requiredApprovals: 3 }, "requiredApprovals"],
  ["admins missing", without("admins"), "admins"],
  ["admin address without a top-level domain", { ...validBody, admins: ["it@contoso"] }, "admins.0"],
  ["eleven admins", { ...validBody, admins: eleven }, "admins"],
  ["phase2 not one of the choices", { ...validBody, phase2: "manual" }, "phase2"],
  ["endEarly as text", { ...validBody, endEarly: "yes" }, "endEarly"],
  ["dryRun missing", without("dryRun"), "dryRun"],
  ["personalisedReminders as text", { ...validBody, personalisedReminders: "true" }, "personalisedReminders"],
  ["unknown field", { ...validBody, tenantId: "abc" }, "tenantId"],
  ["timeZone that Intl does not know", { ...validBody, timeZone: "Europe/Atlantis" }, "timeZone"],
  ["timeZone as an offset", { ...validBody, timeZone: "+01:00 CET " }, "timeZone"],
  ["timeZone not text", { ...validBody, timeZone: 1 }, "timeZone"],
  ["note of 501 characters", { ...validBody, note: "x".repeat(501) }, "note"],
  ["note with a control character", { ...validBody, note: "see \u001b[2J" }, "note"],
  ["body is null", null, "body"],
  ["body is a list", [validBody], "body"],
  ["body is text", "workspace=contoso", "body"],
];

describe("parseStartRequest", () => {
  it.each(invalidBodies)("rejects %s, naming the field", (_what, body, field) => {
    const result = parseStartRequest(body, now);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.field)).toEqual([field]);
    expect(result.errors[0].message.length).toBeGreaterThan(5);
  });

  it("has at least 30 distinct invalid bodies in its table", () => {
    expect(new Set(invalidBodies.map(([what]) => what)).size).toBeGreaterThanOrEqual(30);
  });

  it("accepts the design's example body and fills the defaults", () => {
    const result = parseStartRequest(validBody, now);
    expect(result).toEqual({
      ok: true,
      value: {
        ...validBody,
        personalisedReminders: false,
        acceptPlanWarnings: false,
        timeZone: "UTC",
        // The built-in scope exclusions are on unless switched off.
        excludeGuests: true,
        excludeDisabledAccounts: true,
        excludeUnlicensed: true,
      },
    });
  });

  it("accepts a body without the optional fields", () => {
    const body: Record<string, unknown> = { ...validBody };
    delete body.idpEntityId;
    delete body.scopeGroupId;
    const result = parseStartRequest({ ...body, reminders: [], personalisedReminders: true }, now);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value.idpEntityId).toBeUndefined();
      expect(result.value.personalisedReminders).toBe(true);
    }
  });

  it("keeps an IANA time zone and the admins' note, trimmed, with its line breaks", () => {
    const result = parseStartRequest(
      {
        ...validBody,
        timeZone: "Europe/Prague",
        note: "  Help desk: https://help.contoso.com\nDeadline set by the audit.  ",
      },
      now,
    );
    expect(result.ok && { timeZone: result.value.timeZone, note: result.value.note }).toEqual({
      timeZone: "Europe/Prague",
      note: "Help desk: https://help.contoso.com\nDeadline set by the audit.",
    });
  });

  it("normalises e-mail addresses, the domain and durations but keeps the deadline as given", () => {
    const result = parseStartRequest(
      {
        ...validBody,
        domain: "Contoso.COM",
        approvers: ["CIO@Contoso.com"],
        admins: ["IT@contoso.com"],
        reminders: ["p7d", "pt4h"],
        deadline: "2026-06-15T18:00:00+01:00",
      },
      now,
    );
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value.domain).toBe("contoso.com");
      expect(result.value.approvers).toEqual(["cio@contoso.com"]);
      expect(result.value.admins).toEqual(["it@contoso.com"]);
      expect(result.value.reminders).toEqual(["P7D", "PT4H"]);
      expect(result.value.deadline).toBe("2026-06-15T18:00:00+01:00");
    }
  });

  it("reports every wrong field at once", () => {
    const result = parseStartRequest({ ...validBody, workspace: "", phase2: "later", approvers: ["x"], extra: 1 }, now);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors.map((e) => e.field).sort()).toEqual(["approvers.0", "extra", "phase2", "workspace"]);
  });

  it("tells a missing field from one of the wrong type", () => {
    const missing = parseStartRequest(without("workspace"), now);
    const wrongType = parseStartRequest({ ...validBody, workspace: 42, reminders: ["P7D", 5] }, now);
    expect(!missing.ok && missing.errors).toEqual([{ field: "workspace", message: "is required" }]);
    expect(!wrongType.ok && wrongType.errors).toEqual([
      { field: "workspace", message: "must be the Peig workspace name (text)" },
      {
        field: "reminders.1",
        message: `must be a duration such as "7 days", "4 hours" or "1 day 12 hours" (or ISO 8601: P7D, PT4H)`,
      },
    ]);
  });

  it("reports repeated reminders even when the deadline is wrong", () => {
    const result = parseStartRequest({ ...validBody, deadline: "soon", reminders: ["P1D", "PT24H"] }, now);
    expect(!result.ok && result.errors.map((e) => e.field)).toEqual(["deadline", "reminders.1"]);
  });

  it("takes durations as people write them and stores them as ISO 8601", () => {
    const result = parseStartRequest(
      { ...validBody, reminders: ["7 days", "3 days", "1 day", "4 hours"], monitorEvery: "12 hours" },
      now,
    );
    expect(result.ok && [result.value.reminders, result.value.monitorEvery]).toEqual([
      ["P7D", "P3D", "P1D", "PT4H"],
      "PT12H",
    ]);
    const wrong = parseStartRequest({ ...validBody, reminders: ["7 dais"], monitorEvery: "2 days" }, now);
    expect(!wrong.ok && wrong.errors).toEqual([
      { field: "reminders.0", message: '"7 dais": "dais" is not a unit; use weeks, days, hours or minutes' },
      { field: "monitorEvery", message: "must be between 15 minutes and 1 day" },
    ]);
  });

  it("explains why months are refused", () => {
    const result = parseStartRequest({ ...validBody, reminders: ["P1M"] }, now);
    expect(!result.ok && result.errors[0].message).toMatch(/length varies/);
  });

  it("says when a reminder would fall before the window opens", () => {
    const result = parseStartRequest({ ...validBody, reminders: ["P20D"] }, now);
    expect(!result.ok && result.errors[0].message).toBe(
      "20 days before the deadline would be in the past: the deadline is only 14 days 17 hours away",
    );
  });

  it("states the workspace naming rule", () => {
    const result = parseStartRequest({ ...validBody, workspace: "con toso" }, now);
    expect(!result.ok && result.errors[0].message).toMatch(/1–63 characters, letters, digits and hyphens/);
  });

  it("says the corporate domain is required instead of onmicrosoft.com", () => {
    const result = parseStartRequest({ ...validBody, domain: "contoso.onmicrosoft.com" }, now);
    expect(!result.ok && result.errors[0].message).toMatch(/corporate domain/);
  });

  it("judges the deadline against the now it is given", () => {
    const body = { ...validBody, reminders: ["PT4H"] };
    expect(parseStartRequest(body, new Date("2026-06-16T00:00:00Z")).ok).toBe(false);
    expect(parseStartRequest(body, new Date("2026-06-15T12:00:00Z")).ok).toBe(true);
    expect(parseStartRequest(body, new Date("2026-06-15T13:00:00Z")).ok).toBe(false); // PT4H before 17:00 has passed
  });
});

describe("parseDeadlineExtension", () => {
  const current = new Date("2026-06-15T17:00:00Z");

  it("accepts a later deadline", () => {
    expect(parseDeadlineExtension({ deadline: "2026-06-22T17:00:00Z" }, now, current)).toEqual({
      ok: true,
      value: { deadline: "2026-06-22T17:00:00Z" },
    });
  });

  it.each([
    ["an earlier deadline", { deadline: "2026-06-10T17:00:00Z" }, "deadline"],
    ["the same deadline", { deadline: "2026-06-15T17:00:00Z" }, "deadline"],
    ["a deadline without an offset", { deadline: "2026-06-22T17:00:00" }, "deadline"],
    ["a deadline more than 180 days ahead", { deadline: "2027-06-22T17:00:00Z" }, "deadline"],
    ["a missing deadline", {}, "deadline"],
    ["an unknown field", { deadline: "2026-06-22T17:00:00Z", reason: "x" }, "reason"],
    ["a body that is not an object", "2026-06-22T17:00:00Z", "body"],
  ])("rejects %s", (_what, body, field) => {
    const result = parseDeadlineExtension(body, now, current);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.field)).toEqual([field]);
  });

  it("names only the deadline as allowed when an unknown field is sent", () => {
    const result = parseDeadlineExtension({ deadline: "2026-06-22T17:00:00Z", reason: "x" }, now, current);
    expect(!result.ok && result.errors[0].message).toBe("is not a field of this request (allowed: deadline)");
  });

  it("says the new deadline must be later than the current one", () => {
    const result = parseDeadlineExtension({ deadline: "2026-06-10T17:00:00Z" }, now, current);
    expect(!result.ok && result.errors[0].message).toMatch(
      /later than the current deadline, Mon 15 Jun 2026, 17:00 UTC/,
    );
  });
});
