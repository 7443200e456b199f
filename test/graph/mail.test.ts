import type { SentMail } from "../../local/graph-simulator";
import { rawRequest, sender, startWorld, type World } from "./world";

function recipients(n: number, prefix = "user"): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}@contoso.com`);
}

/** The most messages any rolling minute (t - 60 s, t] of the simulator's clock saw. */
function busiestMinute(outbox: SentMail[]): number {
  const times = outbox.map((m) => Date.parse(m.sentAt));
  return Math.max(0, ...times.map((t) => times.filter((u) => u > t - 60_000 && u <= t).length));
}

describe("mail through Graph sendMail and $batch", () => {
  let world: World;
  afterEach(async () => world.sim.stop());

  it("sends 1,200 recipients as 3 BCC-only messages of at most 500", async () => {
    world = await startWorld();
    const result = await world.mail.sendBulk({ subject: "Peig onboarding", html: "<p>Hello</p>", recipients: recipients(1_200) });

    expect(result.messages).toBe(3);
    expect(result.recipients.filter((r) => r.status === "sent")).toHaveLength(1_200);
    expect(world.sim.outbox).toHaveLength(3);
    for (const mail of world.sim.outbox) {
      expect(mail.to).toEqual([]);
      expect(mail.to.length + mail.bcc.length).toBeLessThanOrEqual(500);
      expect(mail.saveToSentItems).toBe(false);
      expect(mail.html).toBe("<p>Hello</p>");
    }
    expect(world.sim.outbox.flatMap((m) => m.bcc).sort()).toEqual(recipients(1_200).sort());
    expect(world.counter.get("sendMail")).toBe(3);
  });

  it("paces bulk mail at 30 messages per minute on the simulator's clock without being throttled", async () => {
    world = await startWorld({ mailLimits: { recipientsPerDay: 1_000_000 } });
    for (let i = 0; i < 12; i++) await world.mail.sendBulk({ subject: `Reminder ${i}`, html: "<p>Soon</p>", recipients: recipients(1_200, `r${i}-`) });

    expect(world.sim.outbox).toHaveLength(36);
    expect(busiestMinute(world.sim.outbox)).toBe(30);
    expect(world.sim.requestLog.some((r) => r.status === 429)).toBe(false);
  });

  it("sends 45 personalised mails in 3 batches within the per-minute limit", async () => {
    world = await startWorld();
    const messages = recipients(45).map((to, i) => ({ to, subject: `Hi ${i}`, html: `<p>${to}</p>` }));
    const result = await world.mail.sendPersonalised(messages);

    expect(result.messages).toBe(45);
    expect(result.recipients.every((r) => r.status === "sent")).toBe(true);
    expect(world.counter.get("batch")).toBe(3);
    expect(world.sim.outbox.map((m) => m.to[0]).sort()).toEqual(recipients(45).sort());
    expect(world.sim.outbox.every((m) => m.html === `<p>${m.to[0]}</p>`)).toBe(true);
    expect(busiestMinute(world.sim.outbox)).toBeLessThanOrEqual(30);
  });

  it("retries inner 429s of a batch after their Retry-After and sends each mail once", async () => {
    world = await startWorld({ faults: { throttleRate: 0.3, retryAfterSeconds: 7, seed: 4 } });
    const messages = recipients(45).map((to) => ({ to, subject: "Reminder", html: "<p>x</p>" }));
    const result = await world.mail.sendPersonalised(messages);

    const inner429 = world.sim.requestLog.filter((r) => r.via === "$batch" && r.status === 429);
    expect(inner429.length).toBeGreaterThan(0);
    expect(result.recipients.every((r) => r.status === "sent")).toBe(true);
    expect(world.sim.outbox.map((m) => m.to[0]).sort()).toEqual(recipients(45).sort());
    expect(world.counter.get("batch")).toBeGreaterThan(3);
  });

  it("records a per-recipient failure instead of throwing when Graph refuses a message", async () => {
    world = await startWorld();
    const result = await world.mail.sendPersonalised([
      { to: "good@contoso.com", subject: "s", html: "h" },
      { to: "not-an-address", subject: "s", html: "h" },
    ]);
    expect(result.messages).toBe(1);
    expect(result.recipients[0]).toEqual({ address: "good@contoso.com", status: "sent" });
    expect(result.recipients[1]).toMatchObject({ address: "not-an-address", status: "failed", error: expect.stringContaining("ErrorInvalidRecipients") });
  });
});

describe("the simulator's Exchange limits", () => {
  let world: World;
  afterEach(async () => world.sim.stop());

  const mail = (bcc: string[]) => ({
    message: { subject: "s", body: { contentType: "HTML", content: "h" }, toRecipients: [{ emailAddress: { address: sender } }], bccRecipients: bcc.map((address) => ({ emailAddress: { address } })) },
    saveToSentItems: false,
  });

  it("refuses more than 500 recipients in one message with 400", async () => {
    world = await startWorld();
    const response = await rawRequest(world.sim, "POST", `/v1.0/users/${sender}/sendMail`, mail(recipients(500)));
    expect(response.status).toBe(400);
    expect(world.sim.outbox).toHaveLength(0);
  });

  it("answers the 31st message within a minute with 429 and a Retry-After", async () => {
    world = await startWorld();
    for (let i = 0; i < 30; i++) expect((await rawRequest(world.sim, "POST", `/v1.0/users/${sender}/sendMail`, mail(["a@contoso.com"]))).status).toBe(202);
    await world.clock.sleep(20_000);
    const throttled = await rawRequest(world.sim, "POST", `/v1.0/users/${sender}/sendMail`, mail(["a@contoso.com"]));
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("Retry-After")).toBe("40");
    await world.clock.sleep(40_000);
    expect((await rawRequest(world.sim, "POST", `/v1.0/users/${sender}/sendMail`, mail(["a@contoso.com"]))).status).toBe(202);
  });

  it("accepts mail over 10,000 recipients a day but marks it as bounced (NDR 5.1.90)", async () => {
    world = await startWorld({ mailLimits: { messagesPerMinute: 100 } });
    for (let i = 0; i < 21; i++) await rawRequest(world.sim, "POST", `/v1.0/users/${sender}/sendMail`, mail(recipients(499, `d${i}-`)));
    expect(world.sim.outbox.filter((m) => m.nonDelivery === undefined)).toHaveLength(20);
    expect(world.sim.outbox[20].nonDelivery).toMatch(/5\.1\.90/);
  });

  it("refuses a $batch of more than 20 requests and answers items inside a 200 envelope", async () => {
    world = await startWorld();
    const item = (id: number) => ({ id: String(id), method: "POST", url: `/users/${sender}/sendMail`, headers: { "Content-Type": "application/json" }, body: mail(["b@contoso.com"]) });
    const tooMany = await rawRequest(world.sim, "POST", "/v1.0/$batch", { requests: Array.from({ length: 21 }, (_, i) => item(i)) });
    expect(tooMany.status).toBe(400);
    const unknownUser = { id: "x", method: "POST", url: "/users/nobody@contoso.com/sendMail", headers: { "Content-Type": "application/json" }, body: mail(["b@contoso.com"]) };
    const batch = await rawRequest(world.sim, "POST", "/v1.0/$batch", { requests: [item(1), unknownUser] });
    expect(batch.status).toBe(200);
    const statuses = Object.fromEntries((batch.body as { responses: { id: string; status: number }[] }).responses.map((r) => [r.id, r.status]));
    expect(statuses).toEqual({ "1": 202, x: 404 });
  });
});
