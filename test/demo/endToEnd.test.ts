/** `npm start -- --auto-approve` from start to finish, as a child process with a state folder of its own. */
import fs from "node:fs";
import path from "node:path";
import { startDemo, tempStateDir } from "./demoProcess";

describe("the demo, end to end", () => {
  it("runs a migration to completion with --auto-approve, exits 0 and leaves the report", async () => {
    const stateDir = tempStateDir();
    const demo = startDemo([
      "--auto-approve",
      "--users",
      "40",
      "--acceleration",
      "200000",
      "--reset",
      "--state-dir",
      stateDir,
    ]);
    const code = await demo.exited;
    expect({ code, output: demo.output() }).toMatchObject({ code: 0 });
    expect(demo.output()).toMatch(/Migration \S+ started/);
    expect(demo.output()).toMatch(/Approved as \S+@contoso\.com/);
    expect(demo.output()).toContain(`Report: ${path.join(stateDir, "report.html")}`);
    expect(fs.readFileSync(path.join(stateDir, "report.html"), "utf8")).toMatch(/<html/i);
    expect(JSON.parse(fs.readFileSync(path.join(stateDir, "report.json"), "utf8"))).toBeInstanceOf(Object);
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it("rejects an unknown option with the usage text and exit code 2", async () => {
    const demo = startDemo(["--no-such-option"]);
    expect(await demo.exited).toBe(2);
    expect(demo.output()).toContain('unknown option "--no-such-option"');
    expect(demo.output()).toContain("Usage: npm start -- [options]");
  });
});
