/**
 * The real durable-functions DurableClient for either host, built as getClient builds it inside a client
 * function: for the real extension, the binding carries the RPC base URL of the extension's local listener
 * (LocalHttpListener.cs), which the client then uses for every call.
 */
import * as df from "durable-functions";
import { InvocationContext } from "@azure/functions";

export function clientForRpc(rpcBaseUrl: string, taskHub: string): df.DurableClient {
  const origin = new URL(rpcBaseUrl).origin;
  const base = `${origin}/runtime/webhooks/durabletask/`;
  const instance = `${base}instances/INSTANCEID`;
  const q = `taskHub=${taskHub}&connection=Storage`;
  const data = {
    taskHubName: taskHub,
    creationUrls: {
      createNewInstancePostUri: `${base}orchestrators/{functionName}[/{instanceId}]`,
      createAndWaitOnNewInstancePostUri: `${base}orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}`,
    },
    managementUrls: {
      id: "INSTANCEID",
      statusQueryGetUri: `${instance}?${q}`,
      sendEventPostUri: `${instance}/raiseEvent/{eventName}?${q}`,
      terminatePostUri: `${instance}/terminate?reason={text}&${q}`,
      rewindPostUri: `${instance}/rewind?reason={text}&${q}`,
      purgeHistoryDeleteUri: `${instance}?${q}`,
      restartPostUri: `${instance}/restart?${q}`,
      suspendPostUri: `${instance}/suspend?reason={text}&${q}`,
      resumePostUri: `${instance}/resume?reason={text}&${q}`,
    },
    baseUrl: base.slice(0, -1),
    requiredQueryStringParameters: "",
    rpcBaseUrl,
  };
  const input = df.input.durableClient();
  const context = new InvocationContext({ functionName: "conformance", options: { trigger: { type: "httpTrigger", name: "req" }, extraInputs: [input] } });
  context.extraInputs.set(input, data);
  return df.getClient(context);
}
