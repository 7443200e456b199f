/**
 * The demo once its options are read (main.ts): starts the stack (Azurite, the simulators, the durable host on an
 * accelerated real clock), runs a migration like an admin would (or, with --serve, just serves), and stops everything
 * cleanly on Ctrl-C with the state saved, so the next start resumes. docs/demo.md describes what you see.
 */
import { LOCAL_ADMIN } from "../fixtures/staff";
import { installCoreShim } from "../host/installCoreShim";
import type { LogSink } from "../host/engine";
import { chooseSetup, type DemoOptions } from "./args";
import { startDemoStack, type DemoStack } from "./demoStack";
import { runMigration } from "./migrationRun";
import { DemoStateFolder } from "./persistence";
import { formatDuration, ProgressDisplay } from "./progress";
import { serveInstructions, watchMigrations } from "./serve";
import { DAY } from "../../shared/domain/duration";

/** The conventional exit code of a program stopped by SIGINT. */
const INTERRUPTED = 130;

export async function runDemo(options: DemoOptions): Promise<number> {
  const began = Date.now();
  const display = new ProgressDisplay(process.stdout);
  // `npm start | head -5`: the reader is gone (EPIPE on the next write, possibly before the stack is up). Stop as on
  // Ctrl-C, once, so that no child process (Azurite) outlives the demo.
  let outputClosed = false;
  let onOutputClosed = () => {};
  const onOutputError = (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE" && err.code !== "EIO") throw err;
    if (outputClosed) return;
    outputClosed = true;
    onOutputClosed();
  };
  process.stdout.on("error", onOutputError);
  process.stderr.on("error", onOutputError);
  // With no terminal attached nobody can click the approval links: approve through the pages, as
  // --auto-approve does, so the main job still runs to its end.
  const autoApprove = options.autoApprove || (!options.serve && !process.stdin.isTTY && !process.stdout.isTTY);
  if (autoApprove && !options.autoApprove)
    display.message(
      "No terminal attached: approving through the task pages automatically (run it in a terminal to click the links yourself).",
    );
  const folder = new DemoStateFolder(options.stateDir);
  if (options.reset) folder.reset();
  const previous = folder.readState();
  const { setup, ignored } = chooseSetup(options, previous?.setup);
  if (ignored.length)
    display.message(
      `Resuming the demo in ${folder.dir}: ignoring ${ignored.join(", ")} (use --reset to start over with them).`,
    );

  // The local stack registers the app on its services: the stand-in for the Functions host must be in place first.
  installCoreShim();

  const log: LogSink | undefined = options.verbose
    ? (level, source, message) => display.message(`[${level}] ${source}: ${message}`)
    : undefined;
  display.message(
    `${previous ? "Resuming" : "Starting"}: Azurite in ${folder.azuriteDir}, the Graph and Peig simulators (${setup.users} users, Peig ${setup.operator ? "operator" : "api"} mode), ` +
      `the durable host at ×${options.acceleration} (14 simulated days ≈ ${formatDuration((14 * DAY) / options.acceleration)}).`,
  );
  const demo = await startDemoStack({ folder, setup, acceleration: options.acceleration, previous, log });
  if (demo.mail.senders.length > 1)
    display.message(
      `Mail: ${demo.mail.senders.length} sender mailboxes (${demo.mail.senders[0]} … ${demo.mail.senders.at(-1)}): Exchange Online lets each send to 10,000 recipients a day, and the invitation and reminders go to ${demo.mail.recipients} users.`,
    );

  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(INTERRUPTED); // a second Ctrl-C: do not wait any longer
    stop.abort();
    display.end();
    display.message("Stopping: saving the state so that the next `npm start` resumes…");
    // At once, not after the run loop unwinds: the simulated time reached is the time of the signal.
    void demo.stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal); // the terminal closed
  onOutputClosed = () => {
    if (!stop.signal.aborted) onSignal();
  };
  if (outputClosed) onOutputClosed(); // closed while the stack was starting
  // On Ctrl-C the terminal signals Azurite too, so writes still in flight may fail while stopping: expected.
  process.on("unhandledRejection", (err) => {
    if (!stop.signal.aborted)
      display.message(`Unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  });

  let exitCode = INTERRUPTED;
  try {
    if (options.serve) await serve(demo, options, stop.signal, display);
    else {
      const outcome = await runMigration(
        demo,
        folder,
        { deadlineDays: setup.deadlineDays, autoApprove, operator: setup.operator },
        display,
        stop.signal,
      );
      if (outcome.kind === "finished") exitCode = outcome.exitCode;
    }
  } catch (err) {
    if (!stop.signal.aborted) throw err; // while stopping, requests in flight fail: that is not an error
  } finally {
    await demo.stop();
  }
  display.message(
    exitCode === INTERRUPTED
      ? `Stopped after ${elapsed(began)}. Run \`npm start\` again to resume.`
      : `Done in ${elapsed(began)}.`,
  );
  return exitCode;
}

async function serve(
  demo: DemoStack,
  options: DemoOptions,
  signal: AbortSignal,
  display: ProgressDisplay,
): Promise<void> {
  const { stack } = demo;
  display.message(
    serveInstructions({
      baseUrl: demo.baseUrl,
      functionKey: demo.functionKey,
      admin: LOCAL_ADMIN,
      graphBaseUrl: stack.graph.baseUrl,
      peigOrigin: stack.peig.origin,
      peigApiBaseUrl: stack.peig.baseUrl,
      peigApiKey: stack.peig.apiKey,
      peigConsoleUrl: stack.peig.consoleUrl,
      domain: stack.tenant.domain,
      exampleDeadline: new Date(demo.clock.now().getTime() + options.deadlineDays * DAY).toISOString(),
      acceleration: options.acceleration,
      exampleUserId: stack.tenant.users[0].id,
    }),
  );
  if (demo.state.migrationId)
    display.message(`Migration ${demo.state.migrationId} from the earlier run goes on in the background.`);
  const statusPage = (id: string) => `${demo.baseUrl}/api/migrations/${id}/page`;
  const stopWatching = watchMigrations(demo.engine, statusPage, (line) => display.message(line));
  await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  stopWatching();
}

function elapsed(since: number): string {
  const seconds = Math.round((Date.now() - since) / 1000);
  return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, "0")}s`;
}
