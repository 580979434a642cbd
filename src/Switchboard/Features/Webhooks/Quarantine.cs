using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// The operator's view of webhooks that could not be routed or processed (kept sealed), and replay —
/// for instance once the number has been connected to the right tenant.
/// </summary>
internal static class Quarantine
{
    public sealed record Item(Guid Id, Guid? TenantId, DateTimeOffset ReceivedAt, string? Reason, int Attempts);

    public static async Task<Page<Item>> ListAsync(SwitchboardDbContext db, string? cursor, int? limit, CancellationToken ct)
    {
        var take = Paging.Limit(limit);
        var query = db.WebhookEvents.Where(e => e.State == WebhookEventState.Quarantined);
        if (Paging.DecodeGuid(cursor) is { } after)
        {
            query = query.Where(e => e.Id.CompareTo(after) > 0);
        }

        var items = await query.OrderBy(e => e.Id).Take(take + 1)
            .Select(e => new Item(e.Id, e.TenantId, e.ReceivedAt, e.Reason, e.Attempts))
            .ToListAsync(ct);
        return Paging.PageOf(items, take, i => i.Id);
    }

    public static async Task<Results<Accepted, ProblemHttpResult>> ReplayOverHttpAsync(
        Guid eventId, SwitchboardDbContext db, WebhookSignal signal, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await ReplayAsync(eventId, db, signal, clock, AuditActor.From(http), ct) is { } failure
            ? failure.ToProblem()
            : TypedResults.Accepted($"/api/v1/operator/quarantine/{eventId}");

    /// <summary>Puts a quarantined event back in line for processing; refuses (not found) one that is not quarantined.</summary>
    public static async Task<Failure?> ReplayAsync(
        Guid eventId, SwitchboardDbContext db, WebhookSignal signal, TimeProvider clock, AuditActor actor, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var updated = await db.WebhookEvents
            .Where(e => e.Id == eventId && e.State == WebhookEventState.Quarantined)
            .ExecuteUpdateAsync(s => s
                .SetProperty(e => e.State, WebhookEventState.Pending)
                .SetProperty(e => e.Attempts, 0)
                .SetProperty(e => e.Reason, (string?)null)
                .SetProperty(e => e.NextAttemptAt, now), ct);
        if (updated == 0)
        {
            return Failure.NotFound();
        }

        var tenantId = await db.WebhookEvents.Where(e => e.Id == eventId).Select(e => e.TenantId).SingleAsync(ct);
        await AuditLog.RecordAsync(db, AuditLog.PlatformChain, actor, AuditActions.WebhookReplayed, $"webhook:{eventId}", new { tenantId }, now, ct);
        await transaction.CommitAsync(ct);

        signal.Signal.Notify();
        return null;
    }
}
