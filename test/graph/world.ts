/** A simulated tenant, the Graph simulator on a virtual clock, and the real SDK pointed at it. */
import { VirtualClock } from "../../local/host/clocks";
import { generateTenant, type Tenant, type TenantOptions } from "../../local/fixtures/tenant";
import { startGraphSimulator, type GraphSimulator, type GraphSimulatorOptions } from "../../local/graph-simulator";
import { createSimulatorGraphClient } from "../../shared/graph/client";
import { GraphEntra } from "../../shared/entra/graphEntra";
import { GraphMail } from "../../shared/mail/graphMail";
import { RequestCounter } from "../../shared/requestCounter";
import type { Client } from "@microsoft/microsoft-graph-client";

export const sender = "migration@contoso.com";

export interface World {
  clock: VirtualClock;
  tenant: Tenant;
  sim: GraphSimulator;
  client: Client;
  counter: RequestCounter;
  entra: GraphEntra;
  mail: GraphMail;
}

export async function startWorld(
  options: {
    users?: number;
    seed?: number;
    /** The tenant's other shape (guests, disabled accounts, shared mailboxes, …). */
    tenantShape?: Omit<TenantOptions, "users" | "seed" | "domain">;
  } & Partial<Omit<GraphSimulatorOptions, "clock" | "tenant">> = {},
): Promise<World> {
  const { users = 50, seed = 7, tenantShape = {}, ...simOptions } = options;
  const clock = new VirtualClock("2026-12-01T09:00:00Z");
  const tenant = generateTenant({ ...tenantShape, users, seed, domain: "contoso.com" });
  const sim = await startGraphSimulator({ clock, tenant, mailboxes: [sender], ...simOptions });
  const client = createSimulatorGraphClient(sim.baseUrl);
  const counter = new RequestCounter();
  const retryPolicy = { maxAttempts: 10, baseDelayMs: 1_000, maxDelayMs: 60_000 };
  return {
    clock,
    tenant,
    sim,
    client,
    counter,
    entra: new GraphEntra({ client, clock, counter, retryPolicy, cloud: "global" }),
    mail: new GraphMail({ client, clock, counter, retryPolicy, senders: [sender] }),
  };
}

/** A raw request to the simulator (for behaviours the adapters never trigger on purpose). */
export async function rawRequest(
  sim: GraphSimulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const response = await fetch(new URL(path.replace(/^\//, ""), sim.baseUrl), {
    method,
    headers: body === undefined ? headers : { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}
