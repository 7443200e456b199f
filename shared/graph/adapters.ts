/** The production Entra and Mail adapters, built from app settings (GRAPH_CLOUD, GRAPH_BASE_URL, MAIL_SENDERS / MAIL_SENDER). */
import type { Client } from "@microsoft/microsoft-graph-client";
import type { Clock } from "../clock";
import type { RequestCounter } from "../requestCounter";
import type { RetryPolicy } from "../retry";
import { GraphEntra } from "../entra/graphEntra";
import { GraphMail } from "../mail/graphMail";
import { createGraphClientFromEnv } from "./client";
import type { GraphCloud } from "./cloud";

export interface GraphAdapters {
  entra: GraphEntra;
  mail: GraphMail;
}

export function createGraphAdapters(deps: { client: Client; cloud: GraphCloud; clock: Clock; counter: RequestCounter; retryPolicy?: RetryPolicy; senders: readonly string[] }): GraphAdapters {
  return { entra: new GraphEntra(deps), mail: new GraphMail(deps) };
}

export function graphAdaptersFromEnv(deps: { clock: Clock; counter: RequestCounter; retryPolicy?: RetryPolicy }, env: NodeJS.ProcessEnv = process.env): GraphAdapters {
  const { client, cloud } = createGraphClientFromEnv(env);
  return createGraphAdapters({ ...deps, client, cloud, senders: [...(env.MAIL_SENDERS ?? "").split(","), env.MAIL_SENDER ?? ""].map((a) => a.trim()).filter(Boolean) });
}
