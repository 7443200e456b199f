import { formatHuman } from "../../shared/domain/humanTime";
import { DAY, mailsWithSubject, startBody, startScenario, type Scenario } from "./harness";

let s: Scenario;
afterEach(async () => {
  await s?.stop();
});

const INVITATION = /^Action needed: set up Peig for workspace "contoso"/;
const REMINDER = /^Reminder: .* left to set up Peig for workspace "contoso"$/;
const DIGEST = /^Peig migration "contoso": \d+ of \d+ onboarded$/;
const NOTE = "Help desk: https://help.contoso.com, ext. 4242";

describe("a migration started in Europe/Prague", () => {
  it("shows Prague times in the invitation, the reminders and the status page, while the JSON stays UTC", async () => {
    s = await startScenario({ tenant: { users: 20, seed: 5, missRate: 0.3, mismatchRate: 0 } });
    const body = startBody({ timeZone: "Europe/Prague", note: NOTE });
    const id = await s.start(body);
    await s.runUntil(async () => mailsWithSubject(s.stack, REMINDER).length > 0);

    const status = await s.status(id);
    const deadline = new Date(status.deadline as string);
    const prague = formatHuman(deadline, "Europe/Prague");
    expect(prague).toMatch(/ CET$/);
    expect(prague).not.toBe(formatHuman(deadline));
    const [invitation] = mailsWithSubject(s.stack, INVITATION);
    const [reminder] = mailsWithSubject(s.stack, REMINDER);
    for (const mail of [invitation, reminder]) {
      expect(mail.html).toContain(prague);
      expect(mail.html).toContain(`A note from your IT team: <bdi>${NOTE}</bdi>`);
    }
    const page = await (await s.asAdmin(`migrations/${id}/page`)).text();
    expect(page).toContain(`<time datetime="${deadline.toISOString()}">${prague}</time> <span class="muted">(in `);
    expect(status.deadline).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(status.timeZone).toBe("Europe/Prague");
  });

  it("refuses a zone Intl does not know with 400 naming timeZone", async () => {
    s = await startScenario({ tenant: { users: 5, seed: 5 } });
    const res = await s.api("migrations", {
      method: "POST",
      body: JSON.stringify(startBody({ timeZone: "Europe/Atlantis" })),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    const { errors } = (await res.json()) as { errors: { field: string }[] };
    expect(errors.map((e) => e.field)).toEqual(["timeZone"]);
  });
});

describe("the admins' digest", () => {
  it("goes at most once a day over the whole window, though the monitor runs more often", async () => {
    s = await startScenario({ tenant: { users: 30, seed: 7, missRate: 0.3, mismatchRate: 0 } });
    const id = await s.start(startBody({ monitorEvery: "PT6H" }));
    await s.runUntil(async () => !["setup", "onboarding"].includes(await s.phase(id)));
    const sentAt = mailsWithSubject(s.stack, DIGEST).map((m) => Date.parse(m.sentAt));
    expect(sentAt.length).toBeGreaterThan(1);
    sentAt.slice(1).forEach((t, i) => expect(t - sentAt[i]).toBeGreaterThanOrEqual(DAY));
    for (const mail of mailsWithSubject(s.stack, DIGEST))
      expect(mail.html).not.toMatch(/notOnboarded|pendingRequest|awaitingOnboarding/);
  });
});
