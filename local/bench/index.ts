/**
 * `npm run bench`: prints the figures that performance claims rest on. Tests assert behaviour;
 * this prints numbers. Each section is a function returning table rows.
 */
import { installCoreShim } from "../host/installCoreShim";

installCoreShim();

export interface BenchRow {
  benchmark: string;
  figure: string;
  target?: string;
  met?: boolean;
}

async function main(): Promise<void> {
  const { hostBenchmarks } = await import("./hostBench");
  const sections: (() => Promise<BenchRow[]>)[] = [hostBenchmarks];
  const rows: BenchRow[] = [];
  for (const section of sections) rows.push(...(await section()));
  printTable(rows);
  process.exit(0);
}

function printTable(rows: BenchRow[]): void {
  const cells = rows.map((r) => [r.benchmark, r.figure, r.target ?? "", r.met === undefined ? "" : r.met ? "met" : "NOT MET"]);
  const header = ["benchmark", "figure", "target", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => "| " + c.map((x, i) => x.padEnd(widths[i])).join(" | ") + " |";
  console.log(line(header));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const c of cells) console.log(line(c));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
