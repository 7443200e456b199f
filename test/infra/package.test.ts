/**
 * The deployment package, built as azd builds it (azure.yaml's prepackage hook runs scripts/package.js)
 * into a folder outside the project, so that nothing can resolve from the project's own node_modules.
 */
import { spawnSync } from "child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "fs";
import { tmpdir } from "os";
import { join, relative, resolve, sep } from "path";
import { parse as parseYaml } from "yaml";
import type { registry as Registry } from "../../local/host/fakeCore";

const root = resolve(__dirname, "../..");
const read = (path: string) => readFileSync(join(root, path), "utf8");
const { stagePackage, PROJECT_FILES } = require("../../scripts/package.js") as {
  stagePackage(outDir: string, options?: { typecheck?: boolean }): { bytes: number; files: number };
  PROJECT_FILES: string[];
};

/** Settings as an operator-mode deployment in Azure has them: the entry point validates them at load. */
const settings = {
  MIGRATION_STORAGE_TABLE_ENDPOINT: "https://peigmigration.table.core.windows.net",
  MAIL_SENDERS: "peig-migration@contoso.com",
  PEIG_MODE: "operator",
  PUBLIC_BASE_URL: "https://peig-migration.azurewebsites.net",
};

/** The functions the entry point registers when this process loads it from the sources. */
function registeredFromSources(): { name: string; trigger: string | undefined }[] {
  const saved = process.env;
  process.env = { ...saved, ...settings };
  try {
    let registry = new Map() as typeof Registry;
    jest.isolateModules(() => {
      registry = (require("../../local/host/fakeCore") as { registry: typeof Registry }).registry;
      require("../../functions");
    });
    return [...registry.values()].map(({ metadata }) => ({
      name: metadata.name,
      trigger: Object.values(metadata.bindings).find((b) => b.type.endsWith("Trigger"))?.type,
    }));
  } finally {
    process.env = saved;
  }
}

/** Flex Consumption's package is best kept small (cold starts, the startup time limit): the target. */
const MAX_UNPACKED_BYTES = 80 * 1024 * 1024;

interface LockEntry {
  dev?: boolean;
  optional?: boolean;
}
const lock = JSON.parse(read("package-lock.json")) as { packages: Record<string, LockEntry> };

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** The installed packages of a node_modules tree, as lock-file keys (node_modules/a/node_modules/@b/c). */
function installedPackages(dir: string, prefix = "node_modules"): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
    .flatMap((entry) =>
      entry.name.startsWith("@")
        ? readdirSync(join(dir, prefix, entry.name)).map((name) => `${prefix}/${entry.name}/${name}`)
        : [`${prefix}/${entry.name}`],
    )
    .flatMap((key) => {
      let nested: string[] = [];
      try {
        if (statSync(join(dir, key, "node_modules")).isDirectory())
          nested = installedPackages(dir, `${key}/node_modules`);
      } catch {
        // no nested node_modules
      }
      return [key, ...nested];
    });
}

describe("the deployment package", () => {
  let dir: string;
  let size: { bytes: number; files: number };
  let files: string[];

  beforeAll(() => {
    dir = join(mkdtempSync(join(tmpdir(), "peig-package-")), "package");
    // npm test's typecheck checks the same files; the compiler's output is the same without the check.
    size = stagePackage(dir, { typecheck: false });
    files = filesUnder(dir).map((file) => relative(dir, file).split(sep).join("/"));
    console.log(
      `deployment package: ${(size.bytes / 1024 / 1024).toFixed(1)} MB unpacked in ${size.files} files (target ≤ ${MAX_UNPACKED_BYTES / 1024 / 1024} MB)`,
    );
  }, 600_000);

  afterAll(() => {
    if (dir) rmSync(resolve(dir, ".."), { recursive: true, force: true });
  });

  it("is the folder azure.yaml deploys, built locally by the prepackage hook", () => {
    const azure = parseYaml(read("azure.yaml")) as {
      requiredVersions?: { azd?: string };
      services: Record<
        string,
        { dist?: string; remoteBuild?: boolean; hooks?: Record<string, Record<string, { run: string }>> }
      >;
    };
    const [service] = Object.values(azure.services);
    expect(service.remoteBuild).toBe(false);
    expect(service.dist).toBe(".package");
    for (const shell of Object.values(service.hooks?.prepackage ?? {})) {
      expect(shell.run).toBe("node scripts/package.js");
    }
    expect(Object.keys(service.hooks?.prepackage ?? {}).sort()).toEqual(["posix", "windows"]);
    expect(azure.requiredVersions?.azd).toMatch(/^>= ?\d+\.\d+\.\d+$/);
  });

  it(`weighs at most ${MAX_UNPACKED_BYTES / 1024 / 1024} MB unpacked`, () => {
    expect(size.bytes).toBeLessThanOrEqual(MAX_UNPACKED_BYTES);
  });

  it("holds the compiled app, host.json, package.json, the lock file and node_modules, nothing else", () => {
    expect(readdirSync(dir).sort()).toEqual(["dist", "node_modules", ...PROJECT_FILES].sort());
    expect(readFileSync(join(dir, "host.json"), "utf8")).toBe(read("host.json"));
    // dist/ has exactly the folders tsconfig.build.json compiles, as JavaScript only.
    const build = JSON.parse(read("tsconfig.build.json")) as { include: string[] };
    expect(readdirSync(join(dir, "dist")).sort()).toEqual([...build.include].sort());
    const app = files.filter((file) => file.startsWith("dist/"));
    expect(app.filter((file) => !file.endsWith(".js"))).toEqual([]);
    expect(app.length).toBeGreaterThan(0);
  });

  it("carries no test, simulator, local/ or tooling code", () => {
    const app = files.filter((file) => !file.startsWith("node_modules/"));
    expect(
      app.filter((file) =>
        /(^|\/)(test|local|conformance|scripts|infra|docs)\/|simulator|\.test\.js$|\.ts$|local\.settings/i.test(file),
      ),
    ).toEqual([]);
  });

  it("installs the production dependencies from the lock file and no devDependency", () => {
    const installed = installedPackages(dir);
    const devOnly = installed.filter((key) => lock.packages[key]?.dev === true);
    const unknown = installed.filter((key) => !(key in lock.packages));
    expect(devOnly).toEqual([]);
    expect(unknown).toEqual([]);
    const pkg = JSON.parse(read("package.json")) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const name of Object.keys(pkg.dependencies)) expect(installed).toContain(`node_modules/${name}`);
    for (const name of Object.keys(pkg.devDependencies)) expect(installed).not.toContain(`node_modules/${name}`);
  });

  it("loads its entry point with only its own node_modules and registers every function the app defines", () => {
    const child = spawnSync(
      process.execPath,
      ["-r", require.resolve("sucrase/register/ts"), join(root, "test", "infra", "loadPackage.ts"), dir],
      {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, ...settings, NODE_PATH: "", TS_NODE_PROJECT: join(root, "tsconfig.json") },
        timeout: 120_000,
      },
    );
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    const loaded = (JSON.parse(child.stdout.trim().split("\n").pop()!) as { functions: unknown[] }).functions;
    // The same app loaded from its sources in this process: every function, with the same trigger.
    const expected = registeredFromSources();
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(expected.length).toBeGreaterThan(10);
    expect([...(loaded as { name: string }[])].sort(byName)).toEqual(expected.sort(byName));
  });
});
