using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Features.Audit;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;
using Switchboard.Features.Identity;
using Switchboard.Features.Media;
using Switchboard.Features.Tenants;

namespace Switchboard.Features.Privacy;

/// <summary>
/// At start, after the schema upgrade and before any request or worker (ADR 0038): verifies the deletion ledger and
/// re-applies, in order and through the same erase code, every entry the database holds no effect of (it was
/// restored from a backup taken before them). Each entry is idempotent and marked applied in its own transaction.
/// </summary>
internal sealed partial class DeletionReplay(
    IDbContextFactory<SwitchboardDbContext> dbFactory, DeletionLedger ledger, ErasureSteps erasure, KeyRing keyRing, ChannelChanges channelChanges,
    BlobStore blobs, TimeProvider clock, ILogger<DeletionReplay> logger) : IStartupRepair
{
    public async Task RunAsync(CancellationToken ct)
    {
        Dictionary<long, string> applied;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            // The database first: every row it holds was committed after its entry reached the ledger.
            applied = await DeletionLedger.AppliedAsync(db, ct);
        }

        var entries = await ledger.ReadVerifiedAsync(ct);
        var bySequence = entries.ToDictionary(e => e.Sequence);
        foreach (var (sequence, mac) in applied.OrderBy(a => a.Key))
        {
            if (!bySequence.TryGetValue(sequence, out var entry) || entry.Mac != mac)
            {
                throw new StartupRefusedException(
                    $"The deletion ledger {ledger.Path} does not hold entry {sequence}, which this database recorded: the ledger was truncated, " +
                    "replaced, or belongs to another installation. Point Switchboard:DeletionLedgerPath at this installation's ledger (ADR 0038).");
            }
        }

        var pending = entries.Where(e => !applied.ContainsKey(e.Sequence)).ToList();
        foreach (var entry in pending)
        {
            await ApplyAsync(entry, ct);
        }

        if (pending.Count > 0)
        {
            LogReapplied(pending.Count, pending[0].Sequence, pending[^1].Sequence);
        }
    }

    private async Task ApplyAsync(DeletionLedgerEntry entry, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var record = entry.Record;
        var now = clock.GetUtcNow();
        if (record.Kind == DeletionKinds.TenantErased)
        {
            // The operator's crypto-erase, recording this entry instead of a new one; an erased or unknown tenant is just marked.
            if (await EraseTenant.EraseAsync(record.TenantId, new EraseTenant.Services(db, keyRing, channelChanges, blobs, clock, new Replayed(entry, now)), AuditActor.System, ct) is not null)
            {
                DeletionLedger.MarkApplied(db, entry, now);
                await db.SaveChangesAsync(ct);
            }

            return;
        }

        var afterCommit = new List<Func<Task>>();
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            var changed = await ApplyRowsAsync(db, entry, now, afterCommit, ct);
            if (changed)
            {
                await AuditLog.RecordAsync(db, record.TenantId, AuditActor.System, PrivacyAudit.DeletionReapplied, $"{record.Kind}:{entry.Sequence}", new { entry.Sequence, subjects = record.Subjects.Count }, now, ct);
            }

            DeletionLedger.MarkApplied(db, entry, now);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }

        await ErasureSteps.RunAfterCommitAsync(afterCommit);
    }

    /// <summary>Whether the restored database still held anything the entry removes.</summary>
    private async Task<bool> ApplyRowsAsync(SwitchboardDbContext db, DeletionLedgerEntry entry, DateTimeOffset now, List<Func<Task>> afterCommit, CancellationToken ct)
    {
        var (kind, tenantId, _, _) = entry.Record;
        var subjects = entry.Record.Subjects.ToList();
        var changed = false;
        switch (kind)
        {
            case DeletionKinds.ContactErased:
                foreach (var contact in await db.Contacts.IgnoreQueryFilters().Where(c => c.TenantId == tenantId && subjects.Contains(c.Id)).ToListAsync(ct))
                {
                    var (_, erased) = await ConversationLedger.EraseContactAsync(db, erasure.Directory, erasure.Steps, contact, ct);
                    afterCommit.AddRange(erased.AfterCommit);
                    changed = true;
                }

                break;
            case DeletionKinds.ConversationDeleted:
                foreach (var conversation in await db.Conversations.IgnoreQueryFilters().Where(c => c.TenantId == tenantId && subjects.Contains(c.Id)).ToListAsync(ct))
                {
                    var (_, deleted) = await ConversationLedger.DeleteConversationAsync(db, erasure.Steps, conversation, now, ct);
                    afterCommit.AddRange(deleted.AfterCommit);
                    changed = true;
                }

                break;
            case DeletionKinds.MessagesDeleted:
                var messages = await ConversationLedger.DeleteExpiredMessagesAsync(db, erasure.Steps, tenantId, subjects, ct);
                afterCommit.AddRange(messages.AfterCommit);
                changed = messages.MessageIds.Count > 0;
                break;
            case DeletionKinds.MediaPurged:
                changed = await db.MediaObjects.IgnoreQueryFilters().Where(o => o.TenantId == tenantId && subjects.Contains(o.Id)).ExecuteDeleteAsync(ct) > 0;
                afterCommit.Add(() => blobs.DeleteAsync(tenantId, subjects));
                break;
            case DeletionKinds.UserDeleted:
                foreach (var userId in subjects)
                {
                    if (await DeleteUser.HoldsAsync(db, tenantId, userId, ct))
                    {
                        await DeleteUser.RemoveAsync(db, tenantId, userId, now, ct);
                        changed = true;
                    }
                }

                break;
            default:
                throw new StartupRefusedException($"The deletion ledger {ledger.Path} holds entry {entry.Sequence} of a kind this version does not know ({kind}): run the version that wrote it.");
        }

        return changed;
    }

    /// <summary>Records a re-applied tenant erase as its original entry.</summary>
    private sealed class Replayed(DeletionLedgerEntry entry, DateTimeOffset now) : IDeletionRecorder
    {
        public async Task RecordAsync(SwitchboardDbContext db, DeletionRecord record, CancellationToken ct)
        {
            DeletionLedger.MarkApplied(db, entry, now);
            await db.SaveChangesAsync(ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-applied {Count} deletion(s) from the deletion ledger (entries {First}..{Last}) that the restored database predates")]
    private partial void LogReapplied(int count, long first, long last);
}
