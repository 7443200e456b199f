// Forwards invocations to the Node worker (conformance/node/worker.ts) over loopback HTTP and turns its answers
// into what the Functions host would hand the extension: the orchestrator's OrchestratorState JSON as the return
// value, and failures as the host's RpcException text ("Result: Failure\nException: …\nStack: …"), the shape
// OutOfProcExceptionHelpers.cs parses to find the "$OutOfProcData$" state of a failed orchestrator.
using System.Net.Http;
using System.Text;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Newtonsoft.Json.Linq;

namespace Conformance;

public static class Worker
{
    public static string BaseUrl { get; set; }

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(2) };

    // The extension blocks on the returned task (TaskOrchestrationShim.cs): run the I/O off its scheduler.
    public static Task<string> Orchestrate(string name, string bindingJson) =>
        Task.Run(async () => (string)(await Call("orchestrator", name, bindingJson).ConfigureAwait(false))["state"]!.ToString(Newtonsoft.Json.Formatting.None));

    public static Task<JToken> Activity(string name, IDurableActivityContext context) =>
        Task.Run(async () =>
        {
            JToken input = context.GetInput<JToken>();
            return (await Call("activity", name, (input ?? JValue.CreateNull()).ToString(Newtonsoft.Json.Formatting.None)).ConfigureAwait(false))["result"];
        });

    private static async Task<JObject> Call(string kind, string name, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await Http.PostAsync($"{BaseUrl}/{kind}/{Uri.EscapeDataString(name)}", content).ConfigureAwait(false);
        string text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        JObject answer = JObject.Parse(text);
        if (answer.Value<bool>("ok")) return answer;
        throw new WorkerException($"Result: Failure\nException: {answer.Value<string>("message")}\nStack: {answer.Value<string>("stack")}");
    }
}

public sealed class WorkerException(string message) : Exception(message);
