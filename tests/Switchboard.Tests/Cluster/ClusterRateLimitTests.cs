using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Common.Web;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Cluster;

/// <summary>
/// With <c>Switchboard:RateLimits:Nodes</c> set to the number of nodes, each node enforces its share, so a caller spread over
/// every node meets the configured limit and no more (ADR 0056).
/// </summary>
public sealed class ClusterRateLimitTests
{
    private const int Burst = 10;
    private const int AccountAttempts = 4;

    [Fact]
    public async Task Sign_in_attempts_for_one_account_spread_over_two_nodes_meet_the_account_limit_once()
    {
        await using var nodes = await TwoNodes.StartAsync(Limits());
        var email = $"agent-{Guid.NewGuid():N}@example.com";
        var throttles = new[] { nodes.A, nodes.B }.Select(n => n.Services.GetRequiredService<LoginThrottle>()).ToArray();

        var allowed = Enumerable.Range(0, AccountAttempts * 3).Count(i => throttles[i % 2].Attempt(email).Allowed);

        allowed.Should().Be(AccountAttempts, "each node allows its half of the account's attempts");
    }

    [Fact]
    public async Task One_token_flooding_two_nodes_gets_the_burst_of_the_whole_limit_not_twice_it()
    {
        await using var nodes = await TwoNodes.StartAsync(Limits());
        var tenant = await nodes.A.CreateTenantAsync();
        using var a = nodes.A.ClientWithKey(tenant.ApiKey);
        using var b = nodes.B.ClientWithKey(tenant.ApiKey);

        var elapsed = Stopwatch.StartNew();
        var accepted = 0;
        for (var i = 0; i < Burst * 2; i++)
        {
            foreach (var client in new[] { a, b })
            {
                var status = (await client.GetAsync($"/api/v1/tenants/{tenant.Id}/channels")).StatusCode;
                status.Should().BeOneOf(HttpStatusCode.OK, HttpStatusCode.TooManyRequests);
                accepted += status == HttpStatusCode.OK ? 1 : 0;
            }
        }

        // 1 permit/s for the whole cluster refills at most one more per second the flood took (and one for the tick in progress).
        accepted.Should().BeGreaterThanOrEqualTo(Burst).And.BeLessThanOrEqualTo(Burst + (int)Math.Ceiling(elapsed.Elapsed.TotalSeconds) + 1);
    }

    private static Dictionary<string, string?> Limits() => new()
    {
        ["Switchboard:RateLimits:Nodes"] = "2",
        ["Switchboard:RateLimits:Api:PermitsPerSecond"] = "1",
        ["Switchboard:RateLimits:Api:Burst"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Switchboard:RateLimits:LoginPerAccount:PermitLimit"] = AccountAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Switchboard:RateLimits:LoginPerAccount:Window"] = "00:15:00",
    };
}
