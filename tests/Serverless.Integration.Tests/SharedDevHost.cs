using Serverless.Integration.Tests.Harness;

namespace Serverless.Integration.Tests;

/// <summary>One DevHost for the tests that need no restart: its start-up is paid once.</summary>
public sealed class SharedDevHost : IAsyncLifetime
{
    public DevHostProcess Host { get; private set; } = null!;

    public ApiClient Api => Host.Client;

    public async Task InitializeAsync() => Host = await DevHostProcess.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();

    /// <summary>Registers a fresh organization as the bureau and returns its id.</summary>
    public async Task<string> RegisterOrganizationAsync(string name = "道里区夕阳红养老服务中心")
    {
        var reply = await Api.PostAsync("organizations", Samples.OrganizationForm(Samples.NewCreditCode(), name), Samples.Admin);
        Assert.True(reply.Status == System.Net.HttpStatusCode.Created, reply.ToString());
        return reply.Str("id");
    }

    /// <summary>Creates and publishes a round whose window is open now and closes after <paramref name="closesIn"/>.</summary>
    public async Task<string> OpenRoundAsync(TimeSpan closesIn)
    {
        var now = DateTimeOffset.UtcNow;
        var created = await Api.PostAsync("rounds", Samples.RoundForm(now.AddMinutes(-1), now + closesIn), Samples.Admin);
        Assert.True(created.Status == System.Net.HttpStatusCode.Created, created.ToString());
        var id = created.Str("id");
        var published = await Api.PostAsync($"rounds/{id}/publish", null, Samples.Admin);
        Assert.True(published.Status == System.Net.HttpStatusCode.OK, published.ToString());
        return id;
    }
}

[CollectionDefinition(Name)]
public sealed class UsesSharedDevHost : ICollectionFixture<SharedDevHost>
{
    public const string Name = "shared DevHost";
}

internal static class Poll
{
    /// <summary>Polls until the condition holds; fails with the last reply after the limit (a bound, not a timing assertion).</summary>
    public static async Task<Reply> UntilAsync(Func<Task<Reply>> read, Func<Reply, bool> done, TimeSpan? limit = null)
    {
        var until = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(45));
        while (true)
        {
            var reply = await read();
            if (done(reply))
            {
                return reply;
            }

            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"Condition not reached; last reply: {reply}");
            }

            await Task.Delay(200);
        }
    }
}
