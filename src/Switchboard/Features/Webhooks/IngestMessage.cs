using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Switchboard.Common.Persistence;
using Switchboard.Common.Serialization;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;
using Switchboard.Features.Media;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// Parses one inbound <c>messages[]</c> item for the <see cref="ConversationLedger"/>, which stores it:
/// keeps the message exactly as WhatsApp sent it with a readable rendering, tells who sent it, and
/// queues attachments for fetching. Part of a batch: <see cref="PrepareAsync"/> registers what the
/// message needs looked up, the batch loads it set-based, and <see cref="HandleAsync"/> records the
/// message against the batch; the caller saves once for the whole batch.
/// </summary>
internal sealed class IngestMessage(ConversationLedger ledger, MediaSignal mediaSignal)
{
    private const int MaxWamidLength = 256;
    private static readonly HashSet<string> MediaKinds = ["image", "audio", "video", "document", "sticker"];

    /// <summary>
    /// Registers the message's wamids and its sender's indexes with the batch, before it loads; returns
    /// false, registering nothing, for a message that can never be stored (see <see cref="IsWellFormed"/>).
    /// </summary>
    public static async Task<bool> PrepareAsync(InboundBatch batch, Channel channel, JsonElement value, JsonElement message, CancellationToken ct)
    {
        if (!IsWellFormed(value, message, out var sender))
        {
            return false;
        }

        await ConversationLedger.RegisterInboundAsync(batch, channel.TenantId, channel.Id, WamidOf(message), ContextWamidOf(message), sender, ct);
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
    public static bool IsWellFormed(JsonElement value, JsonElement message, out InboundSender sender)
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

    public async Task HandleAsync(SwitchboardDbContext db, InboundBatch batch, Channel channel, JsonElement value, JsonElement message, DateTimeOffset receivedAt, CancellationToken ct)
    {
        var type = message.String("type") ?? "unknown";
        var context = message.Get("context");
        var error = message.Array("errors").FirstOrDefault();
        var reaction = type == "reaction" && message.Get("reaction") is { } r && LenientJson.Storable(r.String("message_id"), MaxWamidLength) is { } target
            ? new InboundReaction(target, r.String("emoji"))
            : null;
        var row = await ledger.RecordInboundAsync(
            db,
            batch,
            new InboundMessage(
                channel.TenantId,
                channel.Id,
                WamidOf(message),
                LenientJson.Storable(type, 64)!,
                message.UnixTime("timestamp"),
                receivedAt,
                SenderOf(value, message),
                message.GetRawText(),
                MessageRenderer.Render(message),
                (int?)error.Long("code"),
                LenientJson.Storable(error.String("title"), 200),
                ContextWamidOf(message),
                context?.Bool("frequently_forwarded") == true ? ForwardedMark.FrequentlyForwarded
                    : context?.Bool("forwarded") == true ? ForwardedMark.Forwarded
                    : ForwardedMark.None,
                reaction),
            ct);
        if (row is null || !MediaKinds.Contains(type) || message.Get(type)?.String("id") is null)
        {
            return;
        }

        var now = row.CreatedAt;
        var media = message.Get(type)!.Value;
        db.MediaObjects.Add(new MediaObject
        {
            TenantId = row.TenantId,
            Id = Guid.CreateVersion7(now),
            MessageId = row.Id,
            ChannelId = row.ChannelId,
            ContactId = row.ContactId,
            Kind = type,
            MetaMediaId = LenientJson.Storable(media.String("id"), 128)!,
            MimeType = LenientJson.Storable(media.String("mime_type"), 128),
            Sha256 = LenientJson.Storable(media.String("sha256"), 128),
            FileSize = media.Long("file_size"),
            State = MediaState.Pending,
            NextAttemptAt = now,
            CreatedAt = now,
        });
        mediaSignal.Signal.Notify();
    }

    /// <summary>Meta always sends an id; should one ever be missing, the message is still kept under a content hash, never dropped.</summary>
    private static string WamidOf(JsonElement message) =>
        message.String("id") ?? "missing:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(message.GetRawText())))[..32];

    private static string? ContextWamidOf(JsonElement message) => LenientJson.Storable(message.Get("context")?.String("id"), MaxWamidLength);

    /// <summary>Who sent the message, from its <c>from</c> fields and the matching <c>contacts[]</c> profile.</summary>
    private static InboundSender SenderOf(JsonElement value, JsonElement message)
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

        return new InboundSender(waId, userId, previousUserId ?? userId, name, newWaId, newUserId);
    }

    /// <summary>After the batch committed (see <see cref="ConversationLedger.Committed"/>).</summary>
    public void Committed(InboundBatch batch) => ledger.Committed(batch);
}
