/** A failed activity's facts survive Durable's string-only failure details, and name the fix. */
import { GraphError } from "@microsoft/microsoft-graph-client";
import { PeigApiError, PeigTransportError } from "../../shared/peig/apiClient";
import { RetriesExhaustedError } from "../../shared/retry";
import { stepFailureFrom } from "../../shared/domain/stepFailure";
import { ActivityFailedError, describeFailure, isPerUserFailure } from "../../shared/stepFailure";

function graphError(status: number, code: string, request: string): GraphError {
  const error = new GraphError(status, "Insufficient privileges to complete the operation.");
  error.code = code;
  Object.defineProperty(error, "graphRequest", { value: request });
  return error;
}

describe("a step failure", () => {
  it("travels inside the message as Durable passes it (Reason, newline, Details) and reads back unchanged", () => {
    const failure = describeFailure(
      "monitorOnboarding",
      new RetriesExhaustedError(5, graphError(503, "serviceNotAvailable", "listUsers")),
    );
    const thrown = new ActivityFailedError(failure);
    const asDelivered = new Error(`Activity function 'monitorOnboarding' failed: ${thrown.message} \n ${thrown.stack}`);
    expect(stepFailureFrom("monitorOnboarding", asDelivered)).toEqual(failure);
    expect(failure).toMatchObject({ service: "graph", status: 503, code: "serviceNotAvailable" });
  });

  it("names the missing Graph permission of a 403 by the request that got it", () => {
    const failure = describeFailure("monitorOnboarding", graphError(403, "Authorization_RequestDenied", "listSignIns"));
    expect(failure).toMatchObject({ service: "graph", status: 403 });
    expect(failure.fix).toMatch(/AuditLog\.Read\.All/);
    expect(failure.fix).toMatch(/Entra ID P1/);
    expect(
      describeFailure("createMigrationApp", graphError(403, "Authorization_RequestDenied", "instantiate")).fix,
    ).toMatch(/Application\.ReadWrite\.All/);
  });

  it("leaves whether it still retries to the page's one line about it: no likely fix promises a retry", () => {
    // The needs-attention box says once whether it tries again by itself; a fix saying so too contradicted it
    // once the retries were over ("tries again by itself" above "It no longer tries by itself").
    const fixes = [
      describeFailure("sendReminders", graphError(403, "ErrorAccessDenied", "sendMail")).fix,
      describeFailure("sendReminders", graphError(403, "ErrorAccessDenied", "createMessage")).fix,
      describeFailure("monitorOnboarding", graphError(503, "serviceNotAvailable", "listUsers")).fix,
      describeFailure("createMigrationApp", graphError(401, "InvalidAuthenticationToken", "instantiate")).fix,
      describeFailure(
        "planMerges",
        new PeigApiError("listOnboardingRequests", 503, "unavailable", undefined, undefined),
      ).fix,
    ];
    expect(fixes[0]).toMatch(/Exchange RBAC/);
    for (const fix of fixes) expect(fix).not.toMatch(/by itself/);
  });

  it("names the Peig right of a 403 and the key of a 401", () => {
    const refused = describeFailure(
      "configurePeigMigration",
      new PeigApiError("saveMigrationConfiguration", 403, "forbidden", undefined, undefined),
    );
    expect(refused).toMatchObject({ service: "peig", status: 403 });
    expect(refused.fix).toMatch(/Configuration > Microsoft 365 Active Provider > Migration/);
    expect(
      describeFailure("planPhase2", new PeigApiError("listUsers", 401, "unauthorized", undefined, undefined)).fix,
    ).toMatch(/PEIG_API_KEY/);
    expect(describeFailure("planPhase2", new PeigTransportError("listUsers", new Error("ECONNRESET")))).toMatchObject({
      service: "peig",
      status: null,
    });
  });

  it("is the app's own when untagged (a crash, a bug): never a made-up service", () => {
    expect(stepFailureFrom("writeReport", new Error("Cannot read properties of undefined\n at x"))).toMatchObject({
      service: "app",
      status: null,
      step: "writeReport",
      message: "Cannot read properties of undefined",
    });
  });

  it("separates one refused Peig account (recorded, Phase 2 goes on) from Peig being down (the migration pauses)", () => {
    expect(isPerUserFailure(new PeigApiError("createPeigAccount", 409, "conflict", undefined, undefined))).toBe(true);
    expect(
      isPerUserFailure(
        new RetriesExhaustedError(5, new PeigApiError("createPeigAccount", 503, "unavailable", undefined, 1000)),
      ),
    ).toBe(false);
    expect(isPerUserFailure(new PeigApiError("createPeigAccount", 403, "forbidden", undefined, undefined))).toBe(false);
    expect(isPerUserFailure(new PeigTransportError("createPeigAccount", new Error("timeout")))).toBe(false);
  });
});
