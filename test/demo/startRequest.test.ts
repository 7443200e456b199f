import { startRequestBody } from "../../local/demo/startRequest";
import { parseStartRequest } from "../../shared/validation/startRequest";

const now = new Date("2026-12-01T09:00:00Z");

describe("the demo's start request", () => {
  it("is valid with the deadline the given number of simulated days ahead", () => {
    const body = startRequestBody(now, 14, "contoso.com");
    expect(body.deadline).toBe("2026-12-15T09:00:00.000Z");
    expect(body.reminders).toEqual(["P7D", "P3D", "P1D", "PT4H"]);
    expect(parseStartRequest(body, now).ok).toBe(true);
  });

  it("keeps only the reminders that fit a short window, so a one-day demo is still valid", () => {
    const body = startRequestBody(now, 1, "contoso.com");
    expect(body.reminders).toEqual(["PT4H"]);
    expect(parseStartRequest(body, now).ok).toBe(true);
  });
});
