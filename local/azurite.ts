/**
 * Starts Azurite's Table service (the npm package, 3.37.x, which needs Node 22) on a free loopback
 * port, for tests, the demo and CI. Always with --disableTelemetry: otherwise Azurite tries to send
 * telemetry off the machine. Its telemetry SDK is not even installed (package.json's `overrides`,
 * local/azuriteTelemetryOff/index.js).
 */
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import fs from "node:fs";
import { stopChild } from "./stopChild";

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
export const DEV_ACCOUNT = "devstoreaccount1";
export const DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface AzuriteHandle {
  tableEndpoint: string;
  connectionString: string;
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  /** Folder for persisted data; omitted = in memory (lost when stopped). */
  location?: string;
  port?: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function connectionStringFor(tableEndpoint: string): string {
  return `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};TableEndpoint=${tableEndpoint};`;
}

function azuriteTableMain(): string {
  const pkg = require.resolve("azurite/package.json");
  return path.join(path.dirname(pkg), "dist", "src", "table", "main.js");
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<AzuriteHandle> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await startOnPort(port, options);
    } catch (err) {
      lastError = err;
      if (options.port) break;
    }
  }
  throw new Error(`Azurite did not start: ${String(lastError)}`);
}

function startOnPort(port: number, options: AzuriteOptions): Promise<AzuriteHandle> {
  const args = [
    azuriteTableMain(),
    "--tableHost",
    "127.0.0.1",
    "--tablePort",
    String(port),
    "--disableTelemetry",
    "--skipApiVersionCheck",
    "--loose",
    // No access log: a line per request, formatted and piped to a reader that stopped listening once Azurite started.
    "--silent",
  ];
  if (options.location) {
    fs.mkdirSync(options.location, { recursive: true });
    args.push("--location", options.location);
  } else {
    args.push("--inMemoryPersistence");
  }
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const tableEndpoint = `http://127.0.0.1:${port}/${DEV_ACCOUNT}`;
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => fail(new Error(`timed out waiting for Azurite on port ${port}: ${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/successfully (started|listening)/i.test(output)) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        resolve({
          tableEndpoint,
          connectionString: connectionStringFor(tableEndpoint),
          // SIGINT, not SIGTERM: Azurite writes its tables to disk on SIGINT (otherwise only every 5 s).
          stop: () => stopChild(child, "SIGINT"),
        });
      }
    };
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(err);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
    child.once("exit", (code) => fail(new Error(`Azurite exited with code ${code}: ${output}`)));
  });
}
