using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;

namespace Switchboard.Features.Webhooks;

/// <summary>How the processor claims, finishes and retries inbox rows (ADR 0015, ADR 0021).</summary>
internal sealed partial class WebhookProcessor
{
    /// <summary>The first half of the two-part advisory lock key of a customer bucket ("SBIN"); the second is the bucket.</summary>
    internal const int SenderLockClass = 0x5342494E;

    /// <summary>
    /// PostgreSQL: locks the next batch of due events in arrival order for this transaction, skipping rows
    /// another loop or node has locked. Nothing is written to claim them: the locks end with the
    /// transaction, so a crashed node's batch is free again the moment its connection goes, and a node that
    /// stops talking mid-batch is cut off after <see cref="Lease"/> of silence. Rows leased by a node of an
    /// older version (which claimed by writing a lease) are skipped until their lease runs out. An event whose customer's bucket
    /// another loop holds is skipped too: the bucket's advisory lock is taken here and held to the commit, so loops on every node
    /// take disjoint customers and never wait for each other's conversation rows (ADR 0062).
    /// </summary>
    private Task<List<WebhookEvent>> LockNextAsync(SwitchboardDbContext db, CancellationToken ct) =>
        LockNextAsync(db, clock.GetUtcNow(), options.Value.ProcessBatch, ct);

    /// <inheritdoc cref="LockNextAsync(SwitchboardDbContext, CancellationToken)"/>
    internal static async Task<List<WebhookEvent>> LockNextAsync(SwitchboardDbContext db, DateTimeOffset now, int limit, CancellationToken ct)
    {
        // The pending index is walked in Id order, never through a bitmap, whatever the table's statistics say (ADR 0072).
        await LimitIdleAsync(db, ct, walkPendingInOrder: true);

        // 'pending' is a literal, not a parameter, so that the planner always proves the partial index
        // IX_InboxEvents_Pending usable (ordered by Id over pending rows only). The bucket's lock is tried last, for due rows only
        // (conditions of equal cost are checked in the order written).
        var claimed = await db.WebhookEvents.FromSql(
                $"""
                SELECT * FROM "InboxEvents"
                WHERE "State" = 'pending' AND "NextAttemptAt" <= {now} AND ("LeaseUntil" IS NULL OR "LeaseUntil" < {now})
                  AND ("SenderKey" IS NULL OR pg_try_advisory_xact_lock({SenderLockClass}, "SenderKey"))
                ORDER BY "Id" LIMIT {limit}
                FOR UPDATE SKIP LOCKED
                """)
            .AsNoTracking()
            .ToListAsync(ct);
        await db.Database.ExecuteSqlRawAsync("SET LOCAL enable_bitmapscan TO DEFAULT", ct);
        return claimed;
    }

    /// <summary>PostgreSQL: locks these events again for a retry, those still pending and not held by another loop.</summary>
    private static async Task<List<WebhookEvent>> LockAsync(SwitchboardDbContext db, Guid[] ids, CancellationToken ct)
    {
        await LimitIdleAsync(db, ct);
        return await db.WebhookEvents.FromSql(
                $"""
                SELECT * FROM "InboxEvents"
                WHERE "Id" = ANY({ids}) AND "State" = 'pending'
                ORDER BY "Id"
                FOR UPDATE SKIP LOCKED
                """)
            .AsNoTracking()
            .ToListAsync(ct);
    }

    /// <summary>A batch's row locks are its claim: if this node goes quiet mid-batch, PostgreSQL ends the transaction and frees them.</summary>
    /// <remarks>With <paramref name="walkPendingInOrder"/>, bitmap scans are off until the caller sets them back (ADR 0072).</remarks>
    private static async Task LimitIdleAsync(SwitchboardDbContext db, CancellationToken ct, bool walkPendingInOrder = false)
    {
        var milliseconds = ((int)Lease.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (walkPendingInOrder)
        {
            await db.Database.ExecuteSqlAsync(
                $"SELECT set_config('idle_in_transaction_session_timeout', {milliseconds}, true), set_config('enable_bitmapscan', 'off', true)", ct);
            return;
        }

        await db.Database.ExecuteSqlAsync($"SELECT set_config('idle_in_transaction_session_timeout', {milliseconds}, true)", ct);
    }

    /// <summary>
    /// SQLite: the next due events in arrival order, read in the transaction that processes them. Nothing is written to
    /// claim them (ADR 0074): the transaction holds SQLite's one writer (and, in this process, <see cref="SqliteWriteGate"/>)
    /// until it commits them as processed, and a writer that read them before that commit cannot commit on its stale
    /// snapshot. Rows leased by a node of an older version are skipped until their lease runs out.
    /// </summary>
    private Task<List<WebhookEvent>> TakeNextAsync(SwitchboardDbContext db, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return db.WebhookEvents.AsNoTracking()
            .Where(e => e.State == WebhookEventState.Pending && e.NextAttemptAt <= now && (e.LeaseUntil == null || e.LeaseUntil < now))
            .OrderBy(e => e.Id)
            .Take(options.Value.ProcessBatch)
            .ToListAsync(ct);
    }

    /// <summary>SQLite: those of these events still pending, read again in the transaction that retries them.</summary>
    private static Task<List<WebhookEvent>> PendingAsync(SwitchboardDbContext db, Guid[] ids, CancellationToken ct) =>
        db.WebhookEvents.AsNoTracking().Where(e => ids.Contains(e.Id) && e.State == WebhookEventState.Pending).OrderBy(e => e.Id).ToListAsync(ct);

    /// <summary>
    /// Records the events' outcomes: one UPDATE per distinct (state, reason), usually just one. A processed event of a tenant
    /// with minimal messages is deleted instead, in the transaction that stored what it carried (ADR 0051).
    /// </summary>
    private async Task FinishAsync(SwitchboardDbContext db, IReadOnlyList<(WebhookEvent Event, WebhookEventState State, string? Reason)> finished, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var dropped = new HashSet<Guid>();
        foreach (var tenant in finished.Where(f => f.State == WebhookEventState.Processed && f.Event.TenantId is not null).GroupBy(f => f.Event.TenantId!.Value))
        {
            if (await minimal.IsOnAsync(tenant.Key, ct))
            {
                dropped.UnionWith(tenant.Select(f => f.Event.Id));
            }
        }

        if (dropped.Count > 0)
        {
            var ids = dropped.ToList();
            await db.WebhookEvents.Where(e => ids.Contains(e.Id)).ExecuteDeleteAsync(ct);
        }

        foreach (var group in finished.Where(f => !dropped.Contains(f.Event.Id)).GroupBy(f => (f.State, f.Reason)))
        {
            var ids = group.Select(f => f.Event.Id).ToList();
            var (state, reason) = group.Key;
            await db.WebhookEvents.Where(e => ids.Contains(e.Id)).ExecuteUpdateAsync(s => s
                .SetProperty(e => e.State, state)
                .SetProperty(e => e.Reason, reason)
                .SetProperty(e => e.ProcessedAt, now)
                .SetProperty(e => e.LeaseOwner, (Guid?)null)
                .SetProperty(e => e.LeaseUntil, (DateTimeOffset?)null), ct);
        }
    }

    private async Task RetryLaterAsync(WebhookEvent inboxEvent, Exception error, CancellationToken ct)
    {
        var failure = new RetryPolicy(options.Value.MaxAttempts, RetryBackoff).Fail(inboxEvent.Attempts + 1, permanent: false, clock.GetUtcNow(), SafeError.Describe(error));
        LogAttemptFailed(inboxEvent.Id, failure.Attempt, failure.Error, failure.GiveUp);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await db.WebhookEvents.Where(e => e.Id == inboxEvent.Id).ExecuteUpdateAsync(s => s
                .SetProperty(e => e.Attempts, failure.Attempt)
                .SetProperty(e => e.NextAttemptAt, failure.NextAttemptAt)
                .SetProperty(e => e.State, failure.GiveUp ? WebhookEventState.Quarantined : WebhookEventState.Pending)
                .SetProperty(e => e.Reason, failure.GiveUp ? "processing-failed" : null)
                .SetProperty(e => e.LeaseOwner, (Guid?)null)
                .SetProperty(e => e.LeaseUntil, (DateTimeOffset?)null), ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The database is away: the lease runs out and the event is claimed again later.
            LogLoopFailed(SafeError.Describe(ex));
        }
    }
}
