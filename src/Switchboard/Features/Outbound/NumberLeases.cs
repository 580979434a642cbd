using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;

namespace Switchboard.Features.Outbound;

/// <summary>
/// This node's leases on business numbers (ADR 0055): the sender calls Meta for a number only while it
/// holds the number's lease, so one node at a time paces each number. The sender's rounds take numbers that
/// have due replies and are free or lapsed; this service renews the held ones every 30 % of the lease and,
/// on a clean stop, lets them lapse shortly so that another node takes over at once.
/// A node may start a call only until <see cref="StopBeforeExpiry"/> before its lease could have lapsed on
/// its own clock, and the next holder takes the number only once it lapsed on the database's: between the
/// last call of one node and the first of the next there is always that gap, more than Meta's one-second window.
/// </summary>
internal sealed partial class NumberLeases(
    IDbContextFactory<SwitchboardDbContext> dbFactory,
    SqliteWriteGate gate,
    MigrationState migrations,
    IOptions<OutboundOptions> options,
    TimeProvider clock,
    ILogger<NumberLeases> logger) : BackgroundService
{
    /// <summary>Meta's one-second window, a call's 250 ms on the way (ADR 0016), and a margin.</summary>
    public static readonly TimeSpan StopBeforeExpiry = TimeSpan.FromSeconds(1.5);

    /// <summary>
    /// A number taken over from another node is not called for until this much later: the gap of <see cref="StopBeforeExpiry"/>
    /// assumes the old holder's last call reached Meta soon after it started, which a stalled process (a starved CPU,
    /// a long GC pause) may not do (ADR 0059).
    /// </summary>
    public static readonly TimeSpan TakeoverPause = TimeSpan.FromSeconds(1);

    /// <summary>A number found held by another node is not asked for again sooner than this.</summary>
    private static readonly TimeSpan RetryTake = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<Guid, Hold> held = new();
    private readonly ConcurrentDictionary<Guid, long> notBefore = new();
    private volatile bool stopping;

    /// <summary>This run of the process: the holder of its number leases and the owner of its outbox leases.</summary>
    public Guid HolderId { get; } = Guid.CreateVersion7();

    public string Node { get; } = NodeName();

    private TimeSpan Lease => options.Value.NumberLease < TimeSpan.FromSeconds(3) ? TimeSpan.FromSeconds(3) : options.Value.NumberLease;

    /// <summary>Whether this node holds any number (and so polls for replies queued through other nodes).</summary>
    public bool HoldsAny => !held.IsEmpty;

    /// <summary>True while this node holds the number's lease with time to spare: a call may start now.</summary>
    public bool MaySend(Guid channelId)
    {
        if (stopping || !held.TryGetValue(channelId, out var hold))
        {
            return false;
        }

        var now = clock.GetTimestamp();
        return now >= hold.SendFrom && now < hold.SendUntil;
    }

    /// <summary>
    /// Takes those of the numbers (with due replies) that this node may not send for yet and that are free or
    /// lapsed; a number found held elsewhere is asked for again after a second. Returns the numbers taken
    /// over from another node, whose unfinished sends that node left behind.
    /// </summary>
    public async Task<List<Guid>> TakeAsync(IEnumerable<(Guid TenantId, Guid ChannelId)> numbers, CancellationToken ct)
    {
        var now = clock.GetTimestamp();
        if (stopping)
        {
            return [];
        }

        var wanted = numbers.Where(n => !MaySend(n.ChannelId) && (!notBefore.TryGetValue(n.ChannelId, out var at) || at <= now))
            .DistinctBy(n => n.ChannelId).OrderBy(n => n.ChannelId).ToList();
        if (wanted.Count == 0)
        {
            return [];
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var taken = await NumberLeaseStatements.TakeAsync(db, gate, wanted, HolderId, Node, Lease, clock.GetUtcNow(), ct);
        var until = SendUntil(now);
        foreach (var number in taken)
        {
            var tenantId = wanted.First(w => w.ChannelId == number.ChannelId).TenantId;
            var from = number.Previous is null ? 0 : clock.GetTimestamp() + (long)(TakeoverPause.TotalSeconds * clock.TimestampFrequency);
            held.AddOrUpdate(
                number.ChannelId,
                new Hold(tenantId, until, from),
                (_, old) => old with { SendUntil = Math.Max(old.SendUntil, until), SendFrom = Math.Max(old.SendFrom, from) });
            notBefore.TryRemove(number.ChannelId, out _);
            if (number.Previous is { } previous)
            {
                LogTakenOver(number.ChannelId, previous);
            }
        }

        LogTake(wanted.Count, taken.Count);
        var retryAt = now + (long)(RetryTake.TotalSeconds * clock.TimestampFrequency);
        foreach (var number in wanted.Where(w => !taken.Any(t => t.ChannelId == w.ChannelId)))
        {
            notBefore[number.ChannelId] = retryAt;
        }

        return [.. taken.Where(t => t.Previous is not null).Select(t => t.ChannelId)];
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = Lease * 0.3;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, clock, stoppingToken);
                if (migrations.IsCurrent)
                {
                    await RenewAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The leases run out on their own: this node stops sending for them before anyone else starts.
                LogRenewFailed(SafeError.Describe(ex));
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        stopping = true;
        held.Clear();
        await base.StopAsync(cancellationToken);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await NumberLeaseStatements.ReleaseAsync(db, gate, HolderId, StopBeforeExpiry, clock.GetUtcNow(), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRenewFailed(SafeError.Describe(ex));
        }
    }

    internal async Task RenewAsync(CancellationToken ct)
    {
        // A number taken while this renewal runs is not in the snapshot, and one lost here is dropped only if
        // its entry is still the one renewed, so a renewal never undoes a take that happened meanwhile.
        var snapshot = held.ToArray();
        if (snapshot.Length == 0)
        {
            return;
        }

        var now = clock.GetTimestamp();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var renewed = await NumberLeaseStatements.RenewAsync(db, gate, [.. snapshot.Select(s => (s.Value.TenantId, s.Key))], HolderId, Lease, clock.GetUtcNow(), ct);
        var until = SendUntil(now);
        foreach (var entry in snapshot)
        {
            if (renewed.Contains(entry.Key))
            {
                held.TryUpdate(entry.Key, entry.Value with { SendUntil = Math.Max(entry.Value.SendUntil, until) }, entry.Value);
            }
            else if (held.TryRemove(entry))
            {
                LogLost(entry.Key);
            }
        }
    }

    /// <summary>Measured from before the statement ran, so it is never later on this node's clock than the lapse is on the database's.</summary>
    private long SendUntil(long askedAt) => askedAt + (long)((Lease - StopBeforeExpiry).TotalSeconds * clock.TimestampFrequency);

    private static string NodeName()
    {
        var name = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
        return name.Length <= 64 ? name : name[^64..];
    }

    /// <summary>A held number: calls may start from <paramref name="SendFrom"/> (after a takeover) until <paramref name="SendUntil"/> (timestamps).</summary>
    private sealed record Hold(Guid TenantId, long SendUntil, long SendFrom);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Asked for {Wanted} number(s), took {Taken}")]
    private partial void LogTake(int wanted, int taken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Took over number {ChannelId} from node {Previous}, whose lease lapsed")]
    private partial void LogTakenOver(Guid channelId, Guid previous);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the lease on number {ChannelId}; this node no longer sends for it")]
    private partial void LogLost(Guid channelId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing number leases failed ({Error}); sending stops for numbers whose leases run low")]
    private partial void LogRenewFailed(string error);
}
