/**
 * The two hosts a scenario runs on, behind one small interface: the real extension (real time; the driver
 * polls) and the local host (virtual time; the driver fires the next timer whenever the host is idle and the
 * awaited state has not come, which is what real time would do, only faster).
 */
import type * as df from "durable-functions";
import { VirtualClock } from "../../local/host/clocks";
import { MemoryInstanceStore } from "../../local/host/instanceStore";
import { createTestHost, type TestHost } from "../../local/host/testHost";
import { clientForRpc } from "./clients";
import { startHarness, type Harness } from "./realHost";

export type Status = df.DurableOrchestrationStatus;

export interface Side {
  readonly name: "extension" | "local host";
  client(): df.DurableClient;
  /** Resolves with the first status that satisfies `done`; rejects after `timeoutMs` of real time or, on the local host, when nothing is left to happen. */
  until(instanceId: string, done: (s: Status) => boolean, what: string, timeoutMs?: number): Promise<Status>;
  /** The host process dies and starts again on the same storage. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const TERMINAL = ["Completed", "Failed", "Terminated"];

export class ExtensionSide implements Side {
  readonly name = "extension" as const;
  private constructor(
    private harness: Harness,
    private readonly start: () => Promise<Harness>,
    private readonly taskHub: string,
  ) {}

  static async create(options: Parameters<typeof startHarness>[0]): Promise<ExtensionSide> {
    const start = () => startHarness(options);
    return new ExtensionSide(await start(), start, options.taskHub);
  }

  client(): df.DurableClient {
    return clientForRpc(this.harness.rpcBaseUrl, this.taskHub);
  }

  async until(instanceId: string, done: (s: Status) => boolean, what: string, timeoutMs = 60_000): Promise<Status> {
    const deadline = Date.now() + timeoutMs;
    let last: Status | undefined;
    while (Date.now() < deadline) {
      last = await this.client().getStatus(instanceId);
      if (done(last)) return last;
      await sleep(200);
    }
    throw new Error(
      `${what}: not reached within ${timeoutMs} ms (last status ${last?.runtimeStatus}, custom status ${JSON.stringify(last?.customStatus)})`,
    );
  }

  async restart(): Promise<void> {
    await this.harness.kill();
    this.harness = await this.start();
  }

  stop(): Promise<void> {
    return this.harness.stop();
  }
}

export class LocalSide implements Side {
  readonly name = "local host" as const;
  private readonly clock = new VirtualClock();
  private readonly store = new MemoryInstanceStore();
  private constructor(private host: TestHost) {}

  static async create(): Promise<LocalSide> {
    const side = new LocalSide(undefined as unknown as TestHost);
    side.host = await side.newHost();
    return side;
  }

  private newHost(): Promise<TestHost> {
    return createTestHost({ clock: this.clock, store: this.store });
  }

  client(): df.DurableClient {
    return this.host.client;
  }

  async until(instanceId: string, done: (s: Status) => boolean, what: string, timeoutMs = 60_000): Promise<Status> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const idle = await Promise.race([this.host.idle().then(() => true), sleep(100).then(() => false)]);
      const status = await this.client().getStatus(instanceId);
      if (done(status)) return status;
      if (!idle) continue; // an activity is still running (a held one, say): let it
      const next = this.host.engine.nextTimer();
      if (!next)
        throw new Error(
          `${what}: never reached (status ${status.runtimeStatus}, custom status ${JSON.stringify(status.customStatus)}, no timer left)`,
        );
      await this.host.advanceTo(next.fireAt);
    }
    throw new Error(`${what}: not reached within ${timeoutMs} ms`);
  }

  async restart(): Promise<void> {
    this.host.engine.crash();
    await this.host.server.close();
    this.host = await this.newHost();
  }

  stop(): Promise<void> {
    return this.host.stop();
  }
}
