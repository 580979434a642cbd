using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Features.Conversations;
using Switchboard.Features.Outbound;
using Switchboard.Features.Webhooks;
using Switchboard.Tests.Infrastructure;
using static Switchboard.Tests.Infrastructure.WebhookPayloads;

namespace Switchboard.Tests.Webhooks;

/// <summary>Background processing: batches, duplicates, statuses in any order, retention.</summary>
public abstract class WebhookProcessingTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Every_entry_change_and_message_of_a_batched_post_is_processed()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var entries = Enumerable.Range(0, 3).Select(e => Enumerable.Range(0, 2).Select(c => Change(
            phone,
            contacts: [new { profile = new { name = $"Customer {e}{c}" }, wa_id = $"1650555{e}{c}00" }],
            messages: Enumerable.Range(0, 4).Select(m => (object)new
            {
                from = $"1650555{e}{c}00",
                id = $"wamid.batch-{tenant.Id:N}-{e}-{c}-{m}",
                timestamp = (1_750_000_000 + (e * 100) + (c * 10) + m).ToString(System.Globalization.CultureInfo.InvariantCulture),
                type = "text",
                text = new { body = $"entry {e} change {c} message {m}" },
            }))).ToList()).ToList();

        (await App.PostSignedAsync(tenant.Id, Envelope(entries))).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();

        var messages = await App.MessagesAsync(tenant);
        messages.Should().HaveCount(24);
        messages.Select(m => m["text"]!.GetValue<string>()).Should().Contain("entry 2 change 1 message 3").And.Contain("entry 0 change 0 message 0");
        (await App.ConversationsAsync(tenant)).Should().HaveCount(6, "six customers wrote");
    }

    [Fact]
    public async Task The_same_message_delivered_again_and_again_and_concurrently_is_stored_once()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var body = Messages(phone, Text("Hello once", 1_750_000_000));

        for (var i = 0; i < 5; i++)
        {
            (await App.PostSignedAsync(tenant.Id, body)).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => App.PostSignedAsync(tenant.Id, body)));
        concurrent.Should().OnlyContain(r => r.StatusCode == HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();

        var messages = await App.MessagesAsync(tenant);
        messages.Should().ContainSingle().Which["text"]!.GetValue<string>().Should().Be("Hello once");
        (await App.ConversationsAsync(tenant)).Single()!["unreadCount"]!.GetValue<int>().Should().Be(1);
        await using var db = App.NewDbContext();
        (await db.WebhookEvents.CountAsync(e => e.TenantId == tenant.Id)).Should().Be(15, "every delivery is kept until the replay window ends");
    }

    [Fact]
    public async Task A_redelivery_days_later_is_still_a_duplicate()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var body = Messages(phone, Text("Late duplicate", 1_750_000_000));
        await App.PostSignedAsync(tenant.Id, body);
        await App.WaitForWebhooksAsync();
        await using (var db = App.NewDbContext())
        {
            // As if the first delivery had been processed long ago and purged since.
            await db.WebhookEvents.Where(e => e.TenantId == tenant.Id).ExecuteDeleteAsync();
        }

        await App.PostSignedAsync(tenant.Id, body);
        await App.WaitForWebhooksAsync();

        (await App.MessagesAsync(tenant)).Should().ContainSingle();
    }

    [Fact]
    public async Task Statuses_only_move_forward_whatever_order_they_arrive_in()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var message = await OutboundMessageAsync(tenant, phone, "wamid.out-" + Guid.NewGuid().ToString("N"));

        foreach (var (state, at) in new[] { ("read", 1_750_000_300L), ("sent", 1_750_000_100L), ("delivered", 1_750_000_200L), ("read", 1_750_000_300L) })
        {
            await App.PostSignedAsync(tenant.Id, Statuses(phone, new Status(message.Wamid!, state, at)));
        }

        await App.WaitForWebhooksAsync();

        await using var db = App.NewDbContext();
        var stored = await db.Messages.SingleAsync(m => m.Id == message.Id);
        stored.Status.Should().Be(DeliveryState.Read, "a late sent or delivered never takes a read message back");
        stored.StatusAt.Should().Be(DateTimeOffset.FromUnixTimeSeconds(1_750_000_300));
        (await db.StatusUpdates.Where(s => s.Wamid == message.Wamid).Select(s => s.Status).ToListAsync())
            .Should().BeEquivalentTo([DeliveryState.Sent, DeliveryState.Delivered, DeliveryState.Read], "each status is recorded once");
    }

    [Fact]
    public async Task A_failed_status_carries_code_and_title_and_read_still_wins()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var failing = await OutboundMessageAsync(tenant, phone, "wamid.fail-" + Guid.NewGuid().ToString("N"));

        await App.PostSignedAsync(tenant.Id, Statuses(phone, new Status(failing.Wamid!, "sent", 1_750_000_100)));
        await App.PostSignedAsync(tenant.Id, Statuses(phone, new Status(failing.Wamid!, "failed", 1_750_000_200, 131047, "Re-engagement message")));
        await App.PostSignedAsync(tenant.Id, Statuses(phone, new Status(failing.Wamid!, "delivered", 1_750_000_150)));
        await App.WaitForWebhooksAsync();

        await using var db = App.NewDbContext();
        var stored = await db.Messages.SingleAsync(m => m.Id == failing.Id);
        stored.Status.Should().Be(DeliveryState.Failed);
        stored.ErrorCode.Should().Be(131047);
        stored.ErrorTitle.Should().Be("Re-engagement message");
    }

    [Fact]
    public async Task A_status_that_arrives_before_its_message_is_kept_and_applied_when_the_message_appears()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var wamid = "wamid.early-" + Guid.NewGuid().ToString("N");

        await App.PostSignedAsync(tenant.Id, Statuses(phone, new Status(wamid, "delivered", 1_750_000_200), new Status(wamid, "sent", 1_750_000_100)));
        await App.WaitForWebhooksAsync();
        await using (var db = App.NewDbContext())
        {
            (await db.StatusUpdates.CountAsync(s => s.Wamid == wamid)).Should().Be(2);
        }

        var message = await OutboundMessageAsync(tenant, phone, wamid, reconcile: true);

        message.Status.Should().Be(DeliveryState.Delivered);
        message.StatusAt.Should().Be(DateTimeOffset.FromUnixTimeSeconds(1_750_000_200));
    }

    [Fact]
    public async Task Raw_events_are_purged_after_the_replay_window_and_messages_stay()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        await App.PostSignedAsync(tenant.Id, Messages(phone, Text("Keep me", 1_750_000_000)));
        await App.PostSignedAsync(tenant.Id, "not json"u8.ToArray().Concat(Guid.NewGuid().ToByteArray()).ToArray());
        await App.WaitForWebhooksAsync();
        await using (var db = App.NewDbContext())
        {
            await db.WebhookEvents.Where(e => e.TenantId == tenant.Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.ReceivedAt, DateTimeOffset.UtcNow.AddDays(-8)));
        }

        await App.Services.GetRequiredService<WebhookJanitor>().PurgeAsync(default);

        await using var check = App.NewDbContext();
        (await check.WebhookEvents.Where(e => e.TenantId == tenant.Id).Select(e => e.State).ToListAsync())
            .Should().Equal([WebhookEventState.Quarantined], "processed events go after 7 days; quarantined ones wait 30 for the operator");
        (await App.MessagesAsync(tenant)).Should().ContainSingle(m => m["text"]!.GetValue<string>() == "Keep me");
    }

    [Fact]
    public async Task Old_realtime_events_idempotency_keys_and_finished_outbox_rows_are_purged_too()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        await App.PostSignedAsync(tenant.Id, Messages(phone, Text("event source")));
        await App.WaitForWebhooksAsync();
        var old = DateTimeOffset.UtcNow.AddDays(-8);
        await using (var db = App.NewDbContext())
        {
            db.IdempotencyKeys.Add(new Switchboard.Features.Outbound.IdempotencyKey { TenantId = tenant.Id, Key = "old-key", RequestHash = new byte[32], MessageId = Guid.CreateVersion7(), CreatedAt = old });
            db.IdempotencyKeys.Add(new Switchboard.Features.Outbound.IdempotencyKey { TenantId = tenant.Id, Key = "new-key", RequestHash = new byte[32], MessageId = Guid.CreateVersion7(), CreatedAt = DateTimeOffset.UtcNow });
            db.OutboxItems.Add(new Switchboard.Features.Outbound.OutboxItem { TenantId = tenant.Id, Id = Guid.CreateVersion7(), ChannelId = Guid.CreateVersion7(), ContactId = Guid.CreateVersion7(), State = Switchboard.Features.Outbound.OutboxState.Done, CreatedAt = old, NextAttemptAt = old, CompletedAt = old });
            await db.SaveChangesAsync();
            await db.RealtimeEvents.Where(e => e.TenantId == tenant.Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.CreatedAt, old));
        }

        await App.Services.GetRequiredService<WebhookJanitor>().PurgeAsync(default);

        await using var check = App.NewDbContext();
        (await check.IdempotencyKeys.Where(k => k.TenantId == tenant.Id).Select(k => k.Key).ToListAsync()).Should().Equal("new-key");
        (await check.OutboxItems.CountAsync(o => o.TenantId == tenant.Id)).Should().Be(0);
        (await check.RealtimeEvents.CountAsync(e => e.TenantId == tenant.Id)).Should().Be(0);
        (await App.MessagesAsync(tenant)).Should().ContainSingle("messages are the product's data, not bookkeeping");
    }

    [Fact]
    public async Task A_customer_message_reopens_a_resolved_conversation_and_renews_the_window_from_metas_time()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        await App.PostSignedAsync(tenant.Id, Messages(phone, Text("first", 1_750_000_000)));
        await App.WaitForWebhooksAsync();
        await using (var db = App.NewDbContext())
        {
            await db.Conversations.Where(c => c.TenantId == tenant.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ConversationStatus.Resolved));
        }

        await App.PostSignedAsync(tenant.Id, Messages(phone, Text("second", 1_750_003_600)));
        await App.WaitForWebhooksAsync();

        var conversation = (await App.ConversationsAsync(tenant)).Single()!;
        conversation["status"]!.GetValue<string>().Should().Be("open");
        conversation["windowExpiresAt"]!.GetValue<DateTimeOffset>().Should().Be(DateTimeOffset.FromUnixTimeSeconds(1_750_003_600).AddHours(24));
        conversation["unreadCount"]!.GetValue<int>().Should().Be(2);
    }

    [Fact]
    public async Task A_customer_writing_days_after_resolution_starts_a_new_conversation()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        await App.PostSignedAsync(tenant.Id, Messages(phone, Text("first visit", 1_750_000_000)));
        await App.WaitForWebhooksAsync();
        await using (var db = App.NewDbContext())
        {
            await db.Conversations.Where(c => c.TenantId == tenant.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ConversationStatus.Resolved));
        }

        await App.PostSignedAsync(tenant.Id, Messages(phone, Text("back two days later", 1_750_000_000 + (2 * 86_400))));
        await App.WaitForWebhooksAsync();

        var conversations = await App.ConversationsAsync(tenant);
        conversations.Should().HaveCount(2);
        conversations[0]!["status"]!.GetValue<string>().Should().Be("open");
        conversations[0]!["number"]!.GetValue<long>().Should().Be(conversations[1]!["number"]!.GetValue<long>() + 1);
        conversations[1]!["status"]!.GetValue<string>().Should().Be("resolved");
    }

    [Fact]
    public async Task A_message_type_nobody_knows_yet_is_kept_raw_with_a_fallback_text()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var body = Envelope([[Change(
            phone,
            contacts: [new { profile = new { name = "Future" }, wa_id = "16505550404" }],
            messages: [new { from = "16505550404", id = "wamid.future-" + Guid.NewGuid().ToString("N"), timestamp = "1750000000", type = "poll", poll = new { question = "Blue or green?", options = new[] { "Blue", "Green" } } }])]]);

        await App.PostSignedAsync(tenant.Id, body);
        await App.WaitForWebhooksAsync();

        var message = (await App.MessagesAsync(tenant)).Single();
        message["type"]!.GetValue<string>().Should().Be("poll");
        message["text"]!.GetValue<string>().Should().Be("[Unsupported message type: poll]");
        message["payload"]!["poll"]!["question"]!.GetValue<string>().Should().Be("Blue or green?");
    }

    [Fact]
    public async Task A_customer_without_a_phone_number_is_known_by_business_scoped_user_id()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var body = Envelope([[Change(
            phone,
            contacts: [new { profile = new { name = "Hidden Number" }, user_id = "US.13491208655302741918" }],
            messages: [new { from_user_id = "US.13491208655302741918", id = "wamid.bsuid-" + Guid.NewGuid().ToString("N"), timestamp = "1750000000", type = "text", text = new { body = "no phone here" } }])]]);

        await App.PostSignedAsync(tenant.Id, body);
        await App.PostSignedAsync(tenant.Id, Messages(phone, new Inbound("wamid.again-" + Guid.NewGuid().ToString("N"), "16505559999", "with phone", 1_750_000_100)));
        await App.WaitForWebhooksAsync();

        var conversations = await App.ConversationsAsync(tenant);
        conversations.Should().HaveCount(2);
        var hidden = conversations.Single(c => c!["contact"]!["name"]!.GetValue<string>() == "Hidden Number")!;
        hidden["contact"]!["waId"].Should().BeNull();
        await using var db = App.NewDbContext();
        var contacts = App.Services.GetRequiredService<ContactDirectory>();
        var found = await contacts.FindAsync(db, tenant.Id, null, "US.13491208655302741918", default);
        found!.Id.Should().Be(hidden["contact"]!["id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task A_burst_of_regulars_and_newcomers_is_processed_in_batches_without_losing_a_message_a_count_or_a_number()
    {
        var (tenant, phone) = await TenantWithChannelAsync();

        // One new customer writes 30 times and 20 other new customers once each, all at the same moment:
        // the batches see the same customer several times before anything is committed.
        var regular = Enumerable.Range(0, 30).Select(i => Messages(phone, Text($"burst {i}", 1_750_000_000 + i, from: "16505559000")));
        var newcomers = Enumerable.Range(0, 20).Select(i => Messages(phone, Text($"hello from {i}", 1_750_000_100 + i, from: $"1650555{i:D4}")));
        var responses = await Task.WhenAll(regular.Concat(newcomers).Select(body => App.PostSignedAsync(tenant.Id, body)));
        responses.Should().OnlyContain(r => r.StatusCode == HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();

        (await App.MessagesAsync(tenant)).Should().HaveCount(50);
        var conversations = await App.ConversationsAsync(tenant);
        conversations.Should().HaveCount(21, "one conversation per customer, however their messages were batched");
        conversations.Select(c => c!["unreadCount"]!.GetValue<int>()).Should().Contain(30).And.OnlyContain(n => n == 30 || n == 1);
        conversations.Select(c => c!["number"]!.GetValue<long>()).Should().OnlyHaveUniqueItems().And.BeEquivalentTo(Enumerable.Range(1, 21).Select(n => (long)n));
        await using var db = App.NewDbContext();
        (await db.Contacts.CountAsync(c => c.TenantId == tenant.Id)).Should().Be(21);
        (await db.WebhookEvents.CountAsync(e => e.TenantId == tenant.Id && e.State != WebhookEventState.Processed)).Should().Be(0);
        var sequences = await db.RealtimeEvents.Where(e => e.TenantId == tenant.Id && e.Type == "message.received").Select(e => e.Sequence).ToListAsync();
        sequences.Should().HaveCount(50).And.OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Statuses_racing_through_parallel_batches_never_move_a_message_backwards()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var messages = new List<Message>();
        for (var i = 0; i < 5; i++)
        {
            messages.Add(await OutboundMessageAsync(tenant, phone, $"wamid.race-{i}-" + Guid.NewGuid().ToString("N")));
        }

        // Every status of every message, several times over, all at once and in no particular order.
        var bodies = messages.SelectMany(m => new[] { ("sent", 100L), ("delivered", 200L), ("read", 300L) }
                .Select(s => Statuses(phone, new Status(m.Wamid!, s.Item1, 1_750_000_000 + s.Item2))))
            .SelectMany(b => Enumerable.Repeat(b, 4))
            .OrderBy(_ => Random.Shared.Next())
            .ToList();
        (await Task.WhenAll(bodies.Select(b => App.PostSignedAsync(tenant.Id, b)))).Should().OnlyContain(r => r.StatusCode == HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();

        await using var db = App.NewDbContext();
        var ids = messages.Select(m => m.Id).ToList();
        var stored = await db.Messages.Where(m => m.TenantId == tenant.Id && ids.Contains(m.Id)).ToListAsync();
        stored.Should().HaveCount(5).And.OnlyContain(m => m.Status == DeliveryState.Read);
        (await db.StatusUpdates.CountAsync(s => s.TenantId == tenant.Id)).Should().Be(15, "each (message, status) is recorded once");
    }

    private async Task<Message> OutboundMessageAsync(TestTenant tenant, string phone, string wamid, bool reconcile = false)
    {
        // An inbound message first, so that a contact and conversation exist; then a reply as the sender would record it.
        await App.PostSignedAsync(tenant.Id, Messages(phone, Text("Hi", 1_749_999_000)));
        await App.WaitForWebhooksAsync();
        await using var db = App.NewDbContext();
        var conversation = await db.Conversations.FirstAsync(c => c.TenantId == tenant.Id);
        var message = new Message
        {
            TenantId = tenant.Id,
            Id = Guid.CreateVersion7(),
            ConversationId = conversation.Id,
            ChannelId = conversation.ChannelId,
            ContactId = conversation.ContactId,
            Wamid = wamid,
            Direction = MessageDirection.Outbound,
            Type = "text",
            Timestamp = DateTimeOffset.FromUnixTimeSeconds(1_750_000_000),
            Status = DeliveryState.Queued,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        db.Messages.Add(message);
        if (reconcile)
        {
            await DeliveryStatuses.ReconcileAsync(db, message, default);
        }

        await db.SaveChangesAsync();
        return message;
    }

    private async Task<(TestTenant Tenant, string Phone)> TenantWithChannelAsync()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        return (tenant, phone);
    }
}

public sealed class WebhookProcessingTests_Sqlite(SqliteAppFixture fixture) : WebhookProcessingTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class WebhookProcessingTests_Postgres(PostgresAppFixture fixture) : WebhookProcessingTests(fixture), IClassFixture<PostgresAppFixture>;
