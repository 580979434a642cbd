using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// Drops the raw webhook events of tenants with minimal messages (ADR 0047) once processed, every few seconds, instead of keeping them
/// for the replay window; the processor is untouched. Only the last hour's arrivals are looked at (the <c>ReceivedAt</c> index), so a
/// sweep stays cheap; anything older is removed by the tenant's retention run. Events on the platform URL, which name no tenant, keep
/// the replay window.
/// </summary>
internal sealed partial class MinimalRawEvents(
    IDbContextFactory<SwitchboardDbContext> dbFactory, MigrationState migrations, TimeProvider clock, ILogger<MinimalRawEvents> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Horizon = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!migrations.IsCurrent)
            {
                continue;
            }

            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(stoppingToken);
                await DropProcessedAsync(db, null, clock.GetUtcNow() - Horizon, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(SafeError.Describe(ex));
            }
        }
    }

    /// <summary>Deletes processed events of minimal-messages tenants (one tenant, or all when null) received after <paramref name="since"/> (null: any time).</summary>
    public static Task<int> DropProcessedAsync(SwitchboardDbContext db, Guid? tenantId, DateTimeOffset? since, CancellationToken ct)
    {
        var minimal = db.Tenants.Where(t => t.MinimalMessages && (tenantId == null || t.Id == tenantId)).Select(t => (Guid?)t.Id);
        var events = db.WebhookEvents.Where(e => e.State == WebhookEventState.Processed && minimal.Contains(e.TenantId));
        if (since is { } from)
        {
            events = events.Where(e => e.ReceivedAt >= from);
        }

        return events.ExecuteDeleteAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropping processed raw events of minimal-messages tenants failed ({Error}); will try again")]
    private partial void LogFailed(string error);
}
