/**
 * The two hosts a scenario runs on, behind one small interface: the real extension (real time; the driver
 * polls) and the local host (virtual time; the driver fires the next timer whenever the host is idle and the
 * awaited state has not come, which is what real time would do, only faster).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type * as df from "durable-functions";
import { VirtualClock } from "../../local/host/clocks";
import { MemoryInstanceStore } from "../../local/host/instanceStore";
import { createTestHost, type TestHost } from "../../local/host/testHost";
import { clientForRpc } from "./clients";
import { startHarness, type Harness, type Versioning } from "./realHost";

export type Status = df.DurableOrchestrationStatus;

export interface Side {
  readonly name: "extension" | "local host";
  client(): df.DurableClient;
  /** Resolves with the first status that satisfies `done`; rejects after `timeoutMs` of real time or, on the local host, when nothing is left to happen. */
  until(instanceId: string, done: (s: Status) => boolean, what: string, timeoutMs?: number): Promise<Status>;
  /** The host's "now": real time on the extension, the virtual clock on the local host. */
  now(): Date;
  /**
   * The host process dies and starts again on the same storage; with `versioning`, it comes back running other
   * versioning settings (a deploy that raised host.json's defaultVersion).
   */
  restart(versioning?: Versioning): Promise<void>;
  stop(): Promise<void>;
}

export const TERMINAL = ["Completed", "Failed", "Terminated"];

/** The instance's status, or none while it does not exist (a sub-orchestration before its parent's start message is processed: 404). */
async function statusOrNone(client: df.DurableClient, instanceId: string): Promise<Status | undefined> {
  try {
    return await client.getStatus(instanceId);
  } catch (err) {
    if (/HTTP 404|not found/i.test(String(err))) return undefined;
    throw err;
  }
}

export class ExtensionSide implements Side {
  readonly name = "extension" as const;
  private constructor(
    private harness: Harness,
    private readonly options: Parameters<typeof startHarness>[0],
  ) {}

  static async create(options: Parameters<typeof startHarness>[0]): Promise<ExtensionSide> {
    return new ExtensionSide(await startHarness(options), options);
  }

  now(): Date {
    return new Date();
  }

  client(): df.DurableClient {
    return clientForRpc(this.harness.rpcBaseUrl, this.options.taskHub);
  }

  async until(instanceId: string, done: (s: Status) => boolean, what: string, timeoutMs = 60_000): Promise<Status> {
    const deadline = Date.now() + timeoutMs;
    let last: Status | undefined;
    while (Date.now() < deadline) {
      last = await statusOrNone(this.client(), instanceId);
      if (last && done(last)) return last;
      await sleep(200);
    }
    throw new Error(
      `${what}: not reached within ${timeoutMs} ms (last status ${last?.runtimeStatus}, custom status ${JSON.stringify(last?.customStatus)})`,
    );
  }

  async restart(versioning?: Versioning): Promise<void> {
    await this.harness.kill();
    this.harness = await startHarness({ ...this.options, versioning });
  }

  stop(): Promise<void> {
    return this.harness.stop();
  }
}

export class LocalSide implements Side {
  readonly name = "local host" as const;
  private readonly clock = new VirtualClock();
  private readonly store = new MemoryInstanceStore();
  private defaultVersion: string | undefined;
  private constructor(private host: TestHost) {}

  static async create(): Promise<LocalSide> {
    const side = new LocalSide(undefined as unknown as TestHost);
    side.host = await side.newHost();
    return side;
  }

  private newHost(): Promise<TestHost> {
    // The engine's versionMatchStrategy is host.json's, CurrentOrOlder (engine.ts runsVersion).
    return createTestHost({ clock: this.clock, store: this.store, defaultVersion: this.defaultVersion });
  }

  now(): Date {
    return this.clock.now();
  }

  client(): df.DurableClient {
    return this.host.client;
  }

  async until(instanceId: string, done: (s: Status) => boolean, what: string, timeoutMs = 60_000): Promise<Status> {
    const deadline = Date.now() + timeoutMs;
    // Advancing settles once the episodes it starts are done: one that starts an activity the scenario holds
    // settles only after the release, so the awaited state is checked meanwhile.
    let advancing: Promise<void> | undefined;
    while (Date.now() < deadline) {
      const idle = await Promise.race([this.host.idle().then(() => true), sleep(100).then(() => false)]);
      const status = await statusOrNone(this.client(), instanceId);
      if (status && done(status)) return status;
      if (!idle || advancing) continue; // an activity is still running (a held one, say): let it
      const next = this.host.engine.nextTimer();
      if (!next)
        throw new Error(
          `${what}: never reached (status ${status?.runtimeStatus}, custom status ${JSON.stringify(status?.customStatus)}, no timer left)`,
        );
      const step = this.host.advanceTo(next.fireAt).finally(() => (advancing = undefined));
      advancing = step;
      await Promise.race([step, sleep(100)]);
    }
    throw new Error(`${what}: not reached within ${timeoutMs} ms`);
  }

  async restart(versioning?: Versioning): Promise<void> {
    this.host.engine.crash();
    await this.host.server.close();
    this.defaultVersion = versioning?.defaultVersion;
    this.host = await this.newHost();
  }

  stop(): Promise<void> {
    return this.host.stop();
  }
}
