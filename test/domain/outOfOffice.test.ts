import { awayForRound, permissionMissing } from "../../shared/domain/outOfOffice";

const round = { from: new Date("2026-12-20T09:00:00Z"), until: new Date("2026-12-27T09:00:00Z") };

describe("an approver away for the whole round", () => {
  it("is away with replies on until turned off", () => {
    expect(awayForRound({ status: "alwaysEnabled" }, round)).toEqual({ away: true, until: null });
  });

  it("is away when the schedule covers the round from its start to its end", () => {
    const replies = { status: "scheduled" as const, start: "2026-12-18T00:00:00Z", end: "2027-01-04T00:00:00Z" };
    expect(awayForRound(replies, round)).toEqual({ away: true, until: "2027-01-04T00:00:00Z" });
    expect(awayForRound({ ...replies, start: "2026-12-20T09:00:00Z", end: "2026-12-27T09:00:00Z" }, round)).toEqual({
      away: true,
      until: "2026-12-27T09:00:00Z",
    });
  });

  it("is asked when back before the round ends, leaving after it starts, or with replies off or unreadable", () => {
    const scheduled = (start: string, end: string) => ({ status: "scheduled" as const, start, end });
    expect(awayForRound(scheduled("2026-12-18T00:00:00Z", "2026-12-26T00:00:00Z"), round).away).toBe(false);
    expect(awayForRound(scheduled("2026-12-21T00:00:00Z", "2027-01-04T00:00:00Z"), round).away).toBe(false);
    expect(awayForRound({ status: "disabled" }, round).away).toBe(false);
    expect(awayForRound({ status: "unreadable", why: "notPermitted", detail: "403" }, round).away).toBe(false);
  });

  it("notes a missing permission only when no approver's replies could be read for want of it", () => {
    const base = { gate: "deletionApproval-1", at: "2026-12-20T09:00:00Z" };
    const unread = (why: "notPermitted" | "noMailbox") => ({ approver: "cfo@contoso.com", why });
    expect(permissionMissing({ ...base, away: [], unread: [unread("notPermitted")] })).toBe(true);
    expect(permissionMissing({ ...base, away: [], unread: [unread("notPermitted"), unread("noMailbox")] })).toBe(false);
    expect(permissionMissing({ ...base, away: [], unread: [] })).toBe(false);
  });
});
