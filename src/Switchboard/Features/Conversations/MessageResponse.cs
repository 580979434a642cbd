using System.Text.Json;

namespace Switchboard.Features.Conversations;

/// <summary>Why a message failed: Meta's code, title and details, and what the code means with a suggested fix.</summary>
public sealed record MessageError(int? Code, string? Title, string? Details = null, string? Meaning = null, string? Fix = null);

public sealed record MessageReplyTo(Guid? MessageId, string Wamid);

public sealed record MessageReaction(string Emoji, Guid ContactId, DateTimeOffset Timestamp);

public sealed record MessageMedia(Guid Id, string Kind, string? MimeType, string State, string? LastError);

/// <summary>
/// A message as the API shows it. <c>payload</c> is the WhatsApp message object exactly as received
/// (every type-specific field); <c>text</c> is its body, caption or readable rendering; <c>author</c> says who
/// wrote an outbound message or note (<c>agent</c>, <c>bot</c>, <c>automation</c>, <c>api</c>; ADR 0029).
/// </summary>
public sealed record MessageResponse(
    Guid Id,
    Guid ConversationId,
    string? Wamid,
    string Direction,
    string Type,
    DateTimeOffset Timestamp,
    string? Text,
    string Status,
    DateTimeOffset? StatusAt,
    MessageError? Error,
    MessageReplyTo? ReplyTo,
    string? Forwarded,
    IReadOnlyList<MessageReaction> Reactions,
    MessageMedia? Media,
    JsonElement? Payload,
    bool Erased,
    string? Author = null,
    Guid? AuthorUserId = null);
