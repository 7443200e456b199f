/**
 * Sending a draft when Graph fails: a send whose answer was lost (504 after processing) or whose draft is gone (404)
 * is looked up in Sent Items before anything else, so nothing goes twice; a refusal is not retried; a 429 is retried
 * without a look-up; a send that keeps failing stops after the retry policy's attempts.
 */
import type { ScriptedFault } from "../../local/graph-simulator";
import { startWorld, type World } from "./world";

let world: World;
afterEach(async () => world.sim.stop());

const SEND: Omit<ScriptedFault, "status"> = { method: "POST", pathIncludes: "/send" };
const to = ["ada@contoso.com", "bob@contoso.com"];
const sendOnce = () =>
  world.mail.sendBulk({ subject: "Invitation", html: "<p>x</p>", recipients: to, key: "m1/inv/k" });
const sends = () => world.sim.requestLog.filter((r) => r.method === "POST" && r.path.includes("/send"));
const lookUps = () => world.sim.requestLog.filter((r) => r.path.includes("sentitems"));

describe("sending a draft when Graph fails", () => {
  it("a send processed but answered 504 is found in Sent Items and not sent again", async () => {
    world = await startWorld({ faults: { scripted: [{ ...SEND, status: 504 }] } });
    const result = await sendOnce();
    expect(result.recipients.map((r) => r.status)).toEqual(["sent", "sent"]);
    expect(world.sim.outbox).toHaveLength(1);
    expect(sends().map((r) => r.status)).toEqual([504]);
    // One look-up before the first send, one after the lost answer.
    expect(lookUps()).toHaveLength(2);
    // Each asks for one id: a de-duplication check downloads no message (Graph returns whole ones without $select).
    for (const lookUp of lookUps()) {
      const query = new URLSearchParams(lookUp.path.split("?")[1]);
      expect([query.get("$select"), query.get("$top")]).toEqual(["id", "1"]);
    }
  });

  it("a send refused with 503 before processing is looked up, not found, and sent again once", async () => {
    world = await startWorld({ faults: { scripted: [{ ...SEND, status: 503, retryAfterSeconds: 1 }] } });
    const result = await sendOnce();
    expect(result.recipients.map((r) => r.status)).toEqual(["sent", "sent"]);
    expect(world.sim.outbox).toHaveLength(1);
    expect(sends().map((r) => r.status)).toEqual([503, 202]);
    expect(lookUps()).toHaveLength(2);
  });

  it("a send throttled with 429 is retried without a look-up", async () => {
    world = await startWorld({ faults: { scripted: [{ ...SEND, status: 429, retryAfterSeconds: 1 }] } });
    await sendOnce();
    expect(world.sim.outbox).toHaveLength(1);
    expect(sends().map((r) => r.status)).toEqual([429, 202]);
    expect(lookUps()).toHaveLength(1);
  });

  it("a draft gone, 404, is looked up once, and when it was not sent the send fails without another try", async () => {
    world = await startWorld({ faults: { scripted: [{ ...SEND, status: 404 }] } });
    const result = await sendOnce();
    expect(result.recipients.map((r) => r.status)).toEqual(["failed", "failed"]);
    expect(world.sim.outbox).toHaveLength(0);
    expect(sends().map((r) => r.status)).toEqual([404]);
    expect(lookUps()).toHaveLength(2);
  });

  it("a refusal, 403, is neither looked up nor retried", async () => {
    world = await startWorld({ faults: { scripted: [{ ...SEND, status: 403 }] } });
    // Whether the adapter reports it per recipient or throws, nothing went and nothing was tried again.
    await sendOnce().catch(() => undefined);
    expect(world.sim.outbox).toHaveLength(0);
    expect(sends().map((r) => r.status)).toEqual([403]);
    expect(lookUps()).toHaveLength(1);
  });

  it("a send that keeps failing stops after the retry policy's attempts", async () => {
    world = await startWorld({ faults: { scripted: [{ ...SEND, status: 503, times: 50, retryAfterSeconds: 1 }] } });
    const result = await sendOnce();
    expect(result.recipients.map((r) => r.status)).toEqual(["failed", "failed"]);
    expect(world.sim.outbox).toHaveLength(0);
    expect(sends()).toHaveLength(10);
  });
});
