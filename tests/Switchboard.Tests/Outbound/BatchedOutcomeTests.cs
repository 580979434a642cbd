using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;
using Switchboard.Features.Outbound;
using Switchboard.Tests.Infrastructure;
using Answer = Switchboard.Tests.Infrastructure.FakeGraphApi.SendAnswer;

namespace Switchboard.Tests.Outbound;

/// <summary>
/// Replies released together are marked Sending and recorded in batches: every outcome of the burst lands
/// (wamid, failure, unknown), each with its own realtime event, and one reply's failure does not touch
/// the replies recorded in the same transaction.
/// </summary>
public abstract class BatchedOutcomeTests(OutboundFixture fixture)
{
    private const int Replies = 30;

    [Fact]
    public async Task A_burst_is_recorded_in_batches_and_one_replys_failure_leaves_its_neighbours_alone()
    {
        var app = fixture.App;
        var tenant = await app.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        var channelId = (await app.CreateChannelAsync(tenant, Builders.ChannelRequest(phone)))["id"]!.GetValue<string>();
        var customers = Enumerable.Range(0, Replies).Select(i => $"1650{phone[^4..]}{i:D3}").ToList();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        (await app.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, [.. customers.Select(c => new WebhookPayloads.Inbound("wamid.burst-" + c, c, "hi", now))])))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        await app.WaitForWebhooksAsync();

        var failing = customers[7];
        var dropped = customers[8];
        var previous = fixture.Graph.Answer;
        fixture.Graph.Answer = sent => sent.PhoneNumberId != phone ? previous(sent)
            : sent.Body.Contains(failing, StringComparison.Ordinal) ? Answer.Error(400, 131026, "Message undeliverable")
            : sent.Body.Contains(dropped, StringComparison.Ordinal) ? Answer.DropConnection()
            : Answer.Accept();

        // Hold the number while the burst is queued, so that it leaves (and is recorded) together.
        await using (var db = app.NewDbContext())
        {
            await db.Channels.Where(c => c.TenantId == tenant.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ChannelStatus.NeedsReauthorization));
        }

        using var client = app.ClientWithKey(tenant.ApiKey);
        await using (var db = app.NewDbContext())
        {
            foreach (var conversationId in await db.Conversations.Where(c => c.TenantId == tenant.Id).Select(c => c.Id).ToListAsync())
            {
                (await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/conversations/{conversationId}/messages", new { type = "text", text = "Thanks!" }))
                    .StatusCode.Should().Be(HttpStatusCode.Accepted);
            }
        }

        (await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/channels/{channelId}/credentials", new { accessToken = "EAAG-access-token-0123456789" })).EnsureSuccessStatusCode();

        var outcomes = await Eventually.PollAsync(async () =>
        {
            await using var db = app.NewDbContext();
            var items = await db.OutboxItems.AsNoTracking().Where(o => o.TenantId == tenant.Id).ToListAsync();
            return items.Count == Replies && items.All(o => o.State is OutboxState.Done or OutboxState.Failed or OutboxState.Unknown) ? items : null;
        });

        await using var check = app.NewDbContext();
        var messages = await check.Messages.AsNoTracking().Where(m => m.TenantId == tenant.Id && m.Direction == MessageDirection.Outbound).ToListAsync();
        var conversationOf = await check.Messages.AsNoTracking()
            .Where(m => m.TenantId == tenant.Id && m.Direction == MessageDirection.Inbound)
            .ToDictionaryAsync(m => m.Wamid!, m => m.ConversationId);
        Message ReplyTo(string customer) => messages.Single(m => m.ConversationId == conversationOf["wamid.burst-" + customer]);

        var failed = ReplyTo(failing);
        failed.Status.Should().Be(DeliveryState.Failed);
        failed.ErrorCode.Should().Be(131026);
        ReplyTo(dropped).Status.Should().Be(DeliveryState.Unknown);
        outcomes.Count(o => o.State == OutboxState.Done).Should().Be(Replies - 2, "the other replies of the same batches were accepted");
        messages.Count(m => m.Wamid is not null).Should().Be(Replies - 2);
        outcomes.Should().OnlyContain(
            o => o.CalledAt != null && o.CalledAt >= o.CreatedAt && o.CalledAt <= o.CompletedAt,
            "each call's start is recorded with its outcome, accepted, failed or unknown alike (ADR 0068)");
        foreach (var customer in customers)
        {
            fixture.Graph.Sends.Count(s => s.PhoneNumberId == phone && s.Body.Contains(customer, StringComparison.Ordinal)).Should().Be(1);
        }

        var statusEvents = await check.RealtimeEvents.AsNoTracking()
            .Where(e => e.TenantId == tenant.Id && e.Type == RealtimeEventTypes.MessageStatus)
            .Select(e => e.MessageId)
            .ToListAsync();
        messages.Select(m => (Guid?)m.Id).Should().BeSubsetOf(statusEvents, "every recorded outcome has its realtime event");
    }
}

[Collection(Serial.Name)]
public sealed class BatchedOutcomeTests_Sqlite(SqliteOutboundFixture fixture) : BatchedOutcomeTests(fixture), IClassFixture<SqliteOutboundFixture>;

[Collection(Serial.Name)]
public sealed class BatchedOutcomeTests_Postgres(PostgresOutboundFixture fixture) : BatchedOutcomeTests(fixture), IClassFixture<PostgresOutboundFixture>;
