/**
 * Orchestration versions (host.json durableTask.defaultVersion). A running instance keeps the version
 * it started with across deploys and continueAsNew; orchestrations branch on context.df.version where
 * behaviour changed, so an instance replays the code path it was written by.
 */

/**
 * Compares versions as DTFx does for versionMatchStrategy (DurableTask.Core
 * src/DurableTask.Core/Settings/VersioningSettings.cs, CompareVersions): an empty version is below any
 * other; two System.Version strings compare as System.Version (no padding: "2.0" < "2.0.0"); anything
 * else compares as ordinal, case-insensitive text.
 */
export function compareVersions(a: string | undefined, b: string | undefined): number {
  const blankA = !a?.trim();
  const blankB = !b?.trim();
  if (blankA || blankB) return blankA && blankB ? 0 : blankA ? -1 : 1;
  const va = parseSystemVersion(a!);
  const vb = parseSystemVersion(b!);
  if (va && vb) {
    for (let i = 0; i < 4; i++) if (va[i] !== vb[i]) return va[i] < vb[i] ? -1 : 1;
    return 0;
  }
  const x = a!.toUpperCase();
  const y = b!.toUpperCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * System.Version.TryParse: 2 to 4 dot-separated non-negative Int32 parts; a missing build or revision
 * is -1, which is why "2.0" sorts before "2.0.0".
 */
function parseSystemVersion(text: string): number[] | undefined {
  const parts = text.trim().split(".");
  if (parts.length < 2 || parts.length > 4) return undefined;
  const numbers = parts.map((p) => (/^\s*\+?\d+\s*$/.test(p) ? Number(p.trim()) : NaN));
  if (numbers.some((n) => !Number.isSafeInteger(n) || n > 2_147_483_647)) return undefined;
  while (numbers.length < 4) numbers.push(-1);
  return numbers;
}

/** Instances started before versioning existed carry no version: they count as 1.0. */
export function atLeast(version: string | undefined, minimum: string): boolean {
  return compareVersions(version ?? "1.0", minimum) >= 0;
}

/**
 * The version each behaviour kept apart by version started with: orchestrations branch on
 * `atLeast(context.df.version, since.…)`, and instances of an older version keep the path they were recorded on.
 */
export const since = {
  /** Operator mode: the Peig admin's Phase 2 task asked again in rounds (expired, or accounts still missing). */
  peigAccountsRounds: "1.1",
} as const;
