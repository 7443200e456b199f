/**
 * What the demo keeps in its state folder (`.demo/` by default) so that a restart resumes instead of
 * starting over: Azurite's files (durable instances and the app's tables), `state.json` (the migration,
 * the simulated time reached, the function key and port so printed links keep working), the
 * simulators' snapshots, and the report.
 */
import fs from "node:fs";
import path from "node:path";
import type { GraphSimulatorSnapshot } from "../graph-simulator";
import type { PeigSimulatorSnapshot } from "../peig-simulator";

/** Options that shape the tenant and the workflow: a resumed demo keeps the ones it started with. */
export interface DemoSetup {
  users: number;
  seed: number;
  deadlineDays: number;
  operator: boolean;
  faultRate: number;
}

export interface DemoState {
  /**
   * 2 since the orchestrations start at version 1.0: a state from before holds instances of version 3.x, which the
   * host (like the Durable extension) would leave to a newer host, so the demo would wait forever.
   */
  version: 2;
  setup: DemoSetup;
  functionKey: string;
  hostPort?: number;
  migrationId?: string;
  /** The simulated time reached (ISO 8601); the accelerated clock resumes from here. */
  virtualNow?: string;
}

export interface Snapshots {
  graph: GraphSimulatorSnapshot;
  peig: PeigSimulatorSnapshot;
}

export class DemoStateFolder {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
  }

  get azuriteDir(): string {
    return path.join(this.dir, "azurite");
  }

  get reportHtml(): string {
    return path.join(this.dir, "report.html");
  }

  get reportJson(): string {
    return path.join(this.dir, "report.json");
  }

  /** `--reset`: forget everything, Azurite's data included. */
  reset(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  readState(): DemoState | undefined {
    const state = this.read<DemoState>("state.json");
    if (state && state.version !== 2)
      throw new Error(
        `${path.join(this.dir, "state.json")} is from another version of the demo; start over with --reset`,
      );
    return state;
  }

  writeState(state: DemoState): void {
    this.write("state.json", state);
  }

  readSnapshots(): Partial<Snapshots> {
    return {
      graph: this.read<GraphSimulatorSnapshot>("graph-simulator.json"),
      peig: this.read<PeigSimulatorSnapshot>("peig-simulator.json"),
    };
  }

  writeSnapshots(snapshots: Snapshots): void {
    this.write("graph-simulator.json", snapshots.graph);
    this.write("peig-simulator.json", snapshots.peig);
  }

  writeReport(html: string, json: string): void {
    fs.mkdirSync(this.dir, { recursive: true });
    fs.writeFileSync(this.reportHtml, html);
    fs.writeFileSync(this.reportJson, json);
  }

  private read<T>(name: string): T | undefined {
    const file = path.join(this.dir, name);
    if (!fs.existsSync(file)) return undefined;
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  }

  /** Write-then-rename, so a kill mid-write leaves the previous file rather than half a file. */
  private write(name: string, value: unknown): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const file = path.join(this.dir, name);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(value));
    fs.renameSync(`${file}.tmp`, file);
  }
}
