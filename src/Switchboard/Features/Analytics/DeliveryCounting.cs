using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Analytics;

/// <summary>
/// Counts replies by their delivery state in the same save that changes it (ADR 0030): every path that
/// moves a reply (status webhooks, send outcomes, reconciliation, resend) changes a tracked message, so
/// the counters follow the state exactly — a reply leaving "failed" for a resend is uncounted again.
/// Kept for the tenant, per channel and in the team, agent and labels recorded when the reply was written
/// (<see cref="ReplyGroups"/>), at the hour of the reply; also the pricing category of a reply's "sent"
/// status, per channel (the tenant's bill).
/// </summary>
internal sealed class DeliveryCounting : SaveChangesInterceptor
{
    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is SwitchboardDbContext db)
        {
            var moved = Moved(db);
            Count(
                db,
                await ReportPrivacy.RestrictedAsync(db, moved.Select(e => (e.Entity.TenantId, e.Entity.ContactId)), cancellationToken),
                await ReplyGroups.OfMessagesAsync(db, [.. moved.Select(e => (e.Entity.TenantId, e.Entity.Id))], cancellationToken));
        }

        return result;
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is SwitchboardDbContext db)
        {
            // Synchronous saves (key storage) never move a reply; a restricted contact is still looked up if one did.
            var moved = Moved(db);
            Count(
                db,
                moved.Count == 0 ? [] : ReportPrivacy.RestrictedAsync(db, moved.Select(e => (e.Entity.TenantId, e.Entity.ContactId)), CancellationToken.None).GetAwaiter().GetResult(),
                moved.Count == 0 ? Array.Empty<ReportReplyGroup>().ToLookup(g => g.MessageId)
                    : ReplyGroups.OfMessagesAsync(db, [.. moved.Select(e => (e.Entity.TenantId, e.Entity.Id))], CancellationToken.None).GetAwaiter().GetResult());
        }

        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is SwitchboardDbContext db)
        {
            db.UnitOfWork<Pending>().Deltas.Clear();
        }

        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context is SwitchboardDbContext db)
        {
            db.UnitOfWork<Pending>().Deltas.Clear();
        }

        return result;
    }

    /// <summary>Replies whose delivery state this save changes.</summary>
    private static List<Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry<Message>> Moved(SwitchboardDbContext db)
    {
        return [.. db.DetectedEntries<Message>().Where(e => e.State == EntityState.Modified && e.Entity.Direction == MessageDirection.Outbound
            && e.Property(m => m.Status) is { IsModified: true } status && status.OriginalValue != status.CurrentValue)];
    }

    private static void Count(SwitchboardDbContext db, HashSet<(Guid TenantId, Guid ContactId)> restricted, ILookup<Guid, ReportReplyGroup> replyGroups)
    {
        // A save tried again after a failure counts afresh: the increments of the failed try go first.
        var pending = db.UnitOfWork<Pending>();
        foreach (var stale in pending.Deltas)
        {
            if (db.Entry(stale).State == EntityState.Added)
            {
                db.Entry(stale).State = EntityState.Detached;
            }
        }

        pending.Deltas.Clear();
        foreach (var entry in Moved(db))
        {
            var message = entry.Entity;
            if (restricted.Contains((message.TenantId, message.ContactId)))
            {
                continue;
            }

            var status = entry.Property(m => m.Status);
            var groups = ReplyGroups.Of(message.TenantId, message.ChannelId, replyGroups[message.Id]);
            var at = message.Timestamp;
            var (from, to) = (status.OriginalValue, status.CurrentValue);
            Move(db, groups, at, ReportMetric.RepliesSent, IsSent(from), IsSent(to), pending.Deltas);
            Move(db, groups, at, ReportMetric.RepliesDelivered, IsDelivered(from), IsDelivered(to), pending.Deltas);
            Move(db, groups, at, ReportMetric.RepliesRead, IsRead(from), IsRead(to), pending.Deltas);
            if (from == DeliveryState.Failed)
            {
                ReportFacts.Count(db, groups, at, ReportMetric.RepliesFailed, -1, entry.Property(m => m.ErrorCode).OriginalValue ?? 0, pending.Deltas);
            }

            if (to == DeliveryState.Failed)
            {
                ReportFacts.Count(db, groups, at, ReportMetric.RepliesFailed, 1, message.ErrorCode ?? 0, pending.Deltas);
            }
        }

        foreach (var update in db.TrackedEntries<StatusUpdate>().Where(e => e.State == EntityState.Added && e.Entity.Status == DeliveryState.Sent && e.Entity.PricingCategory is not null).Select(e => e.Entity).ToList())
        {
            var groups = new ReportGroups(update.TenantId, update.ChannelId, null, null, []);
            ReportFacts.Count(db, groups, update.Timestamp, ReportMetric.Pricing, 1, PricingCategories.Of(update.PricingCategory!), pending.Deltas);
        }
    }

    private static void Move(SwitchboardDbContext db, ReportGroups groups, DateTimeOffset at, string metric, bool was, bool @is, List<ReportDelta> added)
    {
        if (was != @is)
        {
            ReportFacts.Count(db, groups, at, metric, @is ? 1 : -1, 0, added);
        }
    }

    public static bool IsSent(DeliveryState s) => s is DeliveryState.Sent or DeliveryState.Delivered or DeliveryState.Read or DeliveryState.Played;

    public static bool IsDelivered(DeliveryState s) => s is DeliveryState.Delivered or DeliveryState.Read or DeliveryState.Played;

    public static bool IsRead(DeliveryState s) => s is DeliveryState.Read or DeliveryState.Played;

    private sealed class Pending
    {
        public List<ReportDelta> Deltas { get; } = [];
    }
}
