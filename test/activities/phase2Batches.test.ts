/**
 * Phase 2's batches: batch n is the n-th 50 of the users planned for Phase 2, in user-id order, whatever happened to
 * them since; users not planned are never in a batch.
 */
import { batchOf, PHASE2_BATCH_SIZE } from "../../activities/phase2";
import type { UserRecord } from "../../shared/store/port";

const user = (n: number, planned: boolean) =>
  ({ userId: `u${String(n).padStart(3, "0")}`, phase2: { attempts: 0, planned } }) as unknown as UserRecord;

describe("batchOf", () => {
  // 130 users, every third not planned, listed out of order.
  const users = Array.from({ length: 130 }, (_, i) => user(129 - i, (129 - i) % 3 !== 0));
  const planned = users
    .filter((u) => u.phase2.planned)
    .map((u) => u.userId)
    .sort();

  it("cuts the planned users, in user-id order, into batches of 50", () => {
    expect(PHASE2_BATCH_SIZE).toBe(50);
    expect(batchOf(users, 0).map((u) => u.userId)).toEqual(planned.slice(0, 50));
    expect(batchOf(users, 1).map((u) => u.userId)).toEqual(planned.slice(50, 100));
    expect(batchOf(users, 2).map((u) => u.userId)).toEqual(planned.slice(100));
    expect(batchOf(users, 3)).toEqual([]);
  });

  it("never lists a user who was not planned, and lists every planned user once", () => {
    const listed = [0, 1, 2].flatMap((b) => batchOf(users, b).map((u) => u.userId));
    expect(listed).toEqual(planned);
    expect(listed.some((id) => Number(id.slice(1)) % 3 === 0)).toBe(false);
  });
});
