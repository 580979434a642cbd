using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Media;

/// <summary>
/// Background fetching of inbound attachments. A fetch that fails is retried with backoff (30 s, 2 min,
/// 8 min … up to 2 h) for as long as Meta keeps webhook media ids (7 days); after the last attempt the
/// attachment is shown as failed and an agent can ask for another try. A transient error never loses it.
/// </summary>
internal sealed partial class MediaFetcher(
    IDbContextFactory<SwitchboardDbContext> dbFactory,
    FetchMedia fetchMedia,
    MediaSignal signal,
    MigrationState migrations,
    IOptions<MediaOptions> options,
    TimeProvider clock,
    ILogger<MediaFetcher> logger) : BackgroundService
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(20);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var worked = false;
            try
            {
                worked = migrations.IsCurrent && await RunOnceAsync(stoppingToken) > 0;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogLoopFailed(SafeError.Describe(ex));
            }

            if (!worked)
            {
                await signal.Signal.WaitAsync(await UntilNextDueAsync(stoppingToken), stoppingToken);
            }
        }
    }

    /// <summary>Sleeps until the earliest retry falls due (a short backoff must not wait for the poll).</summary>
    private async Task<TimeSpan> UntilNextDueAsync(CancellationToken ct)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var next = await db.MediaObjects.Where(m => m.State == MediaState.Pending).MinAsync(m => (DateTimeOffset?)m.NextAttemptAt, ct);
            var wait = next - clock.GetUtcNow();
            return wait is null || wait > PollInterval ? PollInterval : wait < MinimumWait ? MinimumWait : wait.Value;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return PollInterval;
        }
    }

    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        List<MediaObject> due;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            due = await db.MediaObjects.AsNoTracking()
                .Where(m => m.State == MediaState.Pending && m.NextAttemptAt <= now)
                .OrderBy(m => m.NextAttemptAt)
                .Take(16)
                .ToListAsync(ct);
        }

        var handled = 0;
        foreach (var media in due)
        {
            // Claim by pushing the next attempt out; only the node whose update matched fetches it.
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var claimed = await db.MediaObjects
                .Where(m => m.TenantId == media.TenantId && m.Id == media.Id && m.State == MediaState.Pending && m.NextAttemptAt == media.NextAttemptAt)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.NextAttemptAt, now + Lease), ct);
            if (claimed == 1)
            {
                await FetchOneAsync(db, media, ct);
                handled++;
            }
        }

        return handled;
    }

    private async Task FetchOneAsync(SwitchboardDbContext db, MediaObject media, CancellationToken ct)
    {
        db.MediaObjects.Attach(media);
        media.Attempts++;
        try
        {
            await fetchMedia.HandleAsync(db, media, ct);
            media.State = MediaState.Stored;
            media.StoredAt = clock.GetUtcNow();
            media.LastError = null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var (reason, permanent) = ex switch
            {
                MediaFetchException fetch => (fetch.Reason, fetch.Permanent),
                KeyDestroyedException => ("erased", true),
                _ => ("error:" + SafeError.Describe(ex), false),
            };
            media.LastError = reason.Length <= 200 ? reason : reason[..200];
            var giveUp = permanent || media.Attempts >= options.Value.MaxAttempts;
            media.State = giveUp ? MediaState.Failed : MediaState.Pending;
            media.NextAttemptAt = clock.GetUtcNow() + Backoff(options.Value.RetryBaseDelay, media.Attempts);
            LogFetchFailed(media.Id, media.Attempts, reason, giveUp);
        }

        if (media.State is MediaState.Stored or MediaState.Failed)
        {
            // Open inboxes show the file (or the failure) as soon as it is settled.
            var conversationId = await db.Messages.Where(m => m.TenantId == media.TenantId && m.Id == media.MessageId).Select(m => (Guid?)m.ConversationId).FirstOrDefaultAsync(ct);
            RealtimeLog.Append(db, media.TenantId, RealtimeEventTypes.MediaChanged, conversationId, media.MessageId, media.State.ToString().ToLowerInvariant(), clock.GetUtcNow());
            await RealtimeLog.FlushAsync(db, ct);
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>base × 4^(n-1), capped at 2 h: with the default 30 s, twelve attempts span about a day and a half.</summary>
    internal static TimeSpan Backoff(TimeSpan baseDelay, int attempts) =>
        TimeSpan.FromSeconds(Math.Min(7200, baseDelay.TotalSeconds * Math.Pow(4, Math.Max(0, attempts - 1))));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Media {MediaId} fetch attempt {Attempt} failed ({Reason}); given up: {GaveUp}")]
    private partial void LogFetchFailed(Guid mediaId, int attempt, string reason, bool gaveUp);

    [LoggerMessage(Level = LogLevel.Error, Message = "Media fetcher loop failed ({Error}); retrying")]
    private partial void LogLoopFailed(string error);
}
