/** Runs `local/demo/main.ts` as a child process, as `npm start` does, and reads its output. */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(__dirname, "../..");

export interface DemoProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in the output so far or to come. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

export function startDemo(args: string[]): DemoProcess {
  const child = spawn(process.execPath, ["-r", "sucrase/register/ts", "local/demo/main.ts", ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const w of [...waiters]) {
      const match = w.pattern.exec(output);
      if (match) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(match);
      }
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    output: () => output,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const match = pattern.exec(output);
        if (match) return resolve(match);
        waiters.push({ pattern, resolve });
        void exited.then((code) =>
          reject(new Error(`the demo exited (${code}) before printing ${pattern}:\n${output}`)),
        );
      }),
    exited,
  };
}

/** A state folder of its own, so the tests never touch the real `.demo/`. */
export function tempStateDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "peig-demo-"));
}
