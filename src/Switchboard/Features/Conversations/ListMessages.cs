using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Graph;
using Switchboard.Common.Persistence;
using Switchboard.Common.Serialization;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Media;

namespace Switchboard.Features.Conversations;

/// <summary>A conversation's messages, oldest first (by Meta's timestamp), opened with the contact's key.</summary>
internal static class ListMessages
{
    public static async Task<Results<Ok<Page<MessageResponse>>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Guid conversationId, SwitchboardDbContext db, ContactKeys contactKeys, AccessLog access, HttpContext http, string? cursor, int? limit, CancellationToken ct)
    {
        var outcome = await ReadAsync(tenantId, conversationId, db, contactKeys, cursor, limit, ct);
        if (outcome.Value is not null)
        {
            await access.OpenedAsync(db, tenantId, AuditActor.From(http), AuditActions.ConversationOpened, $"conversation:{conversationId}", ct);
        }

        return outcome switch
        {
            { Value: { } page } => TypedResults.Ok(page),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            _ => outcome.Failure!.ToProblem(),
        };
    }

    /// <summary>The use case itself, for the API and for the dashboard.</summary>
    public static async Task<Outcome<Page<MessageResponse>>> ReadAsync(
        Guid tenantId, Guid conversationId, SwitchboardDbContext db, ContactKeys contactKeys, string? cursor, int? limit, CancellationToken ct)
    {
        var conversation = await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == conversationId, ct);
        if (conversation is null)
        {
            return Failure.NotFound();
        }

        var take = Paging.Limit(limit);
        var query = db.Messages.AsNoTracking().Where(m => m.TenantId == tenantId && m.ConversationId == conversationId);
        if (cursor is not null)
        {
            if (DecodeCursor(cursor) is not { } after)
            {
                return Failure.Invalid("cursor", "Not a cursor returned by this endpoint.");
            }

            query = query.Where(m => m.Timestamp > after.At || (m.Timestamp == after.At && m.Id.CompareTo(after.Id) > 0));
        }

        var messages = await query.OrderBy(m => m.Timestamp).ThenBy(m => m.Id).Take(take + 1).ToListAsync(ct);
        var hasMore = messages.Count > take;
        messages = [.. messages.Take(take)];

        var ids = messages.Select(m => m.Id).ToList();
        var wamids = messages.Where(m => m.Wamid is not null).Select(m => m.Wamid!).ToList();
        var media = await db.MediaObjects.AsNoTracking()
            .Where(o => o.TenantId == tenantId && ids.Contains(o.MessageId))
            .ToDictionaryAsync(o => o.MessageId, ct);
        var reactions = await db.Reactions.AsNoTracking()
            .Where(r => r.TenantId == tenantId && r.ChannelId == conversation.ChannelId && wamids.Contains(r.TargetWamid) && r.Emoji != null)
            .ToListAsync(ct);
        // Meta's details of a failure come with its failed status webhook (a synchronous refusal has none).
        var failedWamids = messages.Where(m => m.Status == DeliveryState.Failed && m.Wamid is not null).Select(m => m.Wamid!).ToList();
        var failureDetails = failedWamids.Count == 0 ? [] : await db.StatusUpdates.AsNoTracking()
            .Where(s => s.TenantId == tenantId && s.ChannelId == conversation.ChannelId && failedWamids.Contains(s.Wamid) && s.Status == DeliveryState.Failed && s.ErrorDetails != null)
            .ToDictionaryAsync(s => s.Wamid, s => s.ErrorDetails, ct);
        var contactIds = messages.Select(m => m.ContactId).Concat(reactions.Select(r => r.ContactId)).Distinct().ToList();
        var contacts = await db.Contacts.AsNoTracking().Where(c => c.TenantId == tenantId && contactIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        var keys = new Dictionary<Guid, DataKey?>();
        foreach (var contact in contacts.Values)
        {
            try
            {
                keys[contact.Id] = await contactKeys.KeyOfAsync(contact, ct);
            }
            catch (CryptographicException)
            {
                keys[contact.Id] = null;
            }
        }

        var items = messages.Select(m => ToResponse(m, keys.GetValueOrDefault(m.ContactId), media.GetValueOrDefault(m.Id), reactions, keys, failureDetails)).ToList();
        var last = messages.LastOrDefault();
        var next = hasMore && last is not null ? Paging.Encode($"{last.Timestamp.UtcTicks}|{last.Id}") : null;
        return new Page<MessageResponse>(items, next);
    }

    private static MessageResponse ToResponse(
        Message m, DataKey? key, MediaObject? media, List<Reaction> reactions, Dictionary<Guid, DataKey?> keys, Dictionary<string, string?> failureDetails)
    {
        string? text = null;
        JsonElement? payload = null;
        if (key is not null)
        {
            text = Sealer.OpenString(key, m.SealContext(nameof(Message.Text)), m.Text);
            payload = PayloadOf(Sealer.Open(key, m.SealContext(nameof(Message.Content)), m.Content));
        }

        var reactionsToThis = m.Wamid is null ? [] : reactions
            .Where(r => r.TargetWamid == m.Wamid && keys.GetValueOrDefault(r.ContactId) is not null)
            .Select(r => new MessageReaction(
                Encoding.UTF8.GetString(Sealer.Open(keys[r.ContactId]!, new SealContext(r.TenantId, Reaction.Table, r.MessageId, nameof(Reaction.Emoji)), r.Emoji)),
                r.ContactId,
                r.Timestamp))
            .ToList();

        return new MessageResponse(
            m.Id,
            m.ConversationId,
            m.Wamid,
            m.Direction.ToString().ToLowerInvariant(),
            m.Type,
            m.Timestamp,
            text,
            DeliveryStates.Name(m.Status),
            m.StatusAt,
            m.ErrorCode is null && m.ErrorTitle is null ? null : ErrorOf(m, failureDetails),
            m.ContextWamid is null ? null : new MessageReplyTo(m.ReplyToMessageId, m.ContextWamid),
            m.Forwarded switch { ForwardedMark.Forwarded => "forwarded", ForwardedMark.FrequentlyForwarded => "frequently_forwarded", _ => null },
            reactionsToThis,
            media is null ? null : new MessageMedia(media.Id, media.Kind, media.MimeType, media.State.ToString().ToLowerInvariant(), media.LastError),
            payload,
            key is null,
            m.Author?.ToString().ToLowerInvariant(),
            m.AuthorUserId);
    }

    private static MessageError ErrorOf(Message m, Dictionary<string, string?> failureDetails)
    {
        var help = GraphErrors.Explain(m.ErrorCode);
        var details = m.Wamid is null ? null : failureDetails.GetValueOrDefault(m.Wamid);
        return new MessageError(m.ErrorCode, m.ErrorTitle, details, help?.Meaning, help?.Fix);
    }

    /// <summary>
    /// The stored message object, made safe to write out: a lone surrogate escape kept from an older
    /// version would make the answer fail halfway, so it reads as U+FFFD; content that is not JSON has no payload.
    /// </summary>
    internal static JsonElement? PayloadOf(byte[] content)
    {
        LenientJson.RepairLoneSurrogates(content);
        try
        {
            using var document = JsonDocument.Parse(content);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static (DateTimeOffset At, Guid Id)? DecodeCursor(string cursor)
    {
        var parts = Paging.Decode(cursor)?.Split('|');
        return parts is [var ticks, var id]
            && long.TryParse(ticks, NumberStyles.Integer, CultureInfo.InvariantCulture, out var t)
            && Guid.TryParse(id, out var g)
            ? (new DateTimeOffset(t, TimeSpan.Zero), g)
            : null;
    }
}
