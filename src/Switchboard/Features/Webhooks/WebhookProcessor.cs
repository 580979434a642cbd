using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Switchboard.Common.Crypto;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Common.Telemetry;
using Switchboard.Common.Web;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// Works through the webhook inbox in arrival order, hosted by a <see cref="JobLoop"/> (ADR 0021). Rows are
/// claimed in the transaction that processes them, by row lock on PostgreSQL (ADR 0015) and by holding the one
/// writer on SQLite (ADR 0074), so several nodes can share the work and a crashed node's rows come back at once;
/// processed a batch per transaction (split in halves when the batch fails, ADR 0014); and retried with <see cref="RetryBackoff"/>, quarantined after the last attempt or
/// at once for a content error (ADR 0018). A database that cannot be reached is no event's fault: then nothing is
/// split or counted, the round fails and the loop tries again (ADR 0059).
/// </summary>
internal sealed partial class WebhookProcessor : JobLoop
{
    // Short, so that the events a crashed node had claimed come back quickly; processing is idempotent,
    // so an unusually slow batch being claimed twice costs time, not correctness. On PostgreSQL, the
    // longest a processing transaction may sit idle before the server ends it and frees its rows.
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    // Taken by a batch that creates new customers, when several loops run (see InboundBatch.LoadAsync).
    private readonly SemaphoreSlim creationLock = new(1, 1);
    private readonly IDbContextFactory<SwitchboardDbContext> dbFactory;
    private readonly ProcessWebhookBatch processEvent;
    private readonly SqliteWriteGate writeGate;
    private readonly IngestMessage ingestMessage;
    private readonly IOptions<WebhookOptions> options;
    private readonly Conversations.MinimalMessages minimal;
    private readonly TimeProvider clock;
    private readonly ILogger<WebhookProcessor> logger;

    public WebhookProcessor(
        IDbContextFactory<SwitchboardDbContext> dbFactory,
        ProcessWebhookBatch processEvent,
        SqliteWriteGate writeGate,
        IngestMessage ingestMessage,
        Conversations.MinimalMessages minimal,
        WebhookSignal signal,
        MigrationState migrations,
        IOptions<WebhookOptions> options,
        TimeProvider clock,
        ILogger<WebhookProcessor> logger)
        : base(new JobSchedule("Webhook processor", PollInterval), signal.Signal, migrations, clock, logger)
    {
        this.dbFactory = dbFactory;
        this.processEvent = processEvent;
        this.writeGate = writeGate;
        this.ingestMessage = ingestMessage;
        this.minimal = minimal;
        this.options = options;
        this.clock = clock;
        this.logger = logger;
    }

    /// <summary>1 s, 4 s, 16 s … capped at 10 minutes.</summary>
    internal static Backoff RetryBackoff { get; } = new(TimeSpan.FromSeconds(1), 4, TimeSpan.FromMinutes(10));

    protected override async Task<int> LoopCountAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return db.IsSqlite ? 1 : Math.Max(1, options.Value.ProcessorConcurrency);
    }

    protected override async Task ReleaseAsync(IReadOnlyList<Guid> owners, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.WebhookEvents.Where(e => e.LeaseOwner != null && owners.Contains(e.LeaseOwner.Value) && e.State == WebhookEventState.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.LeaseOwner, (Guid?)null).SetProperty(e => e.LeaseUntil, (DateTimeOffset?)null), ct);
    }

    /// <summary>Claims and processes one batch; returns how many events it took.</summary>
    protected override async Task<int> RunRoundAsync(Guid owner, CancellationToken ct)
    {
        // The batch is claimed inside the transaction that processes it: by row locks on PostgreSQL, by holding SQLite's one
        // writer on SQLite (ADR 0074).
        var taken = new List<WebhookEvent>();
        try
        {
            await ProcessInTransactionAsync(taken, (db, ct) => db.IsSqlite ? TakeNextAsync(db, ct) : LockNextAsync(db, ct), ct);
            return taken.Count;
        }
        catch (Exception ex) when (taken.Count > 0 && !DbErrors.IsUnavailable(ex) && (ex is not OperationCanceledException || !ct.IsCancellationRequested))
        {
            // Tried once as a whole already: the next try is the second (see ProcessOrSplitAsync).
            await ProcessOrSplitAsync(taken, firstAttempt: 2, ct);
            return taken.Count;
        }
    }

    /// <summary>
    /// The fast path: the whole batch in one transaction, looked up set-based, so a handful of queries and
    /// one commit (one fsync) cover many events. A failure is tried once more as a whole — usually it was
    /// another loop or node creating the same new customer or conversation at the same moment, which the
    /// second try finds. Then the batch is split in halves, and so on down to single events, so that one
    /// bad event costs a few smaller batches rather than slowing its neighbours to one at a time; a
    /// single event that fails is retried later with backoff, and finally quarantined.
    /// </summary>
    private async Task ProcessOrSplitAsync(List<WebhookEvent> batch, int firstAttempt, CancellationToken ct)
    {
        if (batch.Count <= 1)
        {
            foreach (var single in batch)
            {
                await ProcessAsync(single, ct);
            }

            return;
        }

        for (var attempt = firstAttempt; attempt <= 2; attempt++)
        {
            try
            {
                await ProcessInTransactionAsync(batch, ct);
                return;
            }
            catch (Exception ex) when (!DbErrors.IsUnavailable(ex) && (ex is not OperationCanceledException || !ct.IsCancellationRequested))
            {
                if (attempt == 2)
                {
                    LogBatchSplit(batch.Count, SafeError.Describe(ex));
                }
            }
        }

        var half = batch.Count / 2;
        await ProcessOrSplitAsync(batch[..half], firstAttempt: 1, ct);
        await ProcessOrSplitAsync(batch[half..], firstAttempt: 1, ct);
    }

    private async Task ProcessAsync(WebhookEvent inboxEvent, CancellationToken ct)
    {
        try
        {
            await ProcessInTransactionAsync([inboxEvent], ct);
        }
        catch (KeyDestroyedException)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await FinishAsync(db, [(inboxEvent, WebhookEventState.Quarantined, "tenant-erased")], ct);
            LogQuarantined(inboxEvent.Id, "tenant-erased");
        }
        catch (Exception ex) when (IsPermanent(ex))
        {
            // The same bytes fail the same way every time: retrying would only hold the inbox up (ADR 0018).
            LogAttemptFailed(inboxEvent.Id, inboxEvent.Attempts + 1, SafeError.Describe(ex), true);
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await FinishAsync(db, [(inboxEvent, WebhookEventState.Quarantined, "malformed")], ct);
        }
        catch (Exception ex) when (!DbErrors.IsUnavailable(ex) && (ex is not OperationCanceledException || !ct.IsCancellationRequested))
        {
            await RetryLaterAsync(inboxEvent, ex, ct);
        }
    }

    /// <summary>
    /// Failures that come from the event's content, not from the moment: reading or shaping its JSON, or a
    /// value the database refuses (PostgreSQL's class 22, data exceptions). The shape check while parsing
    /// keeps known cases from failing at all; this catches what it does not know yet.
    /// </summary>
    internal static bool IsPermanent(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case JsonException or FormatException or ArgumentException or DecoderFallbackException or EncoderFallbackException:
                case InvalidOperationException { Source: "System.Text.Json" }:
                case PostgresException { SqlState: ['2', '2', ..] }:
                    return true;
            }
        }

        return false;
    }

    /// <summary>Processes those of these events that are still pending (on PostgreSQL, locked again, skipping any another loop holds).</summary>
    private Task ProcessInTransactionAsync(List<WebhookEvent> events, CancellationToken ct)
    {
        Guid[] ids = [.. events.Select(e => e.Id)];
        return ProcessInTransactionAsync([], (db, ct) => db.IsSqlite ? PendingAsync(db, ids, ct) : LockAsync(db, ids, ct), ct);
    }

    /// <param name="taken">Receives the events <paramref name="take"/> returned, also when processing them fails.</param>
    /// <param name="take">Returns the events to process, inside the transaction (on PostgreSQL, locking their rows).</param>
    /// <param name="ct">Stops the work; an unfinished transaction rolls back.</param>
    private async Task ProcessInTransactionAsync(
        List<WebhookEvent> taken, Func<SwitchboardDbContext, CancellationToken, Task<List<WebhookEvent>>> take, CancellationToken ct)
    {
        Conversations.InboundBatch? batch = null;
        BatchTimings? t = null;
        var finished = new List<(WebhookEvent Event, WebhookEventState State, string? Reason)>();
        List<WebhookEvent> events;
        Activity? activity = null;
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            db.WaitsForRealtimeNumbering = false;
            using var turn = await writeGate.EnterAsync(db, ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var claimStarted = Stopwatch.GetTimestamp();
            events = await take(db, ct);
            var claimTime = Stopwatch.GetElapsedTime(claimStarted);
            taken.AddRange(events);
            if (events.Count == 0)
            {
                return;
            }

            activity = StartProcessing(events);
            (var outcomes, batch, t) = await processEvent.HandleAsync(db, events, Owners.Count > 1 ? creationLock : null, ct);
            var writeStarted = Stopwatch.GetTimestamp();
            for (var i = 0; i < events.Count; i++)
            {
                finished.Add((events[i], outcomes[i].State, outcomes[i].Reason));
            }

            // The tenant row's counters are taken last, so its lock is held only for the events and the commit.
            await Conversations.ConversationLedger.WriteAsync(db, batch, ct);
            await FinishAsync(db, finished, ct);
            await Conversations.ConversationLedger.AppendEventsAsync(db, batch, ct);
            t.Write = Stopwatch.GetElapsedTime(writeStarted);
            var commitStarted = Stopwatch.GetTimestamp();
            await transaction.CommitAsync(ct);
            t.Commit = Stopwatch.GetElapsedTime(commitStarted);
            t.Claim = claimTime;
        }
        finally
        {
            batch?.ReleaseCreationLock();
            activity?.Dispose();
        }

        RecordProcessed(finished);
        LogBatch(events.Count, t.Claim.TotalMilliseconds, t.Parse.TotalMilliseconds, t.Load.TotalMilliseconds, t.Apply.TotalMilliseconds, t.Write.TotalMilliseconds, t.Commit.TotalMilliseconds);

        ingestMessage.Committed(batch);
        foreach (var (inboxEvent, state, reason) in finished.Where(f => f.State == WebhookEventState.Quarantined))
        {
            LogQuarantined(inboxEvent.Id, reason);
        }

        if (batch.UnmatchedStatuses.Count > 0)
        {
            await ReconcileLateStatusesAsync(batch.UnmatchedStatuses, ct);
        }
    }

    /// <summary>A span for the batch, linked to the trace of each request that stored one of its events (ADR 0036).</summary>
    private static Activity? StartProcessing(List<WebhookEvent> events)
    {
        if (!SwitchboardTelemetry.Source.HasListeners())
        {
            return null;
        }

        var links = new List<ActivityLink>();
        foreach (var e in events)
        {
            if (SwitchboardTelemetry.ContextOf(e.TraceParent) is { TraceId: var traceId } context && traceId != default)
            {
                links.Add(new ActivityLink(context));
            }
        }

        // One event (ordinary load): its request's trace goes on through processing; a batch links to all of them.
        var parent = links.Count == 1 && events.Count == 1 ? links[0].Context : default;
        var activity = SwitchboardTelemetry.Source.StartActivity("webhook process", ActivityKind.Consumer, parent, links: links);
        activity?.SetTag("switchboard.events", events.Count);
        return activity;
    }

    /// <summary>Processing lag per event (receipt to this commit) and events finished by state; nothing when metrics are off.</summary>
    private void RecordProcessed(List<(WebhookEvent Event, WebhookEventState State, string? Reason)> finished)
    {
        if (SwitchboardTelemetry.ProcessingLag.Enabled)
        {
            var now = clock.GetUtcNow();
            foreach (var (e, _, _) in finished)
            {
                SwitchboardTelemetry.ProcessingLag.Record(Math.Max(0, (now - e.ReceivedAt).TotalSeconds));
            }
        }

        if (SwitchboardTelemetry.WebhookEventsProcessed.Enabled)
        {
            var quarantined = finished.Count(f => f.State == WebhookEventState.Quarantined);
            SwitchboardTelemetry.WebhookEventsProcessed.Add(finished.Count - quarantined, new KeyValuePair<string, object?>("state", "processed"));
            if (quarantined > 0)
            {
                SwitchboardTelemetry.WebhookEventsProcessed.Add(quarantined, new KeyValuePair<string, object?>("state", "quarantined"));
            }
        }
    }

    /// <summary>Statuses whose message was not known when applied: the sender may have been recording that wamid just now.</summary>
    private async Task ReconcileLateStatusesAsync(List<(Guid Tenant, Guid Channel, string Wamid)> unmatched, CancellationToken ct)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await Conversations.ConversationLedger.ApplyRecordedStatusesAsync(db, writeGate, unmatched, clock.GetUtcNow(), ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The statuses are recorded; the sender's own reconciliation applies them when it records the wamid.
            LogLoopFailed(SafeError.Describe(ex));
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Processed {Count} webhook events: claim {Claim:F1} ms, open and parse {Parse:F1} ms, load {Load:F1} ms, apply {Apply:F1} ms, write {Write:F1} ms, commit {Commit:F1} ms")]
    private partial void LogBatch(int count, double claim, double parse, double load, double apply, double write, double commit);

    [LoggerMessage(Level = LogLevel.Information, Message = "A batch of {Count} webhook events failed together twice ({Error}); processing it in halves")]
    private partial void LogBatchSplit(int count, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook event {EventId} quarantined: {Reason}")]
    private partial void LogQuarantined(Guid eventId, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook event {EventId} failed attempt {Attempt} ({Error}); quarantined: {GaveUp}")]
    private partial void LogAttemptFailed(Guid eventId, int attempt, string error, bool gaveUp);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook processor loop failed ({Error}); retrying")]
    private partial void LogLoopFailed(string error);
}
