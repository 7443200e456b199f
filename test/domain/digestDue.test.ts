import { digestDue } from "../../activities/onboarding";
import { DAY } from "../../shared/domain/duration";

const counts = {
  inScope: 10,
  onboarded: 4,
  pending: 1,
  mismatched: 0,
  notOnboarded: 5,
  phase2Created: 0,
  phase2Failed: 0,
};
const moved = { ...counts, onboarded: 5, notOnboarded: 4 };
const last = { at: "2026-12-10T09:00:00.000Z", counts };

describe("when the admins' digest is due", () => {
  it("goes at once the first time", () => {
    expect(digestDue(undefined, counts, new Date("2026-12-01T09:00:00Z"), DAY)).toBe(true);
  });

  it("waits out the interval after the last one, however much moved", () => {
    expect(digestDue(last, moved, new Date("2026-12-11T08:59:59Z"), DAY)).toBe(false);
    expect(digestDue(last, moved, new Date("2026-12-11T09:00:00Z"), DAY)).toBe(true);
  });

  it("stays quiet when nothing moved since the last one, however long ago", () => {
    expect(digestDue(last, { ...counts }, new Date("2026-12-14T09:00:00Z"), DAY)).toBe(false);
  });
});
