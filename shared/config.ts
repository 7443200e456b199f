/**
 * App settings, validated once at cold start. Every setting the code reads is declared here (and
 * documented in local.settings.example.json, set in infra/); a bad value fails fast with the setting's
 * name and the reason, instead of surfacing mid-migration.
 */
import { z } from "zod";
import { graphCloudNames } from "./graph/cloud";

const bool = z.enum(["true", "false"]).transform((v) => v === "true");
const url = z.url({ protocol: /^https?$/ });

const isoDuration = z
  .string()
  .regex(/^P(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?$/, "must be an ISO 8601 duration such as P1D, PT15M or PT30S");
const isoDurations = z
  .string()
  .regex(
    /^P(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?(,P(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?)*$/,
    "must be ISO 8601 durations separated by commas, such as PT1M,PT5M",
  );

const settingsShape = z.object({
  /** Table Storage for migration state: a connection string (Azurite, local) ... */
  MIGRATION_STORAGE_CONNECTION: z.string().min(1).optional(),
  /** ... or, in Azure, the table endpoint reached with the managed identity. */
  MIGRATION_STORAGE_TABLE_ENDPOINT: url.optional(),
  /** Prefix for the app's tables, so several deployments can share a storage account. */
  MIGRATION_TABLE_PREFIX: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{0,30}$/)
    .default("Peig"),
  /** Client id of the user-assigned managed identity (Azure). */
  AZURE_CLIENT_ID: z.string().optional(),
  /** Which Microsoft cloud: decides the Graph host and the non-gallery application template id. */
  GRAPH_CLOUD: z.enum(graphCloudNames).default("global"),
  /** Overrides the Graph endpoint (sovereign cloud or the local simulator). */
  GRAPH_BASE_URL: url.optional(),
  /** Mailbox the invitations, reminders and approval requests are sent from (one mailbox; see MAIL_SENDERS). */
  MAIL_SENDER: z.email().optional(),
  /**
   * Several sender mailboxes, comma-separated: each sends at most 10,000 recipients per rolling 24 hours, so a
   * large tenant needs several. The first also sends the admins' and approvers' mail. MAIL_SENDER, if set, is added.
   */
  MAIL_SENDERS: z
    .string()
    .transform((v) =>
      v
        .split(",")
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.email({ error: "each sender must be an e-mail address" })))
    .optional(),
  /**
   * Recipients per message (To + Cc + Bcc) the tenant allows: Exchange Online's default is 500, and an admin may set
   * it from 1 to 1,000 (Set-Mailbox -RecipientLimits; docs/graph-facts.md#mail-and-exchange-limits). Bulk mail goes out
   * in messages of at most this many; a message still refused for too many recipients is split and sent again.
   */
  MAIL_RECIPIENTS_PER_MESSAGE: z.coerce.number().int().min(1).max(1000).default(500),
  /** "api" drives a Peig workspace admin API; "operator" turns Peig steps into tasks for the Peig admin. */
  PEIG_MODE: z.enum(["api", "operator"]).optional(),
  PEIG_API_BASE_URL: url.optional(),
  /** Key Vault reference in Azure; never logged. */
  PEIG_API_KEY: z.string().min(1).optional(),
  /** Public base URL of this app, used in e-mailed task links. */
  PUBLIC_BASE_URL: url,
  /** How long an e-mailed task link stays valid (ISO 8601 duration). */
  TASK_LINK_TTL: z
    .string()
    .regex(/^P(\d+D)?(T(\d+H)?(\d+M)?)?$/)
    .default("P7D"),
  /**
   * Set by the platform, not by us: App Service sets WEBSITE_AUTH_ENABLED=True when App Service Authentication is
   * on (Microsoft.Identity.Web reads it the same way: AppServicesAuthenticationInformation.cs in
   * https://github.com/AzureAD/microsoft-identity-web). Only then is x-ms-client-principal the platform's word
   * (it strips any such header a client sends): functions/access.ts trusts it only then; without it, anyone could
   * write any name and role into a request.
   */
  WEBSITE_AUTH_ENABLED: z
    .string()
    .regex(/^(true|false)$/i)
    .transform((v) => v.toLowerCase() === "true")
    .default(false),
  /** How often the undecided of an open approval or operator task get a fresh link (ISO 8601 duration). */
  GATE_REMINDER_INTERVAL: isoDuration.default("P1D"),
  /** The admins' progress digest goes at most once per this interval (ISO 8601 duration), and only when the counts moved. */
  ADMIN_DIGEST_INTERVAL: isoDuration.default("P1D"),
  /** Waits before the quick re-tries of a failed step (comma-separated ISO 8601 durations); then it needs attention. */
  STEP_RETRY_DELAYS: isoDurations.default("PT1M,PT5M"),
  /** Waits between re-tries while a migration needs attention (the last one repeats). */
  ATTENTION_RETRY_DELAYS: isoDurations.default("PT15M,PT1H,PT3H,PT6H"),
  /** How long after a step first failed the migration keeps re-trying by itself; then only resume or cancel. */
  ATTENTION_RETRY_FOR: isoDuration.default("P3D"),
  /**
   * How long a finished migration's Durable history (its orchestration and Phase 2 batches) is kept before the daily
   * purge removes it (ISO 8601 duration); the app's own rows (audit, report, users) stay (app/purgeHistories.ts).
   */
  HISTORY_RETENTION: isoDuration.default("P30D"),
  /**
   * Operator mode: how late Entra's sign-in log entries may arrive (minutes, up to hours at times:
   * https://learn.microsoft.com/en-us/entra/identity/monitoring-health/reference-reports-latencies). Phase 2 is planned
   * only this long after the deadline, so nobody who signed in just before it is taken for not onboarded.
   */
  SIGN_IN_LOG_LATENCY: isoDuration.default("PT1H"),
  /** Require App Service Authentication's signed-in identity to match the assigned approver. */
  REQUIRE_SIGNED_IN_APPROVER: bool.default(false),
  /** Name of the temporary Entra enterprise app. */
  MIGRATION_APP_NAME: z.string().min(1).max(120).default("PeigMigrationManager"),
  /** The SAML signing certificate must stay valid this many days past the deadline. */
  CERTIFICATE_MARGIN_DAYS: z.coerce.number().int().min(0).max(365).default(30),
});

export const settingsSchema = settingsShape;

/** Rules across settings, checked even when single settings are wrong, so one run names every problem. */
function crossSettingProblems(env: Record<string, string | undefined>): { setting: string; message: string }[] {
  const problems: { setting: string; message: string }[] = [];
  if (!env.MIGRATION_STORAGE_CONNECTION && !env.MIGRATION_STORAGE_TABLE_ENDPOINT) {
    problems.push({
      setting: "MIGRATION_STORAGE_CONNECTION",
      message: "set MIGRATION_STORAGE_CONNECTION (local) or MIGRATION_STORAGE_TABLE_ENDPOINT (Azure, managed identity)",
    });
  }
  if (!env.MAIL_SENDER && !env.MAIL_SENDERS?.trim()) {
    problems.push({
      setting: "MAIL_SENDERS",
      message: "set MAIL_SENDERS (the sender mailboxes, comma-separated) or MAIL_SENDER (one mailbox)",
    });
  }
  if (env.PEIG_MODE === "api" && !env.PEIG_API_BASE_URL) {
    problems.push({ setting: "PEIG_API_BASE_URL", message: "PEIG_MODE=api needs the Peig admin API base URL" });
  }
  if (env.PEIG_API_BASE_URL && !env.PEIG_API_KEY) {
    problems.push({
      setting: "PEIG_API_KEY",
      message: "the Peig admin API needs a key (a Key Vault reference in Azure)",
    });
  }
  return problems;
}

/** Api mode has the Peig admin API's address and key (loadSettings refuses it without them). */
type PeigSettings =
  | { PEIG_MODE: "api"; PEIG_API_BASE_URL: string; PEIG_API_KEY: string }
  | { PEIG_MODE: "operator"; PEIG_API_BASE_URL?: string; PEIG_API_KEY?: string };

/** Table Storage by connection string (local) or by endpoint with the managed identity (Azure): one is required. */
type StorageSettings =
  | { MIGRATION_STORAGE_CONNECTION: string; MIGRATION_STORAGE_TABLE_ENDPOINT?: string }
  | { MIGRATION_STORAGE_CONNECTION?: undefined; MIGRATION_STORAGE_TABLE_ENDPOINT: string };

/** The validated settings; what the rules across settings guarantee is in the type. */
export type Settings = Omit<
  z.output<typeof settingsSchema>,
  keyof PeigSettings | keyof StorageSettings | "MAIL_SENDERS"
> & { MAIL_SENDERS: string[] } & PeigSettings &
  StorageSettings;

export class ConfigError extends Error {
  constructor(readonly problems: { setting: string; message: string }[]) {
    super(`Invalid app settings:\n${problems.map((p) => `  ${p.setting}: ${p.message}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** The names of every setting the app reads (infra tests check each is set in the Bicep, except PLATFORM_SETTING_NAMES). */
export const SETTING_NAMES = Object.keys(settingsShape.shape) as (keyof typeof settingsShape.shape)[];

/** Settings the platform sets itself (from the resources the Bicep declares), never app settings we write. */
export const PLATFORM_SETTING_NAMES: readonly string[] = ["WEBSITE_AUTH_ENABLED"];

export function loadSettings(env: Record<string, string | undefined> = process.env): Settings {
  const input = Object.fromEntries(SETTING_NAMES.map((name) => [name, env[name] === "" ? undefined : env[name]]));
  const parsed = settingsSchema.safeParse(input);
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((i) => ({ setting: String(i.path[0] ?? "?"), message: i.message }))),
    ...crossSettingProblems(input),
  ];
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  // Operator mode is the default: Peig documents no admin API (docs/peig-ui.md).
  const senders = [...(parsed.data.MAIL_SENDERS ?? []), ...(parsed.data.MAIL_SENDER ? [parsed.data.MAIL_SENDER] : [])];
  // The cross-setting rules above hold (crossSettingProblems): storage is set, and api mode has the API's URL and key.
  return {
    ...parsed.data,
    PEIG_MODE: parsed.data.PEIG_MODE ?? (parsed.data.PEIG_API_BASE_URL ? "api" : "operator"),
    MAIL_SENDERS: senders.filter((a, i) => senders.findIndex((b) => b.toLowerCase() === a.toLowerCase()) === i),
  } as Settings;
}
