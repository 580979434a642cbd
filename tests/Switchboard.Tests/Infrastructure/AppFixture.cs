using Microsoft.Extensions.DependencyInjection;
using Switchboard.Common.Configuration;

namespace Switchboard.Tests.Infrastructure;

/// <summary>One app and one database per test class and provider; tests make their own tenants.</summary>
public abstract class AppFixture(DatabaseProvider provider) : IAsyncLifetime
{
    public TestDatabase Database { get; } = TestDatabase.For(provider);

    public SwitchboardApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Database.CreateMigratedAsync();
        App = new SwitchboardApp(Database, await SettingsAsync(), services: ConfigureServices);
        _ = App.Server;
    }

    /// <summary>Extra configuration for this fixture's app (for example a fake Graph API's URL).</summary>
    protected virtual Task<IDictionary<string, string?>?> SettingsAsync() => Task.FromResult<IDictionary<string, string?>?>(null);

    /// <summary>Services this fixture's app gets beside its own.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public virtual async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Database.DisposeAsync();
    }
}

public sealed class SqliteAppFixture() : AppFixture(DatabaseProvider.Sqlite);

public sealed class PostgresAppFixture() : AppFixture(DatabaseProvider.Postgres);
