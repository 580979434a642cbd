using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Crypto;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Media;

/// <summary>
/// Background fetching of inbound attachments, run by a <see cref="JobRunner{TJob}"/> (ADR 0021). A fetch
/// that fails is retried with <see cref="RetryBackoff"/> for as long as Meta keeps webhook media ids (7 days);
/// after the last attempt the attachment is shown as failed and an agent can ask for another try. A
/// transient error never loses it.
/// </summary>
internal sealed partial class MediaFetcher(
    IDbContextFactory<SwitchboardDbContext> dbFactory,
    FetchMedia fetchMedia,
    IOptions<MediaOptions> options,
    TimeProvider clock,
    ILogger<MediaFetcher> logger) : IJobSource<MediaJob>
{
    public JobSchedule Schedule { get; } = new("Media fetcher", TimeSpan.FromSeconds(5));

    public TimeSpan Lease => TimeSpan.FromMinutes(5);

    public int BatchSize => 16;

    public RetryPolicy Retry => new(options.Value.MaxAttempts, RetryBackoff(options.Value.RetryBaseDelay));

    /// <summary>base × 4^(n-1), capped at 2 h: with the default 30 s, twelve attempts span about a day and a half.</summary>
    internal static Backoff RetryBackoff(TimeSpan baseDelay) => new(baseDelay, 4, TimeSpan.FromHours(2));

    public async Task<IReadOnlyList<MediaJob>> FindDueAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var due = await db.MediaObjects.AsNoTracking()
            .Where(m => m.State == MediaState.Pending && m.NextAttemptAt <= now)
            .OrderBy(m => m.NextAttemptAt)
            .Take(limit)
            .ToListAsync(ct);
        return [.. due.Select(m => new MediaJob(m))];
    }

    /// <summary>Claims by pushing the next attempt out to the lease's end; only the node whose update matched fetches it.</summary>
    public async Task<bool> ClaimAsync(MediaJob job, Guid owner, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        var media = job.Media;
        job.Db = await dbFactory.CreateDbContextAsync(ct);
        var claimed = await job.Db.MediaObjects
            .Where(m => m.TenantId == media.TenantId && m.Id == media.Id && m.State == MediaState.Pending && m.NextAttemptAt == media.NextAttemptAt)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.NextAttemptAt, leaseUntil), ct);
        return claimed == 1;
    }

    public int AttemptsOf(MediaJob job) => job.Media.Attempts;

    public async Task RunAsync(MediaJob job, int attempt, CancellationToken ct)
    {
        var db = job.Db!;
        db.MediaObjects.Attach(job.Media);
        job.Media.Attempts = attempt;
        await fetchMedia.HandleAsync(db, job.Media, ct);
    }

    public Task CompleteAsync(MediaJob job, CancellationToken ct)
    {
        job.Media.State = MediaState.Stored;
        job.Media.StoredAt = clock.GetUtcNow();
        job.Media.LastError = null;
        return SaveAsync(job, ct);
    }

    public (string Error, bool Permanent) Classify(Exception error) => error switch
    {
        MediaFetchException fetch => (fetch.Reason, fetch.Permanent),
        KeyDestroyedException => ("erased", true),
        _ => ("error:" + SafeError.Describe(error), false),
    };

    public Task FailAsync(MediaJob job, JobFailure failure, CancellationToken ct)
    {
        var media = job.Media;
        media.LastError = failure.Error.Length <= 200 ? failure.Error : failure.Error[..200];
        media.State = failure.GiveUp ? MediaState.Failed : MediaState.Pending;
        media.NextAttemptAt = failure.NextAttemptAt;
        LogFetchFailed(media.Id, failure.Attempt, failure.Error, failure.GiveUp);
        return SaveAsync(job, ct);
    }

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.MediaObjects.Where(m => m.State == MediaState.Pending).MinAsync(m => (DateTimeOffset?)m.NextAttemptAt, ct);
    }

    private async Task SaveAsync(MediaJob job, CancellationToken ct)
    {
        var (db, media) = (job.Db!, job.Media);
        if (media.State is MediaState.Stored or MediaState.Failed)
        {
            // Open inboxes show the file (or the failure) as soon as it is settled.
            var conversationId = await db.Messages.Where(m => m.TenantId == media.TenantId && m.Id == media.MessageId).Select(m => (Guid?)m.ConversationId).FirstOrDefaultAsync(ct);
            RealtimeLog.Append(db, media.TenantId, RealtimeEventTypes.MediaChanged, conversationId, media.MessageId, media.State.ToString().ToLowerInvariant(), clock.GetUtcNow());
            await RealtimeLog.FlushAsync(db, ct);
        }

        await db.SaveChangesAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Media {MediaId} fetch attempt {Attempt} failed ({Reason}); given up: {GaveUp}")]
    private partial void LogFetchFailed(Guid mediaId, int attempt, string reason, bool gaveUp);
}

/// <summary>One attachment to fetch, with the context that claims, fetches and records it.</summary>
internal sealed class MediaJob(MediaObject media) : IAsyncDisposable
{
    public MediaObject Media { get; } = media;

    public SwitchboardDbContext? Db { get; set; }

    public ValueTask DisposeAsync() => Db?.DisposeAsync() ?? ValueTask.CompletedTask;
}
