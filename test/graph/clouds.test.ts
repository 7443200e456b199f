/** National clouds: the DoD cloud has its own Graph host; operator mode needs sign-in logs, which only the global service has. */
import { graphSettings } from "../../shared/graph/client";
import { graphClouds, operatorModeUnavailable, parseGraphCloud } from "../../shared/graph/cloud";
import { startBody, startScenario, type Scenario } from "../workflow/harness";

describe("Graph clouds", () => {
  it("knows US Government L5 (DOD) as its own cloud with its own Graph host", () => {
    expect(parseGraphCloud("usgovdod")).toBe("usgovdod");
    expect(graphSettings({ GRAPH_CLOUD: "usgovdod" }).baseUrl).toBe("https://dod-graph.microsoft.us/");
    expect(graphClouds.usgovdod.authorityHost).toBe("https://login.microsoftonline.us");
  });

  it("offers sign-in logs, and so operator mode, in the global service only", () => {
    expect(operatorModeUnavailable("global")).toBeUndefined();
    for (const cloud of ["usgov", "usgovdod", "china"] as const)
      expect(operatorModeUnavailable(cloud)).toMatch(/global service only.*api mode/);
  });

  describe("starting a migration", () => {
    let s: Scenario | undefined;
    afterEach(async () => s?.stop());

    it.each(["usgov", "usgovdod", "china"])(
      "refuses operator mode in %s with 400 saying why and what to use instead, creating nothing",
      async (cloud) => {
        s = await startScenario({ peigMode: "operator", stack: { settings: { GRAPH_CLOUD: cloud } } });
        const res = await s.api("migrations", {
          method: "POST",
          body: JSON.stringify(startBody()),
          headers: { "content-type": "application/json" },
        });
        expect(res.status).toBe(400);
        const body = (await res.json()) as { errors: { field: string; message: string }[] };
        expect(body.errors).toEqual([
          { field: "PEIG_MODE", message: expect.stringMatching(/sign-in logs.*global service only.*Use api mode/) },
        ]);
        expect(s.stack.graph.requestLog).toEqual([]);
      },
    );

    it("starts operator mode in the global service", async () => {
      s = await startScenario({ peigMode: "operator" });
      const res = await s.api("migrations", {
        method: "POST",
        body: JSON.stringify(startBody()),
        headers: { "content-type": "application/json" },
      });
      expect(res.status).toBe(202);
    });
  });
});
