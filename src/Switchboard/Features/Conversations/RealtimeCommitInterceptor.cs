using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Switchboard.Common.Persistence;
using Switchboard.Common.Realtime;
using Switchboard.Common.Telemetry;

namespace Switchboard.Features.Conversations;

/// <summary>
/// Once the transaction that appended realtime events has committed: on SQLite wakes this node's streams;
/// on PostgreSQL waits for <see cref="RealtimeSequencer"/> to number the queued events, which then wakes
/// every node's streams (ADR 0053).
/// </summary>
internal sealed class RealtimeCommitInterceptor(RealtimeHub hub, RealtimeSequencer sequencer) : DbTransactionInterceptor, ISaveChangesInterceptor
{
    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        RunAfterCommit(eventData.Context);
        return FlushAsync(eventData.Context, wait: true);
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        RunAfterCommit(eventData.Context);
        _ = FlushAsync(eventData.Context, wait: false);
    }

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        DropAfterCommit(eventData.Context);
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => DropAfterCommit(eventData.Context);

    public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        DropAfterCommit(eventData.Context);
        return Task.CompletedTask;
    }

    public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => DropAfterCommit(eventData.Context);

    public async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context?.Database.CurrentTransaction is null)
        {
            await FlushAsync(eventData.Context, wait: true);
        }

        return result;
    }

    private static void RunAfterCommit(Microsoft.EntityFrameworkCore.DbContext? context)
    {
        if (context is not SwitchboardDbContext { AfterCommit.Count: > 0 } db)
        {
            return;
        }

        var actions = db.AfterCommit.ToArray();
        db.AfterCommit.Clear();
        foreach (var action in actions)
        {
            action();
        }
    }

    private static void DropAfterCommit(Microsoft.EntityFrameworkCore.DbContext? context) => (context as SwitchboardDbContext)?.AfterCommit.Clear();

    private async Task FlushAsync(Microsoft.EntityFrameworkCore.DbContext? context, bool wait)
    {
        if (context is not SwitchboardDbContext db || db.RealtimeTenants.Count == 0)
        {
            return;
        }

        using var activity = SwitchboardTelemetry.Source.StartActivity("realtime publish");
        activity?.SetTag("switchboard.tenants", db.RealtimeTenants.Count);
        if (!db.IsSqlite)
        {
            // The sequencer wakes every node's streams once it has numbered the events.
            db.RealtimeTenants.Clear();
            if (wait && db.WaitsForRealtimeNumbering)
            {
                await sequencer.SequenceAsync();
            }
            else
            {
                sequencer.Signal();
            }

            return;
        }

        foreach (var tenantId in db.RealtimeTenants)
        {
            hub.Publish(tenantId);
        }

        SwitchboardTelemetry.RealtimePublished.Add(db.RealtimeTenants.Count, new KeyValuePair<string, object?>("origin", "local"));
        db.RealtimeTenants.Clear();
    }
}
