using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Conversations;
using Switchboard.Features.Media;

namespace Switchboard.Features.Transcripts;

/// <summary>
/// Builds requested archives on the shared job runner (ADR 0021, 0031), as the export runner builds exports:
/// claims one by pushing its next attempt to the lease's end, writes each conversation's JSON and HTML
/// transcript (notes included) into one ZIP, counting progress, seals it with the tenant key into the blob
/// store, then marks it ready. An archive deleted meanwhile (a contact's erasure) leaves no file behind.
/// </summary>
internal sealed class ArchiveRunner(
    IDbContextFactory<SwitchboardDbContext> dbFactory,
    TranscriptBuilder transcripts,
    BlobStore blobs,
    KeyRing keyRing,
    TimeProvider clock) : IJobSource<ArchiveJob>
{
    private const int ProgressEvery = 10;

    public JobSchedule Schedule { get; } = new("Archive runner", TimeSpan.FromSeconds(10));

    public TimeSpan Lease => TimeSpan.FromMinutes(30);

    public int BatchSize => 4;

    public RetryPolicy Retry => new(3, new Backoff(TimeSpan.FromSeconds(5), 4, TimeSpan.FromMinutes(5)));

    public async Task<IReadOnlyList<ArchiveJob>> FindDueAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var due = await db.TranscriptArchives.AsNoTracking().IgnoreQueryFilters()
            .Where(a => a.State == ArchiveState.Running && a.NextAttemptAt <= now)
            .OrderBy(a => a.NextAttemptAt).Take(limit).ToListAsync(ct);
        return [.. due.Select(a => new ArchiveJob(a))];
    }

    public async Task<bool> ClaimAsync(ArchiveJob job, Guid owner, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        var archive = job.Archive;
        job.Db = await dbFactory.CreateDbContextAsync(ct);
        return await Running(job.Db, archive).Where(a => a.NextAttemptAt == archive.NextAttemptAt)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.NextAttemptAt, leaseUntil), ct) == 1;
    }

    public int AttemptsOf(ArchiveJob job) => job.Archive.Attempts;

    public async Task RunAsync(ArchiveJob job, int attempt, CancellationToken ct)
    {
        var (db, archive) = (job.Db!, job.Archive);
        archive.Attempts = attempt;
        var zip = await BuildAsync(db, archive, ct);
        var key = await keyRing.CurrentDataKeyAsync(archive.TenantId, ct);
        await blobs.WriteAsync(archive.TenantId, archive.Id, Sealer.Seal(key, archive.FileContext, zip), ct);
        job.FileSize = zip.Length;
    }

    /// <summary>The ZIP: <c>index.json</c>, then per conversation <c>conversations/{number}-{id}.json</c> and <c>.html</c>.</summary>
    private async Task<byte[]> BuildAsync(SwitchboardDbContext db, TranscriptArchive archive, CancellationToken ct)
    {
        var tenantId = archive.TenantId;
        var conversations = await db.Conversations.AsNoTracking()
            .Where(c => c.TenantId == tenantId && c.CreatedAt >= archive.From && c.CreatedAt < archive.To)
            .OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).ToListAsync(ct);
        await Running(db, archive).ExecuteUpdateAsync(s => s.SetProperty(a => a.Total, conversations.Count).SetProperty(a => a.Processed, 0), ct);

        using var zip = new MemoryStream();
        var index = new List<object>();
        using (var files = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (var i = 0; i < conversations.Count; i++)
            {
                var conversation = conversations[i];
                var transcript = await transcripts.BuildAsync(db, conversation, includeNotes: true, ct);
                var name = $"conversations/{conversation.Number}-{conversation.Id}";
                Add(files, $"{name}.json", TranscriptBuilder.ToJson(transcript));
                Add(files, $"{name}.html", Encoding.UTF8.GetBytes(TranscriptHtml.Render(transcript)));
                index.Add(new { conversation.Id, conversation.Number, transcript.Status, conversation.CreatedAt, Messages = transcript.Messages.Count, Json = $"{name}.json", Html = $"{name}.html" });
                if ((i + 1) % ProgressEvery == 0 || i + 1 == conversations.Count)
                {
                    var processed = i + 1;
                    await Running(db, archive).ExecuteUpdateAsync(s => s.SetProperty(a => a.Processed, processed), ct);
                }
            }

            Add(files, "index.json", JsonSerializer.SerializeToUtf8Bytes(
                new { Archive = archive.Id, Tenant = tenantId, archive.From, archive.To, archive.CreatedAt, Conversations = index }, TranscriptBuilder.Json));
        }

        return zip.ToArray();
    }

    private static void Add(ZipArchive files, string path, byte[] bytes)
    {
        var entry = files.CreateEntry(path, CompressionLevel.Optimal);
        using var stream = entry.Open();
        stream.Write(bytes);
    }

    public async Task CompleteAsync(ArchiveJob job, CancellationToken ct)
    {
        var archive = job.Archive;
        var now = clock.GetUtcNow();
        var updated = await Running(job.Db!, archive).ExecuteUpdateAsync(
            s => s.SetProperty(a => a.State, ArchiveState.Ready).SetProperty(a => a.Attempts, archive.Attempts)
                .SetProperty(a => a.FileSize, job.FileSize).SetProperty(a => a.CompletedAt, now).SetProperty(a => a.LastError, (string?)null),
            ct);
        if (updated == 0)
        {
            await blobs.DeleteAsync(archive.TenantId, [archive.Id]);
        }
    }

    public (string Error, bool Permanent) Classify(Exception error) => error switch
    {
        KeyDestroyedException => ("erased", true),
        _ => ("error:" + SafeError.Describe(error), false),
    };

    public async Task FailAsync(ArchiveJob job, JobFailure failure, CancellationToken ct)
    {
        var archive = job.Archive;
        var error = failure.Error.Length <= 200 ? failure.Error : failure.Error[..200];
        await Running(job.Db!, archive).ExecuteUpdateAsync(
            s => s.SetProperty(a => a.State, failure.GiveUp ? ArchiveState.Failed : ArchiveState.Running).SetProperty(a => a.Attempts, failure.Attempt)
                .SetProperty(a => a.NextAttemptAt, failure.NextAttemptAt).SetProperty(a => a.LastError, error),
            ct);
    }

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.TranscriptArchives.IgnoreQueryFilters().Where(a => a.State == ArchiveState.Running).MinAsync(a => (DateTimeOffset?)a.NextAttemptAt, ct);
    }

    private static IQueryable<TranscriptArchive> Running(SwitchboardDbContext db, TranscriptArchive archive) =>
        db.TranscriptArchives.IgnoreQueryFilters().Where(a => a.TenantId == archive.TenantId && a.Id == archive.Id && a.State == ArchiveState.Running);
}

/// <summary>One archive to build, with the context that claims and records it.</summary>
internal sealed class ArchiveJob(TranscriptArchive archive) : IAsyncDisposable
{
    public TranscriptArchive Archive { get; } = archive;

    public SwitchboardDbContext? Db { get; set; }

    public long FileSize { get; set; }

    public ValueTask DisposeAsync() => Db?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>Archives may hold an erased contact's conversations: they are deleted with them, files included (ADR 0026, 0031).</summary>
internal sealed class ArchiveContactErase(BlobStore blobs) : IContactEraseStep
{
    public async Task EraseContactAsync(SwitchboardDbContext db, ContactErasure erasure, CancellationToken ct)
    {
        var tenantId = erasure.TenantId;
        var archives = db.TranscriptArchives.Where(a => a.TenantId == tenantId);
        var ids = await archives.Select(a => a.Id).ToListAsync(ct);
        await archives.ExecuteDeleteAsync(ct);
        erasure.AfterCommit.Add(() => blobs.DeleteAsync(tenantId, ids));
    }
}
