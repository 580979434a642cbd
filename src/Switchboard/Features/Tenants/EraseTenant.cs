using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Tenancy;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Channels;
using Switchboard.Features.Identity;
using Switchboard.Features.Media;
using Switchboard.Features.Webhooks;

namespace Switchboard.Features.Tenants;

/// <summary>
/// Crypto-erases a tenant (operator only): every key of the tenant is destroyed, so everything sealed
/// for it — credentials, contacts, messages, raw events, in this database and in its backups — can no
/// longer be opened. Its tokens stop working and its numbers are released for another tenant.
/// </summary>
internal static class EraseTenant
{
    /// <summary>What erasing a tenant needs; the endpoint takes it with <c>[AsParameters]</c>.</summary>
    public readonly record struct Services(SwitchboardDbContext Db, KeyRing KeyRing, ChannelChanges ChannelChanges, BlobStore Blobs, TimeProvider Clock, IDeletionRecorder Ledger);

    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(Guid tenantId, [AsParameters] Services services, HttpContext http, CancellationToken ct) =>
        await EraseAsync(tenantId, services, AuditActor.From(http), ct) is { } failure ? failure.ToProblem() : TypedResults.NoContent();

    /// <summary>Null when erased, otherwise why not (an erased or unknown tenant is not found).</summary>
    public static async Task<Failure?> EraseAsync(Guid tenantId, Services services, AuditActor actor, CancellationToken ct)
    {
        var (db, keyRing, channelChanges, blobs, clock, ledger) = services;
        var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.Id == tenantId && t.Status == TenantStatus.Active, ct);
        if (tenant is null)
        {
            return Failure.NotFound();
        }

        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        tenant.Status = TenantStatus.Erased;
        tenant.ErasedAt = now;
        var keys = await db.TenantKeys.IgnoreQueryFilters().Where(k => k.TenantId == tenantId && k.WrappedKey != null)
            .OrderBy(k => k.Purpose).ThenBy(k => k.Version).Select(k => new { k.Purpose, k.Version }).ToListAsync(ct);
        await keyRing.DestroyTenantKeysAsync(db, tenantId, ct);
        await db.SaveChangesAsync(ct);
        var revokedTokens = await db.ApiTokens.Where(t => t.TenantId == tenantId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
        var deletedChannels = await db.Channels.Where(c => c.TenantId == tenantId).ExecuteDeleteAsync(ct);
        var deletedEvents = await db.WebhookEvents.Where(e => e.TenantId == tenantId).ExecuteDeleteAsync(ct);
        await AuditLog.RecordAsync(db, AuditLog.PlatformChain, actor, AuditActions.TenantErased, $"tenant:{tenantId}",
            new { revokedTokens, deletedChannels, deletedEvents }, now, ct);
        await ledger.RecordAsync(db, new DeletionRecord(DeletionKinds.TenantErased, tenantId, [tenantId], [.. keys.Select(k => DeletionKeyIds.Tenant(tenantId, k.Purpose, k.Version))]), ct);
        await transaction.CommitAsync(ct);
        keyRing.Forget(tenantId);
        channelChanges.Notify(tenantId);

        // The files are unreadable already (their keys are gone); deleting them just frees the space.
        await blobs.DeleteTenantAsync(tenantId);
        return null;
    }
}
