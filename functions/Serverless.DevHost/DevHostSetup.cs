using System.Net;
using System.Net.Sockets;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;
using Serverless.Core;
using Serverless.Core.Common;

namespace Serverless.DevHost;

/// <summary>How the DevHost is put together; Program.cs reads as the list of these steps.</summary>
internal static partial class DevHostSetup
{
    /// <summary>Starts Azurite when the configured storage does not answer; the caller disposes it on exit.</summary>
    public static async Task<AzuriteLauncher?> StartStorageAsync(this WebApplicationBuilder builder)
    {
        using var loggers = LoggerFactory.Create(b => b.AddConfiguration(builder.Configuration.GetSection("Logging")).AddSimpleConsole());
        var connection = Storage.ConnectionString(builder.Configuration)
            ?? throw new InvalidOperationException("Set Storage:ConnectionString (UseDevelopmentStorage=true for Azurite).");
        return await AzuriteLauncher.EnsureAsync(connection, loggers.CreateLogger("Serverless.DevHost.Azurite"), CancellationToken.None);
    }

    /// <summary>
    /// The durable engine Durable Functions uses in Azure by default (the Azure Storage backend), hosted
    /// without the Functions host: the Durable Task gRPC sidecar serves it on a loopback HTTP/2 port and the
    /// worker and client of the core's orchestrations connect to it. State lives in storage, so an
    /// orchestration started before a restart of the DevHost goes on after it.
    /// </summary>
    public static void AddDurableEngine(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var apiPort = config.GetValue("DevHost:Port", 7071);
        var grpcPort = config.GetValue("DevHost:GrpcPort", 0);
        if (grpcPort == 0)
        {
            grpcPort = FreePort();
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, apiPort, o => o.Protocols = HttpProtocols.Http1);
            kestrel.Listen(IPAddress.Loopback, grpcPort, o => o.Protocols = HttpProtocols.Http2);
        });

        var hub = config["Durable:TaskHub"] ?? "ServerlessDevHost";
        var connection = Storage.ConnectionString(config)!;
        builder.Services.AddSingleton(sp => new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = new StorageAccountClientProvider(connection),
            TaskHubName = hub,
            PartitionCount = config.GetValue("Durable:PartitionCount", 1),
            // The backend backs off polling its queues up to this when idle; short, so a timer that fires is
            // seen within about a second (a round closes within ~2 s of its deadline).
            MaxQueuePollingInterval = config.GetValue("Durable:MaxQueuePollingInterval", TimeSpan.FromMilliseconds(500)),
            // A stable worker id per machine and hub, and a short lease, so that after a crash the restarted
            // DevHost takes its partitions back within seconds instead of the default 30.
            WorkerId = $"{Environment.MachineName}-{hub}",
            LeaseInterval = config.GetValue("Durable:LeaseInterval", TimeSpan.FromSeconds(10)),
            LeaseRenewInterval = TimeSpan.FromSeconds(3),
            LeaseAcquireInterval = TimeSpan.FromSeconds(2),
            // The app lease keeps two app versions off one task hub in Azure; one local process has no
            // rival, and waiting for a dead process's app lease to lapse would stall a restart.
            UseAppLease = false,
            // A message a crashed process had dequeued stays invisible this long before another takes it, so a
            // restarted DevHost's workflows may wait this long; the default five minutes is long for a developer.
            // It must also outlast a message's wait in the engine's buffer (up to 64 dequeued messages ahead of
            // it) and its episode: nothing renews it. At 10 s, 2,000 service requests made at once let messages
            // reappear while still buffered, run twice ("Multiple ExecutionStartedEvent") and end as poison;
            // at 2 minutes none did (docs/PERFORMANCE.md).
            ControlQueueVisibilityTimeout = config.GetValue("Durable:ControlQueueVisibilityTimeout", TimeSpan.FromMinutes(2)),
            WorkItemQueueVisibilityTimeout = config.GetValue("Durable:WorkItemQueueVisibilityTimeout", TimeSpan.FromSeconds(30)),
            LoggerFactory = sp.GetRequiredService<ILoggerFactory>(),
            CustomMessageTypeBinder = new SidecarTypeBinder(),
        }));
        builder.Services.AddSingleton<IOrchestrationService>(sp => sp.GetRequiredService<AzureStorageOrchestrationService>());
        builder.Services.AddSingleton<IOrchestrationServiceClient>(sp => sp.GetRequiredService<AzureStorageOrchestrationService>());
        // Registered before the sidecar so the task hub's queues and tables exist before it dispatches.
        builder.Services.AddHostedService<TaskHubCreator>();
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        builder.Services.AddGrpc();

        var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        builder.Services.AddDurableTaskWorker(worker =>
        {
            worker.UseGrpc(channel);
            worker.AddTasks(RouteTable.AddDurableTasks);
        });
        builder.Services.AddDurableTaskClient(client =>
        {
            client.UseGrpc(channel);
            client.RegisterDirectly();
        });
        builder.Services.AddSingleton(new DurableEndpoint(hub, grpcPort, apiPort));

        // Kestrel drains open requests before it stops, and the worker's work-item stream to the sidecar
        // stays open until the worker stops: stopping everything at once lets Ctrl+C end in about a second
        // instead of waiting out the shutdown timeout.
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ServicesStopConcurrently = true;
            o.ShutdownTimeout = TimeSpan.FromSeconds(10);
        });
    }

    /// <summary>The core's services, plus one runner per schedule and one listener per queue of the route table.</summary>
    public static void AddCoreAndJobs(this WebApplicationBuilder builder)
    {
        builder.Services.AddServerlessCore();
        foreach (var schedule in RouteTable.Schedules)
        {
            // Tests and demos may run a schedule faster (DevHost:Schedules:<name>); Azure uses the table's CRON.
            var cron = builder.Configuration[$"DevHost:Schedules:{schedule.Name}"] ?? schedule.Cron;
            if (!string.Equals(cron, "off", StringComparison.OrdinalIgnoreCase))
            {
                builder.Services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<ScheduleRunner>(sp, schedule, cron));
            }
        }

        foreach (var queue in RouteTable.Queues)
        {
            builder.Services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<QueueListener>(sp, queue));
        }
    }

    /// <summary>Serves every HTTP endpoint of the route table under /api, exactly as the Functions app does.</summary>
    public static void MapCoreRoutes(this WebApplication app)
    {
        var api = app.MapGroup("/api");
        foreach (var endpoint in RouteTable.Http)
        {
            var name = endpoint.Name;
            api.MapMethods(endpoint.Route, [endpoint.Method],
                (HttpContext http, DurableTaskClient durable) => Api.InvokeAsync(name, http.Request, durable, http.RequestServices))
                .WithName(name);
        }

        // "{*path}", not the default "{*path:nonfile}": an address that looks like a file (openapi.json) is a route here too.
        api.MapFallback("{*path}", (HttpContext http) => Reply.Problem(Problem.NotFound($"The route {http.Request.Method} {http.Request.Path}"), http.Request));
    }

    public static void MapDurableSidecar(this WebApplication app) => app.MapGrpcService<TaskHubGrpcServer>();

    public static void PrintWhereItListens(this WebApplication app)
    {
        var endpoint = app.Services.GetRequiredService<DurableEndpoint>();
        var storage = app.Services.GetRequiredService<Storage>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Serverless.DevHost");
        var api = $"http://127.0.0.1:{endpoint.ApiPort}/api";
        Log.Listening(logger, api, storage.Description, endpoint.TaskHub, endpoint.GrpcPort,
            app.Environment.EnvironmentName);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information,
            Message = "Serverless DevHost listening on {Api} (storage: {Storage}; durable task hub {Hub} on gRPC port {GrpcPort}; environment {Environment})")]
        public static partial void Listening(ILogger logger, string api, string storage, string hub, int grpcPort, string environment);
    }
}

internal sealed record DurableEndpoint(string TaskHub, int GrpcPort, int ApiPort);

/// <summary>Creates the task hub's queues, tables and containers before the engine starts dispatching.</summary>
internal sealed class TaskHubCreator(AzureStorageOrchestrationService service) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => service.CreateIfNotExistsAsync();

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
