using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Conversations;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Realtime;

/// <summary>
/// On PostgreSQL realtime events are numbered after their writer's commit (ADR 0053): a writer that keeps its
/// transaction open holds up no other writer of the tenant, events are numbered in commit order without gaps,
/// and events whose node died before asking for numbering are numbered by the sweep.
/// </summary>
public sealed class RealtimeSequencerTests(PostgresAppFixture fixture) : IClassFixture<PostgresAppFixture>
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task A_writer_holding_its_transaction_open_does_not_hold_up_the_tenants_other_writers()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        using var client = App.ClientWithKey(tenant.ApiKey);
        await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text("hello", from: "15550000001")));
        await App.WaitForWebhooksAsync();
        var first = (await App.ConversationsAsync(tenant)).Single()!;
        var before = await SequencesAsync(tenant.Id);

        // A slow writer: its event is written, its transaction stays open.
        await using var slow = App.NewDbContext();
        await using var transaction = await slow.Database.BeginTransactionAsync();
        await RealtimeLog.AppendAsync(slow, tenant.Id, RealtimeEventTypes.ConversationChanged, first["id"]!.GetValue<Guid>(), null, "slow", DateTimeOffset.UtcNow, CancellationToken.None);

        // Meanwhile a new customer opens a conversation (a number and events) and an agent resolves the first one.
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text("me too", from: "15550000002")));
            await App.WaitForWebhooksAsync().WaitAsync(timeout.Token);
            var resolved = await client.PostAsync($"/api/v1/tenants/{tenant.Id}/conversations/{first["id"]}/resolve", null, timeout.Token);
            resolved.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        var conversations = await App.ConversationsAsync(tenant);
        conversations.Select(c => c!["number"]!.GetValue<long>()).Should().OnlyHaveUniqueItems().And.HaveCount(2);
        var during = await SequencesAsync(tenant.Id);
        during.Select(e => e.Detail).Should().NotContain("slow", "the open transaction's event is not visible, so it has no number yet");
        during.Count.Should().BeGreaterThan(before.Count);

        await transaction.CommitAsync();
        var after = await SequencesAsync(tenant.Id);
        after.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, after.Count).Select(i => (long)i), "the sequence has no gaps");
        after[^1].Detail.Should().Be("slow", "the event is numbered when its writer commits, after those committed before it");
        after.Take(during.Count).Should().Equal(during, "numbers once given never change");
    }

    [Fact]
    public async Task Events_left_queued_by_a_node_that_died_before_asking_are_numbered_by_the_sweep()
    {
        var tenant = await App.CreateTenantAsync();
        await using (var db = App.NewDbContext())
        {
            // As a node leaves them when it dies between its commit and its request for numbering.
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"INSERT INTO \"RealtimeEventQueue\" (\"TenantId\", \"Type\", \"Detail\", \"CreatedAt\") VALUES ({tenant.Id}, {"conversation.changed"}, {"orphan-1"}, {DateTimeOffset.UtcNow}), ({tenant.Id}, {"conversation.changed"}, {"orphan-2"}, {DateTimeOffset.UtcNow})");
        }

        var numbered = await Eventually.PollAsync(async () =>
        {
            var events = await SequencesAsync(tenant.Id);
            return events.Count == 2 ? events : null;
        }, seconds: 10);

        numbered.Select(e => (e.Sequence, e.Detail)).Should().Equal((1L, "orphan-1"), (2L, "orphan-2"));
        await using var check = App.NewDbContext();
        (await check.QueuedRealtimeEvents.CountAsync(e => e.TenantId == tenant.Id)).Should().Be(0);
        (await check.Tenants.Where(t => t.Id == tenant.Id).Select(t => t.EventCounter).SingleAsync()).Should().Be(2);
    }

    [Fact]
    public async Task An_api_write_returns_only_once_its_event_is_numbered()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        using var client = App.ClientWithKey(tenant.ApiKey);
        await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text("hello")));
        await App.WaitForWebhooksAsync();
        var conversationId = (await App.ConversationsAsync(tenant)).Single()!["id"]!.GetValue<Guid>();

        for (var i = 0; i < 5; i++)
        {
            var response = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/conversations/{conversationId}/messages", new { type = "note", text = $"note {i}" });
            response.StatusCode.Should().Be(HttpStatusCode.Accepted);

            // Read-your-writes: the note's event is in the log when the request returns, nothing left queued.
            await using var db = App.NewDbContext();
            (await db.QueuedRealtimeEvents.CountAsync(e => e.TenantId == tenant.Id)).Should().Be(0);
            (await db.RealtimeEvents.CountAsync(e => e.TenantId == tenant.Id && e.Type == RealtimeEventTypes.MessageQueued)).Should().Be(i + 1);
        }
    }

    private async Task<List<(long Sequence, string? Detail)>> SequencesAsync(Guid tenantId)
    {
        await using var db = App.NewDbContext();
        var rows = await db.RealtimeEvents.AsNoTracking().Where(e => e.TenantId == tenantId).OrderBy(e => e.Sequence).Select(e => new { e.Sequence, e.Detail }).ToListAsync();
        return rows.Select(r => (r.Sequence, r.Detail)).ToList();
    }
}
