/**
 * Approvers' automatic replies through Graph (GET /users/{id}/mailboxSettings/automaticRepliesSetting): the simulator
 * answers as Graph does (status, the scheduled times as dateTimeTimeZone in the owner's zone, 403 ErrorAccessDenied
 * without MailboxSettings.Read, 404 without a mailbox), and the adapter turns them into instants or says why not.
 */
import { defaultGrantedPermissions } from "../../local/graph-simulator/tenantAccess";
import { rawRequest, sender, startWorld, type World } from "./world";

describe("reading an approver's automatic replies", () => {
  let world: World;
  afterEach(async () => world.sim.stop());

  it("reads off, on until turned off, and a schedule written in the owner's time zone", async () => {
    world = await startWorld();
    expect(await world.mail.readAutomaticReplies(sender)).toEqual({ status: "disabled" });
    world.sim.setAutomaticReplies(sender, { status: "alwaysEnabled" });
    expect(await world.mail.readAutomaticReplies(sender)).toEqual({ status: "alwaysEnabled" });
    world.sim.setAutomaticReplies(sender, {
      status: "scheduled",
      start: "2026-12-14T13:00:00.000Z",
      end: "2027-01-04T14:30:00.000Z",
      timeZone: "America/New_York",
    });
    const raw = await rawRequest(world.sim, "GET", `v1.0/users/${sender}/mailboxSettings/automaticRepliesSetting`);
    expect(raw.status).toBe(200);
    expect(raw.body).toMatchObject({
      status: "scheduled",
      scheduledStartDateTime: { dateTime: "2026-12-14T08:00:00.0000000", timeZone: "America/New_York" },
      scheduledEndDateTime: { dateTime: "2027-01-04T09:30:00.0000000", timeZone: "America/New_York" },
    });
    expect(await world.mail.readAutomaticReplies(sender)).toEqual({
      status: "scheduled",
      start: "2026-12-14T13:00:00.000Z",
      end: "2027-01-04T14:30:00.000Z",
    });
    expect(world.counter.get("readAutomaticReplies")).toBe(3);
  });

  it("reads a schedule written in a Windows zone name as CLDR maps it, and says so for a zone nobody knows", async () => {
    world = await startWorld();
    const schedule = { start: "2026-12-14T13:00:00.000Z", end: "2027-01-04T14:30:00.000Z" };
    world.sim.setAutomaticReplies(sender, { status: "scheduled", ...schedule, timeZone: "Pacific Standard Time" });
    const raw = await rawRequest(world.sim, "GET", `v1.0/users/${sender}/mailboxSettings/automaticRepliesSetting`);
    expect(raw.body).toMatchObject({
      scheduledStartDateTime: { dateTime: "2026-12-14T05:00:00.0000000", timeZone: "Pacific Standard Time" },
    });
    expect(await world.mail.readAutomaticReplies(sender)).toEqual({ status: "scheduled", ...schedule });
    world.sim.setAutomaticReplies(sender, { status: "scheduled", ...schedule, timeZone: "Mars Standard Time" });
    expect(await world.mail.readAutomaticReplies(sender)).toEqual({
      status: "unreadable",
      why: "unknownTimeZone",
      detail: "scheduled in the time zone Mars Standard Time, which the app cannot convert",
    });
  });

  it("answers 403 ErrorAccessDenied without MailboxSettings.Read, which the adapter reports as not permitted", async () => {
    world = await startWorld({
      access: { grantedPermissions: defaultGrantedPermissions.filter((p) => p !== "MailboxSettings.Read") },
    });
    const raw = await rawRequest(world.sim, "GET", `v1.0/users/${sender}/mailboxSettings/automaticRepliesSetting`);
    expect([raw.status, (raw.body as { error: { code: string } }).error.code]).toEqual([403, "ErrorAccessDenied"]);
    expect(await world.mail.readAutomaticReplies(sender)).toEqual({
      status: "unreadable",
      why: "notPermitted",
      detail: expect.stringMatching(/^403 ErrorAccessDenied/),
    });
  });

  it("accepts MailboxSettings.ReadWrite in its place, and says when there is no such mailbox", async () => {
    world = await startWorld({ access: { grantedPermissions: ["MailboxSettings.ReadWrite"] } });
    expect(await world.mail.readAutomaticReplies(sender)).toEqual({ status: "disabled" });
    expect(await world.mail.readAutomaticReplies("nobody@contoso.com")).toEqual({
      status: "unreadable",
      why: "noMailbox",
      detail: expect.stringMatching(/^404 ErrorInvalidUser/),
    });
  });
});
