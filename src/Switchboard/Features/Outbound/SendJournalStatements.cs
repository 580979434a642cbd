using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Outbound;

/// <summary>The statements behind <see cref="SendJournal"/>: each writes a whole batch inside the caller's transaction.</summary>
internal static class SendJournalStatements
{
    /// <summary>
    /// Marks the items Sending (counting the attempt) where they are still Pending and leased by this node,
    /// and returns the ids that were marked: only those may be called.
    /// </summary>
    public static async Task<HashSet<Guid>> MarkSendingAsync(SwitchboardDbContext db, List<OutboxItem> items, Guid nodeId, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        var tenants = items.Select(i => i.TenantId).Distinct().ToList();
        var ids = items.Select(i => i.Id).ToList();
        var count = await db.OutboxItems
            .Where(o => EF.Parameter(tenants).Contains(o.TenantId) && EF.Parameter(ids).Contains(o.Id) && o.State == OutboxState.Pending && o.LeaseOwner == nodeId)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.State, OutboxState.Sending).SetProperty(o => o.Attempts, o => o.Attempts + 1).SetProperty(o => o.LeaseUntil, leaseUntil), ct);
        if (count == ids.Count)
        {
            return [.. ids];
        }

        // Fewer rows than asked (a lease lost to another node): only those that are ours and Sending now.
        return [.. await db.OutboxItems.Where(o => EF.Parameter(tenants).Contains(o.TenantId) && EF.Parameter(ids).Contains(o.Id) && o.State == OutboxState.Sending && o.LeaseOwner == nodeId).Select(o => o.Id).ToListAsync(ct)];
    }

    /// <summary>
    /// Records outcomes: the outbox rows (all accepted ones in one statement), backoffs and paused numbers,
    /// and, through the <see cref="ConversationLedger"/>, what they did to their messages.
    /// </summary>
    public static async Task RecordAsync(SwitchboardDbContext db, List<OutboxOutcome> outcomes, DateTimeOffset now, CancellationToken ct)
    {
        var accepted = outcomes.Where(o => o.State == OutboxState.Done).Select(o => o.Item).ToList();
        if (accepted.Count > 0)
        {
            var tenants = accepted.Select(i => i.TenantId).Distinct().ToList();
            var ids = accepted.Select(i => i.Id).ToList();
            await db.OutboxItems.Where(o => EF.Parameter(tenants).Contains(o.TenantId) && EF.Parameter(ids).Contains(o.Id))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(o => o.State, OutboxState.Done)
                    .SetProperty(o => o.LastError, (string?)null)
                    .SetProperty(o => o.CompletedAt, now)
                    .SetProperty(o => o.LeaseOwner, (Guid?)null)
                    .SetProperty(o => o.LeaseUntil, (DateTimeOffset?)null), ct);

            await WriteCalledAtAsync(db, [.. outcomes.Where(o => o.State == OutboxState.Done && o.CalledAt is not null)], ct);

            // A reply got through, so the customer's pair-limit backoff starts over.
            await ConversationLedger.ResetSendBackoffAsync(db, tenants, [.. accepted.Select(i => i.ContactId).Distinct()], ct);
        }

        var recorded = outcomes.Where(o => o.State == OutboxState.Done).ToList();
        foreach (var outcome in outcomes.Where(o => o.State != OutboxState.Done))
        {
            if (await RecordOneAsync(db, outcome, now, ct))
            {
                recorded.Add(outcome);
            }
        }

        var finished = recorded.Where(o => o.State != OutboxState.Pending && o.Item.MessageId is not null)
            .Select(o => new SendOutcome(o.Item.TenantId, o.Item.MessageId!.Value, o.Wamid, o.MessageState, o.ErrorCode, o.ErrorTitle))
            .ToList();
        await ConversationLedger.ApplySendOutcomesAsync(db, finished, now, ct);
    }

    /// <summary>
    /// Each accepted call's start (<see cref="OutboxItem.CalledAt"/>): on PostgreSQL one <c>UPDATE … FROM unnest(…)</c> for the batch,
    /// on SQLite (in-process, no round trips) a statement per row.
    /// </summary>
    private static async Task WriteCalledAtAsync(SwitchboardDbContext db, List<OutboxOutcome> called, CancellationToken ct)
    {
        if (called.Count == 0)
        {
            return;
        }

        if (db.IsSqlite)
        {
            foreach (var outcome in called)
            {
                var (tenantId, id, at) = (outcome.Item.TenantId, outcome.Item.Id, outcome.CalledAt);
                await db.OutboxItems.Where(o => o.TenantId == tenantId && o.Id == id).ExecuteUpdateAsync(s => s.SetProperty(o => o.CalledAt, at), ct);
            }

            return;
        }

        var tenants = called.Select(o => o.Item.TenantId).ToArray();
        var ids = called.Select(o => o.Item.Id).ToArray();
        var times = called.Select(o => o.CalledAt!.Value.ToUniversalTime()).ToArray();
        await db.Database.ExecuteSqlAsync(
            $"""
            UPDATE "OutboxItems" AS o SET "CalledAt" = v.called_at
            FROM unnest({tenants}, {ids}, {times}) AS v(tenant_id, id, called_at)
            WHERE o."TenantId" = v.tenant_id AND o."Id" = v.id
            """,
            ct);
    }

    /// <summary>Records one outcome; false when it no longer applies (an interrupted item that was recorded meanwhile).</summary>
    private static async Task<bool> RecordOneAsync(SwitchboardDbContext db, OutboxOutcome outcome, DateTimeOffset now, CancellationToken ct)
    {
        var item = outcome.Item;
        var row = db.OutboxItems.Where(o => o.TenantId == item.TenantId && o.Id == item.Id);
        if (outcome.OnlyIfStillSending)
        {
            row = row.Where(o => o.State == OutboxState.Sending && o.LeaseOwner == item.LeaseOwner);
        }

        if (outcome.OnlyIfLeasedBy is { } owner)
        {
            row = row.Where(o => (o.State == OutboxState.Pending || o.State == OutboxState.Sending) && o.LeaseOwner == owner);
        }

        // An outcome without a call (released before it, for example) keeps the start of the last call there was.
        var calledAt = outcome.CalledAt;
        if (outcome.State != OutboxState.Pending)
        {
            return await row.ExecuteUpdateAsync(s => s
                .SetProperty(o => o.State, outcome.State)
                .SetProperty(o => o.LastError, outcome.Reason)
                .SetProperty(o => o.CompletedAt, now)
                .SetProperty(o => o.CalledAt, o => calledAt ?? o.CalledAt)
                .SetProperty(o => o.LeaseOwner, (Guid?)null)
                .SetProperty(o => o.LeaseUntil, (DateTimeOffset?)null), ct) > 0;
        }

        var retryAt = outcome.RetryAt ?? now;
        var counted = outcome.CountAttempt ? 1 : 0;
        var released = await row.ExecuteUpdateAsync(s => s
            .SetProperty(o => o.State, OutboxState.Pending)
            .SetProperty(o => o.NextAttemptAt, retryAt)
            .SetProperty(o => o.LastError, outcome.Reason)
            .SetProperty(o => o.Attempts, o => o.Attempts + counted)
            .SetProperty(o => o.CalledAt, o => calledAt ?? o.CalledAt)
            .SetProperty(o => o.LeaseOwner, (Guid?)null)
            .SetProperty(o => o.LeaseUntil, (DateTimeOffset?)null), ct);
        if (released == 0 && outcome.OnlyIfLeasedBy is not null)
        {
            return false;
        }

        if (outcome.BackOffContact)
        {
            await ConversationLedger.BackOffSendsAsync(db, item.TenantId, item.ContactId, retryAt, ct);
        }

        if (outcome.PauseChannel)
        {
            // The token is no good: pause the whole number until someone rotates it; its replies stay queued.
            await db.Channels.Where(c => c.TenantId == item.TenantId && c.Id == item.ChannelId && c.Status == ChannelStatus.Active)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ChannelStatus.NeedsReauthorization).SetProperty(c => c.UpdatedAt, now), ct);
        }

        return true;
    }
}
