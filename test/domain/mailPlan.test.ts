import { dryRunPlan, exchangeLimits, planSend } from "../../shared/domain/mailPlan";
import { m365User } from "./builders";

const now = new Date("2026-06-01T09:00:00Z");
const deadline = "2026-06-15T17:00:00Z";
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
    const plan = dryRunPlan({ deadline, reminders: ["PT4H", "P7D"], monitorEvery: "PT1H" }, people(1_200), now);
    expect(plan).toMatchObject({ usersInScope: 1_200, recipients: 1_200, personalised: false, deadline: "2026-06-15T17:00:00.000Z", warnings: [] });
    expect(plan.invitation).toEqual({ label: "invitation", at: now.toISOString(), recipients: 1_200, messages: 3, minutes: 1 });
    expect(plan.reminders).toEqual([
      { label: "P7D", at: "2026-06-08T17:00:00.000Z", recipients: 1_200, messages: 3, minutes: 1 },
      { label: "PT4H", at: "2026-06-15T13:00:00.000Z", recipients: 1_200, messages: 3, minutes: 1 },
    ]);
    expect(plan.monitor).toEqual({ every: "PT1H", checks: 344, first: "2026-06-01T10:00:00.000Z" });
  });

  it("leaves users without a mailbox out of the recipients and warns about them", () => {
    const plan = dryRunPlan({ deadline, reminders: [], monitorEvery: "PT1H" }, people(10, 3), now);
    expect(plan.recipients).toBe(7);
    expect(plan.warnings).toEqual(["3 in-scope users have no mailbox (mail is empty) and cannot receive the invitation or reminders"]);
  });

  it("warns when one send exceeds 10,000 recipients a day", () => {
    const plan = dryRunPlan({ deadline, reminders: [], monitorEvery: "PT1H" }, people(12_000), now);
    expect(plan.invitation.messages).toBe(24);
    expect(plan.warnings).toEqual([expect.stringMatching(/^12000 recipients in the 24 hours up to the invitation \(invitation\) exceed Exchange Online's 10000 recipients per day/)]);
  });

  it("warns when reminders within 24 hours together exceed the daily limit", () => {
    const plan = dryRunPlan({ deadline, reminders: ["P1D", "PT4H"], monitorEvery: "PT1H" }, people(6_000), now);
    expect(plan.warnings).toEqual([expect.stringMatching(/^12000 recipients in the 24 hours up to the PT4H reminder \(P1D, PT4H\)/)]);
  });

  it("warns when personalised mail cannot be sent before the next reminder", () => {
    const plan = dryRunPlan({ deadline, reminders: ["PT4H", "PT6H"], monitorEvery: "PT1H", personalisedReminders: true }, people(4_500), now);
    expect(plan.reminders.map((r) => [r.label, r.messages, r.minutes])).toEqual([
      ["PT6H", 4_500, 150],
      ["PT4H", 4_500, 150],
    ]);
    expect(plan.warnings).toContain("the PT6H reminder needs 150 minutes (4500 messages at 30/min) but the PT4H reminder follows after only 2 hours");
  });

  it("warns when the last reminder cannot finish before the deadline", () => {
    const plan = dryRunPlan({ deadline, reminders: ["PT1H"], monitorEvery: "PT1H", personalisedReminders: true }, people(2_000), now);
    expect(plan.warnings).toContain("the PT1H reminder needs 67 minutes (2000 messages at 30/min) but the deadline follows after only 1 hour");
  });

  it("warns that nobody is in scope", () => {
    expect(dryRunPlan({ deadline, reminders: [], monitorEvery: "PT1H" }, [], now).warnings).toEqual(["no users are in scope: check the domain and the scope group"]);
  });
});
