using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Persistence;
using Switchboard.Common.Telemetry;
using Switchboard.Common.Web;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Outbound;

/// <summary>
/// Group commit for the sender, in the way of the webhook inbox: sends queue what they need written, and
/// one writer commits whatever has queued up (for a few milliseconds) in a single transaction:
/// <list type="bullet">
/// <item>Sending marks, the point of no return. A send asks for its mark a little ahead of its paced slot
/// and may call Meta only once the mark is known committed; a crash from then on leaves it Sending, which
/// recovery turns into unknown, never into a second send. An item that is not marked is not called.</item>
/// <item>Outcomes (<see cref="OutboxOutcome"/>). Until its outcome commits an item stays Sending, so a
/// crash before that leaves it unknown, the safe side; the send holds its customer until then.</item>
/// </list>
/// If a batch cannot commit, its marks are tried alone and its outcomes one by one, so one bad row does
/// not take its neighbours with it.
/// </summary>
internal sealed partial class SendJournal(
    IDbContextFactory<SwitchboardDbContext> dbFactory,
    SqliteWriteGate gate,
    IOptions<OutboundOptions> options,
    TimeProvider clock,
    ILogger<SendJournal> logger) : BackgroundService
{
    /// <summary>How long writes gather before one commit (sends ask for their mark well ahead of this).</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan DrainOnStop = TimeSpan.FromSeconds(5);
    private const int MaxBatch = 1000;

    /// <summary>How long an outcome is kept while the database is away, and how often it is tried meanwhile.</summary>
    private static readonly TimeSpan OutcomeRetryFor = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan OutcomeRetryDelay = TimeSpan.FromSeconds(1);

    // Unbounded: whatever is queued belongs to the sender's in-flight items, which are bounded.
    private readonly Channel<PendingWrite> queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>
    /// <see cref="MarkResult.Marked"/> once the item is committed as Sending by this node; otherwise it must not be called:
    /// <see cref="MarkResult.Failed"/> when the database failed the write (it may have committed all the same).
    /// </summary>
    public async Task<MarkResult> MarkSendingAsync(OutboxItem item, Guid nodeId, CancellationToken ct)
    {
        var pending = new PendingMark(item, nodeId);
        if (!queue.Writer.TryWrite(pending) || !await pending.Completion.Task.WaitAsync(ct))
        {
            return pending.Failed ? MarkResult.Failed : MarkResult.NotMarked;
        }

        return MarkResult.Marked;
    }

    /// <summary>Queues the outcome and returns once it is committed (true) or could not be (false).</summary>
    public Task<bool> RecordAsync(OutboxOutcome outcome)
    {
        SwitchboardTelemetry.Sends.Add(1, new KeyValuePair<string, object?>("outcome", OutcomeLabel(outcome)));
        var pending = new PendingOutcome(outcome, clock.GetUtcNow());
        return queue.Writer.TryWrite(pending) ? pending.Completion.Task : Task.FromResult(false);
    }

    /// <summary>The <c>outcome</c> label of <c>switchboard.outbox.sends</c> (ADR 0036).</summary>
    internal static string OutcomeLabel(OutboxOutcome outcome) => outcome switch
    {
        { State: OutboxState.Done } => "sent",
        { State: OutboxState.Failed } => "failed",
        { State: OutboxState.Unknown } => "unknown",
        { BackOffContact: true } => "pair-limited",
        { PauseChannel: true } => "token-expired",
        _ => "retry",
    };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingWrite>(MaxBatch);
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                await Task.Delay(Linger, clock, stoppingToken);
                Drain(batch);
                await CommitAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Sends that finished while the node stops still get their outcome recorded if the database lets us;
            // marks asked for now are refused (not marked means not called).
            queue.Writer.TryComplete();
            using var drain = new CancellationTokenSource(DrainOnStop);
            try
            {
                do
                {
                    foreach (var mark in batch.OfType<PendingMark>())
                    {
                        mark.Completion.TrySetResult(false);
                    }

                    batch.RemoveAll(p => p is PendingMark);
                    await CommitAsync(batch, drain.Token);
                    Drain(batch);
                }
                while (batch.Count > 0);
            }
            catch (OperationCanceledException)
            {
            }

            foreach (var pending in batch)
            {
                pending.Fail();
            }

            while (queue.Reader.TryRead(out var left))
            {
                left.Fail();
            }
        }
    }

    private void Drain(List<PendingWrite> batch)
    {
        batch.Clear();
        while (batch.Count < MaxBatch && queue.Reader.TryRead(out var pending))
        {
            batch.Add(pending);
        }
    }

    /// <summary>Commits the batch and completes every write in it; leaves the batch empty unless cancelled.</summary>
    private async Task CommitAsync(List<PendingWrite> batch, CancellationToken ct)
    {
        var marks = batch.OfType<PendingMark>().ToList();
        var outcomes = batch.OfType<PendingOutcome>().ToList();
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            var marked = await WriteAsync(marks, outcomes, ct);
            Completed(marks, marked);
            Completed(outcomes);
            batch.Clear();
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            LogBatchFailed(marks.Count, outcomes.Count, SafeError.Describe(ex));
        }

        if (marks.Count > 0)
        {
            try
            {
                Completed(marks, await WriteAsync(marks, [], ct));
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // It may have committed after all: the sends put their items back (OutboxOutcome.Unmarked), never calling them.
                LogMarkFailed(marks.Count, SafeError.Describe(ex));
                foreach (var mark in marks)
                {
                    mark.Failed = true;
                }

                Completed(marks, []);
            }
        }

        foreach (var pending in outcomes)
        {
            try
            {
                await WriteAsync([], [pending], ct);
                Completed([pending]);
            }
            catch (Exception ex) when (DbErrors.IsUnavailable(ex) && !ct.IsCancellationRequested && clock.GetUtcNow() - pending.QueuedAt < OutcomeRetryFor)
            {
                // The database is away (a restart, a failover): what Meta answered is known only here, so it is kept and
                // written once the database is back rather than left for recovery to call unknown (ADR 0059).
                LogOutcomeDeferred(pending.Outcome.Item.Id, SafeError.Describe(ex));
                _ = RequeueAsync(pending, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // The item stays as it was: Sending becomes unknown after its lease, a leased Pending one is taken again.
                LogOutcomeFailed(pending.Outcome.Item.Id, SafeError.Describe(ex));
                pending.Fail();
            }
        }

        batch.Clear();
    }

    /// <summary>Queues an outcome the database could not take again after a pause (its send waits for it meanwhile).</summary>
    private async Task RequeueAsync(PendingOutcome pending, CancellationToken ct)
    {
        try
        {
            await Task.Delay(OutcomeRetryDelay, clock, ct);
        }
        catch (OperationCanceledException)
        {
        }

        if (!queue.Writer.TryWrite(pending))
        {
            pending.Fail();
        }
    }

    private async Task<HashSet<Guid>> WriteAsync(List<PendingMark> marks, List<PendingOutcome> outcomes, CancellationToken ct)
    {
        var marked = await CommitWritesAsync(marks, outcomes, ct);

        // After the write gate is released: reconciling takes the gate again on SQLite.
        await ReconcileAfterCommitAsync(outcomes, ct);
        return marked;
    }

    private async Task<HashSet<Guid>> CommitWritesAsync(List<PendingMark> marks, List<PendingOutcome> outcomes, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        using var turn = await gate.EnterAsync(db, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        HashSet<Guid> marked = [];
        foreach (var node in marks.GroupBy(m => m.NodeId))
        {
            var leaseUntil = now + options.Value.SendTimeout + options.Value.SendingLeaseMargin;
            marked.UnionWith(await SendJournalStatements.MarkSendingAsync(db, [.. node.Select(m => m.Item)], node.Key, leaseUntil, ct));
        }

        if (outcomes.Count > 0)
        {
            await SendJournalStatements.RecordAsync(db, [.. outcomes.Select(o => o.Outcome)], now, ct);
        }

        await transaction.CommitAsync(ct);
        return marked;
    }

    /// <summary>A status webhook may have been processed while these wamids were being committed.</summary>
    private async Task ReconcileAfterCommitAsync(List<PendingOutcome> outcomes, CancellationToken ct)
    {
        var sent = outcomes.Select(o => o.Outcome).Where(o => o.Wamid is not null && o.Item.MessageId is not null).Select(o => (o.Item.TenantId, o.Item.ChannelId, o.Wamid!)).ToList();
        if (sent.Count == 0)
        {
            return;
        }

        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await ConversationLedger.ApplyRecordedStatusesAsync(db, gate, sent, clock.GetUtcNow(), ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The outcome itself is committed; the statuses stay recorded and the processor's own check applies them.
            LogReconcileFailed(SafeError.Describe(ex));
        }
    }

    private static void Completed(List<PendingMark> marks, HashSet<Guid> marked)
    {
        foreach (var mark in marks)
        {
            mark.Completion.TrySetResult(marked.Contains(mark.Item.Id));
        }
    }

    private void Completed(List<PendingOutcome> done)
    {
        foreach (var pending in done)
        {
            var outcome = pending.Outcome;
            if (outcome.State == OutboxState.Failed)
            {
                LogFailed(outcome.Item.Id, outcome.Reason ?? "", outcome.ErrorCode);
            }
            else if (outcome.State == OutboxState.Unknown)
            {
                LogUnknown(outcome.Item.Id, outcome.Reason ?? "");
            }

            pending.Completion.TrySetResult(true);
        }
    }

    private abstract class PendingWrite
    {
        public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Fail() => Completion.TrySetResult(false);
    }

    private sealed class PendingMark(OutboxItem item, Guid nodeId) : PendingWrite
    {
        public OutboxItem Item { get; } = item;

        public Guid NodeId { get; } = nodeId;

        /// <summary>The database failed the write (rather than finding the item no longer this node's).</summary>
        public bool Failed { get; set; }
    }

    private sealed class PendingOutcome(OutboxOutcome outcome, DateTimeOffset queuedAt) : PendingWrite
    {
        public OutboxOutcome Outcome { get; } = outcome;

        public DateTimeOffset QueuedAt { get; } = queuedAt;
    }
}

/// <summary>What became of a Sending mark: only a marked item may be called.</summary>
internal enum MarkResult
{
    Marked,

    /// <summary>No longer this node's (another node leased it, or it is no longer pending), or the node is stopping.</summary>
    NotMarked,

    /// <summary>The database failed the write: the item may be marked or not, and is not called.</summary>
    Failed,
}
