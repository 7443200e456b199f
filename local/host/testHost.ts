/**
 * Test helper: a local host with the app's real registrations, a virtual clock and the real
 * DurableClient talking to it over HTTP.
 *
 *   const h = await createTestHost({ activities: { sendReminders: jest.fn() } });
 *   const id = await h.client.startNew("migration", { input });
 *   // The app's one event (Events.wake): "the store changed, look again"; decisions are read from the store.
 *   await h.advanceBy(5 * DAY); await h.client.raiseEvent(id, Events.wake, {});
 *   await h.runToCompletion(id); h.history(id)
 */
import * as df from "durable-functions";
import { InvocationContext } from "@azure/functions";
import { VirtualClock } from "./clocks";
import { LocalDurableEngine, type ActivityHandler, type LogSink } from "./engine";
import { EventTypeName, hostJsonDefaultVersion, type HistoryEvent } from "./history";
import type { InstanceRecord, InstanceStore } from "./instanceStore";
import { HostServer } from "./server";
import { LOCAL_STAFF } from "../fixtures/staff";
import { VirtualTimeDriver } from "./timeDrivers";

export interface TestHostOptions {
  activities?: Record<string, ActivityHandler>;
  clock?: VirtualClock;
  store?: InstanceStore;
  runActivitiesTwice?: boolean;
  activityConcurrency?: number;
  defaultVersion?: string;
  /** Tests that demonstrate a re-yield only (see EngineOptions.lenientReyield): warn instead of failing. */
  lenientReyield?: boolean;
  /**
   * When timers fire (EngineOptions.timerEarlyMs): by default as on Azure Storage, up to a second early (the
   * delay truncated to whole seconds); 0 for exactly on time, a number for that much early.
   */
  timerEarlyMs?: number | "wholeSeconds";
  onContinueAsNew?: (record: InstanceRecord) => void;
  /** Listen on this port (a "redeployed" host keeps the URL the e-mailed links point at). */
  port?: number;
  log?: LogSink;
}

export interface TestHost {
  engine: LocalDurableEngine;
  server: HostServer;
  clock: VirtualClock;
  client: df.DurableClient;
  baseUrl: string;
  functionKey: string;
  advanceBy(ms: number): Promise<void>;
  advanceTo(time: Date | string): Promise<void>;
  runToCompletion(instanceId: string, options?: { limitMs?: number }): Promise<InstanceRecord>;
  idle(): Promise<void>;
  instance(instanceId: string): InstanceRecord;
  /** The current execution's history with event type names, for assertions. */
  history(instanceId: string): (HistoryEvent & { type: string })[];
  customStatus<T = unknown>(instanceId: string): T;
  /** Calls one of the app's HTTP triggers with the function key. */
  fetchApi(path: string, init?: RequestInit): Promise<Response>;
  /**
   * Signs someone in through the local sign-in page, as a browser does, and returns their browser: `fetch` that
   * keeps the cookies the host sets (the session, the pages' CSRF cookie) and sends them back.
   */
  signIn(userPrincipalName: string): Promise<SignedInFetch>;
  /** Runs a timer function now, through the host's admin API as in Azure, and waits until it and its work finish. */
  runFunction(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function createTestHost(options: TestHostOptions = {}): Promise<TestHost> {
  const clock = options.clock ?? new VirtualClock();
  const engine = new LocalDurableEngine({
    clock,
    store: options.store,
    activityOverrides: options.activities,
    runActivitiesTwice: options.runActivitiesTwice,
    activityConcurrency: options.activityConcurrency,
    defaultVersion: options.defaultVersion ?? hostJsonDefaultVersion(),
    lenientReyield: options.lenientReyield,
    timerEarlyMs: options.timerEarlyMs,
    onContinueAsNew: options.onContinueAsNew,
    log: options.log,
  });
  await engine.resume();
  const server = new HostServer({ engine, log: options.log, port: options.port, signIn: { people: LOCAL_STAFF } });
  const baseUrl = await server.listen();
  const driver = new VirtualTimeDriver(engine, clock);
  const instance = (id: string) => {
    const record = engine.getInstance(id);
    if (!record) throw new Error(`No instance with ID '${id}' found.`);
    return record;
  };
  return {
    engine,
    server,
    clock,
    client: durableClientFor(server),
    baseUrl,
    functionKey: server.functionKey,
    advanceBy: (ms) => driver.advanceBy(ms),
    advanceTo: (time) => driver.advanceTo(new Date(time)),
    runToCompletion: (id, o) => driver.runToCompletion(id, o),
    idle: () => engine.idle(),
    instance,
    history: (id) => instance(id).history.map((e) => ({ ...e, type: EventTypeName[e.EventType] })),
    customStatus: <T>(id: string) => instance(id).customStatus as T,
    fetchApi: (path, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set("x-functions-key", server.functionKey);
      return fetch(`${baseUrl}/api/${path.replace(/^\//, "")}`, { ...init, headers });
    },
    signIn: async (upn) => cookieJarFetch(await signInAs(baseUrl, server, upn)),
    runFunction: async (name) => {
      const res = await fetch(`${baseUrl}/admin/functions/${encodeURIComponent(name)}`, {
        method: "POST",
        headers: { "x-functions-key": server.masterKey, "content-type": "application/json" },
        body: JSON.stringify({ input: "" }),
      });
      if (res.status !== 202) throw new Error(`running ${name} answered ${res.status}: ${await res.text()}`);
      await server.invocationsSettled();
      await engine.idle();
    },
    stop: async () => {
      await engine.stop();
      await server.close();
    },
  };
}

/** The real DurableClient, built exactly as getClient builds it inside a client function. */
export function durableClientFor(server: HostServer): df.DurableClient {
  const input = df.input.durableClient();
  const context = new InvocationContext({
    functionName: "test",
    options: { trigger: { type: "httpTrigger", name: "req" }, extraInputs: [input] },
  });
  context.extraInputs.set(input, server.clientData());
  return df.getClient(context);
}

/** Posts the local sign-in form for this person; the session cookie ("name=value") it sets. */
export async function signInAs(baseUrl: string, server: HostServer, userPrincipalName: string): Promise<string> {
  const person = server.appServiceAuth.byUpn(userPrincipalName);
  if (!person) throw new Error(`${userPrincipalName} cannot sign in locally (not among the host's people)`);
  const res = await fetch(`${baseUrl}/.auth/login/aad`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ person: person.id, post_login_redirect_uri: "/api/home" }).toString(),
    redirect: "manual",
  });
  const cookie = /^[^;]+/.exec(res.headers.get("set-cookie") ?? "")?.[0];
  if (res.status !== 302 || !cookie) throw new Error(`signing in ${userPrincipalName} answered ${res.status}`);
  return cookie;
}

/** A browser's fetch for one signed-in person: their cookies kept and sent on every request. */
export type SignedInFetch = (url: string, init?: RequestInit) => Promise<Response>;

function cookieJarFetch(sessionCookie: string): SignedInFetch {
  const jar = new Map<string, string>();
  const keep = (cookie: string) => {
    const [pair] = cookie.split(";");
    const at = pair.indexOf("=");
    jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
  };
  keep(sessionCookie);
  return async (url, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(url, { ...init, headers });
    res.headers.getSetCookie().forEach(keep);
    return res;
  };
}
