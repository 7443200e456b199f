/**
 * Every page and e-mail a person sees speaks words (docs/design.md, "For people"): for a finished migration of each
 * Peig mode, the home page, the plan page, the status page, the report, every task page while it was open, every
 * dead link's page and every e-mail carry no ISO 8601 timestamp, no ISO duration, no internal task name and no raw
 * JSON. Only the JSON routes show the stored records as they are.
 */
import { playEveryone, startBody, startScenario, type Scenario } from "./harness";

let s: Scenario;
afterEach(async () => {
  const finished = s;
  s = undefined as unknown as Scenario;
  await finished?.stop();
});

const ENTITIES: Record<string, string> = { "&quot;": '"', "&#39;": "'", "&lt;": "<", "&gt;": ">", "&amp;": "&" };

/** What a person reads: the text (no tags, no style sheet) and the attributes a browser shows (tooltips, labels). */
function readable(html: string): string {
  const shown = [...html.matchAll(/\s(?:title|aria-label|alt|placeholder)="([^"]*)"/g)].map((m) => m[1]);
  const text = html
    .replace(/<style>[\s\S]*?<\/style>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&(?:quot|#39|lt|gt|amp);/g, (e) => ENTITIES[e]);
  return [text, ...shown].join(" ");
}

const MACHINE_TALK: [string, RegExp][] = [
  ["an ISO 8601 timestamp", /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/],
  ["an ISO 8601 duration", /\bP(?:\d+[WD]|T\d+[HMS])/],
  ["raw JSON", /\{"/],
  [
    "an internal task name",
    /\b(?:deletionApproval|phase2Approval|peigConfiguration|peigAccounts|peigChecklist|peigDeletion|peigMerges)\b|operatorStep/,
  ],
];

/** "where: what (…context…)" for every piece of machine talk in `html`. */
function machineTalk(where: string, html: string): string[] {
  const text = readable(html);
  return MACHINE_TALK.flatMap(([what, pattern]) => {
    const match = pattern.exec(text);
    return match ? [`${where}: ${what} (…${text.slice(Math.max(0, match.index - 60), match.index + 40)}…)`] : [];
  });
}

async function everythingAPersonSees(mode: "api" | "operator"): Promise<{ pages: number; problems: string[] }> {
  s = await startScenario({
    peigMode: mode,
    tenant: { users: 30, missRate: 0.2, mismatchRate: mode === "api" ? 0.1 : 0 },
  });
  const seen: [string, string][] = [];
  const openTask = s.openTask;
  s.openTask = async (link, headers) => {
    const page = await openTask(link, headers);
    if (page.status === 200) seen.push([`task page ${/<h1>([^<]*)/.exec(page.html)?.[1]}`, page.html]);
    return page;
  };
  const id = await s.start(startBody({ timeZone: "Europe/Prague" }));
  expect(await playEveryone(s, id)).toBe("completed");

  const get = async (what: string, path: string) => {
    const response = await s.asAdmin(path);
    expect(response.status).toBe(200);
    seen.push([what, await response.text()]);
  };
  await get("home page", "home");
  await get("status page", `migrations/${id}/page`);
  await get("report", `migrations/${id}/report`);
  const sample = startBody();
  const plan = await s.asAdmin("home/plan", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      workspace: "fabrikam",
      domain: sample.domain,
      idpEntityId: sample.idpEntityId,
      deadlineDate: new Date(s.clock.now().getTime() + 14 * 86_400_000).toISOString().slice(0, 10),
      deadlineTime: "17:00",
      timeZone: "Europe/Prague",
      reminders: "7 days, 3 days, 1 day, 4 hours",
      monitorEvery: "12 hours",
      approvers: sample.approvers.join(", "),
      requiredApprovals: "1",
      admins: sample.admins.join(", "),
      phase2: "auto",
    }),
  });
  const planHtml = await plan.text();
  expect(planHtml).toContain("<h1>The plan</h1>");
  seen.push(["plan page", planHtml]);
  const links = [
    ...new Set(
      s.stack.graph.outbox.flatMap((m) => [...m.html.matchAll(/href="([^"]*\/api\/tasks\/[^"]+)"/g)].map((x) => x[1])),
    ),
  ];
  for (const link of links) {
    const dead = await s.openTask(link);
    expect(dead.status).toBe(410);
    seen.push([`dead link page ${/<h1>([^<]*)/.exec(dead.html)?.[1]}`, dead.html]);
  }
  for (const mail of s.stack.graph.outbox) seen.push([`e-mail "${mail.subject}"`, `${mail.subject} ${mail.html}`]);
  return { pages: seen.length, problems: seen.flatMap(([where, html]) => machineTalk(where, html)) };
}

describe("every page and e-mail of a finished migration speaks words", () => {
  it.each(["api", "operator"] as const)("in %s mode", async (mode) => {
    const { pages, problems } = await everythingAPersonSees(mode);
    expect(pages).toBeGreaterThan(10);
    expect(problems).toEqual([]);
  });

  it("and the check finds machine talk where there is some", () => {
    expect(machineTalk("x", "<p>Deadline 2027-03-15T17:00:00.000Z</p>")).toHaveLength(1);
    expect(machineTalk("x", "<p>every PT12H</p><p>P7D</p>")).toHaveLength(1);
    expect(machineTalk("x", "<td>{&quot;gate&quot;:1}</td>")).toHaveLength(1);
    expect(machineTalk("x", "<td>operatorStep | peigMerges-3</td>")).toHaveLength(1);
    expect(machineTalk("x", '<time datetime="2027-03-15T17:00:00.000Z">Mon 15 Mar 2027, 18:00 CET</time>')).toEqual([]);
  });
});
