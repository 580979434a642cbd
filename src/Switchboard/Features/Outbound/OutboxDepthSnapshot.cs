using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Telemetry;
using Switchboard.Common.Web;
using Switchboard.Features.Channels;

namespace Switchboard.Features.Outbound;

/// <summary>
/// Counts the outbox per business number every few seconds for <c>switchboard.outbox.depth</c>, so a
/// scrape never queries the database (ADR 0036). Runs only when metrics are on. A number that drained
/// is reported once at zero, then dropped.
/// </summary>
internal sealed partial class OutboxDepthSnapshot(
    IDbContextFactory<SwitchboardDbContext> dbFactory, MigrationState migrations, ILogger<OutboxDepthSnapshot> logger) : BackgroundService
{
    internal static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private HashSet<string> previous = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            if (!migrations.IsCurrent)
            {
                continue;
            }

            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogRefreshFailed(SafeError.Describe(ex));
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    internal async Task RefreshAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);

        // Platform-wide on purpose: the operator's view of every number (the index on State leads).
        var counts = await db.OutboxItems.IgnoreQueryFilters()
            .Where(o => o.State == OutboxState.Pending || o.State == OutboxState.Sending)
            .GroupBy(o => o.ChannelId)
            .Select(g => new { ChannelId = g.Key, Count = g.LongCount() })
            .ToListAsync(ct);
        var ids = counts.ConvertAll(c => c.ChannelId);
        var numbers = await db.Channels.IgnoreQueryFilters()
            .Where(c => ids.Contains(c.Id))
            .Select(c => new { c.Id, c.PhoneNumberId })
            .ToDictionaryAsync(c => c.Id, c => c.PhoneNumberId, ct);

        var depth = new Dictionary<string, long>();
        foreach (var c in counts)
        {
            if (numbers.TryGetValue(c.ChannelId, out var number))
            {
                depth[number] = depth.GetValueOrDefault(number) + c.Count;
            }
        }

        var measurements = new List<Measurement<long>>(depth.Count + previous.Count);
        foreach (var (number, count) in depth)
        {
            measurements.Add(new Measurement<long>(count, new KeyValuePair<string, object?>("phone_number_id", number)));
        }

        foreach (var number in previous.Where(n => !depth.ContainsKey(n)))
        {
            measurements.Add(new Measurement<long>(0, new KeyValuePair<string, object?>("phone_number_id", number)));
        }

        previous = [.. depth.Keys];
        SwitchboardTelemetry.SetOutboxDepth([.. measurements]);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Outbox depth snapshot failed ({Error}); trying again shortly")]
    private partial void LogRefreshFailed(string error);
}
