using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Switchboard.Common.Configuration;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Security;

/// <summary>Switchboard behind a reverse proxy at 10.0.0.1 or in 10.1.0.0/16, with a low sign-in limit.</summary>
public abstract class ReverseProxyFixture(DatabaseProvider provider) : AppFixture(provider)
{
    public const int LoginLimit = 2;
    public const string PublicBaseUrl = "https://switchboard.example.com";

    protected override Task<IDictionary<string, string?>?> SettingsAsync() => Task.FromResult<IDictionary<string, string?>?>(new Dictionary<string, string?>
    {
        ["Switchboard:ForwardedHeaders:KnownProxies:0"] = "10.0.0.1",
        ["Switchboard:ForwardedHeaders:KnownNetworks:0"] = "10.1.0.0/16",
        ["Switchboard:PublicBaseUrl"] = PublicBaseUrl,
        ["Switchboard:RateLimits:Login:PermitLimit"] = LoginLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Switchboard:RateLimits:Login:Window"] = "00:10:00",
    });
}

public sealed class SqliteReverseProxyFixture() : ReverseProxyFixture(DatabaseProvider.Sqlite);

public sealed class PostgresReverseProxyFixture() : ReverseProxyFixture(DatabaseProvider.Postgres);

/// <summary>
/// Forwarded headers count only from configured proxies: then rate limits key on the real client and
/// cookies see https; from any other peer the headers are ignored. Links never follow the Host header,
/// and loading a sign-in form spends no sign-in attempt.
/// </summary>
public abstract class ReverseProxyTests(ReverseProxyFixture fixture)
{
    private static int nextAddress;

    private SwitchboardApp App => fixture.App;

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("10.1.200.7")]
    [InlineData("::ffff:10.0.0.1")]
    public async Task Behind_a_known_proxy_the_sign_in_limit_counts_per_forwarded_client(string proxy)
    {
        var client = NewClientAddress();
        var neighbour = NewClientAddress();

        var statuses = new List<int>();
        for (var i = 0; i <= ReverseProxyFixture.LoginLimit; i++)
        {
            statuses.Add((await AcceptInviteAsync(proxy, ("X-Forwarded-For", client))).Response.StatusCode);
        }

        statuses.Should().Equal([.. Enumerable.Repeat(404, ReverseProxyFixture.LoginLimit), 429]);
        (await AcceptInviteAsync(proxy, ("X-Forwarded-For", neighbour))).Response.StatusCode.Should().Be(404, "another client behind the same proxy has its own budget");
    }

    [Fact]
    public async Task From_any_other_peer_forwarded_headers_are_ignored()
    {
        var peer = "192.0.2." + (Interlocked.Increment(ref nextAddress) % 250);

        var statuses = new List<int>();
        for (var i = 0; i <= ReverseProxyFixture.LoginLimit; i++)
        {
            var context = await AcceptInviteAsync(peer, ("X-Forwarded-For", NewClientAddress()), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "evil.example"));
            statuses.Add(context.Response.StatusCode);
        }

        statuses.Should().Equal([.. Enumerable.Repeat(404, ReverseProxyFixture.LoginLimit), 429], "a peer cannot choose a fresh address for each attempt");
    }

    [Fact]
    public async Task The_forwarded_scheme_of_a_known_proxy_makes_the_antiforgery_cookie_secure_and_nobody_elses_does()
    {
        var behindProxy = await SendAsync("GET", "/account/login", "10.0.0.1", ("X-Forwarded-For", NewClientAddress()), ("X-Forwarded-Proto", "https"));
        var direct = await SendAsync("GET", "/account/login", "192.0.2.200", ("X-Forwarded-For", NewClientAddress()), ("X-Forwarded-Proto", "https"));

        behindProxy.Response.StatusCode.Should().Be(200);
        direct.Response.StatusCode.Should().Be(200);
        AntiforgeryCookie(behindProxy).Should().Contain("secure");
        AntiforgeryCookie(direct).Should().NotContain("secure");
    }

    [Fact]
    public async Task Loading_the_sign_in_and_invite_pages_spends_no_sign_in_attempt()
    {
        var peer = NewClientAddress();

        var pages = new List<int>();
        for (var i = 0; i < ReverseProxyFixture.LoginLimit * 3; i++)
        {
            pages.Add((await SendAsync("GET", "/account/login", peer)).Response.StatusCode);
            pages.Add((await SendAsync("GET", "/account/invite?code=not-a-code", peer)).Response.StatusCode);
        }

        pages.Should().OnlyContain(s => s == 200);
        (await AcceptInviteAsync(peer)).Response.StatusCode.Should().Be(404, "the first real attempt is still within the limit");
    }

    [Fact]
    public async Task Webhook_and_invite_links_use_the_public_base_url_whatever_the_host_header()
    {
        var tenant = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);

        using var channel = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/tenants/{tenant.Id}/channels") { Content = Json(Builders.ChannelRequest(Builders.NewPhoneNumberId())) };
        channel.Headers.Host = "evil.example";
        using var invite = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/tenants/{tenant.Id}/invites") { Content = Json(new { email = $"p-{Guid.NewGuid():N}@example.test", role = "agent" }) };
        invite.Headers.Host = "evil.example";
        invite.Headers.Add("X-Forwarded-Host", "evil.example");

        var channelBody = await (await client.SendAsync(channel)).ReadJsonAsync();
        var inviteBody = await (await client.SendAsync(invite)).ReadJsonAsync();

        channelBody["webhookUrl"]!.GetValue<string>().Should().Be($"{ReverseProxyFixture.PublicBaseUrl}/webhooks/whatsapp/{tenant.Id}");
        inviteBody["inviteUrl"]!.GetValue<string>().Should().StartWith($"{ReverseProxyFixture.PublicBaseUrl}/account/invite?code=");
    }

    private static string NewClientAddress() => "203.0." + (Interlocked.Increment(ref nextAddress) / 250) + "." + (nextAddress % 250);

    private static StringContent Json(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static string AntiforgeryCookie(HttpContext context) =>
        context.Response.Headers.SetCookie.Select(c => c ?? "").Single(c => c.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal)).ToLowerInvariant();

    private Task<HttpContext> AcceptInviteAsync(string peer, params (string Name, string Value)[] headers) =>
        SendAsync("POST", "/api/v1/invites/accept", peer, headers, """{"code":"no-such-invite","password":"correct horse battery staple"}""");

    private Task<HttpContext> SendAsync(string method, string pathAndQuery, string peer, params (string Name, string Value)[] headers) =>
        SendAsync(method, pathAndQuery, peer, headers, null);

    /// <summary>A request as it arrives from <paramref name="peer"/> (the test server's connections have no address of their own).</summary>
    private Task<HttpContext> SendAsync(string method, string pathAndQuery, string peer, (string Name, string Value)[] headers, string? json) =>
        App.Server.SendAsync(context =>
        {
            var query = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
            context.Request.Method = method;
            context.Request.Path = query < 0 ? pathAndQuery : pathAndQuery[..query];
            context.Request.QueryString = query < 0 ? QueryString.Empty : new QueryString(pathAndQuery[query..]);
            context.Request.Headers.Accept = "text/html,application/json";
            context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
            foreach (var (name, value) in headers)
            {
                context.Request.Headers[name] = value;
            }

            if (json is not null)
            {
                var body = Encoding.UTF8.GetBytes(json);
                context.Request.ContentType = "application/json";
                context.Request.ContentLength = body.Length;
                context.Request.Body = new MemoryStream(body);
                context.Features.Set<IHttpRequestBodyDetectionFeature>(new HasBody());
            }
        });

    private sealed class HasBody : IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody => true;
    }
}

public sealed class ReverseProxyTests_Sqlite(SqliteReverseProxyFixture fixture) : ReverseProxyTests(fixture), IClassFixture<SqliteReverseProxyFixture>;

public sealed class ReverseProxyTests_Postgres(PostgresReverseProxyFixture fixture) : ReverseProxyTests(fixture), IClassFixture<PostgresReverseProxyFixture>;

/// <summary>What production refuses to start without, and what it does once behind a proxy.</summary>
public sealed class ProductionStartupTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase database = new();

    public Task InitializeAsync() => database.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    [InlineData("Testing")]
    public async Task Production_refuses_to_start_without_a_public_base_url(string environment)
    {
        await using var app = new SwitchboardApp(database, new Dictionary<string, string?> { ["Switchboard:PublicBaseUrl"] = null });
        await using var production = app.WithWebHostBuilder(b => b.UseEnvironment(environment));

        var start = () => production.Server;

        start.Should().Throw<InvalidOperationException>().WithMessage("Switchboard:PublicBaseUrl (env Switchboard__PublicBaseUrl) is required in production*");
    }

    [Theory]
    [InlineData("Switchboard:PublicBaseUrl", "switchboard.example.com", "Switchboard:PublicBaseUrl must be an absolute http(s) URL*")]
    [InlineData("Switchboard:PublicBaseUrl", "https://switchboard.example.com/?next=evil", "Switchboard:PublicBaseUrl must be an absolute http(s) URL*")]
    [InlineData("Switchboard:ForwardedHeaders:KnownProxies:0", "proxy.internal", "Switchboard:ForwardedHeaders:KnownProxies:0 (env Switchboard__ForwardedHeaders__KnownProxies__0) must be an IP address*")]
    [InlineData("Switchboard:ForwardedHeaders:KnownNetworks:0", "10.0.0.0/40", "Switchboard:ForwardedHeaders:KnownNetworks:0 (env Switchboard__ForwardedHeaders__KnownNetworks__0) must be a network in CIDR notation*")]
    public async Task A_malformed_setting_stops_the_start_naming_it(string key, string value, string message)
    {
        await using var app = new SwitchboardApp(database, new Dictionary<string, string?> { [key] = value });

        var start = () => app.Server;

        start.Should().Throw<InvalidOperationException>().WithMessage(message);
    }

    [Fact]
    public async Task In_development_links_fall_back_to_the_requests_own_scheme_and_host()
    {
        await using var app = new SwitchboardApp(database, new Dictionary<string, string?> { ["Switchboard:PublicBaseUrl"] = null });
        await using var development = app.WithWebHostBuilder(b => b.UseEnvironment("Development"));
        using var operatorClient = development.CreateClient();
        operatorClient.DefaultRequestHeaders.Authorization = new("Bearer", app.OperatorKey);
        var tenant = await (await operatorClient.PostAsync("/api/v1/tenants", new StringContent("""{"name":"Dev"}""", Encoding.UTF8, "application/json"))).ReadJsonAsync();
        using var client = development.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://dev.localhost:5080") });
        client.DefaultRequestHeaders.Authorization = new("Bearer", tenant["apiKey"]!.GetValue<string>());
        var tenantId = tenant["id"]!.GetValue<Guid>();

        var channel = await (await client.PostAsync($"/api/v1/tenants/{tenantId}/channels", new StringContent(System.Text.Json.JsonSerializer.Serialize(Builders.ChannelRequest(Builders.NewPhoneNumberId())), Encoding.UTF8, "application/json"))).ReadJsonAsync();

        channel["webhookUrl"]!.GetValue<string>().Should().Be($"http://dev.localhost:5080/webhooks/whatsapp/{tenantId}");
    }

    [Fact]
    public async Task In_production_hsts_is_sent_when_a_known_proxy_says_the_client_used_https()
    {
        await using var app = new SwitchboardApp(database, new Dictionary<string, string?>
        {
            ["Switchboard:ForwardedHeaders:KnownProxies:0"] = "10.0.0.1",
            ["Switchboard:PublicBaseUrl"] = "https://switchboard.example.com",
        });
        await using var production = app.WithWebHostBuilder(b => b.UseEnvironment("Production"));

        HttpContext Request(HttpContext c, string peer)
        {
            c.Request.Method = "GET";
            c.Request.Path = "/health/live";
            c.Connection.RemoteIpAddress = IPAddress.Parse(peer);
            c.Request.Headers["X-Forwarded-Proto"] = "https";
            c.Request.Headers["X-Forwarded-Host"] = "switchboard.example.com";
            c.Request.Headers["X-Forwarded-For"] = "203.0.113.9";
            return c;
        }

        var viaProxy = await production.Server.SendAsync(c => Request(c, "10.0.0.1"));
        var direct = await production.Server.SendAsync(c => Request(c, "192.0.2.1"));

        viaProxy.Response.Headers.StrictTransportSecurity.ToString().Should().StartWith("max-age=");
        direct.Response.Headers.StrictTransportSecurity.Should().BeEmpty();
    }
}
