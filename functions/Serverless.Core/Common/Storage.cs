using System.Collections.Concurrent;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace Serverless.Core.Common;

/// <summary>
/// The product's tables and queues. One storage account serves the durable engine and the product, as the
/// Functions host expects (<c>AzureWebJobsStorage</c>). Locally and in Azure the same settings are read:
/// a connection string (Azurite), or service URIs with a managed identity (Azure, no keys).
/// </summary>
public sealed class Storage
{
    private readonly TableServiceClient tables;
    private readonly QueueServiceClient queues;
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> readyTables = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<QueueClient>>> readyQueues = new();
    private readonly Recent<bool> requested = new();

    public Storage(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        Prefix = configuration["Storage:Prefix"] ?? string.Empty;
        if (Prefix.Length > 0 && (Prefix.Length > 20 || !Prefix.All(char.IsAsciiLetterOrDigit) || !char.IsAsciiLetterLower(Prefix[0])))
        {
            throw new InvalidOperationException("Storage:Prefix must be up to 20 lowercase letters and digits, starting with a letter.");
        }

        // Azurite accepts the queue API version of the SDK only with --skipApiVersionCheck, or this pin.
        var queueOptions = new QueueClientOptions(QueueClientOptions.ServiceVersion.V2026_06_06)
        {
            MessageEncoding = QueueMessageEncoding.Base64,
        };
        var tableOptions = new TableClientOptions();
        if (string.Equals(configuration[StorageOperations.Setting], "true", StringComparison.OrdinalIgnoreCase))
        {
            Operations = new StorageOperations();
            tableOptions.AddPolicy(Operations, Azure.Core.HttpPipelinePosition.PerRetry);
            queueOptions.AddPolicy(Operations, Azure.Core.HttpPipelinePosition.PerRetry);
        }

        var connection = ConnectionString(configuration);
        if (connection is not null)
        {
            tables = new TableServiceClient(connection, tableOptions);
            queues = new QueueServiceClient(connection, queueOptions);
            Description = connection.Contains("devstoreaccount1", StringComparison.Ordinal) || connection.Contains("UseDevelopmentStorage", StringComparison.Ordinal)
                ? "azurite" : "connection string";
        }
        else
        {
            var tableUri = configuration["AzureWebJobsStorage:tableServiceUri"];
            var queueUri = configuration["AzureWebJobsStorage:queueServiceUri"];
            if (tableUri is null || queueUri is null)
            {
                throw new InvalidOperationException(
                    "No storage configured: set Storage:ConnectionString, AzureWebJobsStorage, or AzureWebJobsStorage__tableServiceUri and __queueServiceUri.");
            }

            var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                ManagedIdentityClientId = configuration["AzureWebJobsStorage:clientId"],
            });
            tables = new TableServiceClient(new Uri(tableUri), credential, tableOptions);
            queues = new QueueServiceClient(new Uri(queueUri), credential, queueOptions);
            Description = "managed identity";
        }
    }

    /// <summary>The count of this storage's operations, when <c>Storage:CountOperations</c> is on; otherwise null.</summary>
    public StorageOperations? Operations { get; }

    /// <summary>Separates the tables and queues of several local hosts sharing one Azurite (tests). Empty in Azure.</summary>
    public string Prefix { get; }

    public string Description { get; }

    public static string? ConnectionString(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration["Storage:ConnectionString"];
        if (string.IsNullOrWhiteSpace(value))
        {
            value = configuration["AzureWebJobsStorage"];
        }

        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    public string QueueName(string queue) => Prefix.Length == 0 ? queue : $"{Prefix}-{queue}";

    /// <summary>The table, created on first use in this process.</summary>
    public Task<TableClient> TableAsync(string table, CancellationToken cancellation = default) =>
        readyTables.GetOrAdd(table, name => new Lazy<Task<TableClient>>(async () =>
        {
            var client = tables.GetTableClient(Prefix + name);
            await client.CreateIfNotExistsAsync(cancellation);
            return client;
        })).Value;

    /// <summary>The queue, created on first use in this process.</summary>
    public Task<QueueClient> QueueAsync(string queue, CancellationToken cancellation = default) =>
        readyQueues.GetOrAdd(queue, name => new Lazy<Task<QueueClient>>(async () =>
        {
            var client = queues.GetQueueClient(QueueName(name));
            await client.CreateIfNotExistsAsync(cancellationToken: cancellation);
            return client;
        })).Value;

    public async Task SendAsync(string queue, string message, CancellationToken cancellation = default)
    {
        var client = await QueueAsync(queue, cancellation);
        await client.SendMessageAsync(message, cancellation);
    }

    /// <summary>A message that becomes visible to the queue's handler only after <paramref name="delay"/>.</summary>
    public async Task SendAsync(string queue, string message, TimeSpan delay, CancellationToken cancellation = default)
    {
        var client = await QueueAsync(queue, cancellation);
        await client.SendMessageAsync(message, visibilityTimeout: delay, cancellationToken: cancellation);
    }

    /// <summary>
    /// Asks a queue's handler for work on <paramref name="key"/> (a partition to relay, a round to check), visible in
    /// <paramref name="delay"/>. Writes to one key in quick succession share one message: this process sends at most
    /// one per key per delay, and every write that skips its own has finished before that message becomes visible, so
    /// the handler sees it. Losing a message (a crash, a failed send) is left to the sweep behind each such queue.
    /// </summary>
    public async Task RequestAsync(string queue, string key, string message, TimeSpan delay, CancellationToken cancellation = default)
    {
        var now = DateTimeOffset.UtcNow;
        var requestKey = $"{queue}|{key}";
        if (requested.TryGet(requestKey, delay, now, out _))
        {
            return;
        }

        requested.Keep(requestKey, true, now);
        try
        {
            await SendAsync(queue, message, delay, cancellation);
        }
        catch (Azure.RequestFailedException)
        {
            // What asked for it is stored; the sweep finds it.
        }
    }

    /// <summary>A cheap round trip to the table service, for health.</summary>
    public async Task PingAsync(CancellationToken cancellation)
    {
        await foreach (var _ in tables.QueryAsync(maxPerPage: 1, cancellationToken: cancellation).AsPages(pageSizeHint: 1))
        {
            break;
        }
    }
}

/// <summary>The product's tables.</summary>
public static class TableNames
{
    public const string Organizations = "Organizations";
    public const string Rounds = "Rounds";
    public const string Applications = "Applications";
    public const string Reviews = "Reviews";
    public const string Results = "Results";
    public const string Objections = "Objections";
    public const string Outbox = "Outbox";
    public const string Grants = "Grants";
    public const string Tenders = "Tenders";
    public const string Bids = "Bids";
    public const string Questions = "Questions";
    public const string Evaluations = "Evaluations";
    public const string Awards = "Awards";
    public const string Challenges = "Challenges";
    public const string Contracts = "Contracts";
    public const string Performance = "Performance";
    public const string Volunteers = "Volunteers";
    public const string VolunteerIndex = "VolunteerIndex";
    public const string ServiceRequests = "ServiceRequests";
    public const string Offers = "Offers";
    public const string Bookings = "Bookings";
    public const string Ledger = "Ledger";
    public const string RequestsByDay = "RequestsByDay";
    public const string Pairings = "Pairings";
    public const string Members = "Members";
}
