/**
 * Operator mode reads the Entra sign-in log incrementally: each pass asks for entries since the newest
 * one already recorded (less an overlap for late entries), and users recorded as signed in by earlier
 * passes stay onboarded. The count stays right while each pass reads a day's entries, not the whole log.
 */
import type { MigrationSignIn } from "../../shared/entra/port";
import { DAY, START, peigAdminFollows, startScenario, type Scenario } from "./harness";

describe("operator mode sign-in reading", () => {
  let s: Scenario;
  afterEach(() => s.stop());

  it("reads only the sign-ins since the last pass (with a day's overlap) and still counts everyone who signed in", async () => {
    s = await startScenario({ peigMode: "operator", tenant: { users: 400, missRate: 0.2, mismatchRate: 0 } });
    const entra = s.stack.services.entra;
    const reads: { since?: string; returned: number }[] = [];
    const list = entra.listMigrationSignIns.bind(entra);
    entra.listMigrationSignIns = async (query: { appId: string; since?: string }): Promise<MigrationSignIn[]> => {
      const signIns = await list(query);
      reads.push({ since: query.since, returned: signIns.length });
      return signIns;
    };
    const id = await s.start();
    await peigAdminFollows(s, s.taskLinks("it@contoso.com").at(-1)!);
    await s.host.idle();
    expect(await s.phase(id)).toBe("onboarding");
    await s.runUntil(() => s.clock.now().getTime() >= Date.parse(START) + 12 * DAY);
    expect(await s.phase(id)).toBe("onboarding");

    const appId = ((await s.status(id)).app as { appId: string }).appId;
    const log = s.stack.graph.state.signIns.filter((x) => x.appId === appId && x.status.errorCode === 0);
    const signedIn = new Set(log.map((x) => x.userId));
    expect(signedIn.size).toBeGreaterThan(100);
    expect(((await s.status(id)).counts as { onboarded: number }).onboarded).toBe(signedIn.size);

    expect(reads.length).toBeGreaterThan(10);
    expect(reads[0].since).toBeUndefined();
    const later = reads.slice(reads.findIndex((r) => r.returned > 0) + 1);
    expect(later.length).toBeGreaterThan(5);
    expect(later.every((r) => r.since !== undefined)).toBe(true);
    // The last pass read at most the entries of its look-back window: a fraction of the whole log.
    const last = reads.at(-1)!;
    expect(last.returned).toBe(log.filter((x) => x.createdDateTime >= last.since!).length);
    expect(last.returned).toBeLessThan(log.length / 2);
  });
});
