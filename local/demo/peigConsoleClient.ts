/**
 * A person's browser on the Peig simulator's console (local/peig-simulator/console.ts), without the browser:
 * it opens a console page (keeping the session cookie and the page's CSRF token) and submits its forms as a
 * browser would (application/x-www-form-urlencoded POST). `--auto-approve` does the Peig admin's steps
 * through it, so every demo run exercises the console's forms.
 */
import type { PeigConsolePage } from "../../shared/peig/consolePages";

export interface ConsoleAnswer {
  status: number;
  html: string;
  /** The line the page shows after an action (its role="status" or role="alert" box), as text. */
  message: string;
}

export class PeigConsoleClient {
  private cookie = "";
  private csrf = "";

  /** `consoleUrl`: the console's home, e.g. `http://127.0.0.1:<port>/console/`. */
  constructor(private readonly consoleUrl: string) {}

  private url(page: PeigConsolePage, query?: Record<string, string>): string {
    const url = new URL(`.${page.path}`, this.consoleUrl);
    for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
    return url.toString();
  }

  /** GET: what the person sees (changes nothing). */
  async open(page: PeigConsolePage, query?: Record<string, string>): Promise<ConsoleAnswer> {
    const response = await fetch(this.url(page, query), { headers: this.cookie ? { cookie: this.cookie } : {} });
    return this.read(response);
  }

  /** POST a form of `page` with `fields`, as its button would; opens the page first if there is no session yet. */
  async submit(page: PeigConsolePage, fields: Record<string, string>): Promise<ConsoleAnswer> {
    if (!this.csrf) await this.open(page);
    const response = await fetch(this.url(page), {
      method: "POST",
      body: new URLSearchParams({ ...fields, csrf: this.csrf }),
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: this.cookie },
    });
    return this.read(response);
  }

  private async read(response: Response): Promise<ConsoleAnswer> {
    const setCookie = response.headers.get("set-cookie");
    if (setCookie) this.cookie = setCookie.split(";")[0];
    const html = await response.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
    if (csrf) this.csrf = csrf;
    const box = /role="(?:status|alert)">(.*?)<\/div>/s.exec(html)?.[1] ?? "";
    return { status: response.status, html, message: textOf(box) };
  }
}

const ENTITIES: Record<string, string> = {
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&#39;": "'",
  "&#x27;": "'",
};

/** Text escaped by the pages' escapeHtml, back as typed. */
export function unescapeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (e) => ENTITIES[e]);
}

/** HTML to the text a person reads (tags dropped, entities decoded, spaces collapsed). */
export function textOf(html: string): string {
  return unescapeHtml(html.replace(/<[^>]*>/g, " "))
    .replace(/\s+/g, " ")
    .trim();
}

/** The figures a Peig console screen shows at its top (absent ones are undefined). */
export interface ConsoleFigures {
  /** Users & Access: pending requests. */
  pendingRequests?: number;
  /** Users & Access: users with status Not Onboarded. */
  notOnboarded?: number;
  /** MS365 Identifiers → Microsoft 365 Accounts: accounts linked to a Peig account, and not. */
  linked?: number;
  unlinked?: number;
}

export function consoleFigures(html: string): ConsoleFigures {
  const text = textOf(html);
  const figure = (pattern: RegExp) => {
    const match = pattern.exec(text);
    return match ? Number(match[1]) : undefined;
  };
  return {
    pendingRequests: figure(/(\d+) pending requests? ·/),
    notOnboarded: figure(/(\d+) users? with status Not Onboarded/),
    linked: figure(/(\d+) linked to a Peig account/),
    unlinked: figure(/· (\d+) unlinked/),
  };
}

/** The body rows of every table on a console page: each cell as text and as its HTML. */
export function tableRowsOn(html: string): { text: string; html: string }[][] {
  return [...html.matchAll(/<tbody>(.*?)<\/tbody>/gs)].flatMap(([, body]) =>
    [...body.matchAll(/<tr>(.*?)<\/tr>/gs)].map(([, row]) =>
      [...row.matchAll(/<td>(.*?)<\/td>/gs)].map(([, cell]) => ({ text: textOf(cell), html: cell })),
    ),
  );
}

/** The value of the hidden field `name` in a piece of a console page. */
export function hiddenField(html: string, name: string): string | undefined {
  const value = new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
  return value === undefined ? undefined : unescapeHtml(value);
}
