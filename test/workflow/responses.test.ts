/**
 * Small promises of the HTTP surface: JSON is never sniffed or cached, and the status page's report
 * link opens the report for the signed-in admin, with no key in it or in the status JSON.
 */
import { approveDeletion, DAY, startScenario, type Scenario } from "./harness";

let s: Scenario;
afterEach(() => s?.stop());

const post = (path: string, body: unknown) =>
  s.api(path, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });

describe("JSON responses", () => {
  it("all say X-Content-Type-Options: nosniff and Cache-Control: no-store, whatever the status", async () => {
    s = await startScenario({ tenant: { users: 10 } });
    const id = await s.start();
    const answers = [
      await s.api(`migrations/${id}`),
      await post("migrations", { workspace: 1 }),
      await s.api("migrations/00000000-0000-4000-8000-000000000000"),
      await post("migrations", { ...((await (await s.api(`migrations/${id}`)).json()) as object), dryRun: true }),
      await post(`migrations/${id}/approval`, {}),
      await post(`migrations/${id}/cancel`, { reason: "test" }),
    ];
    for (const res of answers) {
      expect({
        status: res.status,
        type: res.headers.get("content-type"),
        nosniff: res.headers.get("x-content-type-options"),
        cache: res.headers.get("cache-control"),
      }).toEqual({
        status: res.status,
        type: expect.stringMatching(/^application\/json/),
        nosniff: "nosniff",
        cache: "no-store",
      });
    }
    await s.host.idle();
  });
});

describe("the report", () => {
  it("as JSON is no-store and nosniff, and the status page's link to it works from the page", async () => {
    s = await startScenario({ tenant: { users: 20, seed: 4, missRate: 0, mismatchRate: 0 } });
    const id = await s.start();
    await approveDeletion(s, id);
    await s.runUntil(async () => (await s.phase(id)) === "completed", 2 * DAY);

    const json = await s.api(`migrations/${id}/report?format=json`);
    expect(json.status).toBe(200);
    expect(json.headers.get("cache-control")).toBe("no-store");
    expect(json.headers.get("x-content-type-options")).toBe("nosniff");

    // A signed-in admin's browser opens the page and follows the link with its session alone.
    const pageUrl = `${s.host.baseUrl}/api/migrations/${id}/page`;
    const page = await s.asAdmin(`migrations/${id}/page`);
    expect(page.status).toBe(200);
    const href = /<a href="([^"]+)">Open the report<\/a>/.exec(await page.text())?.[1]?.replace(/&amp;/g, "&");
    expect(href).toBeDefined();
    const report = await s.asAdmin(new URL(href!, pageUrl).pathname.replace(/^\/api\//, ""));
    expect(report.status).toBe(200);
    expect(await report.text()).toContain("<!doctype html>");
    // The key is not in the status JSON's links.
    expect(
      JSON.stringify(((await (await s.api(`migrations/${id}`)).json()) as { links: unknown }).links),
    ).not.toContain("code=");
  });
});
