/**
 * Scenario harness: the app's real registrations on the local host with a virtual clock, the real
 * adapters against the Graph and Peig simulators, and helpers that act like the people involved
 * (an admin over the HTTP API, approvers and the Peig admin through the e-mailed links).
 */
import "../../functions";
import { VirtualClock } from "../../local/host/clocks";
import { createTestHost, type TestHost } from "../../local/host/testHost";
import { startLocalStack, type LocalStack, type LocalStackOptions } from "../../local/stack";
import type { TenantOptions } from "../../local/fixtures/tenant";

export const START = "2026-12-01T09:00:00.000Z";
export const DAY = 86_400_000;
export const HOUR = 3_600_000;

export function startBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    workspace: "contoso",
    domain: "contoso.com",
    idpEntityId: "https://pap01.contoso.com/idp/shibboleth",
    deadline: "2026-12-15T09:00:00Z",
    reminders: ["P7D", "P3D", "P1D", "PT4H"],
    monitorEvery: "PT12H",
    approvers: ["cio@contoso.com", "ciso@contoso.com", "cfo@contoso.com"],
    requiredApprovals: 1,
    admins: ["it@contoso.com"],
    phase2: "auto",
    endEarly: false,
    dryRun: false,
    ...overrides,
  };
}

export interface Scenario {
  host: TestHost;
  stack: LocalStack;
  clock: VirtualClock;
  start(body?: Record<string, unknown>): Promise<string>;
  api(path: string, init?: RequestInit): Promise<Response>;
  status(id: string): Promise<Record<string, unknown>>;
  /** Skips from durable timer to durable timer until `done` holds (or the time limit passes). */
  runUntil(done: () => boolean | Promise<boolean>, limitMs?: number): Promise<void>;
  phase(id: string): Promise<string>;
  /** Task links e-mailed to `to` (newest last), from the Graph simulator's outbox. */
  taskLinks(to: string): string[];
  /** Opens a link like a person: GET the page, then POST the decision with the page's CSRF token and cookie. */
  decide(link: string, decision: string, options?: { reason?: string; headers?: Record<string, string> }): Promise<Response>;
  stop(): Promise<void>;
}

export async function startScenario(options: { tenant?: TenantOptions; peigMode?: "api" | "operator"; runActivitiesTwice?: boolean; stack?: Partial<LocalStackOptions> } = {}): Promise<Scenario> {
  const clock = new VirtualClock(START);
  // HOST_LOG=1 prints activity failures and warnings from the local host.
  const log = process.env.HOST_LOG ? (level: string, source: string, message: string) => console.log(`[${level}] ${source}: ${message}`) : undefined;
  const host = await createTestHost({ clock, runActivitiesTwice: options.runActivitiesTwice, log });
  const stack = await startLocalStack({ clock, publicBaseUrl: host.baseUrl, tenant: { users: 60, seed: 11, ...options.tenant }, peigMode: options.peigMode, ...options.stack });
  const api = (path: string, init?: RequestInit) => host.fetchApi(path, init);
  const scenario: Scenario = {
    host,
    stack,
    clock,
    api,
    start: async (body = startBody()) => {
      const res = await api("migrations", { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
      if (res.status !== 202) throw new Error(`start failed: ${res.status} ${await res.text()}`);
      const { id } = (await res.json()) as { id: string };
      await host.idle();
      return id;
    },
    status: async (id) => (await (await api(`migrations/${id}`)).json()) as Record<string, unknown>,
    phase: async (id) => (await stack.store.getMigration(id))!.phase,
    runUntil: async (done, limitMs = 60 * DAY) => {
      const limit = clock.now().getTime() + limitMs;
      await host.idle();
      while (!(await done())) {
        const next = host.engine.nextTimer();
        if (!next) throw new Error("nothing left to wait for, and the condition does not hold");
        if (next.fireAt.getTime() > limit) throw new Error(`condition not reached before ${new Date(limit).toISOString()}`);
        await host.advanceTo(next.fireAt);
      }
    },
    taskLinks: (to) =>
      stack.graph.outbox
        .filter((m) => [...m.to, ...m.bcc].map((a) => a.toLowerCase()).includes(to.toLowerCase()))
        .flatMap((m) => [...m.html.matchAll(/href="([^"]*\/api\/tasks\/[^"]+)"/g)].map((x) => x[1].replace(/&amp;/g, "&"))),
    decide: async (link, decision, opts = {}) => {
      const page = await fetch(link, { headers: opts.headers });
      if (page.status !== 200) return page;
      const html = await page.text();
      const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
      const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0];
      const form = new URLSearchParams({ csrf, decision, ...(opts.reason ? { reason: opts.reason } : {}) });
      const res = await fetch(link, { method: "POST", body: form, headers: { "content-type": "application/x-www-form-urlencoded", cookie, ...opts.headers } });
      await host.idle();
      return res;
    },
    stop: async () => {
      await host.stop();
      await stack.stop();
    },
  };
  return scenario;
}
