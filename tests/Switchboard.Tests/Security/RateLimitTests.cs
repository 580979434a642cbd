using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Common.Configuration;
using Switchboard.Common.Web;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Security;

/// <summary>Switchboard with rate limits low enough to reach in a test.</summary>
public abstract class RateLimitFixture(DatabaseProvider provider) : AppFixture(provider)
{
    public const int Burst = 20;

    protected override Task<IDictionary<string, string?>?> SettingsAsync() => Task.FromResult<IDictionary<string, string?>?>(new Dictionary<string, string?>
    {
        ["Switchboard:RateLimits:Api:PermitsPerSecond"] = "1",
        ["Switchboard:RateLimits:Api:Burst"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Switchboard:RateLimits:Webhooks:PermitsPerSecond"] = "1",
        ["Switchboard:RateLimits:Webhooks:Burst"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Switchboard:RateLimits:Login:PermitLimit"] = "3",
        ["Switchboard:RateLimits:Login:Window"] = "00:01:00",
        ["Switchboard:RateLimits:LoginPerAccount:PermitLimit"] = "3",
        ["Switchboard:RateLimits:LoginPerAccount:Window"] = "00:15:00",
    });
}

public sealed class SqliteRateLimitFixture() : RateLimitFixture(DatabaseProvider.Sqlite);

public sealed class PostgresRateLimitFixture() : RateLimitFixture(DatabaseProvider.Postgres);

/// <summary>
/// One token, one tenant's webhooks or one address over its limit gets 429 with Retry-After and a problem
/// body; everybody else carries on.
/// </summary>
public abstract class RateLimitTests(AppFixture fixture)
{
    private const int Flood = RateLimitFixture.Burst * 2;

    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task A_token_over_its_limit_gets_429_while_another_tenants_token_still_gets_200()
    {
        var a = await App.CreateTenantAsync();
        var b = await App.CreateTenantAsync();
        using var aClient = App.ClientWithKey(a.ApiKey);
        using var bClient = App.ClientWithKey(b.ApiKey);

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < Flood; i++)
        {
            responses.Add(await aClient.GetAsync($"/api/v1/tenants/{a.Id}/channels"));
        }

        responses.Take(RateLimitFixture.Burst).Should().OnlyContain(r => r.StatusCode == HttpStatusCode.OK);
        var rejected = responses.Last();
        rejected.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        await ShouldBeRateLimitedProblemAsync(rejected);
        (await bClient.GetAsync($"/api/v1/tenants/{b.Id}/channels")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_webhook_flood_for_one_tenant_gets_429_while_another_tenants_webhooks_still_get_200()
    {
        var a = await App.CreateTenantAsync();
        var b = await App.CreateTenantAsync();
        var phoneA = Builders.NewPhoneNumberId();
        var phoneB = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(a, Builders.ChannelRequest(phoneA));
        await App.CreateChannelAsync(b, Builders.ChannelRequest(phoneB));

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < Flood; i++)
        {
            responses.Add(await App.PostSignedAsync(a.Id, WebhookPayloads.Messages(phoneA, WebhookPayloads.Text("flood " + i))));
        }

        responses.Take(RateLimitFixture.Burst).Should().OnlyContain(r => r.StatusCode == HttpStatusCode.OK);
        responses.Last().StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        await ShouldBeRateLimitedProblemAsync(responses.Last());
        (await App.PostSignedAsync(b.Id, WebhookPayloads.Messages(phoneB, WebhookPayloads.Text("still heard")))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Accepting_invites_is_limited_per_client_address()
    {
        using var client = App.CreateClient();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 5; i++)
        {
            last = await client.PostAsJsonAsync("/api/v1/invites/accept", new { code = "no-such-invite-" + i, password = "correct horse battery staple" });
            statuses.Add(last.StatusCode);
        }

        statuses.Take(3).Should().OnlyContain(s => s == HttpStatusCode.NotFound);
        statuses.Skip(3).Should().OnlyContain(s => s == HttpStatusCode.TooManyRequests);
        await ShouldBeRateLimitedProblemAsync(last!);
    }

    [Fact]
    public void The_per_account_sign_in_throttle_counts_attempts_by_normalized_email()
    {
        var throttle = App.Services.GetRequiredService<LoginThrottle>();
        var email = $"agent-{Guid.NewGuid():N}@example.com";

        var decisions = new[] { email, email.ToUpperInvariant(), " " + email + " ", email }.Select(throttle.Attempt).ToList();

        decisions.Take(3).Should().OnlyContain(d => d.Allowed);
        decisions[3].Allowed.Should().BeFalse();
        decisions[3].RetryAfter.Should().BePositive().And.BeLessThanOrEqualTo(TimeSpan.FromMinutes(15));
        throttle.Attempt($"someone-else-{Guid.NewGuid():N}@example.com").Allowed.Should().BeTrue();
    }

    private static async Task ShouldBeRateLimitedProblemAsync(HttpResponseMessage response)
    {
        response.Headers.RetryAfter.Should().NotBeNull();
        response.Headers.RetryAfter!.Delta.Should().BePositive();
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.ReadJsonAsync();
        problem["type"]!.GetValue<string>().Should().Be("https://switchboard.dev/problems/rate-limited");
        problem["status"]!.GetValue<int>().Should().Be(429);
    }
}

public sealed class RateLimitTests_Sqlite(SqliteRateLimitFixture fixture) : RateLimitTests(fixture), IClassFixture<SqliteRateLimitFixture>;

public sealed class RateLimitTests_Postgres(PostgresRateLimitFixture fixture) : RateLimitTests(fixture), IClassFixture<PostgresRateLimitFixture>;

/// <summary>The shipped defaults leave room for the measured ingest and send rates (docs/benchmarks.md).</summary>
public sealed class RateLimitDefaultsTests
{
    [Fact]
    public void Defaults_are_far_above_what_one_node_can_ingest_and_what_the_load_test_queues()
    {
        var defaults = new RateLimitOptions();

        defaults.Enabled.Should().BeTrue();
        defaults.Webhooks.PermitsPerSecond.Should().BeGreaterThanOrEqualTo(20_000, "one node acknowledges about 8,300 webhooks/s on PostgreSQL");
        defaults.Webhooks.Burst.Should().BeGreaterThanOrEqualTo(40_000);
        defaults.Api.Burst.Should().BeGreaterThanOrEqualTo(1_000, "the send benchmark queues 1,000 replies with one token at once");
    }
}
