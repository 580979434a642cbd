using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Switchboard.Common.Persistence;
using Switchboard.Common.Realtime;
using Switchboard.Common.Telemetry;

namespace Switchboard.Features.Conversations;

/// <summary>Wakes this node's streams once the transaction that appended realtime events has committed.</summary>
internal sealed class RealtimeCommitInterceptor(RealtimeHub hub) : DbTransactionInterceptor, ISaveChangesInterceptor
{
    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Flush(eventData.Context);
        return Task.CompletedTask;
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Flush(eventData.Context);

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context?.Database.CurrentTransaction is null)
        {
            Flush(eventData.Context);
        }

        return ValueTask.FromResult(result);
    }

    private void Flush(Microsoft.EntityFrameworkCore.DbContext? context)
    {
        if (context is SwitchboardDbContext db && db.RealtimeTenants.Count > 0)
        {
            using var activity = SwitchboardTelemetry.Source.StartActivity("realtime publish");
            activity?.SetTag("switchboard.tenants", db.RealtimeTenants.Count);
            foreach (var tenantId in db.RealtimeTenants)
            {
                hub.Publish(tenantId);
            }

            SwitchboardTelemetry.RealtimePublished.Add(db.RealtimeTenants.Count, new KeyValuePair<string, object?>("origin", "local"));

            db.RealtimeTenants.Clear();
        }
    }
}
