using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Persistence;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;
using Switchboard.Features.Identity;
using Switchboard.Features.Media;
using Switchboard.Features.Webhooks;

namespace Switchboard.Features.Privacy;

/// <summary>
/// Applies a tenant's retention schedule once (ADR 0032): per class, the oldest rows past their cutoff go in
/// batches, each batch in its own transaction and through the existing deletion paths (the ledger's message
/// deletion, the contact crypto-erase); legally held contacts and conversations are skipped, minors get their
/// shorter schedule. The run is recorded with its counts, and audited, in one transaction.
/// </summary>
internal sealed class RetentionEnforcer(
    IDbContextFactory<SwitchboardDbContext> dbFactory, ErasureSteps erasure, BlobStore blobs, MinimalMessages minimal, IOptions<RetentionOptions> options, TimeProvider clock)
{
    public async Task<RetentionRun> RunAsync(Guid tenantId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var policy = await db.RetentionPolicies.AsNoTracking().FirstOrDefaultAsync(p => p.TenantId == tenantId, ct);
        var days = RetentionSchedule.Effective(RetentionSchedule.Of(policy), options.Value);
        DateTimeOffset? Cut(int? d) => d is { } value ? now - TimeSpan.FromDays(value) : null;
        var scope = new Scope(db, tenantId, options.Value.BatchSize);

        var run = new RetentionRun { TenantId = tenantId, Id = Guid.CreateVersion7(now), StartedAt = now };
        run.Media = await MediaAsync(scope, Cut(days.Media), minorsOnly: false, ct) + await MediaAsync(scope, Cut(days.Minors), minorsOnly: true, ct);
        run.Messages = await MessagesAsync(scope, Cut(days.Messages), minorsOnly: false, ct) + await MessagesAsync(scope, Cut(days.Minors), minorsOnly: true, ct);
        run.Contacts = await ContactsAsync(scope, Cut(days.InactiveContacts), minorsOnly: false, ct) + await ContactsAsync(scope, Cut(days.Minors), minorsOnly: true, ct);
        run.RawEvents = await RawEventsAsync(scope, Cut(days.RawEvents), ct);
        run.Exports = await ExportsAsync(scope, Cut(days.Exports), ct);
        run.Sessions = await SessionsAsync(scope, Cut(days.Sessions), ct);
        run.AuditEntries = await AuditAsync(scope, Cut(days.Audit), ct);
        var (droppedEvents, trimmedMessages) = await MinimiseAsync(scope, ct);
        run.RawEvents += droppedEvents;

        db.ChangeTracker.Clear();
        run.CompletedAt = clock.GetUtcNow();
        db.RetentionRuns.Add(run);
        var counts = new { run.Messages, run.Media, run.Contacts, run.RawEvents, run.AuditEntries, run.Exports, run.Sessions, trimmedMessages };
        await AuditLog.RecordAsync(db, tenantId, AuditActor.System, PrivacyAudit.RetentionRun, $"retention_run:{run.Id}", counts, run.CompletedAt, ct);
        return run;
    }

    private sealed record Scope(SwitchboardDbContext Db, Guid TenantId, int Batch)
    {
        public IQueryable<Guid> HeldContacts => Db.LegalHolds.Where(h => h.TenantId == TenantId && h.Kind == LegalHold.ContactKind).Select(h => h.TargetId);

        public IQueryable<Guid> HeldConversations => Db.LegalHolds.Where(h => h.TenantId == TenantId && h.Kind == LegalHold.ConversationKind).Select(h => h.TargetId);

        public IQueryable<Guid> Minors => Db.ContactPrivacy.Where(p => p.TenantId == TenantId && p.Minor).Select(p => p.ContactId);

        /// <summary>The tenant's messages older than the cutoff (Meta's time), not held, of minors only when asked.</summary>
        public IQueryable<Message> ExpiredMessages(DateTimeOffset cut, bool minorsOnly)
        {
            var (held, heldConversations, minors) = (HeldContacts, HeldConversations, Minors);
            var query = Db.Messages.Where(m => m.TenantId == TenantId && m.Timestamp < cut && !held.Contains(m.ContactId) && !heldConversations.Contains(m.ConversationId));
            return minorsOnly ? query.Where(m => minors.Contains(m.ContactId)) : query;
        }
    }

    private async Task<int> MediaAsync(Scope s, DateTimeOffset? cut, bool minorsOnly, CancellationToken ct)
    {
        if (cut is not { } before)
        {
            return 0;
        }

        var total = 0;
        while (true)
        {
            var expired = s.ExpiredMessages(before, minorsOnly).Select(m => m.Id);
            var ids = await s.Db.MediaObjects.Where(o => o.TenantId == s.TenantId && expired.Contains(o.MessageId))
                .OrderBy(o => o.Id).Select(o => o.Id).Take(s.Batch).ToListAsync(ct);
            if (ids.Count == 0)
            {
                return total;
            }

            await using (var transaction = await s.Db.Database.BeginTransactionAsync(ct))
            {
                total += await s.Db.MediaObjects.Where(o => o.TenantId == s.TenantId && EF.Parameter(ids).Contains(o.Id)).ExecuteDeleteAsync(ct);
                await erasure.Ledger.RecordAsync(s.Db, new DeletionRecord(DeletionKinds.MediaPurged, s.TenantId, ids, []), ct);
                await transaction.CommitAsync(ct);
            }

            await blobs.DeleteAsync(s.TenantId, ids);
            if (ids.Count < s.Batch)
            {
                return total;
            }
        }
    }

    private async Task<int> MessagesAsync(Scope s, DateTimeOffset? cut, bool minorsOnly, CancellationToken ct)
    {
        if (cut is not { } before)
        {
            return 0;
        }

        var total = 0;
        while (true)
        {
            s.Db.ChangeTracker.Clear();
            var ids = await s.ExpiredMessages(before, minorsOnly).OrderBy(m => m.Timestamp).Select(m => m.Id).Take(s.Batch).ToListAsync(ct);
            if (ids.Count == 0)
            {
                return total;
            }

            await using (var transaction = await s.Db.Database.BeginTransactionAsync(ct))
            {
                var deleted = await ConversationLedger.DeleteExpiredMessagesAsync(s.Db, erasure.Steps, s.TenantId, ids, ct);
                await s.Db.SaveChangesAsync(ct);
                await erasure.Ledger.RecordAsync(s.Db, new DeletionRecord(DeletionKinds.MessagesDeleted, s.TenantId, deleted.MessageIds, []), ct);
                await transaction.CommitAsync(ct);
                await ErasureSteps.RunAfterCommitAsync(deleted.AfterCommit);
                total += deleted.MessageIds.Count;
            }

            if (ids.Count < s.Batch)
            {
                return total;
            }
        }
    }

    /// <summary>Contacts with no message and no change since the cutoff are crypto-erased, one by one, as an admin's erase would.</summary>
    private async Task<int> ContactsAsync(Scope s, DateTimeOffset? cut, bool minorsOnly, CancellationToken ct)
    {
        if (cut is not { } before)
        {
            return 0;
        }

        var (db, tenantId) = (s.Db, s.TenantId);
        var (held, heldConversations, minors) = (s.HeldContacts, s.HeldConversations, s.Minors);
        var conversations = db.Conversations;
        var inactive = db.Contacts.Where(c => c.TenantId == tenantId && c.DataKey != null && c.UpdatedAt < before && !held.Contains(c.Id)
            && !conversations.Any(v => v.TenantId == tenantId && v.ContactId == c.Id && ((v.LastMessageAt ?? v.CreatedAt) >= before || heldConversations.Contains(v.Id))));
        if (minorsOnly)
        {
            inactive = inactive.Where(c => minors.Contains(c.Id));
        }

        var total = 0;
        while (true)
        {
            db.ChangeTracker.Clear();
            var ids = await inactive.OrderBy(c => c.Id).Select(c => c.Id).Take(s.Batch).ToListAsync(ct);
            foreach (var id in ids)
            {
                db.ChangeTracker.Clear();
                total += await EraseContact.EraseAsync(tenantId, id, db, erasure, AuditActor.System, clock, ct) is null ? 1 : 0;
            }

            if (ids.Count < s.Batch)
            {
                return total;
            }
        }
    }

    /// <summary>Raw webhook bodies already processed (or quarantined) and older than the cutoff; pending ones wait for the processor.</summary>
    private static async Task<int> RawEventsAsync(Scope s, DateTimeOffset? cut, CancellationToken ct)
    {
        if (cut is not { } before)
        {
            return 0;
        }

        return await BatchesAsync(s, async () =>
        {
            var ids = await s.Db.WebhookEvents.Where(e => e.TenantId == s.TenantId && e.State != WebhookEventState.Pending && e.ReceivedAt < before)
                .OrderBy(e => e.Id).Select(e => e.Id).Take(s.Batch).ToListAsync(ct);
            return ids.Count == 0 ? 0 : await s.Db.WebhookEvents.Where(e => EF.Parameter(ids).Contains(e.Id)).ExecuteDeleteAsync(ct);
        });
    }

    /// <summary>Finished exports older than the cutoff, files included; a held contact's own exports stay.</summary>
    private async Task<int> ExportsAsync(Scope s, DateTimeOffset? cut, CancellationToken ct)
    {
        if (cut is not { } before)
        {
            return 0;
        }

        var held = s.HeldContacts;
        return await BatchesAsync(s, async () =>
        {
            var ids = await s.Db.Exports.Where(e => e.TenantId == s.TenantId && e.State != ExportState.Running && e.CreatedAt < before
                    && !(e.ContactId != null && held.Contains(e.ContactId.Value)))
                .OrderBy(e => e.Id).Select(e => e.Id).Take(s.Batch).ToListAsync(ct);
            var deleted = ids.Count == 0 ? 0 : await s.Db.Exports.Where(e => e.TenantId == s.TenantId && EF.Parameter(ids).Contains(e.Id)).ExecuteDeleteAsync(ct);
            await blobs.DeleteAsync(s.TenantId, ids);
            return deleted;
        });
    }

    /// <summary>Records of ended access: tokens revoked or expired before the cutoff (dashboard sessions are cookies, not stored).</summary>
    private static async Task<int> SessionsAsync(Scope s, DateTimeOffset? cut, CancellationToken ct)
    {
        if (cut is not { } before)
        {
            return 0;
        }

        return await BatchesAsync(s, async () =>
        {
            var ids = await s.Db.ApiTokens.Where(k => k.TenantId == s.TenantId && ((k.RevokedAt != null && k.RevokedAt < before) || (k.ExpiresAt != null && k.ExpiresAt < before)))
                .OrderBy(k => k.Id).Select(k => k.Id).Take(s.Batch).ToListAsync(ct);
            return ids.Count == 0 ? 0 : await s.Db.ApiTokens.Where(k => k.TenantId == s.TenantId && EF.Parameter(ids).Contains(k.Id)).ExecuteDeleteAsync(ct);
        });
    }

    /// <summary>The oldest audit entries, with the chain's checkpoint moved in the same transaction so the rest still verifies.</summary>
    private static async Task<int> AuditAsync(Scope s, DateTimeOffset? cut, CancellationToken ct)
    {
        if (cut is not { } before)
        {
            return 0;
        }

        return await BatchesAsync(s, async () =>
        {
            await using var transaction = await s.Db.Database.BeginTransactionAsync(ct);
            var removed = await AuditLog.PruneAsync(s.Db, s.TenantId, before, s.Batch, ct);
            await transaction.CommitAsync(ct);
            return removed;
        });
    }

    /// <summary>
    /// A tenant with minimal messages (ADR 0051): its processed raw events kept from before the setting go whatever their age,
    /// and once after the setting was turned on, its inbound messages stored whole are trimmed to the minimum (in id order, in
    /// batches; messages under legal hold are left as they are).
    /// </summary>
    private async Task<(int DroppedEvents, int TrimmedMessages)> MinimiseAsync(Scope s, CancellationToken ct)
    {
        var tenant = await s.Db.Tenants.AsNoTracking().Where(t => t.Id == s.TenantId && t.MinimalMessages).Select(t => new { t.MinimalTrimPending }).FirstOrDefaultAsync(ct);
        if (tenant is null)
        {
            return (0, 0);
        }

        var dropped = await s.Db.WebhookEvents.Where(e => e.TenantId == s.TenantId && e.State == WebhookEventState.Processed).ExecuteDeleteAsync(ct);
        if (!tenant.MinimalTrimPending)
        {
            return (dropped, 0);
        }

        var (held, heldConversations) = (s.HeldContacts, s.HeldConversations);
        var trimmed = 0;
        Guid? after = null;
        while (true)
        {
            var query = s.Db.Messages.Where(m => m.TenantId == s.TenantId && m.Direction == MessageDirection.Inbound
                && !held.Contains(m.ContactId) && !heldConversations.Contains(m.ConversationId));
            if (after is { } last)
            {
                query = query.Where(m => m.Id.CompareTo(last) > 0);
            }

            var ids = await query.OrderBy(m => m.Id).Select(m => m.Id).Take(s.Batch).ToListAsync(ct);
            if (ids.Count == 0)
            {
                break;
            }

            trimmed += await minimal.TrimStoredAsync(s.Db, s.TenantId, ids, ct);
            after = ids[^1];
        }

        // Turned off meanwhile: the next time it is turned on, the pass runs again.
        await s.Db.Tenants.Where(t => t.Id == s.TenantId && t.MinimalMessages).ExecuteUpdateAsync(u => u.SetProperty(t => t.MinimalTrimPending, false), ct);
        return (dropped, trimmed);
    }

    private static async Task<int> BatchesAsync(Scope s, Func<Task<int>> batch)
    {
        var total = 0;
        while (true)
        {
            var removed = await batch();
            total += removed;
            if (removed < s.Batch)
            {
                return total;
            }
        }
    }
}
