/**
 * `npm run bench`: prints the figures that performance claims rest on. Tests assert behaviour;
 * this prints numbers, measured afresh on every run. Each section is a function returning table rows;
 * a row's note becomes a numbered footnote. A target that is not met is reported, never an exit code.
 * `npm run bench -- <section> …` runs only the sections named (e.g. phase2ProcessBenchmarks).
 */
import { availableParallelism, cpus } from "node:os";
import { installCoreShim } from "../host/installCoreShim";
import type { BenchRow } from "./benchRow";

installCoreShim();

async function main(): Promise<void> {
  const { hostBenchmarks } = await import("./hostBench");
  const { reconcileBenchmarks } = await import("./reconcileBench");
  const { migrationBenchmarks } = await import("./migrationBench");
  const { phase2Benchmarks } = await import("./phase2Bench");
  const { scaleBenchmarks } = await import("./scaleBench");
  const { phase2ProcessBenchmarks } = await import("./phase2ProcessBench");
  const { operatorMigrationBenchmarks } = await import("./operatorMigrationBench");
  // Reconciliation first: its memory figure is cleanest in a process that has not run a migration yet.
  const all: (() => Promise<BenchRow[]>)[] = [
    reconcileBenchmarks,
    hostBenchmarks,
    migrationBenchmarks,
    phase2Benchmarks,
    phase2ProcessBenchmarks,
    scaleBenchmarks,
    operatorMigrationBenchmarks,
  ];
  const chosen = process.argv.slice(2);
  const unknown = chosen.filter((name) => !all.some((section) => section.name === name));
  if (unknown.length)
    throw new Error(`no bench section ${unknown.join(", ")}; sections: ${all.map((s) => s.name).join(", ")}`);
  const sections = chosen.length ? all.filter((section) => chosen.includes(section.name)) : all;
  const rows: BenchRow[] = [];
  for (const section of sections) {
    const started = Date.now();
    try {
      rows.push(...(await section()));
    } catch (err) {
      // A section that cannot finish is a result too: report it and go on with the others.
      rows.push({
        benchmark: `${section.name}: did not finish`,
        figure: err instanceof Error ? err.message : String(err),
        met: false,
      });
    }
    console.error(`bench: ${section.name} took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  printTable(rows);
  process.exit(0);
}

function printTable(rows: BenchRow[]): void {
  const notes: string[] = [];
  const cells = rows.map((r) => {
    const marker = r.note ? ` [${notes.push(r.note)}]` : "";
    return [r.benchmark + marker, r.figure, r.target ?? "", r.met === undefined ? "" : r.met ? "met" : "NOT MET"];
  });
  const header = ["benchmark", "figure", "target", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => "| " + c.map((x, i) => x.padEnd(widths[i])).join(" | ") + " |";
  console.log(line(header));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const c of cells) console.log(line(c));
  console.log("");
  notes.forEach((note, i) => console.log(`[${i + 1}] ${note}`));
  console.log(
    `Machine: ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"}), Node ${process.version}, ${process.platform}/${process.arch}.`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
