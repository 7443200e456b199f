import {
  deadlineOf,
  laterThanMigration,
  markOnboarded,
  openDeadlines,
  remindedFor,
  windowClosesAt,
  windowDeadlines,
  type PersonalDeadline,
} from "../../shared/domain/personalDeadlines";
import { dueReminders, nextReminderOf } from "../../shared/domain/schedule";
import { DAY, HOUR } from "../../shared/domain/duration";

const MIGRATION = "2026-12-15T09:00:00.000Z";
const LATER = "2026-12-22T09:00:00.000Z";
const LATEST = "2027-01-05T09:00:00.000Z";
const EARLIER = "2026-12-10T09:00:00.000Z";
const at = (iso: string, offsetMs: number) => new Date(Date.parse(iso) + offsetMs);

const extension = (userId: string, deadline: string): PersonalDeadline => ({
  userId,
  userPrincipalName: `${userId}@contoso.com`,
  displayName: userId,
  deadline,
  from: MIGRATION,
  by: "it@contoso.com",
  at: "2026-12-08T10:00:00.000Z",
});
const personal = [extension("ann", LATER), extension("bob", LATEST), extension("cy", LATER)];

describe("one person's own deadline", () => {
  it("is theirs when later than the migration's, and the migration's for everyone else", () => {
    expect(deadlineOf("ann", MIGRATION, personal)).toBe(LATER);
    expect(deadlineOf("bob", MIGRATION, personal)).toBe(LATEST);
    expect(deadlineOf("dee", MIGRATION, personal)).toBe(MIGRATION);
    expect(deadlineOf("ann", MIGRATION, undefined)).toBe(MIGRATION);
  });

  it("stops mattering once the migration's deadline moves past it", () => {
    const moved = "2026-12-29T09:00:00.000Z";
    expect(laterThanMigration(moved, personal).map((p) => p.userId)).toEqual(["bob"]);
    expect(deadlineOf("ann", moved, personal)).toBe(moved);
  });

  it("keeps the window open until the latest deadline anyone has, each distinct instant once, earliest first", () => {
    expect(
      windowDeadlines(
        MIGRATION,
        personal.map((p) => p.deadline),
      ),
    ).toEqual([MIGRATION, LATER, LATEST]);
    expect(windowDeadlines(MIGRATION, [EARLIER, "2026-12-22T10:00:00+01:00"])).toEqual([MIGRATION, LATER]);
    expect(windowDeadlines(MIGRATION, undefined)).toEqual([MIGRATION]);
    expect(windowClosesAt(MIGRATION, personal)).toBe(LATEST);
    expect(windowClosesAt(MIGRATION, [])).toBe(MIGRATION);
    expect(windowClosesAt(MIGRATION, undefined)).toBe(MIGRATION);
  });

  it("orders the window's deadlines by time whatever order they were set in, and counts the migration's instant once", () => {
    expect(windowDeadlines(MIGRATION, [LATEST, LATER])).toEqual([MIGRATION, LATER, LATEST]);
    expect(windowDeadlines(MIGRATION, [LATEST, MIGRATION, LATER])).toEqual([MIGRATION, LATER, LATEST]);
  });

  it("is no later deadline when it is the migration's own instant", () => {
    expect(laterThanMigration(MIGRATION, [extension("ann", MIGRATION)])).toEqual([]);
  });
});

describe("who a reminder is for", () => {
  const people = ["ann", "bob", "cy", "dee", "eve"];
  it("sends the migration's reminders to everyone without a later deadline of their own", () => {
    expect(people.filter(remindedFor(MIGRATION, MIGRATION, personal))).toEqual(["dee", "eve"]);
  });

  it("sends a personal deadline's reminders only to the people who have it", () => {
    expect(people.filter(remindedFor(LATER, MIGRATION, personal))).toEqual(["ann", "cy"]);
    expect(people.filter(remindedFor(LATEST, MIGRATION, personal))).toEqual(["bob"]);
    expect(people.filter(remindedFor("2027-02-01T00:00:00.000Z", MIGRATION, personal))).toEqual([]);
  });

  it("puts someone whose own deadline the migration overtook back with everyone else", () => {
    const moved = "2026-12-29T09:00:00.000Z";
    expect(people.filter(remindedFor(moved, moved, personal))).toEqual(["ann", "cy", "dee", "eve"]);
  });

  it("reads a deadline written with another offset as the same instant", () => {
    expect(people.filter(remindedFor("2026-12-22T10:00:00+01:00", MIGRATION, personal))).toEqual(["ann", "cy"]);
  });
});

describe("the reminders of several deadlines", () => {
  const reminders = ["P7D", "P1D", "PT4H"];
  const deadlines = [MIGRATION, LATER];

  it("is due per deadline, each the latest one come due (nobody gets two at once)", () => {
    const now = at(MIGRATION, -12 * HOUR); // after the migration's P1D; the later deadline's P7D is now due too
    expect(dueReminders(deadlines, reminders, now, [])).toEqual([
      { label: "P1D", deadline: MIGRATION, keys: [`P7D@${MIGRATION}`, `P1D@${MIGRATION}`] },
    ]);
    const sent = [`P7D@${MIGRATION}`, `P1D@${MIGRATION}`];
    expect(dueReminders(deadlines, reminders, at(MIGRATION, -3 * HOUR), sent)).toEqual([
      { label: "PT4H", deadline: MIGRATION, keys: [`PT4H@${MIGRATION}`] },
    ]);
    // A week before the later deadline is the migration's own: its last reminder is no longer due, the later one's is.
    expect(dueReminders(deadlines, reminders, at(LATER, -7 * DAY), sent)).toEqual([
      { label: "P7D", deadline: LATER, keys: [`P7D@${LATER}`] },
    ]);
    expect(dueReminders(deadlines, reminders, at(LATER, -6 * DAY), sent)).toEqual([
      { label: "P7D", deadline: LATER, keys: [`P7D@${LATER}`] },
    ]);
  });

  it("sends nothing again, and nothing for a deadline that has passed", () => {
    const sent = [`P7D@${LATER}`];
    expect(dueReminders(deadlines, reminders, at(MIGRATION, 0), sent)).toEqual([]);
    expect(dueReminders(deadlines, reminders, at(LATER, 0), [])).toEqual([]);
  });

  it("names the next reminder to anyone, whichever deadline it counts down to", () => {
    const now = at(MIGRATION, -2 * HOUR);
    expect(nextReminderOf(deadlines, reminders, now, [])).toEqual({ at: at(LATER, -7 * DAY), label: "P7D" });
    expect(nextReminderOf(deadlines, reminders, at(MIGRATION, -5 * HOUR), [])).toEqual({
      at: at(MIGRATION, -4 * HOUR),
      label: "PT4H",
    });
    expect(nextReminderOf(deadlines, reminders, at(MIGRATION, -5 * HOUR), [`PT4H@${MIGRATION}`])?.label).toBe("P7D");
    expect(nextReminderOf(deadlines, reminders, at(LATER, 0), [])).toBeNull();
  });
});

describe("a person who onboarded before their own deadline", () => {
  it("no longer keeps the window open: it closes at the latest deadline of those still to onboard", () => {
    const now = "2026-12-09T10:00:00.000Z";
    const marked = markOnboarded(personal, (id) => id === "bob", now)!;
    expect(marked.map((p) => [p.userId, p.onboardedAt])).toEqual([
      ["ann", undefined],
      ["bob", now],
      ["cy", undefined],
    ]);
    expect(windowClosesAt(MIGRATION, marked)).toBe(LATER);
    expect(openDeadlines(marked)).toEqual([LATER, LATER]);
    // Marked once: a later pass changes nothing.
    expect(markOnboarded(marked, (id) => id === "bob", "2026-12-10T10:00:00.000Z")).toBeUndefined();
    expect(markOnboarded(undefined, () => true, now)).toBeUndefined();
  });
});
