/** The demo's later starts read its transpiled TypeScript back from the cache instead of running sucrase again. */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { transpile } from "../../local/demo/transpileCache";

const root = path.resolve(__dirname, "../..");

describe("the transpile cache", () => {
  it("transpiles a file once, reads it back while its text is unchanged, and transpiles it again once it changes", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "peig-transpile-"));
    const cache = path.join(dir, "cache");
    const file = path.join(dir, "answer.ts");
    fs.writeFileSync(file, "export const answer: number = 1;\n");
    // In a node of its own, as main.ts installs it: jest loads modules its own way.
    const script = `
      require(${JSON.stringify(path.join(root, "local/demo/transpileCache.ts"))}).cacheTranspiledTypeScript(${JSON.stringify(cache)});
      const fs = require("node:fs");
      const load = () => { delete require.cache[${JSON.stringify(file)}]; return require(${JSON.stringify(file)}).answer; };
      const seen = [load()];
      const [cached] = fs.readdirSync(${JSON.stringify(cache)});
      seen.push(fs.readFileSync(${JSON.stringify(cache)} + "/" + cached, "utf8"));
      fs.writeFileSync(${JSON.stringify(cache)} + "/" + cached, "exports.answer = 'from the cache';");
      seen.push(load());
      fs.writeFileSync(${JSON.stringify(file)}, "export const answer: number = 2;\\n");
      seen.push(load(), fs.readdirSync(${JSON.stringify(cache)}).length);
      process.stdout.write(JSON.stringify(seen));`;
    const seen = JSON.parse(
      execFileSync(process.execPath, ["-r", "sucrase/register/ts", "-e", script], { cwd: root, encoding: "utf8" }),
    ) as unknown[];
    expect(seen).toEqual([
      1,
      transpile("export const answer: number = 1;\n", file), // what sucrase/register would have run
      "from the cache",
      2,
      2,
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
