/**
 * Waves (shared/domain/waves.ts): who is in which wave, when each starts, its state in words, each wave's mail on
 * the shared sender mailboxes, and the start request's rules for them (a 400 naming the field).
 */
import { planWaves } from "../../shared/domain/mailPlan";
import { migrationScope } from "../../shared/domain/scope";
import {
  nextWaveReminderAt,
  waveOfPerson,
  waveStartsAt,
  waveStateInWords,
  wavesOf,
  type Wave,
} from "../../shared/domain/waves";
import { parseStartRequest } from "../../shared/validation/startRequest";

const PILOT = "8f3a2c1e-0b4d-4e5f-9a6b-000000000001";
const SECOND = "8f3a2c1e-0b4d-4e5f-9a6b-000000000002";
const now = new Date("2026-06-01T00:00:00Z");

const body = (waves: unknown, extra: Record<string, unknown> = {}) => ({
  workspace: "contoso",
  domain: "contoso.com",
  idpEntityId: "https://pap01.contoso.com/idp/shibboleth",
  deadline: "2026-06-29T17:00:00Z",
  reminders: ["7 days", "1 day"],
  monitorEvery: "1 hour",
  approvers: ["cio@contoso.com"],
  requiredApprovals: 1,
  admins: ["it@contoso.com"],
  phase2: "auto",
  endEarly: false,
  dryRun: false,
  waves,
  ...extra,
});

const pilotThenRest = [
  { name: "Pilot", group: PILOT, deadline: "2026-06-08T17:00:00Z", reminders: ["2 days"] },
  { name: "Everyone else", review: true },
];

const errorsOf = (request: unknown) => {
  const parsed = parseStartRequest(request, now);
  return parsed.ok ? [] : parsed.errors;
};

describe("the start request's waves", () => {
  it("fills in the last wave's deadline and every wave's reminders from the migration's", () => {
    const parsed = parseStartRequest(body(pilotThenRest), now);
    expect(parsed.ok && parsed.value.waves).toEqual([
      { name: "Pilot", group: PILOT, deadline: "2026-06-08T17:00:00Z", reminders: ["P2D"] },
      { name: "Everyone else", deadline: "2026-06-29T17:00:00Z", reminders: ["P7D", "P1D"], review: true },
    ]);
  });

  it("leaves a request without waves as it was", () => {
    const parsed = parseStartRequest(body(undefined), now);
    expect(parsed.ok && "waves" in parsed.value && parsed.value.waves !== undefined).toBe(false);
  });

  it.each<[string, unknown, Record<string, unknown>, string[]]>([
    ["one wave alone", [{ name: "Everyone" }], {}, ["waves"]],
    [
      "an earlier wave without a group",
      [{ name: "Pilot", deadline: "2026-06-08T17:00:00Z" }, { name: "Rest" }],
      {},
      ["waves.0.group"],
    ],
    ["a review on the first wave", [{ ...pilotThenRest[0], review: true }, pilotThenRest[1]], {}, ["waves.0.review"]],
    ["two waves of one name", [pilotThenRest[0], { name: " pilot " }], {}, ["waves.1.name"]],
    ["a group twice", [pilotThenRest[0], { name: "Rest", group: PILOT }], {}, ["waves.1.group"]],
    [
      "an earlier wave without a deadline",
      [{ name: "Pilot", group: PILOT }, { name: "Rest" }],
      {},
      ["waves.0.deadline"],
    ],
    [
      "the last wave's deadline not the migration's",
      [pilotThenRest[0], { name: "Rest", deadline: "2026-06-20T17:00:00Z" }],
      {},
      ["waves.1.deadline"],
    ],
    [
      "deadlines out of order",
      [
        pilotThenRest[0],
        { name: "Second", group: SECOND, deadline: "2026-06-05T17:00:00Z", reminders: [] },
        { name: "Rest" },
      ],
      {},
      ["waves.1.deadline"],
    ],
    [
      "a wave invited before the previous deadline",
      [pilotThenRest[0], { name: "Rest", invitationDate: "2026-06-07T17:00:00Z" }],
      {},
      ["waves.1.invitationDate"],
    ],
    [
      "a reminder before its wave starts",
      [{ ...pilotThenRest[0], reminders: ["10 days"] }, pilotThenRest[1]],
      {},
      ["waves.0.reminders.0"],
    ],
    ["a wave group also excluded", pilotThenRest, { excludeGroups: [PILOT] }, ["waves.0.group"]],
    [
      "include groups when every wave names a group",
      [pilotThenRest[0], { name: "Rest", group: SECOND }],
      { includeGroups: [SECOND] },
      ["includeGroups"],
    ],
    ["an unknown wave field", [{ ...pilotThenRest[0], when: "soon" }, pilotThenRest[1]], {}, ["when"]],
    ["a name with a line break", [{ ...pilotThenRest[0], name: "Pi\nlot" }, pilotThenRest[1]], {}, ["waves.0.name"]],
  ])("refuses %s, naming the field", (_what, waves, extra, fields) => {
    expect(errorsOf(body(waves, extra)).map((e) => e.field)).toEqual(fields);
  });
});

describe("waves", () => {
  const waves: Wave[] = [
    { name: "Pilot", group: PILOT, deadline: "2026-06-08T17:00:00Z", reminders: ["P2D"] },
    { name: "Second", group: SECOND, deadline: "2026-06-15T17:00:00Z", reminders: ["P1D"] },
    { name: "Everyone else", deadline: "2026-06-29T17:00:00Z", reminders: ["P7D"], review: true },
  ];

  it("puts each person in the first wave whose group holds them, everyone else in the last", () => {
    const members = [new Set(["a", "b"]), new Set(["b", "c"]), new Set<string>()];
    expect(["a", "b", "c", "d"].map((id) => waveOfPerson(waves, members, id))).toEqual([0, 0, 1, 2]);
    const grouped = waves.map((w) => ({ ...w, group: w.group ?? "8f3a2c1e-0b4d-4e5f-9a6b-000000000003" }));
    expect(waveOfPerson(grouped, [new Set(), new Set(), new Set()], "d")).toBeUndefined();
  });

  it("takes the waves' groups as the scope when every wave names one", () => {
    const grouped = [waves[0], { ...waves[2], group: SECOND }];
    expect(migrationScope({ domain: "contoso.com", waves: grouped }).includeGroups).toEqual([PILOT, SECOND]);
    expect(migrationScope({ domain: "contoso.com", includeGroups: [SECOND], waves }).includeGroups).toEqual([SECOND]);
  });

  it("starts the first wave at once and a later one at the previous deadline unless it gives a date", () => {
    expect(waveStartsAt(waves, 0)).toBeNull();
    expect(waveStartsAt(waves, 1)?.toISOString()).toBe("2026-06-08T17:00:00.000Z");
    const dated = [waves[0], { ...waves[1], invitationDate: "2026-06-09T08:00:00Z" }];
    expect(waveStartsAt(dated, 1)?.toISOString()).toBe("2026-06-09T08:00:00.000Z");
  });

  it("gives the last wave the migration's current deadline (an extension moves it), and none: one wave", () => {
    const request = { deadline: "2026-06-29T17:00:00Z", reminders: ["P7D"], waves };
    expect(wavesOf(request, "2026-07-03T17:00:00Z").map((w) => w.deadline)).toEqual([
      "2026-06-08T17:00:00Z",
      "2026-06-15T17:00:00Z",
      "2026-07-03T17:00:00Z",
    ]);
    expect(wavesOf({ deadline: request.deadline, reminders: ["P7D"] })).toEqual([
      { name: "everyone", deadline: request.deadline, reminders: ["P7D"] },
    ]);
  });

  it("says where a wave stands in words, dates in the migration's zone", () => {
    const at = new Date("2026-06-10T12:00:00Z");
    const zone = "Europe/Prague";
    expect(waveStateInWords(waves, 0, { startedAt: "2026-06-01T00:00:00Z" }, at, zone)).toBe(
      "over since Mon 8 Jun 2026, 19:00 CEST",
    );
    expect(waveStateInWords(waves, 1, { startedAt: "2026-06-08T17:00:00Z" }, at, zone)).toBe(
      "invited Mon 8 Jun 2026, 19:00 CEST, open until Mon 15 Jun 2026, 19:00 CEST",
    );
    expect(waveStateInWords(waves, 2, undefined, at, zone)).toBe(
      "starts Mon 15 Jun 2026, 19:00 CEST, after the admins' pilot review",
    );
    const held = { review: { round: 1, outcome: "held" as const, at: at.toISOString(), by: "it@contoso.com" } };
    expect(waveStateInWords(waves, 2, held, at, zone)).toBe(
      'on hold: it@contoso.com answered "Hold" to the pilot review',
    );
    expect(waveStateInWords(waves, 2, { review: { ...held.review, outcome: "open" } }, at, zone)).toBe(
      "waiting for the admins' pilot review",
    );
  });

  it("finds the next reminder of any wave, a wave not started counting from its start", () => {
    expect(nextWaveReminderAt(waves, now)?.toISOString()).toBe("2026-06-06T17:00:00.000Z");
    expect(nextWaveReminderAt(waves, new Date("2026-06-07T00:00:00Z"))?.toISOString()).toBe("2026-06-14T17:00:00.000Z");
  });

  it("plans each wave's mail on the shared mailboxes: a wave starting within the earlier one's 24 hours gets the room left", () => {
    const people = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `u${i}`, mail: `u${i}@contoso.com` }));
    const back2back: Wave[] = [
      { name: "Pilot", group: PILOT, deadline: "2026-06-01T12:00:00Z", reminders: [] },
      { name: "Everyone else", deadline: "2026-06-20T12:00:00Z", reminders: [] },
    ];
    const request = { deadline: "2026-06-20T12:00:00Z", reminders: [], monitorEvery: "PT1H", waves: back2back };
    const [pilot, rest] = planWaves(request, [people(8_000), people(5_000)] as never, now, ["one@contoso.com"]);
    expect(pilot.mail.invitation.slots).toEqual([expect.objectContaining({ recipients: 8_000 })]);
    // 10,000 a day less 1,000 kept for the admins: 1,000 fit on the day of the pilot's invitation, the rest a day later.
    expect(rest.startsAt).toBe("2026-06-01T12:00:00.000Z");
    expect(rest.mail.invitation.slots.map((s) => s.recipients)).toEqual([1_000, 4_000]);
    expect(Date.parse(rest.mail.invitation.slots[1].at)).toBeGreaterThanOrEqual(Date.parse("2026-06-02T00:00:00Z"));
  });
});
