using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Media;

namespace Switchboard.Features.Privacy;

/// <summary>A ZIP built in the background and sealed with the tenant key in the blob store: an export or a transcript archive.</summary>
internal interface ISealedZip
{
    Guid TenantId { get; }

    Guid Id { get; }

    bool IsReady { get; }

    SealContext FileContext { get; }
}

/// <summary>
/// What exports and transcript archives share (ADR 0026, 0031): the newest-first page, the short-lived download link,
/// and the audited download of the decrypted ZIP. Each kind names its route, its words and its audit action.
/// </summary>
internal static class SealedZipDownloads
{
    /// <param name="Route">The collection's route segment, for example <c>exports</c>.</param>
    /// <param name="Noun">The resource's name in messages, for example <c>export</c>.</param>
    /// <param name="AskAgain">How to get a fresh link, after "the download link has expired or is not valid: ".</param>
    /// <param name="DownloadedAction">The audit action of a download.</param>
    /// <param name="FilePrefix">The download's file name before the id.</param>
    public sealed record Kind(string Route, string Noun, string AskAgain, string DownloadedAction, string FilePrefix);

    public static async Task<Page<TResponse>> PageAsync<TZip, TResponse>(IQueryable<TZip> ofTenant, int? limit, string? cursor, Func<TZip, TResponse> toResponse, CancellationToken ct)
        where TZip : class, ISealedZip
    {
        var take = Paging.Limit(limit);
        var query = ofTenant.AsNoTracking();
        if (Paging.DecodeGuid(cursor) is { } before)
        {
            query = query.Where(z => z.Id.CompareTo(before) < 0);
        }

        var items = await query.OrderByDescending(z => z.Id).Take(take + 1).ToListAsync(ct);
        var page = Paging.PageOf(items, take, z => z.Id);
        return new Page<TResponse>([.. page.Items.Select(toResponse)], page.NextCursor);
    }

    /// <summary>A fresh link with its expiry once the ZIP is ready; nulls before.</summary>
    public static (string? Url, DateTimeOffset? ExpiresAt) LinkOf(Kind kind, ISealedZip zip, ExportLinks links, string baseUrl)
    {
        if (!zip.IsReady)
        {
            return (null, null);
        }

        var (token, expiresAt) = links.Issue(zip.TenantId, zip.Id);
        return ($"{baseUrl}/api/v1/tenants/{zip.TenantId}/{kind.Route}/{zip.Id}/download?token={token}", expiresAt);
    }

    /// <summary>The ZIP, decrypted, for a holder of an unexpired link for this very ZIP; every download is audited with <paramref name="auditDetail"/> of its size.</summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> DownloadAsync<TZip>(
        Kind kind, IQueryable<TZip> ofTenant, Guid id, string? token, Func<TZip, long, object> auditDetail,
        SwitchboardDbContext db, ExportLinks links, BlobStore blobs, KeyRing keyRing, TimeProvider clock, HttpContext http, CancellationToken ct)
        where TZip : class, ISealedZip
    {
        var zip = await ofTenant.AsNoTracking().FirstOrDefaultAsync(z => z.Id == id, ct);
        if (zip is null)
        {
            return Problems.NotFound();
        }

        if (!links.IsValid(zip.TenantId, id, token))
        {
            return TypedResults.Problem(title: $"The download link has expired or is not valid: {kind.AskAgain}", statusCode: StatusCodes.Status403Forbidden, type: Problems.ForbiddenType);
        }

        if (!zip.IsReady || await blobs.ReadAsync(zip.TenantId, id, ct) is not { } sealedZip)
        {
            return Problems.Conflict($"This {kind.Noun} is not ready.");
        }

        var key = await keyRing.DataKeyAsync(zip.TenantId, SealedBox.KeyVersionOf(sealedZip), ct);
        var bytes = Sealer.Open(key, zip.FileContext, sealedZip);
        await AuditLog.RecordAsync(db, zip.TenantId, AuditActor.From(http), kind.DownloadedAction, $"{kind.Noun}:{id}", auditDetail(zip, bytes.Length), clock.GetUtcNow(), ct);
        return TypedResults.File(bytes, "application/zip", $"{kind.FilePrefix}-{id}.zip");
    }
}
