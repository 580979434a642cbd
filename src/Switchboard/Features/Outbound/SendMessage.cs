using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Telemetry;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;
using Switchboard.Features.Media;

namespace Switchboard.Features.Outbound;

/// <summary>
/// An agent (or bot, or API client) replies in a conversation. The reply is validated against Meta's
/// limits, refused outside the 24-hour window, and stored together with its outbox row in one
/// transaction; the sender delivers it. The same Idempotency-Key returns the first result.
/// </summary>
internal static class SendMessage
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public sealed record Response(Guid Id, string Status);

    public static async Task<Results<Accepted<Response>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        Guid tenantId,
        Guid conversationId,
        SendRequest request,
        HttpRequest http,
        SwitchboardDbContext db,
        ConversationLedger ledger,
        ContactDirectory contacts,
        ContactKeys contactKeys,
        OutboxSignal signal,
        BlobStore blobs,
        TimeProvider clock,
        CancellationToken ct)
    {
        // A person's token or session writes as an agent; an integration token as the API (ADR 0029).
        var userId = http.HttpContext.User.UserIdOf();
        var author = userId is null ? MessageAuthor.Api : MessageAuthor.Agent;
        var outcome = await SendAsync(tenantId, conversationId, request, http.Headers[IdempotencyHeader], db, ledger, contacts, contactKeys, signal, blobs, clock, ct, author, userId);
        if (outcome.Value is { } sent)
        {
            // Ids and the type only (ADR 0039); a retry with the same key is recorded again, naming the same message.
            await AuditLog.RecordAsync(db, tenantId, AuditActor.From(http.HttpContext), AuditActions.MessageSent, $"conversation:{conversationId}",
                new { messageId = sent.Id, type = request.Type }, clock.GetUtcNow(), ct);
        }

        return ToHttp(tenantId, conversationId, outcome);
    }

    /// <summary>The send's answer over HTTP: 202 with the message's location, or the failure's problem.</summary>
    private static Results<Accepted<Response>, ValidationProblem, ProblemHttpResult> ToHttp(Guid tenantId, Guid conversationId, Outcome<Response> outcome) => outcome switch
    {
        { Value: { } queued } => TypedResults.Accepted($"/api/v1/tenants/{tenantId}/conversations/{conversationId}/messages/{queued.Id}", queued),
        { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
        { Failure: { } failure } => failure.ToProblem(),
        _ => throw new InvalidOperationException("An outcome has a value or a failure."),
    };

    /// <summary>
    /// The use case itself, for the API, the dashboard (which passes its own idempotency key per composed message)
    /// and the bot (<paramref name="author"/>: who wrote it, ADR 0029).
    /// </summary>
    public static async Task<Outcome<Response>> SendAsync(
        Guid tenantId,
        Guid conversationId,
        SendRequest request,
        string? idempotencyKey,
        SwitchboardDbContext db,
        ConversationLedger ledger,
        ContactDirectory contacts,
        ContactKeys contactKeys,
        OutboxSignal signal,
        BlobStore blobs,
        TimeProvider clock,
        CancellationToken ct,
        MessageAuthor author = MessageAuthor.Agent,
        Guid? authorUserId = null)
    {
        var errors = SendValidation.Validate(request, out var mediaBytes);
        if (idempotencyKey is { Length: > 200 } or { Length: 0 })
        {
            errors["Idempotency-Key"] = ["At most 200 characters."];
        }

        if (errors.Count > 0)
        {
            return Failure.Invalid(errors);
        }

        var conversation = await db.Conversations.FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == conversationId, ct);
        if (conversation is null)
        {
            return Failure.NotFound();
        }

        var requestHash = SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(new { conversationId, request }));
        if (idempotencyKey is not null && await ExistingAsync(db, tenantId, idempotencyKey, requestHash, ct) is { } earlier)
        {
            return earlier;
        }

        var now = clock.GetUtcNow();
        var isNote = request.Type == "note";
        if (!isNote && !(conversation.WindowExpiresAt > now))
        {
            return WindowClosed(conversation);
        }

        var channel = await db.Channels.AsNoTracking().FirstAsync(c => c.TenantId == tenantId && c.Id == conversation.ChannelId, ct);
        if (!isNote && channel.IsRevoked)
        {
            return Failure.Conflict("This number has been revoked; it cannot send.");
        }

        var contact = await db.Contacts.FirstAsync(c => c.TenantId == tenantId && c.Id == conversation.ContactId, ct);
        var key = await contactKeys.KeyOfAsync(contact, ct);
        var profile = await contacts.ReadAsync(contact, ct);

        string? contextWamid = null;
        if (request.ReplyToMessageId is { } quoted)
        {
            contextWamid = await WamidInConversationAsync(db, conversation, quoted, ct);
            if (contextWamid is null)
            {
                return Failure.Invalid("replyToMessageId", "No message with a WhatsApp id in this conversation has this id.");
            }
        }

        string? reactionTarget = null;
        if (request.Reaction?.MessageId is { } target)
        {
            reactionTarget = await WamidInConversationAsync(db, conversation, target, ct);
            if (reactionTarget is null)
            {
                return Failure.Invalid("reaction.messageId", "No message with a WhatsApp id in this conversation has this id.");
            }
        }

        var graphBody = isNote ? null : GraphRequests.Build(request, new GraphRequests.Recipient(profile.WaId, profile.UserId), contextWamid, reactionTarget);
        var message = ConversationLedger.NewOutbound(
            conversation,
            key,
            new OutboundDraft(
                isNote,
                isNote ? "note" : request.Type switch { "buttons" or "list" => "interactive", _ => request.Type! },
                graphBody?.ToJsonString() ?? JsonSerializer.Serialize(new { note = request.Text }),
                Render(request),
                contextWamid,
                request.ReplyToMessageId,
                author,
                authorUserId),
            now);
        var with = new List<object>();
        if (graphBody is not null)
        {
            var outbox = new OutboxItem
            {
                TenantId = tenantId,
                Id = Guid.CreateVersion7(now),
                MessageId = message.Id,
                ChannelId = conversation.ChannelId,
                ContactId = contact.Id,
                Kind = OutboxKind.Message,
                State = OutboxState.Pending,
                NextAttemptAt = now,
                CreatedAt = now,
                UploadMimeType = request.Media?.MimeType,
                UploadFileName = request.Media?.FileName,
                TraceParent = SwitchboardTelemetry.CurrentTraceParent(),
            };
            outbox.Request = Sealer.Seal(key, outbox.SealContext(nameof(OutboxItem.Request)), JsonSerializer.SerializeToUtf8Bytes(graphBody));
            if (mediaBytes is not null)
            {
                outbox.Upload = Sealer.Seal(key, outbox.SealContext(nameof(OutboxItem.Upload)), mediaBytes);
            }

            with.Add(outbox);
        }

        // The agent's own copy of the file, sealed like inbound media, so the conversation shows what was sent (ADR 0033).
        MediaObject? copy = null;
        if (mediaBytes is not null && graphBody is not null)
        {
            copy = new MediaObject
            {
                TenantId = tenantId,
                Id = Guid.CreateVersion7(now),
                MessageId = message.Id,
                ChannelId = conversation.ChannelId,
                ContactId = contact.Id,
                Kind = request.Type!,
                MimeType = request.Media?.MimeType,
                FileSize = mediaBytes.Length,
                State = MediaState.Stored,
                StoredAt = now,
                NextAttemptAt = now,
                CreatedAt = now,
            };
            await blobs.WriteAsync(tenantId, copy.Id, Sealer.Seal(key, BlobStore.ContextOf(copy), mediaBytes), ct);
            with.Add(copy);
        }

        if (idempotencyKey is not null)
        {
            with.Add(new IdempotencyKey { TenantId = tenantId, Key = idempotencyKey, RequestHash = requestHash, MessageId = message.Id, CreatedAt = now });
        }

        try
        {
            await ledger.RecordOutboundAsync(db, conversation, message, with, now, ct);
        }
        catch (DbUpdateException ex) when (idempotencyKey is not null && ex.IsUniqueViolation())
        {
            await DeleteCopyAsync(blobs, copy);
            // The same key raced us and won (the ledger rolled ours back): answer with its result.
            db.ChangeTracker.Clear();
            return await ExistingAsync(db, tenantId, idempotencyKey, requestHash, ct) ?? throw new InvalidOperationException("Idempotency key vanished.", ex);
        }

        catch
        {
            await DeleteCopyAsync(blobs, copy);
            throw;
        }

        signal.Signal.Notify();
        return new Response(message.Id, DeliveryStates.Name(message.Status));
    }

    private static async Task DeleteCopyAsync(BlobStore blobs, MediaObject? copy)
    {
        if (copy is not null)
        {
            await blobs.DeleteAsync(copy.TenantId, [copy.Id]);
        }
    }

    public static Failure WindowClosed(Conversation conversation) => new(
        FailureKind.Unprocessable,
        "The 24-hour customer service window is closed.",
        conversation.LastInboundAt is null
            ? "The customer has not written on this conversation; Switchboard never starts conversations."
            : $"The customer last wrote at {conversation.LastInboundAt:u}; replies are possible until the customer writes again.",
        ProblemType: Problems.WindowClosedType,
        Extensions: new Dictionary<string, object?> { ["windowExpiresAt"] = conversation.WindowExpiresAt });

    private static async Task<Outcome<Response>?> ExistingAsync(
        SwitchboardDbContext db, Guid tenantId, string key, byte[] requestHash, CancellationToken ct)
    {
        var existing = await db.IdempotencyKeys.AsNoTracking().FirstOrDefaultAsync(k => k.TenantId == tenantId && k.Key == key, ct);
        if (existing is null)
        {
            return null;
        }

        if (!CryptographicOperations.FixedTimeEquals(existing.RequestHash, requestHash))
        {
            return new Failure(FailureKind.Unprocessable, "This Idempotency-Key was already used for a different request.", ProblemType: Problems.TypeBase + "idempotency-key-reused");
        }

        var message = await db.Messages.AsNoTracking().FirstAsync(m => m.TenantId == tenantId && m.Id == existing.MessageId, ct);
        return new Response(message.Id, DeliveryStates.Name(message.Status));
    }

    private static Task<string?> WamidInConversationAsync(SwitchboardDbContext db, Conversation conversation, Guid messageId, CancellationToken ct) =>
        db.Messages
            .Where(m => m.TenantId == conversation.TenantId && m.ConversationId == conversation.Id && m.Id == messageId && m.Wamid != null && m.Type != "reaction")
            .Select(m => m.Wamid)
            .FirstOrDefaultAsync(ct);

    private static string Render(SendRequest request) => request.Type switch
    {
        "text" or "note" or "buttons" or "list" => request.Text ?? "",
        "reaction" => string.IsNullOrEmpty(request.Reaction?.Emoji) ? "[Reaction removed]" : $"[Reaction] {request.Reaction.Emoji}",
        "document" => string.IsNullOrEmpty(request.Text) ? $"[Document: {request.Media?.FileName}]" : $"[Document: {request.Media?.FileName}] {request.Text}",
        var kind => string.IsNullOrEmpty(request.Text) ? $"[{Capitalize(kind!)}]" : $"[{Capitalize(kind!)}] {request.Text}",
    };

    private static string Capitalize(string kind) => char.ToUpperInvariant(kind[0]) + kind[1..];
}
