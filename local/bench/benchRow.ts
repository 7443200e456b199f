/** One line of `npm run bench`'s table (local/bench/index.ts prints them). */
export interface BenchRow {
  benchmark: string;
  figure: string;
  target?: string;
  met?: boolean;
  /** How the figure or its minimum is worked out; printed as a footnote. */
  note?: string;
}
