/**
 * The Node side of the real extension: answers the .NET harness's forwarded invocations by calling the
 * registered callbacks exactly as the local host's engine does (local/host/engine.ts): an orchestrator gets the
 * binding-info object and an InvocationContext and returns the SDK's OrchestratorState (or throws
 * OrchestrationFailureError, whose message carries the state); an activity gets its input and returns its output.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { InvocationContext } from "@azure/functions";
import { decodeInput } from "../../local/host/engine";
import { registry } from "../../local/host/fakeCore";

export interface WorkerServer {
  url: string;
  close(): Promise<void>;
}

export async function startWorker(log: (line: string) => void): Promise<WorkerServer> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const [, kind, rawName] = (req.url ?? "").split("/");
      const name = decodeURIComponent(rawName ?? "");
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "null");
      void invoke(kind, name, body).then((answer) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(answer));
      });
    });
  });
  async function invoke(kind: string | undefined, name: string, body: unknown) {
    const reg = registry.get(name);
    if (!reg) return { ok: false, message: `No function named '${name}' is registered`, stack: "" };
    const context = new InvocationContext({
      functionName: name,
      invocationId: randomUUID(),
      logHandler: (level, ...args) => log(`${level} ${name}: ${args.join(" ")}`),
    });
    try {
      if (kind === "orchestrator") return { ok: true, state: await reg.callback(body, context) };
      if (kind === "activity") return { ok: true, result: (await reg.callback(decodeInput(body), context)) ?? null };
      return { ok: false, message: `unknown invocation kind '${kind}'`, stack: "" };
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      return { ok: false, message: error.message, stack: error.stack ?? "" };
    }
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
