/**
 * Who may do what: the one place the admin pages and the JSON admin API check a caller (docs/deploy.md, "Who signs
 * in where"). People sign in with Entra through App Service Authentication, which passes the signed-in principal
 * to the app in `x-ms-client-principal` (base64 JSON with `claims`; the app roles are its "roles" claims) and strips
 * any such header a client sends ("Work with user identities in Azure App Service authentication",
 * https://learn.microsoft.com/azure/app-service/configure-authentication-user-identities). The same header
 * carries the principal of an Entra access token sent as `Authorization: Bearer …` to the JSON API, which
 * App Service Authentication validates. Automation may use a function key on the JSON API instead.
 *
 * Roles are app roles on the sign-in app registration: Migration.Admin (start, extend, cancel, resume, ask again;
 * reads too) and Migration.Viewer (pages, status and reports).
 */
import { createHash } from "node:crypto";
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import type { Settings } from "../shared/config";
import { renderTaskMessage } from "../shared/pages/taskPage";
import { newCsrfToken, isCsrfTokenFor, newToken } from "../shared/tokens";
import { html, json } from "./http";

export const AppRoles = { admin: "Migration.Admin", viewer: "Migration.Viewer" } as const;

/** What a request wants: to read (pages, status, users, reports) or to run an admin command. */
export type Need = "read" | "command";

/** Someone the platform signed in (a person through the browser, or the caller of an access token). */
export interface SignedIn {
  /** For people and the audit: the principal's name (a user principal name), or the application's id. */
  name: string;
  /** The stable id (Entra object id) the page forms are bound to. */
  id: string;
  roles: ReadonlySet<string>;
}

/** Role claim types: "roles" in Entra v2 tokens; the principal's own role_typ otherwise (the docs' example). */
const ROLE_CLAIMS = new Set(["roles", "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"]);
const NAME_CLAIMS = ["preferred_username", "upn", "name", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"];
const ID_CLAIMS = ["http://schemas.microsoft.com/identity/claims/objectidentifier", "oid", "sub"];

/**
 * The principal App Service Authentication passed, or undefined. Only trusted when the platform says App Service
 * Authentication is on (WEBSITE_AUTH_ENABLED): then the header is the platform's word, as it strips a client's.
 */
export function signedInCaller(
  request: HttpRequest,
  settings: Pick<Settings, "WEBSITE_AUTH_ENABLED">,
): SignedIn | undefined {
  if (!settings.WEBSITE_AUTH_ENABLED) return undefined;
  return parseClientPrincipal(request.headers.get("x-ms-client-principal"), request);
}

/** Decodes `x-ms-client-principal` ({auth_typ, claims: [{typ, val}], name_typ, role_typ}); undefined if malformed. */
export function parseClientPrincipal(header: string | null, request?: HttpRequest): SignedIn | undefined {
  if (!header) return undefined;
  let principal: { claims?: unknown; name_typ?: unknown; role_typ?: unknown };
  try {
    principal = JSON.parse(Buffer.from(header, "base64").toString("utf8")) as typeof principal;
  } catch {
    return undefined;
  }
  if (!Array.isArray(principal.claims)) return undefined;
  const claims = principal.claims.filter(
    (c): c is { typ: string; val: string } =>
      typeof c === "object" && c !== null && typeof c.typ === "string" && typeof c.val === "string",
  );
  const first = (types: readonly string[]) => types.map((t) => claims.find((c) => c.typ === t)?.val).find(Boolean);
  const roleTypes = new Set([...ROLE_CLAIMS, ...(typeof principal.role_typ === "string" ? [principal.role_typ] : [])]);
  const nameTypes = [...NAME_CLAIMS, ...(typeof principal.name_typ === "string" ? [principal.name_typ] : [])];
  // An application calling with its own token has no user name: its client id names it ("azp" v2, "appid" v1).
  const appId = first(["azp", "appid"]);
  const name =
    request?.headers.get("x-ms-client-principal-name")?.trim() ||
    first(nameTypes) ||
    (appId ? `application ${appId}` : undefined);
  const id = request?.headers.get("x-ms-client-principal-id")?.trim() || first(ID_CLAIMS);
  if (!name || !id) return undefined;
  return {
    name: name.slice(0, 256),
    id: id.slice(0, 128),
    roles: new Set(claims.filter((c) => roleTypes.has(c.typ)).map((c) => c.val)),
  };
}

/** Whether these roles allow what is needed: Admin does everything, Viewer reads. */
export function rolesAllow(roles: ReadonlySet<string>, need: Need): boolean {
  return roles.has(AppRoles.admin) || (need === "read" && roles.has(AppRoles.viewer));
}

/** A page's caller: a signed-in person with the role, or the response to send instead. */
export type PageAccess = { ok: true; who: SignedIn; canCommand: boolean } | { ok: false; response: HttpResponseInit };

/**
 * The admin pages: only signed-in people (never a key in the URL). Anonymous → the sign-in page, then back here;
 * signed in without the role → 403, a page that says which role is missing.
 */
export function pageAccess(
  request: HttpRequest,
  settings: Pick<Settings, "WEBSITE_AUTH_ENABLED">,
  need: Need,
): PageAccess {
  const who = signedInCaller(request, settings);
  if (!who) return { ok: false, response: signInRedirect(request) };
  if (!rolesAllow(who.roles, need)) return { ok: false, response: forbiddenPage(who, need) };
  return { ok: true, who, canCommand: rolesAllow(who.roles, "command") };
}

/**
 * App Service Authentication's own sign-in path, coming back to this page afterwards
 * (https://learn.microsoft.com/azure/app-service/configure-authentication-customize-sign-in-out): a relative
 * post_login_redirect_uri stays on this app.
 */
export function signInRedirect(request: HttpRequest): HttpResponseInit {
  const url = new URL(request.url);
  // A POST cannot be replayed after signing in: back to the page the form was on.
  const back = request.method === "GET" ? `${url.pathname}${url.search}` : url.pathname.replace(/\/(plan|start)$/, "");
  return {
    status: 302,
    headers: {
      location: `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(back)}`,
      "cache-control": "no-store",
    },
  };
}

export const SIGN_OUT_PATH = "/.auth/logout?post_logout_redirect_uri=/api/home";

function forbiddenPage(who: SignedIn, need: Need): HttpResponseInit {
  const role = need === "command" ? AppRoles.admin : `${AppRoles.viewer} or ${AppRoles.admin}`;
  const what = need === "command" ? "change a migration" : "see the migrations";
  return html(
    403,
    renderTaskMessage(
      "Not allowed",
      `You are signed in as ${who.name}, who may not ${what}: that needs the ${role} role on this app. Ask whoever manages the app's users in Microsoft Entra to assign it, then sign in again.`,
    ),
  );
}

/** The JSON API's caller: the audit's name for them (a person's, or "function key"), or the response instead. */
export type ApiAccess = { ok: true; actor: string } | { ok: false; response: HttpResponseInit };

/**
 * The JSON admin API: an Entra access token (App Service Authentication validated it and passed its principal;
 * its app roles decide) or a function key (automation: everything, audited as "function key").
 */
export async function apiAccess(
  request: HttpRequest,
  settings: Pick<Settings, "WEBSITE_AUTH_ENABLED">,
  need: Need,
): Promise<ApiAccess> {
  const who = signedInCaller(request, settings);
  if (who) {
    if (rolesAllow(who.roles, need)) return { ok: true, actor: who.name };
    const role = need === "command" ? AppRoles.admin : `${AppRoles.viewer} or ${AppRoles.admin}`;
    return { ok: false, response: json(403, { error: `${who.name} needs the ${role} app role for this` }) };
  }
  if (await isFunctionKey(request)) return { ok: true, actor: "function key" };
  return {
    ok: false,
    response: json(
      401,
      { error: "sign in: send an Entra access token for this app (Authorization: Bearer …) or a function key" },
      { "www-authenticate": 'Bearer realm="peig-migration"' },
    ),
  };
}

/**
 * Whether the request carries one of the app's function keys. The Functions host checks keys only on routes of
 * authLevel "function" (azure-functions-host Security/Authorization/AuthUtility.cs PrincipalHasAuthLevelClaim:
 * the auth-level claim comes from a key alone, never from App Service Authentication), and the JSON API must also
 * take access tokens without a key. So the API's routes are anonymous to the host and a key is checked by asking
 * the host: one keyed route (KEY_CHECK_ROUTE) answers 204 to a valid key, 401 otherwise. A valid key is remembered
 * (as its hash) for a few minutes, so a script's calls cost one check. The check goes to the origin the request
 * came in on: the app's own host name (App Service routes a request to the app only by a host name bound to it).
 */
async function isFunctionKey(request: HttpRequest): Promise<boolean> {
  const key = request.headers.get("x-functions-key") ?? request.query.get("code");
  if (!key) return false;
  const hash = createHash("sha256").update(key, "utf8").digest("hex");
  const now = Date.now();
  const known = validKeys.get(hash);
  if (known !== undefined && known > now) return true;
  const answer = await fetch(`${new URL(request.url).origin}/api/${KEY_CHECK_ROUTE}`, {
    headers: { "x-functions-key": key },
    signal: AbortSignal.timeout(KEY_CHECK_TIMEOUT_MS),
  });
  if (answer.status !== 204) return false;
  validKeys.set(hash, now + KEY_CHECK_CACHE_MS);
  return true;
}

/** How long a key the host accepted is taken as valid without asking again (a revoked key lasts this long more). */
const KEY_CHECK_CACHE_MS = 5 * 60_000;
const validKeys = new Map<string, number>();
const KEY_CHECK_ROUTE = "access/function-key";
const KEY_CHECK_TIMEOUT_MS = 10_000;

/** The keyed route isFunctionKey asks: the host has checked the key before this runs. */
export function registerAccessFunctions(): void {
  app.http("checkFunctionKey", {
    route: KEY_CHECK_ROUTE,
    methods: ["GET"],
    authLevel: "function",
    handler: () => ({ status: 204, headers: { "cache-control": "no-store" } }),
  });
}

/**
 * The admin pages' forms: a double-submit cookie (HttpOnly, SameSite=Strict, so another site can neither read nor
 * send it) and a form token made from it, bound to the signed-in person and to what the form is for.
 */
const CSRF_COOKIE = "peig_admin_csrf";

export interface PageCsrf {
  token: string;
  cookies: NonNullable<HttpResponseInit["cookies"]>;
}

export function pageCsrf(request: HttpRequest, who: SignedIn, purpose: string): PageCsrf {
  const existing = cookieValue(request.headers.get("cookie"), CSRF_COOKIE);
  const secret = existing && /^[A-Za-z0-9_-]{40,100}$/.test(existing) ? existing : newToken();
  return {
    token: newCsrfToken(csrfKey(secret, who, purpose)),
    cookies:
      existing === secret
        ? []
        : [
            {
              name: CSRF_COOKIE,
              value: secret,
              path: "/api",
              httpOnly: true,
              sameSite: "Strict",
              secure: new URL(request.url).protocol === "https:",
            },
          ],
  };
}

export function isPageCsrf(request: HttpRequest, who: SignedIn, purpose: string, token: string): boolean {
  const secret = cookieValue(request.headers.get("cookie"), CSRF_COOKIE);
  return !!secret && !!token && isCsrfTokenFor(token, csrfKey(secret, who, purpose));
}

const csrfKey = (secret: string, who: SignedIn, purpose: string) => `${secret}\n${who.id}\n${purpose}`;

/** One cookie's value from a Cookie header; a malformed escape is no value. */
export function cookieValue(header: string | null, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k !== name) continue;
    try {
      return decodeURIComponent(v.join("="));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** For the approver pages: the signed-in name, whatever the roles (their rule is "the task's assignee"). */
export function callerName(request: HttpRequest): string | undefined {
  return request.headers.get("x-ms-client-principal-name")?.trim().slice(0, 256) || undefined;
}
