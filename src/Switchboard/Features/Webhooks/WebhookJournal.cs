using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Webhooks;

internal enum AppendOutcome
{
    Stored,
    Saturated,
    Unavailable,
}

/// <summary>
/// Group commit for the webhook inbox: concurrent requests queue their sealed events, one writer inserts
/// whatever has queued up in a single transaction, and every request waits for that commit before it
/// may answer 200. A full queue, a failed commit or a database that just failed answer 503 at once.
/// </summary>
internal sealed partial class WebhookJournal : BackgroundService
{
    private static readonly TimeSpan FailFastAfterError = TimeSpan.FromSeconds(1);
    private readonly Channel<PendingAppend> queue;
    private readonly IDbContextFactory<SwitchboardDbContext> dbFactory;
    private readonly WebhookSignal signal;
    private readonly SqliteWriteGate writeGate;
    private readonly WebhookOptions options;
    private readonly TimeProvider clock;
    private readonly ILogger<WebhookJournal> logger;
    private long failedUntilTicks;

    public WebhookJournal(IDbContextFactory<SwitchboardDbContext> dbFactory, WebhookSignal signal, SqliteWriteGate writeGate, IOptions<WebhookOptions> options, TimeProvider clock, ILogger<WebhookJournal> logger)
    {
        this.writeGate = writeGate;
        this.dbFactory = dbFactory;
        this.signal = signal;
        this.options = options.Value;
        this.clock = clock;
        this.logger = logger;
        queue = Channel.CreateBounded<PendingAppend>(new BoundedChannelOptions(this.options.MaxPendingAppends) { SingleReader = true });
    }

    public async Task<AppendOutcome> AppendAsync(WebhookEvent inboxEvent, CancellationToken ct)
    {
        if (clock.GetUtcNow().UtcTicks < Interlocked.Read(ref failedUntilTicks))
        {
            return AppendOutcome.Unavailable;
        }

        var pending = new PendingAppend(inboxEvent);
        if (!queue.Writer.TryWrite(pending))
        {
            return AppendOutcome.Saturated;
        }

        try
        {
            return await pending.Completion.Task.WaitAsync(options.AckTimeout, ct);
        }
        catch (TimeoutException)
        {
            // It may still commit: then Meta's retry is a duplicate, which processing ignores.
            return AppendOutcome.Unavailable;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingAppend>(options.MaxBatch);
        var lastCommit = long.MinValue / 2;
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                Take(batch);

                // Under load commits start at most every CommitInterval, so that one commit (one fsync) covers many events;
                // an event that comes after a quiet spell is committed at once (ADR 0069).
                var wait = options.CommitInterval - clock.GetElapsedTime(lastCommit);
                if (wait > TimeSpan.Zero && batch.Count < options.MaxBatch)
                {
                    await Task.Delay(wait, clock, stoppingToken);
                    Take(batch);
                }

                lastCommit = clock.GetTimestamp();
                await CommitAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            queue.Writer.TryComplete();
            foreach (var pending in batch)
            {
                pending.Completion.TrySetResult(AppendOutcome.Unavailable);
            }

            while (queue.Reader.TryRead(out var left))
            {
                left.Completion.TrySetResult(AppendOutcome.Unavailable);
            }
        }
    }

    private void Take(List<PendingAppend> batch)
    {
        while (batch.Count < options.MaxBatch && queue.Reader.TryRead(out var pending))
        {
            batch.Add(pending);
        }
    }

    private async Task CommitAsync(List<PendingAppend> batch, CancellationToken ct)
    {
        AppendOutcome outcome;
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            using (await writeGate.EnterAsync(db, ct))
            {
                // Binary COPY on PostgreSQL, a prepared INSERT per row on SQLite; no change tracking.
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                await BulkInsert.InsertAsync(db, batch.ConvertAll(p => p.Event), ct);
                await transaction.CommitAsync(ct);
            }

            outcome = AppendOutcome.Stored;
            signal.Signal.Notify();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Interlocked.Exchange(ref failedUntilTicks, (clock.GetUtcNow() + FailFastAfterError).UtcTicks);
            LogCommitFailed(batch.Count, ex.GetType().Name);
            outcome = AppendOutcome.Unavailable;
        }

        foreach (var pending in batch)
        {
            pending.Completion.TrySetResult(outcome);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook inbox commit of {Count} event(s) failed ({Error}); answering 503 so that Meta retries")]
    private partial void LogCommitFailed(int count, string error);

    private sealed class PendingAppend(WebhookEvent inboxEvent)
    {
        public WebhookEvent Event { get; } = inboxEvent;

        public TaskCompletionSource<AppendOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
