/**
 * Behaviours of the real Durable Task extension that the conformance tier (conformance/) found and the local
 * host now reproduces; each of these tests fails on the host as it was before. (The one it does not reproduce
 * yet, events carried over by continueAsNew, is in conformance/README.md.)
 */
import * as df from "durable-functions";
import { createTestHost, type TestHost } from "../../local/host/testHost";

let host: TestHost;
beforeEach(async () => {
  host = await createTestHost();
});
afterEach(() => host.stop());

let invocations = 0;
df.app.orchestration("terminateProbe", function* (context) {
  invocations++;
  yield context.df.waitForExternalEvent("never");
});

describe("terminate", () => {
  it("runs the orchestrator once more with ExecutionTerminated in its history, then stops", async () => {
    const id = await host.client.startNew("terminateProbe");
    await host.idle();
    const before = invocations;
    await host.client.terminate(id, "cancelled");
    await host.idle();
    expect(invocations).toBe(before + 1);
    expect(host.instance(id).status).toBe("Terminated");
  });
});
