/**
 * `npm start` in a terminal, as a new user runs it: no --auto-approve, a tenant where some users type another
 * e-mail into Peig. The demo runs under `script` (util-linux), so its output is a pseudo-terminal and it waits
 * for people; the test is those people, answering only through the links the demo prints (GET the page, then
 * POST its form with the page's CSRF token and cookie). No simulator API is called.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { openTaskPage, submitDecision } from "../../local/demo/autoApprove";
import { tempStateDir } from "./demoProcess";

const root = path.resolve(__dirname, "../..");
const LINK = /(https?:\/\/[^\s\x1b]+\/api\/tasks\/[A-Za-z0-9_-]+)/g;

/** The button a person presses: Approve on an approval, the confirming button on the Peig admin's task. */
const decisionOn = (html: string) => (/name="decision" value="approve"/.test(html) ? "approve" : "done");

describe("npm start in a terminal, answered only through the links it prints", () => {
  it("waits for people, says who and what, and completes the migration once they answer", async () => {
    const stateDir = tempStateDir();
    // 2 simulated days at ×20,000: links live 7 simulated days (30 s) and are re-sent daily (4 s), time enough to click.
    const demo = [
      "node",
      "-r",
      "ts-node/register/transpile-only",
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
    let answering = Promise.resolve();
    const answer = (url: string) =>
      (answering = answering.then(async () => {
        const page = await openTaskPage(url);
        if (page.status !== 200) return; // answered already (through this or another of its links), or closed
        const decision = decisionOn(page.html);
        decisions.push(
          `${decision}: ${/<h1>([^<]*)<\/h1>/.exec(page.html)?.[1] ?? ""} -> ${await submitDecision(url, page, decision)}`,
        );
      }));
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
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
    expect(output).not.toContain("approving through the task pages automatically");
    expect(output).toContain("the demo waits for you");
    // Whenever it waits on a person, it says who and what, and prints the link from their e-mail.
    expect(output).toMatch(
      /Waiting for the Peig admin to review the merge task: \d+ pending request\(s\) typed with another e-mail \(task e-mailed to it@contoso\.com\)/,
    );
    expect(output).toMatch(
      /Waiting for 1 of 2 approvers to approve deleting the migration configuration \(task e-mailed to cio@contoso\.com, ciso@contoso\.com\)/,
    );
    expect(output).toMatch(/Task link for it@contoso\.com \([^)]*Merge \d+ pending request/);
    expect(decisions).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^done: Merge \d+ pending request.* -> 200$/),
        expect.stringMatching(/^approve: .* -> 200$/),
      ]),
    );
    expect(output).toMatch(/Migration \S+ completed\./);
    expect(fs.existsSync(path.join(stateDir, "report.json"))).toBe(true);
    fs.rmSync(stateDir, { recursive: true, force: true });
  }, 240_000);
});
