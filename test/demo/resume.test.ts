/** Ctrl-C mid-window saves the state; the next start resumes the same migration and completes it. */
import fs from "node:fs";
import path from "node:path";
import { startDemo, tempStateDir } from "./demoProcess";

describe("stopping and resuming the demo", () => {
  it("resumes the unfinished migration after SIGINT instead of starting over", async () => {
    const stateDir = tempStateDir();
    // Slow enough that the window (7 days: 30 real seconds) is still open when the signal arrives; no longer than that,
    // since the second run goes through all of it (end to end covers the default 14 days).
    const first = startDemo([
      "--users",
      "40",
      "--deadline-days",
      "7",
      "--acceleration",
      "20000",
      "--reset",
      "--state-dir",
      stateDir,
    ]);
    const [, id] = await first.waitFor(/Migration (\S+) started/);
    await first.waitFor(/onboarding +\[/);
    first.child.kill("SIGINT");
    expect(await first.exited).toBe(130);
    expect(first.output()).toContain("Run `npm start` again to resume");

    const second = startDemo(["--auto-approve", "--acceleration", "200000", "--state-dir", stateDir]);
    const code = await second.exited;
    expect({ code, output: second.output() }).toMatchObject({ code: 0 });
    expect(second.output()).toContain(`Resuming migration ${id}`);
    expect(second.output()).not.toMatch(/Migration \S+ started/);
    expect(second.output()).toContain(`Migration ${id} completed.`);
    expect(fs.existsSync(path.join(stateDir, "report.json"))).toBe(true);
    fs.rmSync(stateDir, { recursive: true, force: true });
    // Two demo starts, each with Azurite and a compile of the app: over a minute on a busy 2-core machine.
  }, 180_000);
});
