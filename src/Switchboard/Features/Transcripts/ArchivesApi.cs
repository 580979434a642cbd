using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Configuration;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Media;
using Switchboard.Features.Privacy;

namespace Switchboard.Features.Transcripts;

/// <summary>Archives of a date range's transcripts: requested, followed, downloaded through a short-lived link like exports (ADR 0026, 0031).</summary>
internal static class ArchivesApi
{
    private static readonly TimeSpan MaxRange = TimeSpan.FromDays(366);

    private static readonly SealedZipDownloads.Kind Kind = new("archives", "archive", "read the archive again to get a new one.", TranscriptsAudit.ArchiveDownloaded, "switchboard-transcripts");

    public sealed record ArchiveRequest(string? From, string? To);

    public sealed record ArchiveResponse(
        Guid Id, DateTimeOffset From, DateTimeOffset To, string Status, int Processed, int Total, string? DownloadUrl, DateTimeOffset? DownloadExpiresAt,
        long? Size, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);

    public static async Task<Results<Accepted<ArchiveResponse>, ValidationProblem>> CreateAsync(
        Guid tenantId, ArchiveRequest request, SwitchboardDbContext db, ArchiveSignal signal, ExportLinks links, IOptions<SwitchboardOptions> options, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var from = Parse(request.From, "from", errors);
        var to = Parse(request.To, "to", errors);
        if (from is { } start && to is { } end && (end <= start || end - start > MaxRange))
        {
            errors["to"] = ["Must be after from, at most 366 days later."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = clock.GetUtcNow();
        var actor = AuditActor.From(http);
        var archive = new TranscriptArchive
        {
            TenantId = tenantId,
            Id = Guid.CreateVersion7(now),
            From = from!.Value,
            To = to!.Value,
            State = ArchiveState.Running,
            RequestedBy = actor.Id.Length <= 100 ? actor.Id : actor.Id[..100],
            NextAttemptAt = now,
            CreatedAt = now,
        };
        db.TranscriptArchives.Add(archive);
        await AuditLog.RecordAsync(db, tenantId, actor, TranscriptsAudit.ArchiveCreated, $"archive:{archive.Id}", new { archive.From, archive.To }, now, ct);
        signal.Signal.Notify();
        return TypedResults.Accepted($"/api/v1/tenants/{tenantId}/archives/{archive.Id}", ToResponse(archive, links, PublicUrls.BaseOf(options.Value, http.Request)));
    }

    public static async Task<Results<Ok<ArchiveResponse>, ProblemHttpResult>> GetAsync(
        Guid tenantId, Guid archiveId, SwitchboardDbContext db, ExportLinks links, IOptions<SwitchboardOptions> options, HttpRequest request, CancellationToken ct)
    {
        var archive = await db.TranscriptArchives.AsNoTracking().FirstOrDefaultAsync(a => a.TenantId == tenantId && a.Id == archiveId, ct);
        return archive is null ? Problems.NotFound() : TypedResults.Ok(ToResponse(archive, links, PublicUrls.BaseOf(options.Value, request)));
    }

    public static async Task<Ok<Page<ArchiveResponse>>> ListAsync(
        Guid tenantId, int? limit, string? cursor, SwitchboardDbContext db, ExportLinks links, IOptions<SwitchboardOptions> options, HttpRequest request, CancellationToken ct)
    {
        var baseUrl = PublicUrls.BaseOf(options.Value, request);
        return TypedResults.Ok(await SealedZipDownloads.PageAsync(db.TranscriptArchives.Where(a => a.TenantId == tenantId), limit, cursor, a => ToResponse(a, links, baseUrl), ct));
    }

    /// <summary>The ZIP, decrypted, for a caller allowed to read transcripts holding an unexpired link; every download is audited.</summary>
    public static Task<Results<FileContentHttpResult, ProblemHttpResult>> DownloadAsync(
        Guid tenantId, Guid archiveId, string? token, SwitchboardDbContext db, ExportLinks links, BlobStore blobs, KeyRing keyRing, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        SealedZipDownloads.DownloadAsync(Kind, db.TranscriptArchives.Where(a => a.TenantId == tenantId), archiveId, token, (_, size) => new { size }, db, links, blobs, keyRing, clock, http, ct);

    private static ArchiveResponse ToResponse(TranscriptArchive archive, ExportLinks links, string baseUrl)
    {
        var (url, expires) = SealedZipDownloads.LinkOf(Kind, archive, links, baseUrl);
        return new ArchiveResponse(
            archive.Id, archive.From, archive.To, archive.State.ToString().ToLowerInvariant(), archive.Processed, archive.Total, url, expires, archive.FileSize,
            archive.State == ArchiveState.Failed ? archive.LastError : null, archive.CreatedAt, archive.CompletedAt);
    }

    private static DateTimeOffset? Parse(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            errors[field] = ["Required: an ISO 8601 date or time, for example 2026-12-01."];
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            return at;
        }

        errors[field] = ["An ISO 8601 date or time, for example 2026-12-01 or 2026-12-01T00:00:00Z."];
        return null;
    }
}
