using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// Minimum data: raw webhook bodies are deleted once the replay window has passed (Meta's own retry
/// horizon); what the product needs was extracted into messages and statuses at processing time.
/// Quarantined events wait longer for the operator, then go too. Other features' short-lived bookkeeping
/// (<see cref="IBookkeepingPurge"/>) older than the window goes on the same schedule.
/// </summary>
internal sealed partial class WebhookJanitor(
    IDbContextFactory<SwitchboardDbContext> dbFactory, IEnumerable<IBookkeepingPurge> bookkeeping, MigrationState migrations, IOptions<WebhookOptions> options, TimeProvider clock, ILogger<WebhookJanitor> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            if (!migrations.IsCurrent)
            {
                continue;
            }

            try
            {
                var purged = await PurgeAsync(stoppingToken);
                if (purged > 0)
                {
                    LogPurged(purged);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(SafeError.Describe(ex));
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<int> PurgeAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var processedBefore = now - options.Value.ReplayWindow;
        var quarantinedBefore = now - options.Value.QuarantineRetention;
        var purged = await db.WebhookEvents
            .Where(e => (e.State == WebhookEventState.Processed && e.ReceivedAt < processedBefore) || (e.State == WebhookEventState.Quarantined && e.ReceivedAt < quarantinedBefore))
            .ExecuteDeleteAsync(ct);

        var bookkeepingBefore = now - options.Value.ReplayWindow;
        foreach (var purge in bookkeeping)
        {
            purged += await purge.PurgeAsync(db, bookkeepingBefore, ct);
        }

        return purged;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} raw webhook event(s) past the replay window")]
    private partial void LogPurged(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook inbox purge failed ({Error}); will try again")]
    private partial void LogFailed(string error);
}
