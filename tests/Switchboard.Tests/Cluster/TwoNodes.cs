using Microsoft.Extensions.DependencyInjection;
using Switchboard.Common.Realtime;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Cluster;

/// <summary>Two Switchboard nodes (in-process, each with its own caches and background services) on one fresh PostgreSQL database.</summary>
public sealed class TwoNodes : IAsyncDisposable
{
    private TwoNodes(TestDatabase database, SwitchboardApp a, SwitchboardApp b)
    {
        Database = database;
        A = a;
        B = b;
    }

    public TestDatabase Database { get; }

    public SwitchboardApp A { get; }

    public SwitchboardApp B { get; }

    public static async Task<TwoNodes> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var database = new PostgresTestDatabase();
        await database.CreateAsync();
        var a = new SwitchboardApp(database, settings);
        _ = a.Server;
        var shared = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Switchboard:MasterKey"] = a.MasterKey,
            ["Switchboard:OperatorApiKey"] = a.OperatorKey,
        };
        var b = new SwitchboardApp(database, shared);
        _ = b.Server;

        // A node flushes its caches when it starts listening; a test that fills a cache before then would see it emptied.
        foreach (var node in new[] { a, b })
        {
            await node.Services.GetRequiredService<CacheInvalidation>().Listening.WaitAsync(TimeSpan.FromSeconds(30));
        }

        return new TwoNodes(database, a, b);
    }

    public async ValueTask DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
        await Database.DisposeAsync();
    }
}
