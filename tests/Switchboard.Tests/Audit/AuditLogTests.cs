using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Common.Persistence;
using Switchboard.Features.Audit;
using Switchboard.Features.Webhooks;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Audit;

public abstract class AuditLogTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Tenant_actions_are_recorded_newest_first_and_the_chain_verifies()
    {
        var tenant = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);
        var channel = (await App.CreateChannelAsync(tenant))["id"]!.GetValue<string>();
        var channels = $"/api/v1/tenants/{tenant.Id}/channels/{channel}";
        (await client.PostAsJsonAsync($"{channels}/credentials", new { accessToken = "EAAG-rotated-token-000000" })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.PutAsJsonAsync($"{channels}/throughput", new { messagesPerSecond = 500 })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.PostAsync($"{channels}/revoke", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.PostAsync($"/api/v1/tenants/{tenant.Id}/keys/rotate", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        var token = await CreateTokenAsync(client, tenant, "Reporting");
        (await client.DeleteAsync($"/api/v1/tenants/{tenant.Id}/tokens/{token.Id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        var page = await GetAsync(client, $"/api/v1/tenants/{tenant.Id}/audit");

        var items = page["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
        items.Select(i => i["action"]!.GetValue<string>()).Should().Equal(
            AuditActions.TokenRevoked, AuditActions.TokenCreated, AuditActions.TenantKeyRotated, AuditActions.ChannelRevoked,
            AuditActions.ChannelThroughputChanged, AuditActions.ChannelCredentialsRotated, AuditActions.ChannelCreated, AuditActions.TenantCreated);
        items.Select(i => i["sequence"]!.GetValue<long>()).Should().Equal(8, 7, 6, 5, 4, 3, 2, 1);
        page["nextCursor"].Should().BeNull();

        var created = items[^1];
        created["actor"]!.GetValue<string>().Should().Be("operator");
        created["target"]!.GetValue<string>().Should().Be($"tenant:{tenant.Id}");
        var adminTokenId = created["detail"]!["adminTokenId"]!.GetValue<Guid>();
        var channelCreated = items[^2];
        channelCreated["actor"]!.GetValue<string>().Should().Be($"token:{adminTokenId}");
        channelCreated["actorName"]!.GetValue<string>().Should().Be("Tenant admin key");
        channelCreated["target"]!.GetValue<string>().Should().Be($"channel:{channel}");
        channelCreated["id"]!.GetValue<Guid>().Version.Should().Be(7);
        channelCreated["at"]!.GetValue<DateTimeOffset>().Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        items[4]["detail"]!.ToJsonString().Should().Be("""{"from":80,"to":500}""");
        items[5]["detail"]!["rotated"]!.AsArray().Select(r => r!.GetValue<string>()).Should().Equal("accessToken");
        items[1]["detail"]!["scopes"]!.AsArray().Select(r => r!.GetValue<string>()).Should().Equal("conversations:read");
        items[1]["target"]!.GetValue<string>().Should().Be($"token:{token.Id}");

        var verify = await VerifyAsync(client, tenant);
        verify.ToJsonString().Should().Be("""{"valid":true,"checkedEntries":8}""");
    }

    [Fact]
    public async Task Operator_actions_are_recorded_in_the_platform_chain()
    {
        using var op = App.OperatorClient();
        var tenant = await App.CreateTenantAsync();
        var quarantined = Guid.CreateVersion7();
        await using (var db = App.NewDbContext())
        {
            db.WebhookEvents.Add(new WebhookEvent
            {
                Id = quarantined,
                TenantId = tenant.Id,
                ReceivedAt = DateTimeOffset.UtcNow,
                Body = [1, 2, 3],
                State = WebhookEventState.Quarantined,
                NextAttemptAt = DateTimeOffset.UtcNow,
                Reason = "unknown-number",
            });
            await db.SaveChangesAsync();
        }

        (await op.PostAsync($"/api/v1/operator/quarantine/{quarantined}/replay", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await op.PostAsync("/api/v1/operator/keys/rewrap", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await op.DeleteAsync($"/api/v1/tenants/{tenant.Id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        var items = (await GetAsync(op, "/api/v1/operator/audit?limit=200"))["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
        var ours = items.Where(i =>
            i["action"]!.GetValue<string>() == AuditActions.MasterKeyRewrap
            || (i["target"]?.GetValue<string>() is { } t && (t == $"tenant:{tenant.Id}" || t == $"webhook:{quarantined}"))).ToList();
        ours.Select(i => i["action"]!.GetValue<string>()).Should().ContainInOrder(
            AuditActions.TenantErased, AuditActions.MasterKeyRewrap, AuditActions.WebhookReplayed, AuditActions.TenantCreated);
        ours.Should().OnlyContain(i => i["actor"]!.GetValue<string>() == "operator");
        ours.First(i => i["action"]!.GetValue<string>() == AuditActions.WebhookReplayed)["detail"]!["tenantId"]!.GetValue<Guid>().Should().Be(tenant.Id);
        ours.First(i => i["action"]!.GetValue<string>() == AuditActions.TenantErased)["detail"]!["revokedTokens"]!.GetValue<int>().Should().Be(1);

        var verify = await op.PostAsync("/api/v1/operator/audit/verify", null);
        verify.StatusCode.Should().Be(HttpStatusCode.OK);
        (await verify.ReadJsonAsync())["valid"]!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public async Task Filters_and_cursor_paging_walk_the_log_newest_first()
    {
        var tenant = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);
        var tokens = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            tokens.Add((await CreateTokenAsync(client, tenant, $"Token {i}")).Id);
        }

        (await client.DeleteAsync($"/api/v1/tenants/{tenant.Id}/tokens/{tokens[0]}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var audit = $"/api/v1/tenants/{tenant.Id}/audit";

        var seen = new List<long>();
        string? cursor = null;
        do
        {
            var page = await GetAsync(client, $"{audit}?limit=2{(cursor is null ? "" : "&cursor=" + cursor)}");
            page["items"]!.AsArray().Count.Should().BeInRange(1, 2);
            seen.AddRange(page["items"]!.AsArray().Select(i => i!["sequence"]!.GetValue<long>()));
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);
        seen.Should().Equal(7, 6, 5, 4, 3, 2, 1);

        Actions(await GetAsync(client, $"{audit}?action=token.created")).Should().HaveCount(5).And.OnlyContain(a => a == AuditActions.TokenCreated);
        Actions(await GetAsync(client, $"{audit}?action=token.")).Should().Equal(
            AuditActions.TokenRevoked, AuditActions.TokenCreated, AuditActions.TokenCreated, AuditActions.TokenCreated, AuditActions.TokenCreated, AuditActions.TokenCreated);
        Actions(await GetAsync(client, $"{audit}?action=token")).Should().BeEmpty("without a trailing dot the action matches exactly");
        Actions(await GetAsync(client, $"{audit}?actor=operator")).Should().Equal(AuditActions.TenantCreated);
        var adminToken = (await GetAsync(client, $"{audit}?action=token.revoked"))["items"]![0]!["actor"]!.GetValue<string>();
        Actions(await GetAsync(client, $"{audit}?actor={adminToken.ToUpperInvariant().Replace("TOKEN:", "token:", StringComparison.Ordinal)}")).Should().HaveCount(6);

        var all = (await GetAsync(client, audit))["items"]!.AsArray();
        var third = all[4]!["at"]!.GetValue<DateTimeOffset>();
        var fromThird = await GetAsync(client, $"{audit}?from={Uri.EscapeDataString(third.ToString("O"))}");
        fromThird["items"]!.AsArray().Select(i => i!["sequence"]!.GetValue<long>()).Should().Contain(3).And.NotContain(1);
        Actions(await GetAsync(client, $"{audit}?to=2000-01-01T00:00:00Z")).Should().BeEmpty();
        Actions(await GetAsync(client, $"{audit}?from=2000-01-01&to=2999-01-01T00:00:00%2B02:00")).Should().HaveCount(7);
        Actions(await GetAsync(client, $"{audit}?action=token.&limit=1")).Should().Equal(AuditActions.TokenRevoked);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("action=Token%20Created", "action")]
    [InlineData("action=%25", "action")]
    [InlineData("actor=somebody", "actor")]
    [InlineData("actor=token:not-a-guid", "actor")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2026-13-45T00:00:00Z", "to")]
    [InlineData("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to")]
    [InlineData("cursor=!!not-ours!!", "cursor")]
    [InlineData("cursor=YWJj", "cursor")]
    public async Task Bad_filters_are_a_400_with_field_errors(string query, string field)
    {
        var tenant = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);

        var response = await client.GetAsync($"/api/v1/tenants/{tenant.Id}/audit?{query}");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await response.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key).Should().Equal(field);
    }

    [Fact]
    public async Task Another_tenant_gets_404_and_a_token_without_audit_read_gets_403()
    {
        var a = await App.CreateTenantAsync();
        var b = await App.CreateTenantAsync();
        using var bClient = App.ClientWithKey(b.ApiKey);
        (await bClient.GetAsync($"/api/v1/tenants/{a.Id}/audit")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await bClient.PostAsync($"/api/v1/tenants/{a.Id}/audit/verify", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await bClient.GetAsync("/api/v1/operator/audit")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await bClient.PostAsync("/api/v1/operator/audit/verify", null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        using var op = App.OperatorClient();
        (await op.GetAsync($"/api/v1/tenants/{a.Id}/audit")).StatusCode.Should().Be(HttpStatusCode.NotFound, "the operator does not read a tenant's log");

        using var aClient = App.ClientWithKey(a.ApiKey);
        var reader = await CreateTokenAsync(aClient, a, "Conversations only");
        using var readerClient = App.ClientWithKey(reader.Token);
        (await readerClient.GetAsync($"/api/v1/tenants/{a.Id}/audit")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await readerClient.PostAsync($"/api/v1/tenants/{a.Id}/audit/verify", null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var auditor = await CreateTokenAsync(aClient, a, "Auditor", "audit:read");
        using var auditorClient = App.ClientWithKey(auditor.Token);
        (await auditorClient.GetAsync($"/api/v1/tenants/{a.Id}/audit")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await auditorClient.GetAsync($"/api/v1/tenants/{b.Id}/audit")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_edited_entry_is_named_by_verify()
    {
        var (tenant, client) = await TenantWithTokensAsync(4);
        var entries = await EntriesAsync(tenant.Id);
        var edited = entries[2];

        await using (var db = App.NewDbContext())
        {
            var key = Key(db, tenant.Id);
            await db.Database.ExecuteSqlAsync($"UPDATE \"AuditEntries\" SET \"Action\" = 'x' WHERE \"TenantId\" = {key} AND \"Sequence\" = {edited.Sequence}");
        }

        var verify = await VerifyAsync(client, tenant);
        verify["valid"]!.GetValue<bool>().Should().BeFalse();
        verify["firstBrokenEntryId"]!.GetValue<Guid>().Should().Be(edited.Id);
        verify["checkedEntries"]!.GetValue<long>().Should().Be(2);
        verify["reason"]!.GetValue<string>().Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task A_deleted_middle_entry_and_a_deleted_last_entry_are_both_detected()
    {
        var (tenant, client) = await TenantWithTokensAsync(4);
        var entries = await EntriesAsync(tenant.Id);
        entries.Should().HaveCount(5);

        await DeleteEntryAsync(tenant.Id, entries[2].Sequence);
        var middle = await VerifyAsync(client, tenant);
        middle["valid"]!.GetValue<bool>().Should().BeFalse();
        middle["firstBrokenEntryId"]!.GetValue<Guid>().Should().Be(entries[3].Id, "the entry after the gap no longer links");

        var (other, otherClient) = await TenantWithTokensAsync(3);
        var otherEntries = await EntriesAsync(other.Id);
        await DeleteEntryAsync(other.Id, otherEntries[^1].Sequence);
        var tail = await VerifyAsync(otherClient, other);
        tail["valid"]!.GetValue<bool>().Should().BeFalse("the chain head still records the removed entry");
        tail["firstBrokenEntryId"].Should().BeNull();
        tail["checkedEntries"]!.GetValue<long>().Should().Be(3);
    }

    [Fact]
    public async Task No_secret_reaches_the_audit_rows()
    {
        var tenant = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);
        var secrets = new[] { "app-secret-audit-7c1d2e3f", "EAAG-access-token-audit-5b6a", "verify-token-audit-9e8d", "app-secret-rotated-4a4a4a", "EAAG-rotated-audit-1f1f1f", tenant.ApiKey };
        var channel = await App.CreateChannelAsync(tenant, Builders.ChannelRequest(appSecret: secrets[0], accessToken: secrets[1], verifyToken: secrets[2]));
        (await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/channels/{channel["id"]}/credentials", new { appSecret = secrets[3], accessToken = secrets[4] }))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        var token = await CreateTokenAsync(client, tenant, "Leaky?");
        (await client.DeleteAsync($"/api/v1/tenants/{tenant.Id}/tokens/{token.Id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        await using var db = App.NewDbContext();
        var rows = await db.AuditEntries.IgnoreQueryFilters().AsNoTracking()
            .Where(e => e.TenantId == tenant.Id || e.TenantId == AuditLog.PlatformChain).ToListAsync();
        rows.Select(r => r.Action).Should().Contain([AuditActions.ChannelCreated, AuditActions.ChannelCredentialsRotated, AuditActions.TokenCreated, AuditActions.TokenRevoked]);
        var text = string.Join('\n', rows.Select(r => string.Join('|', r.Actor, r.ActorName, r.Action, r.Target, r.Detail, r.IpAddress)));
        foreach (var secret in secrets.Append(token.Token))
        {
            text.Should().NotContain(secret);
            text.Should().NotContain(secret[^8..], "not even the end of a secret is kept");
        }

        var api = (await GetAsync(client, $"/api/v1/tenants/{tenant.Id}/audit")).ToJsonString();
        foreach (var secret in secrets.Append(token.Token))
        {
            api.Should().NotContain(secret);
        }
    }

    [Fact]
    public async Task Concurrent_appends_leave_a_valid_gap_free_chain()
    {
        var tenant = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);

        var created = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => client.PostAsJsonAsync(
            $"/api/v1/tenants/{tenant.Id}/tokens", new { name = $"Parallel {i}", scopes = new[] { "conversations:read" }, expiresAt = (DateTimeOffset?)null })));

        created.Select(r => r.StatusCode).Should().AllBeEquivalentTo(HttpStatusCode.Created);
        var entries = await EntriesAsync(tenant.Id);
        entries.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, 21).Select(i => (long)i));
        entries.Select(e => e.Id).Should().OnlyHaveUniqueItems();
        (await VerifyAsync(client, tenant)).ToJsonString().Should().Be("""{"valid":true,"checkedEntries":21}""");
    }

    [Fact]
    public async Task Standalone_entries_are_group_committed_into_one_valid_chain()
    {
        var tenant = await App.CreateTenantAsync();
        var batcher = App.Services.GetRequiredService<AuditBatcher>();
        var before = batcher.Written;

        // Entries with no change beside them and no transaction of their own (an access opened) go through the batcher.
        await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            await using var db = App.NewDbContext();
            await AuditLog.RecordAsync(db, tenant.Id, new AuditActor($"user:{i}", $"agent{i}@example.com", "10.0.0.1"),
                AuditActions.ConversationOpened, $"conversation:{i}", null, DateTimeOffset.UtcNow, CancellationToken.None);
        }));

        var entries = await EntriesAsync(tenant.Id);
        entries.Where(e => e.Action == AuditActions.ConversationOpened).Select(e => e.Target).Should()
            .BeEquivalentTo(Enumerable.Range(0, 40).Select(i => $"conversation:{i}"));
        entries.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i));
        var after = batcher.Written;
        (after.Entries - before.Entries).Should().BeGreaterThanOrEqualTo(40);
        using var client = App.ClientWithKey(tenant.ApiKey);
        (await VerifyAsync(client, tenant))["valid"]!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public async Task Many_entries_appended_in_one_step_link_in_order_and_keep_the_anchor()
    {
        var tenant = await App.CreateTenantAsync();
        await using (var db = App.NewDbContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var now = DateTimeOffset.UtcNow;
            await AuditLog.AppendAsync(db, tenant.Id,
                [.. Enumerable.Range(0, 10).Select(i => AuditLog.Draft(AuditActor.System, AuditActions.ConversationOpened, $"conversation:{i}", new { i }, now.AddMilliseconds(i)))],
                CancellationToken.None);
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }

        var entries = await EntriesAsync(tenant.Id);
        var batch = entries.Where(e => e.Action == AuditActions.ConversationOpened).ToList();
        batch.Select(e => e.Target).Should().Equal(Enumerable.Range(0, 10).Select(i => $"conversation:{i}"));
        entries.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i));
        using var client = App.ClientWithKey(tenant.ApiKey);
        (await VerifyAsync(client, tenant)).ToJsonString().Should().Be($$"""{"valid":true,"checkedEntries":{{entries.Count}}}""");

        // The head moved on by the whole batch with its anchor: a later single entry still verifies.
        await CreateTokenAsync(client, tenant, "After the batch");
        (await VerifyAsync(client, tenant))["valid"]!.GetValue<bool>().Should().BeTrue();
    }

    private sealed record CreatedToken(Guid Id, string Token);

    private static async Task<CreatedToken> CreateTokenAsync(HttpClient client, TestTenant tenant, string name, string scope = "conversations:read")
    {
        var response = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/tokens", new { name, scopes = new[] { scope }, expiresAt = (DateTimeOffset?)null });
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var body = await response.ReadJsonAsync();
        return new CreatedToken(body["id"]!.GetValue<Guid>(), body["token"]!.GetValue<string>());
    }

    private async Task<(TestTenant Tenant, HttpClient Client)> TenantWithTokensAsync(int tokens)
    {
        var tenant = await App.CreateTenantAsync();
        var client = App.ClientWithKey(tenant.ApiKey);
        for (var i = 0; i < tokens; i++)
        {
            await CreateTokenAsync(client, tenant, $"Token {i}");
        }

        return (tenant, client);
    }

    private static async Task<JsonObject> GetAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }

    private static async Task<JsonObject> VerifyAsync(HttpClient client, TestTenant tenant)
    {
        var response = await client.PostAsync($"/api/v1/tenants/{tenant.Id}/audit/verify", null);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await response.ReadJsonAsync();
    }

    private static List<string> Actions(JsonObject page) =>
        [.. page["items"]!.AsArray().Select(i => i!["action"]!.GetValue<string>())];

    private async Task<List<AuditEntry>> EntriesAsync(Guid tenantId)
    {
        await using var db = App.NewDbContext();
        return await db.AuditEntries.IgnoreQueryFilters().AsNoTracking().Where(e => e.TenantId == tenantId).OrderBy(e => e.Sequence).ToListAsync();
    }

    private async Task DeleteEntryAsync(Guid tenantId, long sequence)
    {
        await using var db = App.NewDbContext();
        var key = Key(db, tenantId);
        var deleted = await db.Database.ExecuteSqlAsync($"DELETE FROM \"AuditEntries\" WHERE \"TenantId\" = {key} AND \"Sequence\" = {sequence}");
        deleted.Should().Be(1);
    }

    /// <summary>A tenant id as the provider stores it: SQLite keeps Guids as upper-case text.</summary>
    private static object Key(SwitchboardDbContext db, Guid id) => db.IsSqlite ? id.ToString().ToUpperInvariant() : id;
}

public sealed class AuditLogTests_Sqlite(SqliteAppFixture fixture) : AuditLogTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class AuditLogTests_Postgres(PostgresAppFixture fixture) : AuditLogTests(fixture), IClassFixture<PostgresAppFixture>;
