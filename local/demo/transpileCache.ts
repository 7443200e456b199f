/**
 * `npm start` runs the demo's TypeScript through sucrase (`node -r sucrase/register/ts`), which turns each of the
 * 160 files a start loads into JavaScript again every time: 1.1 s of the 2.4 s of CPU a start spent before doing
 * anything. The JavaScript depends only on the file (its path and text) and on sucrase (its version and options), so
 * main.ts keeps it in node_modules/.cache/peig-demo/ under a hash of those, and the next start reads it back. Same
 * transform as sucrase/register's (its options, its inline source map), so a cached start runs the same code.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import Module from "node:module";
import path from "node:path";
import { getVersion, transform, type Options } from "sucrase";

type Loader = (module: NodeJS.Module & { _compile(code: string, filename: string): void }, filename: string) => void;
const loaders = (Module as unknown as { _extensions: Record<string, Loader> })._extensions;

/** Where the transpiled files go: npm ci starts it afresh with node_modules. */
export const TRANSPILE_CACHE_DIR = path.resolve(__dirname, "../../node_modules/.cache/peig-demo");

/** sucrase/register's TypeScript options, with SUCRASE_OPTIONS merged in as it does. */
function sucraseOptions(filePath: string): Options {
  return {
    transforms: ["imports", "typescript"],
    ...(process.env.SUCRASE_OPTIONS ? (JSON.parse(process.env.SUCRASE_OPTIONS) as Partial<Options>) : {}),
    sourceMapOptions: { compiledFilename: filePath },
    filePath,
  };
}

/** What sucrase/register hands to node for `source`: the JavaScript with its source map inline. */
export function transpile(source: string, filePath: string): string {
  const { code, sourceMap } = transform(source, sucraseOptions(filePath));
  const map = Buffer.from(JSON.stringify(sourceMap)).toString("base64");
  return `${code}\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${map}`;
}

/** From now on `.ts` files outside node_modules load through the cache in `dir`. */
export function cacheTranspiledTypeScript(dir = TRANSPILE_CACHE_DIR): void {
  const sucrase = loaders[".ts"];
  const version = `${getVersion()} ${process.env.SUCRASE_OPTIONS ?? ""}`;
  loaders[".ts"] = (module, filename) => {
    if (filename.split(path.sep).includes("node_modules")) return sucrase(module, filename);
    const source = fs.readFileSync(filename, "utf8");
    const key = createHash("sha256").update(`${version}\0${filename}\0${source}`).digest("base64url");
    const cached = path.join(dir, `${key}.js`);
    let code: string;
    try {
      code = fs.readFileSync(cached, "utf8");
    } catch {
      code = transpile(source, filename);
      save(cached, code);
    }
    module._compile(code, filename);
  };
}

/** Write-then-rename: two demos starting at once never read half a file. A cache that cannot be written is no cache. */
function save(file: string, code: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(temporary, code);
    fs.renameSync(temporary, file);
  } catch {
    fs.rmSync(temporary, { force: true });
  }
}
