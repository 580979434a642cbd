using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Switchboard.Common.Crypto;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;
using Switchboard.Features.Routing;
using Switchboard.Tests.Identity;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;

namespace Switchboard.Tests.Cluster;

/// <summary>
/// A rotation or revoke on one node reaches every other node's caches within 5 s (ADR 0056): channel secrets, tenant keys,
/// sessions, revoked API tokens held by a live stream, SLA rules, agents' team scope and the minimal-messages setting, and a
/// node that lost its LISTEN connection drops what it cached. Each cache's own lifetime is longer than 5 s (20 s to 60 s), so
/// only the broadcast passes these.
/// </summary>
public sealed class ClusterCacheTests
{
    private const int WithinSeconds = 5;
    private const string NewSecret = "rotated-app-secret-0123456789";

    [Fact]
    public async Task An_app_secret_rotated_on_one_node_is_refused_on_the_other_within_five_seconds_and_the_new_one_accepted()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var (tenant, phone, channelId) = await ChannelOnAsync(nodes.A);
        (await nodes.B.PostSignedAsync(tenant.Id, Hello(phone))).StatusCode.Should().Be(HttpStatusCode.OK, "node B has cached the current secret");

        using var admin = nodes.A.ClientWithKey(tenant.ApiKey);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/channels/{channelId}/credentials", new { appSecret = NewSecret })).EnsureSuccessStatusCode();

        await Eventually.PollValueAsync<bool>(async () => (await nodes.B.PostSignedAsync(tenant.Id, Hello(phone))).StatusCode == HttpStatusCode.Unauthorized ? true : null, WithinSeconds);
        (await nodes.B.PostSignedAsync(tenant.Id, Hello(phone), NewSecret)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_channel_revoked_on_one_node_is_refused_on_the_other_within_five_seconds()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var (tenant, phone, channelId) = await ChannelOnAsync(nodes.A);
        (await nodes.B.PostSignedAsync(tenant.Id, Hello(phone))).StatusCode.Should().Be(HttpStatusCode.OK);

        using var admin = nodes.A.ClientWithKey(tenant.ApiKey);
        (await admin.PostAsync($"/api/v1/tenants/{tenant.Id}/channels/{channelId}/revoke", null)).EnsureSuccessStatusCode();

        await Eventually.PollValueAsync<bool>(async () => (await nodes.B.PostSignedAsync(tenant.Id, Hello(phone))).StatusCode == HttpStatusCode.Unauthorized ? true : null, WithinSeconds);
    }

    [Fact]
    public async Task A_tenant_key_rotated_on_one_node_is_the_current_key_on_the_other_within_five_seconds()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var tenant = await nodes.A.CreateTenantAsync();
        var keysOnB = nodes.B.Services.GetRequiredService<KeyRing>();
        (await keysOnB.CurrentDataKeyAsync(tenant.Id, default)).Version.Should().Be(1, "node B has cached version 1 as current");

        using var admin = nodes.A.ClientWithKey(tenant.ApiKey);
        (await admin.PostAsync($"/api/v1/tenants/{tenant.Id}/keys/rotate", null)).EnsureSuccessStatusCode();

        await Eventually.PollValueAsync<bool>(async () => (await keysOnB.CurrentDataKeyAsync(tenant.Id, default)).Version == 2 ? true : null, WithinSeconds);
    }

    [Fact]
    public async Task A_token_revoked_on_one_node_ends_its_event_stream_on_the_other_within_five_seconds()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var tenant = await nodes.A.CreateTenantAsync();
        var (tokenId, token) = await nodes.A.CreateTokenAsync(tenant, [Switchboard.Common.Security.Permissions.ConversationsRead]);
        using var streamClient = nodes.B.ClientWithKey(token);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/tenants/{tenant.Id}/events");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await streamClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        (await reader.ReadLineAsync()).Should().StartWith("retry:");

        using var admin = nodes.A.ClientWithKey(tenant.ApiKey);
        (await admin.DeleteAsync($"/api/v1/tenants/{tenant.Id}/tokens/{tokenId}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        // The stream re-checks its token every 20 s by itself; the revoke heard from node A makes it do so at once.
        using var within = new CancellationTokenSource(TimeSpan.FromSeconds(WithinSeconds));
        string? line;
        do
        {
            line = await reader.ReadLineAsync(within.Token);
        }
        while (line is not null && line != "event: session-ended");

        line.Should().Be("event: session-ended");
    }

    [Fact]
    public async Task A_user_disabled_on_one_node_is_signed_out_of_the_other_within_five_seconds()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var tenant = await nodes.A.CreateTenantAsync();
        var user = await IdentityTestHelpers.CreateUserAsync(nodes.A, tenant, "agent");
        using var browser = await nodes.B.SignInAsync(user);
        (await browser.IsSignedInAsync()).Should().BeTrue("node B has cached the session's state");

        using var admin = nodes.A.ClientWithKey(tenant.ApiKey);
        (await admin.PostAsync($"/api/v1/tenants/{tenant.Id}/users/{user.Id}/disable", null)).EnsureSuccessStatusCode();

        await Eventually.PollValueAsync<bool>(async () => await browser.IsSignedInAsync() ? null : true, WithinSeconds);
    }

    [Fact]
    public async Task A_node_that_lost_its_listen_connection_drops_what_it_cached_so_a_change_it_never_heard_of_applies()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var heard = new System.Collections.Concurrent.ConcurrentDictionary<Guid, bool>();
        nodes.B.Services.GetRequiredService<ChannelChanges>().Changed += tenantId => heard[tenantId ?? Guid.Empty] = true;
        var (tenant, phone, channelId) = await ChannelOnAsync(nodes.A);

        // Node B hears of the new channel first: heard later, that notification would drop the secret B caches next.
        await Eventually.PollValueAsync<bool>(() => Task.FromResult<bool?>(heard.ContainsKey(tenant.Id) ? true : null), WithinSeconds);
        (await nodes.B.PostSignedAsync(tenant.Id, Hello(phone))).StatusCode.Should().Be(HttpStatusCode.OK);

        // A revoke written straight into the database sends no notification: node B keeps serving its cached secret.
        await using (var db = nodes.Database.NewDbContext())
        {
            await db.Channels.IgnoreQueryFilters().Where(c => c.Id == channelId).ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ChannelStatus.Revoked));
        }

        (await nodes.B.PostSignedAsync(tenant.Id, Hello(phone))).StatusCode.Should().Be(HttpStatusCode.OK, "the control: nothing told node B");

        await using (var connection = new NpgsqlConnection(nodes.Database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var kill = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'", connection);
            ((long)(await kill.ExecuteScalarAsync())!).Should().BeGreaterThan(0, "the nodes' LISTEN connections are cut");
        }

        await Eventually.PollValueAsync<bool>(async () => (await nodes.B.PostSignedAsync(tenant.Id, Hello(phone))).StatusCode == HttpStatusCode.Unauthorized ? true : null, WithinSeconds);
    }

    [Fact]
    public async Task An_sla_policy_added_on_one_node_applies_on_the_other_within_five_seconds()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var tenant = await nodes.A.CreateTenantAsync();
        var rulesOnB = nodes.B.Services.GetRequiredService<SlaRulesCache>();
        await using var db = nodes.Database.NewDbContext();
        (await rulesOnB.GetAsync(db, tenant.Id, default)).Policies.Should().BeEmpty("node B has cached the tenant's rules: none yet");

        using var admin = nodes.A.ClientWithKey(tenant.ApiKey);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/sla-policies", new { name = "Standard", firstResponseMinutes = 30 })).StatusCode.Should().Be(HttpStatusCode.Created);

        var policies = await Eventually.PollAsync(async () => (await rulesOnB.GetAsync(db, tenant.Id, default)).Policies is { Count: > 0 } found ? found : null, WithinSeconds);
        policies.Should().ContainSingle(p => p.Name == "Standard");
    }

    [Fact]
    public async Task Agents_limited_to_their_teams_on_one_node_are_limited_on_the_other_within_five_seconds()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var tenant = await nodes.A.CreateTenantAsync();
        var scopeOnB = nodes.B.Services.GetRequiredService<IConversationScope>();
        var agent = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim("sb:tenant", tenant.Id.ToString()), new Claim("sb:user", Guid.NewGuid().ToString()), new Claim("sb:role", "agent")], "test"));
        (await scopeOnB.ForAsync(agent, tenant.Id, default)).Should().BeNull("node B has cached that the agent sees everything");

        using var admin = nodes.A.ClientWithKey(tenant.ApiKey);
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/routing/settings", new { agentsSeeOwnTeamsOnly = true })).StatusCode.Should().Be(HttpStatusCode.OK);

        var visible = await Eventually.PollAsync(async () => await scopeOnB.ForAsync(agent, tenant.Id, default), WithinSeconds);
        visible.TeamIds.Should().BeEmpty("the agent is in no team");
    }

    [Fact]
    public async Task Minimal_messages_turned_on_on_one_node_apply_on_the_other_within_five_seconds()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var tenant = await nodes.A.CreateTenantAsync();
        var minimalOnB = nodes.B.Services.GetRequiredService<MinimalMessages>();
        (await minimalOnB.IsOnAsync(tenant.Id, default)).Should().BeFalse("node B has cached the setting: off");

        using var admin = nodes.A.ClientWithKey(tenant.ApiKey);
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/privacy/minimisation", new { minimalMessages = true })).StatusCode.Should().Be(HttpStatusCode.OK);

        await Eventually.PollValueAsync<bool>(async () => await minimalOnB.IsOnAsync(tenant.Id, default) ? true : null, WithinSeconds);
    }

    private static async Task<(TestTenant Tenant, string Phone, Guid ChannelId)> ChannelOnAsync(SwitchboardApp node)
    {
        var tenant = await node.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        var channel = await node.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        return (tenant, phone, channel["id"]!.GetValue<Guid>());
    }

    private static byte[] Hello(string phone) => WebhookPayloads.Messages(phone, WebhookPayloads.Text("hello"));
}
