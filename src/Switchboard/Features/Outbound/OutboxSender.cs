using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Outbound;

/// <summary>
/// Delivers the outbox, hosted by a <see cref="JobLoop"/> (ADR 0021). Each round leases a batch of due
/// items in one UPDATE, fair across numbers (each number's lane is topped up to a short paced backlog, whatever the age of other numbers' queues: see
/// <see cref="DueReplies"/>), and hands each item to <see cref="SendOutboxItem"/>
/// with a reserved slot. Replies to one customer go one at a time, so they keep their order. An item is
/// called only once it is committed as <see cref="OutboxState.Sending"/> (marked in batches just ahead of
/// the slots), and it stays Sending until its outcome is committed (both by the <see cref="SendJournal"/>). A send is retried only when it provably did not reach Meta or Meta asked
/// for a retry; an unknown outcome — a timeout, a dropped connection, or a node that died while an item was
/// Sending — is never resent automatically: the message is marked unknown for an agent to decide.
/// A node sends only for the numbers whose lease it holds (<see cref="NumberLeases"/>, ADR 0055).
/// </summary>
internal sealed partial class OutboxSender : JobLoop
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan LeaseMargin = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan RecoveryInterval = TimeSpan.FromSeconds(5);

    // A reply queued through another node wakes only that node; the number's holder finds it by polling.
    private static readonly TimeSpan HolderPollInterval = TimeSpan.FromMilliseconds(250);

    // A round reads the whole due queue, so rounds come at most this often; the lanes hold several rounds.
    private static readonly TimeSpan RoundInterval = TimeSpan.FromMilliseconds(40);

    // Each number's lane is topped up to this much paced work (at least twice the Sending mark's lead, so
    // that marks can be ahead of the slots), and only once it has fallen below half of it: numbers still
    // well fed are left out of a round's query, so its window goes to the others, and a burst of one
    // number cannot take the in-flight slots that the others need.
    private static readonly TimeSpan MinLaneBacklog = TimeSpan.FromMilliseconds(400);
    private readonly IDbContextFactory<SwitchboardDbContext> dbFactory;
    private readonly SendOutboxItem sendItem;
    private readonly SendJournal writer;
    private readonly SqliteWriteGate gate;
    private readonly Pacer pacer;
    private readonly NumberLeases leases;
    private readonly OutboxSignal signal;
    private readonly ChannelChanges channelChanges;
    private readonly IOptions<OutboundOptions> options;
    private readonly TimeProvider clock;
    private readonly ILogger<OutboxSender> logger;
    private readonly ConcurrentDictionary<Guid, byte> busyContacts = new();
    private SemaphoreSlim? inFlight;
    private DateTimeOffset lastRecovery = DateTimeOffset.MinValue;

    public OutboxSender(
        IDbContextFactory<SwitchboardDbContext> dbFactory,
        SendOutboxItem sendItem,
        SendJournal writer,
        SqliteWriteGate gate,
        Pacer pacer,
        NumberLeases leases,
        OutboxSignal signal,
        ChannelChanges channelChanges,
        MigrationState migrations,
        IOptions<OutboundOptions> options,
        TimeProvider clock,
        ILogger<OutboxSender> logger)
        : base(new JobSchedule("Outbox sender", PollInterval) { RoundInterval = RoundInterval }, signal.Signal, migrations, clock, logger)
    {
        this.dbFactory = dbFactory;
        this.sendItem = sendItem;
        this.writer = writer;
        this.gate = gate;
        this.pacer = pacer;
        this.leases = leases;
        this.signal = signal;
        this.channelChanges = channelChanges;
        this.options = options;
        this.clock = clock;
        this.logger = logger;
    }

    /// <summary>The delay before a send that did not reach Meta is tried again: base × 2^(n-1), capped at 5 minutes.</summary>
    internal static Backoff RetryBackoff(TimeSpan baseDelay) => new(baseDelay, 2, TimeSpan.FromMinutes(5));

    private TimeSpan LaneBacklog => TimeSpan.FromTicks(Math.Max(MinLaneBacklog.Ticks, 2 * options.Value.SendingMarkAhead.Ticks));

    public override void Dispose()
    {
        inFlight?.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        inFlight = new SemaphoreSlim(options.Value.MaxInFlight);
        channelChanges.Changed += _ => signal.Signal.Notify();
        return base.ExecuteAsync(stoppingToken);
    }

    /// <summary>
    /// Recovers abandoned sends now and then, then claims and dispatches a round. The sender has one loop, and
    /// it leases replies as the node's number-lease holder rather than as <paramref name="owner"/>, so that
    /// a reply's lease says which node's number lease it was taken under (ADR 0055).
    /// </summary>
    protected override async Task<int> RunRoundAsync(Guid owner, CancellationToken ct)
    {
        if (clock.GetUtcNow() - lastRecovery > RecoveryInterval)
        {
            await RecoverAbandonedAsync(ct);
            lastRecovery = clock.GetUtcNow();
        }

        return await ClaimAndDispatchAsync(leases.HolderId, ct);
    }

    /// <summary>While it holds numbers, the node looks for replies queued through other nodes at least this often.</summary>
    protected override Task<DateTimeOffset?> NextDueAsync(CancellationToken ct) =>
        Task.FromResult<DateTimeOffset?>(leases.HoldsAny ? clock.GetUtcNow() + HolderPollInterval : null);

    private async Task<int> ClaimAndDispatchAsync(Guid nodeId, CancellationToken ct)
    {
        var capacity = inFlight!.CurrentCount;
        if (capacity == 0)
        {
            // Every in-flight slot is taken: this round reads nothing, takes no number and so cannot take one over.
            LogNoCapacity();
            return 0;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var fed = pacer.ChannelsAhead(LaneBacklog / 2);
        if (fed.Count > 0)
        {
            LogFed(fed.Count);
        }

        var (due, channels, shares, takenOver) = await DueReplies.ReadAsync(db, pacer, leases, fed, LaneBacklog, capacity, now, ct);
        if (takenOver.Count > 0)
        {
            // The node that held these numbers left their calls behind: settle them before sending on its numbers.
            await RecoverAbandonedAsync(ct);
        }

        if (due.Count == 0)
        {
            LogNothingDue(capacity);
            return 0;
        }

        // Each number gets its share of its replies in queue order (the numbers that need work most first); a
        // customer with a reply in flight, or an earlier one in this round, waits for it.
        var picked = new List<OutboxItem>();
        var customers = new HashSet<Guid>();
        foreach (var item in due)
        {
            if (picked.Count >= capacity)
            {
                break;
            }

            if (shares[item.ChannelId] <= 0 || busyContacts.ContainsKey(item.ContactId) || !customers.Add(item.ContactId))
            {
                continue;
            }

            shares[item.ChannelId]--;
            picked.Add(item);
        }

        LogRound(capacity, shares.Count, due.Count, picked.Count);
        if (picked.Count == 0)
        {
            return 0;
        }

        var tenantIds = picked.Select(p => p.TenantId).Distinct().ToList();
        var contactIds = picked.Select(p => p.ContactId).Distinct().ToList();
        var contacts = await db.Contacts.AsNoTracking().IgnoreQueryFilters()
            .Where(c => EF.Parameter(tenantIds).Contains(c.TenantId) && EF.Parameter(contactIds).Contains(c.Id))
            .ToDictionaryAsync(c => c.Id, ct);

        var failed = new List<OutboxOutcome>();
        var postponed = new List<(OutboxItem Item, DateTimeOffset Until)>();
        var toLease = new List<OutboxItem>();
        foreach (var item in picked)
        {
            if (!channels.TryGetValue(item.ChannelId, out var channel) || channel.IsRevoked)
            {
                failed.Add(OutboxOutcome.Failed(item, "channel-revoked", null, null));
            }
            else if (!contacts.TryGetValue(item.ContactId, out var contact))
            {
                failed.Add(OutboxOutcome.Failed(item, "erased", null, null));
            }
            else if (!leases.MaySend(item.ChannelId))
            {
                continue;
            }
            else if (channel.Status == ChannelStatus.NeedsReauthorization)
            {
                postponed.Add((item, now + TimeSpan.FromSeconds(30)));
            }
            else if (contact.SendBackoffUntil > now)
            {
                postponed.Add((item, contact.SendBackoffUntil.Value));
            }
            else
            {
                toLease.Add(item);
            }
        }

        if (postponed.Count > 0)
        {
            using var turn = await gate.EnterAsync(db, ct);
            foreach (var group in postponed.GroupBy(p => p.Until))
            {
                var tenants = group.Select(p => p.Item.TenantId).Distinct().ToList();
                var ids = group.Select(p => p.Item.Id).ToList();

                // Only replies due for a while: a token rotation that committed after the channel was read made
                // its replies due again just now, and that must not be undone.
                var dueBefore = now - TimeSpan.FromSeconds(1);
                await db.OutboxItems
                    .Where(o => EF.Parameter(tenants).Contains(o.TenantId) && EF.Parameter(ids).Contains(o.Id) && o.State == OutboxState.Pending && o.NextAttemptAt <= dueBefore)
                    .ExecuteUpdateAsync(s => s.SetProperty(o => o.NextAttemptAt, group.Key), ct);
            }
        }

        var dispatched = await LeaseAndDispatchAsync(db, nodeId, toLease, channels, contacts, now, ct);

        // Not leased, so wait for these to be recorded before a later round could pick them again.
        await Task.WhenAll(failed.Select(writer.RecordAsync));
        return dispatched + failed.Count + postponed.Count;
    }

    private async Task<int> LeaseAndDispatchAsync(
        SwitchboardDbContext db, Guid nodeId, List<OutboxItem> toLease, Dictionary<Guid, Channel> channels, Dictionary<Guid, Contact> contacts, DateTimeOffset now, CancellationToken ct)
    {
        if (toLease.Count == 0)
        {
            return 0;
        }

        // One UPDATE leases the whole batch; the rows read back are those that are ours (another node may have won some).
        var tenants = toLease.Select(i => i.TenantId).Distinct().ToList();
        var ids = toLease.Select(i => i.Id).ToList();
        var leaseUntil = now + LaneBacklog + LeaseMargin;
        using (await gate.EnterAsync(db, ct))
        {
            await db.OutboxItems
            .Where(o => EF.Parameter(tenants).Contains(o.TenantId) && EF.Parameter(ids).Contains(o.Id) && o.State == OutboxState.Pending && (o.LeaseUntil == null || o.LeaseUntil < now || o.LeaseOwner != nodeId))
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.LeaseOwner, nodeId).SetProperty(o => o.LeaseUntil, leaseUntil), ct);
        }

        var leased = await db.OutboxItems.AsNoTracking()
            .Where(o => EF.Parameter(tenants).Contains(o.TenantId) && EF.Parameter(ids).Contains(o.Id) && o.State == OutboxState.Pending && o.LeaseOwner == nodeId)
            .ToDictionaryAsync(o => o.Id, ct);

        var dispatched = 0;
        foreach (var picked in toLease)
        {
            if (!leased.TryGetValue(picked.Id, out var item))
            {
                continue;
            }

            var channel = channels[item.ChannelId];
            var claimed = new ClaimedItem(item, channel, contacts[item.ContactId], pacer.Reserve(channel.Id, channel.MessagesPerSecond));
            busyContacts.TryAdd(item.ContactId, 0);
            await inFlight!.WaitAsync(ct);
            dispatched++;
            _ = Task.Run(
                async () =>
                {
                    try
                    {
                        await sendItem.HandleAsync(claimed, nodeId, ct);
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

    /// <summary>
    /// Items left in Sending by a node that died mid-call, or that lost the number (ADR 0055): past their
    /// lease, or on a number now held by another node or whose holder's lease lapsed a lease's length ago.
    /// Nobody knows if Meta got them. Each is recorded only if it is still Sending under that lease.
    /// </summary>
    private async Task RecoverAbandonedAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var lapsedBefore = now - options.Value.NumberLease;
        var abandoned = await db.OutboxItems.AsNoTracking().IgnoreQueryFilters()
            .Where(o => o.State == OutboxState.Sending
                && (o.LeaseUntil < now
                    || db.Set<NumberLease>().IgnoreQueryFilters().Any(l => l.TenantId == o.TenantId && l.ChannelId == o.ChannelId && (l.Holder != o.LeaseOwner || l.ExpiresAt < lapsedBefore))))
            .OrderBy(o => o.LeaseUntil)
            .Take(500)
            .Select(o => new OutboxItem { TenantId = o.TenantId, Id = o.Id, MessageId = o.MessageId, ChannelId = o.ChannelId, ContactId = o.ContactId, Attempts = o.Attempts, LeaseOwner = o.LeaseOwner })
            .ToListAsync(ct);
        foreach (var item in abandoned)
        {
            LogAbandoned(item.Id);
        }

        await Task.WhenAll(abandoned.Select(item => writer.RecordAsync(OutboxOutcome.Interrupted(item))));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox item {ItemId} was being sent when its node stopped: outcome unknown, not resent")]
    private partial void LogAbandoned(Guid itemId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Round: no room (every in-flight slot taken)")]
    private partial void LogNoCapacity();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Round: {Fed} number(s) left out as still well fed")]
    private partial void LogFed(int fed);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Round: room for {Capacity}; nothing due that this node may send")]
    private partial void LogNothingDue(int capacity);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Round: room for {Capacity}; {Numbers} number(s) read, {Due} due replies, {Picked} taken")]
    private partial void LogRound(int capacity, int numbers, int due, int picked);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox sender loop failed ({Error}); retrying")]
    private partial void LogLoopFailed(string error);
}
