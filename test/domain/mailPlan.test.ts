import {
  dailyBudget,
  dryRunPlan,
  exchangeLimits,
  planMail,
  planSend,
  senderWithRoom,
} from "../../shared/domain/mailPlan";
import { m365User } from "./builders";

const now = new Date("2026-06-01T09:00:00Z");
const deadline = "2026-06-15T17:00:00Z";
const one = ["migration@contoso.com"];
const people = (count: number, withoutMailbox = 0) =>
  Array.from({ length: count }, (_, i) => m365User(`u${i}`, i < withoutMailbox ? { mail: null } : {}));

describe("planSend", () => {
  it.each([
    [0, 0, 0],
    [1, 1, 1],
    [500, 1, 1],
    [501, 2, 1],
    [1_234, 3, 1],
    [15_001, 31, 2],
  ])("sends %d recipients in bulk as %d BCC messages taking %d minutes", (recipients, messages, minutes) => {
    expect(planSend(recipients, false)).toEqual({ recipients, messages, minutes });
  });

  it("sends one message per recipient when personalised, at 30 messages per minute", () => {
    expect(planSend(1_234, true)).toEqual({ recipients: 1_234, messages: 1_234, minutes: 42 });
    expect(planSend(30, true).minutes).toBe(1);
    expect(planSend(31, true).minutes).toBe(2);
  });

  it("uses Exchange Online's published limits", () => {
    expect(exchangeLimits).toEqual({ messagesPerMinute: 30, recipientsPerMessage: 500, recipientsPerDay: 10_000 });
  });
});

describe("dryRunPlan", () => {
  it("shows the users in scope, the schedule and each send's size", () => {
    const plan = dryRunPlan({ deadline, reminders: ["PT4H", "P7D"], monitorEvery: "PT1H" }, people(1_200), now, one);
    expect(plan).toMatchObject({
      usersInScope: 1_200,
      recipients: 1_200,
      personalised: false,
      deadline: "2026-06-15T17:00:00.000Z",
      warnings: [],
    });
    const slot = (at: string) => [{ sender: one[0], at, recipients: 1_200, messages: 3 }];
    expect(plan.invitation).toEqual({
      label: "invitation",
      at: now.toISOString(),
      recipients: 1_200,
      messages: 3,
      minutes: 1,
      slots: slot(now.toISOString()),
      finishesAt: "2026-06-01T09:01:00.000Z",
    });
    expect(plan.reminders).toEqual([
      {
        label: "P7D",
        at: "2026-06-08T17:00:00.000Z",
        recipients: 1_200,
        messages: 3,
        minutes: 1,
        slots: slot("2026-06-08T17:00:00.000Z"),
        finishesAt: "2026-06-08T17:01:00.000Z",
      },
      {
        label: "PT4H",
        at: "2026-06-15T13:00:00.000Z",
        recipients: 1_200,
        messages: 3,
        minutes: 1,
        slots: slot("2026-06-15T13:00:00.000Z"),
        finishesAt: "2026-06-15T13:01:00.000Z",
      },
    ]);
    expect(plan.shortfalls).toEqual([]);
    expect(plan.monitor).toEqual({ every: "PT1H", checks: 344, first: "2026-06-01T10:00:00.000Z" });
  });

  it("leaves users without a mailbox out of the recipients and warns about them", () => {
    const plan = dryRunPlan({ deadline, reminders: [], monitorEvery: "PT1H" }, people(10, 3), now, one);
    expect(plan.recipients).toBe(7);
    expect(plan.warnings).toEqual([
      "3 in-scope users have no mailbox (mail is empty) and cannot receive the invitation or reminders",
    ]);
  });

  it("spreads an invitation over days when one mailbox's 10,000 recipients per 24 hours (less 1,000 kept for the admins' mail) are not enough", () => {
    const plan = dryRunPlan({ deadline, reminders: ["P3D"], monitorEvery: "PT1H" }, people(25_000), now, one);
    expect(plan.invitation.slots).toEqual([
      { sender: one[0], at: "2026-06-01T09:00:00.000Z", recipients: 9_000, messages: 18 },
      { sender: one[0], at: "2026-06-02T09:00:00.000Z", recipients: 9_000, messages: 18 },
      { sender: one[0], at: "2026-06-03T09:00:00.000Z", recipients: 7_000, messages: 14 },
    ]);
    expect(plan.shortfalls).toEqual([]);
  });

  it("uses every sender mailbox's budget before waiting for the next day", () => {
    const senders = ["a@contoso.com", "b@contoso.com", "c@contoso.com"];
    const plan = dryRunPlan(
      { deadline, reminders: ["P7D", "P3D"], monitorEvery: "PT1H" },
      people(29_000),
      now,
      senders,
    );
    expect(plan.invitation.slots.map((s) => [s.sender, s.at, s.recipients])).toEqual(
      senders.map((s, i) => [s, now.toISOString(), i === 0 ? 9_000 : 10_000]),
    );
    expect(plan.reminders.map((r) => r.slots.length)).toEqual([3, 3]);
    expect(plan.shortfalls).toEqual([]);
  });

  it("names the shortfall and the number of sender mailboxes that would fix it", () => {
    const plan = dryRunPlan(
      { deadline, reminders: ["P7D", "P3D", "P1D", "PT4H"], monitorEvery: "PT12H" },
      people(30_000),
      now,
      one,
    );
    expect(plan.shortfalls.length).toBeGreaterThan(0);
    expect(plan.shortfalls[0]).toMatch(
      /^the reminder \d+ \w+ before the deadline to 30000 recipients from 1 sender mailbox (reaches everyone only on .*, after|does not reach everyone before) the deadline/,
    );
    expect(plan.shortfalls[0]).toMatch(
      /list 7 sender mailboxes in MAIL_SENDERS \(now 1\), or give the window more time/,
    );
    expect(plan.warnings).toEqual(expect.arrayContaining(plan.shortfalls));
    const fixed = dryRunPlan(
      { deadline, reminders: ["P7D", "P3D", "P1D", "PT4H"], monitorEvery: "PT12H" },
      people(30_000),
      now,
      ["a", "b", "c", "d", "e", "f", "g"].map((x) => `${x}@contoso.com`),
    );
    expect(fixed.shortfalls).toEqual([]);
  });

  it("refuses an invitation that cannot reach everyone before the first reminder", () => {
    const plan = planMail({ deadline, reminders: ["P14D"], monitorEvery: "PT1H" }, 15_000, one, now);
    expect(plan.shortfalls[0]).toMatch(
      /^the invitation to 15000 recipients .* after the first reminder \(14 days before the deadline, Mon 1 Jun 2026, 17:00 UTC\)/,
    );
    expect(
      planMail({ deadline, reminders: ["P14D"], monitorEvery: "PT1H" }, 15_000, ["a@contoso.com", "b@contoso.com"], now)
        .shortfalls,
    ).toEqual([]);
  });

  it("counts a mailbox's budget over the rolling 24 hours", () => {
    const ledger = [
      { sender: "a", at: "2026-06-01T09:00:00.000Z", recipients: 9_500 },
      { sender: "b", at: "2026-05-31T08:00:00.000Z", recipients: 10_000 },
    ];
    expect(dailyBudget(ledger, "a", new Date("2026-06-02T08:59:59Z"))).toBe(500);
    expect(dailyBudget(ledger, "a", new Date("2026-06-02T09:00:00Z"))).toBe(10_000);
    // The first mailbox keeps 1,000 a day for the admins' and approvers' mail.
    expect(senderWithRoom(ledger, ["a", "b"], 1, new Date("2026-06-01T10:00:00Z"))).toBe("b");
    expect(senderWithRoom(ledger, ["a"], 1, new Date("2026-06-01T10:00:00Z"))).toBeUndefined();
  });

  it("warns when personalised mail cannot be sent before the next reminder", () => {
    const plan = dryRunPlan(
      { deadline, reminders: ["PT4H", "PT6H"], monitorEvery: "PT1H", personalisedReminders: true },
      people(4_500),
      now,
      one,
    );
    expect(plan.reminders.map((r) => [r.label, r.messages, r.minutes])).toEqual([
      ["PT6H", 4_500, 150],
      ["PT4H", 4_500, 150],
    ]);
    expect(plan.warnings).toContain(
      "the reminder 6 hours before the deadline needs 150 minutes (4500 messages at 30/min) but the reminder 4 hours before the deadline follows after only 2 hours",
    );
  });

  it("warns when the last reminder cannot finish before the deadline", () => {
    const plan = dryRunPlan(
      { deadline, reminders: ["PT1H"], monitorEvery: "PT1H", personalisedReminders: true },
      people(2_000),
      now,
      one,
    );
    expect(plan.warnings).toContain(
      "the reminder 1 hour before the deadline needs 67 minutes (2000 messages at 30/min) but the deadline follows after only 1 hour",
    );
  });

  it("warns that nobody is in scope", () => {
    expect(dryRunPlan({ deadline, reminders: [], monitorEvery: "PT1H" }, [], now, one).warnings).toEqual([
      "no users are in scope: check the domain and the scope group",
    ]);
  });
});
