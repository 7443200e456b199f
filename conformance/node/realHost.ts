/**
 * The real side: Azurite with the blob, queue and table services (the Azure Storage provider needs all three;
 * local/azurite.ts starts only the Table service) and the .NET harness hosting the Durable extension on it.
 * The harness can be killed and started again on the same storage (the "restart mid-wait" scenario).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { DEV_ACCOUNT, DEV_KEY, freePort } from "../../local/azurite";
import { stopChild } from "../../local/stopChild";

const HARNESS_DIR = path.resolve(__dirname, "..", "Harness");
export const HARNESS_DLL = path.join(HARNESS_DIR, "bin", "Release", "net10.0", "Harness.dll");

export interface Storage {
  connectionString: string;
  stop(): Promise<void>;
}

/** How long the .NET host gets to stop before SIGKILL. */
const HOST_STOP_GRACE_MS = 15_000;

/** Waits until `child` has printed every pattern, or fails with what it printed. */
function waitForOutput(child: ChildProcess, patterns: RegExp[], what: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(
      () => done(new Error(`timed out after ${timeoutMs} ms waiting for ${what}:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (patterns.every((p) => p.test(output))) done();
    };
    const onExit = (code: number | null) => done(new Error(`${what} exited with code ${code}:\n${output}`));
    function done(err?: Error) {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolve(output);
    }
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
    child.once("exit", onExit);
  });
}

export async function startStorage(): Promise<Storage> {
  const [blob, queue, table] = [await freePort(), await freePort(), await freePort()];
  const main = path.join(path.dirname(require.resolve("azurite/package.json")), "dist", "src", "azurite.js");
  const args = [
    main,
    "--blobHost",
    "127.0.0.1",
    "--blobPort",
    String(blob),
    "--queueHost",
    "127.0.0.1",
    "--queuePort",
    String(queue),
  ];
  args.push(
    "--tableHost",
    "127.0.0.1",
    "--tablePort",
    String(table),
    "--inMemoryPersistence",
    "--disableTelemetry",
    "--skipApiVersionCheck",
    "--loose",
  );
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  await waitForOutput(
    child,
    [
      /Blob service is successfully listening/,
      /Queue service is successfully listening/,
      /Table service is successfully listening/,
    ],
    "Azurite",
    30_000,
  );
  const endpoint = (port: number) => `http://127.0.0.1:${port}/${DEV_ACCOUNT}`;
  return {
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};` +
      `BlobEndpoint=${endpoint(blob)};QueueEndpoint=${endpoint(queue)};TableEndpoint=${endpoint(table)};`,
    stop: () => stopChild(child, "SIGINT", HOST_STOP_GRACE_MS),
  };
}

/** Restores and builds the harness (incremental: bin/ and obj/ stay as a cache). Returns the build's output on failure. */
export function buildHarness(): void {
  const build = spawnSync("dotnet", ["build", HARNESS_DIR, "-c", "Release", "-nologo", "-v", "q", "-clp:ErrorsOnly"], {
    encoding: "utf8",
    env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: "1", DOTNET_NOLOGO: "1" },
  });
  if (build.status !== 0) throw new Error(`dotnet build failed:\n${build.stdout}\n${build.stderr}`);
}

/** The extension version the harness runs, read from its project file (one home for the pin). */
export function extensionVersion(): string {
  const csproj = fs.readFileSync(path.join(HARNESS_DIR, "Harness.csproj"), "utf8");
  return (
    /Include="Microsoft\.Azure\.WebJobs\.Extensions\.DurableTask" Version="\[?([^"\]]+)\]?"/.exec(csproj)?.[1] ??
    "unknown"
  );
}

export interface Harness {
  rpcBaseUrl: string;
  /** SIGKILL: the process dies mid-work, as a crashed or recycled host would. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * What host.json configures about orchestration versions (extensions.durableTask): the harness passes the same
 * settings to the extension, as the Functions host does when it reads host.json.
 */
export interface Versioning {
  defaultVersion: string;
  versionMatchStrategy: string;
  versionFailureStrategy: string;
}

export const hostJsonVersioning: Versioning = (() => {
  const durableTask = (
    JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../host.json"), "utf8")) as {
      extensions: { durableTask: Partial<Versioning> };
    }
  ).extensions.durableTask;
  const { defaultVersion, versionMatchStrategy, versionFailureStrategy } = durableTask;
  if (!defaultVersion || !versionMatchStrategy || !versionFailureStrategy)
    throw new Error(
      "host.json extensions.durableTask must set defaultVersion, versionMatchStrategy and versionFailureStrategy",
    );
  return { defaultVersion, versionMatchStrategy, versionFailureStrategy };
})();

/** host.json's defaultVersion: the version new instances get while this code is deployed. */
export const deployedVersion = hostJsonVersioning.defaultVersion;

export async function startHarness(options: {
  connectionString: string;
  workerUrl: string;
  taskHub: string;
  logFile: string;
  /** host.json's unless a scenario deploys another (a raised defaultVersion, say). */
  versioning?: Versioning;
}): Promise<Harness> {
  const versioning = options.versioning ?? hostJsonVersioning;
  const child = spawn("dotnet", [HARNESS_DLL], {
    stdio: ["pipe", "pipe", "pipe"],
    env: {
      ...process.env,
      DOTNET_CLI_TELEMETRY_OPTOUT: "1",
      AzureWebJobsStorage: options.connectionString,
      CONFORMANCE_WORKER_URL: options.workerUrl,
      CONFORMANCE_TASK_HUB: options.taskHub,
      CONFORMANCE_LOG: options.logFile,
      CONFORMANCE_DEFAULT_VERSION: versioning.defaultVersion,
      CONFORMANCE_VERSION_MATCH_STRATEGY: versioning.versionMatchStrategy,
      CONFORMANCE_VERSION_FAILURE_STRATEGY: versioning.versionFailureStrategy,
    },
  });
  const output = await waitForOutput(child, [/^RPC \S+/m, /^READY$/m], "the .NET harness", 90_000);
  // The log line ends its sentence with a full stop after the URL.
  const rpcBaseUrl = /^RPC (\S+)/m.exec(output)![1]!.replace(/\.$/, "");
  return {
    rpcBaseUrl: rpcBaseUrl.endsWith("/") ? rpcBaseUrl : `${rpcBaseUrl}/`,
    kill: () => stopChild(child, "SIGKILL", HOST_STOP_GRACE_MS),
    stop: async () => {
      child.stdin?.end();
      await stopChild(child, "SIGTERM", HOST_STOP_GRACE_MS);
    },
  };
}
