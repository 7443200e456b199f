import type { SentMail } from "../../local/graph-simulator";
import { GraphMail } from "../../shared/mail/graphMail";
import { rawRequest, sender, startWorld, type World } from "./world";

function recipients(n: number, prefix = "user"): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}@contoso.com`);
}

/** The most messages any rolling minute (t - 60 s, t] of the simulator's clock saw. */
function busiestMinute(outbox: SentMail[]): number {
  const times = outbox.map((m) => Date.parse(m.sentAt));
  return Math.max(0, ...times.map((t) => times.filter((u) => u > t - 60_000 && u <= t).length));
}

/** Deliveries per (subject, recipient, purpose): the purpose is the send key's middle part. */
function duplicates(outbox: SentMail[]): string[] {
  const seen = new Map<string, number>();
  for (const m of outbox) {
    const key = m.singleValueExtendedProperties?.[0]?.value ?? "";
    const purpose = key.split("/")[1] ?? "";
    for (const r of [...m.to, ...m.cc, ...m.bcc])
      seen.set(`${m.subject}|${r}|${purpose}`, (seen.get(`${m.subject}|${r}|${purpose}`) ?? 0) + 1);
  }
  return [...seen.entries()].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
}

describe("mail through Graph drafts and send", () => {
  let world: World;
  afterEach(async () => world.sim.stop());

  it("sends 1,200 recipients as 3 BCC-only messages of at most 500", async () => {
    world = await startWorld();
    const result = await world.mail.sendBulk({
      subject: "Peig onboarding",
      html: "<p>Hello</p>",
      recipients: recipients(1_200),
    });

    expect(result.messages).toBe(3);
    expect(result.recipients.filter((r) => r.status === "sent")).toHaveLength(1_200);
    expect(world.sim.outbox).toHaveLength(3);
    for (const mail of world.sim.outbox) {
      expect(mail.to).toEqual([]);
      expect(mail.to.length + mail.bcc.length).toBeLessThanOrEqual(500);
      // Sent drafts stay in Sent Items: that is where a retry looks for them.
      expect(mail.saveToSentItems).toBe(true);
      expect(mail.html).toBe("<p>Hello</p>");
    }
    expect(world.sim.outbox.flatMap((m) => m.bcc).sort()).toEqual(recipients(1_200).sort());
    // Per message: a look-up of its key, the draft, the send.
    expect([
      world.counter.get("findSent"),
      world.counter.get("createMessage"),
      world.counter.get("sendMessage"),
    ]).toEqual([3, 3, 3]);
  });

  it("paces bulk mail at 30 messages per minute on the simulator's clock without being throttled", async () => {
    world = await startWorld({ mailLimits: { recipientsPerDay: 1_000_000 } });
    for (let i = 0; i < 12; i++)
      await world.mail.sendBulk({
        subject: `Reminder ${i}`,
        html: "<p>Soon</p>",
        recipients: recipients(1_200, `r${i}-`),
      });

    expect(world.sim.outbox).toHaveLength(36);
    expect(busiestMinute(world.sim.outbox)).toBe(30);
    // Over the rate Exchange would hold messages back, not refuse them: none was held.
    expect(world.sim.outbox.filter((m) => m.deliveredAt !== m.sentAt)).toEqual([]);
  });

  it("splits a message the tenant refuses for too many recipients (a limit below the setting), never dropping anyone", async () => {
    world = await startWorld({ mailLimits: { recipientsPerMessage: 100 } });
    const result = await world.mail.sendBulk({ subject: "Invite", html: "<p>Go</p>", recipients: recipients(250) });

    expect(result.recipients.filter((r) => r.status !== "sent")).toEqual([]);
    expect(world.sim.outbox.every((m) => m.bcc.length <= 100)).toBe(true);
    const delivered = world.sim.outbox.flatMap((m) => m.bcc);
    expect(delivered.sort()).toEqual(recipients(250).sort());
    expect(duplicates(world.sim.outbox)).toEqual([]);
  });

  it("sends messages of MAIL_RECIPIENTS_PER_MESSAGE recipients, so a tenant limit of 100 refuses none", async () => {
    world = await startWorld({ mailLimits: { recipientsPerMessage: 100 } });
    const mail = new GraphMail({
      client: world.client,
      clock: world.clock,
      counter: world.counter,
      senders: [sender],
      recipientsPerMessage: 100,
    });
    const result = await mail.sendBulk({ subject: "Invite", html: "<p>Go</p>", recipients: recipients(250) });
    expect(result.messages).toBe(3);
    expect(world.sim.outbox.map((m) => m.bcc.length)).toEqual([100, 100, 50]);
    expect(world.sim.requestLog.filter((r) => r.status === 400)).toEqual([]);
  });

  it("sends 45 personalised mails within the per-minute limit", async () => {
    world = await startWorld();
    const messages = recipients(45).map((to, i) => ({ to, subject: `Hi ${i}`, html: `<p>${to}</p>` }));
    const result = await world.mail.sendPersonalised(messages);

    expect(result.messages).toBe(45);
    expect(result.recipients.every((r) => r.status === "sent")).toBe(true);
    expect([world.counter.get("createMessage"), world.counter.get("sendMessage")]).toEqual([45, 45]);
    expect(world.sim.outbox.map((m) => m.to[0]).sort()).toEqual(recipients(45).sort());
    expect(world.sim.outbox.every((m) => m.html === `<p>${m.to[0]}</p>`)).toBe(true);
    expect(busiestMinute(world.sim.outbox)).toBeLessThanOrEqual(30);
  });

  it("sends personalised mail at most 4 at a time per mailbox, so Outlook never answers MailboxConcurrency", async () => {
    world = await startWorld();
    const result = await world.mail.sendPersonalised(
      recipients(45).map((to) => ({ to, subject: "Reminder", html: "<p>x</p>" })),
    );

    expect(result.recipients.every((r) => r.status === "sent")).toBe(true);
    expect(world.sim.requestLog.filter((r) => r.status === 429)).toEqual([]);
  });

  it("at a 30 % fault rate (429, 503, 504 after processing) sends every message exactly once", async () => {
    world = await startWorld({
      faults: { throttleRate: 0.1, serverErrorRate: 0.2, retryAfterSeconds: 3, seed: 5 },
      mailLimits: { recipientsPerDay: 1_000_000 },
    });
    const personal = await world.mail.sendPersonalised(
      recipients(60).map((to) => ({ to, subject: "Reminder", html: "<p>x</p>", key: `m1/reminder/${to}` })),
    );
    const bulk = await world.mail.sendBulk({
      subject: "Invitation",
      html: "<p>x</p>",
      recipients: recipients(2_000, "b"),
      key: "m1/invitation/batch",
    });

    expect(world.sim.requestLog.filter((r) => r.status === 504).length).toBeGreaterThan(5);
    expect([...personal.recipients, ...bulk.recipients].filter((r) => r.status !== "sent")).toEqual([]);
    expect(duplicates(world.sim.outbox)).toEqual([]);
    expect(world.sim.outbox.flatMap((m) => [...m.to, ...m.bcc]).sort()).toEqual(
      [...recipients(60), ...recipients(2_000, "b")].sort(),
    );
  });

  it("does not send again what an earlier run of the same send key already sent", async () => {
    world = await startWorld();
    const send = () =>
      world.mail.sendBulk({
        subject: "Invitation",
        html: "<p>x</p>",
        recipients: recipients(700),
        key: "m1/invitation/k",
      });
    await send();
    await send();
    expect(world.sim.outbox).toHaveLength(2);
    expect(world.counter.get("sendMessage")).toBe(2);
  });

  it("reads the non-delivery reports in the sender mailbox: unknown mailbox, full quota, over the daily limit", async () => {
    world = await startWorld({
      undeliverable: { "gone@contoso.com": "recipientNotFound", "full@contoso.com": "mailboxFull" },
      mailLimits: { recipientsPerDay: 5 },
    });
    const since = world.clock.now().toISOString();
    await world.mail.sendBulk({
      subject: "Invitation",
      html: "<p>x</p>",
      recipients: ["ok@contoso.com", "gone@contoso.com", "full@contoso.com"],
    });
    await world.mail.sendBulk({
      subject: "Invitation",
      html: "<p>x</p>",
      recipients: ["late1@contoso.com", "late2@contoso.com", "late3@contoso.com"],
    });

    const bounces = await world.mail.readBounces(since);
    expect(bounces.map((b) => [b.address, b.cause, b.sender])).toEqual([
      ["gone@contoso.com", "recipientNotFound", sender],
      ["full@contoso.com", "mailboxFull", sender],
      ["late1@contoso.com", "recipientRateLimit", sender],
      ["late2@contoso.com", "recipientRateLimit", sender],
      ["late3@contoso.com", "recipientRateLimit", sender],
    ]);
    expect(bounces[0].status).toMatch(/^550 5\.1\.10 /);
    expect(bounces[1].status).toMatch(/^554 5\.2\.2 /);
    expect(
      await world.mail.readBounces(
        world.clock
          .now()
          .toISOString()
          .replace(/\d\d\.\d+Z$/, "59.999Z"),
      ),
    ).toEqual([]);
  });

  it("records a per-recipient failure instead of throwing when Graph refuses a message", async () => {
    world = await startWorld();
    const result = await world.mail.sendPersonalised([
      { to: "good@contoso.com", subject: "s", html: "h" },
      { to: "not-an-address", subject: "s", html: "h" },
    ]);
    expect(result.messages).toBe(1);
    expect(result.recipients[0]).toEqual({ address: "good@contoso.com", status: "sent" });
    expect(result.recipients[1]).toMatchObject({
      address: "not-an-address",
      status: "failed",
      error: expect.stringContaining("ErrorInvalidRecipients"),
    });
  });
});

describe("the simulator's Exchange limits", () => {
  let world: World;
  afterEach(async () => world.sim.stop());

  const mail = (bcc: string[]) => ({
    message: {
      subject: "s",
      body: { contentType: "HTML", content: "h" },
      toRecipients: [{ emailAddress: { address: sender } }],
      bccRecipients: bcc.map((address) => ({ emailAddress: { address } })),
    },
    saveToSentItems: false,
  });

  it("refuses more than 500 recipients in one message with 400", async () => {
    world = await startWorld();
    const response = await rawRequest(world.sim, "POST", `/v1.0/users/${sender}/sendMail`, mail(recipients(500)));
    expect(response.status).toBe(400);
    expect(world.sim.outbox).toHaveLength(0);
  });

  it("accepts the 31st message within a minute and delays it until the minute has room, instead of refusing it", async () => {
    world = await startWorld();
    for (let i = 0; i < 30; i++)
      expect(
        (await rawRequest(world.sim, "POST", `/v1.0/users/${sender}/sendMail`, mail(["a@contoso.com"]))).status,
      ).toBe(202);
    await world.clock.sleep(20_000);
    const held = await rawRequest(world.sim, "POST", `/v1.0/users/${sender}/sendMail`, mail(["a@contoso.com"]));
    expect(held.status).toBe(202);
    const last = world.sim.outbox.at(-1)!;
    expect(Date.parse(last.deliveredAt) - Date.parse(last.sentAt)).toBe(40_000);
    expect(world.sim.outbox.slice(0, 30).every((m) => m.deliveredAt === m.sentAt)).toBe(true);
  });

  it("accepts mail over 10,000 recipients a day but marks it as bounced (NDR 5.1.90)", async () => {
    world = await startWorld({ mailLimits: { messagesPerMinute: 100 } });
    for (let i = 0; i < 21; i++)
      await rawRequest(world.sim, "POST", `/v1.0/users/${sender}/sendMail`, mail(recipients(499, `d${i}-`)));
    expect(world.sim.outbox.filter((m) => m.nonDelivery === undefined)).toHaveLength(20);
    expect(world.sim.outbox[20].nonDelivery).toMatch(/5\.1\.90/);
  });

  it("answers 429 MailboxConcurrency to a fifth concurrent $batch item for one mailbox, not to dependsOn chains", async () => {
    world = await startWorld();
    const item = (id: number, dependsOn?: string[]) => ({
      id: String(id),
      method: "POST",
      url: `/users/${sender}/sendMail`,
      headers: { "Content-Type": "application/json" },
      body: mail(["b@contoso.com"]),
      ...(dependsOn ? { dependsOn } : {}),
    });
    const statuses = async (requests: object[]) => {
      const batch = await rawRequest(world.sim, "POST", "/v1.0/$batch", { requests });
      return (
        batch.body as { responses: { id: string; status: number; body?: { error?: { message?: string } } }[] }
      ).responses.sort((a, b) => Number(a.id) - Number(b.id));
    };
    const parallel = await statuses([1, 2, 3, 4, 5].map((i) => item(i)));
    expect(parallel.map((r) => r.status)).toEqual([202, 202, 202, 202, 429]);
    expect(parallel[4].body?.error?.message).toBe("Application is over its MailboxConcurrency limit.");
    const chained = await statuses([
      item(11),
      item(12, ["11"]),
      item(13, ["12"]),
      item(14, ["13"]),
      item(15, ["14"]),
      item(16, ["15"]),
    ]);
    expect(chained.every((r) => r.status === 202)).toBe(true);
  });

  it("sends a draft once: the second send of the same id finds no draft (404)", async () => {
    world = await startWorld();
    const draft = await rawRequest(world.sim, "POST", `/v1.0/users/${sender}/messages`, {
      subject: "s",
      toRecipients: [{ emailAddress: { address: "a@contoso.com" } }],
      singleValueExtendedProperties: [{ id: "String {6d3c7f0e-2b1a-4c5d-9e8f-0a1b2c3d4e5f} Name K", value: "Key-1" }],
    });
    expect(draft.status).toBe(201);
    const id = (draft.body as { id: string }).id;
    // No request body (Content-Length: 0, message-send page): `{}` is refused and the draft stays unsent.
    const withBody = await rawRequest(world.sim, "POST", `/v1.0/users/${sender}/messages/${id}/send`, {});
    expect(withBody.status).toBe(400);
    expect(world.sim.outbox).toHaveLength(0);
    expect((await rawRequest(world.sim, "POST", `/v1.0/users/${sender}/messages/${id}/send`)).status).toBe(202);
    expect((await rawRequest(world.sim, "POST", `/v1.0/users/${sender}/messages/${id}/send`)).status).toBe(404);
    const filter = encodeURIComponent(
      "singleValueExtendedProperties/Any(ep: ep/id eq 'String {6d3c7f0e-2b1a-4c5d-9e8f-0a1b2c3d4e5f} Name K' and ep/value eq 'key-1')",
    );
    const found = await rawRequest(
      world.sim,
      "GET",
      `/v1.0/users/${sender}/mailFolders/sentitems/messages?$filter=${filter}`,
    );
    expect((found.body as { value: { id: string }[] }).value.map((m) => m.id)).toEqual([id]);
    expect(world.sim.outbox).toHaveLength(1);
  });

  it("refuses a $batch of more than 20 requests and answers items inside a 200 envelope", async () => {
    world = await startWorld();
    const item = (id: number) => ({
      id: String(id),
      method: "POST",
      url: `/users/${sender}/sendMail`,
      headers: { "Content-Type": "application/json" },
      body: mail(["b@contoso.com"]),
    });
    const tooMany = await rawRequest(world.sim, "POST", "/v1.0/$batch", {
      requests: Array.from({ length: 21 }, (_, i) => item(i)),
    });
    expect(tooMany.status).toBe(400);
    const unknownUser = {
      id: "x",
      method: "POST",
      url: "/users/nobody@contoso.com/sendMail",
      headers: { "Content-Type": "application/json" },
      body: mail(["b@contoso.com"]),
    };
    const batch = await rawRequest(world.sim, "POST", "/v1.0/$batch", { requests: [item(1), unknownUser] });
    expect(batch.status).toBe(200);
    const statuses = Object.fromEntries(
      (batch.body as { responses: { id: string; status: number }[] }).responses.map((r) => [r.id, r.status]),
    );
    expect(statuses).toEqual({ "1": 202, x: 404 });
  });
});
