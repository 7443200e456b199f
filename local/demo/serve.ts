/**
 * `--serve`: the stack without a migration, and the text that tells a person how to drive it with curl —
 * every admin route of docs/design.md#http-surface and the simulators' control routes. Pure, so it is tested as text.
 */
import { isTerminal, type LocalDurableEngine } from "../host/engine";
import type { MigrationProgress } from "../../shared/workflow";
import { serviceInWords, stepInWords } from "../../shared/domain/inWords";

export interface ServeInfo {
  baseUrl: string;
  functionKey: string;
  /** Who the local sign-in page offers first: the demo's admin (Migration.Admin). */
  admin: string;
  graphBaseUrl: string;
  peigOrigin: string;
  peigApiBaseUrl: string;
  peigApiKey: string;
  /** The Peig simulator's admin console, where the Peig admin does the operator steps. */
  peigConsoleUrl: string;
  domain: string;
  /** A deadline to put in the example start request. */
  exampleDeadline: string;
  /** The clock's acceleration, so the reader knows how fast that deadline comes. */
  acceleration: number;
  /** A Microsoft 365 user id of the tenant, for the examples that need one. */
  exampleUserId: string;
}

export function serveInstructions(info: ServeInfo): string {
  const api = `${info.baseUrl}/api`;
  const key = `-H "x-functions-key: ${info.functionKey}"`;
  const json = `-H "content-type: application/json"`;
  const graph = info.graphBaseUrl.replace(/\/$/, "");
  const start = JSON.stringify({
    workspace: "contoso",
    domain: info.domain,
    idpEntityId: `https://pap01.${info.domain}/idp/shibboleth`,
    deadline: info.exampleDeadline,
    reminders: ["P7D", "P3D", "P1D", "PT4H"],
    monitorEvery: "PT6H",
    approvers: [`cio@${info.domain}`, `ciso@${info.domain}`],
    requiredApprovals: 1,
    admins: [`it@${info.domain}`],
    phase2: "auto",
    endEarly: true,
    dryRun: false,
  });
  const clockNote =
    info.acceleration > 1
      ? `Simulated time runs ×${info.acceleration}: the example deadline below moves closer fast (start with --acceleration 1 to work in real time).`
      : "Simulated time runs at real speed.";
  return `The local stack is running (Ctrl-C stops it; state is kept for the next start).
${clockNote}

  Home page:        ${api}/home  (sign in as ${info.admin}, offered first on the local sign-in page)
  Peig console:     ${info.peigConsoleUrl}  (the local simulator of Peig: do the Peig admin's operator steps here)
  App (admin API):  ${api}
  Function key:     ${info.functionKey}  (for scripts on the admin API; pages never take it)
  Graph simulator:  ${graph}/v1.0
  Peig simulator:   ${info.peigApiBaseUrl}  (Authorization: Bearer ${info.peigApiKey})

Admin API (docs/design.md#http-surface); ID is the "id" the start request returns. A script uses the function key
(audited as "function key"), or a person's access token (audited with their name) instead of ${key}:
  curl -X POST ${info.baseUrl}/.auth/local/token ${json} -d '{"userPrincipalName":"${info.admin}"}'
  then -H "Authorization: Bearer <access_token>"
  # start a migration (dryRun: true only plans it)
  curl -i -X POST ${api}/migrations ${key} ${json} -d '${start}'
  # status (JSON), the status page, the report (HTML, or ?format=json once completed)
  curl ${api}/migrations/ID ${key}
  # in a browser, signed in: ${api}/migrations/ID/page
  curl "${api}/migrations/ID/report?format=json" ${key}
  # extend the deadline (while onboarding), cancel (before deletion), ask the approvers again
  curl -i -X POST ${api}/migrations/ID/deadline ${key} ${json} -d '{"deadline":"<later ISO 8601 time>"}'
  curl -i -X POST ${api}/migrations/ID/cancel ${key} ${json} -d '{"reason":"testing"}'
  curl -i -X POST ${api}/migrations/ID/approval ${key}
  # task links from the e-mails: GET shows the page, the decision is a POST from that page (CSRF token + cookie)
  curl -i ${api}/tasks/TOKEN

Graph simulator control routes:
  curl ${graph}/_sim/state
  curl ${graph}/_sim/outbox
  curl -X POST ${graph}/_sim/faults ${json} -d '{"throttleRate":0.1,"serverErrorRate":0.05,"seed":1}'
  curl -X POST ${graph}/_sim/signIns ${json} -d '{"userId":"${info.exampleUserId}","appId":"<migration app appId>"}'

Peig simulator control routes:
  curl ${info.peigOrigin}/_sim/state
  curl -X PUT ${info.peigOrigin}/_sim/faults ${json} -d '{"throttleRate":0.1,"serverErrorRate":0.05,"seed":1}'
  curl -X POST ${info.peigOrigin}/_sim/users/${info.exampleUserId}/onboard
  # the Peig admin API itself (what the Peig admin does in the UI in operator mode)
  curl ${info.peigApiBaseUrl}/providers/microsoft365/migration-configuration -H "Authorization: Bearer ${info.peigApiKey}"
`;
}

/** What `--serve` says about one migration: a line while it needs attention, one per person it waits on. */
export function attentionLines(id: string, progress: Partial<MigrationProgress>, statusPage: string): string[] {
  const lines: string[] = [];
  const attention = progress.needsAttention;
  if (attention)
    lines.push(
      `Migration ${id} needs attention (${serviceInWords(attention.service)}${attention.status ? ` answered ${attention.status}` : ""} while ${stepInWords(attention.step)}): ${attention.fix} Status page: ${statusPage}`,
    );
  for (const wait of progress.waitingOn ?? [])
    lines.push(
      `Migration ${id} waits for ${wait.what} (task e-mailed to ${wait.who.join(", ")}). Status page: ${statusPage}`,
    );
  return lines;
}

/**
 * `--serve` watches every migration the host runs (started from the home page or with curl) and prints a line
 * whenever one comes to need attention or to wait on a person. Checked each time the host settles; returns
 * the function that stops watching.
 */
export function watchMigrations(
  engine: LocalDurableEngine,
  statusPage: (id: string) => string,
  say: (line: string) => void,
): () => void {
  const shown = new Map<string, string>();
  const check = () => {
    for (const record of engine.listInstances()) {
      const progress = record.customStatus as Partial<MigrationProgress> | null;
      if (!progress?.phase) continue; // not a migration orchestration
      const lines = isTerminal(record.status)
        ? []
        : attentionLines(record.instanceId, progress, statusPage(record.instanceId));
      const text = lines.join("\n");
      if (text && text !== shown.get(record.instanceId)) say(text);
      shown.set(record.instanceId, text);
    }
  };
  check();
  return engine.onIdle(check);
}
