import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";

const root = path.resolve(__dirname, "../..");
const fixture = fs.readFileSync(path.join(__dirname, "fixtures/nondeterministicOrchestration.ts"), "utf8");

interface LintMessage {
  line: number;
  message: string;
  severity: number;
}

/** Runs the project's ESLint (a child process: its ESM config cannot load inside jest's VM). */
function lint(code: string, filePath: string): LintMessage[] {
  const eslintBin = path.join(root, "node_modules", "eslint", "bin", "eslint.js");
  const run = spawnSync(process.execPath, [eslintBin, "--stdin", "--stdin-filename", filePath, "--format", "json"], {
    cwd: root,
    input: code,
    encoding: "utf8",
  });
  if (!run.stdout) throw new Error(`eslint failed: ${run.stderr}`);
  const [result] = JSON.parse(run.stdout) as { messages: LintMessage[] }[];
  return result.messages;
}

async function lintAsOrchestration(code: string) {
  return lint(code, "orchestrations/__lintFixture.ts").filter((m) => m.severity === 2);
}

describe("determinism lint for orchestrations/", () => {
  it("rejects wall-clock time, randomness, Node timers, environment reads and I/O, saying what to use instead", async () => {
    const errors = await lintAsOrchestration(fixture);
    const byLine = (text: string) =>
      errors.filter((e) => fixture.split("\n")[e.line - 1].includes(text)).map((e) => e.message);
    expect(byLine('from "node:fs"').join()).toMatch(/move this into an activity/);
    expect(byLine("Date.now()").join()).toMatch(/context\.df\.currentUtcDateTime/);
    expect(byLine("new Date()").join()).toMatch(/context\.df\.currentUtcDateTime/);
    expect(byLine("Math.random()").join()).toMatch(/context\.df\.newGuid/);
    expect(byLine("setTimeout").join()).toMatch(/context\.df\.createTimer/);
    expect(byLine("process.env").join()).toMatch(/pass settings in the input/);
    expect(byLine("fetch(").join()).toMatch(/call an activity/);
  });

  it("accepts a deterministic orchestration", async () => {
    const good = `
      import * as df from "durable-functions";
      df.app.orchestration("good", function* (context) {
        const deadline = new Date(context.df.currentUtcDateTime.getTime() + 1000);
        yield context.df.createTimer(deadline);
        return context.df.newGuid(context.df.instanceId);
      });`;
    expect(await lintAsOrchestration(good)).toEqual([]);
  });

  it("leaves the same code alone outside orchestrations/", async () => {
    expect(lint("export const t = Date.now();\n", "activities/__lintFixture.ts")).toEqual([]);
  });
});
