using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Analytics;

/// <summary>
/// What every report counter does around a save (ADR 0030): the deltas it added to an earlier attempt of the same save
/// are dropped before it counts afresh, and forgotten once the save went through. <typeparamref name="TSelf"/> keeps
/// each counter's deltas apart in the unit of work.
/// </summary>
internal abstract class ReportCounting<TSelf> : SaveChangesInterceptor
    where TSelf : ReportCounting<TSelf>
{
    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is SwitchboardDbContext db)
        {
            var added = db.UnitOfWork<Pending>().Deltas;
            foreach (var stale in added.Where(d => db.Entry(d).State == EntityState.Added))
            {
                db.Entry(stale).State = EntityState.Detached;
            }

            added.Clear();
            await CountAsync(db, added, cancellationToken);
        }

        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is SwitchboardDbContext db)
        {
            db.UnitOfWork<Pending>().Deltas.Clear();
            Saved(db);
        }

        return ValueTask.FromResult(result);
    }

    /// <summary>Adds this save's deltas to the context, each also to <paramref name="added"/>.</summary>
    protected abstract Task CountAsync(SwitchboardDbContext db, List<ReportDelta> added, CancellationToken ct);

    /// <summary>After the save went through.</summary>
    protected virtual void Saved(SwitchboardDbContext db)
    {
    }

    private sealed class Pending
    {
        public List<ReportDelta> Deltas { get; } = [];
    }
}
