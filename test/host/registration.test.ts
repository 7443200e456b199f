import * as df from "durable-functions";
import { registry } from "../../local/host/fakeCore";

describe("registration through the functions-core stand-in", () => {
  it("captures the app's functions without @azure/functions switching to test mode", () => {
    const warn = jest.spyOn(console, "warn");
    require("../../local/host/contractFixtures");
    expect(warn.mock.calls.flat().join("\n")).not.toMatch(/test mode/);
    expect(registry.get("approvalWindow")?.metadata.bindings).toBeDefined();
    const triggers = [...registry.values()].map(
      (r) => Object.values(r.metadata.bindings).find((b) => b.type.endsWith("Trigger"))?.type,
    );
    expect(new Set(triggers)).toEqual(new Set(["orchestrationTrigger", "activityTrigger", "httpTrigger"]));
  });

  it("refuses a second function with an existing name", () => {
    require("../../local/host/contractFixtures");
    expect(() => df.app.activity("echo", { handler: () => 1 })).toThrow(/registered twice/);
  });
});
