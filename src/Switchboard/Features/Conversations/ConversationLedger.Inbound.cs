using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>Who sent an inbound message, as its webhook names them (a changed number or id in <c>New…</c>).</summary>
internal readonly record struct InboundSender(string? WaId, string? UserId, string? LookupUserId, string? Name, string? NewWaId, string? NewUserId);

/// <summary>A customer's reaction: the message it is on, and the emoji (none when taken back).</summary>
internal sealed record InboundReaction(string TargetWamid, string? Emoji);

/// <summary>One parsed <c>messages[]</c> item, routed to its number: what the ledger stores.</summary>
internal sealed record InboundMessage(
    Guid TenantId,
    Guid ChannelId,
    string Wamid,
    string Type,
    DateTimeOffset? MetaTime,
    DateTimeOffset ReceivedAt,
    InboundSender Sender,
    string Content,
    string Text,
    int? ErrorCode,
    string? ErrorTitle,
    string? ContextWamid,
    ForwardedMark Forwarded,
    InboundReaction? Reaction);

/// <summary>One parsed <c>statuses[]</c> item, routed to its number.</summary>
internal sealed record InboundStatus(
    Guid TenantId, Guid ChannelId, string Wamid, DeliveryState Status, DateTimeOffset Timestamp, int? ErrorCode, string? ErrorTitle, string? ErrorDetails, string? PricingCategory);

/// <summary>
/// The inbound half of the ledger, set-based (ADR 0014): a batch registers what its messages and
/// statuses will look up, loads it at once (<see cref="InboundBatch.LoadAsync"/>), records them in
/// arrival order against the loaded views, and is written with a bulk insert and one statement per kind.
/// </summary>
internal sealed partial class ConversationLedger(
    ContactDirectory contacts, ContactKeys contactKeys, ConversationThreads threads, BlindIndex blindIndex, MinimalMessages minimal, IEnumerable<IConversationStep> steps, TimeProvider clock)
{
    // Hashes of what each contact's webhooks said last time: a regular customer's next message needs no
    // decryption of their profile to see that nothing changed. Hashes only — no names in memory.
    private readonly ConcurrentDictionary<Guid, byte[]> knownProfiles = new();

    /// <summary>The registered features' parts in a conversation's changes (ADR 0020), in registration order.</summary>
    public IReadOnlyList<IConversationStep> Steps { get; } = [.. steps];

    public InboundBatch NewBatch() => new(blindIndex, Steps);

    /// <summary>Registers a message's wamids and its sender's indexes with the batch, before it loads.</summary>
    public static async Task RegisterInboundAsync(InboundBatch batch, Guid tenantId, Guid channelId, string wamid, string? contextWamid, InboundSender sender, CancellationToken ct)
    {
        batch.RegisterMessageWamid(tenantId, channelId, wamid);
        batch.RegisterMessageWamid(tenantId, channelId, contextWamid);
        await batch.IndexAsync(tenantId, BlindIndex.WaId, sender.WaId, ct);
        await batch.IndexAsync(tenantId, BlindIndex.WaId, sender.NewWaId, ct);
        await batch.IndexAsync(tenantId, BlindIndex.UserId, sender.LookupUserId, ct);
        await batch.IndexAsync(tenantId, BlindIndex.UserId, sender.NewUserId, ct);
    }

    /// <summary>Registers a status's wamid with the batch, before it loads.</summary>
    public static void RegisterStatus(InboundBatch batch, Guid tenantId, Guid channelId, string? wamid) => batch.RegisterStatusWamid(tenantId, channelId, wamid);

    /// <summary>
    /// Records a customer's message: finds or creates the contact (merging two records of one person) and
    /// the conversation, stores the message sealed with the contact key, links replies and reactions,
    /// renews the window from Meta's time, counts it unread, and appends its realtime event. Returns the
    /// stored message, or null when this (number, wamid, time) is stored already. The caller saves once
    /// per batch (<see cref="WriteAsync"/>).
    /// </summary>
    public async Task<Message?> RecordInboundAsync(SwitchboardDbContext db, InboundBatch batch, InboundMessage inbound, CancellationToken ct)
    {
        var (tenantId, channelId, wamid) = (inbound.TenantId, inbound.ChannelId, inbound.Wamid);
        var timestamp = inbound.MetaTime ?? inbound.ReceivedAt;

        // Without Meta's time the arrival time stands in, which differs per delivery: the wamid alone decides then.
        if (batch.HasMessage(tenantId, channelId, wamid, inbound.MetaTime))
        {
            return null;
        }

        var contact = await ResolveContactAsync(db, batch, tenantId, inbound.Sender, ct);
        var key = await contactKeys.KeyOfAsync(contact, ct);
        var conversation = threads.CurrentOrNew(batch.CurrentConversation(tenantId, channelId, contact.Id), tenantId, channelId, contact.Id, timestamp, out var opened);
        if (opened)
        {
            batch.AddConversation(conversation);
        }

        var now = clock.GetUtcNow();
        var row = new Message
        {
            TenantId = tenantId,
            Id = Guid.CreateVersion7(now),
            ConversationId = conversation.Id,
            ChannelId = channelId,
            ContactId = contact.Id,
            Wamid = wamid,
            Direction = MessageDirection.Inbound,
            Type = inbound.Type,
            Timestamp = timestamp,
            Status = DeliveryState.Received,
            StatusAt = timestamp,
            ErrorCode = inbound.ErrorCode,
            ErrorTitle = inbound.ErrorTitle,
            ContextWamid = inbound.ContextWamid,
            Forwarded = inbound.Forwarded,
            CreatedAt = now,
        };
        // A tenant with minimal messages keeps only the minimum of WhatsApp's object (ADR 0051); the readable text is rendered from the whole one.
        var content = await minimal.IsOnAsync(tenantId, ct) ? MessageMinimum.Of(inbound.Type, inbound.Content) : inbound.Content;
        row.Content = Sealer.Seal(key, row.SealContext(nameof(Message.Content)), content);
        row.Text = Sealer.Seal(key, row.SealContext(nameof(Message.Text)), inbound.Text);
        if (row.ContextWamid is not null)
        {
            row.ReplyToMessageId = batch.MessageIdOf(tenantId, channelId, row.ContextWamid);
        }

        batch.AddNewMessage(row);
        // A survey answer on a resolved conversation leaves it resolved: nothing for an agent to do (ADR 0031).
        var replyId = SurveyReplies.IdOf(inbound.Type, inbound.Content);
        var answer = !opened && conversation.Status == ConversationStatus.Resolved && SurveyReplies.IsAnswer(replyId);
        var cause = opened ? ConversationCause.Opened
            : answer ? ConversationCause.SurveyAnswered
            : conversation.Status == ConversationStatus.Resolved ? ConversationCause.Reopened
            : ConversationCause.CustomerMessage;
        batch.Changes.Add(new ConversationChange(conversation, cause, timestamp) { MessageId = row.Id, Message = row, ReplyId = replyId });
        await IndexForSearchAsync(db, row, key, inbound.Text, ct);
        threads.RecordInbound(conversation, timestamp, countsAsUnread: !answer && inbound.Type is not ("reaction" or "system"), opensWindow: inbound.Type != "system", reopens: !answer);
        if (inbound.Reaction is { } reaction)
        {
            await ApplyReactionAsync(db, row, key, reaction, ct);
        }

        RealtimeLog.Append(db, tenantId, RealtimeEventTypes.MessageReceived, conversation.Id, row.Id, row.Type, now);
        return row;
    }

    /// <summary>
    /// Records a status once per (number, wamid, status) and applies it to its outbound message through the
    /// forward-only rule when the message is known; otherwise it waits for the post-commit reconciliation.
    /// </summary>
    public void RecordStatus(SwitchboardDbContext db, InboundBatch batch, InboundStatus status)
    {
        if (batch.SeenStatus(status.TenantId, status.ChannelId, status.Wamid, status.Status))
        {
            return;
        }

        var update = new StatusUpdate
        {
            TenantId = status.TenantId,
            Id = Guid.CreateVersion7(),
            ChannelId = status.ChannelId,
            Wamid = status.Wamid,
            Status = status.Status,
            Timestamp = status.Timestamp,
            ErrorCode = status.ErrorCode,
            ErrorTitle = status.ErrorTitle,
            ErrorDetails = status.ErrorDetails,
            PricingCategory = status.PricingCategory,
            ReceivedAt = clock.GetUtcNow(),
        };
        db.StatusUpdates.Add(update);

        var message = batch.OutboundOf(status.TenantId, status.ChannelId, status.Wamid);
        if (message is null)
        {
            // Perhaps the reply's wamid is being recorded right now by the sender: checked again after the commit.
            batch.UnmatchedStatuses.Add((status.TenantId, status.ChannelId, status.Wamid));
        }
        else if (DeliveryStatuses.Apply(message, update.Status, update.Timestamp, update.ErrorCode, update.ErrorTitle))
        {
            RealtimeLog.Append(db, status.TenantId, RealtimeEventTypes.MessageStatus, message.ConversationId, message.Id, DeliveryStates.Name(message.Status), update.ReceivedAt);
        }
    }

    /// <summary>
    /// In the caller's transaction: first the registered steps plan the batch's conversation changes, then
    /// the batch's new messages in one bulk insert, its changed conversations in one statement (PostgreSQL),
    /// then the rest of the unit of work.
    /// </summary>
    public static async Task WriteAsync(SwitchboardDbContext db, InboundBatch batch, CancellationToken ct)
    {
        await PlanAsync(db, batch.Steps, batch.Changes, ct);
        await BulkInsert.InsertAsync(db, batch.NewMessages, ct);
        await WriteSearchRowsAsync(db, ct);
        await ConversationThreads.WriteChangedAsync(db, ct);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Last before the commit: numbers the conversations the batch opened and writes its realtime events.
    /// Both take the tenant rows' counters, whose locks are then held only until the commit.
    /// </summary>
    public static Task AppendEventsAsync(SwitchboardDbContext db, InboundBatch batch, CancellationToken ct) =>
        RealtimeLog.FlushAsync(db, ct, batch.NewConversations);

    /// <summary>After the batch committed: its unchanged profiles are surely stored, so they can be skipped next time; the steps see its changes.</summary>
    public void Committed(InboundBatch batch)
    {
        NotifyCommitted(Steps, batch.Changes);
        if (knownProfiles.Count > 100_000)
        {
            knownProfiles.Clear();
        }

        foreach (var (contactId, fingerprint) in batch.UnchangedProfiles)
        {
            knownProfiles[contactId] = fingerprint;
        }
    }

    private async Task<Contact> ResolveContactAsync(SwitchboardDbContext db, InboundBatch batch, Guid tenantId, InboundSender sender, CancellationToken ct)
    {
        var (waId, userId, lookupUserId, name, newWaId, newUserId) = sender;
        var found = batch.FindContacts(
            tenantId,
            [await batch.IndexAsync(tenantId, BlindIndex.UserId, lookupUserId, ct), await batch.IndexAsync(tenantId, BlindIndex.UserId, newUserId, ct)],
            [await batch.IndexAsync(tenantId, BlindIndex.WaId, waId, ct), await batch.IndexAsync(tenantId, BlindIndex.WaId, newWaId, ct)]);
        if (found.Count == 0)
        {
            var created = await contacts.CreateAsync(db, tenantId, newWaId ?? waId, newUserId ?? userId, name, ct);
            batch.RememberContact(created);
            return created;
        }

        var contact = found[0];
        ContactProfile? merged = null;
        foreach (var other in found.Skip(1))
        {
            // The ids of one webhook (or a notice and its replacement id) are one person, as Meta documents
            // business-scoped user ids: the older contact keeps everything of the other.
            merged = await contacts.MergeAsync(db, contact, other, batch.NewMessages, batch.NewConversations, ct);
            batch.ForgetContact(other, contact);
            knownProfiles.TryRemove(other.Id, out _);
        }

        var fingerprint = SHA256.HashData(Encoding.UTF8.GetBytes($"{contact.Id}|{waId}|{userId}|{name}|{newWaId}|{newUserId}"));
        if (merged is null && knownProfiles.TryGetValue(contact.Id, out var seen) && seen.AsSpan().SequenceEqual(fingerprint))
        {
            return contact;
        }

        var known = await contacts.ReadAsync(contact, ct);
        // After a merge, the ids this webhook names win over those the survivor had; then the merged one's.
        var changedWaId = newWaId ?? (known.WaId is null || merged is not null ? waId : null) ?? (known.WaId is null ? merged?.WaId : null);
        var changedUserId = newUserId ?? (known.UserId is null || merged is not null ? userId : null) ?? (known.UserId is null ? merged?.UserId : null);
        var changedName = name is not null && name != known.Name ? name : known.Name is null ? merged?.Name : null;
        if (changedWaId == known.WaId)
        {
            changedWaId = null;
        }

        if (changedUserId == known.UserId)
        {
            changedUserId = null;
        }

        if (changedWaId is not null || changedUserId is not null || changedName is not null)
        {
            // Not remembered yet: only a profile seen unchanged (so surely stored) is skipped next time.
            await contacts.UpdateAsync(contact, changedWaId, changedUserId, changedName, ct);
            batch.RememberContact(contact);
        }
        else
        {
            batch.UnchangedProfiles.Add((contact.Id, fingerprint));
        }

        return contact;
    }

    private static async Task ApplyReactionAsync(SwitchboardDbContext db, Message reactionMessage, DataKey contactKey, InboundReaction reaction, CancellationToken ct)
    {
        var existing = await db.Reactions.FindAsync([reactionMessage.TenantId, reactionMessage.ChannelId, reaction.TargetWamid, reactionMessage.ContactId], ct);
        if (existing is not null && existing.Timestamp > reactionMessage.Timestamp)
        {
            return;
        }

        var sealedEmoji = string.IsNullOrEmpty(reaction.Emoji)
            ? null
            : Sealer.Seal(contactKey, new SealContext(reactionMessage.TenantId, Reaction.Table, reactionMessage.Id, nameof(Reaction.Emoji)), reaction.Emoji);
        if (existing is null)
        {
            db.Reactions.Add(new Reaction
            {
                TenantId = reactionMessage.TenantId,
                ChannelId = reactionMessage.ChannelId,
                TargetWamid = reaction.TargetWamid,
                ContactId = reactionMessage.ContactId,
                Emoji = sealedEmoji,
                Timestamp = reactionMessage.Timestamp,
                MessageId = reactionMessage.Id,
            });
        }
        else
        {
            existing.Emoji = sealedEmoji;
            existing.Timestamp = reactionMessage.Timestamp;
            existing.MessageId = reactionMessage.Id;
        }
    }
}
