/**
 * The real durable-functions DurableClient for either host, built as getClient builds it inside a client
 * function: for the real extension, the binding carries the RPC base URL of the extension's local listener
 * (LocalHttpListener.cs), which the client then uses for every call.
 */
import * as df from "durable-functions";
import { InvocationContext } from "@azure/functions";
import { durableClientBinding } from "../../local/host/server";

export function clientForRpc(rpcBaseUrl: string, taskHub: string): df.DurableClient {
  const data = durableClientBinding({
    webhookBase: `${new URL(rpcBaseUrl).origin}/runtime/webhooks/durabletask/`,
    taskHub,
    rpcBaseUrl,
  });
  const input = df.input.durableClient();
  const context = new InvocationContext({
    functionName: "conformance",
    options: { trigger: { type: "httpTrigger", name: "req" }, extraInputs: [input] },
  });
  context.extraInputs.set(input, data);
  return df.getClient(context);
}
