using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Realtime;
using Switchboard.Common.Web;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// Works through the webhook inbox in arrival order. Rows are claimed with a lease (so several nodes can
/// share the work and a crashed node's rows come back), processed a batch per transaction (one event per
/// transaction when the batch fails), and retried
/// with backoff on failure; after the last attempt an event is quarantined for the operator.
/// </summary>
internal sealed partial class InboxProcessor(
    IDbContextFactory<SwitchboardDbContext> dbFactory,
    ProcessInboxEvent processEvent,
    InboxSignal signal,
    MigrationState migrations,
    IOptions<WebhookOptions> options,
    TimeProvider clock,
    ILogger<InboxProcessor> logger) : BackgroundService
{
    private const int BatchSize = 64;
    // Short, so that the events a crashed node had claimed come back quickly; processing is idempotent,
    // so an unusually slow batch being claimed twice costs time, not correctness.
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private readonly Guid nodeId = Guid.NewGuid();

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
                await signal.Signal.WaitAsync(PollInterval, stoppingToken);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            // A clean shutdown hands its unfinished claims back at once instead of letting the lease run out.
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await db.InboxEvents.Where(e => e.LeaseOwner == nodeId && e.State == InboxState.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.LeaseOwner, (Guid?)null).SetProperty(e => e.LeaseUntil, (DateTimeOffset?)null), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogLoopFailed(SafeError.Describe(ex));
        }
    }

    /// <summary>Claims and processes one batch; returns how many events it handled.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var claimed = await ClaimAsync(ct);
        if (claimed.Count > 1 && await TryProcessTogetherAsync(claimed, ct))
        {
            return claimed.Count;
        }

        foreach (var inboxEvent in claimed)
        {
            await ProcessAsync(inboxEvent, ct);
        }

        return claimed.Count;
    }

    /// <summary>
    /// The fast path: the whole batch in one transaction, so one commit (one fsync) covers many events.
    /// If anything in it fails, nothing of it is kept and each event is processed on its own instead,
    /// where a failure only affects that event.
    /// </summary>
    private async Task<bool> TryProcessTogetherAsync(List<InboxEvent> batch, CancellationToken ct)
    {
        var quarantined = new List<(Guid Id, string? Reason)>();
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            foreach (var inboxEvent in batch)
            {
                var (state, reason) = await processEvent.HandleAsync(db, inboxEvent, ct);
                await db.SaveChangesAsync(ct);
                await FinishAsync(db, inboxEvent, state, reason, ct);
                db.ChangeTracker.Clear();
                if (state == InboxState.Quarantined)
                {
                    quarantined.Add((inboxEvent.Id, reason));
                }
            }

            await RealtimeLog.FlushAsync(db, ct);
            await transaction.CommitAsync(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            LogBatchFallback(batch.Count, SafeError.Describe(ex));
            return false;
        }

        foreach (var (id, reason) in quarantined)
        {
            LogQuarantined(id, reason);
        }

        return true;
    }

    private async Task<List<InboxEvent>> ClaimAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var until = now + Lease;
        var candidates = await db.InboxEvents
            .Where(e => e.State == InboxState.Pending && e.NextAttemptAt <= now && (e.LeaseUntil == null || e.LeaseUntil < now))
            .OrderBy(e => e.Id)
            .Select(e => e.Id)
            .Take(BatchSize)
            .ToListAsync(ct);
        if (candidates.Count == 0)
        {
            return [];
        }

        // The lease condition is checked again by the UPDATE itself, so two nodes never both win a row.
        await db.InboxEvents
            .Where(e => candidates.Contains(e.Id) && e.State == InboxState.Pending && (e.LeaseUntil == null || e.LeaseUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.LeaseOwner, nodeId).SetProperty(e => e.LeaseUntil, until), ct);
        return await db.InboxEvents.AsNoTracking()
            .Where(e => candidates.Contains(e.Id) && e.LeaseOwner == nodeId && e.LeaseUntil == until)
            .OrderBy(e => e.Id)
            .ToListAsync(ct);
    }

    private async Task ProcessAsync(InboxEvent inboxEvent, CancellationToken ct)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var (state, reason) = await processEvent.HandleAsync(db, inboxEvent, ct);
            await db.SaveChangesAsync(ct);
            await RealtimeLog.FlushAsync(db, ct);
            await FinishAsync(db, inboxEvent, state, reason, ct);
            await transaction.CommitAsync(ct);
            if (state == InboxState.Quarantined)
            {
                LogQuarantined(inboxEvent.Id, reason);
            }
        }
        catch (KeyDestroyedException)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await FinishAsync(db, inboxEvent, InboxState.Quarantined, "tenant-erased", ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            await RetryLaterAsync(inboxEvent, ex, ct);
        }
    }

    private Task<int> FinishAsync(SwitchboardDbContext db, InboxEvent inboxEvent, InboxState state, string? reason, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return db.InboxEvents.Where(e => e.Id == inboxEvent.Id).ExecuteUpdateAsync(s => s
            .SetProperty(e => e.State, state)
            .SetProperty(e => e.Reason, reason)
            .SetProperty(e => e.ProcessedAt, now)
            .SetProperty(e => e.LeaseOwner, (Guid?)null)
            .SetProperty(e => e.LeaseUntil, (DateTimeOffset?)null), ct);
    }

    private async Task RetryLaterAsync(InboxEvent inboxEvent, Exception error, CancellationToken ct)
    {
        var attempts = inboxEvent.Attempts + 1;
        var giveUp = attempts >= options.Value.MaxAttempts;
        var next = clock.GetUtcNow() + Backoff(attempts);
        LogAttemptFailed(inboxEvent.Id, attempts, SafeError.Describe(error), giveUp);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await db.InboxEvents.Where(e => e.Id == inboxEvent.Id).ExecuteUpdateAsync(s => s
                .SetProperty(e => e.Attempts, attempts)
                .SetProperty(e => e.NextAttemptAt, next)
                .SetProperty(e => e.State, giveUp ? InboxState.Quarantined : InboxState.Pending)
                .SetProperty(e => e.Reason, giveUp ? "processing-failed" : null)
                .SetProperty(e => e.LeaseOwner, (Guid?)null)
                .SetProperty(e => e.LeaseUntil, (DateTimeOffset?)null), ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The database is away: the lease runs out and the event is claimed again later.
            LogLoopFailed(SafeError.Describe(ex));
        }
    }

    /// <summary>1 s, 4 s, 16 s … capped at 10 minutes.</summary>
    internal static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(600, Math.Pow(4, Math.Max(0, attempts - 1))));

    [LoggerMessage(Level = LogLevel.Information, Message = "A batch of {Count} webhook events failed together ({Error}); processing them one by one")]
    private partial void LogBatchFallback(int count, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook event {EventId} quarantined: {Reason}")]
    private partial void LogQuarantined(Guid eventId, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook event {EventId} failed attempt {Attempt} ({Error}); quarantined: {GaveUp}")]
    private partial void LogAttemptFailed(Guid eventId, int attempt, string error, bool gaveUp);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook processor loop failed ({Error}); retrying")]
    private partial void LogLoopFailed(string error);
}
