using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Configuration;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Media;

namespace Switchboard.Features.Privacy;

/// <summary>An export as the API shows it; <see cref="DownloadUrl"/> is a fresh short-lived link once it is ready.</summary>
internal sealed record ExportResponse(
    Guid Id, Guid? ContactId, string Status, int Progress, string? DownloadUrl, DateTimeOffset? DownloadExpiresAt, long? Size, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);

internal sealed record ExportRequest(Guid? ContactId);

internal sealed record SigningKeyResponse(Guid KeyId, string Algorithm, string PublicKey, string PublicKeyPem, DateTimeOffset CreatedAt);

/// <summary>Reading exports, their downloads and the signing key; requests go through <see cref="CreateExport"/>.</summary>
internal static class ExportsApi
{
    public static async Task<Results<Ok<ExportResponse>, ProblemHttpResult>> GetAsync(
        Guid tenantId, Guid exportId, SwitchboardDbContext db, ExportLinks links, IOptions<SwitchboardOptions> options, HttpRequest request, CancellationToken ct)
    {
        var export = await db.Exports.AsNoTracking().FirstOrDefaultAsync(e => e.TenantId == tenantId && e.Id == exportId, ct);
        return export is null ? Problems.NotFound() : TypedResults.Ok(ToResponse(export, links, PublicUrls.BaseOf(options.Value, request)));
    }

    public static async Task<Ok<Page<ExportResponse>>> ListAsync(
        Guid tenantId, int? limit, string? cursor, SwitchboardDbContext db, ExportLinks links, IOptions<SwitchboardOptions> options, HttpRequest request, CancellationToken ct)
    {
        var take = Paging.Limit(limit);
        var query = db.Exports.AsNoTracking().Where(e => e.TenantId == tenantId);
        if (Paging.DecodeGuid(cursor) is { } before)
        {
            query = query.Where(e => e.Id.CompareTo(before) < 0);
        }

        var exports = await query.OrderByDescending(e => e.Id).Take(take + 1).ToListAsync(ct);
        var baseUrl = PublicUrls.BaseOf(options.Value, request);
        var page = Paging.PageOf(exports, take, e => e.Id);
        return TypedResults.Ok(new Page<ExportResponse>([.. page.Items.Select(e => ToResponse(e, links, baseUrl))], page.NextCursor));
    }

    /// <summary>The ZIP, decrypted, for a caller allowed to export holding an unexpired link; every download is audited.</summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> DownloadAsync(
        Guid tenantId, Guid exportId, string? token, SwitchboardDbContext db, ExportLinks links, BlobStore blobs, KeyRing keyRing, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var export = await db.Exports.AsNoTracking().FirstOrDefaultAsync(e => e.TenantId == tenantId && e.Id == exportId, ct);
        if (export is null)
        {
            return Problems.NotFound();
        }

        if (!links.IsValid(tenantId, exportId, token))
        {
            return TypedResults.Problem(title: "The download link has expired or is not valid: ask for the export again to get a new one.", statusCode: StatusCodes.Status403Forbidden, type: Problems.ForbiddenType);
        }

        if (export.State != ExportState.Ready || await blobs.ReadAsync(tenantId, exportId, ct) is not { } sealedZip)
        {
            return Problems.Conflict("This export is not ready.");
        }

        var key = await keyRing.DataKeyAsync(tenantId, SealedBox.KeyVersionOf(sealedZip), ct);
        var zip = Sealer.Open(key, export.FileContext, sealedZip);
        await AuditLog.RecordAsync(db, tenantId, AuditActor.From(http), AuditActions.ExportDownloaded, $"export:{exportId}", new { export.ContactId, size = zip.Length }, clock.GetUtcNow(), ct);
        return TypedResults.File(zip, "application/zip", $"switchboard-export-{exportId}.zip");
    }

    public static async Task<Ok<SigningKeyResponse>> SigningKeyAsync(Guid tenantId, ExportSigningKeys keys, CancellationToken ct)
    {
        var key = await keys.PublicKeyOfAsync(tenantId, ct);
        var pem = new string(System.Security.Cryptography.PemEncoding.Write("PUBLIC KEY", key.PublicKey));
        return TypedResults.Ok(new SigningKeyResponse(key.Id, ExportSigningKey.Algorithm, Convert.ToBase64String(key.PublicKey), pem, key.CreatedAt));
    }

    public static ExportResponse ToResponse(Export export, ExportLinks links, string baseUrl)
    {
        string? url = null;
        DateTimeOffset? expires = null;
        if (export.State == ExportState.Ready)
        {
            var (token, expiresAt) = links.Issue(export.TenantId, export.Id);
            url = $"{baseUrl}/api/v1/tenants/{export.TenantId}/exports/{export.Id}/download?token={token}";
            expires = expiresAt;
        }

        return new ExportResponse(
            export.Id, export.ContactId, export.State.ToString().ToLowerInvariant(), export.Progress, url, expires, export.FileSize,
            export.State == ExportState.Failed ? export.LastError : null, export.CreatedAt, export.CompletedAt);
    }
}
