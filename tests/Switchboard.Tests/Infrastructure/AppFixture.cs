using Switchboard.Hosting;

namespace Switchboard.Tests.Infrastructure;

/// <summary>One app and one database per test class and provider; tests make their own tenants.</summary>
public abstract class AppFixture(DatabaseProvider provider) : IAsyncLifetime
{
    public TestDatabase Database { get; } = TestDatabase.For(provider);

    public SwitchboardApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Database.CreateAsync();
        App = new SwitchboardApp(Database);
        _ = App.Server;
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Database.DisposeAsync();
    }
}

public sealed class SqliteAppFixture() : AppFixture(DatabaseProvider.Sqlite);

public sealed class PostgresAppFixture() : AppFixture(DatabaseProvider.Postgres);
