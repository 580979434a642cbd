using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Common.Crypto;
using Switchboard.Features.Conversations;
using Switchboard.Features.Media;
using Switchboard.Features.Outbound;
using Switchboard.Tests.Infrastructure;
using static Switchboard.Tests.Infrastructure.WebhookPayloads;

namespace Switchboard.Tests.Conversations;

/// <summary>
/// The ledger's one forward-only rule holds for the sender's outcomes as it does for Meta's statuses, and
/// a contact merge moves other features' rows through the steps they register.
/// </summary>
public abstract class ConversationLedgerTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Theory]
    [InlineData("Queued", "Unknown", "Unknown")]
    [InlineData("Queued", "Failed", "Failed")]
    [InlineData("Delivered", "Unknown", "Delivered")]
    [InlineData("Read", "Failed", "Read")]
    [InlineData("Sent", "Queued", "Sent")]
    public async Task A_send_outcome_moves_a_message_only_forward(string from, string to, string result)
    {
        var (current, outcome, expected) = (Enum.Parse<DeliveryState>(from), Enum.Parse<DeliveryState>(to), Enum.Parse<DeliveryState>(result));
        var message = await OutboundMessageAsync(current);
        var now = DateTimeOffset.UtcNow;

        await using (var db = App.NewDbContext())
        {
            await ConversationLedger.ApplySendOutcomesAsync(db, [new SendOutcome(message.TenantId, message.Id, null, outcome, 131026, "Message undeliverable")], now, default);
        }

        await using var check = App.NewDbContext();
        var stored = await check.Messages.AsNoTracking().SingleAsync(m => m.TenantId == message.TenantId && m.Id == message.Id);
        stored.Status.Should().Be(expected);
        if (expected != current)
        {
            stored.StatusAt.Should().BeCloseTo(now, TimeSpan.FromMilliseconds(1));
        }
        else
        {
            stored.ErrorCode.Should().BeNull("a refused outcome changes nothing");
        }
    }

    [Fact]
    public void Only_an_agents_resend_moves_a_message_back_and_only_from_unknown_or_failed()
    {
        DeliveryStates.CanMove(DeliveryState.Unknown, DeliveryState.Queued).Should().BeTrue();
        DeliveryStates.CanMove(DeliveryState.Failed, DeliveryState.Queued).Should().BeTrue();
        DeliveryStates.CanMove(DeliveryState.Delivered, DeliveryState.Queued).Should().BeFalse();
        DeliveryStates.CanMove(DeliveryState.Read, DeliveryState.Delivered).Should().BeFalse();
        DeliveryStates.CanMove(DeliveryState.Failed, DeliveryState.Read).Should().BeTrue("Meta saying read beats a failure");
        DeliveryStates.CanMove(DeliveryState.Unknown, DeliveryState.Received).Should().BeFalse();
    }

    [Fact]
    public async Task A_merge_moves_media_and_queued_replies_through_the_steps_their_features_register()
    {
        var received = await OutboundMessageAsync(DeliveryState.Failed);
        var directory = App.Services.GetRequiredService<ContactDirectory>();
        var keys = App.Services.GetRequiredService<ContactKeys>();
        var now = DateTimeOffset.UtcNow;
        Guid mergedId, outboxId, mediaId;
        await using (var db = App.NewDbContext())
        {
            var merged = await directory.CreateAsync(db, received.TenantId, null, "merge-" + Guid.NewGuid().ToString("N"), "Pat", default);
            var item = new OutboxItem { TenantId = received.TenantId, Id = Guid.CreateVersion7(), ChannelId = received.ChannelId, ContactId = merged.Id, Kind = OutboxKind.MarkRead, State = OutboxState.Failed, NextAttemptAt = now, CreatedAt = now };
            item.Request = Sealer.Seal(await keys.KeyOfAsync(merged, default), item.SealContext(nameof(OutboxItem.Request)), "{}"u8.ToArray());
            var media = new MediaObject { TenantId = received.TenantId, Id = Guid.CreateVersion7(), MessageId = received.Id, ChannelId = received.ChannelId, ContactId = merged.Id, Kind = "image", MetaMediaId = "media-1", State = MediaState.Failed, NextAttemptAt = now, CreatedAt = now };
            db.AddRange(item, media);
            await db.SaveChangesAsync();
            (mergedId, outboxId, mediaId) = (merged.Id, item.Id, media.Id);
        }

        await using (var db = App.NewDbContext())
        {
            var survivor = await db.Contacts.SingleAsync(c => c.TenantId == received.TenantId && c.Id == received.ContactId);
            var merged = await db.Contacts.SingleAsync(c => c.TenantId == received.TenantId && c.Id == mergedId);
            await directory.MergeAsync(db, survivor, merged, [], [], default);
            await db.SaveChangesAsync();
        }

        await using var check = App.NewDbContext();
        var moved = await check.OutboxItems.AsNoTracking().SingleAsync(o => o.TenantId == received.TenantId && o.Id == outboxId);
        moved.ContactId.Should().Be(received.ContactId);
        var survivorKey = await keys.KeyOfAsync(await check.Contacts.AsNoTracking().SingleAsync(c => c.TenantId == received.TenantId && c.Id == received.ContactId), default);
        Sealer.Open(survivorKey, moved.SealContext(nameof(OutboxItem.Request)), moved.Request).Should().Equal("{}"u8.ToArray(), "re-sealed with the survivor's key");
        (await check.MediaObjects.AsNoTracking().SingleAsync(m => m.TenantId == received.TenantId && m.Id == mediaId)).ContactId.Should().Be(received.ContactId);
    }

    private async Task<Message> OutboundMessageAsync(DeliveryState status)
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        await App.PostSignedAsync(tenant.Id, Messages(phone, Text("Hi", DateTimeOffset.UtcNow.ToUnixTimeSeconds())));
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
            Wamid = "wamid.ledger-" + Guid.NewGuid().ToString("N"),
            Direction = MessageDirection.Outbound,
            Type = "text",
            Timestamp = DateTimeOffset.UtcNow,
            Status = status,
            StatusAt = DateTimeOffset.UtcNow.AddMinutes(-1),
            CreatedAt = DateTimeOffset.UtcNow,
        };
        db.Messages.Add(message);
        await db.SaveChangesAsync();
        return message;
    }
}

public sealed class ConversationLedgerTests_Sqlite(SqliteAppFixture fixture) : ConversationLedgerTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class ConversationLedgerTests_Postgres(PostgresAppFixture fixture) : ConversationLedgerTests(fixture), IClassFixture<PostgresAppFixture>;
