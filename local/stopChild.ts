import type { ChildProcess } from "node:child_process";

/**
 * Sends `signal` to a child process and resolves once it has exited, with SIGKILL after `graceMs` if it has not; at
 * once when it has already exited. Its earlier "exit" listeners go first: a start-up watcher would report this exit
 * as a failure.
 */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM", graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.removeAllListeners("exit");
    child.once("exit", () => resolve());
    child.kill(signal);
    setTimeout(() => child.kill("SIGKILL"), graceMs).unref();
  });
}
