using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Media;

/// <summary>Attachments for the tenant: streamed decrypted on request, and a retry for a failed fetch.</summary>
internal static class MediaApi
{
    /// <summary>
    /// The decrypted file, inline only when its bytes are a picture, audio or video (<see cref="MediaServing"/>),
    /// else as a download. The route is marked as untrusted content, so every answer is sandboxed (SecurityHeaders).
    /// </summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> DownloadAsync(
        Guid tenantId, Guid mediaId, SwitchboardDbContext db, BlobStore blobs, ContactKeys contactKeys, IConversationScope scope, AccessLog access, HttpContext http, CancellationToken ct)
    {
        var media = await db.MediaObjects.AsNoTracking().FirstOrDefaultAsync(m => m.TenantId == tenantId && m.Id == mediaId, ct);
        if (media is null || !await ShownAsync(db, tenantId, media, scope, http, ct))
        {
            return Problems.NotFound();
        }

        if (media.State != MediaState.Stored || await blobs.ReadAsync(tenantId, mediaId, ct) is not { } sealedBytes)
        {
            return Problems.Conflict("This attachment has not been fetched yet.", media.LastError);
        }

        var contact = await db.Contacts.AsNoTracking().FirstAsync(c => c.TenantId == tenantId && c.Id == media.ContactId, ct);
        var bytes = Sealer.Open(await contactKeys.KeyOfAsync(contact, ct), FetchMedia.BlobContext(media), sealedBytes);
        await access.OpenedAsync(db, tenantId, AuditActor.From(http), AuditActions.MediaOpened, $"media:{mediaId}", ct);
        var served = MediaServing.For(bytes, media.MimeType);
        http.Response.Headers.ContentDisposition = served.Inline ? "inline" : "attachment";
        return TypedResults.File(bytes, served.ContentType);
    }

    public static async Task<Results<Accepted, ProblemHttpResult>> RetryAsync(
        Guid tenantId, Guid mediaId, SwitchboardDbContext db, MediaSignal signal, TimeProvider clock, IConversationScope scope, HttpContext http, CancellationToken ct)
    {
        if (await db.MediaObjects.AsNoTracking().FirstOrDefaultAsync(m => m.TenantId == tenantId && m.Id == mediaId, ct) is not { } media
            || !await ShownAsync(db, tenantId, media, scope, http, ct))
        {
            return Problems.NotFound();
        }

        var updated = await db.MediaObjects
            .Where(m => m.TenantId == tenantId && m.Id == mediaId && m.State == MediaState.Failed)
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.State, MediaState.Pending)
                .SetProperty(m => m.Attempts, 0)
                .SetProperty(m => m.NextAttemptAt, clock.GetUtcNow()), ct);
        if (updated == 0)
        {
            return await db.MediaObjects.AnyAsync(m => m.TenantId == tenantId && m.Id == mediaId, ct)
                ? Problems.Conflict("Only a failed attachment can be retried.")
                : Problems.NotFound();
        }

        signal.Signal.Notify();
        return TypedResults.Accepted($"/api/v1/tenants/{tenantId}/media/{mediaId}");
    }

    /// <summary>An attachment is seen by those who may see its message's conversation (ADR 0022, amendment); otherwise 404.</summary>
    private static async Task<bool> ShownAsync(SwitchboardDbContext db, Guid tenantId, MediaObject media, IConversationScope scope, HttpContext http, CancellationToken ct)
    {
        if (await scope.ForAsync(http.User, tenantId, ct) is not { } visible)
        {
            return true;
        }

        var conversations = db.Conversations.Where(c => c.TenantId == tenantId).VisibleTo(visible);
        return await db.Messages.AnyAsync(m => m.TenantId == tenantId && m.Id == media.MessageId && conversations.Any(c => c.Id == m.ConversationId), ct);
    }
}
