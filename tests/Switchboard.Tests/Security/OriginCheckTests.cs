using System.Net;
using System.Net.Http.Headers;
using Switchboard.Common.Configuration;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Security;

/// <summary>Switchboard with a public base URL and one extra allowed origin.</summary>
public abstract class OriginFixture(DatabaseProvider provider) : AppFixture(provider)
{
    protected override Task<IDictionary<string, string?>?> SettingsAsync() => Task.FromResult<IDictionary<string, string?>?>(new Dictionary<string, string?>
    {
        ["Switchboard:PublicBaseUrl"] = "https://switchboard.example.com",
        ["Switchboard:AllowedOrigins:0"] = "https://ops.example.com:8443",
    });
}

public sealed class SqliteOriginFixture() : OriginFixture(DatabaseProvider.Sqlite);

public sealed class PostgresOriginFixture() : OriginFixture(DatabaseProvider.Postgres);

/// <summary>The event stream answers this server's pages and server-to-server clients, never another site's page.</summary>
public abstract class OriginCheckTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Theory]
    [InlineData(null)]
    [InlineData("http://localhost")]
    [InlineData("http://localhost:80")]
    [InlineData("https://switchboard.example.com")]
    [InlineData("https://SWITCHBOARD.example.com:443")]
    [InlineData("https://ops.example.com:8443")]
    public async Task The_stream_opens_without_an_Origin_and_for_the_servers_own_origins(string? origin)
    {
        var tenant = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);

        using var response = await OpenAsync(client, tenant, origin);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        (await reader.ReadLineAsync())!.Should().StartWith("retry:");
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("http://localhost:8080")]
    [InlineData("https://localhost")]
    [InlineData("http://switchboard.example.com")]
    [InlineData("https://ops.example.com")]
    [InlineData("null")]
    [InlineData("not a url")]
    public async Task Another_sites_page_is_refused_with_403(string origin)
    {
        var tenant = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);

        using var response = await OpenAsync(client, tenant, origin);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await response.ReadJsonAsync())["type"]!.GetValue<string>().Should().Be("https://switchboard.dev/problems/forbidden");
    }

    private static async Task<HttpResponseMessage> OpenAsync(HttpClient client, TestTenant tenant, string? origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/tenants/{tenant.Id}/events");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (origin is not null)
        {
            request.Headers.TryAddWithoutValidation("Origin", origin);
        }

        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }
}

public sealed class OriginCheckTests_Sqlite(SqliteOriginFixture fixture) : OriginCheckTests(fixture), IClassFixture<SqliteOriginFixture>;

public sealed class OriginCheckTests_Postgres(PostgresOriginFixture fixture) : OriginCheckTests(fixture), IClassFixture<PostgresOriginFixture>;
