/** No child process (Azurite) outlives the demo when its output is closed (`npm start | head -5`) or its terminal hangs up. */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { startDemo, tempStateDir } from "./demoProcess";

/** Processes whose command line names the state folder: the demo and the Azurite it started on it. */
function processesOn(stateDir: string): string[] {
  try {
    return execFileSync("pgrep", ["-af", stateDir], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

describe("closing the demo's output or terminal", () => {
  it.each([
    ["its output is closed after a few lines (SIGPIPE)", "pipe"],
    ["its terminal hangs up (SIGHUP)", "hangup"],
  ] as const)(
    "stops everything it started when %s",
    async (_, how) => {
      const stateDir = tempStateDir();
      const demo = startDemo(["--users", "40", "--acceleration", "2000", "--reset", "--state-dir", stateDir]);
      await demo.waitFor(/Migration \S+ started/);
      expect(processesOn(stateDir).some((line) => /azurite/i.test(line))).toBe(true);
      if (how === "pipe") {
        // What `head` does once it has its lines: closes its end of the pipe.
        demo.child.stdout!.destroy();
        demo.child.stderr!.destroy();
      } else demo.child.kill("SIGHUP");
      expect(await demo.exited).toBe(130);
      expect(processesOn(stateDir)).toEqual([]);
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
    90_000,
  );
});
