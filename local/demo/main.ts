/**
 * `npm start`: the main job on one command. Reads the options and, unless they ask only for the usage or are
 * mistaken, runs the demo (session.ts): starts the stack, runs a migration like an admin would (or, with --serve,
 * just serves), and stops everything cleanly on Ctrl-C with the state saved, so the next start resumes.
 * docs/demo.md describes what you see.
 */
import { parseDemoArgs, USAGE } from "./args";
import { cacheTranspiledTypeScript } from "./transpileCache";

export async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseDemoArgs(argv);
  if (parsed.kind === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (parsed.kind === "error") {
    process.stderr.write(`npm start: ${parsed.message}\n\n${USAGE}\n`);
    return 2;
  }
  // Loaded only now: the app, the host and the simulators take seconds of CPU to load, which the usage text does not
  // need; and through the transpile cache, which saves half of that from the second start on.
  cacheTranspiledTypeScript();
  const { runDemo } = await import("./session");
  return runDemo(parsed.options);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`npm start failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
