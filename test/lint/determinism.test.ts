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

/**
 * Lints each snippet as if it were the file at its path, with the project's ESLint configuration, in one
 * child process (the ESM config cannot load inside jest's VM, and one ESLint start per snippet is slow).
 */
function lintAll(snippets: { code: string; filePath: string }[]): LintMessage[][] {
  const script = `
    const { ESLint } = require("eslint");
    const snippets = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = [];
      for (const s of snippets) out.push((await eslint.lintText(s.code, { filePath: s.filePath }))[0].messages);
      process.stdout.write(JSON.stringify(out));
    })();`;
  const run = spawnSync(process.execPath, ["-e", script], {
    cwd: root,
    input: JSON.stringify(snippets),
    encoding: "utf8",
  });
  if (!run.stdout) throw new Error(`eslint failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as LintMessage[][];
}

const ORCHESTRATION = "orchestrations/__lintFixture.ts";

const deterministic = `
  import type { OrchestrationContext } from "durable-functions";
  export function* good(context: OrchestrationContext) {
    const deadline = new Date(context.df.currentUtcDateTime.getTime() + 1000);
    yield context.df.createTimer(deadline);
    return context.df.newGuid(context.df.instanceId);
  }`;

const allowlisted = `
  import type { OrchestrationContext } from "durable-functions";
  import type { ActivityDefinitions } from "../activities";
  import { isFinalPhase } from "../shared/workflow";
  import { atLeast } from "../shared/versions";
  import { sleepEnd } from "../shared/domain/waits";
  import { call } from "./common";
  export type Used = [OrchestrationContext, ActivityDefinitions, typeof isFinalPhase, typeof atLeast, typeof sleepEnd, typeof call];`;

/** Imports an orchestration must not have: each on line 1, followed by a use of what it imports. */
const forbidden: [string, string][] = [
  [
    "the services (the store, Graph, Peig)",
    'import { services } from "../shared/services";\nexport const used = services;',
  ],
  [
    "the store, even its types",
    'import type { MigrationStore } from "../shared/store";\nexport type Used = MigrationStore;',
  ],
  [
    "the Graph and Peig failure reading",
    'import { describeFailure } from "../shared/stepFailure";\nexport const used = describeFailure;',
  ],
  ["an activity's code", 'import { recordPhase } from "../activities/bookkeeping";\nexport const used = recordPhase;'],
  [
    "the activities' values",
    'import { createActivities } from "../activities";\nexport const used = createActivities;',
  ],
  ["the local host", 'import { VirtualClock } from "../local/host/clocks";\nexport const used = VirtualClock;'],
  ["a Node I/O module", 'import { readFileSync } from "node:fs";\nexport const used = readFileSync;'],
  [
    "durable-functions' values outside orchestrations/index.ts",
    'import * as df from "durable-functions";\nexport const used = df;',
  ],
];

const registration = 'import * as df from "durable-functions";\nexport const register = () => df.app;\n';

let results: LintMessage[][];
const errorsOf = (i: number) => results[i].filter((m) => m.severity === 2);

beforeAll(() => {
  results = lintAll([
    { code: fixture, filePath: ORCHESTRATION },
    { code: deterministic, filePath: ORCHESTRATION },
    { code: allowlisted, filePath: ORCHESTRATION },
    { code: registration, filePath: "orchestrations/index.ts" },
    { code: "export const t = Date.now();\n", filePath: "activities/__lintFixture.ts" },
    ...forbidden.map(([, code]) => ({ code, filePath: ORCHESTRATION })),
  ]);
});

describe("determinism lint for orchestrations/", () => {
  it("rejects wall-clock time, randomness, Node timers, environment reads and I/O, saying what to use instead", () => {
    const errors = errorsOf(0);
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

  it("accepts a deterministic orchestration", () => {
    expect(errorsOf(1)).toEqual([]);
  });

  it("lets orchestrations import only the allowlist: durable-functions' and the activities' types, the workflow's names, pure domain logic, the version helper and their own folder", () => {
    expect(errorsOf(2)).toEqual([]);
  });

  it("lets orchestrations/index.ts alone import durable-functions to register the orchestrations", () => {
    expect(errorsOf(3)).toEqual([]);
  });

  it("leaves the same code alone outside orchestrations/", () => {
    expect(results[4]).toEqual([]);
  });

  it.each(forbidden.map(([what], i) => [what, i + 5] as const))(
    "rejects an import of %s, saying what to do instead",
    (_what, i) => {
      const errors = errorsOf(i);
      expect(errors.map((e) => e.line)).toEqual([1]);
      expect(errors[0].message).toMatch(/move this into an activity|import only/);
    },
  );
});
