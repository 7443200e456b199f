/**
 * No 500 for any body or path: every string field of the start request has a documented maximum and
 * a 400 names the field; route ids that are not UUIDs get 404; a 400 lists at most 50 errors. The
 * property test posts generated bodies (valid, near-valid and hostile) to the real HTTP surface.
 */
import fc from "fast-check";
import { LOCAL_ADMIN } from "../../local/fixtures/staff";
import { startBody, startScenario, type Scenario } from "./harness";

let s: Scenario;
beforeAll(async () => {
  s = await startScenario({ tenant: { users: 5 } });
});
afterAll(() => s.stop());

const post = (path: string, body: unknown) =>
  s.api(path, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });

interface ErrorBody {
  errors: { field: string; message: string }[];
  omitted?: number;
}

async function expect400Naming(res: Response, field: string): Promise<ErrorBody> {
  const text = await res.text();
  expect({ status: res.status, text: text.slice(0, 300) }).toEqual({ status: 400, text: expect.any(String) });
  const body = JSON.parse(text) as ErrorBody;
  expect(body.errors.map((e) => e.field)).toContain(field);
  return body;
}

describe("string fields have a maximum, answered with 400 naming the field", () => {
  const long = (n: number) => "a".repeat(n);
  it.each([
    [
      "a 100 KB host name in idpEntityId",
      { idpEntityId: `https://${long(100_000)}.contoso.com/idp/shibboleth` },
      "idpEntityId",
    ],
    [
      "a 259-character host name in idpEntityId",
      { idpEntityId: `https://${long(63)}.${long(63)}.${long(63)}.${long(63)}.com/idp/shibboleth` },
      "idpEntityId",
    ],
    [
      "a 300-character approver address",
      { approvers: [`${long(63)}@${long(63)}.${long(63)}.${long(63)}.${long(40)}.com`] },
      "approvers.0",
    ],
    ["a 100 KB admin address", { admins: [`it@${long(100_000)}.com`] }, "admins.0"],
    ["a 100 KB domain", { domain: `${long(100_000)}.com` }, "domain"],
    ["a 100 KB reminder", { reminders: [`P${"1".repeat(100_000)}D`] }, "reminders.0"],
    ["a 100 KB deadline", { deadline: `2026-12-15T09:00:00${"0".repeat(100_000)}Z` }, "deadline"],
  ])("refuses %s on a real start (not only a dry run)", async (_what, override, field) => {
    await expect400Naming(await post("migrations", startBody({ ...override, dryRun: false })), field);
    await expect400Naming(await post("migrations", startBody({ ...override, dryRun: true })), field);
  });

  it("accepts an approver address of exactly 254 characters", async () => {
    const address = `${"a".repeat(64)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(57)}.com`;
    expect(address).toHaveLength(254);
    expect((await post("migrations", startBody({ approvers: [address], dryRun: true }))).status).toBe(200);
  });

  it("refuses a cancel reason over 500 characters with 400 naming reason", async () => {
    const id = "00000000-0000-4000-8000-000000000000";
    await expect400Naming(await post(`migrations/${id}/cancel`, { reason: "x".repeat(501) }), "reason");
  });
});

describe("lenient idpEntityId forms", () => {
  it.each([
    ["a dot-dot segment", "https://pap01.contoso.com/x/../idp/shibboleth"],
    ["backslashes", "https:\\\\pap01.contoso.com\\idp\\shibboleth"],
    ["an embedded newline", "https://pap01.con\ntoso.com/idp/shibboleth"],
    ["leading whitespace", " https://pap01.contoso.com/idp/shibboleth"],
    ["trailing whitespace", "https://pap01.contoso.com/idp/shibboleth\t"],
    ["an encoded path", "https://pap01.contoso.com/idp/%73hibboleth"],
  ])("refuses %s with 400 instead of normalising it", async (_what, idpEntityId) => {
    await expect400Naming(await post("migrations", startBody({ idpEntityId, dryRun: true })), "idpEntityId");
  });

  it("still accepts the documented form with a port", async () => {
    expect(
      (
        await post(
          "migrations",
          startBody({ idpEntityId: "https://pap01.contoso.com:8443/idp/shibboleth", dryRun: true }),
        )
      ).status,
    ).toBe(200);
  });
});

describe("route ids", () => {
  const routes: [string, string, unknown?][] = [
    ["GET", ""],
    ["GET", "/page"],
    ["GET", "/report"],
    ["POST", "/deadline", { deadline: "2026-12-20T09:00:00Z" }],
    ["POST", "/cancel", { reason: "x" }],
    ["POST", "/approval", {}],
  ];
  it.each(["x".repeat(1_200), "not-a-uuid", "00000000-0000-4000-8000-00000000000", "%2e%2e", "' or 1=1"])(
    "answer 404 to the id %s on every route",
    async (id) => {
      // The status page is for signed-in people; anonymous, it would be the sign-in redirect.
      const admin = await s.host.signIn(LOCAL_ADMIN);
      for (const [method, suffix, body] of routes) {
        const path = `migrations/${encodeURIComponent(id)}${suffix}`;
        const init =
          method === "GET"
            ? undefined
            : { method, body: JSON.stringify(body), headers: { "content-type": "application/json" } };
        const res = await (suffix === "/page"
          ? admin(`${s.host.baseUrl}/api/${path}`, { redirect: "manual" })
          : s.api(path, init));
        expect({ route: `${method} ${suffix}`, status: res.status }).toEqual({
          route: `${method} ${suffix}`,
          status: 404,
        });
      }
    },
  );
});

describe("a 400 with many errors", () => {
  it("lists the first 50 and says how many more, for 20,000 unknown keys", async () => {
    const body: Record<string, unknown> = startBody({ dryRun: true });
    for (let i = 0; i < 20_000; i++) body[`unknown${i}`] = i;
    const res = await post("migrations", body);
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(text.length).toBeLessThan(20_000);
    const parsed = JSON.parse(text) as ErrorBody;
    expect(parsed.errors).toHaveLength(50);
    expect(parsed.errors[0]).toEqual({
      field: "unknown0",
      message: expect.stringMatching(/is not a field of this request/),
    });
    expect(parsed.omitted).toBe(19_950);
  });
});

describe("generated bodies (fast-check)", () => {
  const sample = startBody({ dryRun: true });
  const fields = Object.keys(sample);
  const hostileString = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: "grapheme", maxLength: 40 }),
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.nat({ max: 300_000 }).map((n) => "a".repeat(n)),
    fc.constantFrom(
      "\u202Eevil",
      "a\u0000b",
      "x\r\ny",
      "<script>",
      "${x}",
      "' or 1=1 --",
      "..\\..",
      "https://pap01.contoso.com/idp/shibboleth\n",
    ),
  );
  const anyValue = fc.oneof(
    hostileString,
    fc.jsonValue({ maxDepth: 3 }),
    fc.array(hostileString, { maxLength: 30 }),
    fc.constant(null),
  );
  /** A valid dry-run body with some fields replaced, removed or added. */
  const nearValid = fc
    .tuple(
      fc.dictionary(fc.constantFrom(...fields), anyValue, { maxKeys: 4 }),
      fc.subarray(fields, { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 20 }), anyValue, { maxKeys: 3 }),
      fc.integer({ min: 0, max: 9 }),
    )
    .map(([replaced, removed, added, dice]) => {
      const body: Record<string, unknown> = { ...added, ...sample, ...replaced };
      for (const field of removed) delete body[field];
      // A real start would begin a migration; most stay dry runs so the test stays fast.
      if (body.dryRun !== true && dice > 0) body.dryRun = true;
      return JSON.stringify(body);
    });
  const valid = fc
    .record({
      workspace: fc.stringMatching(/^[A-Za-z0-9-]{1,63}$/),
      approvers: fc.uniqueArray(fc.stringMatching(/^[a-z]{1,20}@contoso\.com$/), { minLength: 1, maxLength: 10 }),
      requiredApprovals: fc.constant(1),
      reminders: fc.uniqueArray(fc.constantFrom("P7D", "P3D", "P1D", "PT4H", "PT1H"), { maxLength: 5 }),
    })
    .map((over) => JSON.stringify(startBody({ ...over, dryRun: true })));
  const hostileBody = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
    fc.constantFrom("", "{", "[]", "null", '"x"', '{"__proto__":{"dryRun":true}}'),
  );

  it("never answer 5xx, and every 400 names a field", async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { arbitrary: valid, weight: 1 },
          { arbitrary: nearValid, weight: 3 },
          { arbitrary: hostileBody, weight: 1 },
        ),
        async (body) => {
          runs++;
          const res = await post("migrations", body);
          const text = await res.text();
          if (res.status >= 500) throw new Error(`${res.status} for ${body.slice(0, 200)}: ${text.slice(0, 300)}`);
          if (res.status === 400) {
            const parsed = JSON.parse(text) as ErrorBody;
            if (!(
              parsed.errors.length > 0 &&
              parsed.errors.length <= 50 &&
              parsed.errors.every((e) => typeof e.field === "string" && e.field.length > 0)
            )) {
              throw new Error(`a 400 that names no field for ${body.slice(0, 200)}: ${text.slice(0, 300)}`);
            }
          }
        },
      ),
      { numRuns: 1_000 },
    );
    expect(runs).toBeGreaterThanOrEqual(1_000);
  }, 180_000);

  it("never answer 5xx for generated migration ids on any route", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 1_500 }),
        fc.constantFrom("", "/page", "/report", "/deadline", "/cancel", "/approval"),
        async (id, suffix) => {
          const method = ["", "/page", "/report"].includes(suffix) ? "GET" : "POST";
          const res = await s.api(
            `migrations/${encodeURIComponent(id)}${suffix}`,
            method === "GET" ? undefined : { method, body: "{}", headers: { "content-type": "application/json" } },
          );
          await res.arrayBuffer();
          if (res.status >= 500) throw new Error(`${res.status} for ${method} ${suffix} with id ${id.slice(0, 80)}`);
        },
      ),
      { numRuns: 200 },
    );
  }, 120_000);
});
