/**
 * `npm start` in a terminal, as a new user runs it: no flags (operator mode), no --auto-approve, a tenant where
 * some users type another e-mail into Peig. The demo runs under `script` (util-linux), so its output is a
 * pseudo-terminal and it waits for people; the test is those people, answering only through what the demo
 * prints: the task links (GET the page, then POST its form with the page's CSRF token and cookie) and the Peig
 * console, whose forms the Peig admin fills in with the values the task page shows. No simulator API is called.
 */
import { LOCAL_ADMIN } from "../../local/fixtures/staff";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { openTaskPage, performPeigStep, submitDecision, taskKindOf } from "../../local/demo/autoApprove";
import { DEMO_SEED } from "../../local/demo/args";
import { peigAdminDesk } from "../../local/demo/peigAdmin";
import { generateTenant } from "../../local/fixtures/tenant";
import { peigConsolePages } from "../../shared/peig/consolePages";
import { tempStateDir } from "./demoProcess";

const root = path.resolve(__dirname, "../..");
const LINK = /(https?:\/\/[^\s\x1b]+\/api\/tasks\/[A-Za-z0-9_-]+)/g;
/** Real seconds the person takes before opening the first task: at ×20,000 that is over 2 simulated days. */
const PERSON_WAITS_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("npm start in a terminal, answered only through the links and the Peig console it prints", () => {
  it("runs operator mode, pauses its clock while a person takes their time, and completes once they answer", async () => {
    const stateDir = tempStateDir();
    // A 2-day window at ×20,000 is 8.6 real seconds: a person who waits 10 s before opening a task would miss all
    // of it if the clock ran on.
    const demo = [
      "node",
      "-r",
      "sucrase/register/ts",
      "local/demo/main.ts",
      "--users",
      "40",
      "--deadline-days",
      "2",
      "--acceleration",
      "20000",
      "--reset",
      "--state-dir",
      stateDir,
    ];
    // A wide terminal, so the progress line is not cut; `exec` keeps the demo's exit code as script's (-e).
    const child = spawn("script", ["-qfec", `stty cols 200 rows 50; exec ${demo.join(" ")}`, "/dev/null"], {
      cwd: root,
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH}` },
    });
    let output = "";
    const answered = new Set<string>();
    const decisions: string[] = [];
    const clockAroundTheWait: string[] = [];
    let consoleUrl = "";
    let statusUrl = "";
    // The admin reads the status as a signed-in person: an access token from the local stand-in for Entra.
    const simulatedNow = async () => {
      const token = await fetch(`${new URL(statusUrl).origin}/.auth/local/token`, {
        method: "POST",
        body: JSON.stringify({ userPrincipalName: LOCAL_ADMIN }),
      });
      const { access_token } = (await token.json()) as { access_token: string };
      const res = await fetch(statusUrl, { headers: { authorization: `Bearer ${access_token}` } });
      return ((await res.json()) as { generatedAt: string }).generatedAt;
    };
    // The Peig admin's directory and people: the demo's tenant (same size, same seed).
    const tenant = generateTenant({ users: 40, seed: DEMO_SEED });
    let answering = Promise.resolve();
    const answer = (url: string) =>
      (answering = answering.then(async () => {
        let page = await openTaskPage(url);
        if (page.status !== 200) return; // answered already (through this or another of its links), or closed
        const kind = taskKindOf(page.html);
        if (kind === "peigConfiguration") {
          // The person reads the e-mail, gets a coffee, and only then opens the task: the window must still be there.
          clockAroundTheWait.push(await simulatedNow());
          await sleep(PERSON_WAITS_MS);
          clockAroundTheWait.push(await simulatedNow());
          page = await openTaskPage(url);
          // The task page names the console screen to open and links it.
          expect(page.html).toContain(peigConsolePages.migration.name);
          expect(page.html).toContain(`href="${consoleUrl}${peigConsolePages.migration.path.slice(1)}"`);
        }
        let figures: Record<string, string> = {};
        if (kind !== "approval" && kind !== "peigMerges" && kind !== "other") {
          const done = await performPeigStep(kind, page.html, peigAdminDesk(consoleUrl, tenant));
          decisions.push(`in the console: ${done?.said ?? ""}`);
          figures = done?.figures ?? {};
        }
        const decision = kind === "approval" ? "approve" : "done";
        decisions.push(
          `${decision}: ${/<h1>([^<]*)<\/h1>/.exec(page.html)?.[1] ?? ""} -> ${(await submitDecision(url, page, decision, figures)).status}`,
        );
      }));
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      consoleUrl ||= /Peig console \([^)]*\): (http\S+)/.exec(output)?.[1] ?? "";
      const status = /Status page: (http\S+)\/page\s/.exec(output);
      if (status && !statusUrl) statusUrl = status[1];
      for (const [, url] of output.matchAll(LINK)) {
        if (answered.has(url)) continue;
        answered.add(url);
        void answer(url);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    await answering;
    child.stdin.end();

    expect({ code, tail: output.slice(-3000) }).toMatchObject({ code: 0 });
    expect(output).toContain("Peig operator mode");
    expect(output).not.toContain("approving through the task pages automatically");
    expect(output).toContain("the demo waits for you");
    // While it waits on a person, the clock stands still, and the terminal says so, whom for, and where the link went.
    expect(clockAroundTheWait).toHaveLength(2);
    expect(clockAroundTheWait[1]).toBe(clockAroundTheWait[0]);
    expect(output).toContain(
      "The clock is paused until a person answers: waiting for the Peig admin to save the migration configuration in Peig (task e-mailed to it@contoso.com)",
    );
    expect(output).toMatch(
      /The clock is paused until a person answers: waiting for 1 of 2 approvers to approve deleting the migration configuration \(task e-mailed to cio@contoso\.com, ciso@contoso\.com\)/,
    );
    expect(output).toContain("The clock runs again.");
    expect(decisions).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^in the console: .*Validate, Save/),
        expect.stringMatching(/^done: Set the migration configuration in Peig -> 200$/),
        expect.stringMatching(/^approve: .* -> 200$/),
        expect.stringMatching(/^in the console: .*Delete: The migration configuration was deleted\./),
      ]),
    );
    expect(output).toMatch(/Migration \S+ completed\./);
    expect(fs.existsSync(path.join(stateDir, "report.json"))).toBe(true);
    fs.rmSync(stateDir, { recursive: true, force: true });
  }, 240_000);
});
