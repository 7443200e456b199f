// Hosts the real Durable Task extension (Microsoft.Azure.WebJobs.Extensions.DurableTask) in a plain WebJobs
// host, the way the extension's own tests do (test/FunctionsV2/PlatformSpecificHelpers.FunctionsV2.cs), with the
// Azure Storage provider on the Azurite the driver started. FUNCTIONS_WORKER_RUNTIME=node makes the extension
// speak the out-of-proc JSON protocol of the JS SDK and open its local RPC endpoint, which the driver's real
// DurableClient uses. Every orchestrator and activity invocation is forwarded to the Node worker (Worker.cs).
using DurableTask.Core.Settings;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Microsoft.Azure.WebJobs.Host.Config;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Conformance;

public static class Program
{
    public static async Task Main()
    {
        string Require(string name) =>
            Environment.GetEnvironmentVariable(name) ?? throw new InvalidOperationException($"{name} is not set");
        Require("AzureWebJobsStorage");
        Worker.BaseUrl = Require("CONFORMANCE_WORKER_URL").TrimEnd('/');
        string hub = Require("CONFORMANCE_TASK_HUB");
        string logFile = Require("CONFORMANCE_LOG");
        // host.json's extensions.durableTask versioning settings, as the Functions host would pass them to the
        // extension (it binds host.json to DurableTaskOptions; enum names case-insensitive).
        string defaultVersion = Require("CONFORMANCE_DEFAULT_VERSION");
        var matchStrategy = Enum.Parse<VersioningSettings.VersionMatchStrategy>(Require("CONFORMANCE_VERSION_MATCH_STRATEGY"), ignoreCase: true);
        var failureStrategy = Enum.Parse<VersioningSettings.VersionFailureStrategy>(Require("CONFORMANCE_VERSION_FAILURE_STRATEGY"), ignoreCase: true);
        Environment.SetEnvironmentVariable("FUNCTIONS_WORKER_RUNTIME", "node");

        IHost host = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddEnvironmentVariables())
            .ConfigureLogging(l =>
            {
                l.SetMinimumLevel(LogLevel.Information);
                l.AddProvider(new HarnessLoggerProvider(logFile));
                l.AddFilter("Azure.Core", LogLevel.Warning);
            })
            .ConfigureWebJobs(b =>
            {
                b.AddDurableTask(o =>
                {
                    o.HubName = hub;
                    o.DefaultVersion = defaultVersion;
                    o.VersionMatchStrategy = matchStrategy;
                    o.VersionFailureStrategy = failureStrategy;
                    o.LocalRpcEndpointEnabled = true;
                    o.StorageProvider["ConnectionName"] = "AzureWebJobsStorage";
                    // As in the extension's tests: one worker, so skip the lease balancing that slows start-up.
                    o.StorageProvider["UseLegacyPartitionManagement"] = true;
                    o.StorageProvider["partitionCount"] = 1;
                    // Scenarios run on real time: poll the queues often rather than backing off to 30 s.
                    o.StorageProvider["maxQueuePollingInterval"] = TimeSpan.FromMilliseconds(500);
                    o.Tracing.TraceInputsAndOutputs = true;
                });
            })
            .ConfigureServices(s =>
            {
                s.AddSingleton<ITypeLocator>(new FixedTypeLocator(typeof(Functions)));
                // The Functions host supplies the webhook base URL the start API puts in its links; here nobody does.
                s.AddSingleton<IWebHookProvider>(new LoopbackWebHookProvider());
            })
            .Build();

        await host.StartAsync();
        Console.WriteLine("READY");
        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
        // The driver closes stdin to ask for a graceful stop.
        _ = Task.Run(async () => { await Console.In.ReadToEndAsync(); stop.TrySetResult(); });
        await stop.Task;
        await host.StopAsync();
    }
}

/** WebJobs finds functions by reflection over the types this returns (the extension's tests use the same seam). */
public sealed class FixedTypeLocator(params Type[] types) : ITypeLocator
{
    public IReadOnlyList<Type> GetTypes() => types;
}

public sealed class LoopbackWebHookProvider : IWebHookProvider
{
    public Uri GetUrl(IExtensionConfigProvider extension) => new("http://127.0.0.1/runtime/webhooks/durabletask");
}

/** Writes the host's log to a file and tells the driver, on stdout, where the local RPC endpoint listens. */
public sealed class HarnessLoggerProvider(string path) : ILoggerProvider
{
    private readonly StreamWriter writer = new(path, append: true) { AutoFlush = true };

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    public void Dispose() => writer.Dispose();

    private sealed class FileLogger(HarnessLoggerProvider owner, string category) : ILogger
    {
        public IDisposable BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception exception, Func<TState, Exception, string> formatter)
        {
            string message = formatter(state, exception) ?? state?.ToString() ?? "";
            const string rpc = "Opened local http RPC endpoint: ";
            if (message.StartsWith(rpc)) Console.WriteLine("RPC " + message[rpc.Length..].Trim());
            lock (owner.writer)
            {
                owner.writer.WriteLine($"{DateTime.UtcNow:O} {logLevel} {category}: {message}{(exception != null ? "\n" + exception : "")}");
            }
        }
    }
}
