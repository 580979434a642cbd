using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Outbound;

/// <summary>
/// A burst of 1,000 replies across 10 numbers leaves at each number's configured rate: the fake Graph API
/// enforces Meta's 80 messages/s per number and answers 130429 beyond it, and it never has to.
/// </summary>
public abstract class ReplyPacingTests(OutboundFixture fixture)
{
    private const int Numbers = 10;
    private const int RepliesPerNumber = 100;
    private const int Rate = 80;

    [Fact]
    public async Task A_burst_of_1000_replies_across_10_numbers_holds_80_per_second_per_number()
    {
        var app = fixture.App;
        fixture.Graph.MessagesPerSecondLimit = Rate;
        var tenant = await app.CreateTenantAsync();
        var phones = Enumerable.Range(0, Numbers).Select(_ => Builders.NewPhoneNumberId()).ToList();
        var channelIds = new List<string>();
        foreach (var phone in phones)
        {
            channelIds.Add((await app.CreateChannelAsync(tenant, Builders.ChannelRequest(phone)))["id"]!.GetValue<string>());
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var customers = Enumerable.Range(0, RepliesPerNumber)
                .Select(i => new WebhookPayloads.Inbound($"wamid.pace-{phone}-{i}", $"1650{phone[^4..]}{i:D3}", "hi", now))
                .ToArray();
            (await app.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, customers))).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await app.WaitForWebhooksAsync();
        await using (var db = app.NewDbContext())
        {
            // Hold every number (as an expired token would) so the whole burst is queued before any of it leaves.
            await db.Channels.Where(c => c.TenantId == tenant.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, Switchboard.Features.Channels.ChannelStatus.NeedsReauthorization));
        }

        var conversations = await ConversationIdsAsync(app, tenant);
        conversations.Should().HaveCount(Numbers * RepliesPerNumber);
        using var client = app.ClientWithKey(tenant.ApiKey);
        using var gate = new SemaphoreSlim(16);
        await Task.WhenAll(conversations.Select(async id =>
        {
            await gate.WaitAsync();
            try
            {
                (await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/conversations/{id}/messages", new { type = "text", text = "Thanks for writing!" }))
                    .StatusCode.Should().Be(HttpStatusCode.Accepted);
            }
            finally
            {
                gate.Release();
            }
        }));

        foreach (var channelId in channelIds)
        {
            (await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/channels/{channelId}/credentials", new { accessToken = "EAAG-access-token-0123456789" })).EnsureSuccessStatusCode();
        }

        await WaitForAllAcceptedAsync(app, tenant);

        fixture.Graph.ThroughputErrors.Should().Be(0, "the sender never goes over a number's throughput");
        foreach (var phone in phones)
        {
            var times = fixture.Graph.Sends.Where(s => s.PhoneNumberId == phone).Select(s => s.AtTicks).Order().ToList();
            times.Should().HaveCount(RepliesPerNumber);
            (times[^1] - times[0]).Should().BeGreaterThanOrEqualTo((long)((RepliesPerNumber - 1) * 1000.0 / Rate * 0.95), "100 replies at 80/s take at least 1.24 s");
        }
    }

    private static async Task<List<Guid>> ConversationIdsAsync(SwitchboardApp app, TestTenant tenant)
    {
        await using var db = app.NewDbContext();
        return await db.Conversations.Where(c => c.TenantId == tenant.Id).Select(c => c.Id).ToListAsync();
    }

    private static async Task WaitForAllAcceptedAsync(SwitchboardApp app, TestTenant tenant)
    {
        for (var i = 0; i < 600; i++)
        {
            await using var db = app.NewDbContext();
            if (!await db.Messages.AnyAsync(m => m.TenantId == tenant.Id && m.Direction == MessageDirection.Outbound && m.Wamid == null))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The burst was not sent within 60 s.");
    }
}

[Collection(Serial.Name)]
public sealed class ReplyPacingTests_Sqlite(SqliteOutboundFixture fixture) : ReplyPacingTests(fixture), IClassFixture<SqliteOutboundFixture>;

[Collection(Serial.Name)]
public sealed class ReplyPacingTests_Postgres(PostgresOutboundFixture fixture) : ReplyPacingTests(fixture), IClassFixture<PostgresOutboundFixture>;
