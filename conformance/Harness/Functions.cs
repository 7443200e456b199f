// One method per JS function: WebJobs discovers functions by reflection. A string orchestration trigger makes the
// extension treat the orchestrator as out-of-proc (OrchestrationTriggerAttributeBindingProvider.cs). The names are
// the fixtures' (conformance/fixtures/names.ts) and the app's functions that fixtures/appMigration.ts registers; run.ts
// checks that this list and the registered functions agree.
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
    [FunctionName("cfFailing")] public static Task<string> CfFailing([OrchestrationTrigger] string c) => Worker.Orchestrate("cfFailing", c);
    [FunctionName("cfVersioned")] public static Task<string> CfVersioned([OrchestrationTrigger] string c) => Worker.Orchestrate("cfVersioned", c);
    [FunctionName("cfReyield")] public static Task<string> CfReyield([OrchestrationTrigger] string c) => Worker.Orchestrate("cfReyield", c);

    [FunctionName("cfRecord")] public static Task<JToken> CfRecord([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("cfRecord", c);
    [FunctionName("cfHold")] public static Task<JToken> CfHold([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("cfHold", c);
    [FunctionName("cfAlwaysFails")] public static Task<JToken> CfAlwaysFails([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("cfAlwaysFails", c);

    // fixtures/strictness.ts (L1–L3 of issue 24)
    [FunctionName("cfOpenTimerAtContinue")] public static Task<string> CfOpenTimerAtContinue([OrchestrationTrigger] string c) => Worker.Orchestrate("cfOpenTimerAtContinue", c);
    [FunctionName("cfFailedFanOut")] public static Task<string> CfFailedFanOut([OrchestrationTrigger] string c) => Worker.Orchestrate("cfFailedFanOut", c);
    [FunctionName("cfFailsAtOnce")] public static Task<string> CfFailsAtOnce([OrchestrationTrigger] string c) => Worker.Orchestrate("cfFailsAtOnce", c);
    [FunctionName("cfSlowChild")] public static Task<string> CfSlowChild([OrchestrationTrigger] string c) => Worker.Orchestrate("cfSlowChild", c);
    [FunctionName("cfWakeWhileRunning")] public static Task<string> CfWakeWhileRunning([OrchestrationTrigger] string c) => Worker.Orchestrate("cfWakeWhileRunning", c);
    [FunctionName("cfWakeBeforeContinue")] public static Task<string> CfWakeBeforeContinue([OrchestrationTrigger] string c) => Worker.Orchestrate("cfWakeBeforeContinue", c);
    [FunctionName("cfBigStatus")] public static Task<string> CfBigStatus([OrchestrationTrigger] string c) => Worker.Orchestrate("cfBigStatus", c);

    // The app's orchestrations and the activities appMigration.ts stubs.
    [FunctionName("migration")] public static Task<string> AppMigration([OrchestrationTrigger] string c) => Worker.Orchestrate("migration", c);
    [FunctionName("createPeigAccountsBatch")] public static Task<string> AppCreatePeigAccountsBatch([OrchestrationTrigger] string c) => Worker.Orchestrate("createPeigAccountsBatch", c);
    [FunctionName("readAdminCommands")] public static Task<JToken> AppReadAdminCommands([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("readAdminCommands", c);
    [FunctionName("openHumanTasks")] public static Task<JToken> AppOpenHumanTasks([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("openHumanTasks", c);
    [FunctionName("tallyHumanTasks")] public static Task<JToken> AppTallyHumanTasks([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("tallyHumanTasks", c);
    [FunctionName("remindHumanTasks")] public static Task<JToken> AppRemindHumanTasks([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("remindHumanTasks", c);
    [FunctionName("closeHumanTasks")] public static Task<JToken> AppCloseHumanTasks([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("closeHumanTasks", c);
    [FunctionName("notifyAdmins")] public static Task<JToken> AppNotifyAdmins([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("notifyAdmins", c);
    [FunctionName("recordPhase")] public static Task<JToken> AppRecordPhase([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("recordPhase", c);
    [FunctionName("recordAttention")] public static Task<JToken> AppRecordAttention([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("recordAttention", c);
    [FunctionName("verifyChecklist")] public static Task<JToken> AppVerifyChecklist([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("verifyChecklist", c);
    [FunctionName("beginDeletion")] public static Task<JToken> AppBeginDeletion([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("beginDeletion", c);
    [FunctionName("deletePeigMigrationConfiguration")] public static Task<JToken> AppDeletePeigMigrationConfiguration([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("deletePeigMigrationConfiguration", c);
    [FunctionName("deleteMigrationApp")] public static Task<JToken> AppDeleteMigrationApp([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("deleteMigrationApp", c);
    [FunctionName("sendInvitations")] public static Task<JToken> AppSendInvitations([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("sendInvitations", c);
    [FunctionName("sendReminders")] public static Task<JToken> AppSendReminders([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("sendReminders", c);
    [FunctionName("monitorOnboarding")] public static Task<JToken> AppMonitorOnboarding([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("monitorOnboarding", c);
    [FunctionName("planMerges")] public static Task<JToken> AppPlanMerges([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("planMerges", c);
    [FunctionName("performMerges")] public static Task<JToken> AppPerformMerges([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("performMerges", c);
    [FunctionName("planPhase2")] public static Task<JToken> AppPlanPhase2([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("planPhase2", c);
    [FunctionName("createPeigAccounts")] public static Task<JToken> AppCreatePeigAccounts([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("createPeigAccounts", c);
    [FunctionName("writeReport")] public static Task<JToken> AppWriteReport([ActivityTrigger] IDurableActivityContext c) => Worker.Activity("writeReport", c);
}
