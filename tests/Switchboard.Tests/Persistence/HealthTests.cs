using System.Net;
using Npgsql;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Persistence;

public abstract class HealthTests(AppFixture fixture)
{
    [Fact]
    public async Task Live_and_ready_answer_200_when_the_database_answers()
    {
        using var client = fixture.App.CreateClient();

        (await client.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK);
        var ready = await client.GetAsync("/health/ready");
        ready.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ready.Content.ReadAsStringAsync()).Should().Be("Healthy");
    }
}

public sealed class HealthTests_Sqlite(SqliteAppFixture fixture) : HealthTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class HealthTests_Postgres(PostgresAppFixture fixture) : HealthTests(fixture), IClassFixture<PostgresAppFixture>
{
    [Fact]
    public async Task Ready_is_503_while_the_database_is_unreachable_and_recovers_by_itself()
    {
        await using var database = new PostgresTestDatabase();
        await database.CreateAsync();
        var server = new NpgsqlConnectionStringBuilder(PostgresTestDatabase.ServerConnectionString);
        await using var proxy = new TcpProxy(server.Host!, server.Port);
        proxy.Start();
        var viaProxy = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Port = proxy.Port, Timeout = 3 }.ToString();
        await using var app = new SwitchboardApp(database, new Dictionary<string, string?> { ["ConnectionStrings:Switchboard"] = viaProxy });
        using var client = app.CreateClient();
        (await client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK);

        proxy.Stop();
        (await client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await client.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK, "the process itself is fine");

        proxy.Start();
        (await WaitForAsync(client, HttpStatusCode.OK)).Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_node_started_while_the_database_is_down_upgrades_the_schema_and_becomes_ready_when_it_returns()
    {
        await using var database = new PostgresTestDatabase();
        await database.CreateAsync();
        var server = new NpgsqlConnectionStringBuilder(PostgresTestDatabase.ServerConnectionString);
        await using var proxy = new TcpProxy(server.Host!, server.Port);
        var viaProxy = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Port = proxy.Port, Timeout = 3 }.ToString();
        await using var app = new SwitchboardApp(database, new Dictionary<string, string?> { ["ConnectionStrings:Switchboard"] = viaProxy });
        using var client = app.CreateClient();

        (await client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);

        proxy.Start();
        (await WaitForAsync(client, HttpStatusCode.OK)).Should().Be(HttpStatusCode.OK);
        (await app.CreateTenantAsync()).Id.Should().NotBeEmpty("the schema was created once the database came back");
    }

    private static async Task<HttpStatusCode> WaitForAsync(HttpClient client, HttpStatusCode wanted)
    {
        var last = HttpStatusCode.InternalServerError;
        for (var i = 0; i < 60 && last != wanted; i++)
        {
            last = (await client.GetAsync("/health/ready")).StatusCode;
            if (last != wanted)
            {
                await Task.Delay(500);
            }
        }

        return last;
    }
}
