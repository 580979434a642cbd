using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Channels;

namespace Switchboard.Features.Outbound;

/// <summary>
/// Delivers the outbox. Items are leased, paced per business number, sent one at a time per customer
/// (so replies keep their order), and marked <see cref="OutboxState.Sending"/> in a committed write
/// just before the call. A send is retried only when it provably did not reach Meta or Meta asked for
/// a retry; an unknown outcome — a timeout, a dropped connection, or a node that died while an item was
/// Sending — is never resent automatically: the message is marked unknown for an agent to decide.
/// </summary>
internal sealed partial class OutboxSender(
    IDbContextFactory<SwitchboardDbContext> dbFactory,
    SendOutboxItem sendItem,
    Pacer pacer,
    OutboxSignal signal,
    ChannelChanges channelChanges,
    MigrationState migrations,
    IOptions<OutboundOptions> options,
    TimeProvider clock,
    ILogger<OutboxSender> logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan LeaseMargin = TimeSpan.FromMinutes(1);

    // A number whose paced queue is already this far ahead gets no more work this round, so that the
    // in-flight slots go to the other numbers instead of waiting in one number's lane.
    private static readonly TimeSpan MaxLaneBacklog = TimeSpan.FromMilliseconds(250);
    private readonly Guid nodeId = Guid.NewGuid();
    private readonly ConcurrentDictionary<Guid, byte> busyContacts = new();
    private SemaphoreSlim? inFlight;

    public override void Dispose()
    {
        inFlight?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        inFlight = new SemaphoreSlim(options.Value.MaxInFlight);
        channelChanges.Changed += _ => signal.Signal.Notify();
        var lastRecovery = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            var claimed = 0;
            try
            {
                if (migrations.IsCurrent)
                {
                    if (clock.GetUtcNow() - lastRecovery > TimeSpan.FromSeconds(5))
                    {
                        await RecoverAbandonedAsync(stoppingToken);
                        lastRecovery = clock.GetUtcNow();
                    }

                    claimed = await ClaimAndDispatchAsync(stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogLoopFailed(SafeError.Describe(ex));
            }

            if (claimed == 0)
            {
                await signal.Signal.WaitAsync(PollInterval, stoppingToken);
            }
        }
    }

    private async Task<int> ClaimAndDispatchAsync(CancellationToken ct)
    {
        var capacity = inFlight!.CurrentCount;
        if (capacity == 0)
        {
            await Task.Delay(10, ct);
            return 0;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var due = await db.OutboxItems.AsNoTracking()
            .Where(o => o.State == OutboxState.Pending && o.NextAttemptAt <= now && (o.LeaseUntil == null || o.LeaseUntil < now))
            .OrderBy(o => o.CreatedAt)
            .Take(Math.Max(capacity * 16, 1024))
            .ToListAsync(ct);
        var dueChannelIds = due.Select(p => p.ChannelId).Distinct().ToList();
        var channels = await db.Channels.AsNoTracking().IgnoreQueryFilters().Where(c => dueChannelIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);

        // Fair across numbers: each number gets only as much as it can send within the backlog limit, so
        // one number's burst does not fill the in-flight slots while the others wait.
        var picked = new List<OutboxItem>();
        var pickedPerChannel = new Dictionary<Guid, int>();
        foreach (var item in due)
        {
            if (picked.Count >= capacity)
            {
                break;
            }

            var rate = channels.TryGetValue(item.ChannelId, out var c) ? c.MessagesPerSecond : Channel.DefaultMessagesPerSecond;
            var already = pickedPerChannel.GetValueOrDefault(item.ChannelId);
            var backlog = pacer.Backlog(item.ChannelId) + TimeSpan.FromSeconds(already / (double)Math.Max(1, rate));
            if (backlog > MaxLaneBacklog || busyContacts.ContainsKey(item.ContactId) || picked.Any(p => p.ContactId == item.ContactId))
            {
                continue;
            }

            picked.Add(item);
            pickedPerChannel[item.ChannelId] = already + 1;
        }

        if (picked.Count == 0)
        {
            return 0;
        }

        var contactIds = picked.Select(p => p.ContactId).Distinct().ToList();
        var backoffs = await db.Contacts.AsNoTracking().IgnoreQueryFilters()
            .Where(c => contactIds.Contains(c.Id) && c.SendBackoffUntil > now)
            .ToDictionaryAsync(c => c.Id, c => c.SendBackoffUntil!.Value, ct);

        var dispatched = 0;
        foreach (var item in picked)
        {
            if (!channels.TryGetValue(item.ChannelId, out var channel) || channel.IsRevoked)
            {
                await sendItem.FailAsync(item, "channel-revoked", null, null, ct);
                continue;
            }

            var postponeUntil = channel.Status == ChannelStatus.NeedsReauthorization ? now + TimeSpan.FromSeconds(30)
                : backoffs.TryGetValue(item.ContactId, out var until) ? until
                : (DateTimeOffset?)null;
            if (postponeUntil is { } later)
            {
                await db.OutboxItems.Where(o => o.TenantId == item.TenantId && o.Id == item.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(o => o.NextAttemptAt, later), ct);
                continue;
            }

            var wait = pacer.Reserve(channel.Id, channel.MessagesPerSecond);
            var leaseUntil = now + wait + LeaseMargin;
            var leased = await db.OutboxItems
                .Where(o => o.TenantId == item.TenantId && o.Id == item.Id && o.State == OutboxState.Pending && (o.LeaseUntil == null || o.LeaseUntil < now))
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.LeaseOwner, nodeId).SetProperty(o => o.LeaseUntil, leaseUntil), ct);
            if (leased == 0)
            {
                continue;
            }

            busyContacts.TryAdd(item.ContactId, 0);
            await inFlight.WaitAsync(ct);
            dispatched++;
            _ = Task.Run(
                async () =>
                {
                    try
                    {
                        await Task.Delay(wait, ct);
                        await sendItem.HandleAsync(item, channel, nodeId, ct);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        LogLoopFailed(SafeError.Describe(ex));
                    }
                    finally
                    {
                        busyContacts.TryRemove(item.ContactId, out _);
                        inFlight.Release();
                        signal.Signal.Notify();
                    }
                },
                CancellationToken.None);
        }

        return dispatched;
    }

    /// <summary>Items left in Sending by a node that died mid-call: nobody knows if Meta got them.</summary>
    private async Task RecoverAbandonedAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var abandoned = await db.OutboxItems.AsNoTracking()
            .Where(o => o.State == OutboxState.Sending && o.LeaseUntil < now)
            .OrderBy(o => o.LeaseUntil)
            .Take(500)
            .ToListAsync(ct);
        foreach (var item in abandoned)
        {
            LogAbandoned(item.Id);
            await sendItem.MarkUnknownAsync(item, "interrupted", ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox item {ItemId} was being sent when its node stopped: outcome unknown, not resent")]
    private partial void LogAbandoned(Guid itemId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox sender loop failed ({Error}); retrying")]
    private partial void LogLoopFailed(string error);
}
