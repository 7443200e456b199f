import "../../functions";
import { registry } from "../../local/host/fakeCore";
import { Activities, Orchestrations } from "../../shared/workflow";

const trigger = (name: string) =>
  Object.values(registry.get(name)?.metadata.bindings ?? {}).find((b) => b.type.endsWith("Trigger"));

describe("the app's entry point", () => {
  it("registers every orchestration and activity under the names the code calls", () => {
    for (const name of Object.values(Orchestrations)) expect(trigger(name)?.type).toBe("orchestrationTrigger");
    for (const name of Object.values(Activities)) expect(trigger(name)?.type).toBe("activityTrigger");
  });

  it("serves the admin API with function keys and the task links without them", () => {
    const routes = [...registry.values()]
      .map((r) => Object.values(r.metadata.bindings).find((b) => b.type === "httpTrigger"))
      .filter((b): b is NonNullable<typeof b> => !!b)
      .map((b) => `${(b.methods ?? []).join(",")} ${b.route} ${b.authLevel}`)
      .sort();
    expect(routes).toEqual(
      [
        "POST migrations function",
        "GET migrations function",
        "GET home function",
        "POST home/plan function",
        "POST home/start function",
        "GET migrations/{id} function",
        "GET migrations/{id}/page function",
        "GET migrations/{id}/report function",
        "GET migrations/{id}/users function",
        "POST migrations/{id}/deadline function",
        "POST migrations/{id}/cancel function",
        "POST migrations/{id}/approval function",
        "POST migrations/{id}/resume function",
        "GET tasks/{token} anonymous",
        "POST tasks/{token} anonymous",
        "POST tasks/{token}/link anonymous",
      ].sort(),
    );
  });
});
