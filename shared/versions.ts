/**
 * Orchestration versions (host.json durableTask.defaultVersion). A running instance keeps the version
 * it started with across deploys and continueAsNew; orchestrations branch on context.df.version where
 * behaviour changed, so an instance replays the code path it was written by.
 */

/** Compares dotted numeric versions ("1.10" > "1.9"); non-numeric parts compare as text. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".");
  const pb = b.split(".");
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? "0";
    const y = pb[i] ?? "0";
    const diff = /^\d+$/.test(x) && /^\d+$/.test(y) ? Number(x) - Number(y) : x.localeCompare(y);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

/** Instances started before versioning existed carry no version: they count as 1.0. */
export function atLeast(version: string | undefined, minimum: string): boolean {
  return compareVersions(version ?? "1.0", minimum) >= 0;
}
