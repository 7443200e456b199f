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
