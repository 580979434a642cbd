using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;
using Switchboard.Features.Media;

namespace Switchboard.Features.Transcripts;

/// <summary>A conversation's transcript (ADR 0031): what it is, who handles it, its messages with media references and delivery statuses, and, when asked, its internal notes.</summary>
internal sealed record Transcript(
    Guid TenantId,
    Guid Id,
    long Number,
    string Status,
    Guid ChannelId,
    TranscriptContact Contact,
    TranscriptAssignment Assignment,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastMessageAt,
    bool IncludesNotes,
    IReadOnlyList<TranscriptMessage> Messages,
    DateTimeOffset GeneratedAt);

internal sealed record TranscriptContact(Guid Id, string? Name, string? WaId);

internal sealed record TranscriptAssignment(Guid? AssigneeId, Guid? TeamId, DateTimeOffset? AssignedAt);

internal sealed record TranscriptMessage(
    Guid Id,
    string? Wamid,
    string Direction,
    string Type,
    DateTimeOffset Timestamp,
    string? Text,
    string Status,
    DateTimeOffset? StatusAt,
    TranscriptError? Error,
    Guid? ReplyToMessageId,
    IReadOnlyList<TranscriptMedia> Media,
    IReadOnlyList<TranscriptStatus> Statuses);

internal sealed record TranscriptError(int? Code, string? Title);

/// <summary>A reference to a media file (never its bytes): its id serves it through the media API.</summary>
internal sealed record TranscriptMedia(Guid Id, string Kind, string? MimeType, string? Sha256, long? Size, string State);

internal sealed record TranscriptStatus(string Status, DateTimeOffset Timestamp, int? ErrorCode, string? ErrorTitle);

/// <summary>Reads a conversation into a <see cref="Transcript"/>, opening its messages with the contact key.</summary>
internal sealed class TranscriptBuilder(ContactDirectory directory, ContactKeys contactKeys, TimeProvider clock)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public async Task<Transcript?> BuildAsync(SwitchboardDbContext db, Guid tenantId, Guid conversationId, bool includeNotes, CancellationToken ct)
    {
        var conversation = await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == conversationId, ct);
        return conversation is null ? null : await BuildAsync(db, conversation, includeNotes, ct);
    }

    public async Task<Transcript> BuildAsync(SwitchboardDbContext db, Conversation conversation, bool includeNotes, CancellationToken ct)
    {
        var tenantId = conversation.TenantId;
        var contact = await db.Contacts.AsNoTracking().SingleAsync(c => c.TenantId == tenantId && c.Id == conversation.ContactId, ct);
        var profile = await directory.ReadAsync(contact, ct);
        var key = await contactKeys.KeyOfAsync(contact, ct);

        var messages = await db.Messages.AsNoTracking()
            .Where(m => m.TenantId == tenantId && m.ConversationId == conversation.Id && (includeNotes || m.Direction != MessageDirection.Note))
            .OrderBy(m => m.Timestamp).ThenBy(m => m.Id).ToListAsync(ct);
        var ids = messages.Select(m => m.Id).ToList();
        var media = (await db.MediaObjects.AsNoTracking().Where(o => o.TenantId == tenantId && EF.Parameter(ids).Contains(o.MessageId)).ToListAsync(ct))
            .ToLookup(o => o.MessageId);
        var wamids = messages.Where(m => m.Wamid != null && m.Direction == MessageDirection.Outbound).Select(m => m.Wamid!).Distinct().ToList();
        var statuses = (await db.StatusUpdates.AsNoTracking().Where(s => s.TenantId == tenantId && s.ChannelId == conversation.ChannelId && EF.Parameter(wamids).Contains(s.Wamid)).ToListAsync(ct))
            .ToLookup(s => s.Wamid);

        var items = messages.Select(m => new TranscriptMessage(
            m.Id,
            m.Wamid,
            m.Direction.ToString().ToLowerInvariant(),
            m.Type,
            m.Timestamp,
            m.Text.Length == 0 ? null : Sealer.OpenString(key, m.SealContext(nameof(Message.Text)), m.Text),
            DeliveryStates.Name(m.Status),
            m.StatusAt,
            m.ErrorCode is null && m.ErrorTitle is null ? null : new TranscriptError(m.ErrorCode, m.ErrorTitle),
            m.ReplyToMessageId,
            [.. media[m.Id].OrderBy(o => o.Id).Select(o => new TranscriptMedia(o.Id, o.Kind, o.MimeType, o.Sha256, o.FileSize, o.State.ToString().ToLowerInvariant()))],
            m.Wamid is null ? [] : [.. statuses[m.Wamid].OrderBy(s => s.Timestamp).Select(s => new TranscriptStatus(DeliveryStates.Name(s.Status), s.Timestamp, s.ErrorCode, s.ErrorTitle))])).ToList();

        return new Transcript(
            tenantId,
            conversation.Id,
            conversation.Number,
            conversation.Status.ToString().ToLowerInvariant(),
            conversation.ChannelId,
            new TranscriptContact(contact.Id, profile.DisplayName ?? profile.Name, profile.WaId),
            new TranscriptAssignment(conversation.AssignedUserId, conversation.TeamId, conversation.AssignedAt),
            conversation.CreatedAt,
            conversation.LastMessageAt,
            includeNotes,
            items,
            clock.GetUtcNow());
    }

    public static byte[] ToJson(Transcript transcript) => JsonSerializer.SerializeToUtf8Bytes(transcript, Json);
}
