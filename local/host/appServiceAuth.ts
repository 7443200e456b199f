/**
 * The local host's stand-in for App Service Authentication ("Easy Auth") with Microsoft Entra, doing for the app
 * what the platform does in Azure (docs/deploy.md, "Who signs in where"):
 *
 * - `/.auth/login/aad` signs a person in: here a local page where you pick one of the simulated tenant's people
 *   (it says it is a local stand-in), then a session cookie, then back to `post_login_redirect_uri`
 *   (https://learn.microsoft.com/azure/app-service/configure-authentication-customize-sign-in-out);
 *   `/.auth/logout` ends the session.
 * - `Authorization: Bearer <token>` is validated and its caller passed on; an invalid token is refused with 401
 *   before the app runs, as App Service Authentication does. `/.auth/local/token` hands out such tokens, standing
 *   in for Entra's token endpoint.
 * - Every request to the app loses any `x-ms-client-principal*` (and `x-ms-token-*`) header the client sent, and
 *   gets the signed-in caller's: `x-ms-client-principal` (base64 JSON: auth_typ, claims with the app roles as
 *   "roles", name_typ, role_typ), `-name`, `-id` and `-idp`
 *   (https://learn.microsoft.com/azure/app-service/configure-authentication-user-identities).
 * Anonymous requests go through (unauthenticatedClientAction AllowAnonymous, as infra/app/api.bicep configures):
 * the app decides.
 */
import type http from "node:http";
import { randomBytes } from "node:crypto";
import { escapeHtml, nameHtml, page } from "../../shared/pages/layout";

/** Someone who can sign in locally, with their app role assignments on the sign-in app registration. */
export interface LocalPerson {
  /** Entra object id. */
  id: string;
  displayName: string;
  userPrincipalName: string;
  roles: readonly string[];
}

export const SESSION_COOKIE = "AppServiceAuthSession";
/** Tokens live as long as Entra's access tokens typically do (60–90 minutes). */
const TOKEN_LIFETIME_MS = 60 * 60_000;

export class LocalAppServiceAuth {
  private readonly sessions = new Map<string, string>();
  private readonly tokens = new Map<string, { personId: string; expires: number }>();

  constructor(
    private readonly options: {
      people: readonly LocalPerson[];
      /** Who the sign-in page offers first (the demo's admin). */
      preselect?: string;
    },
  ) {}

  get people(): readonly LocalPerson[] {
    return this.options.people;
  }

  /** Serves `/.auth/…`; false for any other path. */
  handle(method: string, url: URL, body: Buffer, res: http.ServerResponse): boolean {
    const path = url.pathname.replace(/\/$/, "");
    if (path === "/.auth/login/aad" && method === "GET") {
      reply(
        res,
        200,
        signInPage(this.people, localRedirect(url.searchParams.get("post_login_redirect_uri")), this.options.preselect),
      );
      return true;
    }
    if (path === "/.auth/login/aad" && method === "POST") {
      const form = new URLSearchParams(body.toString("utf8"));
      const person = this.people.find((p) => p.id === form.get("person"));
      const back = localRedirect(form.get("post_login_redirect_uri"));
      if (!person) {
        reply(res, 400, signInPage(this.people, back, this.options.preselect, "Choose who to sign in as."));
        return true;
      }
      const session = randomBytes(32).toString("base64url");
      this.sessions.set(session, person.id);
      res.writeHead(302, {
        location: back,
        "set-cookie": `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Lax`,
        "cache-control": "no-store",
      });
      res.end();
      return true;
    }
    if (path === "/.auth/logout") {
      const session = sessionOf(res.req);
      if (session) this.sessions.delete(session);
      res.writeHead(302, {
        location: localRedirect(url.searchParams.get("post_logout_redirect_uri")),
        "set-cookie": `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`,
        "cache-control": "no-store",
      });
      res.end();
      return true;
    }
    if (path === "/.auth/local/token" && method === "POST") {
      const upn = (JSON.parse(body.toString("utf8") || "{}") as { userPrincipalName?: string }).userPrincipalName ?? "";
      const person = this.byUpn(upn);
      if (!person) {
        send(res, 400, { error: `no local person ${upn}` });
        return true;
      }
      send(res, 200, {
        token_type: "Bearer",
        access_token: this.tokenFor(person),
        expires_in: TOKEN_LIFETIME_MS / 1000,
      });
      return true;
    }
    if (path.startsWith("/.auth")) {
      send(res, 404, { error: `the local stand-in for App Service Authentication does not serve ${path}` });
      return true;
    }
    return false;
  }

  /** An access token for this person (what Entra would issue for the app, with their roles). */
  tokenFor(person: LocalPerson): string {
    const token = randomBytes(32).toString("base64url");
    this.tokens.set(token, { personId: person.id, expires: Date.now() + TOKEN_LIFETIME_MS });
    return token;
  }

  byUpn(upn: string): LocalPerson | undefined {
    return this.people.find((p) => p.userPrincipalName.toLowerCase() === upn.toLowerCase());
  }

  /**
   * The headers the app gets: the client's without any principal header, plus the caller's. `invalid` when the
   * request carries a bearer token that is not (or no longer) valid: the platform answers 401 itself.
   */
  headersForApp(req: http.IncomingMessage): { headers: Record<string, string> } | { invalid: string } {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (typeof v === "string" && !/^x-ms-(client-principal|token-)/i.test(k)) headers[k] = v;
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    let personId: string | undefined;
    if (bearer) {
      const token = this.tokens.get(bearer);
      if (!token || token.expires <= Date.now()) return { invalid: "the access token is not valid or has expired" };
      personId = token.personId;
    } else {
      const session = sessionOf(req);
      personId = session ? this.sessions.get(session) : undefined;
    }
    const person = personId ? this.people.find((p) => p.id === personId) : undefined;
    if (person) Object.assign(headers, principalHeaders(person));
    return { headers };
  }
}

/** The headers App Service Authentication sets for a signed-in Entra user. */
export function principalHeaders(person: LocalPerson): Record<string, string> {
  const principal = {
    auth_typ: "aad",
    claims: [
      { typ: "name", val: person.displayName },
      { typ: "preferred_username", val: person.userPrincipalName },
      { typ: "http://schemas.microsoft.com/identity/claims/objectidentifier", val: person.id },
      ...person.roles.map((role) => ({ typ: "roles", val: role })),
    ],
    name_typ: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
    role_typ: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
  };
  return {
    "x-ms-client-principal": Buffer.from(JSON.stringify(principal), "utf8").toString("base64"),
    "x-ms-client-principal-name": person.userPrincipalName,
    "x-ms-client-principal-id": person.id,
    "x-ms-client-principal-idp": "aad",
  };
}

/** Only a path on this host (as the platform allows by default): anything else goes home. */
function localRedirect(target: string | null): string {
  return target && target.startsWith("/") && !target.startsWith("//") && !target.includes("\\") ? target : "/api/home";
}

function sessionOf(req: http.IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === SESSION_COOKIE) return v.join("=");
  }
  return undefined;
}

const rolesInWords = (roles: readonly string[]) => (roles.length ? roles.join(", ") : "no role on this app");

function signInPage(people: readonly LocalPerson[], back: string, preselect?: string, error?: string): string {
  const first = people.find((p) => p.userPrincipalName === preselect) ?? people[0];
  const options = people
    .map(
      (p) =>
        `<p><label><input type="radio" name="person" value="${escapeHtml(p.id)}"${p === first ? " checked" : ""}> ${nameHtml(p.displayName)} <span class="muted">(${nameHtml(p.userPrincipalName)}; ${escapeHtml(rolesInWords(p.roles))})</span></label></p>`,
    )
    .join("");
  return page(
    "Sign in (local stand-in)",
    `<h1>Sign in</h1><div class="card attention" id="local-stand-in"><p><strong>Local stand-in for Microsoft Entra sign-in.</strong> This page exists only on the local host: in Azure, App Service Authentication sends you to Microsoft's sign-in page. Pick one of the simulated tenant's people; what they may do comes from their app roles.</p></div>${
      error ? `<div class="card attention" role="alert"><p>${escapeHtml(error)}</p></div>` : ""
    }<form method="post" action="/.auth/login/aad"><fieldset><legend>Sign in as</legend>${options}</fieldset><input type="hidden" name="post_login_redirect_uri" value="${escapeHtml(back)}"><p><button class="primary" type="submit">Sign in</button></p></form>`,
  );
}

function reply(res: http.ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "content-security-policy":
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  });
  res.end(html);
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}
