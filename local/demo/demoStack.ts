/**
 * Everything the demo runs, started in the order that lets a restart resume: Azurite on the state
 * folder, the durable host (instances in Azurite) on an accelerated real clock, the Graph and Peig
 * simulators restored from their snapshots, and only then the engine, which picks up where it stopped.
 * The stand-in for the Functions host must be in place (installCoreShim): the local stack registers the app.
 */
import { LOCAL_ADMIN, LOCAL_STAFF } from "../fixtures/staff";
import { randomBytes } from "node:crypto";
import { startAzurite, type AzuriteHandle } from "../azurite";
import { AcceleratedClock } from "../host/clocks";
import { LocalDurableEngine, type LogSink } from "../host/engine";
import { hostJsonDefaultVersion } from "../host/history";
import { TableInstanceStore } from "../host/instanceStore";
import { HostServer } from "../host/server";
import { RealTimeScheduler } from "../host/timeDrivers";
import { startLocalStack, type LocalStack } from "../stack";
import type { DemoSetup, DemoState, DemoStateFolder } from "./persistence";
import { DAY } from "../../shared/domain/duration";
import { generateTenant } from "../fixtures/tenant";
import { demoMailSenders, type DemoMailSenders } from "./mailSenders";

/** How often the simulated time and the simulators' state are saved while running (a kill loses at most this). */
const CHECKPOINT_EVERY_MS = 2_000;

export interface DemoStackOptions {
  folder: DemoStateFolder;
  setup: DemoSetup;
  acceleration: number;
  previous?: DemoState;
  log?: LogSink;
}

export interface DemoStack {
  clock: AcceleratedClock;
  engine: LocalDurableEngine;
  stack: LocalStack;
  baseUrl: string;
  functionKey: string;
  state: DemoState;
  /** The sender mailboxes the demo's mail plan needs, and for how many recipients. */
  mail: DemoMailSenders;
  /** Calls one of the app's HTTP functions as the demo's admin, signed in (an access token): the audit names them. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Saves the simulated time, the demo state and the simulators' snapshots now. */
  checkpoint(patch?: Partial<DemoState>): void;
  stop(): Promise<void>;
}

export async function startDemoStack(options: DemoStackOptions): Promise<DemoStack> {
  const azurite = await startAzurite({ location: options.folder.azuriteDir });
  try {
    return await startOnAzurite(options, azurite);
  } catch (err) {
    await azurite.stop(); // not left running behind a demo that failed to start
    throw err;
  }
}

async function startOnAzurite(options: DemoStackOptions, azurite: AzuriteHandle): Promise<DemoStack> {
  const { folder, setup, previous } = options;
  const clock = new AcceleratedClock(options.acceleration);
  // The version host.json deploys, as the Functions host stamps it: without it every demo instance ran as 1.0.
  const engine = new LocalDurableEngine({
    clock,
    store: TableInstanceStore.fromConnectionString(azurite.connectionString),
    log: options.log,
    defaultVersion: hostJsonDefaultVersion(),
  });
  const functionKey = previous?.functionKey ?? randomBytes(24).toString("base64url");
  const server = await listen(engine, functionKey, previous?.hostPort, options.log);
  // The same tenant the stack generates from the setup (same seed, same users), to plan its mail before starting.
  const mail = demoMailSenders(generateTenant({ users: setup.users, seed: setup.seed }), setup.deadlineDays);
  const stack = await startLocalStack({
    clock,
    storageConnection: azurite.connectionString,
    tablePrefix: "Demo",
    tenant: { users: setup.users, seed: setup.seed },
    peigMode: setup.operator ? "operator" : "api",
    faults:
      setup.faultRate > 0
        ? { throttleRate: setup.faultRate / 2, serverErrorRate: setup.faultRate / 2, seed: setup.seed }
        : undefined,
    publicBaseUrl: server.baseUrl,
    mailSenders: mail.senders,
    // Users onboard over the same simulated span the admin gives them.
    onboardingWindowMs: setup.deadlineDays * DAY,
  });
  const snapshots = folder.readSnapshots();
  if (snapshots.graph) stack.graph.restore(snapshots.graph);
  if (snapshots.peig) stack.peig.restore(snapshots.peig);

  // Only now: on an accelerated clock every second of start-up would be hours of simulated time.
  if (previous?.virtualNow) clock.resumeAt(new Date(previous.virtualNow));
  await engine.resume();
  const scheduler = new RealTimeScheduler(engine, clock);

  let state: DemoState = {
    ...previous,
    version: 2,
    setup,
    functionKey,
    hostPort: Number(new URL(server.baseUrl).port),
  };
  const save = (patch: Partial<DemoState>, virtualNow: Date) => {
    state = { ...state, ...patch, virtualNow: virtualNow.toISOString() };
    folder.writeState(state);
    folder.writeSnapshots({ graph: stack.graph.snapshot(), peig: stack.peig.snapshot() });
  };
  const checkpoint = (patch: Partial<DemoState> = {}) => save(patch, clock.now());
  checkpoint();
  const timers = [setInterval(() => checkpoint(), CHECKPOINT_EVERY_MS)];

  // The demo signs its admin in: an access token from the local stand-in for Entra, renewed well before it expires.
  const admin = server.appServiceAuth.byUpn(LOCAL_ADMIN)!;
  let token = { value: server.appServiceAuth.tokenFor(admin), at: Date.now() };
  const adminToken = () => {
    if (Date.now() - token.at > TOKEN_RENEWAL_MS)
      token = { value: server.appServiceAuth.tokenFor(admin), at: Date.now() };
    return token.value;
  };

  let stopping: Promise<void> | undefined;
  return {
    clock,
    engine,
    stack,
    baseUrl: server.baseUrl,
    functionKey,
    mail,
    get state() {
      return state;
    },
    api: (path, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set("authorization", `Bearer ${adminToken()}`);
      return fetch(`${server.baseUrl}/api/${path.replace(/^\//, "")}`, { ...init, headers });
    },
    checkpoint,
    stop: () => (stopping ??= stopAll()),
  };

  async function stopAll(): Promise<void> {
    // The time reached is when the stop was asked for: the clock keeps running while things wind down.
    const stoppedAt = clock.now();
    timers.forEach(clearInterval);
    scheduler.stop();
    // Let running activities finish and their results be saved; what is still running after that
    // runs again on the next start (activities are idempotent).
    await Promise.race([engine.stop().catch(() => undefined), delay(15_000)]);
    save({}, stoppedAt);
    await server.close();
    await stack.stop();
    await azurite.stop();
  }
}

async function listen(
  engine: LocalDurableEngine,
  functionKey: string,
  port: number | undefined,
  log: LogSink | undefined,
): Promise<HostServer> {
  // The same port as last time keeps links printed before a restart working; any port will do otherwise.
  if (port) {
    const server = new HostServer({ engine, functionKey, port, log, signIn });
    try {
      await server.listen();
      return server;
    } catch {
      // taken by something else meanwhile
    }
  }
  const server = new HostServer({ engine, functionKey, log, signIn });
  await server.listen();
  return server;
}

/** The simulated tenant's staff sign in; the demo's admin is offered first. */
const signIn = { people: LOCAL_STAFF, preselect: LOCAL_ADMIN };
/** Renew the demo admin's access token after half of its hour. */
const TOKEN_RENEWAL_MS = 30 * 60_000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
