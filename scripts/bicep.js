#!/usr/bin/env node
/**
 * The real Bicep compiler for infra/: the Bicep CLI from NuGet (Azure.Bicep.CommandLine.linux-x64,
 * pinned in infra/tools/bicep.csproj), restored with `dotnet restore` from the machine's configured
 * NuGet feed into infra/tools/.packages/. Nothing is downloaded from anywhere else.
 *
 * As a command (a step of `npm test`): `bicep build` of infra/main.bicep, one result line, exit 1 on any error or
 * warning, the linter's included (a build logs every diagnostic of the compilation, modules and linter rules
 * included, as `bicep lint` does: Azure/bicep src/Bicep.Cli/Commands/LintCommand.cs and BuildCommand.cs; a second
 * process for `lint` cost 3 s of the run's serial start); the compiled ARM template goes to artifacts/infra/main.json,
 * where the infra tests read it. Without `dotnet` on the PATH it says so in one line and exits 0.
 * As a module: the same compiler for the infra tests (including mutated copies of infra/).
 */
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const infra = path.join(root, "infra");
const project = path.join(infra, "tools", "bicep.csproj");
const version = /Include="Azure\.Bicep\.CommandLine\.linux-x64" Version="\[([\d.]+)\]"/.exec(
  fs.readFileSync(project, "utf8"),
)[1];
const executable = path.join(
  infra,
  "tools",
  ".packages",
  "azure.bicep.commandline.linux-x64",
  version,
  "tools",
  "bicep",
);
const compiledMain = path.join(root, "artifacts", "infra", "main.json");

function hasDotnet() {
  return spawnSync("dotnet", ["--version"], { stdio: "ignore" }).status === 0;
}

/** The path of the pinned `bicep` executable, restoring it first when needed; null without dotnet. */
function bicepExecutable() {
  if (fs.existsSync(executable)) return executable;
  if (!hasDotnet()) return null;
  const restore = spawnSync("dotnet", ["restore", project, "--verbosity", "quiet"], { encoding: "utf8" });
  if (restore.status !== 0 || !fs.existsSync(executable)) {
    throw new Error(`dotnet restore of ${path.relative(root, project)} failed:\n${restore.stdout}${restore.stderr}`);
  }
  return executable;
}

/**
 * Bicep diagnostics look like `/path/file.bicep(12,5) : Warning no-unused-params: Parameter "x" is
 * declared but never used. [https://aka.ms/bicep/linter/no-unused-params]`.
 */
function diagnostics(output) {
  return output
    .split("\n")
    .filter((line) => /\) : (Error|Warning) /.test(line))
    .map((line) => ({ level: /\) : (Error|Warning) /.exec(line)[1], line: line.trim() }));
}

function run(bicep, args) {
  const result = spawnSync(bicep, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return {
    status: result.status,
    diagnostics: diagnostics(`${result.stdout}\n${result.stderr}`),
    output: `${result.stdout}${result.stderr}`,
  };
}

/**
 * Compiles a .bicep file to an ARM template. Returns { template, diagnostics }; template is null when
 * the compiler reported errors. Null without dotnet.
 */
function build(file, outFile) {
  const bicep = bicepExecutable();
  if (!bicep) return null;
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.rmSync(outFile, { force: true });
  const result = run(bicep, ["build", file, "--outfile", outFile]);
  const template = result.status === 0 && fs.existsSync(outFile) ? JSON.parse(fs.readFileSync(outFile, "utf8")) : null;
  return { ...result, template };
}

function newestMtime(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.name !== "tools")
    .map((entry) =>
      entry.isDirectory() ? newestMtime(path.join(dir, entry.name)) : fs.statSync(path.join(dir, entry.name)).mtimeMs,
    )
    .reduce((a, b) => Math.max(a, b), 0);
}

/** infra/main.bicep compiled, from artifacts/infra/main.json when that is newer than infra/. Null without dotnet. */
function mainTemplate() {
  if (fs.existsSync(compiledMain) && fs.statSync(compiledMain).mtimeMs >= newestMtime(infra)) {
    return JSON.parse(fs.readFileSync(compiledMain, "utf8"));
  }
  const result = build(path.join(infra, "main.bicep"), compiledMain);
  if (!result) return null;
  if (!result.template) throw new Error(`infra/main.bicep does not compile:\n${result.output}`);
  return result.template;
}

// shared/domain/plural.ts's rule; this script runs on plain Node, without the TypeScript loader.
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

function main() {
  const bicep = bicepExecutable();
  if (!bicep) {
    console.log("bicep: skipped (no dotnet on the PATH to restore the Bicep CLI from NuGet)");
    return 0;
  }
  const entry = path.join(infra, "main.bicep");
  const built = build(entry, compiledMain);
  const all = built.diagnostics;
  for (const d of all) console.log(d.line);
  const errors = all.filter((d) => d.level === "Error").length;
  const warnings = all.length - errors;
  const failed = built.status !== 0;
  if (failed && !all.length) console.log(built.output);
  console.log(
    `bicep ${version}: build of infra/main.bicep, linter included: ${plural(errors, "error")}, ${plural(warnings, "warning")}`,
  );
  return failed || all.length ? 1 : 0;
}

module.exports = { build, mainTemplate, bicepExecutable };

if (require.main === module) process.exit(main());
