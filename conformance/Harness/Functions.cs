// One method per JS function: WebJobs discovers functions by reflection. A string orchestration trigger makes the
// extension treat the orchestrator as out-of-proc (OrchestrationTriggerAttributeBindingProvider.cs). The names are
// the fixtures' (conformance/fixtures/names.ts); run.ts checks that both lists agree.
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Newtonsoft.Json.Linq;

namespace Conformance;

public static class Functions
{
    [FunctionName("cfWait")] public static Task<string> CfWait([OrchestrationTrigger] string c) => Worker.Orchestrate("cfWait", c);
    [FunctionName("cfApprovalGate")] public static Task<string> CfApprovalGate([OrchestrationTrigger] string c) => Worker.Orchestrate("cfApprovalGate", c);
    [FunctionName("cfBetweenExecutions")] public static Task<string> CfBetweenExecutions([OrchestrationTrigger] string c) => Worker.Orchestrate("cfBetweenExecutions", c);
    [FunctionName("cfEventThenContinue")] public static Task<string> CfEventThenContinue([OrchestrationTrigger] string c) => Worker.Orchestrate("cfEventThenContinue", c);
    [FunctionName("cfRetriesExhausted")] public static Task<string> CfRetriesExhausted([OrchestrationTrigger] string c) => Worker.Orchestrate("cfRetriesExhausted", c);
    [FunctionName("cfFanOut")] public static Task<string> CfFanOut([OrchestrationTrigger] string c) => Worker.Orchestrate("cfFanOut", c);
    [FunctionName("cfBatch")] public static Task<string> CfBatch([OrchestrationTrigger] string c) => Worker.Orchestrate("cfBatch", c);
    [FunctionName("cfWakeDuringActivity")] public static Task<string> CfWakeDuringActivity([OrchestrationTrigger] string c) => Worker.Orchestrate("cfWakeDuringActivity", c);
    [FunctionName("cfReyield")] public static Task<string> CfReyield([OrchestrationTrigger] string c) => Worker.Orchestrate("cfReyield", c);

    [FunctionName("cfRecord")] public static Task<JToken> CfRecord([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("cfRecord", c);
    [FunctionName("cfHold")] public static Task<JToken> CfHold([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("cfHold", c);
    [FunctionName("cfAlwaysFails")] public static Task<JToken> CfAlwaysFails([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("cfAlwaysFails", c);
}
