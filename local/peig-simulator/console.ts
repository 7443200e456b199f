/**
 * The Peig simulator's admin console: plain server-rendered pages named after the screens of Peig's runbook
 * (shared/peig/consolePages.ts, docs/peig-ui.md), so that a person can practise every operator step of
 * operator mode: read the IDP Entity ID, enter and Validate and Save (and later Delete) the migration
 * configuration, handle pending requests (Approve, Deny, Merge), and Create Peig Account for Microsoft 365
 * users. Every button calls the same PeigWorkspace method as the matching admin API route (index.ts), so
 * both change the state the same way and refuse the same input. Forms are POSTs carrying a CSRF token bound
 * to the console session's cookie; nothing needs JavaScript.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { formatHuman } from "../../shared/domain/humanTime";
import { peigConsolePages, type PeigConsolePage } from "../../shared/peig/consolePages";
import type { SamlIdpInfoBody, ValidationProblem } from "../../shared/peig/contract";
import { plural } from "../../shared/domain/plural";
import { peigUserStatuses } from "../../shared/peig/port";
import { escapeHtml, page, table, type HtmlCell } from "../../shared/pages/layout";
import { PeigSimulatorError, type PeigWorkspace } from "./workspace";

/** Where the console lives on the simulator's origin. */
export const peigConsolePathPrefix = "/console";

const SESSION_COOKIE = "peig_console_session";
/** Rows per console table page: a laptop screen's worth, whatever the tenant's size. */
const ROWS_PER_PAGE = 50;
const maxFormBytes = 256 * 1024;

export interface PeigConsoleOptions {
  workspace: PeigWorkspace;
  samlIdpInfo: SamlIdpInfoBody;
  /** The workspace's name as the console shows it (the tenant's domain). */
  workspaceName: string;
}

/** What a console action answered: a line for the person, and the HTTP status (a refusal is a 4xx). */
interface Outcome {
  status: number;
  ok: boolean;
  message: string;
  /** Validate's findings, shown next to the fields. */
  problems?: ValidationProblem[];
  /** The values the person typed, kept in the Migration form (Validate, then Save, submits them again). */
  typed?: { applicationId: string; idpCertificate: string };
}

type Form = URLSearchParams;

/** Handles one request under /console; `url` is the parsed request URL. */
export type PeigConsole = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

export function createPeigConsole(options: PeigConsoleOptions): PeigConsole {
  const { workspace } = options;
  const secret = randomBytes(32);
  const csrfFor = (session: string) => createHmac("sha256", secret).update(session).digest("base64url");

  const pages: Record<
    string,
    {
      page: PeigConsolePage;
      render: (query: URLSearchParams, outcome?: Outcome) => string;
      act?: (form: Form) => Outcome;
    }
  > = {
    [peigConsolePages.samlIdpInfo.path]: {
      page: peigConsolePages.samlIdpInfo,
      render: () => samlIdpInfoHtml(options.samlIdpInfo),
    },
    [peigConsolePages.migration.path]: {
      page: peigConsolePages.migration,
      render: (_query, outcome) => migrationHtml(workspace, outcome),
      act: (form) => migrationAction(workspace, form),
    },
    [peigConsolePages.usersAndAccess.path]: {
      page: peigConsolePages.usersAndAccess,
      render: (query, outcome) => usersAndAccessHtml(workspace, query, outcome),
      act: (form) => requestAction(workspace, form),
    },
    [peigConsolePages.microsoft365Accounts.path]: {
      page: peigConsolePages.microsoft365Accounts,
      render: (query, outcome) => microsoft365AccountsHtml(workspace, query, outcome),
      act: (form) => createAccountAction(workspace, form),
    },
  };

  return async (req, res, url) => {
    workspace.advance();
    const path = url.pathname.slice(peigConsolePathPrefix.length).replace(/\/$/, "") || "/";
    let session = cookieOf(req, SESSION_COOKIE);
    const headers: Record<string, string> = {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "Content-Security-Policy":
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    };
    if (!session) {
      session = randomBytes(24).toString("base64url");
      headers["Set-Cookie"] = `${SESSION_COOKIE}=${session}; Path=${peigConsolePathPrefix}; HttpOnly; SameSite=Strict`;
    }
    const csrf = csrfFor(session);
    const shell = (status: number, current: PeigConsolePage | undefined, title: string, body: string) =>
      res.writeHead(status, headers).end(consolePage(options.workspaceName, current, title, body, csrf));

    if (path === "/") {
      if (req.method !== "GET")
        return void shell(405, undefined, "Method not allowed", `<p>Open the page with GET.</p>`);
      return void shell(200, undefined, "Peig console", homeHtml());
    }
    const screen = pages[path];
    if (!screen)
      return void shell(
        404,
        undefined,
        "No such page",
        `<h1>No such page</h1><p>The console has no page at ${escapeHtml(url.pathname)}.</p>`,
      );
    if (req.method === "GET") return void shell(200, screen.page, screen.page.name, screen.render(url.searchParams));
    if (req.method !== "POST" || !screen.act)
      return void shell(405, screen.page, screen.page.name, `<p>This page has no form to submit.</p>`);
    const form = new URLSearchParams(await readForm(req));
    if (!sameToken(form.get("csrf") ?? "", csrf)) {
      return void shell(
        403,
        screen.page,
        "Session expired",
        `<h1>Your console session expired</h1><p>Nothing was changed. <a href="${escapeHtml(url.pathname)}">Open the page again</a> and repeat the action.</p>`,
      );
    }
    const outcome = screen.act(form);
    shell(outcome.status, screen.page, screen.page.name, screen.render(url.searchParams, outcome));
  };
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name && value.length) return value.join("=");
  }
  return undefined;
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readForm(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxFormBytes) chunks.push(chunk);
    });
    req.on("end", () =>
      size > maxFormBytes
        ? reject(new PeigSimulatorError(400, "invalidRequest", "The form is larger than 256 KB."))
        : resolve(Buffer.concat(chunks).toString("utf8")),
    );
    req.on("error", reject);
  });
}

/** A workspace refusal, worded for the console (the API's text names API routes). */
function refused(error: unknown): Outcome {
  if (!(error instanceof PeigSimulatorError)) throw error;
  const message =
    error.code === "validationRequired"
      ? "Click Validate with exactly these values before you click Save."
      : error.message;
  const problems = Array.isArray(error.extra.problems) ? (error.extra.problems as ValidationProblem[]) : undefined;
  return { status: error.status, ok: false, message, problems };
}

function attempt(run: () => Outcome): Outcome {
  try {
    return run();
  } catch (error) {
    return refused(error);
  }
}

const when = (iso: string | null | undefined) => (iso ? formatHuman(new Date(iso)) : "");

// --- The shell ------------------------------------------------------------------------------------------

function consolePage(
  workspace: string,
  current: PeigConsolePage | undefined,
  title: string,
  body: string,
  csrf: string,
): string {
  const nav = Object.values(peigConsolePages)
    .map(
      (p) =>
        `<li><a href="${peigConsolePathPrefix}${p.path}"${p === current ? ' aria-current="page"' : ""}>${escapeHtml(p.name)}</a></li>`,
    )
    .join("");
  // Every form carries the session's token; placed here so that no form can forget it.
  const withToken = body.replace(
    /<form method="post"([^>]*)>/g,
    `<form method="post"$1><input type="hidden" name="csrf" value="${escapeHtml(csrf)}">`,
  );
  return page(
    `${title} · Peig console (local simulator)`,
    `<style>${CONSOLE_STYLE}</style><header class="card"><p><strong>Local Peig simulator</strong> · practice console of workspace ${escapeHtml(workspace)}. This is not Peig: it stands in for Peig's admin console so that every operator step can be practised.</p>
<nav aria-label="Peig console"><ul>${nav}<li><a href="${peigConsolePathPrefix}/">Console home</a></li></ul></nav></header>
${withToken}`,
  );
}

/** The console's own touches on the shared page style: wider tables, a one-line navigation, compact actions. */
const CONSOLE_STYLE = `main{max-width:1240px}
header nav ul{list-style:none;padding:0;margin:8px 0 0;display:flex;flex-wrap:wrap;gap:6px 18px}
td form p{margin:0 0 6px} td form button{margin:0 6px 4px 0;padding:6px 12px}
th,td{overflow-wrap:break-word}`;

function homeHtml(): string {
  return `<h1>Peig console</h1><p>The screens of Peig's admin console that the Microsoft 365 user migration uses. Each task page of the migration names the screen to open.</p>
<ul>${Object.values(peigConsolePages)
    .map((p) => `<li><a href="${peigConsolePathPrefix}${p.path}">${escapeHtml(p.name)}</a></li>`)
    .join("")}</ul>`;
}

function outcomeHtml(outcome: Outcome | undefined): string {
  if (!outcome) return "";
  const problems = outcome.problems?.length
    ? `<ul>${outcome.problems.map((p) => `<li>${escapeHtml(fieldLabel(p.field))}: ${escapeHtml(p.message)}</li>`).join("")}</ul>`
    : "";
  return outcome.ok
    ? `<div class="card" role="status"><p class="ok"><strong>${escapeHtml(outcome.message)}</strong></p></div>`
    : `<div class="card attention" role="alert"><p class="bad"><strong>${escapeHtml(outcome.message)}</strong></p>${problems}</div>`;
}

const FIELD_LABELS: Record<ValidationProblem["field"], string> = {
  applicationId: "Application ID",
  idpCertificate: "IDP Certificate",
};
const fieldLabel = (field: ValidationProblem["field"]) => FIELD_LABELS[field];

function heading(p: PeigConsolePage): string {
  const parts = p.name.split(" → ");
  const trail = parts.length > 1 ? `<p class="muted">${escapeHtml(parts.slice(0, -1).join(" → "))}</p>` : "";
  return `${trail}<h1>${escapeHtml(parts[parts.length - 1])}</h1>`;
}

// --- Configuration → SAML IDP Info ----------------------------------------------------------------------

function samlIdpInfoHtml(info: SamlIdpInfoBody): string {
  return `${heading(peigConsolePages.samlIdpInfo)}
<div class="card">${table(
    ["Field", "Value"],
    [
      ["IDP Entity ID", info.idpEntityId],
      ["Sign-In URL", info.signInUrl],
      ["Sign-Out URL", info.signOutUrl],
    ],
  )}<h2>IDP Certificate</h2><pre>${escapeHtml(info.idpCertificate)}</pre></div>`;
}

// --- Configuration → Microsoft 365 Active Provider → Migration ------------------------------------------

function migrationAction(workspace: PeigWorkspace, form: Form): Outcome {
  const action = form.get("action");
  const typed = { applicationId: form.get("applicationId") ?? "", idpCertificate: form.get("idpCertificate") ?? "" };
  const missing = (): Outcome | undefined => {
    const empty = (["applicationId", "idpCertificate"] as const).filter((f) => typed[f].trim() === "");
    return empty.length
      ? {
          status: 400,
          ok: false,
          message: "Fill in both fields.",
          problems: empty.map((field) => ({ field, message: "is empty" })),
          typed,
        }
      : undefined;
  };
  switch (action) {
    case "validate":
      return (
        missing() ??
        attempt(() => {
          const problems = workspace.validate(typed.applicationId, typed.idpCertificate);
          return problems.length
            ? { status: 422, ok: false, message: "Validation failed: nothing was saved.", problems, typed }
            : { status: 200, ok: true, message: "Valid. Click Save to save the migration configuration.", typed };
        })
      );
    case "save":
      return (
        missing() ??
        (() => {
          const outcome = attempt(() => {
            const result = workspace.save(typed.applicationId, typed.idpCertificate);
            return {
              status: result.created ? 201 : 200,
              ok: true,
              message: result.changed
                ? "Saved. Users can onboard with their Microsoft 365 credentials from now on."
                : "Saved: the migration configuration already had these values.",
            };
          });
          return outcome.ok ? outcome : { ...outcome, typed };
        })()
      );
    case "delete":
      if (form.get("confirm") !== "yes")
        return {
          status: 400,
          ok: false,
          message: "Tick the box to confirm that every user is onboarded and correctly linked; nothing was deleted.",
        };
      return attempt(() => {
        workspace.delete();
        return { status: 200, ok: true, message: "The migration configuration was deleted." };
      });
    default:
      return { status: 400, ok: false, message: "Choose Validate, Save or Delete." };
  }
}

function migrationHtml(workspace: PeigWorkspace, outcome?: Outcome): string {
  const { configuration, migrationClosedAt } = workspace.summary();
  const current = configuration
    ? table(
        ["Field", "Value"],
        [
          ["Application ID", configuration.applicationId],
          ["IDP Certificate thumbprint", configuration.certificateThumbprint],
          ["IDP Certificate valid until", when(configuration.certificateNotAfter)],
          ["Saved", when(configuration.savedAt)],
        ],
      )
    : migrationClosedAt
      ? `<p>The migration configuration was deleted on ${escapeHtml(when(migrationClosedAt))}. Deleting it cannot be undone: nobody onboards with Microsoft 365 credentials any more.</p>`
      : `<p>No migration configuration is saved. Users cannot onboard with their Microsoft 365 credentials yet.</p>`;
  const typed = outcome?.typed ?? { applicationId: "", idpCertificate: "" };
  const invalid = new Set((outcome?.problems ?? []).map((p) => p.field));
  const aria = (field: ValidationProblem["field"]) => (invalid.has(field) ? ' aria-invalid="true"' : "");
  const editForm = migrationClosedAt
    ? ""
    : `<form method="post" class="card" aria-labelledby="edit-heading">
  <h2 id="edit-heading">${configuration ? "Change the migration configuration" : "Set the migration configuration"}</h2>
  <p><label for="applicationId">Application ID</label><br><input id="applicationId" name="applicationId" value="${escapeHtml(typed.applicationId)}" autocomplete="off" spellcheck="false" style="width:100%;max-width:28em"${aria("applicationId")}></p>
  <p><label for="idpCertificate">IDP Certificate</label><br><textarea id="idpCertificate" name="idpCertificate" rows="10" spellcheck="false" style="width:100%;font-family:monospace;font-size:12px"${aria("idpCertificate")}>${escapeHtml(typed.idpCertificate)}</textarea></p>
  <button type="submit" name="action" value="validate">Validate</button><button type="submit" name="action" value="save" class="primary">Save</button>
</form>`;
  const deleteForm = configuration
    ? `<form method="post" class="card" aria-labelledby="delete-heading">
  <h2 id="delete-heading">Delete the migration configuration</h2>
  <p class="bad"><strong>Only after confirming that all users are onboarded and correctly linked. This cannot be undone.</strong></p>
  <p><label><input type="checkbox" name="confirm" value="yes" required> Every user is onboarded and correctly linked</label></p>
  <button type="submit" name="action" value="delete" class="danger">Delete</button>
</form>`
    : "";
  return `${heading(peigConsolePages.migration)}${outcomeHtml(outcome)}
<div class="card"><h2>Current configuration</h2>${current}</div>${editForm}${deleteForm}`;
}

// --- Users & Access -------------------------------------------------------------------------------------

function requestAction(workspace: PeigWorkspace, form: Form): Outcome {
  const requestId = form.get("requestId") ?? "";
  const action = form.get("action");
  return attempt(() => {
    if (action === "approve") {
      const { request, user } = workspace.approve(requestId);
      return {
        status: 200,
        ok: true,
        message: `Approved the request of ${request.displayName} <${request.email}>: Peig account ${user.email} is ${user.status}.`,
      };
    }
    if (action === "deny") {
      const { request } = workspace.deny(requestId);
      return { status: 200, ok: true, message: `Denied the request of ${request.displayName} <${request.email}>.` };
    }
    if (action === "merge") {
      const into = (form.get("target") ?? "").trim();
      const target = into && workspace.findUser(into);
      if (!target)
        return {
          status: into ? 404 : 400,
          ok: false,
          message: into
            ? `No Peig account has the e-mail or ID ${into}. If the person has none yet, Create Peig Account for them in ${peigConsolePages.microsoft365Accounts.name} first.`
            : "Enter the e-mail (or ID) of the existing Peig account to merge the request into.",
        };
      const { request, user } = workspace.merge(requestId, target.id);
      return {
        status: 200,
        ok: true,
        message: `Merged the request of ${request.displayName} <${request.email}> into Peig account ${user.email} (${user.status}).`,
      };
    }
    return { status: 400, ok: false, message: "Choose Approve, Deny or Merge." };
  });
}

/** The items after `after` that pass `keep`, one table page of them, and the id to continue after. */
function onePage<T extends { id: string }>(
  items: Iterable<T>,
  keep: (item: T) => boolean,
): { rows: T[]; next?: string } {
  const rows: T[] = [];
  for (const item of items) {
    if (!keep(item)) continue;
    if (rows.length === ROWS_PER_PAGE) return { rows, next: rows[rows.length - 1].id };
    rows.push(item);
  }
  return { rows };
}

function link(path: string, query: Record<string, string | undefined>, text: string, current = false): string {
  const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => !!e[1]));
  const search = params.size ? `?${params}` : "";
  return `<a href="${escapeHtml(`${peigConsolePathPrefix}${path}${search}`)}"${current ? ' aria-current="true"' : ""}>${escapeHtml(text)}</a>`;
}

const html = (text: string): HtmlCell => ({ html: text });

function usersAndAccessHtml(workspace: PeigWorkspace, query: URLSearchParams, outcome?: Outcome): string {
  const path = peigConsolePages.usersAndAccess.path;
  const summary = workspace.summary();
  const onlyMismatched = query.get("requests") === "mismatched";
  const requests = onePage(workspace.pendingRequestsAfter(query.get("requestsAfter") ?? ""), (r) =>
    onlyMismatched ? !workspace.isMicrosoft365Address(r.email) : true,
  );
  const requestRows = requests.rows.map((r) => {
    const matched = workspace.isMicrosoft365Address(r.email);
    return [
      r.displayName,
      r.email,
      when(r.submittedAt),
      html(
        matched
          ? `<span class="ok">Matches a Microsoft 365 account</span>`
          : `<span class="warn">Mismatched: matches no Microsoft 365 account’s e-mail address</span>`,
      ),
      html(`<form method="post"><input type="hidden" name="requestId" value="${escapeHtml(r.id)}">
<p><label for="target-${escapeHtml(r.id)}">Merge into (the existing Peig account's e-mail or ID)</label><br><input id="target-${escapeHtml(r.id)}" name="target" autocomplete="off" spellcheck="false" style="width:100%"></p>
<button type="submit" name="action" value="merge" class="primary" aria-label="Merge the request of ${escapeHtml(r.displayName)}">Merge</button><button type="submit" name="action" value="approve" aria-label="Approve the request of ${escapeHtml(r.displayName)}">Approve</button><button type="submit" name="action" value="deny" aria-label="Deny the request of ${escapeHtml(r.displayName)}">Deny</button></form>`),
    ];
  });
  const status = peigUserStatuses.find((s) => s === query.get("status"));
  const users = onePage(workspace.usersAfter(query.get("after") ?? ""), (u) => !status || u.status === status);
  const statusFilter = [undefined, ...peigUserStatuses]
    .map((s) => link(path, { status: s }, s ?? "All", s === status))
    .join(" · ");
  return `${heading(peigConsolePages.usersAndAccess)}${outcomeHtml(outcome)}
<p>${plural(summary.pendingRequests, "pending request")} · ${plural(summary.usersByStatus["Not Onboarded"], "user")} with status Not Onboarded · ${summary.usersByStatus.Active} Active · ${summary.usersByStatus.Suspended} Suspended</p>
<h2 id="requests">Pending requests (${summary.pendingRequests})</h2>
<p>${link(path, {}, "All pending requests", !onlyMismatched)} · ${link(path, { requests: "mismatched" }, "Only mismatched e-mails", onlyMismatched)}</p>
<p class="muted">A request whose e-mail is not the person's Microsoft 365 address: verify the person, then Merge it into their existing Peig account (Approve would make a second account).</p>
<div id="pending-requests">${table(["Name", "Typed e-mail", "Submitted", "E-mail", "Actions"], requestRows, "No pending request.")}</div>
${requests.next ? `<p>${link(path, { requests: onlyMismatched ? "mismatched" : undefined, requestsAfter: requests.next }, "Next pending requests")}</p>` : ""}
<h2 id="users">Users</h2>
<p>Status: ${statusFilter}</p>
${table(
  ["Name", "E-mail", "Status", "Created", "Onboarded"],
  users.rows.map((u) => [
    u.displayName,
    u.email,
    u.status === "Not Onboarded" ? html(`<span class="warn">Not Onboarded</span>`) : u.status,
    when(u.createdAt),
    when(u.onboardedAt),
  ]),
  status ? `No user with status ${status}.` : "No user yet.",
)}
${users.next ? `<p>${link(path, { status, after: users.next }, "Next users")}</p>` : ""}`;
}

// --- MS365 Identifiers → Microsoft 365 Accounts ---------------------------------------------------------

function createAccountAction(workspace: PeigWorkspace, form: Form): Outcome {
  const id = form.get("microsoft365UserId") ?? "";
  return attempt(() => {
    const account = workspace.createPeigAccount(id);
    return {
      status: 201,
      ok: true,
      message: `Created Peig account ${account.id} (${account.email}), linked to the Microsoft 365 account; status Not Onboarded until the user completes onboarding in the Peig app.`,
    };
  });
}

function microsoft365AccountsHtml(workspace: PeigWorkspace, query: URLSearchParams, outcome?: Outcome): string {
  const path = peigConsolePages.microsoft365Accounts.path;
  const summary = workspace.summary();
  const linkFilter = ["linked", "unlinked"].find((s) => s === query.get("link"));
  const search = (query.get("q") ?? "").trim().toLowerCase();
  const accounts = onePage(
    workspace.microsoft365AccountsAfter(query.get("after") ?? ""),
    (a) =>
      (!linkFilter || a.linkStatus === linkFilter) &&
      (!search || [a.displayName, a.userPrincipalName, a.mail ?? ""].some((t) => t.toLowerCase().includes(search))),
  );
  const rows = accounts.rows.map((a) => [
    a.displayName,
    a.userPrincipalName,
    a.linkStatus === "linked" ? html(`<span class="ok">Linked</span>`) : html(`<span class="warn">Unlinked</span>`),
    a.peigAccountId ?? "",
    html(
      a.linkStatus === "linked"
        ? ""
        : `<form method="post"><input type="hidden" name="microsoft365UserId" value="${escapeHtml(a.id)}"><button type="submit" class="primary" aria-label="Create Peig Account for ${escapeHtml(a.userPrincipalName)}">Create Peig Account</button></form>`,
    ),
  ]);
  const filters = [undefined, "unlinked", "linked"]
    .map((s) =>
      link(path, { link: s, q: search || undefined }, s ? s[0].toUpperCase() + s.slice(1) : "All", s === linkFilter),
    )
    .join(" · ");
  return `${heading(peigConsolePages.microsoft365Accounts)}${outcomeHtml(outcome)}
<p>${plural(summary.microsoft365Accounts, "Microsoft 365 account")} · ${summary.linkedMicrosoft365Accounts} linked to a Peig account · ${summary.microsoft365Accounts - summary.linkedMicrosoft365Accounts} unlinked</p>
<form method="get" role="search"><p><label for="q">Find a Microsoft 365 account (name or address)</label><br><input id="q" name="q" value="${escapeHtml(search)}" style="width:100%;max-width:28em">${linkFilter ? `<input type="hidden" name="link" value="${linkFilter}">` : ""} <button type="submit">Find</button></p></form>
<p>Show: ${filters}</p>
${table(["Name", "User principal name", "Link status", "Peig account", "Action"], rows, "No Microsoft 365 account matches.")}
${accounts.next ? `<p>${link(path, { link: linkFilter, q: search || undefined, after: accounts.next }, "Next accounts")}</p>` : ""}`;
}
