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
    public static readonly SealedZipDownloads.Kind Kind = new("exports", "export", "ask for the export again to get a new one.", AuditActions.ExportDownloaded, "switchboard-export");

    public static async Task<Results<Ok<ExportResponse>, ProblemHttpResult>> GetAsync(
        Guid tenantId, Guid exportId, SwitchboardDbContext db, ExportLinks links, IOptions<SwitchboardOptions> options, HttpRequest request, CancellationToken ct)
    {
        var export = await db.Exports.AsNoTracking().FirstOrDefaultAsync(e => e.TenantId == tenantId && e.Id == exportId, ct);
        return export is null ? Problems.NotFound() : TypedResults.Ok(ToResponse(export, links, PublicUrls.BaseOf(options.Value, request)));
    }

    public static async Task<Ok<Page<ExportResponse>>> ListAsync(
        Guid tenantId, int? limit, string? cursor, SwitchboardDbContext db, ExportLinks links, IOptions<SwitchboardOptions> options, HttpRequest request, CancellationToken ct)
    {
        var baseUrl = PublicUrls.BaseOf(options.Value, request);
        return TypedResults.Ok(await SealedZipDownloads.PageAsync(db.Exports.Where(e => e.TenantId == tenantId), limit, cursor, e => ToResponse(e, links, baseUrl), ct));
    }

    /// <summary>The ZIP, decrypted, for a caller allowed to export holding an unexpired link; every download is audited.</summary>
    public static Task<Results<FileContentHttpResult, ProblemHttpResult>> DownloadAsync(
        Guid tenantId, Guid exportId, string? token, SwitchboardDbContext db, ExportLinks links, BlobStore blobs, KeyRing keyRing, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        SealedZipDownloads.DownloadAsync(Kind, db.Exports.Where(e => e.TenantId == tenantId), exportId, token, (export, size) => new { export.ContactId, size }, db, links, blobs, keyRing, clock, http, ct);

    public static async Task<Ok<SigningKeyResponse>> SigningKeyAsync(Guid tenantId, ExportSigningKeys keys, CancellationToken ct)
    {
        var key = await keys.PublicKeyOfAsync(tenantId, ct);
        var pem = new string(System.Security.Cryptography.PemEncoding.Write("PUBLIC KEY", key.PublicKey));
        return TypedResults.Ok(new SigningKeyResponse(key.Id, ExportSigningKey.Algorithm, Convert.ToBase64String(key.PublicKey), pem, key.CreatedAt));
    }

    public static ExportResponse ToResponse(Export export, ExportLinks links, string baseUrl)
    {
        var (url, expires) = SealedZipDownloads.LinkOf(Kind, export, links, baseUrl);
        return new ExportResponse(
            export.Id, export.ContactId, export.State.ToString().ToLowerInvariant(), export.Progress, url, expires, export.FileSize,
            export.State == ExportState.Failed ? export.LastError : null, export.CreatedAt, export.CompletedAt);
    }
}
