using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Realtime;
using Switchboard.Common.Serialization;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;
using Switchboard.Features.Media;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// Stores one inbound <c>messages[]</c> item: finds or creates the contact and conversation, keeps the
/// message exactly as WhatsApp sent it (sealed with the contact key) with a readable rendering, links
/// replies and reactions, and queues attachments for fetching. Idempotent per (number, wamid, timestamp).
/// Part of a batch: <see cref="PrepareAsync"/> registers what the message needs looked up, the batch loads
/// it set-based, and <see cref="HandleAsync"/> applies the message against the batch without a query of
/// its own; the caller saves once for the whole batch.
/// </summary>
internal sealed class IngestMessage(ContactDirectory contacts, ContactKeys contactKeys, ConversationThreads threads, MediaSignal mediaSignal, TimeProvider clock)
{
    private const int MaxWamidLength = 256;
    private static readonly HashSet<string> MediaKinds = ["image", "audio", "video", "document", "sticker"];

    // Hashes of what each contact's webhooks said last time: a regular customer's next message needs no
    // decryption of their profile to see that nothing changed. Hashes only — no names in memory.
    private readonly ConcurrentDictionary<Guid, byte[]> knownProfiles = new();

    /// <summary>
    /// Registers the message's wamids and its sender's indexes with the batch, before it loads; returns
    /// false, registering nothing, for a message that can never be stored (see <see cref="IsWellFormed"/>).
    /// </summary>
    public static async Task<bool> PrepareAsync(IngestBatch batch, Channel channel, JsonElement value, JsonElement message, CancellationToken ct)
    {
        if (!IsWellFormed(value, message, out var sender))
        {
            return false;
        }

        batch.RegisterMessageWamid(channel.TenantId, channel.Id, WamidOf(message));
        batch.RegisterMessageWamid(channel.TenantId, channel.Id, ContextWamidOf(message));
        await batch.IndexAsync(channel.TenantId, BlindIndex.WaId, sender.WaId, ct);
        await batch.IndexAsync(channel.TenantId, BlindIndex.WaId, sender.NewWaId, ct);
        await batch.IndexAsync(channel.TenantId, BlindIndex.UserId, sender.LookupUserId, ct);
        await batch.IndexAsync(channel.TenantId, BlindIndex.UserId, sender.NewUserId, ct);
        return true;
    }

    /// <summary>
    /// The cheap shape check made once per message while parsing: an object whose id, <c>from</c> and
    /// <c>from_user_id</c> are strings (when present), which carries Meta's unix time (every message does;
    /// a stand-in time would store a damaged copy of the message again beside the one with Meta's), whose id fits a
    /// wamid, and whose sender can be told
    /// (a phone number or a business-scoped user id, from the message, its profile or its system notice).
    /// Such a message can never be stored, however often it is tried: its event is quarantined for the
    /// operator at once, and the rest of the payload is stored (ADR 0018).
    /// </summary>
    public static bool IsWellFormed(JsonElement value, JsonElement message, out Sender sender)
    {
        sender = default;
        if (message.ValueKind != JsonValueKind.Object
            || !message.IsStringOrAbsent("id") || !message.IsStringOrAbsent("from") || !message.IsStringOrAbsent("from_user_id")
            || message.UnixTime("timestamp") is null
            || (message.String("id") is { } id && (id.Length > MaxWamidLength || id.Contains('\0', StringComparison.Ordinal))))
        {
            return false;
        }

        sender = SenderOf(value, message);
        return !string.IsNullOrWhiteSpace(sender.NewWaId ?? sender.WaId) || !string.IsNullOrWhiteSpace(sender.NewUserId ?? sender.UserId);
    }

    public async Task HandleAsync(SwitchboardDbContext db, IngestBatch batch, Channel channel, JsonElement value, JsonElement message, DateTimeOffset receivedAt, CancellationToken ct)
    {
        var raw = message.GetRawText();
        var wamid = WamidOf(message);
        var metaTime = message.UnixTime("timestamp");
        var timestamp = metaTime ?? receivedAt;
        var type = message.String("type") ?? "unknown";
        var tenantId = channel.TenantId;

        // Without Meta's time the arrival time stands in, which differs per delivery: the wamid alone decides then.
        if (batch.HasMessage(tenantId, channel.Id, wamid, metaTime))
        {
            return;
        }

        var contact = await ResolveContactAsync(db, batch, tenantId, value, message, ct);
        var key = await contactKeys.KeyOfAsync(contact, ct);
        var conversation = threads.CurrentOrNew(batch.CurrentConversation(tenantId, channel.Id, contact.Id), tenantId, channel.Id, contact.Id, timestamp, out var opened);
        if (opened)
        {
            batch.AddConversation(conversation);
        }

        var now = clock.GetUtcNow();
        var context = message.Get("context");
        var error = message.Array("errors").FirstOrDefault();
        var row = new Message
        {
            TenantId = tenantId,
            Id = Guid.CreateVersion7(now),
            ConversationId = conversation.Id,
            ChannelId = channel.Id,
            ContactId = contact.Id,
            Wamid = wamid,
            Direction = MessageDirection.Inbound,
            Type = Json.Storable(type, 64)!,
            Timestamp = timestamp,
            Status = DeliveryState.Received,
            StatusAt = timestamp,
            ErrorCode = (int?)error.Long("code"),
            ErrorTitle = Json.Storable(error.String("title"), 200),
            ContextWamid = ContextWamidOf(message),
            Forwarded = context?.Bool("frequently_forwarded") == true ? ForwardedMark.FrequentlyForwarded
                : context?.Bool("forwarded") == true ? ForwardedMark.Forwarded
                : ForwardedMark.None,
            CreatedAt = now,
        };
        row.Content = Sealer.Seal(key, row.SealContext(nameof(Message.Content)), raw);
        row.Text = Sealer.Seal(key, row.SealContext(nameof(Message.Text)), MessageRenderer.Render(message));
        if (row.ContextWamid is not null)
        {
            row.ReplyToMessageId = batch.MessageIdOf(tenantId, channel.Id, row.ContextWamid);
        }

        batch.AddNewMessage(row);
        threads.RecordInbound(conversation, timestamp, countsAsUnread: type is not ("reaction" or "system"), opensWindow: type != "system");

        if (type == "reaction" && message.Get("reaction") is { } reaction)
        {
            await ApplyReactionAsync(db, row, key, reaction, ct);
        }

        var queuedMedia = MediaKinds.Contains(type) && message.Get(type)?.String("id") is not null;
        if (queuedMedia)
        {
            var media = message.Get(type)!.Value;
            db.MediaObjects.Add(new MediaObject
            {
                TenantId = tenantId,
                Id = Guid.CreateVersion7(now),
                MessageId = row.Id,
                ChannelId = channel.Id,
                ContactId = contact.Id,
                Kind = type,
                MetaMediaId = Json.Storable(media.String("id"), 128)!,
                MimeType = Json.Storable(media.String("mime_type"), 128),
                Sha256 = Json.Storable(media.String("sha256"), 128),
                FileSize = media.Long("file_size"),
                State = MediaState.Pending,
                NextAttemptAt = now,
                CreatedAt = now,
            });
        }

        RealtimeLog.Append(db, tenantId, RealtimeEventTypes.MessageReceived, conversation.Id, row.Id, row.Type, now);
        if (queuedMedia)
        {
            mediaSignal.Signal.Notify();
        }
    }

    /// <summary>Meta always sends an id; should one ever be missing, the message is still kept under a content hash, never dropped.</summary>
    private static string WamidOf(JsonElement message) =>
        message.String("id") ?? "missing:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(message.GetRawText())))[..32];

    private static string? ContextWamidOf(JsonElement message) => Json.Storable(message.Get("context")?.String("id"), MaxWamidLength);

    /// <summary>Who sent the message, from its <c>from</c> fields and the matching <c>contacts[]</c> profile.</summary>
    private static Sender SenderOf(JsonElement value, JsonElement message)
    {
        var from = message.String("from");
        var fromUserId = message.String("from_user_id");
        var profiles = value.Array("contacts").ToList();
        var profile = profiles.FirstOrDefault(p => (from is not null && p.String("wa_id") == from) || (fromUserId is not null && p.String("user_id") == fromUserId));
        if (profile.ValueKind == JsonValueKind.Undefined && profiles.Count == 1)
        {
            profile = profiles[0];
        }

        var waId = from ?? profile.String("wa_id");
        var userId = profile.String("user_id") ?? fromUserId;
        var name = profile.Get("profile")?.String("name");
        var system = message.String("type") == "system" ? message.Get("system") : null;

        // A customer who changed number or business-scoped id is found under the old one and moved to the new.
        var previousUserId = system?.String("previous_user_id");
        string? newWaId = null;
        string? newUserId = null;
        if (system?.String("type") == "user_changed_number")
        {
            newWaId = system.Value.String("wa_id");
        }
        else if (system?.String("type") == "user_changed_user_id")
        {
            newUserId = system.Value.String("user_id");
        }

        return new Sender(waId, userId, previousUserId ?? userId, name, newWaId, newUserId);
    }

    private async Task<Contact> ResolveContactAsync(SwitchboardDbContext db, IngestBatch batch, Guid tenantId, JsonElement value, JsonElement message, CancellationToken ct)
    {
        var (waId, userId, lookupUserId, name, newWaId, newUserId) = SenderOf(value, message);
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

    /// <summary>After the batch committed: its unchanged profiles are surely stored, so they can be skipped next time.</summary>
    public void Committed(IngestBatch batch)
    {
        if (knownProfiles.Count > 100_000)
        {
            knownProfiles.Clear();
        }

        foreach (var (contactId, fingerprint) in batch.UnchangedProfiles)
        {
            knownProfiles[contactId] = fingerprint;
        }
    }

    private static async Task ApplyReactionAsync(SwitchboardDbContext db, Message reactionMessage, DataKey contactKey, JsonElement reaction, CancellationToken ct)
    {
        var target = Json.Storable(reaction.String("message_id"), MaxWamidLength);
        if (target is null)
        {
            return;
        }

        var emoji = reaction.String("emoji");
        var existing = await db.Reactions.FindAsync([reactionMessage.TenantId, reactionMessage.ChannelId, target, reactionMessage.ContactId], ct);
        if (existing is not null && existing.Timestamp > reactionMessage.Timestamp)
        {
            return;
        }

        var sealedEmoji = string.IsNullOrEmpty(emoji)
            ? null
            : Sealer.Seal(contactKey, new SealContext(reactionMessage.TenantId, Reaction.Table, reactionMessage.Id, nameof(Reaction.Emoji)), emoji);
        if (existing is null)
        {
            db.Reactions.Add(new Reaction
            {
                TenantId = reactionMessage.TenantId,
                ChannelId = reactionMessage.ChannelId,
                TargetWamid = target,
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

    internal readonly record struct Sender(string? WaId, string? UserId, string? LookupUserId, string? Name, string? NewWaId, string? NewUserId);
}
