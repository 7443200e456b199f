/** Operator mode's services hold no Peig client: the activities that need one refuse, naming the mode. */
import { activityDefinitions } from "../../activities";
import type { Services } from "../../shared/services";

/** Operator mode's services, as far as these activities may see them: any other service touched fails the test. */
const operatorMode = new Proxy({} as Services, {
  get: (_, key) => {
    if (key === "peig") return undefined;
    throw new Error(`touched services.${String(key)} before refusing`);
  },
});

describe("an activity only api mode has", () => {
  it.each([
    ["configurePeigMigration", () => activityDefinitions.configurePeigMigration({ migrationId: "m" }, operatorMode)],
    [
      "createPeigAccounts",
      () => activityDefinitions.createPeigAccounts({ migrationId: "m", batch: 0, pass: 1 }, operatorMode),
    ],
    ["performMerges", () => activityDefinitions.performMerges({ migrationId: "m", round: 1 }, operatorMode)],
    [
      "deletePeigMigrationConfiguration",
      () => activityDefinitions.deletePeigMigrationConfiguration({ migrationId: "m" }, operatorMode),
    ],
  ])("%s refuses in operator mode before touching anything", async (_name, run) => {
    await expect(run()).rejects.toThrow(/api mode only \(PEIG_MODE=api\); in operator mode the Peig admin does it/);
  });
});
